"""Forum views (/bureau/forum/): thin, they parse input, call selectors and services, render."""

import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from extranet import markdown, uploads
from extranet.forms import add_service_errors, error_text, posted
from extranet.models import Space
from forum import permissions, selectors, services
from forum.forms import CategoryForm, EditForm, LevelForm, MoveForm, PostForm, ReportForm, SearchForm, TopicForm
from forum.models import Attachment, Category, Level, Post
from members import permissions as member_permissions

MODERATION_PER_PAGE = 30
SEARCH_PER_PAGE = 20


def _space(request, pk):
    space = Space.objects.select_related("territory", "workgroup").filter(pk=pk).first()
    if space is None or not space.can_view(request.user):
        raise Http404
    return space


def _page(request, items, per_page):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


# --- Index, spaces, categories -----------------------------------------------------------


@require_GET
def index(request):
    categories = selectors.categories_overview(request.user)
    groups = []
    for category in categories:
        if not groups or groups[-1][0].pk != category.space_id:
            groups.append((category.space, []))
        groups[-1][1].append(category)
    return render(request, "forum/index.html", {"groups": groups})


@require_GET
def unread_counts(request):
    """{category id: unread topics} of the categories the member sees (for live counts)."""
    counts = {str(c.pk): c.unread_count for c in selectors.categories_overview(request.user)}
    return JsonResponse({"categories": counts})


