"""Accounts, territories, roles and invitations.

Role questions are answered by `members.permissions`, never by reading these fields
elsewhere.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager


class Territory(models.Model):
    class Kind(models.TextChoices):
        PAYS = "pays", _("Pays")
        INTERCOMMUNALITY = "interco", _("Intercommunality")
        COMMUNE = "commune", _("Commune")
        DISTRICT = "quartier", _("City district")
        DEPARTMENT = "departement", _("Département")

    name = models.CharField(_("name"), max_length=150, unique=True)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PAYS)
    description = models.TextField(_("description"), blank=True)
    # Made with the territory by members.services.territory_create (core.spaces.space_create).
    space = models.OneToOneField("core.Space", on_delete=models.PROTECT, related_name="territory", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, status=User.Status.APPROVED)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person with an account. Logs in with their e-mail address."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        # An account of a partner organisation (a voucher prescriber): not a member of the
        # network; reaches only the desk pages listed in settings.PARTNER_DESK_PREFIXES.
        PARTNER = "partner", _("Partner organisation")

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Only me")
        TERRITORY = "territory", _("Members of my territory")
        MEMBERS = "members", _("All members of the network")

    class EmailFrequency(models.TextChoices):
        IMMEDIATE = "immediate", _("One e-mail per notification")
        DAILY = "daily", _("A daily digest")
        NEVER = "never", _("No e-mail")

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    status_changed_by = models.ForeignKey(
        "self", verbose_name=_("status changed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    territory = models.ForeignKey(
        Territory, verbose_name=_("territory"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="members",
    )
    venues = models.ManyToManyField(
        "directory.Venue", verbose_name=_("venues"), blank=True, related_name="members"
    )
    # Roles (see members.permissions)
    is_coordinator = models.BooleanField(_("coordinator"), default=False)
    referent_territories = models.ManyToManyField(
        Territory, verbose_name=_("local admin of"), blank=True, related_name="referents"
    )
    # Profile
    avatar = models.ImageField(_("avatar"), upload_to="avatars/%Y/%m/", blank=True)
    bio = models.TextField(_("about me"), blank=True, max_length=2000)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email_visibility = models.CharField(
        _("who sees my e-mail address"), max_length=10,
        choices=Visibility.choices, default=Visibility.MEMBERS,
    )
    phone_visibility = models.CharField(
        _("who sees my phone number"), max_length=10,
        choices=Visibility.choices, default=Visibility.TERRITORY,
    )
    skills = TaggableManager(
        verbose_name=_("skills"), blank=True,
        help_text=_("Comma-separated, for example: video editing, Linux, online procedures"),
    )
    # Notification preferences
    notification_email = models.CharField(
        _("notification e-mails"), max_length=10,
        choices=EmailFrequency.choices, default=EmailFrequency.IMMEDIATE,
    )
    last_digest_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)
    # The dashboard's "Getting started" checklist, hidden by the member ("Hide"); it also
    # hides itself once every step is done (members.onboarding).
    onboarding_dismissed_at = models.DateTimeField(_("getting started list hidden at"), null=True, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]
    objects = UserManager()

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")

    def __str__(self):
        return self.display_name or self.email

    def get_full_name(self):
        return self.display_name or self.email

    def get_short_name(self):
        return self.display_name or self.email

    def get_absolute_url(self):
        return reverse("members:profile", args=[self.pk])

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def initials(self):
        words = [w for w in (self.display_name or self.email).replace("-", " ").split() if w]
        return "".join(w[0] for w in words[:2]).upper()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    """An e-mailed, single-use link that creates an approved account."""

    email = models.EmailField(_("e-mail address"))
    territory = models.ForeignKey(Territory, verbose_name=_("territory"), on_delete=models.CASCADE)
    venue = models.ForeignKey(
        "directory.Venue", verbose_name=_("venue"), null=True, blank=True, on_delete=models.SET_NULL
    )
    message = models.TextField(_("personal message"), blank=True, max_length=2000)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), on_delete=models.CASCADE,
        related_name="invitations_sent",
    )
    # Only the hash of the token is stored: a database leak does not leak valid links.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [models.Index(fields=["email"])]
        constraints = [
            # One open invitation per address: two coordinators inviting the same person
            # at the same moment cannot both succeed (addresses are stored lower-case).
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self):
        return self.email

    @property
    def is_expired(self):
        return timezone.now() >= self.expires_at

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class Follow(models.Model):
    """A member follows another (contacts): their activity appears in the follower's stream."""

    follower = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following")
    followed = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followers")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["follower", "followed"], name="one_follow_per_pair"),
            models.CheckConstraint(condition=~models.Q(follower=models.F("followed")), name="no_self_follow"),
        ]
        indexes = [models.Index(fields=["followed"], name="follow_followed")]

    def __str__(self):
        return f"{self.follower} → {self.followed}"


def venue_model():
    """The directory's Venue model, reached through `User.venues` (declared above): the
    members app sits below the directory and does not import it (see pyproject's contract)."""
    return User._meta.get_field("venues").related_model
