"""Chat reads, scoped to a member: their rooms with unread counts, history pages, search,
presence. Each list is a fixed number of queries, whatever the number of rooms or messages.

`<thing>_get_for_user(user, pk)` fetches and authorises in one step (404, no hint it
exists); `room_with_rules` / `message_with_rules` fetch what a service then authorises
itself (with what every kind of space's rules read: `core.spaces.related_for_rules`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from html import unescape
from typing import TYPE_CHECKING, Any, TypeGuard

from django.db import connection
from django.db.models import CharField, Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from chat import permissions
from chat.models import Attachment, Connection, Message, Preference, Presence, Reaction, Room, RoomMember
from core import markdown, spaces
from members import permissions as member_permissions

if TYPE_CHECKING:
    from datetime import datetime

    from members.models import User

PAGE_SIZE = 50
CATCH_UP_MAX = 200
SEARCH_MAX = 200
UNREAD_CAP = 99  # counts beyond this show as "99+"
STALE_SECONDS = 150


# --- Rooms -------------------------------------------------------------------------------------


def _rooms_base() -> QuerySet[Room]:
    participants = RoomMember.objects.filter(is_participant=True).select_related("user").order_by("user__display_name")
    return (Room.objects.select_related("space", *spaces.related_for_rules("space"))
            .prefetch_related(Prefetch("members", queryset=participants, to_attr="participants")))


def _with_read_state(rooms: QuerySet[Room], user: User) -> QuerySet[Room]:
    last_read = RoomMember.objects.filter(room=OuterRef("pk"), user=user).values("last_read_id")[:1]
    return rooms.annotate(last_read=Coalesce(Subquery(last_read), Value(0)))


def annotate_unread(rooms: Iterable[Room], user: User) -> list[Room]:
    """Set `unread` on each room (messages by others after the member's last read, since they joined).

    One query for the whole list: the counts are grouped by room.
    """
    rooms = list(rooms)
    if not rooms:
        return rooms
    since = user.date_joined
    conditions = Q()
    for room in rooms:
        conditions |= Q(room_id=room.pk, id__gt=room.last_read)  # type: ignore[attr-defined]  # annotated
    counts = dict(
        Message.objects.filter(conditions, deleted_at__isnull=True, created_at__gt=since).exclude(author=user)
        .values_list("room_id").annotate(n=Count("id")).values_list("room_id", "n")
    )
    for room in rooms:
        room.unread = counts.get(room.pk, 0)  # type: ignore[attr-defined]  # set on the listed rooms
        _set_labels(room, user)
    return rooms


def _set_labels(room: Room, user: User) -> None:
    """`label` (what the room is called for `user`) and `others` (the other participants)."""
    if room.is_direct:
        participants = [m.user for m in getattr(room, "participants", [])]
        room._participant_ids = {u.pk for u in participants}  # type: ignore[attr-defined]  # permissions' cache
        others = [u for u in participants if u.pk != user.pk]
        label = ", ".join(u.display_name for u in others) or str(room)
    else:
        others = []
        label = str(room.space)
    # Attributes of the listed rooms, not fields.
    room.others = others  # type: ignore[attr-defined]
    room.label = label  # type: ignore[attr-defined]


def rooms_for(user: User) -> list[Room]:
    """The member's rooms, most recent activity first, with `unread`, `label`, `last_read`."""
    rooms = _with_read_state(_rooms_base().filter(permissions.my_rooms_q(user)), user)
    rooms = rooms.order_by(Coalesce("last_message_at", "created_at").desc(), "-id")
    return annotate_unread(rooms, user)


PREVIEW_LENGTH = 80


def _with_last_message(rooms: QuerySet[Room]) -> QuerySet[Room]:
    """The room's last message as annotations (its author's name, its HTML, deleted or not):
    subqueries of the room list's one query, whatever the number of rooms."""
    last = Message.objects.filter(pk=OuterRef("last_message_id"))
    return rooms.annotate(
        last_author_name=Subquery(last.values("author__display_name")[:1], output_field=CharField()),
        last_author_id=Subquery(last.values("author_id")[:1]),
        last_html=Subquery(last.values("html")[:1], output_field=CharField()),
        last_deleted_at=Subquery(last.values("deleted_at")[:1]),
    )


def preview_text(html: str | None, length: int = PREVIEW_LENGTH) -> str:
    """The first `length` characters of a message as plain text (its sanitised HTML without
    the tags, entities decoded, spaces collapsed), "…" when cut."""
    text = " ".join(unescape(strip_tags(html or "")).split())
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def room_list_for(user: User) -> list[Room]:
    """`rooms_for` with what the room list shows: `preview` (plain text of the last message,
    "" when deleted or none), `preview_author`, `preview_deleted`, and for direct rooms
    `other` (the other participant, for the avatar) and `presence` (their status). Two
    queries more than `rooms_for` at most, whatever the number of rooms."""
    listed = _with_read_state(_rooms_base().filter(permissions.my_rooms_q(user)), user)
    listed = _with_last_message(listed.order_by(Coalesce("last_message_at", "created_at").desc(), "-id"))
    rooms = annotate_unread(listed, user)
    for room in rooms:
        deleted = room.last_deleted_at is not None  # type: ignore[attr-defined]  # annotated
        room.preview_deleted = bool(room.last_author_name) and deleted  # type: ignore[attr-defined]
        room.preview = "" if deleted else preview_text(room.last_html)  # type: ignore[attr-defined]
        room.preview_author = (  # type: ignore[attr-defined]
            "" if not room.last_author_name or room.last_author_id == user.pk  # type: ignore[attr-defined]
            else room.last_author_name)  # type: ignore[attr-defined]
        room.preview_mine = bool(room.last_author_name) and room.last_author_id == user.pk  # type: ignore[attr-defined]
        room.other = room.others[0] if room.is_direct and room.others else None  # type: ignore[attr-defined]
    others = [room.other.pk for room in rooms if room.other is not None]  # type: ignore[attr-defined]
    statuses = presence_of(others) if others else {}
    for room in rooms:
        room.presence = statuses.get(room.other.pk) if room.other is not None else None  # type: ignore[attr-defined]
    return rooms


def unread_total(user: User) -> int:
    return sum(room.unread for room in rooms_for(user))  # type: ignore[attr-defined]  # set by annotate_unread


def room_get_for_user(user: User, pk: int) -> Room:
    """A room `user` may read, with its read state and labels; 404 otherwise (no hint it exists)."""
    room = _with_read_state(_rooms_base().filter(pk=pk), user).first()
    if room is None:
        raise Http404
    _set_labels(room, user)
    if not permissions.can_read_room(user, room):
        raise Http404
    return room


def room_with_rules(pk: int | None) -> Room | None:
    """The room `pk` with what its rules read, unauthorised (services decide), or None."""
    if not _is_id(pk):
        return None
    return Room.objects.select_related("space", *spaces.related_for_rules("space")).filter(pk=pk).first()


def unread_count(user: User, room: Room, last_read: int) -> int:
    return (Message.objects.filter(room=room, id__gt=last_read, deleted_at__isnull=True,
                                   created_at__gt=user.date_joined).exclude(author=user).count())


# --- Messages --------------------------------------------------------------------------------


def _is_id(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 62


def _messages() -> QuerySet[Message]:
    return (Message.objects.select_related("author", "reply_to__author")
            .prefetch_related("attachments", Prefetch("reactions", queryset=Reaction.objects.select_related("user"))))


def message_with_related(pk: int) -> Message:
    return _messages().get(pk=pk)


def message_with_rules(pk: int | None, *, lock: bool = False) -> Message | None:
    """The message `pk` with its room and what the room's rules read, unauthorised (services
    decide), or None. `lock`: its row locked until the transaction ends (inside one)."""
    if not _is_id(pk):
        return None
    messages = Message.objects.select_related("author", "room__space", *spaces.related_for_rules("room__space"))
    if lock:
        messages = messages.select_for_update(of=("self",))
    return messages.filter(pk=pk).first()


def message_get_for_user(user: User, pk: int) -> Message:
    message = message_with_rules(pk)
    if message is None or not permissions.can_read_room(user, message.room):
        raise Http404
    return message


def reply_target(room: Room, pk: int | None) -> Message | None:
    """The message `pk` if one may reply to it in `room` (a live message of that room), or None."""
    if not _is_id(pk):
        return None
    return Message.objects.select_related("author").filter(pk=pk, room=room, deleted_at__isnull=True).first()


def _in_room(messages: list[Message], room: Room) -> list[Message]:
    for message in messages:
        message.room = room  # known: no query per message when a rule looks at it
    return messages


def messages_before(room: Room, before: int | None = None, limit: int = PAGE_SIZE) -> tuple[list[Message], bool]:
    """(messages oldest first, has_older) of the page ending before message `before` (None: the latest)."""
    messages = _messages().filter(room=room)
    if before is not None:
        messages = messages.filter(id__lt=before)
    page = list(messages.order_by("-id")[:limit + 1])
    has_older = len(page) > limit
    return _in_room(list(reversed(page[:limit])), room), has_older


def messages_after(room: Room, after: int, limit: int = CATCH_UP_MAX) -> tuple[list[Message], bool]:
    """(messages oldest first, has_more) after message `after`, edits and deletions included."""
    page = list(_messages().filter(room=room, id__gt=after).order_by("id")[:limit + 1])
    return _in_room(page[:limit], room), len(page) > limit


def changed_since(room: Room, after: int, since: datetime) -> list[Message]:
    """Messages up to `after` edited or deleted since `since` (what a reconnecting tab must redraw)."""
    return list(_messages().filter(room=room, id__lte=after).filter(
        Q(edited_at__gt=since) | Q(deleted_at__gt=since)).order_by("id")[:CATCH_UP_MAX])


def message_url(message: Message) -> str:
    return f"{reverse('chat:room', args=[message.room_id])}?autour={message.pk}#message-{message.pk}"


def _summarise(reactions: Iterable[Reaction]) -> list[dict[str, Any]]:
    """[{emoji, count, users: [ids], names: [names]}] of reactions (with their users), in order."""
    entries: dict[str, dict[str, Any]] = {}
    for reaction in reactions:
        entry = entries.setdefault(reaction.emoji, {"emoji": reaction.emoji, "count": 0, "users": [], "names": []})
        entry["count"] += 1
        entry["users"].append(reaction.user_id)
        entry["names"].append(reaction.user.display_name)
    return list(entries.values())


def reaction_summary(message_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """{message id: summary} for these messages, one query."""
    by_message: dict[int, list[Reaction]] = {}
    for reaction in Reaction.objects.filter(message_id__in=message_ids).select_related("user").order_by("id"):
        by_message.setdefault(reaction.message_id, []).append(reaction)
    return {pk: _summarise(reactions) for pk, reactions in by_message.items()}


def reactions_of(message: Message) -> list[dict[str, Any]]:
    return _summarise(message.reactions.all())  # prefetched, in id order


def _excerpt(message: Message, length: int = 120) -> str:
    if message.is_deleted:
        return ""
    text = " ".join(message.body.split())
    return text if len(text) <= length else text[:length - 1] + "…"


def message_payload(message: Message) -> dict[str, Any]:
    """What the browser needs to draw a message (the HTML is sanitised when stored).

    The same for every reader (it is broadcast to the room): what the message's rules need
    to be answered for each reader in the browser is its author and `edit_until`, the edit
    deadline the server computes (`permissions.edit_deadline`; None once deleted); the
    reader's own answers for the room are on the page (`data-can-write`, `data-can-moderate`).
    """
    deleted = message.is_deleted
    reply = message.reply_to
    return {
        "id": message.pk,
        "room": message.room_id,
        "author": {"id": message.author_id, "name": message.author.display_name,
                   "url": reverse("members:profile", args=[message.author_id])},
        "html": "" if deleted else message.html,
        "body": "" if deleted else message.body,  # the Markdown source, for editing in place
        "created_at": message.created_at.isoformat(),
        "edit_until": None if deleted else permissions.edit_deadline(message).isoformat(),
        "edited": message.edited_at is not None,
        "deleted": deleted,
        "reply_to": None if reply is None else {
            "id": reply.pk, "author": reply.author.display_name, "excerpt": _excerpt(reply),
            "deleted": reply.is_deleted,
        },
        "reactions": [] if deleted else reactions_of(message),
        "attachments": [] if deleted else [
            {"url": reverse("chat:attachment", args=[a.pk, a.stored_name]), "name": a.name, "size": a.size,
             "is_image": a.is_image} for a in message.attachments.all()
        ],
    }


def attachment_get_for_user(user: User, pk: int) -> Attachment:
    """A file of a live message of a room `user` may read; 404 otherwise."""
    related = ["message__room__space", *spaces.related_for_rules("message__room__space")]
    attachment = Attachment.objects.select_related(*related).filter(pk=pk).first()
    if attachment is None or attachment.message.is_deleted or not permissions.can_read_room(
            user, attachment.message.room):
        raise Http404
    return attachment


# --- Search ----------------------------------------------------------------------------------


def search_messages(user: User, query: str, room: Room | None = None) -> QuerySet[Message]:
    """Live messages matching every word of `query`, in the rooms `user` belongs to."""
    mine = Room.objects.filter(permissions.my_rooms_q(user))
    messages = Message.objects.filter(deleted_at__isnull=True, room__in=mine)
    if room is not None:
        messages = messages.filter(room=room)
    query = " ".join((query or "").split())[:SEARCH_MAX]
    if not query:
        return messages.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        messages = messages.annotate(search=SearchVector("body", config="french")).filter(
            search=SearchQuery(query, config="french", search_type="websearch"))
    else:
        for word in query.split():
            messages = messages.filter(body__icontains=word)
    return messages.select_related("author", "room__space", *spaces.related_for_rules("room__space")).order_by("-id")


# --- People ------------------------------------------------------------------------------------


def direct_candidates(user: User, query: str, limit: int = 8) -> list[dict[str, Any]]:
    """Approved members `user` may write to whose name starts a word with `query`."""
    if not member_permissions.is_approved(user):
        return []
    return markdown.name_candidates(member_permissions.approved_members().exclude(pk=user.pk), query, limit)


def mention_candidates(user: User, room: Room, query: str, limit: int = 8) -> list[dict[str, Any]]:
    if not permissions.can_read_room(user, room):
        return []
    if room.is_direct:
        members = member_permissions.approved_members().filter(pk__in=permissions._participant_ids(room))
    else:
        members = permissions.space_of(room).members()
    return markdown.name_candidates(members, query, limit)


def preference(user: User) -> Preference:
    """The member's chat preferences (defaults when never saved: share both)."""
    found = Preference.objects.filter(user=user).first()
    return found or Preference(user=user)


def computed_status(user_id: int) -> str:
    """online (a tab active), away (tabs open, all idle), offline; offline too if not shared."""
    if not Preference.objects.filter(user_id=user_id, share_presence=False).exists():
        cutoff = timezone.now() - timedelta(seconds=STALE_SECONDS)
        states = set(Connection.objects.filter(user_id=user_id, seen_at__gte=cutoff).values_list("active", flat=True))
        if True in states:
            return Presence.Status.ONLINE
        if states:
            return Presence.Status.AWAY
    return Presence.Status.OFFLINE


def presence_of(user_ids: Iterable[int]) -> dict[int, str]:
    """{user id: status} for these members (offline when unknown), one query."""
    statuses = dict(Presence.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "status"))
    return {pk: statuses.get(pk, Presence.Status.OFFLINE) for pk in user_ids}


def member_ids(room: Room) -> list[int] | None:
    """Ids of the room's members for the presence panel; None when every approved member belongs."""
    if room.is_direct:
        return sorted(permissions._participant_ids(room))
    space = permissions.space_of(room)
    if space.is_open_to_all_members:
        return None
    return sorted(space.members().values_list("pk", flat=True))


def online_members(room: Room, limit: int = 30) -> list[User]:
    """Members of the room online or away now (for the room's side panel), one query."""
    present = Presence.objects.exclude(status=Presence.Status.OFFLINE)
    if room.is_direct:
        users = member_permissions.approved_members().filter(pk__in=permissions._participant_ids(room))
    else:
        users = permissions.space_of(room).members()
    users = users.filter(pk__in=present.values("user_id"))
    return list(users.annotate(presence=Subquery(present.filter(user_id=OuterRef("pk")).values("status")[:1],
                                                 output_field=CharField()))
                .order_by("display_name")[:limit])
