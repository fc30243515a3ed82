/* The agenda, enhanced (everything works without it):
   - month grid: the arrow keys move between the days' links (left / right: a day,
     up / down: a week; Home / End: the week's first / last day); Tab keeps its order
     through every day and item;
   - calendars page: ticking "Shown in My calendar" saves at once (the button stays for
     keyboards and without JavaScript). */
(function () {
  "use strict";

  function dayLinks(grid) {
    return Array.prototype.slice.call(grid.querySelectorAll("a[data-cal-day]"));
  }

  function visible(link) {
    return link.offsetParent !== null;
  }

  function setUpGrid(grid) {
    grid.addEventListener("keydown", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-cal-day]") : null;
      if (!link || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
        return;
      }
      var links = dayLinks(grid);
      var index = links.indexOf(link);
      if (index < 0) {
        return;
      }
      var target = null;
      switch (event.key) {
        case "ArrowLeft": target = index - 1; break;
        case "ArrowRight": target = index + 1; break;
        case "ArrowUp": target = index - 7; break;
        case "ArrowDown": target = index + 7; break;
        case "Home": target = index - (index % 7); break;
        case "End": target = index - (index % 7) + 6; break;
        default: return;
      }
      if (target < 0 || target >= links.length || !visible(links[target])) {
        return;
      }
      event.preventDefault();
      links[target].focus();
    });
  }

  function setUpAutosubmit(form) {
    var box = form.querySelector('input[type="checkbox"]');
    if (!box) {
      return;
    }
    box.addEventListener("change", function () {
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-cal-grid]"), setUpGrid);
    Array.prototype.forEach.call(document.querySelectorAll("form[data-cal-autosubmit]"), setUpAutosubmit);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
