/* @mention autocomplete for the Markdown editors (forum posts, chat messages).
 * Any form with data-mentions-url gets it on its textarea[name=body]: typing "@Lé" (or
 * "@Léa F", up to three words) asks the URL (?q=Lé) for members and offers them in a
 * listbox (arrows, Enter or Tab to choose, Escape to close). The choice is written as the
 * writer reads it, "@Léa Fournier", when the form has data-mentions-plain (its server turns
 * "@Full Name" into the stored "@**Name|id**": core.markdown.canonical_mentions), and for
 * a member the server marks `ambiguous` (two members of that name) or a form without
 * data-mentions-plain, "@**Name|id**". Without JavaScript, mentions are typed by hand.
 * Maillage.mentions.isOpen(textarea) tells a form's own key handling (Enter sends, in the
 * chat) that the list has the keyboard. */
(function () {
  "use strict";
  var open = new WeakSet();

  function attach(form) {
    var textarea = form.querySelector("textarea[name=body]");
    var url = form.getAttribute("data-mentions-url");
    if (!textarea || !url || textarea.dataset.mentionsReady) { return; }
    textarea.dataset.mentionsReady = "1";
    var list = document.createElement("ul");
    list.className = "mentions-list list-plain";
    list.id = "mentions-" + Math.random().toString(36).slice(2);
    list.setAttribute("role", "listbox");
    list.hidden = true;
    textarea.setAttribute("aria-controls", list.id);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.parentNode.insertBefore(list, textarea.nextSibling);
    var active = -1, timer = null;
    function close() {
      list.hidden = true; list.innerHTML = ""; active = -1; open.delete(textarea);
      textarea.removeAttribute("aria-activedescendant");
    }
    function wordBefore() {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var m = before.match(/(^|\s)@([^\s@*]{1,30}(?: [^\s@*]{0,30}){0,2})$/);
      return m && m[2].trim() ? m[2] : null;
    }
    function choose(li) {
      var name = li.getAttribute("data-name"), id = li.getAttribute("data-id");
      var pos = textarea.selectionStart;
      var query = wordBefore();
      var plain = form.hasAttribute("data-mentions-plain") && li.getAttribute("data-ambiguous") !== "1";
      var token = plain ? "@" + name + " " : "@**" + name + "|" + id + "** ";
      var head = textarea.value.slice(0, pos);
      var before = query === null ? head : head.slice(0, head.length - query.length - 1) + token;
      textarea.value = before + textarea.value.slice(pos);
      textarea.selectionStart = textarea.selectionEnd = before.length;
      close();
      textarea.focus();
    }
    function highlight(i) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
      active = i;
      if (items[i]) { textarea.setAttribute("aria-activedescendant", items[i].id); }
    }
    textarea.addEventListener("input", function () {
      var q = wordBefore();
      window.clearTimeout(timer);
      if (!q) { close(); return; }
      timer = window.setTimeout(function () {
        fetch(url + "?q=" + encodeURIComponent(q.trim()), { credentials: "same-origin" })
          .then(function (r) { return r.json(); }).then(function (data) {
            list.innerHTML = "";
            (data.results || []).forEach(function (person, k) {
              var li = document.createElement("li");
              li.id = list.id + "-" + k;
              li.setAttribute("role", "option");
              li.setAttribute("data-name", person.display_name);
              li.setAttribute("data-id", person.pk);
              if (person.ambiguous) { li.setAttribute("data-ambiguous", "1"); }
              li.textContent = person.display_name;
              li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(li); });
              list.appendChild(li);
            });
            list.hidden = !list.children.length;
            if (list.children.length) { open.add(textarea); highlight(0); } else { open.delete(textarea); }
          });
      }, 150);
    });
    textarea.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      var items = list.querySelectorAll("li");
      if (e.key === "ArrowDown") { e.preventDefault(); highlight((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight((active - 1 + items.length) % items.length); }
      else if (e.key === "Enter" || e.key === "Tab") {
        if (items[active]) { e.preventDefault(); e.stopImmediatePropagation(); choose(items[active]); }
      }
      else if (e.key === "Escape") { close(); }
    });
    textarea.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  window.Maillage = window.Maillage || {};
  window.Maillage.mentions = {
    attach: attach,
    isOpen: function (textarea) { return open.has(textarea); }
  };
  document.querySelectorAll("form[data-mentions-url]").forEach(attach);
})();
