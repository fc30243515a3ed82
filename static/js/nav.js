/* Maillage navigation on small screens: the header's "Menu" and the desk's "Menu du bureau".
 *
 * Each button [data-nav-toggle="name"] opens and closes the parts [data-nav-panel="name"]
 * (the header has two: the account links and the public sections with the search).
 * The class "js-nav" on <html> lets the CSS fold the parts below 48rem; without this
 * script, the buttons stay hidden and the navigation open. Escape closes an open menu and
 * gives the focus back to its button. From 48rem up the buttons are hidden and the parts
 * always shown (the CSS), whatever their state here.
 *
 * Also, on realtime.js's events: words the notifications link's accessible name with the
 * right plural ("Notifications, 1 non lue" / "3 non lues" / nothing at 0; realtime.js knows
 * one template only), and updates the unread count the "Menu" button shows to the eyes
 * ([data-menu-unread], aria-hidden: the link inside the menu says it).
 */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js-nav");

  function panelsOf(name) {
    return Array.prototype.slice.call(document.querySelectorAll('[data-nav-panel="' + name + '"]'));
  }

  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panelsOf(button.dataset.navToggle).forEach(function (panel) {
      panel.classList.toggle("is-open", open);
    });
  }

  var buttons = Array.prototype.slice.call(document.querySelectorAll("[data-nav-toggle]"));
  buttons.forEach(function (button) {
    var panels = panelsOf(button.dataset.navToggle);
    if (!panels.length) {
      button.remove();
      return;
    }
    button.setAttribute("aria-controls", panels.map(function (panel) { return panel.id; }).join(" "));
    setOpen(button, false);
    button.addEventListener("click", function () {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") { return; }
    buttons.forEach(function (button) {
      if (button.getAttribute("aria-expanded") !== "true" || !button.isConnected) { return; }
      var inside = button === document.activeElement || panelsOf(button.dataset.navToggle).some(function (panel) {
        return panel.contains(document.activeElement);
      });
      // Escape elsewhere on the page (a dialog, a form) is not the menu's.
      if (!inside) { return; }
      setOpen(button, false);
      button.focus();
      event.preventDefault();
    });
  });

  function wordUnread(event) {
    var data = (event.detail && event.detail.data) || {};
    if (typeof data.unread !== "number") { return; }
    var count = data.unread;
    document.querySelectorAll("[data-unread-label]").forEach(function (label) {
      var template = count === 0 ? label.dataset.templateZero
        : count === 1 ? label.dataset.templateOne : label.dataset.template;
      if (typeof template === "string") { label.textContent = template.replace("%s", String(count)); }
    });
    document.querySelectorAll("[data-menu-unread]").forEach(function (badge) {
      badge.textContent = String(count);
      badge.hidden = !count;
    });
  }
  ["notification.new", "notification.read", "session.ready"].forEach(function (type) {
    document.addEventListener("maillage:" + type, wordUnread);
  });
})();
