// The hand-over page: a label scanned (a USB or phone scanner types the item's URL or its
// inventory number, then Enter) ticks that item's "here" box and says so in a live region.
// Without JavaScript the scan box stays hidden and each box is ticked by hand.
(function () {
  "use strict";
  var box = document.querySelector("[data-scan]");
  var form = document.querySelector("[data-scan-form]");
  if (!box || !form) {
    return;
  }
  var input = box.querySelector("[data-scan-input]");
  var status = box.querySelector("[data-scan-status]");
  var items = Array.prototype.slice.call(form.querySelectorAll("[data-scan-item]"));

  function path(text) {
    try {
      return new URL(text, window.location.origin).pathname;
    } catch (error) {
      return "";
    }
  }

  function find(text) {
    var wanted = text.trim();
    if (!wanted) {
      return null;
    }
    var upper = wanted.toUpperCase();
    var byPath = /\//.test(wanted) ? path(wanted) : "";
    if (byPath && byPath.charAt(byPath.length - 1) !== "/") {
      byPath += "/";
    }
    for (var i = 0; i < items.length; i += 1) {
      var item = items[i];
      if ((byPath && byPath === item.getAttribute("data-item-url"))
          || upper === (item.getAttribute("data-inventory") || "").toUpperCase()) {
        return item;
      }
    }
    return null;
  }

  function say(template, name) {
    status.textContent = "";
    // A new text each time, so that the same message is announced again.
    window.requestAnimationFrame(function () {
      status.textContent = (template || "").replace("{name}", name || "");
    });
  }

  function scan() {
    var item = find(input.value);
    input.value = "";
    if (!item) {
      say(box.getAttribute("data-msg-unknown"), "");
      return;
    }
    var present = item.querySelector("input[type=checkbox][name^='present_']");
    var name = item.getAttribute("data-name");
    if (!present) {
      say(box.getAttribute("data-msg-unknown"), "");
      return;
    }
    if (present.checked) {
      say(box.getAttribute("data-msg-already"), name);
    } else {
      present.checked = true;
      present.dispatchEvent(new Event("change", {bubbles: true}));
      say(box.getAttribute("data-msg-checked"), name);
    }
    items.forEach(function (other) {
      other.classList.toggle("hand-item--scanned", other === item);
    });
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      // The scanner's Enter must not send the form half ticked.
      event.preventDefault();
      scan();
    }
  });
  box.hidden = false;
})();
