"""Chat services: every write goes through here (permission, validation, atomic write,
notifications, realtime events on commit).

A message is stored before anything is sent: the socket handler and the form both call
`message_send`, which commits the row and only then publishes `chat.message` to the
room's group (`transaction.on_commit`). A tab that retries a message after a drop sends
the same `client_id`: a unique constraint makes it one message (the retry gets the first
back, and nothing is published twice).
"""

import logging
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chat import permissions, selectors
from chat.models import REACTIONS, Attachment, Connection, Message, Preference, Presence, Reaction, Room, RoomMember
from extranet import markdown, ratelimit, realtime, uploads
from extranet.services import activity_record, notify
from members import permissions as member_permissions

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


def room_group(room_id):
    return f"chatroom.{room_id}"


PRESENCE_GROUP = "chatpresence.0"


# --- Rooms -----------------------------------------------------------------------------


def room_for_space(space):
    """The room of a space (created with the space; made here if an older space lacks one)."""
    room, _created = Room.objects.get_or_create(space=space, defaults={"kind": Room.Kind.SPACE})
    return room


def direct_key(user_ids):
    return "-".join(str(pk) for pk in sorted(set(user_ids)))


def direct_room_open(*, actor, others):
    """The direct conversation of `actor` with `others` (1 to 9 people), created if needed."""
    if not member_permissions.is_approved(actor):
        raise PermissionDenied(_("Only approved members can send direct messages."))
    others = {user.pk: user for user in others if user is not None and user.pk != actor.pk}
    if not others:
        raise ValidationError({"members": _("Choose at least one person to write to.")})
    if len(others) + 1 > permissions.DIRECT_MAX_PEOPLE:
        raise ValidationError({"members": _("A conversation has at most %(n)d people, you included.")
                               % {"n": permissions.DIRECT_MAX_PEOPLE}})
    refused = [str(user) for user in others.values() if not permissions.can_message(actor, user)]
    if refused:
        raise ValidationError({"members": _("You cannot write to: %(names)s.") % {"names": ", ".join(refused)}})
    key = direct_key([actor.pk, *others])
    existing = Room.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            room = Room.objects.create(kind=Room.Kind.DIRECT, direct_key=key, created_by=actor)
            RoomMember.objects.bulk_create([
                RoomMember(room=room, user_id=pk, is_participant=True) for pk in [actor.pk, *others]
            ])
    except IntegrityError:  # opened by someone else at the same moment: theirs is ours
        return Room.objects.get(direct_key=key)
    return room


# --- Messages ------------------------------------------------------------------------------


def _validate_body(body, *, allow_empty=False):
    body = (body or "").replace("\x00", "").replace("\r\n", "\n")
    if len(body) > BODY_MAX:
        raise ValidationError({"body": _(
            "The message has %(length)s characters; the limit is %(max)s. Split it, or attach a document."
        ) % {"length": f"{len(body):,}".replace(",", "\u202f"), "max": f"{BODY_MAX:,}".replace(",", "\u202f")}})
    if not body.strip() and not allow_empty:
        raise ValidationError({"body": _("The message is empty.")})
    return body.strip("\n")


def _check_rate(actor):
    if ratelimit.hit(f"chat:rate:{actor.pk}", limit=RATE_LIMIT, window=RATE_WINDOW):
        raise realtime.RateLimited(_(
            "You are sending messages too quickly: wait a few seconds. This message was not sent; "
            "it is still in the box."
        ))


def _check_action_rate(actor):
    if ratelimit.hit(f"chat:actions:{actor.pk}", limit=ACTION_RATE_LIMIT, window=ACTION_RATE_WINDOW):
        raise realtime.RateLimited(_("You are doing that too quickly: wait a minute, then try again."))


def _clean_client_id(client_id):
    client_id = client_id or ""
    if client_id and not CLIENT_ID_RE.fullmatch(client_id):
        raise ValidationError({"client_id": _("This message's identifier is malformed: reload the page.")})
    return client_id


