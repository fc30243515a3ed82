"""What the chat registers with the desk: realtime event types, subscriptions and socket
actions, notification and activity verbs, the space module, the widget and navigation;
and the rule that every space has its room."""

import time
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import realtime, spaces
from core.activity import register_activity
from core.dashboard import NavEntry, Widget, register_nav, register_widget
from core.notifications import register_verb
from members import permissions as member_permissions

TYPING_THROTTLE = 2.5  # seconds between two "is typing" of one socket in one room
PRESENCE_THROTTLE = 20  # seconds between two identical presence reports of one socket
# Changes a socket may broadcast per minute, whatever their values (true/false alternated by
# a script): beyond, typing and presence reports are skipped (both are best-effort signals,
# and the page's heartbeat puts presence right within a minute).
TYPING_BUDGET = 30
PRESENCE_BUDGET = 10
CHECK_CACHE = 60  # seconds a socket trusts its last "may write here" answer (typing only)

register_verb("chat.mentioned", gettext_lazy("{actor} mentioned you in the chat of {target}"))
register_verb("chat.direct_message", gettext_lazy("{actor} sent you a direct message"))
register_activity("chat.message_removed", gettext_lazy("{actor} removed a message from the chat of {target}"))

for name, description in {
    "chat.message": "A message was stored in a room; data: the message (id, room, author, html, reply_to, "
                    "reactions, attachments, created_at, edit_until: the author's edit deadline, computed by "
                    "chat.permissions; the same for every reader, who decides nothing else).",
    "chat.message_updated": "A message was edited or deleted; data: the message as chat.message.",
    "chat.reactions": "The reactions of a message changed; data: room, message, reactions.",
    "chat.sent": "Answer to chat.send: the message is stored; data: room, client_id.",
    "chat.history": "Answer to chat.catch_up: data: room, messages (oldest first), changed, has_more.",
    "chat.read": "The member read a room (in any tab); data: room, last_read, unread.",
    "chat.typing": "Someone started or stopped typing in a room; data: room, user, name, typing.",
    "chat.presence": "A member's presence changed; data: user, status (online, away, offline), name, url.",
    "chat.ok": "Answer to an action that needs no other reply; data: action, ref.",
}.items():
    realtime.register_event_type(name, description)


# --- Subscriptions -----------------------------------------------------------------------------


def _can_follow_room(user, pk):
    from chat import permissions, selectors

    return bool(permissions.can_read_room(user, selectors.room_with_rules(pk)))


def _can_follow_presence(user, pk):
    return pk == 0 and member_permissions.is_approved(user)


realtime.register_subscription("chatroom", _can_follow_room)


def _space_groups(space):
    from chat.models import Room
    from chat.services import room_group

    return [room_group(pk) for pk in Room.objects.filter(space=space).values_list("pk", flat=True)]


realtime.register_space_groups(_space_groups)
realtime.register_subscription("chatpresence", _can_follow_presence)


# --- Socket actions ----------------------------------------------------------------------------


def _user(socket):
    user = get_user_model().objects.filter(pk=socket.user_id).first()
    if not member_permissions.can_access_desk(user):
        raise PermissionDenied(_("Your account can no longer use the desk."))
    return user


def _id(content, key):
    value = content.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 2 ** 62:
        raise ValidationError(_("This request is malformed (%(field)s).") % {"field": key})
    return value


def _flag(content, key, default=True):
    """A true/false field: anything but a JSON boolean (\"false\", 0, a list) is refused, not guessed."""
    value = content.get(key, default)
    if not isinstance(value, bool):
        raise ValidationError(_("This request is malformed (%(field)s).") % {"field": key})
    return value


def _readable_room(user, content):
    """The room a frame names, if `user` may read it: as a page's 404, the refusal gives no hint
    whether it exists (the actions' own rules are the services')."""
    from chat import permissions, selectors

    room = selectors.room_with_rules(_id(content, "room"))
    if not permissions.can_read_room(user, room):
        raise PermissionDenied(_("You are not in this room."))
    return room


def _message(user, content):
    """The message a frame names, if `user` may read its room (no hint otherwise, as `_readable_room`)."""
    from chat import selectors

    try:
        return selectors.message_get_for_user(user, _id(content, "message"))
    except Exception as error:
        if isinstance(error, ValidationError):
            raise
        raise PermissionDenied(_("This message is not in a room of yours.")) from None


def _text(content, key):
    value = content.get(key, "")
    if not isinstance(value, str):
        raise ValidationError(_("This request is malformed (%(field)s).") % {"field": key})
    return value


def _ok(action, content):
    ref = content.get("ref") if isinstance(content.get("ref"), str) else None
    return [realtime.envelope("chat.ok", None, {"action": action, "ref": ref and ref[:64]})]


def send(socket, content):
    from chat import services

    user = _user(socket)
    room = _readable_room(user, content)
    reply_to = None if content.get("reply_to") is None else _id(content, "reply_to")
    client_id = _text(content, "client_id")
    message = services.message_send(actor=user, room=room.pk, body=_text(content, "body"), reply_to=reply_to,
                                    client_id=client_id)
    return [realtime.envelope("chat.sent", message.pk, {"room": room.pk, "client_id": client_id})]