@require_GET
def space_categories(request, pk):
    space = _space(request, pk)
    categories = [c for c in selectors.categories_overview(request.user) if c.space_id == space.pk]
    return render(request, "forum/space.html", {
        "space": space, "categories": categories,
        "can_manage": permissions.can_manage_categories(request.user, space),
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
    space = _space(request, pk)
    if not permissions.can_manage_categories(request.user, space):
        raise PermissionDenied(_("Only the moderators of this space create categories."))
    form = CategoryForm(posted(request))
    done = _category_form_result(request, form, lambda data: services.category_create(
        actor=request.user, space=space, name=data["name"], description=data["description"],
        position=data["position"], managers_only_topics=data["managers_only_topics"]), space)
    return done or render(request, "forum/category_form.html", {"form": form, "space": space})


def category_edit(request, pk):
    category = selectors.category_get_for_user(request.user, pk)
    if not permissions.can_manage_categories(request.user, category.space):
        raise PermissionDenied(_("Only the moderators of this space edit its categories."))
    initial = {"name": category.name, "description": category.description, "position": category.position,
               "managers_only_topics": category.managers_only_topics}
    form = CategoryForm(posted(request), initial=initial)
    done = _category_form_result(request, form, lambda data: services.category_update(
        actor=request.user, category=category, name=data["name"], description=data["description"],
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
        "can_manage": permissions.can_manage_categories(request.user, category.space),
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
    if not permissions.can_start_topic(request.user, category):
        if category.managers_only_topics and category.space.can_post(request.user):
            raise PermissionDenied(_("In this category only moderators start topics; you can reply to them."))
        raise PermissionDenied(_("You cannot start a topic in this category."))
    form = TopicForm(posted(request), request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = services.render_body(form.cleaned_data["body"])[0]
        else:
            try:
                topic = services.topic_create(
                    actor=request.user, category=category, title=form.cleaned_data["title"],
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
    if topic.deleted_at is not None and not permissions.can_moderate(request.user, topic.category.space):
        response = render(request, "forum/topic_gone.html", {"topic_category": topic.category}, status=410)
        return topic, response
    return topic, None


def _post_context(user, topic, posts):
    """Decorate a page of posts with what the viewer may do (no query: the space's caches)."""
    space = topic.category.space
    moderator = permissions.can_moderate(user, space)
    can_post = space.can_post(user)
    can_reply = permissions.can_reply(user, topic)
    for post in posts:
        post.topic = topic
        post.show_body = permissions.can_see_post_body(user, post)
        post.can_edit = post.deleted_at is None and (moderator or (
            post.author_id == user.pk and post.hidden_at is None and not topic.locked and can_post))
        post.can_delete = post.deleted_at is None and (moderator or post.author_id == user.pk)
        post.can_report = post.deleted_at is None and post.author_id != user.pk
        post.can_quote = post.is_visible and can_reply
    return moderator


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
        if quoted and quoted.isdigit():
            source = Post.objects.select_related("author").filter(pk=int(quoted), topic=topic).first()
            if source is not None and source.is_visible:
                initial = {"body": markdown.quote(str(source.author or _("a former member")), source.body),
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
    reply_to = None
    if form.cleaned_data.get("reply_to"):
        reply_to = Post.objects.filter(pk=form.cleaned_data["reply_to"], topic=topic).first()
    try:
        post = services.post_create(actor=request.user, topic=topic, body=form.cleaned_data["body"],
                                    reply_to=reply_to, files=form.cleaned_data["attachments"],
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
            "The topic is pinned at the top of its category."),
    "unpin": (lambda actor, topic: services.topic_set_flag(actor=actor, topic=topic, flag="pinned", value=False),
              "The topic is no longer pinned."),
    "lock": (lambda actor, topic: services.topic_set_flag(actor=actor, topic=topic, flag="locked", value=True),
             "The topic is locked: no more replies."),
    "unlock": (lambda actor, topic: services.topic_set_flag(actor=actor, topic=topic, flag="locked", value=False),
               "The topic is open to replies again."),
    "delete": (lambda actor, topic: services.topic_delete(actor=actor, topic=topic), "The topic is deleted."),
    "restore": (lambda actor, topic: services.topic_restore(actor=actor, topic=topic), "The topic is restored."),
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
        call(request.user, topic)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _(success))
    if request.POST.get("action") == "delete":
        return redirect("forum:category", topic.category_id)
    return redirect("forum:topic", topic.pk)


def topic_move(request, pk):
    topic = selectors.topic_get_for_user(request.user, pk)
    if not permissions.can_moderate(request.user, topic.category.space):
        raise PermissionDenied(_("Only the moderators of this space do that."))
    moderated = permissions.moderated_space_ids(request.user)
    categories = (Category.objects.filter(space_id__in=moderated).exclude(pk=topic.category_id)
                  .select_related("space__territory", "space__workgroup").order_by("space_id", "position", "name"))
    form = MoveForm(posted(request), categories=categories)
    if request.method == "POST" and form.is_valid():
        destination = get_object_or_404(categories, pk=form.cleaned_data["category"])
        try:
            services.topic_move(actor=request.user, topic=topic, category=destination)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The topic is moved to « %(name)s ».") % {"name": destination.name})
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
    if not permissions.can_edit_post(request.user, post):
        raise PermissionDenied(_("You cannot edit this post."))
    form = EditForm(posted(request), initial={"body": post.body, "title": post.topic.title})
    if post.number != 1:
        del form.fields["title"]
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview = services.render_body(form.cleaned_data["body"])[0]
        else:
            try:
                services.post_update(actor=request.user, post=post, body=form.cleaned_data["body"],
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
        services.post_delete(actor=request.user, post=post)
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
    if not permissions.can_moderate(request.user, post.topic.category.space):
        raise PermissionDenied(_("Only moderators read the history of a post."))
    return render(request, "forum/post_history.html",
                  {"post": post, "topic": post.topic, "revisions": selectors.post_revisions(post)})


def post_report(request, pk):
    post = selectors.post_get_for_user(request.user, pk)
    if not permissions.can_report(request.user, post):
        raise PermissionDenied(_("You cannot report this post."))
    form = ReportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(actor=request.user, post=post, reason=form.cleaned_data["reason"])
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
    services.post_hide(actor=request.user, post=post, hidden=hidden)
    messages.success(request, _("The post is hidden.") if hidden else _("The post is shown again."))
    return redirect(_number_url(post.topic_id, post.number))


@require_POST
def preview(request):
    body = request.POST.get("body", "")
    try:
        html = services.render_body(services._validate_body(body))[0]
    except ValidationError as exc:
        return JsonResponse({"error": error_text(exc)}, status=400)
    return JsonResponse({"html": html})


@require_GET
def mention_autocomplete(request, pk):
    space = _space(request, pk)
    return JsonResponse({"results": selectors.mention_candidates(request.user, space, request.GET.get("q", ""))})


@require_GET
def attachment(request, pk, name):
    attachment = get_object_or_404(Attachment.objects.select_related("post"), pk=pk)
    post = selectors.post_get_for_user(request.user, attachment.post_id)
    if not permissions.can_see_post_body(request.user, post):
        raise Http404
    return uploads.file_response(attachment)


# --- Moderation and search ----------------------------------------------------------------


@require_GET
def moderation(request):
    if not member_permissions.is_approved(request.user):
        raise PermissionDenied
    space_ids = permissions.moderated_space_ids(request.user)
    if not space_ids:
        raise PermissionDenied(_("You moderate no space of the forum."))
    reports = _page(request, selectors.moderation_queue(request.user), MODERATION_PER_PAGE)
    log = selectors.moderation_log(request.user)[:30]
    return render(request, "forum/moderation.html", {"reports": reports, "log": log})


@require_POST
def report_resolve(request, pk):
    from forum.models import Report

    report = Report.objects.select_related("post__topic__category__space__workgroup").filter(pk=pk).first()
    if report is None or not permissions.can_moderate(request.user, report.post.topic.category.space):
        raise Http404
    try:
        services.report_resolve(actor=request.user, report=report, uphold=request.POST.get("decision") == "hide")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The report is handled."))
    return redirect("forum:moderation")


@require_GET
def search(request):
    categories = list(selectors.categories_visible_to(request.user)
                      .select_related("space__territory", "space__workgroup").order_by("space_id", "position"))
    form = SearchForm(request.GET or None, categories=categories)
    page, searched = None, False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        category = next((c for c in categories if c.pk == data.get("categorie")), None)
        author = None
        if data.get("auteur"):
            author = member_permissions.approved_members().filter(display_name__icontains=data["auteur"]).first()
        searched = any([data.get("q"), category, data.get("auteur"), data.get("du"), data.get("au")])
        if searched and not (data.get("auteur") and author is None):
            results = selectors.search_posts(request.user, query=data.get("q"), category=category, author=author,
                                             date_from=data.get("du"), date_to=data.get("au"))
            page = _page(request, results, SEARCH_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "forum/search.html", {"form": form, "page": page, "searched": searched,
                                                 "extra_query": query.urlencode()})