def message_send(*, actor, room, body, reply_to=None, files=None, client_id=""):
    """Store a message, then (on commit) publish it to the room. Returns the message.

    Raises PermissionDenied (not allowed to write there), ValidationError (empty, too
    long, bad reply or files) or realtime.RateLimited (too many messages).
    """
    if not permissions.can_write(actor, room):
        raise PermissionDenied(_("You cannot write in this room."))
    client_id = _clean_client_id(client_id)
    if client_id:
        existing = Message.objects.filter(author=actor, client_id=client_id).first()
        if existing is not None:
            if existing.room_id != room.pk:
                raise ValidationError({"client_id": _("This message's identifier is already used: reload the page.")})
            return existing
    checked = uploads.validate(files, max_count=ATTACHMENTS_MAX, max_size=ATTACHMENT_SIZE_MAX,
                               too_many=_("At most %(n)d files per message."))
    body = _validate_body(body, allow_empty=bool(checked))
    if reply_to is not None and (reply_to.room_id != room.pk or reply_to.is_deleted):
        raise ValidationError({"reply_to": _("The message you are replying to is no longer in this room.")})
    _check_rate(actor)
    mentions = markdown.resolve_mentions(body)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                room=room, author=actor, body=body, html=markdown.render_message(body, mentions),
                reply_to=reply_to, client_id=client_id,
            )
            uploads.save_files(Attachment, checked, message=message)
            previous_last = Room.objects.filter(pk=room.pk).values_list("last_message_id", flat=True).first() or 0
            Room.objects.filter(pk=room.pk, last_message_id__lt=message.pk).update(
                last_message_id=message.pk, last_message_at=message.created_at)
            _read_up_to(actor, room, message.pk)  # one's own message is read
            _notify(actor, room, message, mentions, previous_last)
            payload = selectors.message_payload(selectors.message_with_related(message.pk))
            realtime.publish(room_group(room.pk), "chat.message", message.pk, payload)
    except IntegrityError:
        if client_id:  # the same message sent twice at once: the other request stored it
            return Message.objects.get(author=actor, client_id=client_id)
        raise
    return message


def _notify(actor, room, message, mentions, previous_last):
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


def message_edit(*, actor, message, body):
    if not permissions.can_edit_message(actor, message):
        if message.author_id != actor.pk or message.is_deleted:
            raise PermissionDenied(_("You can only edit your own messages."))
        if not permissions.can_write(actor, message.room):
            raise PermissionDenied(_("You cannot write in this room."))
        raise PermissionDenied(_("A message can be edited during %(minutes)d minutes after it is sent.")
                               % {"minutes": permissions.EDIT_WINDOW.seconds // 60})
    body = _validate_body(body, allow_empty=message.attachments.exists())
    if body == message.body:
        return message
    _check_action_rate(actor)
    before = set(markdown.mentions_in(message.body))
    mentions = markdown.resolve_mentions(body)
    with transaction.atomic():
        message.body = body
        message.html = markdown.render_message(body, mentions)
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "html", "edited_at"])
        new = {key: user for key, user in mentions.items() if key not in before}
        for user in new.values():
            if user.pk != actor.pk and permissions.can_read_room(user, message.room):
                notify(recipient=user, verb="chat.mentioned", target=message.room, actor=actor,
                       url=selectors.message_url(message))
        _publish_update(message)
    return message


def message_delete(*, actor, message):
    if not permissions.can_delete_message(actor, message):
        raise PermissionDenied(_("You can only delete your own messages."))
    _check_action_rate(actor)
    with transaction.atomic():
        message.deleted_at = timezone.now()
        message.deleted_by = actor
        message.save(update_fields=["deleted_at", "deleted_by"])
        if actor.pk != message.author_id:
            activity_record(actor=actor, verb="chat.message_removed", target=message.room,
                            space=message.room.space, data={"author": str(message.author), "message": message.pk})
        _publish_update(message)
    return message


def _publish_update(message):
    payload = selectors.message_payload(selectors.message_with_related(message.pk))
    realtime.publish(room_group(message.room_id), "chat.message_updated", message.pk, payload)


