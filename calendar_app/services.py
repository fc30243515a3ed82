"""Calendar services: the calendars themselves, and the events with their recurrence.

Each function checks permission (PermissionDenied, reason from `permissions`), validates
(ValidationError, in French), writes inside one transaction, bumps the calendar's
`changed_at` (feeds answer 304 from it) and records activity / notifies where it applies.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calendar_app import recurrence, timezones
from calendar_app.models import DEFAULT_TZ, Attendee, Calendar, Category, Event, EventAttachment
from core import uploads
from core.activity import register_activity
from core.notifications import register_verb
from core.services import activity_record, notify

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.core.files.uploadedfile import UploadedFile

    from core.models import Space
    from members.models import User


# --- Calendars -------------------------------------------------------------------------------


def space_calendar_create(*, space: Space) -> Calendar:
    """The calendar of a new space (core.spaces.space_created; migration 0002 for older ones)."""
    calendar, _created = Calendar.objects.get_or_create(space=space)
    return calendar


def personal_calendar(user: User) -> Calendar:
    """The member's own calendar, made the first time it is asked for."""
    try:
        return Calendar.objects.get(owner=user)
    except Calendar.DoesNotExist:
        try:
            with transaction.atomic():
                return Calendar.objects.create(owner=user)
        except IntegrityError:  # made meanwhile by another request
            return Calendar.objects.get(owner=user)


def calendar_touch(calendar_id: int) -> None:
    """Something in the calendar changed: its feeds' ETag changes (one UPDATE)."""
    Calendar.objects.filter(pk=calendar_id).update(changed_at=timezone.now())


def calendar_set_hidden(*, actor: User, calendar: Calendar, hidden: bool) -> None:
    """Show or hide `calendar` in the member's "Mon agenda" (and its feed)."""
    from calendar_app import permissions
    from calendar_app.models import HiddenCalendar

    permissions.can_view_calendar(actor, calendar).check()
    if hidden:
        HiddenCalendar.objects.get_or_create(user=actor, calendar=calendar)
    else:
        HiddenCalendar.objects.filter(user=actor, calendar=calendar).delete()


# --- Events ----------------------------------------------------------------------------------
# `data` holds the fields of an event as a form (or the importer) gives them; a key left out
# keeps the current value (update) or the default (create). Start and end come either as
# dates and times in the event's zone (`start_date`, `start_time`, `end_date`, `end_time`)
# or as aware datetimes (`start`, `end`). Errors are raised on these keys: "title", "start",
# "end", "tz", "rrule", "venue", "online_url", "category", "visibility", "capacity",
# "reminder_minutes", "attachments", "occurrence".

UTC = ZoneInfo("UTC")
# How URLs name an occurrence (views use them through this module).
occurrence_param = recurrence.occurrence_param
parse_occurrence = recurrence.parse_occurrence
TITLE_MAX = 200
DESCRIPTION_MAX = 20000
LOCATION_MAX = 255
ATTACHMENTS_MAX = 10
ATTACHMENT_SIZE_MAX = 10 * 1024 * 1024
REMINDER_MAX = 60 * 24 * 28
SCOPES = ("all", "this", "following")
# The answers of the people told when an event they are invited to moves or is cancelled.
TOLD = (Attendee.Response.YES, Attendee.Response.MAYBE, Attendee.Response.PENDING)

register_activity("event.created", gettext_lazy("{actor} added the event {target}"), stream=True)
register_activity("event.updated", gettext_lazy("{actor} changed the event {target}"))
register_activity("event.occurrence_updated", gettext_lazy("{actor} changed one date of the event {target}"))
register_activity("event.occurrence_cancelled", gettext_lazy("{actor} cancelled one date of the event {target}"))
register_activity("event.cancelled", gettext_lazy("{actor} cancelled the event {target}"))
register_activity("event.deleted", gettext_lazy("{actor} deleted the event {target}"))
register_verb("event.moved", gettext_lazy("{actor} changed the date of the event {target}"))
register_verb("event.cancelled", gettext_lazy("{actor} cancelled the event {target}"))
register_verb("event.occurrence_cancelled", gettext_lazy("{actor} cancelled one date of the event {target}"))
register_verb("event.deleted", gettext_lazy("{actor} deleted the event {target}"))


