"""Every chat rule. A space's room asks its space; a direct conversation asks who takes part.

- Read a space's room: `Space.can_view` (its members, and those who may read the space's
  content: coordinators, readers of a public group). It is listed among one's rooms when
  one belongs to the space (`Space.objects.member_of`).
- Write in it (send, react, type): `Space.can_post`; moderate (delete others' messages):
  `Space.can_manage`.
- A direct conversation: read and write for its participants only (approved members);
  nobody moderates it. It is opened between members who may see each other's profile.
- Edit one's own message within `EDIT_WINDOW` while one may still write there; delete
  one's own message at any time (moderators: any message of their space's room).
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from extranet.models import Space
from members import permissions as member_permissions

EDIT_WINDOW = timedelta(minutes=15)
DIRECT_MAX_PEOPLE = 10  # the sender included


def _participant_ids(room):
    """Participants of a direct room, cached on the object (prefetched lists are used when present)."""
    cached = getattr(room, "_participant_ids", None)
    if cached is None:
        from chat.models import RoomMember

        cached = set(RoomMember.objects.filter(room=room, is_participant=True).values_list("user_id", flat=True))
        room._participant_ids = cached
    return cached


def is_participant(user, room):
    return member_permissions.is_approved(user) and user.pk in _participant_ids(room)


def can_read_room(user, room):
    if not member_permissions.is_approved(user):
        return False
    if room.is_direct:
        return is_participant(user, room)
    return room.space.can_view(user)


def can_write(user, room):
    if not member_permissions.is_approved(user):
        return False
    if room.is_direct:
        return is_participant(user, room)
    return room.space.can_post(user)


def can_moderate(user, room):
    return not room.is_direct and member_permissions.is_approved(user) and room.space.can_manage(user)


def can_edit_message(user, message, now=None, may_write=None):
    """`may_write`: the answer of can_write for the message's room, when the caller knows it."""
    if message.is_deleted or message.author_id != getattr(user, "pk", None):
        return False
    if (now or timezone.now()) - message.created_at > EDIT_WINDOW:
        return False
    return can_write(user, message.room) if may_write is None else may_write


def can_delete_message(user, message, may_read=None, may_moderate=None):
    """`may_read`, `may_moderate`: the answers for the message's room, when the caller knows them."""
    if message.is_deleted:
        return False
    if message.author_id == getattr(user, "pk", None):
        return can_read_room(user, message.room) if may_read is None else may_read
    return can_moderate(user, message.room) if may_moderate is None else may_moderate


def can_message(actor, other):
    """Whether `actor` may open a direct conversation with `other`."""
    if actor is None or other is None or actor.pk == other.pk:
        return False
    return (member_permissions.is_approved(other) and member_permissions.can_view_profile(actor, other)
            and member_permissions.can_view_profile(other, actor))


def my_rooms_q(user, prefix=""):
    """The rooms listed as `user`'s: their spaces' rooms and their direct conversations (a filter)."""
    if not member_permissions.is_approved(user):
        return Q(pk__in=[])
    from chat.models import RoomMember

    direct = RoomMember.objects.filter(user=user, is_participant=True).values("room_id")
    # Their spaces that they may also read: not the room of a group still pending or refused.
    spaces = Space.objects.member_of(user).filter(pk__in=Space.objects.visible_to(user).values("pk"))
    return (Q(**{f"{prefix}kind": "space", f"{prefix}space__in": spaces})
            | Q(**{f"{prefix}kind": "direct", f"{prefix}pk__in": direct}))


def readable_rooms_q(user, prefix=""):
    """The rooms `user` may read (a filter, one query as a subquery)."""
    if not member_permissions.is_approved(user):
        return Q(pk__in=[])
    from chat.models import RoomMember

    direct = RoomMember.objects.filter(user=user, is_participant=True).values("room_id")
    return (Q(**{f"{prefix}kind": "space", f"{prefix}space__in": Space.objects.visible_to(user)})
            | Q(**{f"{prefix}kind": "direct", f"{prefix}pk__in": direct}))
