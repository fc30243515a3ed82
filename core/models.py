"""Core models: spaces, notifications and the activity log.

Their tables keep the names they had in the `extranet` app (`db_table`): the models moved,
the data did not."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import spaces


class SpaceQuerySet(models.QuerySet):
    """Filters asked of every kind of space at once, each kind answering for its own."""

    def _by_kind(self, question, user):
        q = spaces.NOTHING
        for kind in spaces.KINDS.values():
            q |= spaces.kind_q(kind, getattr(kind, question)(user))
        return self.filter(q)

    def visible_to(self, user):
        """The spaces `user` may see, as one query (usable as a subquery)."""
        return self._by_kind("visible_q", user)

    def member_of(self, user):
        """The spaces `user` belongs to, as one query (usable as a subquery).

        Unlike `visible_to`, a coordinator belongs only to their own territories and groups.
        """
        return self._by_kind("member_q", user)

    def shared_with(self, user):
        """Spaces whose life `user` may hear about through someone else (the activity stream)."""
        return self._by_kind("shared_q", user)

    def with_rules(self):
        """With what the rules of every kind read (one query, whatever the kinds)."""
        return self.select_related(*spaces.related_for_rules())


class Space(models.Model):
    """Where collaborative content lives: the network, a territory, a workgroup...

    Forum categories, chat rooms, calendars and folders hold a foreign key to a Space and
    ask it every permission question. The answers come from the space's kind, registered
    by the app that owns it (`core.spaces.register_kind`); the owner's object points to its
    space (Territory.space, Workgroup.space). Spaces are made by `core.spaces.space_create`.
    """

    kind = models.CharField(_("kind"), max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        db_table = "extranet_space"
        verbose_name = _("space")
        verbose_name_plural = _("spaces")

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return self.kind_rules.url(self)

    @property
    def kind_rules(self) -> spaces.SpaceKind:
        return spaces.kind_of(self)

    @property
    def name(self) -> str:
        return str(self.kind_rules.name(self))

    @property
    def kind_label(self) -> str:
        return str(self.kind_rules.label)

    def members(self):
        return self.kind_rules.members(self)

    def managers(self):
        """Who `can_manage` this space, as a queryset (the moderators of its forum, chat...)."""
        return self.kind_rules.managers(self)

    def can_view(self, user) -> bool:
        return self.kind_rules.can_view(user, self)

    def can_post(self, user) -> bool:
        return self.kind_rules.can_post(user, self)

    def can_manage(self, user) -> bool:
        return self.kind_rules.can_manage(user, self)

    @property
    def is_open_to_all_members(self) -> bool:
        return self.kind_rules.open_to_all_members

    @property
    def is_read_only(self) -> bool:
        return self.kind_rules.is_read_only(self)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=60)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_id = models.CharField(max_length=40, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # Kept so that the list still reads well if the target is deleted, and renders
    # without fetching every target.
    target_label = models.CharField(max_length=255, blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "extranet_notification"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_recipient_unread"
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self):
        from core.notifications import render_text

        return render_text(self)

    @property
    def is_read(self):
        return self.read_at is not None


class Activity(models.Model):
    """One entry of the activity log: who did what, on what, in which space."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verb = models.CharField(max_length=60)
    space = models.ForeignKey(Space, null=True, blank=True, on_delete=models.CASCADE, related_name="activities")
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_id = models.CharField(max_length=40, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_label = models.CharField(max_length=255, blank=True)
    # A local path to the target (kept, so the stream renders without fetching targets).
    url = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "extranet_activity"
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["space", "-created_at"], name="activity_space_recent"),
            models.Index(fields=["actor", "-created_at"], name="activity_actor_recent"),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self):
        from core.activity import render_activity

        return render_activity(self)

    @property
    def local_url(self):
        """`url` when it is a path on this site (what services store), "" otherwise."""
        url = self.url or ""
        if url.startswith("/") and not url.startswith(("//", "/\\")):
            return url
        return ""
