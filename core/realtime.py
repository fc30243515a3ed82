"""Realtime plumbing: typed events pushed to channel-layer groups.

Envelope sent to the browser: {"type": "<app>.<event>", "id": <int or null>, "data": {...}}.
Every event type is declared in EVENT_TYPES (like Zulip's event types); `publish`
refuses undeclared ones. Services call `publish` inside their transaction: the event is
sent by `transaction.on_commit`, so nothing is announced that a rollback removes.

Groups: `user.<id>` (joined at connect) and per-object groups (`room.<id>`, `topic.<id>`)
that a client subscribes to; each kind registers an access check with
`register_subscription`, which the consumer calls before joining.

Actions: besides ping/subscribe/unsubscribe, apps register what a socket may ask
(`register_action("chat.send", handler)`); the consumer runs the handler in a thread with
the socket's context and sends back the events it returns. A handler refuses with
`PermissionDenied`, `ValidationError` or `RateLimited`: the socket gets `session.error`
(with the message, translated, and the client's `ref`) and stays open. Apps may also
register what to do when a socket closes (`register_disconnect`).

Closing sockets: `close_user_sockets(user_id)` closes every socket of a user (refused or
deactivated account) and logging out closes the sockets of that session
(extranet.session_events). Both send the internal control message `session.close` to
`user.<id>`; it is handled by the consumer and never forwarded to the browser, which
only sees the close code (4401 or 4403).
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

# Close codes seen by the browser: realtime.js stops reconnecting on these.
CLOSE_UNAUTHORIZED = 4401  # anonymous, deactivated or logged out
CLOSE_FORBIDDEN = 4403  # logged in but not (or no longer) an approved member

# Internal control messages between server processes (not browser events).
SESSION_CLOSE = "session.close"
SESSION_RECHECK = "session.recheck"

EVENT_TYPES = {
    "session.ready": "The socket is open; data: user id, unread count (to refresh a stale badge).",
    "session.pong": 'Answer to {"action": "ping"}; data: empty.',
    "session.subscribed": "A subscription was accepted; data: group (as the client sent it).",
    "session.denied": "A subscription was refused (unknown kind, malformed group, check failed); data: group.",
    "session.unsubscribed": "A subscription was dropped because access was lost (left or removed); data: group.",
    "session.error": (
        "A client message could not be handled; data: error (a short reason, or the message of a refused "
        "action), and for actions: action, reason (denied, invalid, rate_limited, failed), ref (as sent)."
    ),
    "notification.new": "A notification was created for the user; data: unread count, notification.",
    "notification.read": "Notifications were marked read; data: unread count.",
}

# kind -> callable(user, object_id) -> bool, run in a thread by the consumer.
SUBSCRIPTIONS = {}
# action name -> callable(socket, content) -> [event], run in a thread by the consumer.
ACTIONS = {}
# callables(socket) run in a thread when a socket of an approved member closes.
DISCONNECT_HOOKS = []
ACTION_RE_TEXT = r"^[a-z_]+\.[a-z_]+$"


class RateLimited(Exception):
    """Raised by an action handler when the member sends too much; the message says what to do."""


class Socket:
    """What an action handler knows of the socket that sent the action.

    `subscriptions` are the groups it follows (already checked); `state` is a dict kept for
    the life of the socket (throttling, cached answers).
    """

    def __init__(self, user_id, channel_name, subscriptions, state):
        self.user_id = user_id
        self.channel_name = channel_name
        self.subscriptions = frozenset(subscriptions)
        self.state = state

    def follows(self, group):
        return group in self.subscriptions


def register_event_type(name, description):
    EVENT_TYPES[name] = description


def register_action(name, handler):
    """Let sockets send `{"action": name, ...}`; `handler(socket, content)` returns events for it."""
    import re

    if not re.fullmatch(ACTION_RE_TEXT, name):
        raise ValueError(f"Action names look like app.verb: {name}")
    ACTIONS[name] = handler


def register_disconnect(hook):
    if hook not in DISCONNECT_HOOKS:
        DISCONNECT_HOOKS.append(hook)


def register_subscription(kind, check):
    """Let clients subscribe to `<kind>.<id>` groups when `check(user, id)` is true."""
    SUBSCRIPTIONS[kind] = check


SPACE_GROUPS = []  # callables space -> the group names whose access follows that space's rules


def register_space_groups(groups_of):
    """Declare the groups that follow a space's rules (its chat room, its forum categories):
    `groups_of(space)` lists them, and `recheck_space_subscribers` re-checks them."""
    SPACE_GROUPS.append(groups_of)


def recheck_space_subscribers(space):
    """A space's rules changed (a group made private): re-check, on commit, every socket
    following one of its groups, whatever app declared them."""
    for groups_of in SPACE_GROUPS:
        for group in groups_of(space):
            recheck_group_subscribers(group)


def user_group(user_id):
    return f"user.{user_id}"


def envelope(event_type, object_id=None, data=None):
    if event_type not in EVENT_TYPES:
        raise ValueError(f"Undeclared realtime event type: {event_type}")
    return {"type": event_type, "id": object_id, "data": data or {}}


def _group_send(group, message, what):
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # the page still works by reload; never fail the request for this
        logger.exception("Could not %s to %s", what, group)


def send_now(group, event):
    _group_send(group, {"type": "realtime.event", "event": event}, f"publish realtime event {event.get('type')}")


def publish(group, event_type, object_id=None, data=None):
    """Send an event to a group once the current transaction commits."""
    event = envelope(event_type, object_id, data)
    transaction.on_commit(lambda: send_now(group, event))


def publish_to_user(user_id, event_type, object_id=None, data=None):
    publish(user_group(user_id), event_type, object_id, data)


def close_message(session_key=None, code=CLOSE_UNAUTHORIZED):
    if code not in (CLOSE_UNAUTHORIZED, CLOSE_FORBIDDEN):
        raise ValueError(f"Unexpected close code: {code}")
    return {"type": SESSION_CLOSE, "session_key": session_key, "code": code}


def close_session_sockets(user_id, session_key, code=CLOSE_UNAUTHORIZED):
    """Close now the sockets of `user_id` opened with `session_key` (None: all of them)."""
    _group_send(user_group(user_id), close_message(session_key, code), f"send {SESSION_CLOSE} ({code})")


def close_user_sockets(user_id, code=CLOSE_UNAUTHORIZED):
    """Close every socket of a user once the current transaction commits.

    For services that refuse or deactivate an account: the tabs stop reconnecting (the
    browser sees `code`), and a new connection is checked against the committed state.
    """
    close_message(None, code)  # refuse a bad code at the call, not after the commit
    transaction.on_commit(lambda: close_session_sockets(user_id, None, code))


def recheck_user_subscriptions(user_id):
    """Re-run, once the transaction commits, the access check of every subscription of a user.

    For services that take access away (a member leaves or is removed from a group): each
    socket of the user drops the groups it may no longer follow and says so with
    `session.unsubscribed`.
    """
    message = {"type": SESSION_RECHECK}
    transaction.on_commit(lambda: _group_send(user_group(user_id), message, f"send {SESSION_RECHECK}"))


def recheck_group_subscribers(group):
    """Re-run, on commit, the check of every socket subscribed to `group` (e.g. `workgroup.12`).

    For changes that take access away from people unknown by name: a public group made
    private drops the subscriptions of those who are not its members.
    """
    message = {"type": SESSION_RECHECK}
    transaction.on_commit(lambda: _group_send(group, message, f"send {SESSION_RECHECK}"))
