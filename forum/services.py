"""Forum services: every write goes through here (permission, validation, atomic write,
activity, notifications, realtime events on commit).

Each service takes what the views and sockets receive: the ids of what it acts on (or the
objects, of which it reads the id only) and the raw input. It fetches, authorises with the
rule's `Decision` from `forum.permissions` (`.check()`: PermissionDenied with the reason, or
ValidationError for a `Conflict`), validates, then locks and decides again inside the
transaction where a race could change the answer (a reply arriving, a topic locked).
Read states and subscriptions take a topic or category as the view already has it (no
fresher copy needed: they write only the user's own rows).

Races: a reply takes the topic's row lock (`select_for_update`) to number itself, so
parallel replies get distinct numbers; the same form submitted twice (same
`submission` token) makes one post (a unique constraint, the second returns the first).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import markdown, realtime, spaces, uploads
from core.models import Space
from core.services import activity_record, notify
from forum import permissions
from forum.models import (
    Attachment,
    Category,
    CategoryRead,
    CategorySubscription,
    Level,
    ModerationLog,
    Post,
    PostRevision,
    Report,
    Topic,
    TopicRead,
    TopicSubscription,
)
from members import permissions as member_permissions

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from members.models import User

logger = logging.getLogger(__name__)

TITLE_MIN, TITLE_MAX = 3, 200
BODY_MAX = 50_000  # characters: about 25 pages of text
ATTACHMENTS_MAX = 5
ATTACHMENT_SIZE_MAX = 10 * 1024 * 1024
CATEGORY_NAME_MAX = 100


def topic_group(topic_id: int) -> str:
    return f"topic.{topic_id}"


def category_group(category_id: int) -> str:
    return f"forumcategory.{category_id}"


# --- Fetching what a service acts on ------------------------------------------------------


def _pk(thing: models.Model | int | str) -> int:
    """The id of `thing`: a model instance, or an id as an adapter received it."""
    if isinstance(thing, models.Model):
        return thing.pk
    return int(thing)


def _rules(prefix: str) -> list[str]:
    """`prefix` (the path to a Space) and what the rules of the spaces read from there."""
    return [prefix, *spaces.related_for_rules(prefix)]


def _space(space: Space | int) -> Space:
    return Space.objects.select_related(*spaces.related_for_rules()).get(pk=_pk(space))


def _category(category: Category | int) -> Category:
    return Category.objects.select_related(*_rules("space")).get(pk=_pk(category))


def _topic(topic: Topic | int, *, lock: bool = False) -> Topic:
    """The topic with what its rules read; `lock`: its row locked until the transaction ends."""
    topics = Topic.objects.select_related(*_rules("category__space"))
    if lock:
        topics = topics.select_for_update(of=("self",))
    return topics.get(pk=_pk(topic))


def _post(post: Post | int, *, lock: bool = False) -> Post:
    posts = Post.objects.select_related(*_rules("topic__category__space"))
    if lock:
        posts = posts.select_for_update(of=("self",))
    return posts.get(pk=_pk(post))


def _report(report: Report | int) -> Report:
    return Report.objects.select_related(*_rules("post__topic__category__space")).get(pk=_pk(report))


def _topic_as_is(topic: Topic | int) -> Topic:
    """`topic` if it is already an instance (read states, subscriptions), else the topic of that id."""
    return topic if isinstance(topic, Topic) else _topic(topic)


def _category_as_is(category: Category | int) -> Category:
    return category if isinstance(category, Category) else _category(category)


# --- Validation --------------------------------------------------------------------------


def _validate_title(title: str | None) -> str:
    title = " ".join((title or "").replace("\x00", "").split())
    if len(title) < TITLE_MIN:
        raise ValidationError({"title": _("The title needs at least %(n)d characters.") % {"n": TITLE_MIN}})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("The title is limited to %(n)d characters.") % {"n": TITLE_MAX}})
    return title


def _validate_body(body: str | None) -> str:
    body = (body or "").replace("\x00", "").replace("\r\n", "\n")
    if not body.strip():
        raise ValidationError({"body": _("The message is empty.")})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": _(
            "The message has %(length)s characters; the limit is %(max)s. Split it in several posts "
            "or attach a document."
        ) % {"length": f"{len(body):,}".replace(",", "\u202f"), "max": f"{BODY_MAX:,}".replace(",", "\u202f")}})
    return body


def validate_attachments(files: Iterable[UploadedFile]) -> list[tuple[Any, ...]]:
    """[(file, clean name, extension, content type, is_image)], or ValidationError naming each bad file."""
    return uploads.validate(files, max_count=ATTACHMENTS_MAX, max_size=ATTACHMENT_SIZE_MAX,
                            too_many=_("At most %(n)d files per post."))


def prepare_body(body: str) -> tuple[str, str, dict[Any, Any]]:
    """(body to store, sanitised HTML, {mention: member}) of a post's Markdown as written:
    each `@Full Name` of one approved member is stored `@**Full Name|id**`."""
    approved = member_permissions.approved_members()
    body = markdown.canonical_mentions(body, among=approved)
    mentions = markdown.resolve_mentions(body, among=approved)
    return body, markdown.render(body, mentions), mentions


def render_body(body: str) -> tuple[str, dict[Any, Any]]:
    """(sanitised HTML, {mention: member}) of a post's Markdown."""
    _body, html, mentions = prepare_body(body)
    return html, mentions


