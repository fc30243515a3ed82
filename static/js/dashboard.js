/* Maillage dashboard customisation (/bureau/tableau-de-bord/personnaliser/).
 *
 * The page works without this script: each "Move up"/"Move down" button submits the
 * form, the server saves the new order and comes back to the moved row. This script:
 * - moves the row in place instead (focus stays on the pressed button, or on the other
 *   one when the row reached an end of the list);
 * - adds drag and drop by a handle on each row (pointer events: mouse, pen and touch);
 *   Escape during a drag puts the row back; the buttons remain the keyboard way;
 * - announces each move in the form's aria-live region ("<widget> moved to position 3
 *   of 6", the sentence given by the server in data-moved-template, translated);
 * - saves each new order with the same form POST (fetch, answered in JSON), so nothing
 *   is lost if the page is left; the Save button still submits the ticked boxes.
 * <form data-dashboard-layout data-enhanced> tells that the script runs.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-dashboard-layout]");
  if (!form) { return; }
  var list = form.querySelector("[data-layout-list]");
  var announcer = form.querySelector("[data-dashboard-announcer]");
  var status = form.querySelector("[data-dashboard-status]");  // visible when a save failed
  if (!list || !announcer || !status || !window.fetch || !window.FormData) { return; }

  var drag = null;      // the row being dragged, while the pointer is down
  var saving = false;   // one save at a time; the last order wins
  var again = false;

  function rows() {
    return Array.prototype.filter.call(list.children, function (child) {
      return child.hasAttribute("data-key");
    });
  }

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (all, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  function announce(text) {
    if (!text) { return; }
    // Emptied first, so that the same sentence twice in a row is read twice.
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function refreshButtons() {
    var all = rows();
    all.forEach(function (row, index) {
      row.querySelector('[data-move="up"]').disabled = index === 0;
      row.querySelector('[data-move="down"]').disabled = index === all.length - 1;
    });
  }

  function announceMove(row) {
    var all = rows();
    announce(format(form.dataset.movedTemplate, {
      widget: row.dataset.title,
      position: all.indexOf(row) + 1,
      total: all.length
    }));
  }

  function failed(text) {
    // Seen and heard: the order on screen is not the saved one.
    status.textContent = text;
    status.hidden = false;
  }

  function save() {
    if (saving) { again = true; return; }
    saving = true;
    var data = new FormData(form);  // the order is the rows' order; no "move" field
    window.fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      redirect: "manual",  // a redirect here means the session ended (login page)
      headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.status === 403) {
        failed(form.dataset.sessionText);
        return null;
      }
      return response.json().catch(function () { return { ok: false }; }).then(function (body) {
        if (response.ok && body.ok) { status.hidden = true; return; }
        var reason = (body.errors || []).join(" ");
        failed(reason ? format(form.dataset.errorTemplate, { reason: reason }) : form.dataset.offlineText);
      });
    }).catch(function () {
      failed(form.dataset.offlineText);
    }).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }

  function moved(row) {
    refreshButtons();
    announceMove(row);
    save();
  }

  // Move up / Move down, without reloading the page.
  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-move]");
    if (!button || !list.contains(button)) { return; }
    event.preventDefault();
    var up = button.dataset.move === "up";
    var row = button.closest("[data-key]");
    var neighbour = up ? row.previousElementSibling : row.nextElementSibling;
    if (!neighbour) { return; }
    if (up) { list.insertBefore(row, neighbour); } else { list.insertBefore(neighbour, row); }
    refreshButtons();
    // Moving the row may take the focus away: give it back, to the other button when
    // this one is now disabled (the row reached the top or the bottom).
    (button.disabled ? row.querySelector('[data-move="' + (up ? "down" : "up") + '"]') : button).focus();
    announceMove(row);
    save();
  });

  // Drag and drop by the handle.
  function endDrag(cancel) {
    var current = drag;
    drag = null;
    current.row.classList.remove("layout-row--dragging");
    list.classList.remove("layout-list--dragging");
    if (cancel) { list.insertBefore(current.row, current.next); }
    if (rows().indexOf(current.row) !== current.start) { moved(current.row); } else { refreshButtons(); }
  }

  list.addEventListener("pointerdown", function (event) {
    var handle = event.target.closest("[data-drag-handle]");
    if (!handle || drag || (event.pointerType === "mouse" && event.button !== 0)) { return; }
    event.preventDefault();
    var row = handle.closest("[data-key]");
    handle.setPointerCapture(event.pointerId);
    drag = { row: row, pointerId: event.pointerId, start: rows().indexOf(row), next: row.nextElementSibling };
    row.classList.add("layout-row--dragging");
    list.classList.add("layout-list--dragging");
  });

  list.addEventListener("pointermove", function (event) {
    if (!drag || event.pointerId !== drag.pointerId) { return; }
    event.preventDefault();
    // The row goes before the first other row whose middle is below the pointer.
    var before = null;
    rows().some(function (row) {
      if (row === drag.row) { return false; }
      var box = row.getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) { before = row; return true; }
      return false;
    });
    if (before !== drag.row.nextElementSibling) { list.insertBefore(drag.row, before); }
  });

  list.addEventListener("pointerup", function (event) {
    if (drag && event.pointerId === drag.pointerId) { endDrag(false); }
  });
  list.addEventListener("pointercancel", function (event) {
    if (drag && event.pointerId === drag.pointerId) { endDrag(true); }
  });
  document.addEventListener("keydown", function (event) {
    if (drag && event.key === "Escape") { endDrag(true); }
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-drag-handle], [data-drag-help]"), function (el) {
    el.hidden = false;
  });
  form.setAttribute("data-enhanced", "");
})();
