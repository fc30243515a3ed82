"""Realtime plumbing: typed events pushed to channel-layer groups.

Envelope sent to the browser: {"type": "<app>.<event>", "id": <int or null>, "data": {...}}.
Every event type is declared in EVENT_TYPES (like Zulip's event types); `publish`
refuses undeclared ones. Services call `publish` inside their transaction: the event is
sent by `transaction.on_commit`, so nothing is announced that a rollback removes.

Groups: `user.<id>` (joined at connect) and per-object groups (`room.<id>`, `topic.<id>`)
that a client subscribes to; each kind registers an access check with
`register_subscription`, which the consumer calls before joining.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

EVENT_TYPES = {
    "notification.new": "A notification was created for the user; data: unread count, notification.",
    "notification.read": "Notifications were marked read; data: unread count.",
}

# kind -> callable(user, object_id) -> bool, run in a thread by the consumer.
SUBSCRIPTIONS = {}


def register_event_type(name, description):
    EVENT_TYPES[name] = description


def register_subscription(kind, check):
    """Let clients subscribe to `<kind>.<id>` groups when `check(user, id)` is true."""
    SUBSCRIPTIONS[kind] = check


def user_group(user_id):
    return f"user.{user_id}"


def envelope(event_type, object_id=None, data=None):
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Undeclared realtime event type: {event_type}")
    return {"type": event_type, "id": object_id, "data": data or {}}


def send_now(group, event):
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, {"type": "realtime.event", "event": event})
    except Exception:  # the page still works by reload; never fail the request for this
        logger.exception("Could not publish realtime event %s to %s", event.get("type"), group)


def publish(group, event_type, object_id=None, data=None):
    """Send an event to a group once the current transaction commits."""
    event = envelope(event_type, object_id, data)
    transaction.on_commit(lambda: send_now(group, event))


def publish_to_user(user_id, event_type, object_id=None, data=None):
    publish(user_group(user_id), event_type, object_id, data)
