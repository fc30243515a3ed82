"""Forum views (/bureau/forum/): thin, they parse input, call selectors and services, render.

What a member may do is asked of `forum.permissions` (a `Decision`): a page refused outright
`.check()`s it (403 with the reason), buttons show or hide with it, and a refusal worth
telling is printed with its reason. The services decide again on what they receive.
"""

import math

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from core import markdown, uploads
from core.forms import add_service_errors, error_text, posted
from forum import permissions, selectors, services
from forum.forms import CategoryForm, EditForm, LevelForm, MoveForm, PostForm, ReportForm, SearchForm, TopicForm
from forum.models import Level

MODERATION_PER_PAGE = 30
SEARCH_PER_PAGE = 20


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# --- Index, spaces, categories -----------------------------------------------------------


@require_GET
def index(request):
    categories = selectors.with_last_topics(selectors.categories_overview(request.user))
    groups = []
    for category in categories:
        if not groups or groups[-1][0].pk != category.space_id:
            groups.append((category.space, []))
        groups[-1][1].append(category)
    return render(request, "forum/index.html", {
        "groups": groups,
        "latest": selectors.latest_topics(request.user),
        "active": selectors.active_topics(request.user),
        "can_moderate": permissions.can_open_moderation(request.user),
    })


@require_GET
def unread_counts(request):
    """{category id: unread topics} of the categories the member sees (for live counts)."""
    counts = {str(c.pk): c.unread_count for c in selectors.categories_overview(request.user)}
    return JsonResponse({"categories": counts})


@require_GET
def space_categories(request, pk):
    space = selectors.space_get_for_user(request.user, pk)
    categories = selectors.with_last_topics(
        [c for c in selectors.categories_overview(request.user) if c.space_id == space.pk])
    return render(request, "forum/space.html", {
        "space": space, "categories": categories,
        "can_manage": permissions.can_create_category(request.user, space),
    })


def _category_form_result(request, form, call, space):
    if form.is_valid():
        try:
            category = call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The category is saved."))
            return redirect("forum:category", category.pk)
    return None


def category_create(request, pk):
    space = selectors.space_get_for_user(request.user, pk)
    permissions.can_create_category(request.user, space).check()
    form = CategoryForm(posted(request))
    done = _category_form_result(request, form, lambda data: services.category_create(
        actor=request.user, space=space.pk, name=data["name"], description=data["description"],
        position=data["position"], managers_only_topics=data["managers_only_topics"]), space)
    return done or render(request, "forum/category_form.html", {"form": form, "space": space})


def category_edit(request, pk):
    category = selectors.category_get_for_user(request.user, pk)
    permissions.can_edit_category(request.user, category).check()
    initial = {"name": category.name, "description": category.description, "position": category.position,
               "managers_only_topics": category.managers_only_topics}
    form = CategoryForm(posted(request), initial=initial)
    done = _category_form_result(request, form, lambda data: services.category_update(
        actor=request.user, category=category.pk, name=data["name"], description=data["description"],
        position=data["position"], managers_only_topics=data["managers_only_topics"]), category.space)
    return done or render(request, "forum/category_form.html",
                          {"form": form, "space": category.space, "category": category})


@require_GET
def category_detail(request, pk):
    category = selectors.category_get_for_user(request.user, pk)
    page = _page(request, selectors.topics_for_category(request.user, category), selectors.TOPICS_PER_PAGE)
    selectors.annotate_unread(page.object_list, request.user)
    return render(request, "forum/category.html", {
        "category": category, "space": category.space, "page": page,
        "can_start": permissions.can_start_topic(request.user, category),
        "can_manage": permissions.can_edit_category(request.user, category),
        "level_form": LevelForm(initial={"level": selectors.category_level(request.user, category)}),
    })


@require_POST
def category_mark_read(request, pk):
    category = selectors.category_get_for_user(request.user, pk)
    services.category_mark_read(user=request.user, category=category)
    messages.success(request, _("Every topic of « %(name)s » is marked read.") % {"name": category.name})
    return redirect("forum:category", category.pk)


