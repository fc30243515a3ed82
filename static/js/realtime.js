/* Maillage realtime client: one websocket per tab at /ws/.
 *
 * Reconnects with exponential backoff (1 s, 2 s, 4 s ... 30 s, with jitter) and
 * dispatches each event {type, id, data} to the handlers registered with
 * Maillage.realtime.on(type, handler), and as a DOM event "maillage:<type>" on document.
 * Stops for good on close codes 4401 (not logged in, logged out) and 4403 (not an
 * approved member), and after MAX_FAILURES handshakes in a row that never opened.
 * Subscriptions are kept and sent again on every (re)connection; session.ready carries
 * the unread count, which refreshes the badge after a reconnection.
 * <html data-realtime> is "connected", "disconnected" (retrying) or "stopped";
 * data-realtime-close holds the last close code.
 * Maillage.realtime.send(message) sends an action ({action: "chat.send", ...}) when the
 * socket is open and returns true; false otherwise (the caller falls back to its form).
 * The page works without it: it only adds live updates.
 */
(function () {
  "use strict";

  var MAX_FAILURES = 8;
  var handlers = {};
  var socket = null;
  var attempt = 0;
  var failures = 0;
  var stopped = false;
  var groups = Object.create(null);  // group name -> true, sent again on each open

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

  function setState(state, code) {
    var root = document.documentElement;
    root.dataset.realtime = state;
    if (code !== undefined) { root.dataset.realtimeClose = String(code); }
  }

  function sendNow(message) {
    socket.send(JSON.stringify(message));
  }

  function isOpen() {
    return socket !== null && socket.readyState === WebSocket.OPEN;
  }

  function connect() {
    if (stopped) { return; }
    var opened = false;
    socket = new WebSocket(url());
    socket.addEventListener("open", function () {
      opened = true;
      attempt = 0;
      failures = 0;
      setState("connected");
      Object.keys(groups).forEach(function (group) {
        sendNow({ action: "subscribe", group: group });
      });
    });
    socket.addEventListener("message", function (msg) {
      var event;
      try { event = JSON.parse(msg.data); } catch (err) { return; }
      if (event && typeof event.type === "string") { dispatch(event); }
    });
    socket.addEventListener("close", function (ev) {
      // 4401/4403: not logged in (or logged out) or not approved: retrying will not help.
      if (ev.code === 4401 || ev.code === 4403) {
        stopped = true;
        setState("stopped", ev.code);
        return;
      }
      if (!opened) { failures += 1; }
      if (failures >= MAX_FAILURES) {
        stopped = true;
        setState("stopped", ev.code);
        return;
      }
      setState("disconnected", ev.code);
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
      attempt += 1;
      window.setTimeout(connect, delay);
    });
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
    subscribe: function (group) {
      groups[group] = true;
      // Not open yet: the open handler sends every kept group.
      if (isOpen()) { sendNow({ action: "subscribe", group: group }); }
    },
    unsubscribe: function (group) {
      if (!(group in groups)) { return; }
      delete groups[group];
      // Not open: the next connection simply does not subscribe again.
      if (isOpen()) { sendNow({ action: "unsubscribe", group: group }); }
    },
    send: function (message) {
      if (!isOpen()) { return false; }
      sendNow(message);
      return true;
    },
    isOpen: isOpen,
    announce: announce
  };
  window.Maillage = window.Maillage || {};
  window.Maillage.realtime = api;

  api.on("notification.new", function (data) {
    setUnread(data.unread);
    announce(data.text);
  });
  api.on("notification.read", function (data) { setUnread(data.unread); });
  api.on("session.ready", function (data) {
    // Events missed while disconnected: the count at (re)connection is the truth.
    if (typeof data.unread === "number") { setUnread(data.unread); }
  });
  // A refused group is not asked for again after a reconnection.
  api.on("session.denied", function (data) { delete groups[data.group]; });
  // Access lost (left or removed from a group): the server dropped the subscription.
  api.on("session.unsubscribed", function (data) { delete groups[data.group]; });
  api.on("session.error", function (data) { if (data.group) { delete groups[data.group]; } });

  if ("WebSocket" in window) { connect(); }
})();
