// Shared report links: a "Copy" button next to each address (without JavaScript the buttons
// stay hidden and the read-only field can be selected and copied by hand).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    button.hidden = false;
    var label = button.innerHTML;
    button.addEventListener("click", function () {
      field.select();
      var done = function () {
        button.textContent = button.getAttribute("data-copied");
        window.setTimeout(function () { button.innerHTML = label; }, 2000);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(field.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
  });
  document.querySelectorAll(".share-item__url").forEach(function (field) {
    field.addEventListener("focus", function () { field.select(); });
  });
})();
