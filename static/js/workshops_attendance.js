// The printable attendance sheet: the "Print" button (hidden without JavaScript, where the
// page says to press Ctrl+P) opens the browser's print dialog.
(function () {
  "use strict";
  document.querySelectorAll("[data-attendance-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
