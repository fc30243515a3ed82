/* Maillage chat: live rooms over the desk's one websocket (static/js/realtime.js).
 *
 * Everything here is an enhancement of pages that work without JavaScript (history with
 * "older messages" links, a form that posts, edit/delete pages, reaction buttons in forms):
 * - sending: Enter sends (Shift+Enter: new line) over the socket with a client_id; the
 *   server stores the message, then broadcasts it; the box is cleared only when the server
 *   says it is stored (chat.sent). A refusal (rate limit, too long) is shown and the text
 *   stays. Not connected: the form posts as without JavaScript. A message sent just
 *   before a drop is sent again on reconnection with the same client_id (one message).
 *   Files go by HTTP (the same form, fetched), and are announced on the socket by the server.
 * - history: older pages load when "Older messages" comes into view; after a reconnection
 *   the room asks for everything after the last message it saw (chat.catch_up) and for
 *   what was edited or deleted meanwhile.
 * - unread: badges in the room list follow new messages and reads in other tabs; a
 *   "New messages" divider marks where the unread starts; reading marks the room read.
 * - typing ("Léa is typing…") and presence (online, away), in polite live regions.
 * - who may edit or delete a message is never decided here: the rules are the server's
 *   (chat/permissions.py). A message the server drew carries its answers (data-can-edit,
 *   data-can-delete, data-edit-until); a message drawn here comes from a payload that is
 *   the same for every reader (a broadcast), so it carries what the rules need (its author
 *   and edit_until, the edit deadline the server computed) and the page carries this
 *   reader's answers for the room (data-can-write, data-can-moderate): answers() only
 *   puts those together.
 */
