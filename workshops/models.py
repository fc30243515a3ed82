"""Workshops: the skills animators pool, the sessions they lead, who registers, who came and
what they thought of it.

- A `Workshop` is what is taught (title, audience, themes, level...). It is *proposed* by an
  animator, *accepted* (or refused) by a coordinator or a local admin of its territory,
  *scheduled* once it has a session, *held* when its sessions are over, then *closed*; or
  *cancelled*, with notice to everyone registered.
- A `Session` is what people register to: a venue of the directory or an online link, a
  capacity, the animators leading it, a registration deadline. It meets on one date or
  several (`SessionDate`): a session with several dates is a **cycle** (six tablet
  sessions followed together), one registration for all of them, attendance per date.
- A `Registration` is a member's, or a visitor's (name, e-mail or phone, consent), or a
  person registered at the venue by an animator. Its `status` is the waiting list's
  state machine (see `booking.py`); its `token` (signed with the site's secret key, the
  same in every e-mail) is the link that lets someone without an account confirm, cancel,
  accept or decline an offered place, and evaluate.
- `Attendance`: per registration and date, present / excused / no-show (with a reason).
- Evaluation: `Question`s (a workshop's own, else the default set: `workshop` null),
  anonymous `EvaluationResponse`s and their `Answer`s; `EvaluationDone` only records that a
  registration answered, never which response is theirs.
- `Demand`: a member asks for a workshop on a topic, others add their voice (`DemandVote`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from directory import schema
from directory.fields import PipeListField

DEFAULT_TZ = "Europe/Paris"


TOKEN_SALT = "workshops.registration"


def registration_id_from_token(token: str) -> int | None:
    """The registration a link's token names, or None when it was not signed by this site."""
    try:
        return int(signing.Signer(salt=TOKEN_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


class Workshop(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("workshop status", "Proposed")
        ACCEPTED = "accepted", pgettext_lazy("workshop status", "Accepted")
        SCHEDULED = "scheduled", pgettext_lazy("workshop status", "Scheduled")
        HELD = "held", pgettext_lazy("workshop status", "Held")
        CLOSED = "closed", pgettext_lazy("workshop status", "Closed")
        REFUSED = "refused", pgettext_lazy("workshop status", "Refused")
        CANCELLED = "cancelled", pgettext_lazy("workshop status", "Cancelled")

    class Audience(models.TextChoices):
        STAFF = "staff", _("The network's staff")
        PUBLIC = "public", _("The public")

    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Beginner")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(max_length=200, editable=False)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)  # Markdown
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.STAFF)
    # The national schema's services (what the workshop helps with) and publics (who it is for).
    themes = PipeListField(_("themes"), vocabulary=schema.Service)
    publics = PipeListField(_("publics"), vocabulary=schema.Public)
    level = models.CharField(_("level"), max_length=15, choices=Level.choices, default=Level.BEGINNER)
    prerequisites = models.TextField(_("prerequisites"), blank=True, max_length=2000)
    to_bring = models.TextField(_("what to bring"), blank=True, max_length=2000)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=120)
    # Who decides: coordinators, and the local admins of this territory (None: coordinators only).
    territory = models.ForeignKey(
        "members.Territory", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="workshops", verbose_name=_("territory"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    status_reason = models.TextField(_("reason"), blank=True, max_length=2000)  # refused / cancelled
    status_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="proposed_workshops",
        verbose_name=_("proposed by"),
    )
    # The demand this workshop answers, if any.
    demand = models.ForeignKey(
        "Demand", null=True, blank=True, on_delete=models.SET_NULL, related_name="workshops",
        verbose_name=_("request answered"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "audience"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.slug = slugify(self.title)[:200] or "atelier"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("workshops:workshop", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("ateliers:workshop", args=[self.pk, self.slug])

    @property
    def is_public(self) -> bool:
        return self.audience == self.Audience.PUBLIC

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_open(self) -> bool:
        """Accepted and not yet over: sessions may be scheduled, people may register."""
        return self.status in (self.Status.ACCEPTED, self.Status.SCHEDULED)


class Session(models.Model):
    """What people register to: one date, or several (a cycle)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("session status", "Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("session status", "Cancelled")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("name of the cycle"), max_length=200, blank=True)  # for a cycle: "Tablette, 6 séances"
    venue = models.ForeignKey(
        "directory.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="workshop_sessions",
        verbose_name=_("venue"),
    )
    location = models.CharField(_("place details"), max_length=255, blank=True)  # "salle 2, 1er étage"
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(_("places"))
    animators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="animated_sessions", verbose_name=_("animators")
    )
    tz = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TZ)
    # Denormalised from the dates (services keep them): the first start and the last end.
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    # Registration closes then (None: at the start of the first date).
    registration_deadline = models.DateTimeField(_("registrations close"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    # Set by the tasks command when the evaluation requests were sent (once).
    evaluation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["status", "start"]), models.Index(fields=["venue", "start"])]

    def __str__(self):
        return self.title or self.workshop.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:session", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def closes_at(self):
        return self.registration_deadline or self.start


class SessionDate(models.Model):
    """One meeting of a session (a cycle has several)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="dates")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))

    class Meta:
        verbose_name = _("date")
        verbose_name_plural = _("dates")
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["start", "end"])]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="session_date_ends_after")]

    def __str__(self):
        return f"{self.session} ({self.start:%Y-%m-%d %H:%M})"


