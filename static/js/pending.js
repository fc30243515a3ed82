/* The "waiting for approval" page notices its approval without a reload.
 *
 * A pending member has no websocket (the desk's socket is for approved members), so this
 * asks the page's own URL for JSON every `data-interval` seconds (and when the tab comes
 * back into view), and when the status is no longer "pending", says so in the page's
 * live region with a link (to the desk once approved), then stops.
 */
(function () {
  "use strict";

  var region = document.getElementById("membership-status");
  if (!region || !window.fetch) {
    return;
  }
  var url = region.getAttribute("data-status-url");
  var seconds = parseInt(region.getAttribute("data-interval"), 10) || 20;
  var timer = null;
  var done = false;
  var busy = false;
  var checks = 0; // answered checks, in data-checks (what a test waits for)

  function show(data) {
    done = true;
    window.clearInterval(timer);
    region.textContent = "";
    region.classList.add("pending-page__status--" + data.status);
    var text = document.createElement("p");
    text.className = "pending-page__message";
    text.textContent = data.message;
    region.appendChild(text);
    if (data.url) {
      var link = document.createElement("a");
      link.className = data.status === "approved" ? "button" : "";
      link.href = data.url;
      link.textContent = data.link_text;
      var line = document.createElement("p");
      line.appendChild(link);
      region.appendChild(line);
    }
  }

  function check() {
    if (done || busy) {
      return;
    }
    busy = true;
    window.fetch(url, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual"
    }).then(function (response) {
      if (!response.ok) {
        return null; // logged out (a redirect to the login page), or a server error: try later
      }
      return response.json();
    }).then(function (data) {
      if (data && data.status && data.status !== "pending") {
        show(data);
      }
    }).catch(function () {
      /* offline for a moment: the next tick tries again */
    }).then(function () {
      busy = false;
      checks += 1;
      region.setAttribute("data-checks", String(checks));
    });
  }

  timer = window.setInterval(check, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      check();
    }
  });
})();