(function () {
  "use strict";
  var rt = window.Maillage && window.Maillage.realtime;
  if (!rt) { return; }
  var MAX_ROOM_SUBSCRIPTIONS = 90;
  var TYPING_EVERY = 3000, TYPING_SHOWN = 6000;

  function randomId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID().replace(/-/g, ""); }
    return (Date.now().toString(36) + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2)).slice(0, 32);
  }
  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- Room list: unread badges ----------------------------------------------------------
  var roomPage = document.querySelector("[data-chat-room]");
  var openRoom = roomPage ? Number(roomPage.getAttribute("data-chat-room")) : null;
  var lists = document.querySelectorAll("[data-chat-rooms]");
  var me = roomPage ? Number(roomPage.getAttribute("data-me"))
    : (lists.length ? Number(lists[0].getAttribute("data-me")) : null);
  var roomIds = [];
  document.querySelectorAll("[data-room-link]").forEach(function (link) {
    var id = Number(link.getAttribute("data-room-link"));
    if (roomIds.indexOf(id) === -1) { roomIds.push(id); }
  });
  // The open room first, whatever its place in the list; then the most recent others.
  if (openRoom !== null) { rt.subscribe("chatroom." + openRoom); }
  roomIds.filter(function (id) { return id !== openRoom; }).slice(0, MAX_ROOM_SUBSCRIPTIONS - 1)
    .forEach(function (id) { rt.subscribe("chatroom." + id); });

  function setBadge(roomId, count) {
    document.querySelectorAll('[data-room-unread="' + roomId + '"]').forEach(function (badge) {
      var label = badge.querySelector(".visually-hidden");
      badge.textContent = count > 99 ? "99+" : String(count);
      if (label) { badge.appendChild(label); }
      badge.hidden = !count;
      badge.dataset.count = String(count);
    });
  }
  function badgeCount(roomId) {
    var badge = document.querySelector('[data-room-unread="' + roomId + '"]');
    if (!badge) { return 0; }
    return Number(badge.dataset.count || (badge.hidden ? 0 : parseInt(badge.textContent, 10)) || 0);
  }
  function refreshBadges() {
    var list = lists[0];
    if (!list) { return; }
    fetch(list.getAttribute("data-unread-url"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        Object.keys(data.rooms).forEach(function (id) { setBadge(id, data.rooms[id]); });
      });
  }
  rt.on("chat.read", function (data) { setBadge(data.room, data.unread); });

  // --- The open room ---------------------------------------------------------------------
  var strings = {};
  var template = document.getElementById("chat-strings");
  if (template) {
    Array.prototype.forEach.call(template.attributes, function (attr) {
      if (attr.name.indexOf("data-") === 0) { strings[attr.name.slice(5)] = attr.value; }
    });
  }
  function t(key, value) {
    var text = strings[key] || key;
    return value === undefined ? text : text.replace("%s", value);
  }

  var reactionsOffered = [];
  var reactionsScript = document.getElementById("chat-reactions");
  if (reactionsScript) { try { reactionsOffered = JSON.parse(reactionsScript.textContent); } catch (e) { reactionsOffered = []; } }

  var list = roomPage ? roomPage.querySelector("[data-chat-messages]") : null;
  var composer = roomPage ? roomPage.querySelector("[data-chat-composer]") : null;
  var textarea = composer ? composer.querySelector("textarea[name=body]") : null;
  var statusLine = composer ? composer.querySelector("[data-chat-status]") : null;
  var live = roomPage ? roomPage.querySelector("[data-chat-live]") : null;
  var typingLine = roomPage ? roomPage.querySelector("[data-chat-typing]") : null;
  var latest = roomPage && roomPage.getAttribute("data-latest") === "1";
  var canWrite = roomPage && roomPage.getAttribute("data-can-write") === "1";
  var canModerate = roomPage && roomPage.getAttribute("data-can-moderate") === "1";
  var shareTyping = roomPage && roomPage.getAttribute("data-share-typing") === "1";
  var lastId = roomPage ? Number(roomPage.getAttribute("data-last-id")) : 0;
  var memberIds = null;  // null: everyone approved belongs (network room)
  if (roomPage && roomPage.getAttribute("data-member-ids")) {
    try { memberIds = JSON.parse(roomPage.getAttribute("data-member-ids")); } catch (e) { memberIds = null; }
  }
  var pending = null;  // {client_id, body, reply_to} sent, not yet acknowledged
  var connections = 0;
  var disconnectedAt = null;

  function say(text) {
    if (!live || !text) { return; }
    live.textContent = "";
    window.setTimeout(function () { live.textContent = text; }, 50);
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  var scroller = roomPage ? roomPage.querySelector("[data-chat-scroll]") : null;
  function nearBottom() {
    if (!scroller) { return true; }
    return scroller.scrollTop + scroller.clientHeight >= scroller.scrollHeight - 200;
  }
  function toBottom() {
    if (scroller) { scroller.scrollTop = scroller.scrollHeight; }
  }
  // Brings a message into view inside the pane (never scrolls the page itself).
  function reveal(node, atStart) {
    if (!scroller || !node) { return; }
    var top = node.getBoundingClientRect().top - scroller.getBoundingClientRect().top + scroller.scrollTop;
    scroller.scrollTop = atStart ? top - 8 : top + node.offsetHeight - scroller.clientHeight;
  }
  // --- Times: the server's rules (chat/dates.py), in the site's time zone ---------------------
  // A message shows its clock time written with the server's TIME_FORMAT ("G\u00a0\\h\u00a0i":
  // "12 h 30"; "P" in English: "12:30 p.m."); days are cut by "Aujourd'hui", "Hier",
  // "mardi 1 décembre". A live message then reads exactly as it does after a reload.
  var lang = document.documentElement.lang || "fr";
  var timeFormat = (roomPage && roomPage.getAttribute("data-time-format")) || "H:i";
  var timeZone = (roomPage && roomPage.getAttribute("data-time-zone")) || undefined;
  function zoned(options) {
    try { return new Intl.DateTimeFormat(lang, Object.assign({ timeZone: timeZone }, options)); }
    catch (e) { return new Intl.DateTimeFormat(lang, options); }  // an unknown zone: the browser's
  }
  var clockParts = zoned({ hour: "numeric", minute: "2-digit", hourCycle: "h23" });
  var dayParts = zoned({ year: "numeric", month: "2-digit", day: "2-digit" });
  // Days are named from their key ("2026-12-01") read in UTC: the same day whatever the zone.
  var dayWords = new Intl.DateTimeFormat(lang, { timeZone: "UTC", weekday: "long", day: "numeric", month: "long", year: "numeric" });
  function parts(formatter, date) {
    var found = {};
    formatter.formatToParts(date).forEach(function (part) { found[part.type] = part.value; });
    return found;
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function formatClock(iso) {
    var p = parts(clockParts, new Date(iso));
    var hour = Number(p.hour) % 24, minute = Number(p.minute);
    var out = "";
    for (var i = 0; i < timeFormat.length; i++) {
      var c = timeFormat.charAt(i);
      if (c === "\\") { i += 1; out += timeFormat.charAt(i); }
      else if (c === "G") { out += hour; }
      else if (c === "H") { out += pad(hour); }
      else if (c === "g") { out += (hour % 12) || 12; }
      else if (c === "h") { out += pad((hour % 12) || 12); }
      else if (c === "i") { out += pad(minute); }
      else if (c === "a") { out += hour < 12 ? "a.m." : "p.m."; }
      else if (c === "A") { out += hour < 12 ? "AM" : "PM"; }
      else if (c === "P") {
        if (minute === 0 && hour === 0) { out += "midnight"; }
        else if (minute === 0 && hour === 12) { out += "noon"; }
        else { out += ((hour % 12) || 12) + (minute ? ":" + pad(minute) : "") + (hour < 12 ? " a.m." : " p.m."); }
      } else { out += c; }
    }
    return out;
  }
  function dayKey(date) {
    var p = parts(dayParts, date);
    return p.year + "-" + p.month + "-" + p.day;
  }
  function dayLabel(key) {
    var now = new Date();
    if (key === dayKey(now)) { return t("today"); }
    if (key === dayKey(new Date(now.getTime() - 86400000))) { return t("yesterday"); }
    var p = parts(dayWords, new Date(key + "T12:00:00Z"));
    var text = p.weekday + " " + Number(p.day) + " " + p.month;
    return p.year === dayKey(now).slice(0, 4) ? text : text + " " + p.year;
  }
  // Day separators: one before the first message of each day (redrawn after messages are added).
  function redrawDays() {
    if (!list) { return; }
    var previous = null, kept = [];
    list.querySelectorAll("[data-message]").forEach(function (node) {
      var key = node.getAttribute("data-day") || dayKey(new Date(node.getAttribute("data-created")));
      if (key !== previous) {
        var before = node.previousElementSibling;
        if (before && before.getAttribute("data-chat-day") === key) {
          kept.push(before);  // the server's (or an earlier) separator, in its place
        } else {
          var day = el("li", "chat-day");
          day.setAttribute("data-chat-day", key);
          day.appendChild(el("h2", "chat-day__label", dayLabel(key)));
          list.insertBefore(day, node);
          kept.push(day);
        }
      }
      previous = key;
    });
    list.querySelectorAll(":scope > [data-chat-day]").forEach(function (day) {
      if (kept.indexOf(day) === -1) { day.remove(); }
    });
  }

  function renderReactions(box, messageId, reactions) {
    box.innerHTML = "";
    (reactions || []).forEach(function (r) {
      var button = el("button", "chat-reaction" + (r.users.indexOf(me) !== -1 ? " chat-reaction--mine" : ""));
      button.type = "button";
      button.setAttribute("data-emoji", r.emoji);
      button.setAttribute("data-react-message", messageId);
      button.setAttribute("aria-pressed", r.users.indexOf(me) !== -1 ? "true" : "false");
      button.title = r.names.join(", ");
      var emoji = el("span", "", r.emoji);
      emoji.setAttribute("aria-hidden", "true");
      button.appendChild(emoji);
      var offered = reactionsOffered.filter(function (o) { return o.emoji === r.emoji; })[0];
      button.appendChild(el("span", "visually-hidden", offered ? offered.label : r.emoji));
      button.appendChild(document.createTextNode(" " + r.count));
      button.appendChild(el("span", "visually-hidden", " — " + r.names.join(", ")));
      box.appendChild(button);
    });
  }

  // The server's answers for a message drawn here (see the top of this file).
  function answers(m) {
    var mine = m.author.id === me;
    return {
      edit: mine && canWrite && !!m.edit_until && Date.now() <= Date.parse(m.edit_until),
      remove: !m.deleted && (mine || canModerate)
    };
  }

  function render(m) {
    var li = el("li", "chat-message" + (m.deleted ? " chat-message--deleted" : "") + (m.author.id === me ? " chat-message--mine" : ""));
    var may = answers(m);
    li.id = "message-" + m.id;
    li.setAttribute("data-message", m.id);
    li.setAttribute("data-author", m.author.id);
    li.setAttribute("data-created", m.created_at);
    li.setAttribute("data-can-edit", may.edit ? "1" : "0");
    li.setAttribute("data-can-delete", may.remove ? "1" : "0");
    if (m.edit_until) { li.setAttribute("data-edit-until", m.edit_until); }
    li.setAttribute("data-day", dayKey(new Date(m.created_at)));
    var head = el("div", "chat-message__head");
    head.appendChild(el("strong", "chat-message__author", m.author.name));
    head.appendChild(document.createTextNode(" "));
    var time = el("time", "chat-message__time", formatClock(m.created_at));
    time.setAttribute("datetime", m.created_at);
    time.title = dayLabel(dayKey(new Date(m.created_at))) + ", " + formatClock(m.created_at);
    head.appendChild(time);
    if (m.edited && !m.deleted) {
      head.appendChild(document.createTextNode(" "));
      var edited = el("span", "chat-message__edited", t("edited"));
      edited.setAttribute("data-edited", "");
      head.appendChild(edited);
    }
    if (!m.deleted) { head.appendChild(actionsMenu(m, may)); }
    li.appendChild(head);
    if (m.reply_to) {
      var reply = el("p", "chat-reply muted small");
      var link = el("a", "", t("in-reply", m.reply_to.author));
      link.href = "#message-" + m.reply_to.id;
      reply.appendChild(link);
      if (!m.reply_to.deleted && m.reply_to.excerpt) { reply.appendChild(document.createTextNode(": " + m.reply_to.excerpt)); }
      li.appendChild(reply);
    }
    if (m.deleted) {
      var gone = el("p", "muted");
      gone.appendChild(el("em", "", t("deleted")));
      li.appendChild(gone);
      return li;
    }
    var body = el("div", "chat-message__body post-body");
    body.setAttribute("data-body", "");
    body.innerHTML = m.html;  // sanitised by the server (nh3) when the message was stored
    li.appendChild(body);
    if (m.attachments.length) {
      var files = el("ul", "list-plain chat-attachments");
      files.setAttribute("aria-label", t("files"));
      m.attachments.forEach(function (f) {
        var item = el("li");
        var a = el("a");
        a.href = f.url;
        if (f.is_image) {
          var img = el("img", "chat-image");
          img.src = f.url; img.alt = f.name; img.loading = "lazy";
          a.appendChild(img);
        } else {
          a.textContent = f.name;
          a.setAttribute("download", "");
        }
        item.appendChild(a);
        files.appendChild(item);
      });
      li.appendChild(files);
    }
    var reactions = el("div", "chat-reactions");
    reactions.setAttribute("data-reactions", "");
    renderReactions(reactions, m.id, m.reactions);
    li.appendChild(reactions);
    return li;
  }

  // The actions of a message drawn here: the same items as the server's (chat/includes/message.html).
  function actionsMenu(m, may) {
    var box = el("details", "chat-actions");
    box.setAttribute("data-actions", "");
    var summary = el("summary", "chat-actions__toggle");
    var dots = el("span", "", "\u22ef");
    dots.setAttribute("aria-hidden", "true");
    summary.appendChild(dots);
    summary.appendChild(el("span", "visually-hidden", t("actions")));
    box.appendChild(summary);
    var menu = el("ul", "list-plain chat-actions__menu");
    function item(text, href, attrs) {
      var li = el("li");
      var a = el("a", "", text);
      a.href = href;
      Object.keys(attrs || {}).forEach(function (name) { a.setAttribute(name, attrs[name]); });
      li.appendChild(a);
      menu.appendChild(li);
    }
    var roomUrl = window.location.pathname;
    if (canWrite) { item(t("reply"), "?repondre=" + m.id + "#ecrire", { "data-reply": m.id, "data-reply-name": m.author.name }); }
    item(t("copy-link"), roomUrl + "?autour=" + m.id + "#message-" + m.id, { "data-copy-link": "" });
    item(t("profile", m.author.name), m.author.url);
    if (may.edit) { item(t("edit"), "../../message/" + m.id + "/modifier/", { "data-edit": m.id }); }
    if (may.remove) { item(t("delete"), "../../message/" + m.id + "/supprimer/", { "data-delete": m.id }); }
    if (canWrite) {
      reactionsOffered.forEach(function (r) {
        var li = el("li", "chat-actions__react");
        var b = el("button", "chat-reaction", r.emoji);
        b.type = "button";
        b.setAttribute("aria-label", t("react-with", r.label));
        b.title = r.label;
        b.setAttribute("data-react", r.emoji);
        b.setAttribute("data-react-message", m.id);
        li.appendChild(b);
        menu.appendChild(li);
      });
    }
    box.appendChild(menu);
    return box;
  }

  function fixLinks(li) {
    // Relative links built by render() are resolved against the room's URL (/salon/<id>/).
    li.querySelectorAll("[data-edit], [data-delete]").forEach(function (a) {
      a.href = new URL(a.getAttribute("href"), window.location.href.split("?")[0].split("#")[0]).pathname;
    });
  }

  function place(m, replaceOnly) {
    if (!list || m.room !== openRoom) { return null; }
    var existing = document.getElementById("message-" + m.id);
    if (!existing && replaceOnly) { return null; }  // an edit of a message not on this page
    var node = render(m);
    fixLinks(node);
    if (existing) {
      var divider = existing.querySelector("[data-chat-divider]");
      if (divider) { node.insertBefore(divider, node.firstChild); }
      var wasOpen = existing.querySelector("[data-actions-menu] [aria-expanded=true]");
      existing.replaceWith(node);
      upgradeMenus(node);
      if (wasOpen) { node.querySelector("[data-actions-menu] button").focus(); }
      return node;
    }
    if (!latest) { return null; }  // an older page: the new message is on the latest one
    var empty = roomPage.querySelector("[data-chat-empty]");
    if (empty) { empty.remove(); }
    // In id order, whatever the order of arrival (several processes, uploads beside the socket).
    var next = null;
    list.querySelectorAll("[data-message]").forEach(function (other) {
      if (!next && Number(other.getAttribute("data-message")) > m.id) { next = other; }
    });
    list.insertBefore(node, next);
    upgradeMenus(node);
    redrawDays();
    if (m.id > lastId) { lastId = m.id; }
    return node;
  }

  var readTimer = null;
  function markRead() {
    if (!roomPage || !latest || document.visibilityState !== "visible") { return; }
    window.clearTimeout(readTimer);
    readTimer = window.setTimeout(function () {
      rt.send({ action: "chat.read", room: openRoom, up_to: lastId });
    }, 800);
  }

  function showDivider(beforeNode) {
    if (!list || list.querySelector("[data-chat-divider]")) { return; }
    var divider = el("p", "chat-divider");
    divider.id = "nouveaux";
    divider.setAttribute("data-chat-divider", "");
    divider.appendChild(el("span", "", t("new")));
    beforeNode.insertBefore(divider, beforeNode.firstChild);
  }

  // Typing: who is typing in the open room, each for TYPING_SHOWN ms after their last signal.
  var typists = {};
  function drawTyping() {
    if (!typingLine) { return; }
    var names = Object.keys(typists).map(function (id) { return typists[id].name; });
    typingLine.textContent = !names.length ? "" : (names.length === 1 ? t("typing-one", names[0]) : t("typing-many", names.join(", ")));
  }
  function stopTyping(userId) {
    if (typists[userId]) { window.clearTimeout(typists[userId].timer); delete typists[userId]; drawTyping(); }
  }
  rt.on("chat.typing", function (data) {
    if (data.room !== openRoom || data.user === me) { return; }
    stopTyping(data.user);
    if (!data.typing) { return; }
    typists[data.user] = { name: data.name, timer: window.setTimeout(function () { stopTyping(data.user); }, TYPING_SHOWN) };
    drawTyping();
  });

  rt.on("chat.message", function (m) {
    var mine = m.author.id === me;
    if (m.room !== openRoom || document.visibilityState !== "visible") {
      if (!mine) { setBadge(m.room, badgeCount(m.room) + 1); }
    }
    updatePreview(m);
    if (m.room !== openRoom) { return; }
    stopTyping(m.author.id);
    var wasNear = nearBottom();
    var node = place(m);
    if (!node) { return; }
    if (mine) {
      toBottom();
      return;
    }
    if (document.visibilityState !== "visible" || !wasNear) { showDivider(node); }
    say(announcement(m));
    if (wasNear) { toBottom(); }
    markRead();
  });
  rt.on("chat.message_updated", function (m) { if (document.getElementById("message-" + m.id)) { place(m); } });

  // "Thomas Vidal : Bonjour à tous" (the text of the message, as plain text, cut at 140).
  var ANNOUNCED_LENGTH = 140, PREVIEW_LENGTH = 80;
  function plainText(html) {
    var doc = new DOMParser().parseFromString(html || "", "text/html");  // inert: nothing loads
    return (doc.body.textContent || "").replace(/\s+/g, " ").trim();
  }
  function cut(text, length) {
    return text.length <= length ? text : text.slice(0, length - 1).replace(/\s+$/, "") + "\u2026";
  }
  function announcement(m) {
    var text = cut(plainText(m.html), ANNOUNCED_LENGTH);
    if (!text) { return t("new-from", m.author.name); }  // files only
    return t("said").replace("%(name)s", m.author.name).replace("%(text)s", text);
  }
  // The room list follows: the last message's preview and time, the room first in its list.
  function updatePreview(m) {
    document.querySelectorAll('[data-room-preview="' + m.room + '"]').forEach(function (preview) {
      var text = cut(plainText(m.html), PREVIEW_LENGTH) || "\u2026";
      var nav = preview.closest("[data-chat-rooms]");
      var who = m.author.id === me ? nav.getAttribute("data-you-said")
        : nav.getAttribute("data-author-said").replace("%(name)s", m.author.name);
      preview.textContent = who + " " + text;
      var item = preview.closest("li");
      var time = item && item.querySelector(".chat-room-item__time time");
      if (!time && item) {
        var top = item.querySelector(".chat-room-item__top");
        var box = el("span", "chat-room-item__time");
        time = el("time");
        box.appendChild(time);
        if (top) { top.appendChild(box); }
      }
      if (time) {
        time.setAttribute("datetime", m.created_at);
        time.setAttribute("data-relative", "");
        time.textContent = formatClock(m.created_at);
        if (window.Maillage.moment) { window.Maillage.moment.refresh(item); }
      }
      // First of its list (not while it holds the focus: moving it would lose it).
      if (item && item.parentNode && item.parentNode.firstElementChild !== item && !item.contains(document.activeElement)) {
        item.parentNode.insertBefore(item, item.parentNode.firstElementChild);
      }
    });
  }
  rt.on("chat.reactions", function (data) {
    var node = document.getElementById("message-" + data.message);
    var box = node && node.querySelector("[data-reactions]");
    if (box) { renderReactions(box, data.message, data.reactions); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && roomPage) {
      markRead();
      setBadge(openRoom, 0);
    }
  });

  // Presence in the side panel: people already listed change state; members arriving appear.
  var online = roomPage ? roomPage.parentNode.querySelector("[data-chat-online]") : null;
  if (online) { rt.subscribe("chatpresence.0"); }
  rt.on("chat.presence", function (data) {
    if (!online || data.user === me) { return; }
    var row = online.querySelector('[data-person="' + data.user + '"]');
    if (data.status === "offline") { if (row) { row.remove(); } return; }
    if (!row) {
      if (memberIds !== null && memberIds.indexOf(data.user) === -1) { return; }
      if (!data.name) { return; }
      row = el("li");
      row.setAttribute("data-person", data.user);
      var dot = el("span", "presence");
      dot.setAttribute("aria-hidden", "true");
      row.appendChild(dot);
      row.appendChild(document.createTextNode(" "));
      var link = el("a", "", data.name);
      link.href = data.url || "#";
      row.appendChild(link);
      row.appendChild(document.createTextNode(" "));
      var label = el("span", "muted small");
      label.setAttribute("data-presence-label", "");
      row.appendChild(label);
      online.appendChild(row);
      var empty = online.querySelector("[data-online-empty]");
      if (empty) { empty.remove(); }
    }
    row.querySelector(".presence").className = "presence presence--" + data.status;
    row.querySelector("[data-presence-label]").textContent = t(data.status);
  });

  // --- Sending -------------------------------------------------------------------------------
  var clientInput = composer ? composer.querySelector("input[name=client_id]") : null;
  var replyInput = composer ? composer.querySelector("input[name=reply_to]") : null;
  var replying = composer ? composer.querySelector("[data-chat-replying]") : null;
  var fileInput = composer ? composer.querySelector("input[type=file]") : null;

  function setStatus(text, isError) {
    if (!statusLine) { return; }
    statusLine.textContent = text || "";
    statusLine.setAttribute("role", isError ? "alert" : "status");
    statusLine.classList.toggle("field__error", !!isError);
  }
  function setReply(id, name) {
    if (!replyInput || !replying) { return; }
    replyInput.value = id || "";
    replying.innerHTML = "";
    replying.hidden = !id;
    if (!id) { return; }
    replying.appendChild(document.createTextNode(t("replying", name) + " "));
    var cancel = el("button", "link-button", t("cancel"));
    cancel.type = "button";
    cancel.addEventListener("click", function () { setReply(null); textarea.focus(); });
    replying.appendChild(cancel);
  }
  function sendPending() {
    if (!pending) { return false; }
    return rt.send({
      action: "chat.send", room: openRoom, body: pending.body, client_id: pending.client_id,
      reply_to: pending.reply_to, ref: pending.client_id
    });
  }
  var typingSentAt = 0;
  function typing(on) {
    if (!shareTyping || !canWrite) { return; }
    if (on && Date.now() - typingSentAt < TYPING_EVERY) { return; }
    typingSentAt = on ? Date.now() : 0;
    rt.send({ action: "chat.typing", room: openRoom, typing: on });
  }

  function connected() { return document.documentElement.dataset.realtime === "connected"; }
  function release() {  // the waiting message is given back to the person (the box is theirs again)
    pending = null;
    textarea.readOnly = false;
  }
  if (composer && textarea) {
    composer.addEventListener("submit", function (e) {
      if (pending) {
        if (connected()) { e.preventDefault(); return; }  // its confirmation is on its way
        release();  // the socket is gone: the form posts it, with the same client_id (stored once)
        return;
      }
      var hasFiles = fileInput && fileInput.files && fileInput.files.length;
      if (hasFiles) {
        e.preventDefault();
        setStatus(t("sending"));
        var form = new FormData(composer);
        fetch(composer.action, {
          method: "POST", body: form, credentials: "same-origin",
          headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
        }).then(function (r) { return r.json(); }).then(function (data) {
          if (data.error) { setStatus(data.error, true); return; }
          textarea.value = ""; fileInput.value = ""; setReply(null); setStatus("");
          clientInput.value = randomId();
        }).catch(function () { composer.submit(); });
        return;
      }
      if (!textarea.value.trim()) { e.preventDefault(); return; }
      pending = { client_id: clientInput.value, body: textarea.value, reply_to: replyInput && replyInput.value ? Number(replyInput.value) : null };
      if (!sendPending()) { pending = null; return; }  // not connected: the form posts
      textarea.readOnly = true;  // what is being sent stays what is in the box until it is stored
      e.preventDefault();
      setStatus(t("sending"));
      typing(false);
    });
    textarea.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || e.shiftKey || e.isComposing) { return; }
      if (window.Maillage.mentions && window.Maillage.mentions.isOpen(textarea)) { return; }
      e.preventDefault();
      if (composer.requestSubmit) { composer.requestSubmit(); } else { composer.dispatchEvent(new Event("submit", { cancelable: true })); }
    });
    textarea.addEventListener("input", function () { typing(!!textarea.value.trim()); });
    textarea.addEventListener("blur", function () { if (typingSentAt) { typing(false); } });
  }
  rt.on("chat.sent", function (data) {
    if (!pending || data.client_id !== pending.client_id) { return; }
    release();
    textarea.value = "";
    setReply(null);
    setStatus("");
    clientInput.value = randomId();
    textarea.focus();
  });
  rt.on("session.error", function (data) {
    if (pending && data.ref === pending.client_id) {
      release();
      setStatus(data.error, true);  // the text stays in the box
      if (data.reason !== "rate_limited") { clientInput.value = randomId(); }
      return;
    }
    if (data.action && data.action.indexOf("chat.") === 0 && data.action !== "chat.typing" && data.action !== "chat.presence") {
      setStatus(data.error, true);
    }
  });

  // Clicks: reply, edit in place, delete, react (forms of the no-JavaScript page included).
  if (roomPage) {
    roomPage.addEventListener("click", function (e) {
      var copy = e.target.closest("[data-copy-link]");
      if (copy && navigator.clipboard && window.isSecureContext) {
        e.preventDefault();
        var menuBox = copy.closest("[data-actions-menu]");
        navigator.clipboard.writeText(copy.href).then(function () {
          if (menuBox) { closeMenu(menuBox, true); }
          say(t("link-copied"));
        }, function () { window.location.href = copy.href; });
        return;
      }
      var target = e.target.closest("[data-reply], [data-edit], [data-delete], [data-react], [data-emoji]");
      if (!target) { return; }
      var holder = target.closest("[data-actions-menu]");
      if (holder) { closeMenu(holder, false); }
      if (!rt.isOpen()) {
        // A button drawn live has no form to fall back on: say so rather than do nothing.
        if (!target.closest("form") && !target.getAttribute("href")) { e.preventDefault(); setStatus(t("not-connected"), true); }
        return;
      }
      if (target.hasAttribute("data-reply")) {
        e.preventDefault();
        setReply(target.getAttribute("data-reply"), target.getAttribute("data-reply-name"));
        textarea.focus();
      } else if (target.hasAttribute("data-edit")) {
        e.preventDefault();
        editInPlace(Number(target.getAttribute("data-edit")));
      } else if (target.hasAttribute("data-delete")) {
        e.preventDefault();
        if (window.confirm(t("confirm-delete"))) {
          rt.send({ action: "chat.delete", message: Number(target.getAttribute("data-delete")) });
        }
      } else {
        e.preventDefault();
        var node = target.closest("[data-message]");
        var emoji = target.getAttribute("data-react") || target.getAttribute("data-emoji");
        rt.send({ action: "chat.react", message: Number(node.getAttribute("data-message")), emoji: emoji });
        var menu = target.closest("[data-actions-menu]");
        if (menu) { closeMenu(menu, true); }
      }
    });
  }

  function editInPlace(id) {
    var node = document.getElementById("message-" + id);
    var body = node && node.querySelector("[data-body]");
    if (!body || node.querySelector("[data-edit-form]")) { return; }
    fetch(roomPage.getAttribute("data-messages-url") + "?limit=1&after=" + (id - 1), { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (data) {
        var source = (data.messages || []).filter(function (m) { return m.id === id; })[0];
        if (!source) { return; }
        var form = el("form", "chat-edit");
        form.setAttribute("data-edit-form", "");
        var label = el("label", "visually-hidden", t("edit"));
        var area = el("textarea");
        area.id = "edit-" + id; label.htmlFor = area.id; area.rows = 3;
        area.value = source.body || "";
        var save = el("button", "button", t("save"));
        save.type = "submit";
        var cancel = el("button", "button button--secondary", t("cancel"));
        cancel.type = "button";
        form.appendChild(label); form.appendChild(area); form.appendChild(save); form.appendChild(cancel);
        body.hidden = true;
        body.parentNode.insertBefore(form, body.nextSibling);
        area.focus();
        cancel.addEventListener("click", function () { form.remove(); body.hidden = false; });
        form.addEventListener("submit", function (ev) {
          ev.preventDefault();
          if (area.value === (source.body || "")) { form.remove(); body.hidden = false; return; }  // nothing changed
          if (!rt.send({ action: "chat.edit", message: id, body: area.value })) { setStatus(t("not-connected"), true); }
        });
      });
  }

  // --- History: older pages, and catching up after a reconnection ------------------------------
  var older = roomPage ? roomPage.querySelector("[data-chat-older]") : null;
  var loadingOlder = false;
  function loadOlder() {
    if (!older || loadingOlder) { return; }
    var first = list.querySelector("[data-message]");
    if (!first) { return; }
    loadingOlder = true;
    older.textContent = t("loading");
    var before = first.getAttribute("data-message");
    fetch(roomPage.getAttribute("data-messages-url") + "?before=" + before, { credentials: "same-origin" })
      .then(function (r) { return r.json(); }).then(function (data) {
        var height = scroller.scrollHeight;
        var fragment = document.createDocumentFragment();
        data.messages.forEach(function (m) {
          if (!document.getElementById("message-" + m.id)) { var n = render(m); fixLinks(n); fragment.appendChild(n); }
        });
        list.insertBefore(fragment, list.firstChild);
        upgradeMenus(list);
        redrawDays();
        scroller.scrollTop += scroller.scrollHeight - height;  // the message read stays in its place
        if (data.has_more && data.messages.length) {
          older.href = "?avant=" + data.messages[0].id;
          older.textContent = older.getAttribute("data-label");
        } else {
          older.parentNode.remove();
          older = null;
        }
        loadingOlder = false;
      }).catch(function () { loadingOlder = false; });
  }
  if (older) {
    older.setAttribute("data-label", older.textContent);
    older.addEventListener("click", function (e) { e.preventDefault(); loadOlder(); });
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; }) && older) { loadOlder(); }
      }).observe(older);
    }
  }

  rt.on("chat.history", function (data) {
    if (data.room !== openRoom) { return; }
    data.messages.forEach(place);
    data.changed.forEach(function (m) { place(m, true); });
    if (data.has_more && data.messages.length) {
      rt.send({ action: "chat.catch_up", room: openRoom, after: lastId });
    } else {
      markRead();
    }
  });
  document.addEventListener("maillage:session.ready", function () {
    connections += 1;
    // Even on the first connection: what was sent between the page and the subscription.
    if (connections > 1) { refreshBadges(); }
    if (roomPage && latest) {
      var request = { action: "chat.catch_up", room: openRoom, after: lastId };
      if (disconnectedAt) { request.since = disconnectedAt; }
      rt.send(request);
    }
    if (pending) { sendPending(); }  // the same client_id: stored once whatever happened
  });
  var observer = new MutationObserver(function () {
    var state = document.documentElement.dataset.realtime;
    // A margin before the drop was noticed: edits made just before it are asked for too.
    if (state === "disconnected" && !disconnectedAt) { disconnectedAt = new Date(Date.now() - 60000).toISOString(); }
    if (state === "connected") { window.setTimeout(function () { disconnectedAt = null; }, 5000); }
    if (composer) { composer.classList.toggle("chat-composer--offline", state !== "connected"); }
    if (state === "stopped" && pending) { release(); setStatus(t("offline"), true); }
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-realtime"] });

  // --- Message actions: one menu button per message ------------------------------------------
  // The server draws a <details> (one tab stop without JavaScript); here it becomes a menu
  // button (aria-haspopup="menu", aria-expanded) whose menu is walked with the arrow keys,
  // Home and End, and closed by Escape (the focus goes back to the button) or Tab.
  function upgradeMenus(root) {
    if (!root) { return; }
    root.querySelectorAll("details[data-actions]").forEach(function (details) {
      var summary = details.querySelector("summary");
      var menu = details.querySelector(".chat-actions__menu");
      var message = details.closest("[data-message]");
      var id = message ? message.getAttribute("data-message") : String(Math.random()).slice(2);
      var box = el("div", "chat-actions");
      box.setAttribute("data-actions-menu", "");
      var button = el("button", "chat-actions__toggle");
      button.type = "button";
      while (summary.firstChild) { button.appendChild(summary.firstChild); }
      button.id = "actions-" + id;
      menu.id = "actions-menu-" + id;
      button.setAttribute("aria-haspopup", "menu");
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", menu.id);
      menu.setAttribute("role", "menu");
      menu.setAttribute("aria-labelledby", button.id);
      menu.hidden = true;
      menu.querySelectorAll(":scope > li").forEach(function (li) {
        li.setAttribute("role", "none");
        var form = li.querySelector("form");
        if (form) { form.setAttribute("role", "none"); }
        var item = li.querySelector("a, button");
        if (item) { item.setAttribute("role", "menuitem"); item.tabIndex = -1; }
      });
      box.appendChild(button);
      box.appendChild(menu);
      details.replaceWith(box);
    });
  }
  // Fixed to the window (the pane's scrolling would clip it): below the button, or above it
  // when the window has no room below.
  function placeMenu(box) {
    var button = box.querySelector(".chat-actions__toggle");
    var menu = box.querySelector("[role=menu]");
    if (!menu || menu.hidden) { return; }
    var rect = button.getBoundingClientRect();
    menu.classList.add("chat-actions__menu--fixed");
    menu.style.right = Math.max(4, document.documentElement.clientWidth - rect.right) + "px";
    menu.style.top = (rect.bottom + 4) + "px";
    menu.style.bottom = "auto";
    if (rect.bottom + 4 + menu.offsetHeight > window.innerHeight && rect.top - 4 - menu.offsetHeight >= 0) {
      menu.style.top = "auto";
      menu.style.bottom = (window.innerHeight - rect.top + 4) + "px";
    }
  }
  function placeOpenMenus() {
    document.querySelectorAll("[data-actions-menu] [aria-expanded=true]").forEach(function (open) { placeMenu(open.parentNode); });
  }
  window.addEventListener("scroll", placeOpenMenus, { passive: true, capture: true });
  window.addEventListener("resize", placeOpenMenus);
  function menuItems(box) {
    return Array.prototype.slice.call(box.querySelectorAll("[role=menuitem]"));
  }
  function closeMenu(box, refocus) {
    var button = box.querySelector(".chat-actions__toggle");
    var menu = box.querySelector("[role=menu]");
    if (!menu || menu.hidden) { return; }
    menu.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (refocus && box.contains(document.activeElement)) { button.focus(); }
  }
  function openMenu(box, which) {
    document.querySelectorAll("[data-actions-menu] [aria-expanded=true]").forEach(function (other) {
      if (!box.contains(other)) { closeMenu(other.parentNode, false); }
    });
    var button = box.querySelector(".chat-actions__toggle");
    var menu = box.querySelector("[role=menu]");
    menu.hidden = false;
    button.setAttribute("aria-expanded", "true");
    placeMenu(box);
    var items = menuItems(box);
    var target = which === "last" ? items[items.length - 1] : items[0];
    if (target) { target.focus(); }
  }
  document.addEventListener("click", function (e) {
    var toggle = e.target.closest(".chat-actions__toggle");
    if (toggle && toggle.closest("[data-actions-menu]")) {
      var box = toggle.closest("[data-actions-menu]");
      if (toggle.getAttribute("aria-expanded") === "true") { closeMenu(box, true); } else { openMenu(box, "first"); }
      return;
    }
    document.querySelectorAll("[data-actions-menu] [aria-expanded=true]").forEach(function (open) {
      if (!open.parentNode.contains(e.target)) { closeMenu(open.parentNode, false); }
    });
  });
  document.addEventListener("keydown", function (e) {
    var box = e.target.closest && e.target.closest("[data-actions-menu]");
    if (!box) { return; }
    if (e.target.classList.contains("chat-actions__toggle")) {
      if (e.key === "ArrowDown") { e.preventDefault(); openMenu(box, "first"); }
      else if (e.key === "ArrowUp") { e.preventDefault(); openMenu(box, "last"); }
      else if (e.key === "Escape") { closeMenu(box, true); }
      return;
    }
    var items = menuItems(box);
    var index = items.indexOf(e.target);
    if (index === -1) { return; }
    var next = null;
    if (e.key === "ArrowDown" || e.key === "ArrowRight") { next = items[(index + 1) % items.length]; }
    else if (e.key === "ArrowUp" || e.key === "ArrowLeft") { next = items[(index - 1 + items.length) % items.length]; }
    else if (e.key === "Home") { next = items[0]; }
    else if (e.key === "End") { next = items[items.length - 1]; }
    else if (e.key === "Escape") { e.preventDefault(); closeMenu(box, true); return; }
    else if (e.key === "Tab") { closeMenu(box, false); return; }
    else if (e.key === " " && e.target.tagName === "A") { e.preventDefault(); e.target.click(); return; }
    if (next) { e.preventDefault(); next.focus(); }
  });
  document.addEventListener("focusout", function (e) {
    var box = e.target.closest && e.target.closest("[data-actions-menu]");
    if (box && e.relatedTarget && !box.contains(e.relatedTarget)) { closeMenu(box, false); }
  });

  // --- The pane's height, and the room list as a drawer on small screens -----------------------
  var layout = document.querySelector("[data-chat-layout]");
  function fitPane() {
    if (!layout || !roomPage) { return; }
    // Where the room starts on the page: the pane then ends at the bottom of the window.
    var top = roomPage.getBoundingClientRect().top + window.scrollY;
    layout.style.setProperty("--chat-top", Math.round(top) + "px");
  }
  if (layout) {
    window.addEventListener("resize", fitPane);
    layout.classList.add("chat-layout--js");
    var drawer = layout.querySelector(".chat-rooms");
    var link = layout.querySelector("[data-chat-drawer-toggle]");
    if (drawer && link) {
      var opener = el("button", link.className, link.textContent);
      opener.type = "button";
      opener.setAttribute("aria-expanded", "false");
      opener.setAttribute("aria-controls", drawer.id);
      link.replaceWith(opener);
      var closer = el("button", "button button--secondary button--small chat-drawer-close", t("rooms-close"));
      closer.type = "button";
      drawer.insertBefore(closer, drawer.firstChild);
      var openDrawer = function () {
        drawer.classList.add("chat-rooms--open");
        opener.setAttribute("aria-expanded", "true");
        var current = drawer.querySelector("[aria-current=page]") || drawer.querySelector("a");
        (current || closer).focus();
      };
      var closeDrawer = function (refocus) {
        if (!drawer.classList.contains("chat-rooms--open")) { return; }
        drawer.classList.remove("chat-rooms--open");
        opener.setAttribute("aria-expanded", "false");
        if (refocus) { opener.focus(); }
      };
      opener.addEventListener("click", function () {
        if (opener.getAttribute("aria-expanded") === "true") { closeDrawer(true); } else { openDrawer(); }
      });
      closer.addEventListener("click", function () { closeDrawer(true); });
      drawer.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); closeDrawer(true); } });
      drawer.addEventListener("focusout", function (e) {
        if (e.relatedTarget && !drawer.contains(e.relatedTarget) && e.relatedTarget !== opener) { closeDrawer(false); }
      });
      document.addEventListener("click", function (e) {
        if (!drawer.contains(e.target) && e.target !== opener && !opener.contains(e.target)) { closeDrawer(false); }
      });
    }
  }

  // Presence of the other member of each direct conversation in the room list.
  var presenceDots = document.querySelectorAll("[data-presence-user]");
  var presenceWords = {
    online: lists.length ? lists[0].getAttribute("data-status-online") : "online",
    away: lists.length ? lists[0].getAttribute("data-status-away") : "away",
    offline: lists.length ? lists[0].getAttribute("data-status-offline") : "offline"
  };
  if (presenceDots.length && !online) { rt.subscribe("chatpresence.0"); }
  rt.on("chat.presence", function (data) {
    document.querySelectorAll('[data-presence-user="' + data.user + '"]').forEach(function (dot) {
      dot.className = "presence presence--" + data.status;
    });
    document.querySelectorAll('[data-presence-text="' + data.user + '"]').forEach(function (label) {
      label.textContent = " (" + (presenceWords[data.status] || data.status) + ")";
    });
  });

  // --- Opening the room ------------------------------------------------------------------------
  upgradeMenus(document);
  fitPane();
  if (roomPage) {
    var hashTarget = window.location.hash && document.getElementById(window.location.hash.slice(1));
    var divider = list && list.querySelector("[data-chat-divider]");
    if (hashTarget && scroller && scroller.contains(hashTarget)) {
      reveal(hashTarget.closest("[data-message]") || hashTarget, true);
    } else if (divider) {
      reveal(divider.closest("[data-message]") || divider, true);  // the first unread message
    } else if (latest) {
      toBottom();
    }
    // The composer takes the focus when the room opens (once: never later, never from where
    // someone already moved it); a link to a message or to the form keeps its target.
    var focusedElsewhere = document.activeElement && document.activeElement !== document.body;
    // Small screens: the pane fills the window; it is brought to its top (again once the page
    // has loaded, since what is above it may still change height, unless the person has moved).
    var narrow = window.matchMedia && window.matchMedia("(max-width: 63.99rem)").matches;
    var paneToTop = function () { window.scrollTo(0, roomPage.getBoundingClientRect().top + window.scrollY - 4); };
    if (narrow && !focusedElsewhere) {
      paneToTop();
      var placedAt = window.scrollY;
      window.addEventListener("load", function () {
        if (window.scrollY === placedAt && (!document.activeElement || document.activeElement === textarea || document.activeElement === document.body)) {
          paneToTop();
        }
      }, { once: true });
    }
    if (textarea && !focusedElsewhere && (!hashTarget || window.location.hash === "#ecrire")) {
      textarea.focus({ preventScroll: true });
      var rect = composer.getBoundingClientRect();
      if (rect.bottom > window.innerHeight || rect.top < 0) { composer.scrollIntoView({ block: "end" }); }
    }
  }
})();
