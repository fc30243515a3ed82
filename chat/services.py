"""Chat services: every write goes through here (permission, validation, atomic write,
notifications, realtime events on commit).

Services take what the adapters (views, socket handlers) receive: ids and raw input (a
model instance is accepted too, for callers that hold one: only its id is used). Each one
fetches what it needs again, locks the row it changes, and asks `chat.permissions` (its
Decision's `.check()` raises PermissionDenied with the reason). Adapters resolve the object
a request names through a selector first only to answer 404 ("no hint it exists").

A message is stored before anything is sent: the socket handler and the form both call
`message_send`, which commits the row and only then publishes `chat.message` to the
room's group (`transaction.on_commit`). A tab that retries a message after a drop sends
the same `client_id`: a unique constraint makes it one message (the retry gets the first
back, and nothing is published twice).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import permissions, selectors
from chat.models import REACTIONS, Attachment, Connection, Message, Preference, Presence, Reaction, Room, RoomMember
from core import markdown, ratelimit, realtime, uploads
from core.services import activity_record, notify
from members import permissions as member_permissions

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from core.models import Space
    from members.models import User

logger = logging.getLogger(__name__)

BODY_MAX = 10_000  # characters, as Zulip
ATTACHMENTS_MAX = 5
ATTACHMENT_SIZE_MAX = 10 * 1024 * 1024
# Per member, every room together: a burst of RATE_LIMIT messages in RATE_WINDOW seconds.
RATE_LIMIT = 20
RATE_WINDOW = 10
# Edits, deletions and reactions of one member: generous for a person, a wall for a script.
ACTION_RATE_LIMIT = 60
ACTION_RATE_WINDOW = 60
CLIENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A socket that has not reported for this long no longer counts for presence (crashed process).
PRESENCE_STALE_SECONDS = 150


def room_group(room_id: int) -> str:
    return f"chatroom.{room_id}"


def _pk(value: Any) -> Any:
    """The id a service was given: as the adapters receive it, or the instance's own."""
    return value.pk if isinstance(value, models.Model) else value


PRESENCE_GROUP = "chatpresence.0"


# --- Rooms -----------------------------------------------------------------------------


def space_room_create(*, space: Space) -> Room:
    """A new space's room, in the transaction that made the space (received from
    core.spaces.space_created by chat.registrations; chat migration 0004 for older spaces)."""
    return Room.objects.create(kind=Room.Kind.SPACE, space=space)


def room_for_space(space: Space) -> Room:
    """The room of a space: made with the space (`space_room_create`), never on a read."""
    return Room.objects.get(space=space)


def direct_key(user_ids: Iterable[int]) -> str:
    return "-".join(str(pk) for pk in sorted(set(user_ids)))


def direct_room_open(*, actor: User, others: Iterable[int | User]) -> Room:
    """The direct conversation of `actor` with `others` (1 to 9 people, by id or as users),
    created if needed. An id that is not an approved member's (any more) is refused."""
    permissions.can_open_direct(actor).check()
    others = [other for other in others if other is not None]
    wanted = {pk for pk in others if not isinstance(pk, models.Model)}
    found = list(member_permissions.approved_members().filter(pk__in=wanted)) if wanted else []
    if len(found) < len(wanted):
        raise ValidationError({"members": _("Some of the people chosen can no longer be written to.")})
    chosen = [user for user in others if isinstance(user, models.Model)] + found
    people: dict[int, User] = {user.pk: user for user in chosen if user.pk != actor.pk}
    if not people:
        raise ValidationError({"members": _("Choose at least one person to write to.")})
    if len(people) + 1 > permissions.DIRECT_MAX_PEOPLE:
        raise ValidationError({"members": _("A conversation has at most %(n)d people, you included.")
                               % {"n": permissions.DIRECT_MAX_PEOPLE}})
    writing = permissions.can_message(actor, *people.values())
    if not writing:  # the rule's reason names everyone refused
        raise ValidationError({"members": writing.reason})
    key = direct_key([actor.pk, *people])
    existing = Room.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            room = Room.objects.create(kind=Room.Kind.DIRECT, direct_key=key, created_by=actor)
            RoomMember.objects.bulk_create([
                RoomMember(room=room, user_id=pk, is_participant=True) for pk in [actor.pk, *people]
            ])
    except IntegrityError:  # opened by someone else at the same moment: theirs is ours
        return Room.objects.get(direct_key=key)
    return room


