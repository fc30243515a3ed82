/* Workgroup page: when the managers accept my request (or I join from another tab), the
 * group's content appears without a reload. Without JavaScript, reloading shows it. */
(function () {
  "use strict";
  var page = document.querySelector("[data-workgroup-url]");
  if (!page || !window.Maillage || !window.Maillage.realtime) { return; }
  var url = page.getAttribute("data-workgroup-url");

  function refresh() {
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-workgroup-url]");
        if (!fresh) { return; }
        var hadFocus = page.contains(document.activeElement);
        page.replaceWith(fresh);
        page = fresh;
        // Keep the keyboard user in the page: the element they were on is gone.
        if (hadFocus) { fresh.querySelector("#group-title").focus(); }
        if (fresh.hasAttribute("data-member")) {
          window.Maillage.realtime.announce(fresh.getAttribute("data-joined-text"));
        }
      });
  }

  // Handlers receive the event's data; a notification about this group (request accepted,
  // for instance) while I am waiting to get in: fetch the page again.
  window.Maillage.realtime.on("notification.new", function (data) {
    if (data && data.url === url && page.hasAttribute("data-awaiting")) { refresh(); }
  });
})();
