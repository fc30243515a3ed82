/* Maillage presence: tells the server whether this tab is in use, so that colleagues see
 * "online" (a tab in use), "away" (tabs open, none used for 5 minutes) or "offline".
 * Reports on connection, on a change, and every 60 s (the server forgets a tab that stays
 * silent for 150 s). The server ignores repeats within 20 s and what members chose not
 * to share (chat preferences). */
(function () {
  "use strict";
  var rt = window.Maillage && window.Maillage.realtime;
  if (!rt) { return; }
  var IDLE_AFTER = 5 * 60 * 1000;
  var HEARTBEAT = 60 * 1000;
  var lastInput = Date.now();
  var reported = null;

  function active() {
    return document.visibilityState === "visible" && Date.now() - lastInput < IDLE_AFTER;
  }
  function report(force) {
    var now = active();
    if (!force && now === reported) { return; }
    if (rt.send({ action: "chat.presence", active: now })) { reported = now; }
  }
  ["keydown", "pointerdown", "pointermove", "scroll", "focus"].forEach(function (type) {
    window.addEventListener(type, function () {
      var wasIdle = !active();
      lastInput = Date.now();
      if (wasIdle) { report(false); }
    }, { passive: true, capture: true });
  });
  document.addEventListener("visibilitychange", function () { report(false); });
  rt.on("session.ready", function () { reported = null; report(true); });
  window.setInterval(function () { report(true); }, HEARTBEAT);
  window.setInterval(function () { report(false); }, 30 * 1000);  // notices going idle
})();