# --- Messages ------------------------------------------------------------------------------


def _validate_body(body: Any, *, allow_empty: bool = False) -> str:
    body = (body or "").replace("\x00", "").replace("\r\n", "\n")
    if len(body) > BODY_MAX:
        raise ValidationError({"body": _(
            "The message has %(length)s characters; the limit is %(max)s. Split it, or attach a document."
        ) % {"length": f"{len(body):,}".replace(",", "\u202f"), "max": f"{BODY_MAX:,}".replace(",", "\u202f")}})
    if not body.strip() and not allow_empty:
        raise ValidationError({"body": _("The message is empty.")})
    return body.strip("\n")


def _check_rate(actor: User) -> None:
    if ratelimit.hit(f"chat:rate:{actor.pk}", limit=RATE_LIMIT, window=RATE_WINDOW):
        raise realtime.RateLimited(_(
            "You are sending messages too quickly: wait a few seconds. This message was not sent; "
            "it is still in the box."
        ))


def _check_action_rate(actor: User) -> None:
    if ratelimit.hit(f"chat:actions:{actor.pk}", limit=ACTION_RATE_LIMIT, window=ACTION_RATE_WINDOW):
        raise realtime.RateLimited(_("You are doing that too quickly: wait a minute, then try again."))


def _clean_client_id(client_id: Any) -> str:
    client_id = client_id or ""
    if client_id and not CLIENT_ID_RE.fullmatch(client_id):
        raise ValidationError({"client_id": _("This message's identifier is malformed: reload the page.")})
    return client_id


def message_send(*, actor: User, room: int | Room, body: str, reply_to: int | Message | None = None,
                 files: Sequence[UploadedFile] | None = None, client_id: str = "") -> Message:
    """Store a message in room `room` (an id), then (on commit) publish it to the room.
    Returns the message. `reply_to`: the id of the message answered, as received (None: none).

    Raises PermissionDenied (not allowed to write there), ValidationError (empty, too
    long, bad reply or files) or realtime.RateLimited (too many messages).
    """
    the_room = selectors.room_with_rules(_pk(room))
    permissions.can_write(actor, the_room).check()
    assert the_room is not None  # can_write refused a missing room
    client_id = _clean_client_id(client_id)
    if client_id:
        existing = Message.objects.filter(author=actor, client_id=client_id).first()
        if existing is not None:
            if existing.room_id != the_room.pk:
                raise ValidationError({"client_id": _("This message's identifier is already used: reload the page.")})
            return existing
    checked = uploads.validate(files, max_count=ATTACHMENTS_MAX, max_size=ATTACHMENT_SIZE_MAX,
                               too_many=_("At most %(n)d files per message."))
    body = _validate_body(body, allow_empty=bool(checked))
    if reply_to is not None:
        reply_to = selectors.reply_target(the_room, _pk(reply_to))
        if reply_to is None:  # deleted, of another room, or never was
            raise ValidationError({"reply_to": _("The message you are replying to is no longer in this room.")})
    _check_rate(actor)
    mentions = markdown.resolve_mentions(body, among=member_permissions.approved_members())
    try:
        with transaction.atomic():
            message = Message.objects.create(
                room=the_room, author=actor, body=body, html=markdown.render_message(body, mentions),
                reply_to=reply_to, client_id=client_id,
            )
            uploads.save_files(Attachment, checked, message=message)
            previous_last = Room.objects.filter(pk=the_room.pk).values_list("last_message_id", flat=True).first() or 0
            Room.objects.filter(pk=the_room.pk, last_message_id__lt=message.pk).update(
                last_message_id=message.pk, last_message_at=message.created_at)
            _read_up_to(actor, the_room, message.pk)  # one's own message is read
            _notify(actor, the_room, message, mentions, previous_last)
            payload = selectors.message_payload(selectors.message_with_related(message.pk))
            realtime.publish(room_group(the_room.pk), "chat.message", message.pk, payload)
    except IntegrityError:
        if client_id:  # the same message sent twice at once: the other request stored it
            return Message.objects.get(author=actor, client_id=client_id)
        raise
    return message


