// The kit form: choosing the owner shows its equipment at once (without JavaScript, the
// "Show its equipment" button next to the select does it).
(function () {
  "use strict";
  var button = document.querySelector("[data-kit-owner-button]");
  if (!button) {
    return;
  }
  var field = button.closest(".kit-form__owner");
  var select = field && field.querySelector("select");
  if (!select) {
    return;
  }
  field.classList.add("js-kit-owner");
  select.addEventListener("change", function () {
    if (button.form.requestSubmit) {
      button.form.requestSubmit(button);
    } else {
      button.click();
    }
  });
})();
