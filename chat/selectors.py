"""Chat reads, scoped to a member: their rooms with unread counts, history pages, search,
presence. Each list is a fixed number of queries, whatever the number of rooms or messages."""

from django.db import connection
from django.db.models import CharField, Count, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from chat import permissions
from chat.models import Attachment, Connection, Message, Preference, Presence, Reaction, Room, RoomMember
from extranet import markdown
from members import permissions as member_permissions

PAGE_SIZE = 50
CATCH_UP_MAX = 200
SEARCH_MAX = 200
UNREAD_CAP = 99  # counts beyond this show as "99+"
STALE_SECONDS = 150


# --- Rooms -------------------------------------------------------------------------------------


def _rooms_base():
    participants = RoomMember.objects.filter(is_participant=True).select_related("user").order_by("user__display_name")
    return (Room.objects.select_related("space__territory", "space__workgroup")
            .prefetch_related(Prefetch("members", queryset=participants, to_attr="participants")))


def _with_read_state(rooms, user):
    last_read = RoomMember.objects.filter(room=OuterRef("pk"), user=user).values("last_read_id")[:1]
    return rooms.annotate(last_read=Coalesce(Subquery(last_read), Value(0)))


def annotate_unread(rooms, user):
    """Set `unread` on each room (messages by others after the member's last read, since they joined).

    One query for the whole list: the counts are grouped by room.
    """
    rooms = list(rooms)
    if not rooms:
        return rooms
    since = user.date_joined
    conditions = Q()
    for room in rooms:
        conditions |= Q(room_id=room.pk, id__gt=room.last_read)
    counts = dict(
        Message.objects.filter(conditions, deleted_at__isnull=True, created_at__gt=since).exclude(author=user)
        .values_list("room_id").annotate(n=Count("id")).values_list("room_id", "n")
    )
    for room in rooms:
        room.unread = counts.get(room.pk, 0)
        _set_labels(room, user)
    return rooms


def _set_labels(room, user):
    """`label` (what the room is called for `user`) and `others` (the other participants)."""
    if room.is_direct:
        participants = [m.user for m in getattr(room, "participants", [])]
        room._participant_ids = {u.pk for u in participants}
        room.others = [u for u in participants if u.pk != user.pk]
        room.label = ", ".join(u.display_name for u in room.others) or str(room)
    else:
        room.others = []
        room.label = str(room.space)


def rooms_for(user):
    """The member's rooms, most recent activity first, with `unread`, `label`, `last_read`."""
    rooms = _with_read_state(_rooms_base().filter(permissions.my_rooms_q(user)), user)
    rooms = rooms.order_by(Coalesce("last_message_at", "created_at").desc(), "-id")
    return annotate_unread(rooms, user)


def unread_total(user):
    return sum(room.unread for room in rooms_for(user))


def room_get_for_user(user, pk):
    """A room `user` may read, with its read state and labels; 404 otherwise (no hint it exists)."""
    room = _with_read_state(_rooms_base().filter(pk=pk), user).first()
    if room is None:
        raise Http404
    _set_labels(room, user)
    if not permissions.can_read_room(user, room):
        raise Http404
    return room


def unread_count(user, room, last_read):
    return (Message.objects.filter(room=room, id__gt=last_read, deleted_at__isnull=True,
                                   created_at__gt=user.date_joined).exclude(author=user).count())


# --- Messages --------------------------------------------------------------------------------


def _messages():
    return (Message.objects.select_related("author", "reply_to__author")
            .prefetch_related("attachments", Prefetch("reactions", queryset=Reaction.objects.select_related("user"))))


def message_with_related(pk):
    return _messages().get(pk=pk)


def message_get_for_user(user, pk):
    message = Message.objects.select_related("room__space__workgroup", "room__space__territory", "author").filter(
        pk=pk).first()
    if message is None or not permissions.can_read_room(user, message.room):
        raise Http404
    return message


def _in_room(messages, room):
    for message in messages:
        message.room = room  # known: no query per message when a rule looks at it
    return messages


def messages_before(room, before=None, limit=PAGE_SIZE):
    """(messages oldest first, has_older) of the page ending before message `before` (None: the latest)."""
    messages = _messages().filter(room=room)
    if before is not None:
        messages = messages.filter(id__lt=before)
    page = list(messages.order_by("-id")[:limit + 1])
    has_older = len(page) > limit
    return _in_room(list(reversed(page[:limit])), room), has_older


def messages_after(room, after, limit=CATCH_UP_MAX):
    """(messages oldest first, has_more) after message `after`, edits and deletions included."""
    page = list(_messages().filter(room=room, id__gt=after).order_by("id")[:limit + 1])
    return _in_room(page[:limit], room), len(page) > limit


