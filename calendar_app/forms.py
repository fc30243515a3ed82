"""The event form: it parses what the animator typed; the services validate and decide.

Dates and times are separate `type=date` / `type=time` inputs (nothing to learn); the
repetition is a frequency, an interval, days and an end (`rules.Repeat`), turned into an
RFC 5545 rule by `rules.build_rule`.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from calendar_app import permissions, rules, selectors, timezones
from calendar_app.models import Calendar, Category, Event
from calendar_app.services import ATTACHMENTS_MAX, DESCRIPTION_MAX, TITLE_MAX
from core.forms import MultipleFileField

if TYPE_CHECKING:
    from members.models import User

REMINDERS = [
    ("", _("No reminder")),
    ("10", _("10 min before")),
    ("30", _("30 min before")),
    ("60", _("1 h before")),
    ("1440", _("1 day before")),
]
FREQUENCIES = [
    ("", _("Does not repeat")),
    ("daily", pgettext_lazy("repeat choice", "Every day")),
    ("weekly", pgettext_lazy("repeat choice", "Every week")),
    ("monthly_date", _("Every month, on the same date")),
    ("monthly_weekday", _("Every month, on the same weekday (e.g. the second Tuesday)")),
    ("yearly", pgettext_lazy("repeat choice", "Every year")),
]
ENDS = [
    ("never", pgettext_lazy("recurrence end", "Never")),
    ("until", _("On a date")),
    ("count", _("After a number of times")),
]
SCOPES = [
    ("this", _("This occurrence")),
    ("following", _("This occurrence and the following ones")),
    ("all", _("The whole series")),
]
# Which form field shows a service error raised on a key.
ERROR_FIELDS = {"start": "start_time", "end": "end_time", "rrule": "repeat_frequency", "occurrence": None,
                "scope": "scope"}




def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def venue_choices() -> list[tuple[Any, Any]]:
    """The directory's venues grouped by city, after a "no venue" choice (1 query)."""
    from directory.models import Venue

    groups: dict[str, list[tuple[int, str]]] = {}
    for pk, name, city in Venue.objects.order_by("city", "name").values_list("pk", "name", "city"):
        groups.setdefault(city, []).append((pk, name))
    return [("", _("No venue of the directory")), *groups.items()]


class EventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown: **bold**, *italic*, lists with -, links."))
    calendar = forms.TypedChoiceField(label=_("Calendar"), coerce=int)
    category = forms.TypedChoiceField(label=_("Category"), required=False, coerce=int, empty_value=None)
    start_date = forms.DateField(label=_("Date"), widget=_date_input())
    start_time = forms.TimeField(label=_("Start time"), required=False, widget=_time_input())
    end_date = forms.DateField(label=_("End date"), required=False, widget=_date_input(),
                               help_text=_("Leave empty for the same day."))
    end_time = forms.TimeField(label=_("End time"), required=False, widget=_time_input(),
                               help_text=_("Leave empty for one hour."))
    all_day = forms.BooleanField(label=_("All day"), required=False)
    tz = forms.ChoiceField(label=_("Time zone"), required=False)
    venue = forms.TypedChoiceField(label=_("Venue of the directory"), required=False, coerce=int,
                                   empty_value=None)
    location = forms.CharField(label=_("Or another place"), required=False, max_length=255,
                               help_text=_("An address or a room, when the place is not in the directory."))
    online_url = forms.CharField(label=_("Online meeting link"), required=False, max_length=500,
                                 widget=forms.URLInput(attrs={"placeholder": "https://"}))
    visibility = forms.ChoiceField(label=_("Who sees it"), choices=Event.Visibility.choices,
                                   initial=Event.Visibility.MEMBERS, widget=forms.RadioSelect)
    capacity = forms.IntegerField(label=_("Places"), required=False,
                                  help_text=_("Leave empty for no limit."))
    reminder_minutes = forms.TypedChoiceField(label=_("Reminder"), required=False, choices=REMINDERS, coerce=int,
                                              empty_value=None)
    repeat_frequency = forms.ChoiceField(label=_("Repeat"), required=False, choices=FREQUENCIES)
    repeat_interval = forms.IntegerField(label=_("Every (1 = each time, 2 = every other...)"), required=False,
                                         min_value=1, max_value=99, initial=1)
    repeat_weekdays = forms.TypedMultipleChoiceField(
        label=_("On (weekly)"), required=False, coerce=int, choices=list(WEEKDAYS.items()),
        widget=forms.CheckboxSelectMultiple)
    repeat_end = forms.ChoiceField(label=_("Ends"), choices=ENDS, initial="never", widget=forms.RadioSelect,
                                   required=False)
    repeat_until = forms.DateField(label=_("Last date"), required=False, widget=_date_input())
    repeat_count = forms.IntegerField(label=_("Number of times"), required=False, min_value=1)
    attachments = MultipleFileField(label=_("Attachments"), required=False,
                                    help_text=_("At most %(n)d files: images, PDF, office documents.")
                                    % {"n": ATTACHMENTS_MAX})
    remove_attachments = forms.TypedMultipleChoiceField(label=_("Remove attachments"), required=False, coerce=int,
                                                        widget=forms.CheckboxSelectMultiple)
    scope = forms.ChoiceField(label=_("Change"), choices=SCOPES, required=False, widget=forms.RadioSelect)

    def __init__(self, *args: Any, user: User, event: Event | None = None, occurrence: datetime | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.event = event
        self.occurrence = occurrence
        calendars = [c for c in selectors.calendars_visible_to(user) if permissions.can_add_event(user, c)]
        if event is not None and all(c.pk != event.calendar_id for c in calendars):
            calendars.insert(0, event.calendar)
        self.calendars = {c.pk: c for c in calendars}
        self.fields["calendar"].choices = [(c.pk, c.name) for c in calendars]
        self.fields["category"].choices = [("", _("No category"))] + [
            (c.pk, c.name) for c in Category.objects.all()]
        self.fields["tz"].choices = [("", _("The venue's own (Paris otherwise)"))] + [
            (name, label) for name, label in timezones.ZONES]
        self.fields["venue"].choices = venue_choices()
        custom = event is not None and rules.repeat_of(event.rrule, event.start.astimezone(ZoneInfo(event.tz))) \
            .frequency == "custom"
        if custom:
            self.fields["repeat_frequency"].choices = [
                *FREQUENCIES, ("custom", _("Custom rule (kept as it is)"))]
        if event is None or not event.attachments.all():
            del self.fields["remove_attachments"]
        else:
            self.fields["remove_attachments"].choices = [(a.pk, a.name) for a in event.attachments.all()]
        if event is None or not event.rrule:
            del self.fields["scope"]
        else:
            self.fields["scope"].initial = "this" if occurrence is not None else "all"
        for name in ("start_date", "start_time", "end_date", "end_time", "repeat_until"):
            self.fields[name].widget.attrs.setdefault("class", "input-short")

    @classmethod
    def initial_for(cls, event: Event, occurrence: datetime | None = None) -> dict[str, Any]:
        """The form's values for `event` (the occurrence starting at `occurrence` of a series)."""
        zone = ZoneInfo(event.tz)
        start = event.start.astimezone(zone)
        end = event.end.astimezone(zone)
        if occurrence is not None and event.rrule:
            start = occurrence.astimezone(zone)
            from calendar_app import recurrence

            end = recurrence.occurrence_end(start, event)
        master_start = event.start.astimezone(zone)
        repeat = rules.repeat_of(event.rrule, master_start)
        end_date = end.date()
        if event.all_day:
            end_date = date.fromordinal(end_date.toordinal() - 1) if end.time() == time() else end_date
        return {
            "title": event.title, "description": event.description, "calendar": event.calendar_id,
            "category": event.category_id, "start_date": start.date(),
            "start_time": None if event.all_day else start.time(), "end_date": end_date,
            "end_time": None if event.all_day else end.time(), "all_day": event.all_day, "tz": event.tz,
            "venue": event.venue_id, "location": event.location, "online_url": event.online_url,
            "visibility": event.visibility, "capacity": event.capacity, "reminder_minutes": event.reminder_minutes,
            "repeat_frequency": repeat.frequency, "repeat_interval": repeat.interval,
            "repeat_weekdays": repeat.weekdays, "repeat_end": repeat.end, "repeat_until": repeat.until,
            "repeat_count": repeat.count,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        pk = cleaned.get("calendar")
        if pk is not None and pk not in self.calendars:
            self.add_error("calendar", _("Choose one of the calendars you can add events to."))
        if self.event is not None and self.event.rrule and not cleaned.get("scope"):
            cleaned["scope"] = "this" if self.occurrence is not None else "all"
        return cleaned

    def selected_calendar(self) -> Calendar:
        return self.calendars[self.cleaned_data["calendar"]]

    def rule(self) -> str:
        """The RRULE the repetition fields give (the event's own for a custom rule kept), or
        ValidationError on "repeat_frequency" (French)."""
        data = self.cleaned_data
        frequency = data.get("repeat_frequency") or ""
        if frequency == "custom" and self.event is not None:
            return self.event.rrule
        day = data["start_date"]
        tz = data.get("tz") or "Europe/Paris"
        start_local = datetime.combine(day, data.get("start_time") or time(), ZoneInfo(tz))
        repeat = rules.Repeat(frequency=frequency, interval=data.get("repeat_interval") or 1,
                              weekdays=list(data.get("repeat_weekdays") or []),
                              end=data.get("repeat_end") or "never", until=data.get("repeat_until"),
                              count=data.get("repeat_count"))
        return rules.build_rule(repeat, start_local)

    def service_data(self) -> dict[str, Any]:
        """What the services take (`services.event_create` / `event_update`); ValidationError
        from the repetition fields."""
        data = self.cleaned_data
        try:
            rule = self.rule()
        except ValidationError as error:
            field = {"count": "repeat_count", "until": "repeat_until", "interval": "repeat_interval",
                     "weekdays": "repeat_weekdays"}.get(error.code or "", "repeat_frequency")
            raise ValidationError({field: error.messages}) from error
        tz = data.get("tz") or ""
        if not tz:
            from calendar_app.models import DEFAULT_TZ
            from directory.models import Venue

            venue = Venue.objects.filter(pk=data["venue"]).first() if data.get("venue") else None
            tz = timezones.venue_timezone(venue) if venue else DEFAULT_TZ
        return {
            "title": data["title"], "description": data.get("description") or "",
            "calendar": self.selected_calendar(), "category": data.get("category"),
            "start_date": data["start_date"], "start_time": data.get("start_time"),
            "end_date": data.get("end_date"), "end_time": data.get("end_time"), "all_day": data.get("all_day"),
            "tz": tz, "venue": data.get("venue"), "location": data.get("location") or "",
            "online_url": data.get("online_url") or "", "visibility": data["visibility"],
            "capacity": data.get("capacity"), "reminder_minutes": data.get("reminder_minutes"), "rrule": rule,
        }

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError on the fields it names."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            field = ERROR_FIELDS.get(key, key)
            if field is not None and field not in self.fields:
                field = None
            for message in messages:
                self.add_error(field, message)

