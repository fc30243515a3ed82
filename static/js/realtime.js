/* Maillage realtime client: one websocket per tab at /ws/.
 *
 * Reconnects with exponential backoff (1 s, 2 s, 4 s ... 30 s, with jitter) and
 * dispatches each event {type, id, data} to the handlers registered with
 * Maillage.realtime.on(type, handler), and as a DOM event "maillage:<type>" on document.
 * The page works without it: it only adds live updates.
 */
(function () {
  "use strict";

  var handlers = {};
  var socket = null;
  var attempt = 0;
  var stopped = false;
  var pending = [];

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + "/ws/";
  }

  function dispatch(event) {
    (handlers[event.type] || []).forEach(function (fn) {
      try { fn(event.data || {}, event); } catch (err) { console.error(err); }
    });
    document.dispatchEvent(new CustomEvent("maillage:" + event.type, { detail: event }));
  }

  function connect() {
    if (stopped) { return; }
    socket = new WebSocket(url());
    socket.addEventListener("open", function () {
      attempt = 0;
      document.documentElement.dataset.realtime = "connected";
      pending.splice(0).forEach(function (msg) { socket.send(JSON.stringify(msg)); });
    });
    socket.addEventListener("message", function (msg) {
      var event;
      try { event = JSON.parse(msg.data); } catch (err) { return; }
      if (event && typeof event.type === "string") { dispatch(event); }
    });
    socket.addEventListener("close", function (ev) {
      document.documentElement.dataset.realtime = "disconnected";
      // 4401/4403: not logged in or not approved: retrying will not help.
      if (ev.code === 4401 || ev.code === 4403) { stopped = true; return; }
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      window.setTimeout(connect, delay);
    });
  }

  function send(message) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(message));
    } else {
      pending.push(message);
    }
  }

  function announce(text) {
    var region = document.getElementById("live-announcer");
    if (!region || !text) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function setUnread(count) {
    document.querySelectorAll("[data-unread-badge]").forEach(function (badge) {
      badge.textContent = String(count);
      badge.hidden = !count;
    });
    document.querySelectorAll("[data-unread-label]").forEach(function (label) {
      var template = label.dataset.template;
      label.textContent = template ? template.replace("%s", count) : String(count);
    });
  }

  var api = {
    on: function (type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
    subscribe: function (group) { send({ action: "subscribe", group: group }); },
    unsubscribe: function (group) { send({ action: "unsubscribe", group: group }); },
    announce: announce
  };
  window.Maillage = window.Maillage || {};
  window.Maillage.realtime = api;

  api.on("notification.new", function (data) {
    setUnread(data.unread);
    announce(data.text);
  });
  api.on("notification.read", function (data) { setUnread(data.unread); });

  if ("WebSocket" in window) { connect(); }
})();