def _pk_of(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return value.pk
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _moments(data: dict[str, Any], base: Event | None, tz: str, all_day: bool,
             errors: dict[str, list[str]]) -> tuple[_dt.datetime | None, _dt.datetime | None]:
    """(start, end), aware, from the dates and times of `data` (or its datetimes, or `base`'s)."""
    zone = ZoneInfo(tz)
    if "start_date" in data:
        start_day = data.get("start_date")
        if not start_day:
            errors.setdefault("start", []).append(_("Give the date of the event."))
            return None, None
        end_day = data.get("end_date") or start_day
        if all_day:
            if end_day < start_day:
                errors.setdefault("end", []).append(_("The event ends before it starts."))
                return None, None
            return (_dt.datetime.combine(start_day, _dt.time(), zone),
                    _dt.datetime.combine(end_day + _dt.timedelta(days=1), _dt.time(), zone))
        start_time = data.get("start_time")
        if start_time is None:
            errors.setdefault("start", []).append(_("Give the time the event starts, or tick “All day”."))
            return None, None
        end_time = data.get("end_time")
        if end_time is None:
            end_time = (_dt.datetime.combine(start_day, start_time) + _dt.timedelta(hours=1)).time()
            if "end_date" not in data or not data.get("end_date"):
                end_day = (_dt.datetime.combine(start_day, start_time) + _dt.timedelta(hours=1)).date()
        start = end = None
        try:
            start = timezones.local_datetime(start_day, start_time, tz)
        except ValidationError as error:
            errors.setdefault("start", []).extend(error.messages)
        try:
            end = timezones.local_datetime(end_day, end_time, tz)
        except ValidationError as error:
            errors.setdefault("end", []).extend(error.messages)
        return start, end
    given_start: _dt.datetime | None = data.get("start", base.start if base else None)
    given_end: _dt.datetime | None = data.get("end", base.end if base else None)
    return _checked_moments(given_start, given_end, errors)


def _checked_moments(start: _dt.datetime | None, end: _dt.datetime | None,
                     errors: dict[str, list[str]]) -> tuple[_dt.datetime | None, _dt.datetime | None]:
    if start is None:
        errors.setdefault("start", []).append(_("Give the date of the event."))
        return None, None
    if end is None:
        end = start + _dt.timedelta(hours=1)
    for key, moment in (("start", start), ("end", end)):
        if timezone.is_naive(moment):
            errors.setdefault(key, []).append(_("This date has no time zone."))
            return None, None
        if isinstance(moment.tzinfo, ZoneInfo) and not recurrence.is_valid_local_time(moment):
            local = moment.replace(tzinfo=None)
            try:
                timezones.local_datetime(local.date(), local.time(), moment.tzinfo.key)
            except ValidationError as error:
                errors.setdefault(key, []).extend(error.messages)
                return None, None
    return start, end


def _clean_event(data: dict[str, Any], base: Event | None) -> dict[str, Any]:
    """The model fields of an event from `data` (keys left out: `base`'s values), or ValidationError."""
    from directory.models import Venue

    errors: dict[str, list[str]] = {}

    def current(key: str, default: Any) -> Any:
        return data[key] if key in data else (getattr(base, key) if base is not None else default)

    title = " ".join(str(current("title", "") or "").split())
    if not title:
        errors.setdefault("title", []).append(_("Give the event a title."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(_("The title is limited to %(n)d characters.") % {"n": TITLE_MAX})
    description = str(current("description", "") or "").replace("\x00", "").replace("\r\n", "\n").strip()
    if len(description) > DESCRIPTION_MAX:
        errors.setdefault("description", []).append(
            _("The description is limited to %(n)d characters.") % {"n": DESCRIPTION_MAX})
    all_day = bool(current("all_day", False))

    venue = None
    venue_pk = _pk_of(data["venue"]) if "venue" in data else (base.venue_id if base is not None else None)
    if venue_pk is not None:
        venue = Venue.objects.filter(pk=venue_pk).first()
        if venue is None:
            errors.setdefault("venue", []).append(_("This venue is not in the directory (any more)."))
    tz = str(current("tz", "") or "") or (timezones.venue_timezone(venue) if venue else DEFAULT_TZ)
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        errors.setdefault("tz", []).append(_("Unknown time zone “%(tz)s”.") % {"tz": tz})
        tz = DEFAULT_TZ

    start, end = _moments(data, base, tz, all_day, errors)
    if start is not None and end is not None and end < start:
        errors.setdefault("end", []).append(_("The event ends before it starts."))

    rule = str(current("rrule", "") or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    if rule and start is not None and "start" not in errors:
        try:
            rule = recurrence.validate_rule(rule, start, tz)
        except recurrence.RuleError as error:
            errors.setdefault("rrule", []).append(str(error))

    location = " ".join(str(current("location", "") or "").split())
    if len(location) > LOCATION_MAX:
        errors.setdefault("location", []).append(
            _("The place is limited to %(n)d characters.") % {"n": LOCATION_MAX})
    online_url = str(current("online_url", "") or "").strip()
    if online_url:
        try:
            if not online_url.lower().startswith(("http://", "https://")):
                raise ValidationError("scheme")
            URLValidator(schemes=["http", "https"])(online_url)
            if len(online_url) > 500:
                raise ValidationError("length")
        except ValidationError:
            errors.setdefault("online_url", []).append(
                _("The online meeting link must be a web address starting with http:// or https://."))

    category = None
    category_pk = _pk_of(data["category"]) if "category" in data else (base.category_id if base else None)
    if category_pk is not None:
        category = Category.objects.filter(pk=category_pk).first()
        if category is None:
            errors.setdefault("category", []).append(_("This category does not exist (any more)."))

    visibility = str(current("visibility", Event.Visibility.MEMBERS) or Event.Visibility.MEMBERS)
    if visibility not in Event.Visibility.values:
        errors.setdefault("visibility", []).append(_("Choose who can see the event."))

    capacity = current("capacity", None)
    if capacity in ("",):
        capacity = None
    if capacity is not None:
        try:
            capacity = int(capacity)
        except (TypeError, ValueError):
            capacity = -1
        if capacity < 1:
            errors.setdefault("capacity", []).append(
                _("The number of places must be at least 1 (leave it empty for no limit)."))
    reminder = current("reminder_minutes", None)
    if reminder in ("",):
        reminder = None
    if reminder is not None:
        try:
            reminder = int(reminder)
        except (TypeError, ValueError):
            reminder = -1
        if not 0 <= reminder <= REMINDER_MAX:
            errors.setdefault("reminder_minutes", []).append(_("Choose a reminder from the list."))

    if errors:
        raise ValidationError(errors)
    return {
        "title": title, "description": description, "all_day": all_day, "tz": tz, "start": start, "end": end,
        "rrule": rule, "venue": venue, "location": "" if venue is not None else location,
        "online_url": online_url, "category": category, "visibility": visibility, "capacity": capacity,
        "reminder_minutes": reminder,
    }


def _check_attachments(files: Iterable[UploadedFile], already: int = 0) -> list[tuple[Any, ...]]:
    files = [f for f in (files or []) if f]
    return uploads.validate(files, max_count=max(ATTACHMENTS_MAX - already, 0), max_size=ATTACHMENT_SIZE_MAX,
                            too_many=_("At most %(n)d files per event.") % {"n": ATTACHMENTS_MAX})


def _save_attachments(event: Event, checked: list[tuple[Any, ...]]) -> None:
    for upload, name, ext, content_type, is_image in checked:
        attachment = EventAttachment(event=event, name=name, content_type=content_type, size=upload.size,
                                     is_image=is_image)
        attachment.file.save(uploads.stored_name(ext), upload, save=False)
        attachment.save()


def _master(event: Event) -> Event:
    return event.series if event.series is not None else event


def event_lock(event: Event) -> Event:
    """The event's row, fresh and locked until the end of the transaction (only its own row:
    `of=("self",)`, which PostgreSQL needs beside the outer joins of the rules)."""
    return Event.objects.with_rules("created_by").select_for_update(of=("self",)).get(pk=event.pk)


def _refresh_last_end(master: Event) -> None:
    """`last_end` from the rule, extended by an exception moved after it."""
    end = recurrence.last_end(master)
    if end is not None and master.rrule:
        latest = (Event.objects.filter(series=master).exclude(status=Event.Status.CANCELLED)
                  .order_by("-end").values_list("end", flat=True).first())
        if latest is not None and latest > end:
            end = latest
    master.last_end = end


def _record(actor: User, verb: str, event: Event, occurrence: _dt.datetime | None = None) -> None:
    calendar = event.calendar
    if calendar.space_id is None:
        return
    url = event.get_absolute_url()
    if occurrence is not None:
        url += f"?occurrence={occurrence_param(occurrence)}"
    activity_record(actor=actor, verb=verb, target=event, space=calendar.space, url=url)


def _tell_attendees(actor: User, verb: str, master: Event, occurrence: _dt.datetime | None = None,
                    url: str | None = None) -> None:
    if url is None:
        url = master.get_absolute_url()
        if occurrence is not None:
            url += f"?occurrence={occurrence_param(occurrence)}"
    for attendee in Attendee.objects.filter(event=master, response__in=TOLD).select_related("user"):
        notify(recipient=attendee.user, verb=verb, target=master, actor=actor, url=url)


def _is_occurrence(master: Event, occurrence: _dt.datetime) -> bool:
    if not master.rrule:
        return False
    moment = occurrence.astimezone(UTC)
    starts = recurrence.occurrence_starts(master, moment, moment + _dt.timedelta(microseconds=1), limit=5)
    return any(start.astimezone(UTC) == moment for start in starts)


def _check_occurrence(master: Event, occurrence: _dt.datetime | None) -> _dt.datetime:
    if occurrence is not None:
        occurrence = occurrence.astimezone(UTC)
        if _is_occurrence(master, occurrence) or master.overrides.filter(recurrence_id=occurrence).exists():
            return occurrence
    raise ValidationError({"occurrence": _("This date is not one of the event's occurrences.")})


def _virtual(master: Event, occurrence: _dt.datetime) -> Event:
    """An unsaved copy of `master` as its occurrence starting at `occurrence`."""
    copy = Event(**{f.attname: getattr(master, f.attname) for f in Event._meta.concrete_fields if f.attname != "id"})
    local = occurrence.astimezone(ZoneInfo(master.tz))
    copy.start = local
    copy.end = recurrence.occurrence_end(local, master)
    copy.rrule = ""
    for name in ("calendar", "category", "venue", "created_by"):  # what the master already loaded
        field: Any = Event._meta.get_field(name)
        if field.is_cached(master):
            field.set_cached_value(copy, field.get_cached_value(master))
    return copy


def _dates_changed(before: tuple[Any, ...], after: Event) -> bool:
    return before != (after.start, after.end, after.all_day, after.rrule)


def _prune_overrides(master: Event) -> None:
    """Drop the exceptions whose original date is no longer one of the rule's."""
    doomed = [o.pk for o in Event.objects.filter(series=master)
              if o.recurrence_id is None or not _is_occurrence(master, o.recurrence_id)]
    if doomed:
        Event.objects.filter(pk__in=doomed).delete()


def event_create(*, actor: User, calendar: Calendar, data: dict[str, Any],
                 attachments: Iterable[UploadedFile] = ()) -> Event:
    """A new event (a single one, or a series when `data["rrule"]`) in `calendar`."""
    from calendar_app import permissions

    permissions.can_add_event(actor, calendar).check()
    fields = _clean_event(data, None)
    checked = _check_attachments(attachments)
    with transaction.atomic():
        event = Event(calendar=calendar, created_by=actor, **fields)
        event.last_end = recurrence.last_end(event)
        event.save()
        _save_attachments(event, checked)
        calendar_touch(calendar.pk)
        _record(actor, "event.created", event)
    return event


def event_update(*, actor: User, event: Event, data: dict[str, Any], scope: str = "all",
                 occurrence: _dt.datetime | None = None, attachments: Iterable[UploadedFile] = (),
                 remove_attachments: Iterable[int] = ()) -> Event:
    """Change an event: the whole series ("all"), one occurrence ("this", an exception row)
    or the occurrence and the following ones ("following": the series is split in two).

    Returns the row changed: the master, the exception, or the new series' master."""
    from calendar_app import permissions

    if event.series_id is not None:  # an exception row: its occurrence
        occurrence = occurrence or event.recurrence_id
        event = event.series  # type: ignore[assignment]
    permissions.can_edit_event(actor, event).check()
    if scope not in SCOPES:
        raise ValidationError({"scope": _("Choose which dates the change applies to.")})
    if not event.rrule:
        scope = "all"
    elif scope != "all":
        occurrence = _check_occurrence(event, occurrence)
    new_calendar = data.get("calendar")
    if new_calendar is not None and new_calendar.pk != event.calendar_id:
        if scope != "all":
            raise ValidationError({"calendar": _("Move the whole series to another calendar, not one date.")})
        permissions.can_add_event(actor, new_calendar).check()
    keep_ids = {a.pk for a in event.attachments.all()} - {int(pk) for pk in remove_attachments}
    checked = _check_attachments(attachments, already=len(keep_ids))
    if scope == "this":
        assert occurrence is not None
        return _update_occurrence(actor, event, occurrence, data, checked, remove_attachments)
    if scope == "following":
        assert occurrence is not None
        if occurrence > event.start.astimezone(UTC):
            return _split_series(actor, event, occurrence, data, checked, remove_attachments)
    return _update_series(actor, event, occurrence, data, checked, remove_attachments, new_calendar)


def _update_series(actor: User, master: Event, occurrence: _dt.datetime | None, data: dict[str, Any],
                   checked: list[tuple[Any, ...]], remove: Iterable[int], new_calendar: Calendar | None) -> Event:
    data = dict(data)
    if occurrence is not None and master.rrule and data.get("start_date"):
        # Edited from one occurrence: the series moves by as many days as that occurrence did.
        zone = ZoneInfo(master.tz)
        shift = master.start.astimezone(zone).date() - occurrence.astimezone(zone).date()
        data["start_date"] = data["start_date"] + shift
        if data.get("end_date"):
            data["end_date"] = data["end_date"] + shift
    fields = _clean_event(data, master)
    with transaction.atomic():
        master = event_lock(master)
        before = (master.start, master.end, master.all_day, master.rrule)
        old_calendar_id = master.calendar_id
        for name, value in fields.items():
            setattr(master, name, value)
        if new_calendar is not None:
            master.calendar = new_calendar
        moved = _dates_changed(before, master)
        if before[0] != master.start or before[3] != master.rrule or before[2] != master.all_day:
            if master.rrule:
                _prune_overrides(master)
            else:
                Event.objects.filter(series=master).delete()
        master.sequence += 1
        master.updated_at = timezone.now()
        _refresh_last_end(master)
        master.save()
        if new_calendar is not None:
            Event.objects.filter(series=master).update(calendar=new_calendar)
            calendar_touch(old_calendar_id)
        EventAttachment.objects.filter(event=master, pk__in=list(remove)).delete()
        _save_attachments(master, checked)
        calendar_touch(master.calendar_id)
        _record(actor, "event.updated", master)
        if moved:
            _tell_attendees(actor, "event.moved", master)
    return master


def _update_occurrence(actor: User, master: Event, occurrence: _dt.datetime, data: dict[str, Any],
                       checked: list[tuple[Any, ...]], remove: Iterable[int]) -> Event:
    data = {key: value for key, value in data.items() if key not in ("rrule", "calendar")}
    existing = master.overrides.filter(recurrence_id=occurrence).first()
    base = existing or _virtual(master, occurrence)
    fields = _clean_event(data, base)
    fields["rrule"] = ""
    before = (base.start, base.end, base.all_day)
    with transaction.atomic():
        master = event_lock(master)
        row = existing or _virtual(master, occurrence)
        for name, value in fields.items():
            setattr(row, name, value)
        master.sequence += 1
        master.updated_at = timezone.now()
        row.series = master
        row.uid = master.uid
        row.recurrence_id = occurrence
        row.calendar_id = master.calendar_id
        row.sequence = row.sequence + 1 if existing else master.sequence
        row.updated_at = master.updated_at
        row.last_end = row.end
        if existing is None:
            row.created_at = master.updated_at
            row.status = master.status
        row.save()
        _refresh_last_end(master)
        master.save(update_fields=["sequence", "updated_at", "last_end"])
        EventAttachment.objects.filter(event=master, pk__in=list(remove)).delete()
        _save_attachments(master, checked)
        calendar_touch(master.calendar_id)
        _record(actor, "event.occurrence_updated", master, occurrence)
        if (row.start, row.end, row.all_day) != before:
            _tell_attendees(actor, "event.moved", master, occurrence)
    return row


def _split_series(actor: User, master: Event, occurrence: _dt.datetime, data: dict[str, Any],
                  checked: list[tuple[Any, ...]], remove: Iterable[int]) -> Event:
    parts = recurrence.parse_parts(master.rrule)
    before_count = len(recurrence.occurrence_starts(master, master.start, occurrence,
                                                    limit=recurrence.MAX_COUNT + 1))
    old_parts = dict(parts)
    new_parts = dict(parts)
    if "COUNT" in parts:
        old_parts["COUNT"] = str(before_count)
        new_parts["COUNT"] = str(max(int(parts["COUNT"]) - before_count, 1))
    else:
        old_parts["UNTIL"] = recurrence.rule_to_utc_until(occurrence - _dt.timedelta(seconds=1), master.tz)
    old_rule = ";".join(f"{k}={v}" for k, v in old_parts.items())
    remaining = ";".join(f"{k}={v}" for k, v in new_parts.items())
    data = {key: value for key, value in data.items() if key != "calendar"}
    given = str(data.get("rrule", master.rrule) or "").strip()
    try:
        unchanged = _implicit(recurrence.parse_parts(given), master) == _implicit(parts, master)
    except recurrence.RuleError:
        unchanged = False
    if "rrule" not in data or unchanged:
        data["rrule"] = remaining
    base = _virtual(master, occurrence)
    base.rrule = remaining
    fields = _clean_event(data, base)
    with transaction.atomic():
        master = event_lock(master)
        now = timezone.now()
        new = _virtual(master, occurrence)
        for name, value in fields.items():
            setattr(new, name, value)
        new.uid = Event._meta.get_field("uid").get_default()
        new.sequence = 0
        new.created_at = new.updated_at = now
        new.last_end = recurrence.last_end(new)
        new.save()
        master.rrule = recurrence.validate_rule(old_rule, master.start, master.tz)
        master.sequence += 1
        master.updated_at = now
        # The exceptions from the split on belong to the new series (those its rule still has).
        moving = Event.objects.filter(series=master, recurrence_id__gte=occurrence)
        moving.update(series=new, uid=new.uid, sequence=models_F_plus_one(), updated_at=now)
        if new.rrule:
            _prune_overrides(new)
        else:
            Event.objects.filter(series=new).delete()
        _refresh_last_end(new)
        new.save(update_fields=["last_end"])
        _refresh_last_end(master)
        master.save(update_fields=["rrule", "sequence", "updated_at", "last_end"])
        Attendee.objects.bulk_create([
            Attendee(event=new, user_id=a.user_id, response=a.response, invited_by_id=a.invited_by_id,
                     reminder_minutes=a.reminder_minutes, created_at=a.created_at, responded_at=a.responded_at)
            for a in Attendee.objects.filter(event=master)
        ])
        removed = {int(pk) for pk in remove}
        EventAttachment.objects.bulk_create([
            EventAttachment(event=new, file=a.file.name, name=a.name, content_type=a.content_type, size=a.size,
                            is_image=a.is_image, created_at=a.created_at)
            for a in EventAttachment.objects.filter(event=master) if a.pk not in removed
        ])
        _save_attachments(new, checked)
        calendar_touch(master.calendar_id)
        _record(actor, "event.updated", new)
        original = _virtual(master, occurrence)
        if (new.start, new.end, new.all_day, new.rrule) != (original.start, original.end, original.all_day,
                                                            remaining):
            _tell_attendees(actor, "event.moved", new)
    return new


def _implicit(parts: dict[str, str], master: Event) -> dict[str, str]:
    """`parts` without what the start already implies (the form writes BYDAY=TU for a weekly
    event starting on a Tuesday, an imported rule may not): rules compared by meaning."""
    local = master.start.astimezone(ZoneInfo(master.tz))
    parts = dict(parts)
    code = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[local.weekday()]
    if parts.get("FREQ") == "WEEKLY" and parts.get("BYDAY") == code:
        parts.pop("BYDAY")
    if parts.get("FREQ") == "MONTHLY" and parts.get("BYMONTHDAY") == str(local.day):
        parts.pop("BYMONTHDAY")
    if parts.get("INTERVAL") == "1":
        parts.pop("INTERVAL")
    return parts


def models_F_plus_one() -> Any:  # noqa: N802
    from django.db.models import F

    return F("sequence") + 1


def occurrence_cancel(*, actor: User, event: Event, occurrence: _dt.datetime | None) -> Event:
    """Cancel one occurrence of a series: its exception row, with status cancelled."""
    from calendar_app import permissions

    master = _master(event)
    if event.series_id is not None and occurrence is None:
        occurrence = event.recurrence_id
    permissions.can_edit_event(actor, master).check()
    if not master.rrule:
        raise ValidationError({"occurrence": _("This event does not repeat: cancel the event itself.")})
    occurrence = _check_occurrence(master, occurrence)
    with transaction.atomic():
        master = event_lock(master)
        row = master.overrides.filter(recurrence_id=occurrence).first()
        if row is not None and row.is_cancelled:
            raise ValidationError({"occurrence": _("This date is already cancelled.")})
        now = timezone.now()
        master.sequence += 1
        master.updated_at = now
        if row is None:
            row = _virtual(master, occurrence)
            row.series, row.uid, row.recurrence_id = master, master.uid, occurrence
            row.sequence = master.sequence
            row.created_at = now
        else:
            row.sequence += 1
        row.status = Event.Status.CANCELLED
        row.updated_at = now
        row.last_end = row.end
        row.save()
        _refresh_last_end(master)
        master.save(update_fields=["sequence", "updated_at", "last_end"])
        calendar_touch(master.calendar_id)
        _record(actor, "event.occurrence_cancelled", master, occurrence)
        _tell_attendees(actor, "event.occurrence_cancelled", master, occurrence)
    return row


def event_cancel(*, actor: User, event: Event) -> Event:
    """Cancel an event (every date of a series): kept, shown struck through, attendees told."""
    from calendar_app import permissions

    if event.series_id is not None:
        return occurrence_cancel(actor=actor, event=event, occurrence=event.recurrence_id)
    permissions.can_edit_event(actor, event).check()
    if event.is_cancelled:
        raise ValidationError(_("This event is already cancelled."))
    with transaction.atomic():
        event = event_lock(event)
        event.status = Event.Status.CANCELLED
        event.sequence += 1
        event.updated_at = timezone.now()
        event.save(update_fields=["status", "sequence", "updated_at"])
        calendar_touch(event.calendar_id)
        _record(actor, "event.cancelled", event)
        _tell_attendees(actor, "event.cancelled", event)
    return event


def event_delete(*, actor: User, event: Event) -> None:
    """Delete an event (a series with its exceptions); an exception row given: that date goes
    back to the series' own. Attendees of a future event are told."""
    from calendar_app import permissions

    master = _master(event)
    permissions.can_edit_event(actor, master).check()
    with transaction.atomic():
        master = event_lock(master)
        calendar_id = master.calendar_id
        if event.series_id is not None:
            Event.objects.filter(pk=event.pk).delete()
            master.sequence += 1
            master.updated_at = timezone.now()
            _refresh_last_end(master)
            master.save(update_fields=["sequence", "updated_at", "last_end"])
            calendar_touch(calendar_id)
            _record(actor, "event.occurrence_updated", master, event.recurrence_id)
            return
        calendar_url = reverse("calendar:calendar", args=[calendar_id])
        upcoming = master.last_end is None or master.last_end > timezone.now()
        if upcoming and not master.is_cancelled:
            _tell_attendees(actor, "event.deleted", master, url=calendar_url)
        if master.calendar.space_id is not None:
            activity_record(actor=actor, verb="event.deleted", target=master, space=master.calendar.space,
                            url=calendar_url)
        master.delete()
        calendar_touch(calendar_id)


def attachment_for(event: Event, attachment_pk: int) -> EventAttachment | None:
    """The attachment `attachment_pk` of `event` (of its master for an exception), or None."""
    return EventAttachment.objects.filter(event_id=event.series_id or event.pk, pk=attachment_pk).first()


# For the views: the unsaved row of one occurrence, and whether a date is one of a series'.
occurrence_as_event = _virtual
is_occurrence = _is_occurrence
