// Filters on the case list submit themselves when changed (no inline handlers: the pages run under a strict CSP).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select.autosubmit");
  if (select && select.form) select.form.requestSubmit();
});
