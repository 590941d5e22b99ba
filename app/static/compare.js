// Progressive enhancement of the compare page's team picker: a filter box, a count of the
// ticked teams and "Untick all". Without JavaScript the list of checkboxes works the same.
const picker = document.querySelector("[data-team-picker]");
if (picker) {
  const tools = picker.querySelector("[data-picker-tools]");
  const filter = picker.querySelector("#team-filter");
  const count = picker.querySelector("[data-chosen-count]");
  const noMatch = picker.querySelector("[data-no-match]");
  const items = [...picker.querySelectorAll("#team-choices li")];
  const boxes = items.map((item) => item.querySelector("input[type=checkbox]"));
  const texts = items.map((item) => item.textContent.toLowerCase());
  const update = () => {
    const ticked = boxes.filter((box) => box.checked).length;
    count.textContent = ticked ? `(${ticked} ticked)` : "";
  };
  const applyFilter = () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    items.forEach((item, index) => {
      const match = words.every((word) => texts[index].includes(word)) || boxes[index].checked;
      item.hidden = !match;
      shown += match ? 1 : 0;
    });
    noMatch.hidden = shown > 0;
  };
  tools.hidden = false;
  filter.addEventListener("input", applyFilter);
  // Enter in the filter box filters; it does not submit the comparison.
  filter.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
  picker.querySelector("[data-clear-teams]").addEventListener("click", () => {
    boxes.forEach((box) => {
      box.checked = false;
    });
    update();
    applyFilter();
  });
  picker.addEventListener("change", update);
  update();
}
