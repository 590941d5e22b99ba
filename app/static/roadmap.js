// Progressive enhancement of the roadmap table: tick all actions of a phase, count the ticked.
// Without JavaScript each box is ticked by hand and the form works the same.
const planForm = document.getElementById("plan-form");
if (planForm) {
  const boxes = () => planForm.querySelectorAll("input[name=selected]");
  const count = planForm.querySelector("[data-ticked-count]");
  const update = () => {
    const ticked = [...boxes()].filter((box) => box.checked).length;
    count.textContent = ticked ? `${ticked} ticked` : "none ticked yet";
  };
  planForm.querySelectorAll("[data-tick-phase]").forEach((all) => {
    all.closest("label").hidden = false;
    all.addEventListener("change", () => {
      all.closest("tbody").querySelectorAll("input[name=selected]").forEach((box) => {
        box.checked = all.checked;
      });
      update();
    });
  });
  boxes().forEach((box) => box.addEventListener("change", update));
  update();
}