def changed_since(room, after, since):
    """Messages up to `after` edited or deleted since `since` (what a reconnecting tab must redraw)."""
    return list(_messages().filter(room=room, id__lte=after).filter(
        Q(edited_at__gt=since) | Q(deleted_at__gt=since)).order_by("id")[:CATCH_UP_MAX])


def message_url(message):
    return f"{reverse('chat:room', args=[message.room_id])}?autour={message.pk}#message-{message.pk}"


def _summarise(reactions):
    """[{emoji, count, users: [ids], names: [names]}] of reactions (with their users), in order."""
    entries = {}
    for reaction in reactions:
        entry = entries.setdefault(reaction.emoji, {"emoji": reaction.emoji, "count": 0, "users": [], "names": []})
        entry["count"] += 1
        entry["users"].append(reaction.user_id)
        entry["names"].append(reaction.user.display_name)
    return list(entries.values())


def reaction_summary(message_ids):
    """{message id: summary} for these messages, one query."""
    by_message = {}
    for reaction in Reaction.objects.filter(message_id__in=message_ids).select_related("user").order_by("id"):
        by_message.setdefault(reaction.message_id, []).append(reaction)
    return {pk: _summarise(reactions) for pk, reactions in by_message.items()}


def reactions_of(message):
    return _summarise(message.reactions.all())  # prefetched, in id order


def _excerpt(message, length=120):
    if message.is_deleted:
        return ""
    text = " ".join(message.body.split())
    return text if len(text) <= length else text[:length - 1] + "…"


def message_payload(message):
    """What the browser needs to draw a message (the HTML is sanitised when stored)."""
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


def attachment_get_for_user(user, pk):
    attachment = Attachment.objects.select_related("message__room__space__workgroup").filter(pk=pk).first()
    if attachment is None or attachment.message.is_deleted or not permissions.can_read_room(
            user, attachment.message.room):
        raise Http404
    return attachment


# --- Search ----------------------------------------------------------------------------------


def search_messages(user, query, room=None):
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
    return messages.select_related("author", "room__space__territory", "room__space__workgroup").order_by("-id")


# --- People ------------------------------------------------------------------------------------


def direct_candidates(user, query, limit=8):
    """Approved members `user` may write to whose name starts a word with `query`."""
    if not member_permissions.is_approved(user):
        return []
    return markdown.name_candidates(member_permissions.approved_members().exclude(pk=user.pk), query, limit)


def mention_candidates(user, room, query, limit=8):
    if not permissions.can_read_room(user, room):
        return []
    if room.is_direct:
        members = member_permissions.approved_members().filter(pk__in=permissions._participant_ids(room))
    else:
        members = room.space.members()
    return markdown.name_candidates(members, query, limit)


def preference(user):
    """The member's chat preferences (defaults when never saved: share both)."""
    found = Preference.objects.filter(user=user).first()
    return found or Preference(user=user)


def computed_status(user_id):
    """online (a tab active), away (tabs open, all idle), offline; offline too if not shared."""
    if not Preference.objects.filter(user_id=user_id, share_presence=False).exists():
        cutoff = timezone.now() - timezone.timedelta(seconds=STALE_SECONDS)
        states = set(Connection.objects.filter(user_id=user_id, seen_at__gte=cutoff).values_list("active", flat=True))
        if True in states:
            return Presence.Status.ONLINE
        if states:
            return Presence.Status.AWAY
    return Presence.Status.OFFLINE


def presence_of(user_ids):
    """{user id: status} for these members (offline when unknown), one query."""
    statuses = dict(Presence.objects.filter(user_id__in=list(user_ids)).values_list("user_id", "status"))
    return {pk: statuses.get(pk, Presence.Status.OFFLINE) for pk in user_ids}


def member_ids(room):
    """Ids of the room's members for the presence panel; None for the network room (everyone)."""
    if room.is_direct:
        return sorted(permissions._participant_ids(room))
    if room.space.kind == room.space.Kind.NETWORK:
        return None
    return sorted(room.space.members().values_list("pk", flat=True))


def online_members(room, limit=30):
    """Members of the room online or away now (for the room's side panel), one query."""
    present = Presence.objects.exclude(status=Presence.Status.OFFLINE)
    if room.is_direct:
        users = member_permissions.approved_members().filter(pk__in=permissions._participant_ids(room))
    else:
        users = room.space.members()
    users = users.filter(pk__in=present.values("user_id"))
    return list(users.annotate(presence=Subquery(present.filter(user_id=OuterRef("pk")).values("status")[:1],
                                                 output_field=CharField()))
                .order_by("display_name")[:limit])
