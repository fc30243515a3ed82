"""Desk shell models: spaces, notifications, the activity log and dashboard layouts."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members import permissions


class SpaceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The spaces `user` may see, as one query (usable as a subquery)."""
        if not permissions.is_approved(user):
            return self.none()
        from workgroups import permissions as workgroup_permissions

        workgroups = Q(kind=Space.Kind.WORKGROUP) & workgroup_permissions.content_visible_q(user, prefix="workgroup__")
        if permissions.is_coordinator(user):
            return self.filter(Q(kind__in=[Space.Kind.NETWORK, Space.Kind.TERRITORY]) | workgroups)
        return self.filter(
            Q(kind=Space.Kind.NETWORK)
            | Q(kind=Space.Kind.TERRITORY, territory_id__in=permissions.territory_ids_of_subquery(user))
            | workgroups
        )

    def member_of(self, user):
        """The spaces `user` belongs to, as one query (usable as a subquery).

        The network space (every approved member), the spaces of the territories they live
        in or administer, and those of the workgroups they are a member of. Unlike
        `visible_to`, a coordinator belongs only to their own territories and groups.
        """
        if not permissions.is_approved(user):
            return self.none()
        from workgroups import permissions as workgroup_permissions

        return self.filter(
            Q(kind=Space.Kind.NETWORK)
            | Q(kind=Space.Kind.TERRITORY, territory_id__in=permissions.territory_ids_of_subquery(user))
            | Q(kind=Space.Kind.WORKGROUP, workgroup__id__in=workgroup_permissions.member_group_ids_subquery(user))
        )


class Space(models.Model):
    """Where collaborative content lives: the network, a territory or a workgroup.

    Forum categories, chat rooms, calendars and folders hold a foreign key to a Space
    and ask it every permission question.

    Rules (see docs/architecture.md):
    - network: every approved member views and posts; coordinators manage.
    - territory: its members and its local admins view and post; its local admins and
      the coordinators manage (coordinators also view and post everywhere).
    - workgroup: the rules of `workgroups.permissions` (visibility, membership, archive),
      reached through `self.workgroup` (a one-to-one from workgroups.Workgroup).
    """

    class Kind(models.TextChoices):
        NETWORK = "network", _("Whole network")
        TERRITORY = "territory", _("Territory")
        WORKGROUP = "workgroup", _("Workgroup")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    territory = models.OneToOneField(
        "members.Territory", null=True, blank=True, on_delete=models.CASCADE, related_name="space"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("space")
        verbose_name_plural = _("spaces")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="network"), name="one_network_space"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="network", territory__isnull=True)
                    | Q(kind="territory", territory__isnull=False)
                    | Q(kind="workgroup", territory__isnull=True)
                ),
                name="space_kind_matches_link",
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.NETWORK:
            return str(_("Whole network"))
        if self.kind == self.Kind.WORKGROUP:
            return str(self.workgroup)
        return str(self.territory)

    @classmethod
    def network(cls):
        space, _created = cls.objects.get_or_create(kind=cls.Kind.NETWORK)
        return space

    def members(self):
        approved = permissions.approved_members()
        if self.kind == self.Kind.NETWORK:
            return approved
        if self.kind == self.Kind.WORKGROUP:
            return approved.filter(workgroup_memberships__workgroup__space=self)
        return approved.filter(
            Q(territory_id=self.territory_id) | Q(referent_territories=self.territory_id)
        ).distinct()

    def managers(self):
        """Who `can_manage` this space, as a queryset (the moderators of its forum, chat...)."""
        if self.kind == self.Kind.WORKGROUP:
            from workgroups import permissions as workgroup_permissions

            return workgroup_permissions.managers_of(self.workgroup)
        if self.kind == self.Kind.NETWORK:
            return permissions.approvers_of(None)
        return permissions.approvers_of(self.territory_id)

    def can_view(self, user):
        if self.kind == self.Kind.WORKGROUP:
            return self._workgroup_rule("can_view_content", user)
        if not permissions.is_approved(user):
            return False
        if self.kind == self.Kind.NETWORK or permissions.is_coordinator(user):
            return True
        return permissions.belongs_to_territory(user, self.territory_id)

    def can_post(self, user):
        if self.kind == self.Kind.WORKGROUP:
            return self._workgroup_rule("can_post", user)
        return self.can_view(user)

    def can_manage(self, user):
        if self.kind == self.Kind.WORKGROUP:
            return self._workgroup_rule("can_manage", user)
        if self.kind == self.Kind.NETWORK:
            return permissions.is_coordinator(user)
        return permissions.is_local_admin(user, self.territory_id)

    def _workgroup_rule(self, name, user):
        from workgroups import permissions as workgroup_permissions

        return getattr(workgroup_permissions, name)(user, self.workgroup)


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
        from extranet.notifications import render_text

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
        from extranet.activity import render_activity

        return render_activity(self)

    @property
    def local_url(self):
        """`url` when it is a path on this site (what services store), "" otherwise."""
        url = self.url or ""
        if url.startswith("/") and not url.startswith(("//", "/\\")):
            return url
        return ""


class DashboardLayout(models.Model):
    """A member's choice of dashboard widgets: their order and the ones hidden.

    `order` holds every widget key known when the member saved, shown or hidden, in
    their order; `hidden` the keys not shown. Widgets registered later (a new module)
    are not in `order`: they appear at their default position. Keys of widgets that no
    longer exist are ignored on read (`extranet.dashboard.arrange`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_layout"
    )
    order = models.JSONField(_("order"), default=list, blank=True)
    hidden = models.JSONField(_("hidden widgets"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dashboard layout")
        verbose_name_plural = _("dashboard layouts")

    def __str__(self):
        return f"{self.user}: {', '.join(map(str, self.order or []))}"
