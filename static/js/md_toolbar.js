/* A small Markdown formatting toolbar above any textarea with data-md-toolbar (forum
 * posts; any other editor may use it). Buttons: bold, italic, link, list, quote, code.
 * Each wraps the selection in the Markdown syntax (or inserts the markers and puts the
 * caret between them), then gives the focus back to the textarea. The toolbar is one tab
 * stop (ARIA toolbar: arrows, Home and End move between its buttons); Ctrl+B and Ctrl+I
 * work in the textarea. Labels: the attribute's JSON ({"bold": "Gras", ...}), else French.
 * Without JavaScript the textarea is a plain textarea and Markdown is typed by hand. */
(function () {
  "use strict";

  var DEFAULTS = {
    toolbar: "Mise en forme", bold: "Gras", italic: "Italique", link: "Lien", list: "Liste",
    quote: "Citation", code: "Code", link_text: "texte du lien"
  };
  var ACTIONS = ["bold", "italic", "link", "list", "quote", "code"];
  var SHORTCUTS = { bold: "Control+B", italic: "Control+I" };

  function labels(textarea) {
    var given = {};
    try { given = JSON.parse(textarea.getAttribute("data-md-toolbar") || "{}") || {}; } catch (e) { given = {}; }
    var out = {};
    Object.keys(DEFAULTS).forEach(function (key) { out[key] = given[key] || DEFAULTS[key]; });
    return out;
  }

  // Replace textarea[start, end) by `text` (kept in the undo history where the browser can),
  // then select [selStart, selEnd) (offsets from `start`).
  function replace(textarea, start, end, text, selStart, selEnd) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var done = false;
    try { done = document.execCommand && document.execCommand("insertText", false, text); } catch (e) { done = false; }
    if (!done || textarea.value.slice(start, start + text.length) !== text) {
      textarea.setRangeText(text, start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    textarea.setSelectionRange(start + selStart, start + selEnd);
  }

  function wrap(textarea, before, after) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var selected = textarea.value.slice(start, end);
    // Spaces selected around a word stay outside the markers ("**mot** ", not "**mot **").
    var lead = selected.match(/^\s*/)[0], trail = selected.slice(lead.length).match(/\s*$/)[0];
    var inner = selected.slice(lead.length, selected.length - trail.length);
    var text = lead + before + inner + after + trail;
    replace(textarea, start, end, text, lead.length + before.length, lead.length + before.length + inner.length);
  }

  function prefixLines(textarea, prefix) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    if (end > start && value.charAt(end - 1) === "\n") { end -= 1; }
    var newline = value.indexOf("\n", end);
    end = newline === -1 ? value.length : newline;
    var lines = value.slice(start, end).split("\n").map(function (line) { return prefix + line; });
    var text = lines.join("\n");
    // A list or a quote is a block: a blank line before it, unless it starts the text.
    var blank = start > 0 && value.slice(Math.max(0, start - 2), start) !== "\n\n" ? "\n" : "";
    replace(textarea, start, end, blank + text, blank.length + text.length, blank.length + text.length);
  }

  function link(textarea, words) {
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var selected = textarea.value.slice(start, end);
    if (/^https?:\/\/\S+$/.test(selected)) {
      var text = "[" + words.link_text + "](" + selected + ")";
      replace(textarea, start, end, text, 1, 1 + words.link_text.length);
      return;
    }
    var label = selected || words.link_text;
    var url = "https://";
    var out = "[" + label + "](" + url + ")";
    replace(textarea, start, end, out, label.length + 3, label.length + 3 + url.length);
  }

  function code(textarea) {
    var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    if (selected.indexOf("\n") === -1) { wrap(textarea, "`", "`"); return; }
    var start = textarea.selectionStart, end = textarea.selectionEnd;
    var body = selected.replace(/\n$/, "");
    var before = start > 0 && textarea.value.charAt(start - 1) !== "\n" ? "\n" : "";
    var text = before + "```\n" + body + "\n```\n";
    replace(textarea, start, end, text, before.length + 4, before.length + 4 + body.length);
  }

  function apply(textarea, action, words) {
    if (action === "bold") { wrap(textarea, "**", "**"); }
    else if (action === "italic") { wrap(textarea, "*", "*"); }
    else if (action === "link") { link(textarea, words); }
    else if (action === "list") { prefixLines(textarea, "- "); }
    else if (action === "quote") { prefixLines(textarea, "> "); }
    else if (action === "code") { code(textarea); }
  }

  function attach(textarea) {
    if (textarea.dataset.mdToolbarReady) { return; }
    textarea.dataset.mdToolbarReady = "1";
    var words = labels(textarea);
    var bar = document.createElement("div");
    bar.className = "md-toolbar";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", words.toolbar);
    if (textarea.id) { bar.setAttribute("aria-controls", textarea.id); }
    var buttons = ACTIONS.map(function (action, k) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-toolbar__button md-toolbar__button--" + action;
      button.textContent = words[action];
      button.setAttribute("aria-label", words[action]);
      button.setAttribute("data-md-action", action);
      button.tabIndex = k === 0 ? 0 : -1;
      if (SHORTCUTS[action]) {
        button.setAttribute("aria-keyshortcuts", SHORTCUTS[action]);
        button.title = words[action] + " (Ctrl+" + SHORTCUTS[action].slice(-1) + ")";
      }
      // Keep the textarea's selection: a mouse press would move the focus (and the selection) away.
      button.addEventListener("mousedown", function (e) { e.preventDefault(); });
      button.addEventListener("click", function () { apply(textarea, action, words); });
      bar.appendChild(button);
      return button;
    });
    bar.addEventListener("keydown", function (e) {
      var index = buttons.indexOf(document.activeElement);
      if (index === -1) { return; }
      var next = null;
      if (e.key === "ArrowRight") { next = (index + 1) % buttons.length; }
      else if (e.key === "ArrowLeft") { next = (index - 1 + buttons.length) % buttons.length; }
      else if (e.key === "Home") { next = 0; }
      else if (e.key === "End") { next = buttons.length - 1; }
      if (next === null) { return; }
      e.preventDefault();
      buttons[index].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    textarea.addEventListener("keydown", function (e) {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) { return; }
      var key = e.key.toLowerCase();
      if (key === "b" || key === "i") {
        e.preventDefault();
        apply(textarea, key === "b" ? "bold" : "italic", words);
      }
    });
    textarea.parentNode.insertBefore(bar, textarea);
  }

  window.Maillage = window.Maillage || {};
  window.Maillage.mdToolbar = { attach: attach };
  document.querySelectorAll("textarea[data-md-toolbar]").forEach(attach);
})();
