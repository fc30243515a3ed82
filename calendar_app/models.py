"""The shared calendar: one calendar per space and one per member, their events, the
answers of the people invited, the secret feed links and the reminders already sent.

Times are stored in UTC (`USE_TZ`); each event keeps the time zone it was written in
(`tz`), in which its recurrence is expanded (a weekly meeting at 10 h stays at 10 h in
Paris across daylight-saving changes) and its feed written (`VTIMEZONE`).

A recurring event is one row (`rrule`, RFC 5545 without the `RRULE:` prefix) and its
exceptions: an occurrence moved or edited is a row whose `series` is the master and whose
`recurrence_id` is the occurrence's original start; an occurrence cancelled is such a row
with `status = cancelled` (written as an `EXDATE` in feeds).
"""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import spaces
from core.models import Space

DEFAULT_TZ = "Europe/Paris"


class Calendar(models.Model):
    """A space's calendar (who reads and writes comes from the space) or a member's own."""

    space = models.OneToOneField(
        Space, null=True, blank=True, on_delete=models.CASCADE, related_name="calendar", verbose_name=_("space")
    )
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="personal_calendar", verbose_name=_("owner"),
    )
    # Bumped by every change of its events (services): feeds answer 304 from it in one query.
    changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")
        constraints = [
            models.CheckConstraint(
                condition=(Q(space__isnull=False) & Q(owner__isnull=True))
                | (Q(space__isnull=True) & Q(owner__isnull=False)),
                name="calendar_space_xor_owner",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("calendar:calendar", args=[self.pk])

    @property
    def is_personal(self) -> bool:
        return self.owner_id is not None

    @property
    def name(self) -> str:
        if self.is_personal:
            return str(_("My personal calendar"))
        return self.space.name


class Category(models.Model):
    """A kind of event (meeting, workshop, training...), with its colour (one of `COLORS`)."""

    class Color(models.TextChoices):
        # Each colour is a CSS class (calendar.css) whose text and background pass WCAG AA.
        BLUE = "blue", _("Blue")
        GREEN = "green", _("Green")
        ORANGE = "orange", _("Orange")
        RED = "red", _("Red")
        PURPLE = "purple", _("Purple")
        TEAL = "teal", _("Teal")
        BROWN = "brown", _("Brown")
        GREY = "grey", _("Grey")

    name = models.CharField(_("name"), max_length=60, unique=True)
    color = models.CharField(_("colour"), max_length=10, choices=Color.choices, default=Color.BLUE)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("event category")
        verbose_name_plural = _("event categories")

    def __str__(self):
        return self.name


def new_uid() -> str:
    """A UID that stays the event's across edits (RFC 5545 §3.8.4.7)."""
    host = urlsplit(getattr(settings, "BASE_URL", "") or "").hostname or "maillage"
    return f"{secrets.token_hex(16)}@{host}"


class EventQuerySet(models.QuerySet):
    def with_rules(self, *also: str):
        """With what an event's page, item and permission rules read (its calendar, the
        calendar's space as every kind's rules read it, category, venue), and `also`."""
        return self.select_related(
            "calendar__space", "calendar__owner", "category", "venue", *also,
            *spaces.related_for_rules("calendar__space"),
        )


class Event(models.Model):
    class Visibility(models.TextChoices):
        MEMBERS = "members", _("Members of the space")
        PUBLIC = "public", _("Public, on the site")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", pgettext_lazy("event status", "Confirmed")
        CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="events", verbose_name=_("calendar"))
    uid = models.CharField(max_length=255, default=new_uid, editable=False)
    # An exception of a recurring event: its master and the original start of the occurrence.
    series = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="overrides", editable=False
    )
    recurrence_id = models.DateTimeField(null=True, blank=True, editable=False)

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    all_day = models.BooleanField(_("all day"), default=False)
    tz = models.CharField(_("time zone"), max_length=64, default=DEFAULT_TZ)
    # RFC 5545 recurrence rule without "RRULE:" (e.g. "FREQ=WEEKLY;BYDAY=TU"), masters only.
    rrule = models.CharField(_("recurrence rule"), max_length=500, blank=True)
    # End of the last occurrence (None: a rule without end); lets a window be asked in SQL.
    last_end = models.DateTimeField(null=True, blank=True, editable=False)

    venue = models.ForeignKey(
        "directory.Venue", null=True, blank=True, on_delete=models.SET_NULL, related_name="events",
        verbose_name=_("venue"),
    )
    location = models.CharField(_("place"), max_length=255, blank=True)
    online_url = models.URLField(_("online meeting link"), max_length=500, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="events", verbose_name=_("category")
    )
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.MEMBERS
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    # Minutes before the start; the members' own choice (Attendee.reminder_minutes) wins.
    reminder_minutes = models.PositiveIntegerField(_("reminder"), null=True, blank=True)

    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("organiser"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["start", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "uid"], condition=Q(series__isnull=True), name="event_uid_per_calendar"
            ),
            models.UniqueConstraint(
                fields=["series", "recurrence_id"], condition=Q(series__isnull=False), name="event_one_override"
            ),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="event_end_after_start"),
        ]
        indexes = [
            models.Index(fields=["calendar", "start"], name="event_calendar_start"),
            models.Index(fields=["calendar", "last_end"], name="event_calendar_last_end"),
            models.Index(fields=["visibility", "start"], name="event_public_start"),
            models.Index(fields=["venue", "start"], name="event_venue_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("calendar:event", args=[self.series_id or self.pk])

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_public(self) -> bool:
        return self.visibility == self.Visibility.PUBLIC


def attachment_path(instance, filename):
    return f"calendar/{timezone.now():%Y/%m}/{filename}"


class EventAttachment(models.Model):
    """A file attached to an event (core.uploads checks names, types and sizes)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    is_image = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Attendee(models.Model):
    """Someone invited to an event (a series: the answer holds for every occurrence), or who
    answered without an invitation; `yes` answers never exceed the event's capacity."""

    class Response(models.TextChoices):
        PENDING = "pending", pgettext_lazy("rsvp", "No answer yet")
        YES = "yes", pgettext_lazy("rsvp", "Yes")
        MAYBE = "maybe", pgettext_lazy("rsvp", "Maybe")
        NO = "no", pgettext_lazy("rsvp", "No")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_answers")
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_minutes = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="attendee_once_per_event")]
        indexes = [models.Index(fields=["user", "response"], name="attendee_user_response")]

    def __str__(self):
        return f"{self.user} · {self.event}"


