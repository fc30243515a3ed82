/* Files: the upload form sends each file in its own request, with a progress bar per file,
 * and takes files dropped on it. Files over the size limit or the space left are refused
 * before anything is sent. Everything here is an enhancement: without JavaScript the form
 * posts all the files at once and the page comes back with a message.
 * The page gives the limits (data-max-size, data-remaining, in bytes) and the French texts
 * (data-msg-*, with {name}, {size}, {error}, {count} to fill). */
(function () {
  "use strict";
  var FLASH_KEY = "maillage.files.flash";

  function fill(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : all;
    });
  }

  function say(region, text) {
    if (!region || !text) { return; }
    // Emptied first so that the same sentence twice is announced twice.
    region.textContent = "";
    window.requestAnimationFrame(function () { region.textContent = text; });
  }

  // The summary of the last upload, shown once after the reload that lists the new files.
  function showFlash(form) {
    var text = null;
    try { text = window.sessionStorage.getItem(FLASH_KEY); window.sessionStorage.removeItem(FLASH_KEY); } catch (e) { /* private mode */ }
    if (!text) { return; }
    var box = document.createElement("p");
    box.className = "message message--success";
    box.setAttribute("role", "status");
    box.textContent = text;
    var main = document.getElementById("main");
    if (main) { main.insertBefore(box, main.firstChild); }
    say(form.querySelector("[data-files-live]"), text);
  }

  function setup(form) {
    var input = form.querySelector("input[type=file]");
    var list = form.querySelector("[data-files-progress]");
    var live = form.querySelector("[data-files-live]");
    var drop = form.querySelector("[data-files-drop]");
    var hint = form.querySelector("[data-files-drop-hint]");
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    var maxSize = parseInt(form.getAttribute("data-max-size"), 10) || 0;
    var remaining = parseInt(form.getAttribute("data-remaining"), 10) || 0;
    var msg = function (key) { return form.getAttribute("data-msg-" + key) || ""; };
    var busy = false;

    if (!input || !list || !window.FormData || !window.XMLHttpRequest) { return; }
    if (hint) { hint.hidden = false; }
    showFlash(form);

    function row(file) {
      var item = document.createElement("li");
      item.className = "files-progress__item";
      var name = document.createElement("span");
      name.className = "files-progress__name";
      name.textContent = file.name;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", file.name);
      var state = document.createElement("span");
      state.className = "files-progress__state";
      state.textContent = msg("waiting");
      item.appendChild(name);
      item.appendChild(bar);
      item.appendChild(state);
      list.appendChild(item);
      return { item: item, bar: bar, state: state };
    }

    function fail(view, text) {
      view.item.classList.add("files-progress__item--error");
      // A refused file has no progress to show: its bar would be read as "0 %".
      if (view.bar.parentNode) { view.bar.parentNode.removeChild(view.bar); }
      view.state.textContent = text;
      say(live, text);
    }

    function send(file, view) {
      return new Promise(function (resolve) {
        var data = new FormData();
        if (token) { data.append("csrfmiddlewaretoken", token.value); }
        data.append("files", file, file.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", form.action);
        xhr.setRequestHeader("Accept", "application/json");
        xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        if (token) { xhr.setRequestHeader("X-CSRFToken", token.value); }
        view.state.textContent = msg("sending");
        xhr.upload.addEventListener("progress", function (event) {
          if (!event.lengthComputable) { return; }
          var percent = Math.round(event.loaded * 100 / event.total);
          view.bar.value = percent;
          view.state.textContent = percent + "\u00a0%";
        });
        xhr.addEventListener("load", function () {
          var answer = null;
          try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
          if (xhr.status >= 200 && xhr.status < 300 && answer && answer.ok) {
            view.bar.value = 100;
            view.item.classList.add("files-progress__item--done");
            view.state.textContent = fill(msg("done"), { name: file.name });
            say(live, view.state.textContent);
            resolve(true);
            return;
          }
          var error = answer && answer.errors ? answer.errors.join(" ") : msg("failed");
          fail(view, fill(msg("error"), { name: file.name, error: error }));
          resolve(false);
        });
        xhr.addEventListener("error", function () {
          fail(view, fill(msg("error"), { name: file.name, error: msg("failed") }));
          resolve(false);
        });
        xhr.send(data);
      });
    }

    function upload(files) {
      if (busy || !files.length) { return; }
      busy = true;
      list.hidden = false;
      list.textContent = "";
      var left = remaining;
      var queue = [];
      Array.prototype.forEach.call(files, function (file) {
        var view = row(file);
        if (maxSize && file.size > maxSize) {
          fail(view, fill(msg("too-big"), { name: file.name, size: form.getAttribute("data-max-size-text") }));
        } else if (file.size > left) {
          fail(view, fill(msg("no-room"), { name: file.name, size: form.getAttribute("data-remaining-text") }));
        } else {
          left -= file.size;
          queue.push({ file: file, view: view });
        }
      });
      var done = 0;
      var failed = queue.length !== files.length;
      // One file after the other: each answer is known before the next one uses the quota.
      queue.reduce(function (previous, job) {
        return previous.then(function () {
          return send(job.file, job.view).then(function (ok) {
            if (ok) { done += 1; } else { failed = true; }
          });
        });
      }, Promise.resolve()).then(function () {
        busy = false;
        input.value = "";
        if (!done) { return; }
        var summary = done === 1 ? msg("one") : fill(msg("many"), { count: done });
        if (failed) {
          // Keep the refusals on screen; the new files are listed after a reload.
          say(live, summary);
          var again = document.createElement("li");
          var link = document.createElement("a");
          link.href = window.location.href;
          link.textContent = summary;
          again.appendChild(link);
          list.appendChild(again);
          return;
        }
        try { window.sessionStorage.setItem(FLASH_KEY, summary); } catch (e) { /* private mode */ }
        window.location.reload();
      });
    }

    form.addEventListener("submit", function (event) {
      if (!input.files || !input.files.length) { return; } // the server says "choose a file"
      event.preventDefault();
      upload(input.files);
    });

    if (drop) {
      ["dragenter", "dragover"].forEach(function (type) {
        drop.addEventListener(type, function (event) {
          event.preventDefault();
          drop.classList.add("files-drop--over");
        });
      });
      ["dragleave", "drop"].forEach(function (type) {
        drop.addEventListener(type, function () { drop.classList.remove("files-drop--over"); });
      });
      drop.addEventListener("drop", function (event) {
        event.preventDefault();
        if (event.dataTransfer && event.dataTransfer.files) { upload(event.dataTransfer.files); }
      });
    }
  }

  document.querySelectorAll("form[data-files-upload]").forEach(setup);
})();
