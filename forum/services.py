"""Forum services: every write goes through here (permission, validation, atomic write,
activity, notifications, realtime events on commit).

Races: a reply takes the topic's row lock (`select_for_update`) to number itself, so
parallel replies get distinct numbers; the same form submitted twice (same
`submission` token) makes one post (a unique constraint, the second returns the first).
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from extranet import markdown, realtime, uploads
from extranet.services import activity_record, notify
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

logger = logging.getLogger(__name__)

TITLE_MIN, TITLE_MAX = 3, 200
BODY_MAX = 50_000  # characters: about 25 pages of text
ATTACHMENTS_MAX = 5
ATTACHMENT_SIZE_MAX = 10 * 1024 * 1024
CATEGORY_NAME_MAX = 100


def topic_group(topic_id):
    return f"topic.{topic_id}"


def category_group(category_id):
    return f"forumcategory.{category_id}"


# --- Validation --------------------------------------------------------------------------


def _validate_title(title):
    title = " ".join((title or "").replace("\x00", "").split())
    if len(title) < TITLE_MIN:
        raise ValidationError({"title": _("The title needs at least %(n)d characters.") % {"n": TITLE_MIN}})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": _("The title is limited to %(n)d characters.") % {"n": TITLE_MAX}})
    return title


def _validate_body(body):
    body = (body or "").replace("\x00", "").replace("\r\n", "\n")
    if not body.strip():
        raise ValidationError({"body": _("The message is empty.")})
    if len(body) > BODY_MAX:
        raise ValidationError({"body": _(
            "The message has %(length)s characters; the limit is %(max)s. Split it in several posts "
            "or attach a document."
        ) % {"length": f"{len(body):,}".replace(",", "\u202f"), "max": f"{BODY_MAX:,}".replace(",", "\u202f")}})
    return body


def validate_attachments(files):
    """[(file, clean name, extension, content type, is_image)], or ValidationError naming each bad file."""
    return uploads.validate(files, max_count=ATTACHMENTS_MAX, max_size=ATTACHMENT_SIZE_MAX,
                            too_many=_("At most %(n)d files per post."))


def render_body(body):
    mentions = markdown.resolve_mentions(body)
    return markdown.render(body, mentions), mentions


# --- Categories --------------------------------------------------------------------------


def _validate_category(space, name, description, exclude_pk=None):
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the category a name.")})
    if len(name) > CATEGORY_NAME_MAX:
        raise ValidationError({"name": _("The name is limited to %(n)d characters.") % {"n": CATEGORY_NAME_MAX}})
    if len(description or "") > 1000:
        raise ValidationError({"description": _("The description is limited to 1,000 characters.")})
    taken = Category.objects.filter(space=space, name__iexact=name).exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": _("This space already has a category with that name.")})
    return name


def category_create(*, actor, space, name, description="", position=None, managers_only_topics=False):
    if not permissions.can_manage_categories(actor, space):
        raise PermissionDenied(_("Only the moderators of this space create categories."))
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


def category_update(*, actor, category, name, description="", position=None, managers_only_topics=False):
    if not permissions.can_manage_categories(actor, category.space):
        raise PermissionDenied(_("Only the moderators of this space edit its categories."))
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


def _save_attachments(post, checked):
    uploads.save_files(Attachment, checked, post=post)


def _existing_submission(actor, submission):
    """The post this same form already made (the token is random per form, unique per author)."""
    if not submission:
        return None
    return Post.objects.select_related("topic").filter(author=actor, submission=submission).first()


def topic_create(*, actor, category, title, body, files=(), submission=""):
    if not permissions.can_start_topic(actor, category):
        if category.managers_only_topics and category.space.can_post(actor):
            raise PermissionDenied(_("In this category only moderators start topics; you can reply to them."))
        raise PermissionDenied(_("You cannot start a topic in this category."))
    title = _validate_title(title)
    body = _validate_body(body)
    checked = validate_attachments(files)
    submission = (submission or "")[:64]
    earlier = _existing_submission(actor, submission)
    if earlier is not None:
        return earlier.topic
    html, mentions = render_body(body)
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
                             {"category": category.pk, "last_number": 1, "new_topic": True})
    except IntegrityError:
        earlier = _existing_submission(actor, submission)
        if earlier is not None:
            return earlier.topic
        raise
    return topic


def post_create(*, actor, topic, body, reply_to=None, files=(), submission=""):
    topic = Topic.objects.select_related("category__space").get(pk=topic.pk)
    if topic.deleted_at is not None:
        raise ValidationError(_("This topic was deleted: it takes no more replies."))
    if not permissions.can_reply(actor, topic):
        if topic.locked and topic.category.space.can_post(actor):
            raise PermissionDenied(_("This topic is locked: it takes no more replies."))
        raise PermissionDenied(_("You cannot reply in this topic."))
    body = _validate_body(body)
    checked = validate_attachments(files)
    if reply_to is not None and reply_to.topic_id != topic.pk:
        raise ValidationError(_("You can only reply to a post of the same topic."))
    submission = (submission or "")[:64]
    earlier = _existing_submission(actor, submission)
    if earlier is not None:
        return earlier
    html, mentions = render_body(body)
    try:
        with transaction.atomic():
            locked = Topic.objects.select_for_update().get(pk=topic.pk)
            if locked.deleted_at is not None:
                raise ValidationError(_("This topic was deleted: it takes no more replies."))
            now = timezone.now()
            number = locked.last_number + 1
            post = Post.objects.create(topic=locked, number=number, author=actor, body=body, html=html,
                                       reply_to=reply_to, created_at=now, submission=submission)
            _save_attachments(post, checked)
            Topic.objects.filter(pk=locked.pk).update(
                last_number=number, last_post_at=now, last_author=actor, reply_count=F("reply_count") + 1
            )
            post.topic = locked
            locked.last_number = number
            TopicSubscription.objects.get_or_create(user=actor, topic=locked, defaults={"level": Level.WATCHING})
            _mark_read(actor, locked, number)
            _notify_new_post(actor, post, mentions, new_topic=False)
            realtime.publish(topic_group(locked.pk), "forum.post_created", post.pk,
                             {"topic": locked.pk, "number": number,
                              "fragment": reverse("forum:post-fragment", args=[post.pk])})
            realtime.publish(category_group(locked.category_id), "forum.topic_activity", locked.pk,
                             {"category": locked.category_id, "last_number": number, "new_topic": False})
    except IntegrityError:
        earlier = _existing_submission(actor, submission)
        if earlier is not None:
            return earlier
        raise
    return post


def topic_url(topic):
    return reverse("forum:topic", args=[topic.pk])


def post_url(post):
    return reverse("forum:post", args=[post.pk])


def _levels(users_ids, topic):
    """{user_id: level} for the topic: the topic's own level, else the category's, else normal."""
    topic_levels = dict(TopicSubscription.objects.filter(topic=topic, user_id__in=users_ids)
                        .values_list("user_id", "level"))
    category_levels = dict(CategorySubscription.objects.filter(category_id=topic.category_id, user_id__in=users_ids)
                           .values_list("user_id", "level"))
    return {uid: topic_levels.get(uid, category_levels.get(uid, Level.NORMAL)) for uid in users_ids}


def _notify_new_post(actor, post, mentions, *, new_topic):
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
    replied_to = post.reply_to.author_id if post.reply_to_id and post.reply_to.author_id else None
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


def _lock_post(post):
    return Post.objects.select_for_update().select_related("topic__category__space").get(pk=post.pk)


def post_update(*, actor, post, body, title=None):
    post = Post.objects.select_related("topic__category__space").get(pk=post.pk)
    if not permissions.can_edit_post(actor, post):
        raise PermissionDenied(_("You cannot edit this post."))
    body = _validate_body(body)
    if title is not None and post.number == 1:
        title = _validate_title(title)
    else:
        title = None
    html, mentions = render_body(body)
    with transaction.atomic():
        post = _lock_post(post)
        topic = post.topic
        if body == post.body and (title is None or title == topic.title):
            return post
        PostRevision.objects.create(post=post, body=post.body, title=topic.title if title else "", editor=actor)
        before_mentions = set(markdown.mentions_in(post.body))
        post.body, post.html, post.edited_at = body, html, timezone.now()
        post.save(update_fields=["body", "html", "edited_at"])
        if title is not None and title != topic.title:
            Topic.objects.filter(pk=topic.pk).update(title=title)
            topic.title = title
        if actor.pk != post.author_id:
            _log(actor, "post_edited", topic.category.space, topic=topic, post=post)
        new_mentions = {k: v for k, v in mentions.items() if k not in before_mentions}
        if new_mentions:
            _notify_mentions_only(actor, post, new_mentions)
        realtime.publish(topic_group(topic.pk), "forum.post_updated", post.pk,
                         {"topic": topic.pk, "fragment": reverse("forum:post-fragment", args=[post.pk])})
    return post


def _notify_mentions_only(actor, post, mentions):
    levels = _levels({u.pk for u in mentions.values()}, post.topic)
    for user in mentions.values():
        if levels.get(user.pk) != Level.MUTED and permissions.can_view_topic(user, post.topic):
            notify(recipient=user, verb="forum.mentioned", target=post.topic, actor=actor, url=post_url(post))


def post_delete(*, actor, post):
    """Soft delete. The opening post deletes the topic (its author only while nobody replied)."""
    post = Post.objects.select_related("topic__category__space").get(pk=post.pk)
    if not permissions.can_delete_post(actor, post):
        raise PermissionDenied(_("You cannot delete this post."))
    space = post.topic.category.space
    moderator = permissions.can_moderate(actor, space)
    if post.number == 1:
        if not moderator and post.topic.reply_count > 0:
            raise ValidationError(_("Others have replied: only a moderator can delete the whole topic now. "
                                    "You can edit your message."))
        return topic_delete(actor=actor, topic=post.topic)
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


def post_restore(*, actor, post):
    post = Post.objects.select_related("topic__category__space").get(pk=post.pk)
    if not permissions.can_moderate(actor, post.topic.category.space):
        raise PermissionDenied(_("Only moderators restore posts."))
    if post.deleted_at is None:
        return post
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(deleted_at=None, deleted_by=None)
        _log(actor, "post_restored", post.topic.category.space, topic=post.topic, post=post)
    return post


def post_hide(*, actor, post, hidden=True):
    post = Post.objects.select_related("topic__category__space").get(pk=post.pk)
    space = post.topic.category.space
    if not permissions.can_moderate(actor, space):
        raise PermissionDenied(_("Only moderators hide posts."))
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(hidden_at=timezone.now() if hidden else None)
        _log(actor, "post_hidden" if hidden else "post_unhidden", space, topic=post.topic, post=post)
        realtime.publish(topic_group(post.topic_id), "forum.post_updated", post.pk,
                         {"topic": post.topic_id, "fragment": reverse("forum:post-fragment", args=[post.pk])})
    post.refresh_from_db()
    return post


def _moderated_topic(actor, topic):
    topic = Topic.objects.select_related("category__space").get(pk=topic.pk)
    if not permissions.can_moderate(actor, topic.category.space):
        raise PermissionDenied(_("Only the moderators of this space do that."))
    return topic


def topic_set_flag(*, actor, topic, flag, value):
    """Pin/unpin or lock/unlock a topic."""
    if flag not in ("pinned", "locked"):
        raise ValueError(flag)
    topic = _moderated_topic(actor, topic)
    if getattr(topic, flag) == value:
        return topic
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(**{flag: value})
        action = {("pinned", True): "topic_pinned", ("pinned", False): "topic_unpinned",
                  ("locked", True): "topic_locked", ("locked", False): "topic_unlocked"}[(flag, value)]
        _log(actor, action, topic.category.space, topic=topic)
    setattr(topic, flag, value)
    return topic


def topic_delete(*, actor, topic):
    topic = Topic.objects.select_related("category__space").get(pk=topic.pk)
    space = topic.category.space
    own = topic.author_id == actor.pk and topic.reply_count == 0 and space.can_post(actor)
    if not (own or permissions.can_moderate(actor, space)):
        raise PermissionDenied(_("You cannot delete this topic."))
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk, deleted_at__isnull=True).update(deleted_at=timezone.now(), deleted_by=actor)
        if not own:
            _log(actor, "topic_deleted", space, topic=topic)
    topic.refresh_from_db()
    return topic


def topic_restore(*, actor, topic):
    topic = _moderated_topic(actor, topic)
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(deleted_at=None, deleted_by=None)
        _log(actor, "topic_restored", topic.category.space, topic=topic)
    topic.refresh_from_db()
    return topic


def topic_move(*, actor, topic, category):
    """Move to another category, of this space or another: the actor moderates both."""
    topic = _moderated_topic(actor, topic)
    if not permissions.can_moderate(actor, category.space):
        raise PermissionDenied(_("You do not moderate the destination category."))
    if category.pk == topic.category_id:
        return topic
    source = topic.category
    with transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(category=category)
        details = {"from": source.name, "to": category.name}
        _log(actor, "topic_moved", source.space, topic=topic, details=details)
        if category.space_id != source.space_id:
            _log(actor, "topic_moved", category.space, topic=topic, details=details)
        realtime.recheck_group_subscribers(topic_group(topic.pk))
    topic.refresh_from_db()
    return topic


# --- Reports and moderation --------------------------------------------------------------


def report_create(*, actor, post, reason):
    post = Post.objects.select_related("topic__category__space").get(pk=post.pk)
    if not permissions.can_report(actor, post):
        raise PermissionDenied(_("You cannot report this post."))
    reason = " ".join((reason or "").replace("\x00", "").split())
    if len(reason) < 5:
        raise ValidationError({"reason": _("Say in a few words what is wrong with this post.")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("The reason is limited to 1,000 characters.")})
    try:
        with transaction.atomic():
            report = Report.objects.create(post=post, reporter=actor, reason=reason)
    except IntegrityError:
        raise ValidationError(_("You have already reported this post; the moderators will look at it."))
    space = post.topic.category.space
    with transaction.atomic():
        for moderator in space.managers():
            if moderator.pk != actor.pk:
                notify(recipient=moderator, verb="forum.reported", target=post.topic, actor=actor,
                       url=reverse("forum:moderation"))
    return report


def report_resolve(*, actor, report, uphold):
    """Uphold (hide the post) or dismiss; every open report of that post is closed with it."""
    report = Report.objects.select_related("post__topic__category__space").get(pk=report.pk)
    space = report.post.topic.category.space
    if not permissions.can_moderate(actor, space):
        raise PermissionDenied(_("Only the moderators of this space handle its reports."))
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


def _log(actor, action, space, *, topic=None, post=None, details=None):
    return ModerationLog.objects.create(actor=actor, action=action, space=space, topic=topic, post=post,
                                        details=details or {})


# --- Reading and subscriptions -----------------------------------------------------------


def _mark_read(user, topic, number):
    read, created = TopicRead.objects.get_or_create(user=user, topic=topic,
                                                    defaults={"last_read_number": number})
    if not created and read.last_read_number < number:
        TopicRead.objects.filter(pk=read.pk, last_read_number__lt=number).update(last_read_number=number)


def topic_mark_read(*, user, topic, number):
    """Remember that `user` read `topic` up to post `number` (never goes backwards)."""
    if not permissions.can_view_topic(user, topic):
        raise PermissionDenied(_("You cannot see this topic."))
    try:
        number = int(number)
    except (TypeError, ValueError):
        raise ValidationError(_("Unknown post number."))
    number = max(0, min(number, topic.last_number))
    _mark_read(user, topic, number)


def category_mark_read(*, user, category):
    if not permissions.can_view_category(user, category):
        raise PermissionDenied(_("You cannot see this category."))
    CategoryRead.objects.update_or_create(user=user, category=category, defaults={"read_at": timezone.now()})


def subscription_set(*, user, level, topic=None, category=None):
    if topic is not None and not permissions.can_view_topic(user, topic):
        raise PermissionDenied(_("You cannot see this topic."))
    if category is not None and not permissions.can_view_category(user, category):
        raise PermissionDenied(_("You cannot see this category."))
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = None
    if level not in Level.values:
        raise ValidationError(_("Unknown notification level."))
    if topic is not None:
        if not permissions.can_view_topic(user, topic):
            raise PermissionDenied(_("You cannot see this topic."))
        TopicSubscription.objects.update_or_create(user=user, topic=topic, defaults={"level": level})
    elif category is not None:
        if not permissions.can_view_category(user, category):
            raise PermissionDenied(_("You cannot see this category."))
        CategorySubscription.objects.update_or_create(user=user, category=category, defaults={"level": level})
    else:
        raise ValueError("topic or category")
    return level
