// The session form (templates/workshops/sessions_form.html): show the first date row and the
// rows already filled in; "Add a date" reveals the next empty one. Without JavaScript every row
// shows (the empty ones are ignored).
(function () {
  "use strict";
  var form = document.querySelector("[data-session-form]");
  if (!form) return;
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-date-row]"));
  var button = form.querySelector("[data-add-date]");
  if (!rows.length || !button) return;
  var last = 0;
  rows.forEach(function (row, index) { if (row.hasAttribute("data-filled")) last = index; });
  rows.forEach(function (row, index) { row.hidden = index > last; });
  function update() {
    button.hidden = rows.every(function (row) { return !row.hidden; });
  }
  button.addEventListener("click", function () {
    var next = rows.filter(function (row) { return row.hidden; })[0];
    if (!next) return;
    next.hidden = false;
    var input = next.querySelector("input");
    if (input) input.focus();
    update();
  });
  update();
})();