class HiddenCalendar(models.Model):
    """A calendar a member chose not to see in "Mon agenda" (and its feed)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hidden_calendars")
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "calendar"], name="hidden_calendar_once")]

    def __str__(self):
        return f"{self.user_id} hides {self.calendar_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class FeedToken(models.Model):
    """The secret of a private feed: a member's "Mon agenda" (`calendar` None) or one calendar.

    Revoking deletes the row: the old URL answers 404 at once. The feed checks, at every
    request, that the member may still read what it holds."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_tokens")
    calendar = models.ForeignKey(Calendar, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(calendar__isnull=True), name="feed_one_agenda"),
            models.UniqueConstraint(
                fields=["user", "calendar"], condition=Q(calendar__isnull=False), name="feed_one_per_calendar"
            ),
        ]

    def __str__(self):
        return f"feed of {self.user_id} ({self.calendar_id or 'agenda'})"


class ReminderSent(models.Model):
    """One reminder of one occurrence to one member: the row is claimed before sending, so two
    runs of `send_event_reminders` never send it twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    occurrence_start = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event", "occurrence_start"], name="reminder_once"),
        ]

    def __str__(self):
        return f"reminder of {self.event_id} to {self.user_id} at {self.occurrence_start:%Y-%m-%d %H:%M}"
