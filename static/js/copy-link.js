// A "Copy" button next to a read-only address (calendar subscription links, shared report
// links): `<button data-copy="<id of the field>" data-copied="<text once copied>" hidden>`.
// Without JavaScript the buttons stay hidden and the field can be selected and copied by hand;
// with it, the field is selected when it gets the focus.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    button.hidden = false;
    var label = button.innerHTML;  // may hold a visually hidden part naming what is copied
    field.addEventListener("focus", function () { field.select(); });
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
})();