def reaction_toggle(*, actor, message, emoji):
    """Add `emoji` from `actor` to the message, or take it back. Returns True when added."""
    if emoji not in REACTIONS:
        raise ValidationError({"emoji": _("Choose one of the reactions offered.")})
    if message.is_deleted or not permissions.can_write(actor, message.room):
        raise PermissionDenied(_("You cannot react in this room."))
    _check_action_rate(actor)
    with transaction.atomic():
        deleted, _rows = Reaction.objects.filter(message=message, user=actor, emoji=emoji).delete()
        added = not deleted
        if added:
            try:
                with transaction.atomic():
                    Reaction.objects.create(message=message, user=actor, emoji=emoji)
            except IntegrityError:  # the same click twice at once
                added = True
        reactions = selectors.reaction_summary([message.pk]).get(message.pk, [])
        realtime.publish(room_group(message.room_id), "chat.reactions", message.pk,
                         {"room": message.room_id, "message": message.pk, "reactions": reactions})
    return added


# --- Read state ----------------------------------------------------------------------------


def _read_up_to(user, room, message_id):
    member, _created = RoomMember.objects.get_or_create(room=room, user=user)
    return RoomMember.objects.filter(pk=member.pk, last_read_id__lt=message_id).update(last_read_id=message_id)


def room_mark_read(*, actor, room, up_to=None):
    """Mark the room read up to message `up_to` (default: its last); never goes backwards."""
    if not permissions.can_read_room(actor, room):
        raise PermissionDenied(_("You cannot read this room."))
    last = Room.objects.filter(pk=room.pk).values_list("last_message_id", flat=True).first() or 0
    try:
        up_to = last if up_to is None else min(int(up_to), last)
    except (TypeError, ValueError):
        raise ValidationError({"up_to": _("This message number is not valid.")}) from None
    if up_to < 0:
        raise ValidationError({"up_to": _("This message number is not valid.")})
    with transaction.atomic():
        changed = _read_up_to(actor, room, up_to)
        if changed:
            last_read = RoomMember.objects.get(room=room, user=actor).last_read_id
            unread = selectors.unread_count(actor, room, last_read)
            realtime.publish_to_user(actor.pk, "chat.read", room.pk,
                                     {"room": room.pk, "last_read": last_read, "unread": unread})
    return bool(changed)


# --- Preferences and presence --------------------------------------------------------------


def preference_set(*, actor, share_presence, share_typing):
    if not member_permissions.is_approved(actor):
        raise PermissionDenied(_("Only approved members have chat preferences."))
    with transaction.atomic():
        Preference.objects.update_or_create(
            user=actor, defaults={"share_presence": bool(share_presence), "share_typing": bool(share_typing)})
        _presence_refresh(actor.pk)


def presence_report(*, user_id, channel_name, active):
    """A socket says its tab is active (input, focus) or idle; others learn when the status changes."""
    with transaction.atomic():
        Connection.objects.update_or_create(
            channel_name=channel_name, defaults={"user_id": user_id, "active": bool(active), "seen_at": timezone.now()})
        return _presence_refresh(user_id)


def presence_disconnect(*, user_id, channel_name):
    with transaction.atomic():
        deleted, _rows = Connection.objects.filter(channel_name=channel_name).delete()
        if deleted:
            return _presence_refresh(user_id)
    return None


def _presence_refresh(user_id):
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


def presence_sweep():
    """Forget sockets that stopped reporting (their process died); their members' statuses follow."""
    cutoff = timezone.now() - timezone.timedelta(seconds=PRESENCE_STALE_SECONDS)
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


def typing_announce(*, user, room, typing):
    """Tell the room's readers that `user` started or stopped typing (when they share it)."""
    if not permissions.can_write(user, room):
        raise PermissionDenied(_("You cannot write in this room."))
    if not selectors.preference(user).share_typing:
        return False
    realtime.send_now(room_group(room.pk), realtime.envelope(
        "chat.typing", user.pk, {"room": room.pk, "user": user.pk, "name": user.display_name, "typing": bool(typing)}))
    return True
