// Keeps the relative times rendered by {% moment %} current ("à l'instant" becomes
// "il y a 2 minutes") on pages left open, and formats those added later
// (Maillage.moment.refresh(root)). Past six hours the server's text stays.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "fr";
  var rtf = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
  var justNow = lang.indexOf("fr") === 0 ? "à l\u2019instant" : "just now";

  function text(date, now) {
    var seconds = (now - date) / 1000;
    if (seconds > -60 && seconds < 60) return justNow;
    if (seconds > 0 && seconds < 3600) return rtf.format(-Math.floor(seconds / 60), "minute");
    if (seconds > 0 && seconds < 6 * 3600) return rtf.format(-Math.floor(seconds / 3600), "hour");
    return null;
  }

  function refresh(root) {
    if (!rtf) return;
    var now = Date.now();
    (root || document).querySelectorAll("time[data-relative]").forEach(function (node) {
      var date = Date.parse(node.getAttribute("datetime"));
      if (isNaN(date)) return;
      var value = text(date, now);
      if (value !== null && node.textContent !== value) node.textContent = value;
    });
  }

  window.Maillage = window.Maillage || {};
  window.Maillage.moment = { refresh: refresh };
  window.setInterval(refresh, 60000);
})();
