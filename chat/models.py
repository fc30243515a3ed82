"""Chat: rooms (one per space, and direct conversations), messages, reactions, files,
read state, presence and preferences."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.uploads import StoredFile

# The reactions offered (as in Zulip's and Mattermost's quick reactions): emoji -> label.
REACTIONS = {
    "👍": _("thumbs up"),
    "❤️": _("heart"),
    "😂": _("laughing"),
    "😮": _("surprised"),
    "🎉": _("celebration"),
    "🙏": _("thank you"),
    "✅": _("done"),
}


class Room(models.Model):
    """A space's room (its members are the space's members) or a direct conversation."""

    class Kind(models.TextChoices):
        SPACE = "space", _("Space room")
        DIRECT = "direct", _("Direct messages")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    space = models.OneToOneField(
        "core.Space", null=True, blank=True, on_delete=models.CASCADE, related_name="chat_room"
    )
    # Direct conversations: the sorted ids of the participants ("3-8-12"), so that the same
    # people always find the same conversation.
    direct_key = models.CharField(max_length=250, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Denormalised for the lists and the unread counts.
    last_message_id = models.BigIntegerField(default=0)
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="space", space__isnull=False, direct_key__isnull=True)
                           | Q(kind="direct", space__isnull=True, direct_key__isnull=False)),
                name="chat_room_space_or_direct",
            ),
        ]
        indexes = [models.Index(fields=["-last_message_at"], name="chat_room_recent")]

    def __str__(self):
        if self.kind == self.Kind.SPACE and self.space_id:
            return str(self.space)
        return str(_("Direct messages"))

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("chat:room", args=[self.pk])

    @property
    def is_direct(self):
        return self.kind == self.Kind.DIRECT


class RoomMember(models.Model):
    """A member's row in a room: participant of a direct conversation, and read state everywhere.

    In a space's room, membership comes from the space; the row only keeps what was read
    (created the first time the member reads the room).
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_rooms")
    is_participant = models.BooleanField(default=False)
    last_read_id = models.BigIntegerField(default=0)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="chat_room_member_unique")]
        indexes = [models.Index(fields=["user", "is_participant"], name="chat_member_user")]

    def __str__(self):
        return f"{self.user_id} in {self.room_id}"


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    html = models.TextField()
    reply_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Chosen by the sending tab: the same message sent twice (a retry after a drop) is one message.
    client_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "client_id"], condition=~Q(client_id=""),
                                    name="chat_message_client_id_unique"),
        ]
        indexes = [models.Index(fields=["room", "id"], name="chat_message_room_id")]

    def __str__(self):
        return f"{self.__class__.__name__} {self.pk}"

    @property
    def is_deleted(self):
        return self.deleted_at is not None


class Reaction(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["message", "user", "emoji"], name="chat_reaction_unique")]

    def __str__(self):
        return self.emoji


def attachment_path(instance, filename):
    now = timezone.now()
    return f"chat/{now:%Y/%m}/{instance.stored_name}"


class Attachment(StoredFile):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)

    class Meta(StoredFile.Meta):
        pass


class Preference(models.Model):
    """What a member shares: their presence (online/away) and that they are typing."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_preference")
    share_presence = models.BooleanField(_("show others when I am online"), default=True)
    share_typing = models.BooleanField(_("show others when I am typing"), default=True)

    def __str__(self):
        return f"{self.__class__.__name__} {self.user_id}"


class Presence(models.Model):
    """A member's presence as others see it (online, away, offline), kept in step with their sockets."""

    class Status(models.TextChoices):
        ONLINE = "online", _("online")
        AWAY = "away", _("away")
        OFFLINE = "offline", _("offline")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="chat_presence")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFLINE)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status"], name="chat_presence_status")]

    def __str__(self):
        return f"{self.user_id}: {self.status}"


class Connection(models.Model):
    """One open socket (tab) of a member and what it reports: active, or idle (away)."""

    channel_name = models.CharField(max_length=200, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    active = models.BooleanField(default=True)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "seen_at"], name="chat_connection_user")]

    def __str__(self):
        return self.channel_name
