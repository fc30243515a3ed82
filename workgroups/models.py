"""Workgroups: a restricted community with the desk's modules, as a kind of Space.

Rules (who sees, joins, posts, manages) live in `workgroups.permissions`; state changes
in `workgroups.services`.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

INVITATION_VALIDITY = timedelta(days=14)


class WorkgroupQuerySet(models.QuerySet):
    def archived(self, today=None):
        today = today or timezone.localdate()
        return self.filter(Q(archived_at__isnull=False) | Q(end_date__lt=today))

    def not_archived(self, today=None):
        today = today or timezone.localdate()
        return self.filter(archived_at__isnull=True).exclude(end_date__lt=today)


class Workgroup(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: every member of the network sees it and its content")
        PRIVATE = "private", _("Private: listed, content for its members only")
        SECRET = "secret", _("Secret: only its members know it exists")

    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Open: any member may join")
        REQUEST = "request", _("On request: the managers accept or refuse")
        INVITATION = "invitation", _("Invitation only")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("Active")
        REFUSED = "refused", _("Refused")

    space = models.OneToOneField("core.Space", on_delete=models.PROTECT, related_name="workgroup")
    name = models.CharField(_("name"), max_length=120)
    purpose = models.TextField(_("purpose"), max_length=5000)
    territory = models.ForeignKey(
        "members.Territory", verbose_name=_("territory"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="workgroups",
    )
    cover = models.ImageField(_("cover image"), upload_to="workgroups/covers/%Y/%m/", blank=True)
    tags = TaggableManager(verbose_name=_("tags"), blank=True, help_text=_("Comma-separated"))
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    join_policy = models.CharField(
        _("who may join"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.TextField(_("reason"), blank=True, max_length=1000)
    end_date = models.DateField(
        _("end date"), null=True, blank=True,
        help_text=_("After this date the group is archived: read-only, nothing deleted."),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkgroupQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("workgroup")
        verbose_name_plural = _("workgroups")
        indexes = [
            models.Index(fields=["status", "visibility"], name="workgroup_status_visibility"),
        ]
        constraints = [
            # A secret group is known to its members only: one enters it by invitation.
            models.CheckConstraint(
                condition=~Q(visibility="secret") | Q(join_policy="invitation"),
                name="secret_workgroup_by_invitation",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("workgroups:detail", kwargs={"pk": self.pk})

    @property
    def is_archived(self):
        return self.archived_at is not None or (
            self.end_date is not None and self.end_date < timezone.localdate()
        )

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    @property
    def visibility_label(self):
        return VISIBILITY_SHORT[self.visibility]

    @property
    def join_policy_label(self):
        return JOIN_POLICY_SHORT[self.join_policy]


VISIBILITY_SHORT = {
    Workgroup.Visibility.PUBLIC: _("Public group"),
    Workgroup.Visibility.PRIVATE: _("Private group"),
    Workgroup.Visibility.SECRET: _("Secret group"),
}
JOIN_POLICY_SHORT = {
    Workgroup.JoinPolicy.OPEN: _("open to all members"),
    Workgroup.JoinPolicy.REQUEST: _("join on request"),
    Workgroup.JoinPolicy.INVITATION: _("by invitation only"),
}


class Membership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        MANAGER = "manager", _("Manager")

    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workgroup_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role", "user__display_name"]  # managers first
        constraints = [
            models.UniqueConstraint(fields=["workgroup", "user"], name="one_membership_per_group"),
        ]
        indexes = [models.Index(fields=["user", "workgroup"], name="membership_user_group")]

    def __str__(self):
        return f"{self.user} @ {self.workgroup}"

    @property
    def is_manager(self):
        return self.role == self.Role.MANAGER


class JoinRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Withdrawn")

    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(_("answer"), blank=True, max_length=1000)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workgroup", "user"], condition=Q(status="pending"), name="one_pending_join_request"
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.workgroup}"


class GroupInvitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    workgroup = models.ForeignKey(Workgroup, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workgroup_invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workgroup", "user"], condition=Q(status="pending"), name="one_pending_group_invitation"
            ),
        ]

    def __str__(self):
        return f"{self.user} ← {self.workgroup}"

    @property
    def is_expired(self):
        return self.status == self.Status.EXPIRED or (
            self.status == self.Status.PENDING and self.expires_at <= timezone.now()
        )


@register_setting(icon="group")
class WorkgroupSettings(BaseGenericSetting):
    """Network-wide settings of workgroups, edited by coordinators at /cms/settings/."""

    creation_needs_approval = models.BooleanField(
        _("new workgroups need approval"), default=False,
        help_text=_("When on, a group proposed by a member opens once a coordinator or a local "
                    "admin of its territory approves it."),
    )

    class Meta:
        verbose_name = _("workgroup settings")