@require_POST
def category_subscription(request, pk):
    category = selectors.category_get_for_user(request.user, pk)
    form = LevelForm(request.POST)
    if form.is_valid():
        services.subscription_set(user=request.user, category=category, level=form.cleaned_data["level"])
        messages.success(request, _("Your notifications for this category: %(level)s.")
                         % {"level": Level(form.cleaned_data["level"]).label})
    else:
        messages.error(request, _("Choose a notification level."))
    return redirect("forum:category", category.pk)


# --- Topics -------------------------------------------------------------------------------


def topic_create(request, pk):
    category = selectors.category_get_for_user(request.user, pk)
    permissions.can_start_topic(request.user, category).check()
    form = TopicForm(posted(request), request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = services.render_body(form.cleaned_data["body"])[0]
        else:
            try:
                topic = services.topic_create(
                    actor=request.user, category=category.pk, title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"], files=form.cleaned_data["attachments"],
                    submission=form.cleaned_data["submission"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your topic is published."))
                return redirect("forum:topic", topic.pk)
    return render(request, "forum/topic_form.html",
                  {"form": form, "category": category, "space": category.space, "preview": preview})


def _topic_or_gone(request, pk):
    topic = selectors.topic_get_for_user(request.user, pk)
    if not permissions.can_view_topic(request.user, topic):  # deleted: for the moderators only
        response = render(request, "forum/topic_gone.html", {"topic_category": topic.category}, status=410)
        return topic, response
    return topic, None


def _post_context(user, topic, posts):
    """Decorate a page of posts with what the viewer may do (no query: the space's caches)."""
    for post in posts:
        post.topic = topic
        post.show_body = permissions.can_see_post_body(user, post)
        post.can_edit = permissions.can_edit_post(user, post)
        post.can_delete = permissions.can_delete_post(user, post)
        post.can_report = permissions.can_report(user, post)
        post.can_quote = permissions.can_quote_post(user, post)
    return permissions.can_moderate(user, topic.category.space)


def topic_detail(request, pk, *, reply_form=None, preview=None, status=200):
    topic, gone = _topic_or_gone(request, pk)
    if gone:
        return gone
    page = _page(request, selectors.posts_for_topic(topic), selectors.POSTS_PER_PAGE)
    posts = list(page.object_list)
    moderator = _post_context(request.user, topic, posts)
    if posts and request.method == "GET":
        services.topic_mark_read(user=request.user, topic=topic, number=posts[-1].number)
    can_reply = permissions.can_reply(request.user, topic)
    if reply_form is None and can_reply:
        initial = {}
        quoted = request.GET.get("citer")
        source = selectors.post_to_quote(request.user, topic, quoted) if quoted else None
        if source is not None:
            initial = {"body": markdown.quote(str(source.author or _("a former member")),
                                              selectors.body_for_editing(source.body)),
                       "reply_to": source.pk}
        reply_form = PostForm(initial=initial)
    return render(request, "forum/topic.html", {
        "topic": topic, "category": topic.category, "space": topic.category.space, "page": page, "posts": posts,
        "moderator": moderator, "can_reply": can_reply, "reply_form": reply_form, "preview": preview,
        "level_form": LevelForm(initial={"level": selectors.topic_level(request.user, topic)}),
        "is_last_page": not page.has_next(),
    }, status=status)


@require_GET
def topic_first_unread(request, pk):
    topic = selectors.topic_get_for_user(request.user, pk)
    number = selectors.first_unread_number(request.user, topic)
    return redirect(_number_url(topic.pk, number))


def _number_url(topic_id, number):
    page = max(1, math.ceil(number / selectors.POSTS_PER_PAGE))
    suffix = f"?page={page}" if page > 1 else ""
    return f"{reverse('forum:topic', args=[topic_id])}{suffix}#message-{number}"


@require_POST
def reply(request, pk):
    topic, gone = _topic_or_gone(request, pk)
    if gone:
        return gone
    form = PostForm(request.POST, request.FILES or None)
    if not form.is_valid():
        return topic_detail(request, pk, reply_form=form, status=400)
    if "preview" in request.POST:
        return topic_detail(request, pk, reply_form=form, preview=services.render_body(form.cleaned_data["body"])[0])
    try:
        post = services.post_create(actor=request.user, topic=topic.pk, body=form.cleaned_data["body"],
                                    reply_to=form.cleaned_data.get("reply_to"), files=form.cleaned_data["attachments"],
                                    submission=form.cleaned_data["submission"])
    except ValidationError as exc:
        add_service_errors(form, exc)
        return topic_detail(request, pk, reply_form=form, status=400)
    return redirect(_number_url(topic.pk, post.number))


@require_POST
def topic_subscription(request, pk):
    topic = selectors.topic_get_for_user(request.user, pk)
    form = LevelForm(request.POST)
    if form.is_valid():
        services.subscription_set(user=request.user, topic=topic, level=form.cleaned_data["level"])
        messages.success(request, _("Your notifications for this topic: %(level)s.")
                         % {"level": Level(form.cleaned_data["level"]).label})
    else:
        messages.error(request, _("Choose a notification level."))
    return redirect("forum:topic", topic.pk)


TOPIC_ACTIONS = {
    "pin": (lambda actor, topic: services.topic_set_flag(actor=actor, topic=topic, flag="pinned", value=True),
            gettext_noop("The topic is pinned at the top of its category.")),
    "unpin": (lambda actor, topic: services.topic_set_flag(actor=actor, topic=topic, flag="pinned", value=False),
              gettext_noop("The topic is no longer pinned.")),
    "lock": (lambda actor, topic: services.topic_set_flag(actor=actor, topic=topic, flag="locked", value=True),
             gettext_noop("The topic is locked: no more replies.")),
    "unlock": (lambda actor, topic: services.topic_set_flag(actor=actor, topic=topic, flag="locked", value=False),
               gettext_noop("The topic is open to replies again.")),
    "delete": (lambda actor, topic: services.topic_delete(actor=actor, topic=topic),
               gettext_noop("The topic is deleted.")),
    "restore": (lambda actor, topic: services.topic_restore(actor=actor, topic=topic),
                gettext_noop("The topic is restored.")),
}


@require_POST
def topic_moderate(request, pk):
    topic = selectors.topic_get_for_user(request.user, pk)
    action = TOPIC_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("Unknown action."))
        return redirect("forum:topic", topic.pk)
    call, success = action
    try:
        call(request.user, topic.pk)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _(success))
    if request.POST.get("action") == "delete":
        return redirect("forum:category", topic.category_id)
    return redirect("forum:topic", topic.pk)


def topic_move(request, pk):
    topic = selectors.topic_get_for_user(request.user, pk)
    categories = selectors.move_destinations(request.user, topic)
    form = MoveForm(posted(request), categories=categories)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.topic_move(actor=request.user, topic=topic.pk, category=form.cleaned_data["category"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The topic is moved to « %(name)s ».") % {"name": moved.category.name})
            return redirect("forum:topic", topic.pk)
    return render(request, "forum/topic_move.html", {"form": form, "topic": topic, "category": topic.category})


# --- Posts --------------------------------------------------------------------------------


@require_GET
def post_redirect(request, pk):
    post = selectors.post_get_for_user(request.user, pk)
    return redirect(_number_url(post.topic_id, post.number))


@require_GET
def post_fragment(request, pk):
    post = selectors.post_get_for_user(request.user, pk)
    post = selectors.posts_for_topic(post.topic).get(pk=post.pk)
    topic = selectors.topic_get_for_user(request.user, post.topic_id)
    moderator = _post_context(request.user, topic, [post])
    return render(request, "forum/includes/post.html", {"post": post, "topic": topic, "moderator": moderator})


def post_edit(request, pk):
    post = selectors.post_get_for_user(request.user, pk)
    permissions.can_edit_post(request.user, post).check()
    form = EditForm(posted(request), initial={"body": selectors.body_for_editing(post.body),
                                              "title": post.topic.title})
    if post.number != 1:
        del form.fields["title"]
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = services.render_body(form.cleaned_data["body"])[0]
        else:
            try:
                services.post_update(actor=request.user, post=post.pk, body=form.cleaned_data["body"],
                                     title=form.cleaned_data.get("title"))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Your changes are saved."))
                return redirect(_number_url(post.topic_id, post.number))
    return render(request, "forum/post_edit.html", {"form": form, "post": post, "topic": post.topic,
                                                    "preview": preview})


@require_POST
def post_delete(request, pk):
    post = selectors.post_get_for_user(request.user, pk)
    try:
        services.post_delete(actor=request.user, post=post.pk)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect(_number_url(post.topic_id, post.number))
    if post.number == 1:
        messages.success(request, _("The topic is deleted."))
        return redirect("forum:category", post.topic.category_id)
    messages.success(request, _("The post is deleted."))
    return redirect(_number_url(post.topic_id, post.number))


@require_GET
def post_history(request, pk):
    post = selectors.post_get_for_user(request.user, pk)
    permissions.can_read_post_history(request.user, post).check()
    return render(request, "forum/post_history.html",
                  {"post": post, "topic": post.topic, "revisions": selectors.post_revisions(post)})


def post_report(request, pk):
    post = selectors.post_get_for_user(request.user, pk)
    permissions.can_report(request.user, post).check()
    form = ReportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(actor=request.user, post=post.pk, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the moderators will look at this post."))
            return redirect(_number_url(post.topic_id, post.number))
    return render(request, "forum/post_report.html", {"form": form, "post": post, "topic": post.topic})


@require_POST
def post_hide(request, pk):
    post = selectors.post_get_for_user(request.user, pk)
    hidden = request.POST.get("hidden") != "0"
    services.post_hide(actor=request.user, post=post.pk, hidden=hidden)
    messages.success(request, _("The post is hidden.") if hidden else _("The post is shown again."))
    return redirect(_number_url(post.topic_id, post.number))


@require_POST
def preview(request):
    body = request.POST.get("body", "")
    try:
        html = services.body_preview(body)
    except ValidationError as exc:
        return JsonResponse({"error": error_text(exc)}, status=400)
    return JsonResponse({"html": html})


@require_GET
def mention_autocomplete(request, pk):
    space = selectors.space_get_for_user(request.user, pk)
    return JsonResponse({"results": selectors.mention_candidates(request.user, space, request.GET.get("q", ""))})


@require_GET
def attachment(request, pk, name):
    return uploads.file_response(selectors.attachment_get_for_user(request.user, pk))


# --- Moderation and search ----------------------------------------------------------------


@require_GET
def moderation(request):
    queue, log = selectors.moderation_for_user(request.user)
    reports = _page(request, queue, MODERATION_PER_PAGE)
    log = log[:30]
    return render(request, "forum/moderation.html", {"reports": reports, "log": log})


@require_POST
def report_resolve(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    try:
        services.report_resolve(actor=request.user, report=report.pk, uphold=request.POST.get("decision") == "hide")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The report is handled."))
    return redirect("forum:moderation")


@require_GET
def search(request):
    categories = selectors.categories_for_search(request.user)
    form = SearchForm(request.GET or None, categories=categories)
    page, searched = None, False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        category = next((c for c in categories if c.pk == data.get("categorie")), None)
        author = selectors.author_named(data["auteur"]) if data.get("auteur") else None
        searched = any([data.get("q"), category, data.get("auteur"), data.get("du"), data.get("au")])
        if searched and not (data.get("auteur") and author is None):
            results = selectors.search_posts(request.user, query=data.get("q"), category=category, author=author,
                                             date_from=data.get("du"), date_to=data.get("au"))
            page = _page(request, results, SEARCH_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "forum/search.html", {"form": form, "page": page, "searched": searched,
                                                 "extra_query": query.urlencode()})
