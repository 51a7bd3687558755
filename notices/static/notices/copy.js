// Copy buttons: <button data-copy-target="ID" hidden>. Without JavaScript the
// button stays hidden and the link can still be selected and copied by hand.
(function () {
  "use strict";
  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    var status = button.parentNode.querySelector(".copy-status");
    if (!field) { return; }
    function done(message) { if (status) { status.textContent = message; } }
    function fallback() {
      field.focus();
      field.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      done(ok ? "Link copied." : "Press Ctrl+C (or Cmd+C) to copy the selected link.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () {
        done("Link copied.");
      }, fallback);
    } else {
      fallback();
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("button[data-copy-target]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  });
})();