def body_preview(body: str | None) -> str:
    """The HTML a post of this text would show, or the ValidationError its sending would get."""
    return render_body(_validate_body(body))[0]


# --- Categories --------------------------------------------------------------------------


def _validate_category(space: Space, name: str | None, description: str | None,
                       exclude_pk: int | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the category a name.")})
    if len(name) > CATEGORY_NAME_MAX:
        raise ValidationError({"name": _("The name is limited to %(n)d characters.") % {"n": CATEGORY_NAME_MAX}})
    if len(description or "") > 1000:
        raise ValidationError({"description": _("The description is limited to 1,000 characters.")})
    taken = Category.objects.filter(space=space, name__iexact=name)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": _("This space already has a category with that name.")})
    return name


def category_create(*, actor: User, space: Space | int, name: str | None, description: str | None = "",
                    position: int | None = None, managers_only_topics: bool = False) -> Category:
    space = _space(space)
    permissions.can_create_category(actor, space).check()
    name = _validate_category(space, name, description)
    with transaction.atomic():
        if position is None:
            last = Category.objects.filter(space=space).order_by("-position").values_list("position", flat=True).first()
            position = (last or 0) + 10
        category = Category.objects.create(
            space=space, name=name, description=(description or "").strip(), position=position,
            managers_only_topics=managers_only_topics,
        )
        _log(actor, "category_created", space, details={"name": name})
    return category


def category_update(*, actor: User, category: Category | int, name: str | None, description: str | None = "",
                    position: int | None = None, managers_only_topics: bool = False) -> Category:
    category = _category(category)
    permissions.can_edit_category(actor, category).check()
    name = _validate_category(category.space, name, description, exclude_pk=category.pk)
    with transaction.atomic():
        category.name = name
        category.description = (description or "").strip()
        if position is not None:
            category.position = position
        category.managers_only_topics = managers_only_topics
        category.save()
        _log(actor, "category_updated", category.space, details={"name": name})
    return category


# --- Topics and posts --------------------------------------------------------------------


def _save_attachments(post: Post, checked: list[tuple[Any, ...]]) -> None:
    uploads.save_files(Attachment, checked, post=post)


def _existing_submission(actor: User, submission: str) -> Post | None:
    """The post this same form already made (the token is random per form, unique per author)."""
    if not submission:
        return None
    return Post.objects.select_related("topic").filter(author=actor, submission=submission).first()


def topic_create(*, actor: User, category: Category | int, title: str | None, body: str | None,
                 files: Iterable[UploadedFile] = (), submission: str | None = "") -> Topic:
    category = _category(category)
    permissions.can_start_topic(actor, category).check()
    title = _validate_title(title)
    body = _validate_body(body)
    checked = validate_attachments(files)
    submission = (submission or "")[:64]
    earlier = _existing_submission(actor, submission)
    if earlier is not None:
        return earlier.topic
    body, html, mentions = prepare_body(body)
    now = timezone.now()
    try:
        with transaction.atomic():
            topic = Topic.objects.create(
                category=category, title=title, author=actor, created_at=now, last_number=1, last_post_at=now,
                last_author=actor,
            )
            post = Post.objects.create(topic=topic, number=1, author=actor, body=body, html=html,
                                       created_at=now, submission=submission)
            _save_attachments(post, checked)
            TopicSubscription.objects.create(user=actor, topic=topic, level=Level.WATCHING)
            TopicRead.objects.create(user=actor, topic=topic, last_read_number=1)
            activity_record(actor=actor, verb="forum.topic_created", target=topic, space=category.space,
                            url=topic_url(topic))
            _notify_new_post(actor, post, mentions, new_topic=True)
            realtime.publish(category_group(category.pk), "forum.topic_activity", topic.pk,
                             {"category": category.pk, "last_number": 1, "new_topic": True, "replies": 0})
    except IntegrityError:
        earlier = _existing_submission(actor, submission)
        if earlier is not None:
            return earlier.topic
        raise
    return topic


def _reply_target(topic: Topic, reply_to: Post | int | str | None) -> Post | None:
    """The post of `topic` a reply answers (None: none), or ValidationError."""
    if reply_to is None or reply_to == "":
        return None
    try:
        post = Post.objects.filter(pk=_pk(reply_to)).first()
    except (TypeError, ValueError):
        post = None
    if post is None or post.topic_id != topic.pk:
        raise ValidationError(_("You can only reply to a post of the same topic."))
    return post


def post_create(*, actor: User, topic: Topic | int, body: str | None, reply_to: Post | int | None = None,
                files: Iterable[UploadedFile] = (), submission: str | None = "") -> Post:
    topic = _topic(topic)
    permissions.can_reply(actor, topic).check()
    body = _validate_body(body)
    checked = validate_attachments(files)
    reply_target = _reply_target(topic, reply_to)
    submission = (submission or "")[:64]
    earlier = _existing_submission(actor, submission)
    if earlier is not None:
        return earlier
    body, html, mentions = prepare_body(body)
    try:
        with transaction.atomic():
            locked = _topic(topic.pk, lock=True)
            permissions.can_reply(actor, locked).check()  # deleted or locked meanwhile
            now = timezone.now()
            number = locked.last_number + 1
            post = Post.objects.create(topic=locked, number=number, author=actor, body=body, html=html,
                                       reply_to=reply_target, created_at=now, submission=submission)
            _save_attachments(post, checked)
            Topic.objects.filter(pk=locked.pk).update(
                last_number=number, last_post_at=now, last_author=actor, reply_count=F("reply_count") + 1
            )
            locked.last_number, locked.reply_count = number, locked.reply_count + 1
            TopicSubscription.objects.get_or_create(user=actor, topic=locked, defaults={"level": Level.WATCHING})
            _mark_read(actor, locked, number)
            _notify_new_post(actor, post, mentions, new_topic=False)
            realtime.publish(topic_group(locked.pk), "forum.post_created", post.pk,
                             {"topic": locked.pk, "number": number, "replies": locked.reply_count,
                              "fragment": reverse("forum:post-fragment", args=[post.pk])})
            realtime.publish(category_group(locked.category_id), "forum.topic_activity", locked.pk,
                             {"category": locked.category_id, "last_number": number, "new_topic": False,
                              "replies": locked.reply_count})
    except IntegrityError:
        earlier = _existing_submission(actor, submission)
        if earlier is not None:
            return earlier
        raise
    return post


def topic_url(topic: Topic) -> str:
    return reverse("forum:topic", args=[topic.pk])


def post_url(post: Post) -> str:
    return reverse("forum:post", args=[post.pk])


def _levels(users_ids: set[int], topic: Topic) -> dict[int, int]:
    """{user_id: level} for the topic: the topic's own level, else the category's, else normal."""
    topic_levels = dict(TopicSubscription.objects.filter(topic=topic, user_id__in=users_ids)
                        .values_list("user_id", "level"))
    category_levels = dict(CategorySubscription.objects.filter(category_id=topic.category_id, user_id__in=users_ids)
                           .values_list("user_id", "level"))
    return {uid: topic_levels.get(uid, category_levels.get(uid, Level.NORMAL)) for uid in users_ids}


def _notify_new_post(actor: User, post: Post, mentions: dict[Any, Any], *, new_topic: bool) -> None:
    """Mentions (if they can see the topic), replies to someone's post, watchers of topic or category."""
    from members.models import User

    topic = post.topic
    url = post_url(post)
    watcher_ids = set(
        TopicSubscription.objects.filter(topic=topic, level=Level.WATCHING).values_list("user_id", flat=True)
    ) | set(
        CategorySubscription.objects.filter(category_id=topic.category_id, level=Level.WATCHING)
        .values_list("user_id", flat=True)
    )
    mentioned = {user.pk: user for user in mentions.values()}
    replied_to = post.reply_to.author_id if post.reply_to is not None and post.reply_to.author_id else None
    ids = (watcher_ids | set(mentioned) | ({replied_to} if replied_to else set())) - {actor.pk}
    if not ids:
        return
    levels = _levels(ids, topic)
    users = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    for uid, user in users.items():
        level = levels[uid]
        if level == Level.MUTED or not permissions.can_view_topic(user, topic):
            continue  # never tell someone of a topic they may not see
        if uid in mentioned:
            verb = "forum.mentioned"
        elif uid == replied_to:
            verb = "forum.replied_to_you"
        elif level == Level.WATCHING:
            verb = "forum.new_topic" if new_topic else "forum.new_reply"
        else:
            continue
        notify(recipient=user, verb=verb, target=topic, actor=actor, url=url)


def post_update(*, actor: User, post: Post | int, body: str | None, title: str | None = None) -> Post:
    post = _post(post)
    permissions.can_edit_post(actor, post).check()
    body = _validate_body(body)
    if title is not None and post.number == 1:
        title = _validate_title(title)
    else:
        title = None
    body, html, mentions = prepare_body(body)
    with transaction.atomic():
        post = _post(post.pk, lock=True)
        permissions.can_edit_post(actor, post).check()  # hidden, deleted or locked meanwhile
        topic = post.topic
        if body == post.body and (title is None or title == topic.title):
            return post
        PostRevision.objects.create(post=post, body=post.body, title=topic.title if title else "", editor=actor)
        # Who the text named before (by member: the edit form shows `@Name` where `@**Name**` was stored).
        before_mentions = {user.pk for user in markdown.resolve_mentions(
            post.body, among=member_permissions.approved_members()).values()}
        post.body, post.html, post.edited_at = body, html, timezone.now()
        post.save(update_fields=["body", "html", "edited_at"])
        if title is not None and title != topic.title:
            Topic.objects.filter(pk=topic.pk).update(title=title)
            topic.title = title
        if actor.pk != post.author_id:
            _log(actor, "post_edited", topic.category.space, topic=topic, post=post)
        new_mentions = {k: v for k, v in mentions.items() if v.pk not in before_mentions}
        if new_mentions:
            _notify_mentions_only(actor, post, new_mentions)
        realtime.publish(topic_group(topic.pk), "forum.post_updated", post.pk,
                         {"topic": topic.pk, "fragment": reverse("forum:post-fragment", args=[post.pk])})
    return post


def _notify_mentions_only(actor: User, post: Post, mentions: dict[Any, Any]) -> None:
    levels = _levels({u.pk for u in mentions.values()}, post.topic)
    for user in mentions.values():
        if levels.get(user.pk) != Level.MUTED and permissions.can_view_topic(user, post.topic):
            notify(recipient=user, verb="forum.mentioned", target=post.topic, actor=actor, url=post_url(post))


def post_delete(*, actor: User, post: Post | int) -> Post | Topic:
    """Soft delete. The opening post deletes the topic (its author only while nobody replied):
    then the topic is returned."""
    post = _post(post)
    permissions.can_delete_post(actor, post).check()
    if post.number == 1:
        with transaction.atomic():
            post.topic = _topic(post.topic_id, lock=True)
            permissions.can_delete_post(actor, post).check()  # someone replied meanwhile
            return _topic_delete(actor, post.topic)
    space = post.topic.category.space
    with transaction.atomic():
        now = timezone.now()
        updated = Post.objects.filter(pk=post.pk, deleted_at__isnull=True).update(deleted_at=now, deleted_by=actor)
        if not updated:
            return post
        if actor.pk != post.author_id:
            _log(actor, "post_deleted", space, topic=post.topic, post=post)
        realtime.publish(topic_group(post.topic_id), "forum.post_updated", post.pk,
                         {"topic": post.topic_id, "fragment": reverse("forum:post-fragment", args=[post.pk])})
    post.deleted_at = now
    return post


def post_restore(*, actor: User, post: Post | int) -> Post:
    post = _post(post)
    permissions.can_restore_post(actor, post).check()
    if post.deleted_at is None:
        return post
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(deleted_at=None, deleted_by=None)
        _log(actor, "post_restored", post.topic.category.space, topic=post.topic, post=post)
    return post


def post_hide(*, actor: User, post: Post | int, hidden: bool = True) -> Post:
    post = _post(post)
    permissions.can_hide_post(actor, post).check()
    space = post.topic.category.space
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(hidden_at=timezone.now() if hidden else None)
        _log(actor, "post_hidden" if hidden else "post_unhidden", space, topic=post.topic, post=post)
        realtime.publish(topic_group(post.topic_id), "forum.post_updated", post.pk,
                         {"topic": post.topic_id, "fragment": reverse("forum:post-fragment", args=[post.pk])})
    post.refresh_from_db()
    return post


TOPIC_FLAGS = {("pinned", True): "topic_pinned", ("pinned", False): "topic_unpinned",
               ("locked", True): "topic_locked", ("locked", False): "topic_unlocked"}


def topic_set_flag(*, actor: User, topic: Topic | int, flag: str, value: bool) -> Topic:
    """Pin/unpin or lock/unlock a topic."""
    if flag not in ("pinned", "locked"):
        raise ValueError(flag)
    topic = _topic(topic)
    permissions.can_moderate_topic(actor, topic).check()
    if getattr(topic, flag) == value:
        return topic
    with transaction.atomic():
        topic = _topic(topic.pk, lock=True)
        if getattr(topic, flag) == value:  # another moderator was quicker
            return topic
        Topic.objects.filter(pk=topic.pk).update(**{flag: value})
        _log(actor, TOPIC_FLAGS[(flag, value)], topic.category.space, topic=topic)
    setattr(topic, flag, value)
    return topic


def _topic_delete(actor: User, topic: Topic) -> Topic:
    """Delete `topic` (its row locked, the decision taken); a moderator's deletion is logged."""
    Topic.objects.filter(pk=topic.pk, deleted_at__isnull=True).update(deleted_at=timezone.now(), deleted_by=actor)
    if not permissions.is_own_deletable_topic(actor, topic):
        _log(actor, "topic_deleted", topic.category.space, topic=topic)
    topic.refresh_from_db()
    return topic


def topic_delete(*, actor: User, topic: Topic | int) -> Topic:
    topic = _topic(topic)
    permissions.can_delete_topic(actor, topic).check()
    with transaction.atomic():
        topic = _topic(topic.pk, lock=True)
        permissions.can_delete_topic(actor, topic).check()  # someone replied meanwhile
        return _topic_delete(actor, topic)


def topic_restore(*, actor: User, topic: Topic | int) -> Topic:
    topic = _topic(topic)
    permissions.can_moderate_topic(actor, topic).check()
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(deleted_at=None, deleted_by=None)
        _log(actor, "topic_restored", topic.category.space, topic=topic)
    topic.refresh_from_db()
    return topic


def topic_move(*, actor: User, topic: Topic | int, category: Category | int) -> Topic:
    """Move to another category, of this space or another: the actor moderates both."""
    topic = _topic(topic)
    destination = _category(category)
    permissions.can_move_topic(actor, topic, destination).check()
    if destination.pk == topic.category_id:
        return topic
    with transaction.atomic():
        topic = _topic(topic.pk, lock=True)
        permissions.can_move_topic(actor, topic, destination).check()  # moved elsewhere meanwhile
        if destination.pk == topic.category_id:
            return topic
        source = topic.category
        Topic.objects.filter(pk=topic.pk).update(category=destination)
        details = {"from": source.name, "to": destination.name}
        _log(actor, "topic_moved", source.space, topic=topic, details=details)
        if destination.space_id != source.space_id:
            _log(actor, "topic_moved", destination.space, topic=topic, details=details)
        realtime.recheck_group_subscribers(topic_group(topic.pk))
    topic.refresh_from_db()
    return topic


# --- Reports and moderation --------------------------------------------------------------


def report_create(*, actor: User, post: Post | int, reason: str | None) -> Report:
    post = _post(post)
    permissions.can_report(actor, post).check()
    reason = " ".join((reason or "").replace("\x00", "").split())
    if len(reason) < 5:
        raise ValidationError({"reason": _("Say in a few words what is wrong with this post.")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("The reason is limited to 1,000 characters.")})
    try:
        with transaction.atomic():
            report = Report.objects.create(post=post, reporter=actor, reason=reason)
    except IntegrityError:
        raise ValidationError(_("You have already reported this post; the moderators will look at it.")) from None
    space = post.topic.category.space
    with transaction.atomic():
        for moderator in space.managers():
            if moderator.pk != actor.pk:
                notify(recipient=moderator, verb="forum.reported", target=post.topic, actor=actor,
                       url=reverse("forum:moderation"))
    return report


def report_resolve(*, actor: User, report: Report | int, uphold: bool) -> Report:
    """Uphold (hide the post) or dismiss; every open report of that post is closed with it."""
    report = _report(report)
    permissions.can_resolve_report(actor, report).check()
    space = report.post.topic.category.space
    status = Report.Status.UPHELD if uphold else Report.Status.DISMISSED
    with transaction.atomic():
        closed = Report.objects.filter(post=report.post, status=Report.Status.OPEN).update(
            status=status, resolved_by=actor, resolved_at=timezone.now()
        )
        if not closed:
            raise ValidationError(_("This report was already handled."))
        if uphold:
            Post.objects.filter(pk=report.post_id).update(hidden_at=timezone.now())
        _log(actor, "report_upheld" if uphold else "report_dismissed", space, topic=report.post.topic,
             post=report.post, details={"reason": report.reason})
    report.refresh_from_db()
    return report


def _log(actor: User, action: str, space: Space, *, topic: Topic | None = None, post: Post | None = None,
         details: dict[str, Any] | None = None) -> ModerationLog:
    return ModerationLog.objects.create(actor=actor, action=action, space=space, topic=topic, post=post,
                                        details=details or {})


# --- Reading and subscriptions -----------------------------------------------------------


def _mark_read(user: User, topic: Topic, number: int) -> None:
    read, created = TopicRead.objects.get_or_create(user=user, topic=topic,
                                                    defaults={"last_read_number": number})
    if not created and read.last_read_number < number:
        TopicRead.objects.filter(pk=read.pk, last_read_number__lt=number).update(last_read_number=number)


def topic_mark_read(*, user: User, topic: Topic | int, number: int | str | None) -> None:
    """Remember that `user` read `topic` up to post `number` (never goes backwards)."""
    topic = _topic_as_is(topic)
    permissions.can_view_topic(user, topic).check()
    try:
        read = int(number)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(_("Unknown post number.")) from None
    _mark_read(user, topic, max(0, min(read, topic.last_number)))


def category_mark_read(*, user: User, category: Category | int) -> None:
    category = _category_as_is(category)
    permissions.can_view_category(user, category).check()
    CategoryRead.objects.update_or_create(user=user, category=category, defaults={"read_at": timezone.now()})


def subscription_set(*, user: User, level: int | str | None, topic: Topic | int | None = None,
                     category: Category | int | None = None) -> int:
    """The notification level of `user` for a topic or a category (raw `level` as posted)."""
    subscribed: Topic | Category
    if topic is not None:
        subscribed = _topic_as_is(topic)
        permissions.can_view_topic(user, subscribed).check()
    elif category is not None:
        subscribed = _category_as_is(category)
        permissions.can_view_category(user, subscribed).check()
    else:
        raise ValueError("topic or category")
    try:
        chosen = int(level)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        chosen = None
    if chosen is None or chosen not in Level.values:
        raise ValidationError(_("Unknown notification level."))
    if isinstance(subscribed, Topic):
        TopicSubscription.objects.update_or_create(user=user, topic=subscribed, defaults={"level": chosen})
    else:
        CategorySubscription.objects.update_or_create(user=user, category=subscribed, defaults={"level": chosen})
    return chosen
