// Behaviour every page shares. Pages carry no inline scripts or event-handler attributes: the
// Content-Security-Policy (docs/decisions/0014-content-security-policy.md) allows only our own script files.
(function () {
  "use strict";
  // <select data-autosubmit> submits its form when changed (store filters, the language picker).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });

  // A poll (hx-trigger="every ...") with data-pause-while="<selector>" skips its turn while that element
  // exists, e.g. a form the user is filling in that the poll's swap would replace. (An hx-trigger filter
  // would say the same, but htmx evaluates filters as code, which the policy does not allow.)
  document.addEventListener("htmx:beforeRequest", function (event) {
    var selector = event.detail.elt.getAttribute("data-pause-while");
    if (selector && document.querySelector(selector)) event.preventDefault();
  });
})();
