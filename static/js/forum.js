/* Forum: live replies in an open topic, live unread marks in a category, preview
 * (the @mention autocomplete is static/js/mentions.js). Everything here is an enhancement:
 * without JavaScript the pages reload, "Preview" posts the form, mentions are typed by hand. */
(function () {
  "use strict";
  var rt = window.Maillage && window.Maillage.realtime;

  function liveSay(text) {
    var region = document.querySelector("[data-forum-live]");
    if (!region || !text) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function fetchFragment(url) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; });
  }

  // "1 réponse", "2 réponses": the two forms the page carries (data-reply-one/-other on
  // the element or an ancestor), chosen by the language's plural rule.
  function setReplies(element, n) {
    if (!element || n === undefined || n === null) { return; }
    var holder = element.closest("[data-reply-one]");
    if (!holder) { return; }
    var form = n > 1 ? "other" : "one";
    try { form = new Intl.PluralRules(document.documentElement.lang || "fr").select(n); } catch (e) { /* keep */ }
    var text = (form === "one" ? holder.getAttribute("data-reply-one") : holder.getAttribute("data-reply-other"));
    element.setAttribute("data-reply-count", String(n));
    element.textContent = text.replace(/\d+/, String(n));
  }

  function parse(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  // --- Topic page: new replies appear without reload --------------------------------
  var topic = document.querySelector("[data-forum-topic]");
  if (topic && rt) {
    var topicId = topic.getAttribute("data-forum-topic");
    rt.subscribe("topic." + topicId);
    rt.on("forum.post_created", function (data) {
      if (String(data.topic) !== topicId) { return; }
      setReplies(document.querySelector("h1 ~ p [data-reply-count]"), data.replies);
      if (topic.getAttribute("data-last-page") !== "1") {
        var more = document.querySelector("[data-forum-new-replies]");
        if (more) { more.hidden = false; }
        liveSay(more ? more.textContent : "");
        return;
      }
      fetchFragment(data.fragment).then(function (html) {
        if (!html) { return; }
        var article = parse(html);
        if (!article || topic.querySelector('[data-post="' + article.getAttribute("data-post") + '"]')) { return; }
        topic.appendChild(article);
        var head = article.querySelector(".forum-post__head strong");
        liveSay((head ? head.textContent + " : " : "") + (article.querySelector(".post-body") || article).textContent.trim().slice(0, 200));
      });
    });
    rt.on("forum.post_updated", function (data) {
      if (String(data.topic) !== topicId) { return; }
      fetchFragment(data.fragment).then(function (html) {
        if (!html) { return; }
        var article = parse(html);
        var current = article && topic.querySelector('[data-post="' + article.getAttribute("data-post") + '"]');
        if (current) { current.replaceWith(article); }
      });
    });
  }

  // --- Category page: topics with new posts are marked unread live ------------------
  var categoryPage = document.querySelector("[data-forum-category-page]");
  if (categoryPage && rt) {
    var categoryId = categoryPage.getAttribute("data-forum-category-page");
    rt.subscribe("forumcategory." + categoryId);
    var newText = categoryPage.getAttribute("data-new-text") || "nouveau";
    rt.on("forum.topic_activity", function (data, event) {
      if (String(data.category) !== categoryId) { return; }
      var row = categoryPage.querySelector('[data-topic="' + (event && event.id) + '"]');
      if (!row) {
        var more = document.querySelector("[data-forum-live]");
        if (more) { liveSay(categoryPage.getAttribute("data-new-topic-text") || ""); }
        return;
      }
      setReplies(row.querySelector("[data-reply-count]"), data.replies);
      row.classList.add("is-unread");
      row.setAttribute("data-last-number", data.last_number);
      var mark = row.querySelector("[data-topic-unread]");
      if (mark && !mark.textContent.trim()) { mark.textContent = newText; }
    });
  }

  // --- Index and space pages: unread counts per category follow the new posts ------
  var lists = document.querySelectorAll("[data-unread-url]");
  if (lists.length && rt) {
    var unreadUrl = lists[0].getAttribute("data-unread-url"), pending = null;
    var rows = document.querySelectorAll("[data-forum-category]");
    // The socket takes 100 subscriptions at most: follow the first 50 categories shown.
    Array.prototype.slice.call(rows, 0, 50).forEach(function (row) {
      rt.subscribe("forumcategory." + row.getAttribute("data-forum-category"));
    });
    rt.on("forum.topic_activity", function () {
      if (pending) { return; }
      // Several posts at once make one request; the server counts what this member has read.
      pending = window.setTimeout(function () {
        pending = null;
        fetch(unreadUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
          rows.forEach(function (row) {
            var n = data.categories[row.getAttribute("data-forum-category")] || 0;
            var span = row.querySelector("[data-unread-count]");
            if (!span) { return; }
            var text = n ? span.getAttribute("data-template-some").replace("%s", n) : span.getAttribute("data-template-none");
            if (span.textContent.trim() === text) { return; }
            span.innerHTML = "";
            var node = n ? document.createElement("strong") : document.createTextNode(text);
            if (n) { node.textContent = text; }
            span.appendChild(node);
          });
        });
      }, 1000);
    });
  }

  // --- Index: the reply counts of the latest and active topics follow the new posts -----
  var topicLists = document.querySelector("[data-forum-topic-lists]");
  if (topicLists && rt) {
    var followed = {};
    topicLists.querySelectorAll("[data-topic][data-category]").forEach(function (item) {
      followed[item.getAttribute("data-category")] = true;
    });
    document.querySelectorAll("[data-forum-category]").forEach(function (row) {
      delete followed[row.getAttribute("data-forum-category")];  // already followed below
    });
    Object.keys(followed).slice(0, 40).forEach(function (id) { rt.subscribe("forumcategory." + id); });
    rt.on("forum.topic_activity", function (data, event) {
      if (!event) { return; }
      topicLists.querySelectorAll('[data-topic="' + event.id + '"] [data-reply-count]').forEach(function (span) {
        setReplies(span, data.replies);
      });
    });
  }

  // --- Editor: preview without leaving the page, @mention autocomplete --------------
  document.querySelectorAll("[data-forum-editor]").forEach(function (form) {
    var textarea = form.querySelector("textarea[name=body]");
    var previewButton = form.querySelector("[data-preview-url]");
    if (!textarea) { return; }
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (previewButton) {
      var box = document.createElement("div");
      box.className = "forum-preview card";
      box.setAttribute("aria-live", "polite");
      box.hidden = true;
      form.appendChild(box);
      previewButton.addEventListener("click", function (e) {
        e.preventDefault();
        var body = new FormData();
        body.append("body", textarea.value);
        fetch(previewButton.getAttribute("data-preview-url"), {
          method: "POST", body: body, credentials: "same-origin",
          headers: { "X-CSRFToken": token ? token.value : "" }
        }).then(function (r) { return r.json(); }).then(function (data) {
          box.hidden = false;
          if (data.error) { box.textContent = data.error; return; }
          box.innerHTML = data.html;  // sanitised by the server (nh3)
        });
      });
    }
  });
})();
