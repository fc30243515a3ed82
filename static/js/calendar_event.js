// The event form (calendar_app/event_form.html): hide the times when "All day" is ticked, and the
// repetition options until a frequency is chosen. Without JavaScript everything stays shown.
(function () {
  "use strict";
  var form = document.querySelector("[data-event-form]");
  if (!form) return;
  var allDay = form.querySelector("input[name='all_day']");
  var frequency = form.querySelector("select[name='repeat_frequency']");
  var times = form.querySelectorAll("[data-time-field]");
  var options = form.querySelector("[data-repeat-options]");
  function update() {
    var hideTimes = !!(allDay && allDay.checked);
    times.forEach(function (node) { node.hidden = hideTimes; });
    if (options && frequency) options.hidden = !frequency.value || frequency.value === "custom";
  }
  if (allDay) allDay.addEventListener("change", update);
  if (frequency) frequency.addEventListener("change", update);
  update();
})();
