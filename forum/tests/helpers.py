"""Helpers shared by the forum tests: the state a refused action must leave as it was.

`nothing_saved` and `refused` are those of `extranet.testing.assertions`, bound to the
forum's `state()`.
"""

from functools import partial

from core.models import Activity, Notification
from extranet.testing import assertions
from extranet.testing.assertions import media_files
from forum.models import (
    Attachment,
    Category,
    CategoryRead,
    CategorySubscription,
    ModerationLog,
    Post,
    PostRevision,
    Report,
    Topic,
    TopicRead,
    TopicSubscription,
)


def state():
    """Every forum table, the activity log, the notifications and the uploaded files."""
    return {
        "categories": list(Category.objects.order_by("pk").values()),
        "topics": list(Topic.objects.order_by("pk").values()),
        "posts": list(Post.objects.order_by("pk").values()),
        "revisions": list(PostRevision.objects.order_by("pk").values()),
        "attachments": list(Attachment.objects.order_by("pk").values()),
        "reads": list(TopicRead.objects.order_by("pk").values()),
        "category_reads": list(CategoryRead.objects.order_by("pk").values()),
        "topic_subscriptions": list(TopicSubscription.objects.order_by("pk").values()),
        "category_subscriptions": list(CategorySubscription.objects.order_by("pk").values()),
        "reports": list(Report.objects.order_by("pk").values()),
        "log": list(ModerationLog.objects.order_by("pk").values()),
        "activities": list(Activity.objects.order_by("pk").values_list("pk", "verb")),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "recipient_id", "verb")),
        "files": media_files(),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)


def log_actions(space=None, categories=False):
    """(action, actor, topic, post) of the moderation log, oldest first (without the category
    entries unless `categories`)."""
    logs = ModerationLog.objects.order_by("pk")
    if not categories:
        logs = logs.exclude(action__startswith="category_")
    if space is not None:
        logs = logs.filter(space=space)
    return list(logs.values_list("action", "actor_id", "topic_id", "post_id"))