def _notify(actor: User, room: Room, message: Message, mentions: dict[Any, User], previous_last: int) -> None:
    """Mentions (if the person may read the room) and, in direct conversations, the first unread message."""
    url = selectors.message_url(message)
    notified = set()
    for user in mentions.values():
        if user.pk != actor.pk and permissions.can_read_room(user, room):
            notify(recipient=user, verb="chat.mentioned", target=room, actor=actor, url=url)
            notified.add(user.pk)
    if room.is_direct:
        # One notification per burst: only for those who had read everything before this message.
        waiting = (RoomMember.objects.filter(room=room, is_participant=True, last_read_id__gte=previous_last)
                   .exclude(user_id__in=notified | {actor.pk}).select_related("user"))
        for member in waiting:
            notify(recipient=member.user, verb="chat.direct_message", target=room, actor=actor, url=url)


def message_edit(*, actor: User, message: int | Message, body: str) -> Message:
    """Change the text of message `message` (an id); its row is locked meanwhile."""
    with transaction.atomic():
        the_message = selectors.message_with_rules(_pk(message), lock=True)
        permissions.can_edit_message(actor, the_message).check()
        assert the_message is not None  # refused above when missing
        body = _validate_body(body, allow_empty=the_message.attachments.exists())
        if body == the_message.body:
            return the_message
        _check_action_rate(actor)
        before = set(markdown.mentions_in(the_message.body))
        mentions = markdown.resolve_mentions(body, among=member_permissions.approved_members())
        the_message.body = body
        the_message.html = markdown.render_message(body, mentions)
        the_message.edited_at = timezone.now()
        the_message.save(update_fields=["body", "html", "edited_at"])
        new = {key: user for key, user in mentions.items() if key not in before}
        for user in new.values():
            if user.pk != actor.pk and permissions.can_read_room(user, the_message.room):
                notify(recipient=user, verb="chat.mentioned", target=the_message.room, actor=actor,
                       url=selectors.message_url(the_message))
        _publish_update(the_message)
    return the_message


def message_delete(*, actor: User, message: int | Message) -> Message:
    """Delete message `message` (an id) for everyone; its row is locked meanwhile."""
    with transaction.atomic():
        the_message = selectors.message_with_rules(_pk(message), lock=True)
        permissions.can_delete_message(actor, the_message).check()
        assert the_message is not None  # refused above when missing
        _check_action_rate(actor)
        the_message.deleted_at = timezone.now()
        the_message.deleted_by = actor
        the_message.save(update_fields=["deleted_at", "deleted_by"])
        if actor.pk != the_message.author_id:
            activity_record(actor=actor, verb="chat.message_removed", target=the_message.room,
                            space=the_message.room.space,
                            data={"author": str(the_message.author), "message": the_message.pk})
        _publish_update(the_message)
    return the_message


def _publish_update(message: Message) -> None:
    payload = selectors.message_payload(selectors.message_with_related(message.pk))
    realtime.publish(room_group(message.room_id), "chat.message_updated", message.pk, payload)


def reaction_toggle(*, actor: User, message: int | Message, emoji: str) -> bool:
    """Add `emoji` from `actor` to message `message` (an id), or take it back. Returns True when added."""
    if not isinstance(emoji, str) or emoji not in REACTIONS:
        raise ValidationError({"emoji": _("Choose one of the reactions offered.")})
    the_message = selectors.message_with_rules(_pk(message))
    permissions.can_react(actor, the_message).check()
    assert the_message is not None  # refused above when missing
    _check_action_rate(actor)
    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(message=the_message, user=actor, emoji=emoji).delete()
        added = not deleted
        if added:
            try:
                with transaction.atomic():
                    Reaction.objects.create(message=the_message, user=actor, emoji=emoji)
            except IntegrityError:  # the same click twice at once
                added = True
        reactions = selectors.reaction_summary([the_message.pk]).get(the_message.pk, [])
        realtime.publish(room_group(the_message.room_id), "chat.reactions", the_message.pk,
                         {"room": the_message.room_id, "message": the_message.pk, "reactions": reactions})
    return added


# --- Read state ----------------------------------------------------------------------------


def _read_up_to(user: User, room: Room, message_id: int) -> int:
    member, _created = RoomMember.objects.get_or_create(room=room, user=user)
    return RoomMember.objects.filter(pk=member.pk, last_read_id__lt=message_id).update(last_read_id=message_id)


