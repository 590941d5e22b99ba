// Progressive enhancement: checklist forms save as soon as a box is ticked.
// Without JavaScript the "Save progress" button does the same.
document.querySelectorAll("form[data-autosave]").forEach((form) => {
  const status = form.querySelector("[data-status]");
  const save = async () => {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json", "X-CSRFToken": form.querySelector("[name=csrf_token]").value },
      credentials: "same-origin",
    });
    const data = await response.json();
    if (!response.ok) {
      status.textContent = data.error ? data.error.message : "Could not save.";
      return;
    }
    status.textContent = `Saved: ${data.ticked} of ${data.steps} steps done` + (data.status === "completed" ? " · module completed" : "");
  };
  form.querySelectorAll("input[type=checkbox]").forEach((box) => box.addEventListener("change", save));
  form.querySelectorAll("input.evidence").forEach((field) => field.addEventListener("change", save));
});