def edit(socket, content):
    from chat import services

    user = _user(socket)
    services.message_edit(actor=user, message=_message(user, content).pk, body=_text(content, "body"))
    return _ok("chat.edit", content)


def delete(socket, content):
    from chat import services

    user = _user(socket)
    services.message_delete(actor=user, message=_message(user, content).pk)
    return _ok("chat.delete", content)


def react(socket, content):
    from chat import services

    user = _user(socket)
    services.reaction_toggle(actor=user, message=_message(user, content).pk, emoji=_text(content, "emoji"))
    return _ok("chat.react", content)


def read(socket, content):
    from chat import services

    user = _user(socket)
    services.room_mark_read(actor=user, room=_readable_room(user, content).pk, up_to=_id(content, "up_to"))
    return []  # chat.read goes to every tab of the member


def catch_up(socket, content):
    """Everything after the last message a tab saw (and what was edited or deleted since it left)."""
    from chat import selectors

    user = _user(socket)
    room = _readable_room(user, content)
    after = _id(content, "after")
    messages, has_more = selectors.messages_after(room, after)
    changed = []
    since = content.get("since")
    if since is not None:
        try:
            moment = datetime.fromisoformat(_text(content, "since"))
        except ValueError:
            raise ValidationError(_("This request is malformed (%(field)s).") % {"field": "since"}) from None
        if moment.tzinfo is None:
            raise ValidationError(_("This request is malformed (%(field)s).") % {"field": "since"})
        changed = selectors.changed_since(room, after, moment)
    return [realtime.envelope("chat.history", room.pk, {
        "room": room.pk, "messages": [selectors.message_payload(m) for m in messages],
        "changed": [selectors.message_payload(m) for m in changed], "has_more": has_more,
    })]


def _spend(socket, key, budget, now, window=60):
    """Whether the socket may broadcast one more `key` signal in the sliding `window`."""
    times = [t for t in socket.state.get(key, ()) if now - t < window]
    if len(times) >= budget:
        socket.state[key] = times
        return False
    socket.state[key] = [*times, now]
    return True


def typing(socket, content):
    """Throttled per socket and room; checked against the room at most once a minute."""
    from chat import services

    room_id = _id(content, "room")
    is_typing = _flag(content, "typing")
    if not socket.follows(f"chatroom.{room_id}"):
        raise PermissionDenied(_("Open the room before typing in it."))
    now = time.monotonic()
    last = socket.state.setdefault("typing", {})
    if is_typing and now - last.get(room_id, -TYPING_THROTTLE) < TYPING_THROTTLE:
        return []
    if not _spend(socket, f"typing_budget.{room_id}", TYPING_BUDGET, now):
        return []
    last[room_id] = now if is_typing else -TYPING_THROTTLE
    checked = socket.state.setdefault("typing_checked", {})
    cached = checked.get(room_id)
    if cached is None or now - cached[1] > CHECK_CACHE:
        user = _user(socket)
        room = _readable_room(user, {"room": room_id})
        cached = ((user, room), now)
        checked[room_id] = cached
    (user, room), _when = cached
    services.typing_announce(user=user, room=room, typing=is_typing)
    return []


def presence(socket, content):
    from chat import services

    active = _flag(content, "active")
    now = time.monotonic()
    last = socket.state.get("presence")
    if last is not None and last[0] == active and now - last[1] < PRESENCE_THROTTLE:
        return []
    if not _spend(socket, "presence_budget", PRESENCE_BUDGET, now):
        return []
    _user(socket)
    socket.state["presence"] = (active, now)
    services.presence_report(user_id=socket.user_id, channel_name=socket.channel_name, active=active)
    return []


def _disconnected(socket):
    from chat import services

    if "presence" in socket.state:
        services.presence_disconnect(user_id=socket.user_id, channel_name=socket.channel_name)


for _name, _handler in {
    "chat.send": send, "chat.edit": edit, "chat.delete": delete, "chat.react": react, "chat.read": read,
    "chat.catch_up": catch_up, "chat.typing": typing, "chat.presence": presence,
}.items():
    realtime.register_action(_name, _handler)
realtime.register_disconnect(_disconnected)


# --- Every space has its room ------------------------------------------------------------------


def create_space_room(sender, space, **kwargs):
    """A new space gets its room in the transaction that made it (core.spaces.space_created)."""
    from chat import services

    services.space_room_create(space=space)


spaces.space_created.connect(create_space_room, dispatch_uid="chat_space_room")


# --- Desk ---------------------------------------------------------------------------------------


spaces.register_module(spaces.SpaceModule(
    key="chat", label=gettext_lazy("Chat"), order=20, url=lambda space: reverse("chat:space", args=[space.pk]),
))


def _rooms_widget(request):
    from chat import selectors

    rooms = selectors.rooms_for(request.user)
    return {"rooms": [room for room in rooms if room.unread][:8], "total": sum(room.unread for room in rooms)}


register_widget(Widget(key="chat-unread", title=gettext_lazy("Discussions"), template="chat/widgets/unread.html",
                       context=_rooms_widget, order=16))
register_nav(NavEntry(key="chat", label=gettext_lazy("Discussions"), url_name="chat:index", order=25))
