"""Every chat rule, one function each, answering a `core.permissions.Decision` (allowed, or
refused with the reason the member reads). Services `.check()` them, views and socket
handlers act on them, templates render them (per message: `data-can-edit`,
`data-can-delete`, `data-edit-until`) and the browser reads those attributes: nobody else
restates a rule or its reason.

A space's room asks its space; a direct conversation asks who takes part.

- Read a space's room: `Space.can_view` (its members, and those who may read the space's
  content: coordinators, readers of a public group). It is listed among one's rooms when
  one belongs to the space (`Space.objects.member_of`).
- Write in it (send, react, type): `Space.can_post`; moderate (delete others' messages):
  `Space.can_manage`.
- A direct conversation: read and write for its participants only (approved members);
  nobody moderates it. It is opened between members who may see each other's profile.
- Edit one's own message until `edit_deadline` (`EDIT_WINDOW` after it was sent) while one
  may still write there; delete one's own message at any time (moderators: any message of
  their space's room).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Space
from core.permissions import ALLOWED, Decision, refused
from members import permissions as member_permissions

if TYPE_CHECKING:
    from chat.models import Message, Room
    from members.models import User

EDIT_WINDOW = timedelta(minutes=15)
DIRECT_MAX_PEOPLE = 10  # the sender included


def _participant_ids(room: Room) -> set[int]:
    """Participants of a direct room, cached on the object (prefetched lists are used when present)."""
    cached = getattr(room, "_participant_ids", None)
    if cached is None:
        from chat.models import RoomMember

        cached = set(RoomMember.objects.filter(room=room, is_participant=True).values_list("user_id", flat=True))
        room._participant_ids = cached  # type: ignore[attr-defined]  # a cache on the instance, not a field
    return cached


def space_of(room: Room) -> Space:
    """The space of a space's room (a check constraint: every room of kind "space" has one)."""
    assert room.space is not None
    return room.space


def is_participant(user: User | None, room: Room) -> bool:
    return member_permissions.is_approved(user) and user.pk in _participant_ids(room)


# --- Rooms ------------------------------------------------------------------------------------


# A room or message that does not exist (None) is refused by every rule, with its reason.


def can_read_room(user: User | None, room: Room | None) -> Decision:
    if room is not None and member_permissions.is_approved(user):
        if is_participant(user, room) if room.is_direct else space_of(room).can_view(user):
            return ALLOWED
    return refused(_("You cannot read this room."))


def can_write(user: User | None, room: Room | None) -> Decision:
    """Send, react, type, and (with the messages' own rules) edit."""
    if room is not None and member_permissions.is_approved(user):
        if is_participant(user, room) if room.is_direct else space_of(room).can_post(user):
            return ALLOWED
    return refused(_("You cannot write in this room."))


def can_moderate(user: User | None, room: Room | None) -> Decision:
    """Remove anyone's message: the managers of a space's room; nobody in a direct conversation."""
    if (room is not None and not room.is_direct and member_permissions.is_approved(user)
            and space_of(room).can_manage(user)):
        return ALLOWED
    return refused(_("You do not moderate this room."))


# --- Messages -----------------------------------------------------------------------------------


def edit_deadline(message: Message) -> datetime:
    """Until when the author may edit `message` (the browser receives it: `edit_until`)."""
    return message.created_at + EDIT_WINDOW


def can_edit_message(user: User | None, message: Message | None, *, now: datetime | None = None,
                     may_write: Decision | None = None) -> Decision:
    """`may_write`: `can_write(user, message.room)` when the caller has it (a page of messages)."""
    if message is None or message.is_deleted or message.author_id != getattr(user, "pk", None):
        return refused(_("You can only edit your own messages."))
    writing = can_write(user, message.room) if may_write is None else may_write
    if not writing:
        return writing
    if (now or timezone.now()) > edit_deadline(message):
        return refused(_("A message can be edited during %(minutes)d minutes after it is sent.")
                       % {"minutes": EDIT_WINDOW.seconds // 60})
    return ALLOWED


def edit_refused_summary() -> str:
    """What a page says when an edit link no longer leads anywhere (the link was drawn when
    editing was allowed): the edit rule as a whole. The services, the socket and the JSON
    answer give the Decision's precise reason."""
    return (_("This message can no longer be edited (your own messages, for %(minutes)d minutes).")
            % {"minutes": EDIT_WINDOW.seconds // 60})


def can_delete_message(user: User | None, message: Message | None, *, may_read: Decision | None = None,
                       may_moderate: Decision | None = None) -> Decision:
    """`may_read`, `may_moderate`: the answers for the message's room when the caller has them."""
    if message is not None and not message.is_deleted:
        if message.author_id == getattr(user, "pk", None):
            allowed = can_read_room(user, message.room) if may_read is None else may_read
        else:
            allowed = can_moderate(user, message.room) if may_moderate is None else may_moderate
        if allowed:
            return ALLOWED
    return refused(_("You can only delete your own messages."))


def can_react(user: User | None, message: Message | None) -> Decision:
    if message is not None and not message.is_deleted and can_write(user, message.room):
        return ALLOWED
    return refused(_("You cannot react in this room."))


# --- Direct conversations, preferences ------------------------------------------------------------


def can_open_direct(user: User | None) -> Decision:
    if member_permissions.is_approved(user):
        return ALLOWED
    return refused(_("Only approved members can send direct messages."))


def _may_message(actor: User | None, other: User | None) -> bool:
    return (actor is not None and other is not None and actor.pk != other.pk
            and member_permissions.is_approved(other) and member_permissions.can_view_profile(actor, other)
            and member_permissions.can_view_profile(other, actor))


def can_message(actor: User | None, *others: User | None) -> Decision:
    """Whether `actor` may open a direct conversation with each of `others` (the reason names
    everyone refused)."""
    names = [str(other) for other in others if not _may_message(actor, other)]
    if not names:
        return ALLOWED
    return refused(_("You cannot write to: %(names)s.") % {"names": ", ".join(names)})


def can_set_preferences(user: User | None) -> Decision:
    if member_permissions.is_approved(user):
        return ALLOWED
    return refused(_("Only approved members have chat preferences."))


# --- Filters ------------------------------------------------------------------------------------


def my_rooms_q(user: User | None, prefix: str = "") -> Q:
    """The rooms listed as `user`'s: their spaces' rooms and their direct conversations (a filter)."""
    if not member_permissions.is_approved(user):
        return Q(pk__in=[])
    from chat.models import RoomMember

    direct = RoomMember.objects.filter(user=user, is_participant=True).values("room_id")
    # Their spaces that they may also read: not the room of a group still pending or refused.
    spaces = Space.objects.member_of(user).filter(pk__in=Space.objects.visible_to(user).values("pk"))
    return (Q(**{f"{prefix}kind": "space", f"{prefix}space__in": spaces})
            | Q(**{f"{prefix}kind": "direct", f"{prefix}pk__in": direct}))


def readable_rooms_q(user: User | None, prefix: str = "") -> Q:
    """The rooms `user` may read (a filter, one query as a subquery)."""
    if not member_permissions.is_approved(user):
        return Q(pk__in=[])
    from chat.models import RoomMember

    direct = RoomMember.objects.filter(user=user, is_participant=True).values("room_id")
    return (Q(**{f"{prefix}kind": "space", f"{prefix}space__in": Space.objects.visible_to(user)})
            | Q(**{f"{prefix}kind": "direct", f"{prefix}pk__in": direct}))
