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

  // A click lost to a poll: when a poll's answer replaces the element under a pressed button, the release lands
  // on its replacement and no click happens (an agent's "Open" does nothing). While a button is down, a poll's
  // answer is dropped; the next poll brings the page up to date.
  var pressed = false;
  document.addEventListener("pointerdown", function () { pressed = true; }, true);
  function released() {
    // After this task: the click that follows the release still sees the elements it was pressed on.
    setTimeout(function () { pressed = false; }, 0);
  }
  ["pointerup", "pointercancel", "dragend"].forEach(function (name) {
    document.addEventListener(name, released, true);
  });
  window.addEventListener("blur", released);  // released outside the window: no pointerup reaches the page
  document.addEventListener("htmx:beforeSwap", function (event) {
    var trigger = event.detail.elt.getAttribute("hx-trigger") || "";
    if (pressed && trigger.indexOf("every ") === 0) event.detail.shouldSwap = false;
  });
})();