class Registration(models.Model):
    class Status(models.TextChoices):
        # A visitor who has not yet followed the confirmation link: holds no place.
        UNCONFIRMED = "unconfirmed", pgettext_lazy("registration status", "Awaiting e-mail confirmation")
        CONFIRMED = "confirmed", pgettext_lazy("registration status", "Registered")
        WAITING = "waiting", pgettext_lazy("registration status", "On the waiting list")
        # A place freed up and is held for this person until `offer_expires_at`.
        OFFERED = "offered", pgettext_lazy("registration status", "Place offered")
        CANCELLED = "cancelled", pgettext_lazy("registration status", "Cancelled")
        DECLINED = "declined", pgettext_lazy("registration status", "Offer declined")
        EXPIRED = "expired", pgettext_lazy("registration status", "Offer expired")

    class Kind(models.TextChoices):
        MEMBER = "member", _("Member")
        VISITOR = "visitor", _("Registered online")
        ON_SITE = "on_site", _("Registered at the venue")

    ACTIVE = (Status.UNCONFIRMED, Status.CONFIRMED, Status.WAITING, Status.OFFERED)
    # Those who hold a place (an offer holds it until it expires).
    HOLDING = (Status.CONFIRMED, Status.OFFERED)

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MEMBER)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="workshop_registrations"
    )
    # A visitor's or on-site person's details (blanked by the purge; a member's come from the account).
    name = models.CharField(_("name"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)  # "needs a large screen"
    consent_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    # The waiting list's order: the moment the person joined it (then the pk).
    waiting_since = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the tasks command in the transaction that sends it: never twice.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["session", "status"]),
            models.Index(fields=["status", "offer_expires_at"]),
            models.Index(fields=["email"]),
        ]
        constraints = [
            # A member holds at most one live registration per session.
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(user__isnull=False, status__in=["unconfirmed", "confirmed", "waiting", "offered"]),
                name="registration_one_live_per_member",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.user_id is not None and self.user is not None:
            return str(self.user)
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def token(self) -> str:
        """The secret of this registration's personal link (/ateliers/inscription/<token>/)."""
        return signing.Signer(salt=TOKEN_SALT).sign(str(self.pk))

    def get_token_url(self) -> str:
        return reverse("ateliers:registration", args=[self.token])


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", pgettext_lazy("attendance", "Present")
        EXCUSED = "excused", pgettext_lazy("attendance", "Excused absence")
        NO_SHOW = "no_show", pgettext_lazy("attendance", "No-show")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendances")
    date = models.ForeignKey(SessionDate, on_delete=models.CASCADE, related_name="attendances")
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["registration", "date"], name="attendance_once_per_date")]

    def __str__(self):
        return f"{self.registration} ({self.date}): {self.get_status_display()}"


class Question(models.Model):
    """An evaluation question: the default set (`workshop` null) or a workshop's own."""

    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale from 1 to 5")
        CHOICE = "choice", _("One choice among several")
        TEXT = "text", _("Free text")

    workshop = models.ForeignKey(Workshop, null=True, blank=True, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SCALE)
    text = models.CharField(_("question"), max_length=300)
    # For a choice: one option per line.
    choices = models.TextField(_("options"), blank=True, max_length=2000)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.text

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class EvaluationResponse(models.Model):
    """One person's anonymous answers about a session: nothing links it to who answered (a
    random id, so that the order of the rows cannot be matched with `EvaluationDone`'s)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="evaluations")
    # The day only, so that the time cannot be matched with `EvaluationDone`.
    submitted_on = models.DateField(default=timezone.localdate)

    class Meta:
        indexes = [models.Index(fields=["submitted_on"])]

    def __str__(self):
        return f"{self.session} ({self.submitted_on})"


class Answer(models.Model):
    response = models.ForeignKey(EvaluationResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # scale: 1..5
    text = models.TextField(blank=True, max_length=5000)  # choice: the option; text: the answer

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]

    def __str__(self):
        return f"{self.question}: {self.score or self.text}"


class EvaluationDone(models.Model):
    """That a registration has answered (so it answers once); never which response. A random id
    too, so that no order of rows pairs it with a response or its answers."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="evaluation_done")

    def __str__(self):
        return str(self.registration)


class Demand(models.Model):
    """A member asks for a workshop on a topic; others add their voice."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("demand status", "Open")
        ANSWERED = "answered", pgettext_lazy("demand status", "Answered")
        CLOSED = "closed", pgettext_lazy("demand status", "Closed")

    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("what you would like to learn"), blank=True, max_length=5000)
    themes = PipeListField(_("themes"), vocabulary=schema.Service)
    territory = models.ForeignKey(
        "members.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("territory"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="workshop_demands"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Denormalised count of DemandVote rows (the author's voice included), kept by the services.
    votes = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("workshop request")
        verbose_name_plural = _("workshop requests")
        ordering = ["-votes", "-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-votes"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:demand", args=[self.pk])


class DemandVote(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="voices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["demand", "user"], name="demand_vote_once")]

    def __str__(self):
        return f"{self.user} → {self.demand}"