def room_mark_read(*, actor: User, room: int | Room, up_to: Any = None) -> bool:
    """Mark room `room` (an id) read up to message `up_to` (as received; default: its last);
    never goes backwards. Returns whether anything changed."""
    the_room = selectors.room_with_rules(_pk(room))
    permissions.can_read_room(actor, the_room).check()
    assert the_room is not None  # refused above when missing
    last = the_room.last_message_id or 0
    try:
        up_to = last if up_to is None else min(int(up_to), last)
    except (TypeError, ValueError):
        raise ValidationError({"up_to": _("This message number is not valid.")}) from None
    if up_to < 0:
        raise ValidationError({"up_to": _("This message number is not valid.")})
    with transaction.atomic():
        changed = _read_up_to(actor, the_room, up_to)
        if changed:
            last_read = RoomMember.objects.get(room=the_room, user=actor).last_read_id
            unread = selectors.unread_count(actor, the_room, last_read)
            realtime.publish_to_user(actor.pk, "chat.read", the_room.pk,
                                     {"room": the_room.pk, "last_read": last_read, "unread": unread})
    return bool(changed)


# --- Preferences and presence --------------------------------------------------------------


def preference_set(*, actor: User, share_presence: bool, share_typing: bool) -> None:
    permissions.can_set_preferences(actor).check()
    with transaction.atomic():
        Preference.objects.update_or_create(
            user=actor, defaults={"share_presence": bool(share_presence), "share_typing": bool(share_typing)})
        _presence_refresh(actor.pk)


def presence_report(*, user_id: int, channel_name: str, active: bool) -> str:
    """A socket says its tab is active (input, focus) or idle; others learn when the status changes."""
    with transaction.atomic():
        Connection.objects.update_or_create(
            channel_name=channel_name, defaults={"user_id": user_id, "active": bool(active), "seen_at": timezone.now()})
        return _presence_refresh(user_id)


def presence_disconnect(*, user_id: int, channel_name: str) -> str | None:
    with transaction.atomic():
        deleted, _rows = Connection.objects.filter(channel_name=channel_name).delete()
        if deleted:
            return _presence_refresh(user_id)
    return None


def _presence_refresh(user_id: int) -> str:
    """Recompute the member's status from their live sockets; publish it when it changed."""
    presence, _created = Presence.objects.get_or_create(user_id=user_id)
    # One tab at a time decides (the member's row is locked until the transaction ends).
    presence = Presence.objects.select_for_update(of=("self",)).select_related("user").get(pk=presence.pk)
    status = selectors.computed_status(user_id)
    if status != presence.status:
        presence.status = status
        presence.changed_at = timezone.now()
        presence.save(update_fields=["status", "changed_at"])
        user = presence.user
        realtime.publish(PRESENCE_GROUP, "chat.presence", user_id, {
            "user": user_id, "status": status, "name": user.display_name,
            "url": reverse("members:profile", args=[user_id]),
        })
    return status


def presence_sweep() -> int:
    """Forget sockets that stopped reporting (their process died); their members' statuses follow."""
    cutoff = timezone.now() - timedelta(seconds=PRESENCE_STALE_SECONDS)
    stale = Connection.objects.filter(seen_at__lt=cutoff)
    user_ids = set(stale.values_list("user_id", flat=True))
    stale.delete()
    stuck = set(Presence.objects.exclude(status=Presence.Status.OFFLINE)
                .exclude(user_id__in=Connection.objects.values("user_id")).values_list("user_id", flat=True))
    for user_id in sorted(user_ids | stuck):
        with transaction.atomic():
            _presence_refresh(user_id)
    return len(user_ids | stuck)


# --- Typing ----------------------------------------------------------------------------------


def typing_announce(*, user: User, room: Room, typing: bool) -> bool:
    """Tell the room's readers that `user` started or stopped typing (when they share it).

    Takes the room itself, unlike the other services: the socket checked it and keeps it for
    a minute (typing is signalled every few seconds); the rule is asked again every time."""
    permissions.can_write(user, room).check()
    if not selectors.preference(user).share_typing:
        return False
    realtime.send_now(room_group(room.pk), realtime.envelope(
        "chat.typing", user.pk, {"room": room.pk, "user": user.pk, "name": user.display_name, "typing": bool(typing)}))
    return True
