/* Maillage: the venue form's conveniences (desk, /bureau/lieux/…/modifier/).
 *
 * 1. The error summary on top of a form that failed takes the focus (it also carries
 *    `autofocus`; this covers browsers that ignore it on a section), as in the DSFR and
 *    GOV.UK patterns; its links focus the field they name.
 * 2. The opening hours editor (directory.widgets.HoursWidget) works without JavaScript:
 *    each day has its ranges plus one empty range. Here each day gets "Add a range" and
 *    each range a "Remove" button; the spare empty range of a day that already has some
 *    is removed; ticking « Closed » hides the day's ranges, typing a time unticks it.
 *    Inputs are named NAME__Mo__start / NAME__Mo__end (repeated), so a new range is a
 *    copy of a row with fresh ids.
 */
(function () {
  "use strict";

  var counter = 0;

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    if (document.activeElement !== summary) { summary.focus(); }
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      var details = target.closest("details");
      if (details) { details.open = true; }
      target.scrollIntoView({block: "center"});
      target.focus();
    });
  }

  function button(text, className) {
    var node = document.createElement("button");
    node.type = "button";
    node.className = className;
    node.textContent = text;
    return node;
  }

  function isEmpty(range) {
    var inputs = range.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i += 1) {
      if (inputs[i].value) { return false; }
    }
    return true;
  }

  function dayName(day) {
    var legend = day.querySelector("legend");
    return legend ? legend.textContent.trim() : "";
  }

  function addRemove(editor, day, range) {
    var remove = button(editor.dataset.labelRemove, "button button--small button--secondary hours-range__remove");
    remove.setAttribute("aria-label", editor.dataset.labelRemove + " (" + dayName(day) + ")");
    remove.addEventListener("click", function () {
      var list = range.parentNode;
      var next = range.nextElementSibling || range.previousElementSibling;
      range.remove();
      var focusTarget = next ? next.querySelector("input") : day.querySelector("[data-hours-add]");
      if (focusTarget) { focusTarget.focus(); }
      if (!list.children.length) { syncClosed(day); }
    });
    range.appendChild(remove);
  }

  function newRange(editor, day) {
    var list = day.querySelector("[data-hours-ranges]");
    var template = day._rangeTemplate;
    var range = template.cloneNode(true);
    var number = list.children.length + 1;
    counter += 1;
    range.querySelectorAll("input").forEach(function (input) {
      var id = input.id.replace(/_\d+(_new\d+)?$/, "") + "_" + number + "_new" + counter;
      var label = range.querySelector("label[for='" + input.id + "']");
      input.id = id;
      input.value = "";
      if (label) {
        label.htmlFor = id;
        var hidden = label.querySelector(".visually-hidden");
        if (hidden) { hidden.textContent = hidden.textContent.replace(/\d+\s*$/, String(number)); }
      }
    });
    range.querySelectorAll(".hours-range__remove").forEach(function (node) { node.remove(); });
    addRemove(editor, day, range);
    list.appendChild(range);
    return range;
  }

  function syncClosed(day) {
    var closed = day.querySelector("input[name$='__closed']");
    var list = day.querySelector("[data-hours-ranges]");
    var add = day.querySelector("[data-hours-add]");
    if (!closed) { return; }
    var hide = closed.checked;
    list.hidden = hide;
    // A closed day's times are not sent (the server refuses « Closed » with times).
    list.querySelectorAll("input").forEach(function (input) { input.disabled = hide; });
    if (add) { add.hidden = hide; }
  }

  function syncHolidays(day) {
    var checked = day.querySelector("input[type=radio]:checked");
    var special = checked && checked.value === "hours";
    var list = day.querySelector("[data-hours-ranges]");
    list.hidden = !special;
    list.querySelectorAll("input").forEach(function (input) { input.disabled = !special; });
    var add = day.querySelector("[data-hours-add]");
    if (add) { add.hidden = !special; }
  }

  function setUpDay(editor, day) {
    var list = day.querySelector("[data-hours-ranges]");
    var ranges = list.querySelectorAll("[data-hours-range]");
    if (!ranges.length) { return; }
    day._rangeTemplate = ranges[ranges.length - 1].cloneNode(true);
    // The spare empty range is for use without JavaScript: drop it when the day has others.
    var last = ranges[ranges.length - 1];
    if (ranges.length > 1 && isEmpty(last)) { last.remove(); }
    list.querySelectorAll("[data-hours-range]").forEach(function (range) { addRemove(editor, day, range); });

    var add = button(editor.dataset.labelAdd, "button button--small button--secondary hours-day__add");
    add.setAttribute("data-hours-add", "");
    add.setAttribute("aria-label", editor.dataset.labelAdd + " (" + dayName(day) + ")");
    add.addEventListener("click", function () {
      var closed = day.querySelector("input[name$='__closed']");
      if (closed && closed.checked) { closed.checked = false; syncClosed(day); }
      var range = newRange(editor, day);
      range.querySelector("input").focus();
    });
    list.insertAdjacentElement("afterend", add);

    var closed = day.querySelector("input[name$='__closed']");
    if (closed) {
      closed.addEventListener("change", function () {
        syncClosed(day);
        if (!closed.checked && !list.querySelector("[data-hours-range]")) { newRange(editor, day); }
      });
      list.addEventListener("input", function () {
        if (closed.checked) { closed.checked = false; syncClosed(day); }
      });
      syncClosed(day);
    } else {
      day.querySelectorAll("input[type=radio]").forEach(function (radio) {
        radio.addEventListener("change", function () { syncHolidays(day); });
      });
      syncHolidays(day);
    }
  }

  function setUpEditor(editor) {
    editor.querySelectorAll("[data-hours-day]").forEach(function (day) { setUpDay(editor, day); });
    editor.classList.add("hours-editor--enhanced");
  }

  function start() {
    document.querySelectorAll("[data-hours-editor]").forEach(setUpEditor);
    focusSummary();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
