"""Helpers shared by the forum tests: the state a refused action must leave as it was."""

import io
import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from extranet.models import Activity, Notification
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


def media_files():
    root = settings.MEDIA_ROOT
    found = []
    for folder, _dirs, files in os.walk(root):
        found.extend(os.path.relpath(os.path.join(folder, name), root) for name in files)
    return sorted(found)


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


@contextmanager
def nothing_saved():
    before = state()
    yield
    assert state() == before, "a refused action changed something"


@contextmanager
def refused(exception, message, field=None):
    """The call raises `exception` with exactly `message` (on `field`), and saves nothing."""
    with nothing_saved(), pytest.raises(exception) as excinfo:
        yield excinfo
    error = excinfo.value
    if exception is PermissionDenied:
        assert str(error) == message
    elif field is not None:
        assert error.message_dict == {field: message if isinstance(message, list) else [message]}
    else:
        assert not hasattr(error, "error_dict"), error.message_dict
        assert error.messages == [message]


def png(name="capture.png", size=(8, 8), image_format="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def log_actions(space=None, categories=False):
    """(action, actor, topic, post) of the moderation log, oldest first (without the category
    entries unless `categories`)."""
    logs = ModerationLog.objects.order_by("pk")
    if not categories:
        logs = logs.exclude(action__startswith="category_")
    if space is not None:
        logs = logs.filter(space=space)
    return list(logs.values_list("action", "actor_id", "topic_id", "post_id"))


def notifications():
    """(recipient pk, verb) of every notification, sorted (duplicates kept)."""
    return sorted(Notification.objects.values_list("recipient_id", "verb"))
