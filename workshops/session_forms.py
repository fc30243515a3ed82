"""The session form: it parses what the coordinator typed (dates as rows of a date, a start
time and an end time, local to the venue's zone); `workshops.sessions` validates and decides.

Without JavaScript every row of the "Dates" fieldset shows (empty ones are ignored); with it,
the empty rows after the first hide behind an "Add a date" button
(`static/js/workshops_sessions.js`).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from calendar_app.timezones import local_datetime, venue_timezone
from members import permissions as member_permissions
from workshops.models import DEFAULT_TZ, Session, Workshop

if TYPE_CHECKING:
    from directory.models import Venue
    from members.models import User

DATE_ROWS = 6

# Which form field shows a service error raised on a key ("dates" goes to the fieldset).
ERROR_FIELDS = {"registration_deadline": "deadline_date", "reason": "reason"}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "class": "input-short"}, format="%Y-%m-%d")


def _time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "class": "input-short"}, format="%H:%M")


def venues_by_territory(workshop: Workshop) -> tuple[list[tuple[Any, Any]], dict[int, Venue]]:
    """(choices, venues by pk): the directory's venues grouped by territory, the workshop's
    territory first, after "No venue (online)" (1 query)."""
    from directory.models import Venue

    first = workshop.territory_id or 0
    venues = list(
        Venue.objects.select_related("territory")
        .only("pk", "name", "city", "postal_code", "insee_code", "latitude", "longitude",
              "address", "territory__name", "territory_id")
        .annotate(_first=Case(When(territory_id=first, then=Value(0)), default=Value(1),
                              output_field=IntegerField()))
        .order_by("_first", "territory__name", "name", "pk")
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for venue in venues:
        groups.setdefault(venue.territory.name, []).append((venue.pk, f"{venue.name} ({venue.city})"))
    choices: list[tuple[Any, Any]] = [("", gettext_lazy("No venue (online)")), *groups.items()]
    return choices, {venue.pk: venue for venue in venues}


def animator_choices(workshop: Workshop, extra_ids: set[int] = frozenset()) -> tuple[list[Any], dict[int, User]]:
    """The approved members, the proposer and the members of the workshop's territory first
    (and whoever already leads the session), then the others by name (1 query)."""
    members = member_permissions.approved_members()
    near = {workshop.proposed_by_id or 0, *extra_ids}
    first_q = When(pk__in=near, then=Value(0))
    whens = [first_q]
    if workshop.territory_id is not None:
        whens.append(When(territory_id=workshop.territory_id, then=Value(0)))
    users = list(
        members.only("pk", "display_name", "email", "territory_id")
        .annotate(_first=Case(*whens, default=Value(1), output_field=IntegerField()))
        .order_by("_first", "display_name", "pk")
    )
    close = [(user.pk, str(user)) for user in users if user._first == 0]
    others = [(user.pk, str(user)) for user in users if user._first != 0]
    if not close:
        choices: list[Any] = others
    elif not others:
        choices = close
    else:
        label = (_("Of the territory %(territory)s") % {"territory": workshop.territory.name}
                 if workshop.territory_id is not None and workshop.territory is not None
                 else _("The workshop's proposer"))
        choices = [(label, close), (_("Other members"), others)]
    return choices, {user.pk: user for user in users}


class SessionForm(forms.Form):
    venue = forms.TypedChoiceField(label=gettext_lazy("Venue of the directory"), required=False, coerce=int,
                                   empty_value=None)
    location = forms.CharField(label=gettext_lazy("Place details"), required=False, max_length=255,
                               help_text=gettext_lazy("A room, a floor: “room 2, first floor”."))
    online_url = forms.CharField(label=gettext_lazy("Online meeting link"), required=False, max_length=500,
                                 widget=forms.URLInput(attrs={"placeholder": "https://"}))
    capacity = forms.IntegerField(label=gettext_lazy("Places"), initial=12,
                                  widget=forms.NumberInput(attrs={"min": 1, "max": 1000, "class": "input-short"}))
    animators = forms.TypedMultipleChoiceField(label=gettext_lazy("Animators"), required=False, coerce=int,
                                               widget=forms.CheckboxSelectMultiple)
    deadline_date = forms.DateField(label=gettext_lazy("Registrations close on"), required=False, widget=_date_input(),
                                    help_text=gettext_lazy("Leave empty: they close when the session starts."))
    deadline_time = forms.TimeField(label=pgettext_lazy("registration deadline", "At"), required=False,
                                    widget=_time_input())
    title = forms.CharField(label=gettext_lazy("Name of the cycle"), required=False, max_length=200,
                            help_text=gettext_lazy("For several dates followed together: “Tablet, 6 sessions”."))
    confirm_conflicts = forms.BooleanField(label=gettext_lazy("Schedule anyway"), required=False)

    def __init__(self, *args: Any, workshop: Workshop, session: Session | None = None, **kwargs: Any) -> None:
        self.workshop = workshop
        self.session = session
        existing = list(session.dates.all()) if session is not None else []
        self.rows = max(DATE_ROWS, len(existing) + 1)
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(session, existing)
        super().__init__(*args, **kwargs)
        if session is None and workshop.proposed_by_id and not self.is_bound:
            self.initial.setdefault("animators", [workshop.proposed_by_id])
        for index in range(self.rows):
            self.fields[f"date_{index}"] = forms.DateField(label=_("Date"), required=False, widget=_date_input())
            self.fields[f"start_{index}"] = forms.TimeField(label=_("Start time"), required=False,
                                                            widget=_time_input())
            self.fields[f"end_{index}"] = forms.TimeField(label=_("End time"), required=False, widget=_time_input())
        self.fields["venue"].choices, self.venues = venues_by_territory(workshop)
        current = {user.pk for user in session.animators.all()} if session is not None else set()
        self.fields["animators"].choices, self.members = animator_choices(workshop, current)
        self.dates: list[tuple[datetime, datetime]] = []
        self.date_errors: list[str] = []

    @staticmethod
    def initial_for(session: Session, existing: list[Any]) -> dict[str, Any]:
        zone = ZoneInfo(session.tz or DEFAULT_TZ)
        initial: dict[str, Any] = {
            "venue": session.venue_id, "location": session.location, "online_url": session.online_url,
            "capacity": session.capacity, "animators": [user.pk for user in session.animators.all()],
            "title": session.title,
        }
        for index, row in enumerate(existing):
            start, end = row.start.astimezone(zone), row.end.astimezone(zone)
            initial.update({f"date_{index}": start.date(), f"start_{index}": start.time(),
                            f"end_{index}": end.time()})
        if session.registration_deadline is not None:
            deadline = session.registration_deadline.astimezone(zone)
            initial.update({"deadline_date": deadline.date(), "deadline_time": deadline.time()})
        return initial

    def date_rows(self) -> list[dict[str, Any]]:
        """The rows for the template: each with its three bound fields and whether it is empty."""
        rows = []
        for index in range(self.rows):
            fields = [self[f"{name}_{index}"] for name in ("date", "start", "end")]
            filled = any(field.value() not in (None, "") for field in fields)
            rows.append({"index": index, "number": index + 1, "date": fields[0], "start": fields[1],
                         "end": fields[2], "filled": filled,
                         "errors": [error for field in fields for error in field.errors],
                         "errored": [field for field in fields if field.errors]})
        return rows

    def animator_groups(self) -> list[dict[str, Any]]:
        """The animators' checkboxes by group, for the template (a fieldset each)."""
        chosen = {str(value) for value in (self["animators"].value() or [])}
        choices = self.fields["animators"].choices
        if choices and not isinstance(choices[0][1], list | tuple):
            choices = [("", choices)]
        groups = []
        for number, (label, options) in enumerate(choices):
            groups.append({"label": label, "options": [
                {"id": f"id_animators_{number}_{index}", "value": pk, "label": name, "checked": str(pk) in chosen}
                for index, (pk, name) in enumerate(options)]})
        return groups

    def selected_venue(self) -> Venue | None:
        pk = self.cleaned_data.get("venue")
        return self.venues.get(pk) if pk is not None else None

    def zone(self) -> str:
        venue = self.selected_venue()
        return venue_timezone(venue) if venue is not None else DEFAULT_TZ

    def clean_venue(self) -> int | None:
        pk = self.cleaned_data.get("venue")
        if pk is not None and pk not in self.venues:
            raise ValidationError(_("Choose one of the venues of the directory."))
        return pk

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        tz = self.zone() if "venue" not in self.errors else DEFAULT_TZ
        dates = []
        for index in range(self.rows):
            day: date | None = cleaned.get(f"date_{index}")
            start: time | None = cleaned.get(f"start_{index}")
            end: time | None = cleaned.get(f"end_{index}")
            if any(f"{name}_{index}" in self.errors for name in ("date", "start", "end")):
                continue
            if day is None and start is None and end is None:
                continue
            if day is None:
                self.add_error(f"date_{index}", _("Give the date."))
                continue
            if start is None or end is None:
                self.add_error(f"start_{index}" if start is None else f"end_{index}",
                               _("Give the start and end times."))
                continue
            moments = []
            for name, at in (("start", start), ("end", end)):
                try:
                    moments.append(local_datetime(day, at, tz))
                except ValidationError as error:
                    self.add_error(f"{name}_{index}", error.messages)
            if len(moments) == 2:
                dates.append((moments[0], moments[1]))
        self.dates = dates
        deadline_day, deadline_time = cleaned.get("deadline_date"), cleaned.get("deadline_time")
        cleaned["registration_deadline"] = None
        if deadline_time is not None and deadline_day is None:
            self.add_error("deadline_date", _("Give the date registrations close, or leave both empty."))
        elif deadline_day is not None:
            try:
                cleaned["registration_deadline"] = local_datetime(deadline_day, deadline_time or time(0), tz)
            except ValidationError as error:
                self.add_error("deadline_time", error.messages)
        return cleaned

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "dates": self.dates, "venue": self.selected_venue(), "location": data.get("location") or "",
            "online_url": data.get("online_url") or "", "capacity": data["capacity"],
            "animators": [self.members[pk] for pk in data.get("animators") or [] if pk in self.members],
            "registration_deadline": data.get("registration_deadline"), "title": data.get("title") or "",
            "confirm_conflicts": bool(data.get("confirm_conflicts")),
        }

    def has_date_errors(self) -> bool:
        return bool(self.date_errors) or any(
            f"{name}_{index}" in self.errors for index in range(self.rows) for name in ("date", "start", "end"))

    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError: "dates" on the fieldset, the others on their field."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            if key == "dates":
                self.date_errors.extend(messages)
                continue
            field = ERROR_FIELDS.get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=gettext_lazy("Sent to the people registered."))
