"""Importing an `.ics` file (Thunderbird, Google, Outlook, Nextcloud...) into a calendar.

`calendar_import` refuses the whole file, importing nothing, when it cannot be trusted as a
calendar (too big, not UTF-8, does not parse, no VCALENDAR, no VEVENT, too many components):
a ValidationError in French. Otherwise every VEVENT is one line of the report: created,
updated, unchanged, or ignored with its reason (no start, end before start, unknown time
zone, a rule the calendar refuses...); the other events are imported, all in one transaction.

Events are matched on their UID within the calendar, so importing the same file again
updates them (SEQUENCE bumped only when something changed) rather than duplicating them.
A RECURRENCE-ID component becomes an exception row of its series, an EXDATE a cancelled
exception row; for a series present in the file, the file is the truth: its exceptions
that the file no longer holds are removed.

Time zones are resolved here, not by icalendar's process-wide cache (which remembers the
VTIMEZONEs of earlier files): an IANA name, a Windows name ("Romance Standard Time"), or a
VTIMEZONE of this very file (mapped to the IANA zone with the same offsets). A wall-clock
time skipped by a daylight-saving change (02 h 30 on the spring day) is read, as RFC 5545
§3.3.5 says, with the offset before the gap: 02 h 30 in Paris on the last Sunday of March is
stored as 01 h 30 UTC (03 h 30 summer time), and the report says so.
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, available_timezones

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from calendar_app import permissions, recurrence, services
from calendar_app.models import DEFAULT_TZ, Calendar, Event

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from members.models import User

MAX_IMPORT_BYTES = 2 * 1024 * 1024
# Components (BEGIN: lines, alarms and time zones included) of one file.
MAX_COMPONENTS = 5000
# Occurrences a rule with an UNTIL may have (computing `last_end` walks them), per event and in all.
MAX_RULE_OCCURRENCES = 10 * recurrence.MAX_COUNT
MAX_FILE_OCCURRENCES = 200_000
UTC = ZoneInfo("UTC")

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
IGNORED = "ignored"

# Fields an import writes, compared to tell "updated" from "unchanged".
_FIELDS = ("title", "description", "start", "end", "all_day", "tz", "rrule", "last_end", "location",
           "online_url", "status")
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}
_PER_PERIOD = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}


@dataclass
class ImportLine:
    """One VEVENT of the file and what became of it."""

    summary: str
    start: datetime | date | None
    result: str = IGNORED
    reason: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.result == CREATED:
            return pgettext("import result", "created")
        if self.result == UPDATED:
            return pgettext("import result", "updated")
        if self.result == UNCHANGED:
            return pgettext("import result", "unchanged")
        return pgettext("import result", "ignored: %(reason)s") % {"reason": self.reason}

    @property
    def ignored(self) -> bool:
        return self.result == IGNORED


@dataclass
class ImportReport:
    lines: list[ImportLine] = field(default_factory=list)

    def count(self, result: str) -> int:
        return sum(1 for line in self.lines if line.result == result)

    @property
    def created(self) -> int:
        return self.count(CREATED)

    @property
    def updated(self) -> int:
        return self.count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def ignored(self) -> int:
        return self.count(IGNORED)


class _Skip(Exception):
    """This component is not imported; `str()` is the reason, in French."""


@dataclass
class _Plan:
    """What one VEVENT becomes: a master (or single event), or an exception of a series."""

    line: ImportLine
    uid: str
    values: dict[str, Any]
    sequence: int
    recurrence_id: datetime | None = None
    # Masters only: original starts (UTC) of the occurrences cancelled by EXDATE.
    exdates: list[datetime] = field(default_factory=list)


# --- The service -------------------------------------------------------------------------------


def calendar_import(*, actor: User, calendar: Calendar, upload: UploadedFile) -> ImportReport:
    """Import the events of `upload` (an `.ics` file) into `calendar`, which `actor` manages."""
    permissions.can_manage_calendar(actor, calendar).check()
    text = _read_text(upload)
    ical = _parse(text)
    zones = _Zones(ical)
    budget = [MAX_FILE_OCCURRENCES]
    plans: list[_Plan] = []
    report = ImportReport()
    seen: set[tuple[str, datetime | None]] = set()
    for component in ical.walk("VEVENT"):
        line = ImportLine(summary=_summary(component), start=None)
        report.lines.append(line)
        try:
            plan = _plan(component, line, zones, budget)
        except _Skip as skip:
            line.reason = str(skip)
            continue
        key = (plan.uid, plan.recurrence_id)
        if key in seen:
            line.reason = _("the same event (UID) appears twice in the file")
            continue
        seen.add(key)
        plans.append(plan)
    try:
        with transaction.atomic():
            # Two imports into one calendar wait for each other (PostgreSQL; SQLite has one writer).
            list(Calendar.objects.select_for_update().filter(pk=calendar.pk).values_list("pk"))
            changed = _write(actor, calendar, plans)
            if changed:
                services.calendar_touch(calendar.pk)
    except IntegrityError as error:  # the same events imported meanwhile by another request
        raise ValidationError(_("The calendar changed during the import; import the file again.")) from error
    return report


# --- Reading the file --------------------------------------------------------------------------


def _read_text(upload: UploadedFile) -> str:
    too_big = _("The file is larger than %(max)s MB: an export of a calendar is far smaller.") % {
        "max": MAX_IMPORT_BYTES // (1024 * 1024)}
    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        raise ValidationError(too_big, code="too_big")
    data = upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(too_big, code="too_big")
    if not data.strip():
        raise ValidationError(_("The file is empty."), code="empty")
    # icalendar reads UTF-8 (with or without a byte order mark); UTF-16 only comes with its mark.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        charsets = ["utf-16"]
    else:
        charsets = ["utf-8-sig"]
    for charset in charsets:
        try:
            return data.decode(charset)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        _("The file is not encoded in UTF-8: export the calendar again, in UTF-8."), code="encoding")


def _parse(text: str) -> icalendar.Calendar:
    not_ical = _("This file is not a calendar in the iCalendar format (.ics): nothing was imported.")
    components = sum(1 for row in text.splitlines() if row[:6].upper() == "BEGIN:")
    if components > MAX_COMPONENTS:
        raise ValidationError(
            _("The file holds %(count)s components, more than the %(max)s an import accepts: split it.")
            % {"count": components, "max": MAX_COMPONENTS}, code="too_many")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # guessed TZIDs: resolved again by _Zones
        try:
            ical = icalendar.Calendar.from_ical(text)
        except (ValueError, TypeError, IndexError, KeyError) as error:
            raise ValidationError(not_ical, code="not_ical") from error
    if getattr(ical, "name", None) != "VCALENDAR":
        raise ValidationError(_("This file holds no calendar (no VCALENDAR): nothing was imported."),
                              code="no_calendar")
    if not ical.walk("VEVENT"):
        raise ValidationError(_("This calendar holds no event (VEVENT): nothing was imported."), code="no_event")
    return ical


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


class _Zones:
    """The time zones a file's TZIDs name: (IANA name to store, tzinfo to read the times with)."""

    def __init__(self, ical: icalendar.Calendar) -> None:
        self.defined: dict[str, Any] = {str(vtz.get("TZID", "")): vtz for vtz in ical.walk("VTIMEZONE")}
        self.found: dict[str, tuple[str, tzinfo] | None] = {}

    def resolve(self, tzid: str) -> tuple[str, tzinfo] | None:
        if tzid not in self.found:
            self.found[tzid] = self._resolve(tzid)
        return self.found[tzid]

    def _resolve(self, tzid: str) -> tuple[str, tzinfo] | None:
        name = _iana(tzid)
        if name:
            return name, ZoneInfo(name)
        vtz = self.defined.get(tzid)
        if vtz is None:
            return None
        name = _iana(str(vtz.get("X-LIC-LOCATION", "")))
        if name:
            return name, ZoneInfo(name)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                own = vtz.to_tz(lookup_tzid=False)
        except (ValueError, TypeError, KeyError, AttributeError, IndexError):
            return None
        # The IANA zone with the same offsets in winter and in summer (the default one first).
        year = timezone.now().year
        probes = [datetime(year, 1, 15, 12), datetime(year, 7, 15, 12)]
        try:
            wanted = [probe.replace(tzinfo=own).utcoffset() for probe in probes]
        except (ValueError, TypeError, AttributeError):
            return None
        for candidate in [DEFAULT_TZ, *sorted(_known_zones())]:
            zone = ZoneInfo(candidate)
            if [probe.replace(tzinfo=zone).utcoffset() for probe in probes] == wanted:
                return candidate, zone
        return DEFAULT_TZ, own


def _iana(tzid: str) -> str | None:
    """The IANA name of a TZID: itself, a Windows name's zone, or a "/vendor/Europe/Paris" one's."""
    cleaned = tzid.strip().strip("/")
    known = _known_zones()
    if cleaned in known:
        return cleaned
    if cleaned in WINDOWS_TO_OLSON and WINDOWS_TO_OLSON[cleaned] in known:
        return WINDOWS_TO_OLSON[cleaned]
    parts = cleaned.split("/")
    for first in range(1, len(parts)):
        if "/".join(parts[first:]) in known:
            return "/".join(parts[first:])
    return None


# --- One component ----------------------------------------------------------------------------


def _text(component: Any, name: str) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value).strip()


def _summary(component: Any) -> str:
    return _text(component, "SUMMARY")[:200]


def _plan(component: Any, line: ImportLine, zones: _Zones, budget: list[int]) -> _Plan:
    broken = sorted({name for name, _message in getattr(component, "errors", [])})
    if "DTSTART" not in component:
        raise _Skip(_("no start date (DTSTART)"))
    if broken:
        raise _Skip(_("unreadable property: %(names)s") % {"names": ", ".join(broken)})
    start_value, start_zone, start_gap = _when(component["DTSTART"], zones, DEFAULT_TZ)
    line.start = start_value
    all_day = not isinstance(start_value, datetime)
    recurring = "RRULE" in component
    if all_day:
        assert isinstance(start_value, date)
        tz = DEFAULT_TZ
        first: date = start_value
        last = _all_day_last(component, first, zones)
        start, end = recurrence.all_day_bounds(first, last, tz)
    else:
        assert isinstance(start_value, datetime)
        tz = start_zone or DEFAULT_TZ
        if tz == "UTC" and not recurring:
            tz = DEFAULT_TZ  # a single event given in UTC is shown in the calendar's zone
        start = start_value
        end = _timed_end(component, start, zones, tz)
        line.start = start.astimezone(UTC).astimezone(ZoneInfo(tz))  # as stored (03 h 30 for 02 h 30 in a gap)
        if start_gap:
            line.notes.append(_gap_note(start_value, tz))
    rrule = ""
    if recurring:
        rrule = _rule(component, start, tz, budget)
        if not all_day and start_gap:
            line.notes.append(_("the following occurrences of the series keep that time"))
    status = (Event.Status.CANCELLED if _text(component, "STATUS").upper() == "CANCELLED"
              else Event.Status.CONFIRMED)
    url = _text(component, "URL")
    online_url = ""
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            line.notes.append(_("the link (URL) is not imported: only http and https addresses are"))
        else:
            online_url = url if len(url) <= 500 else ""
    if "RDATE" in component:
        line.notes.append(_("the extra dates (RDATE) are not imported"))
    values: dict[str, Any] = {
        "title": _summary(component) or _("(untitled)"),
        "description": _text(component, "DESCRIPTION"),
        "start": start.astimezone(UTC),
        "end": end.astimezone(UTC),
        "all_day": all_day,
        "tz": tz,
        "rrule": rrule,
        "location": _text(component, "LOCATION")[:255],
        "online_url": online_url,
        "status": status,
    }
    try:
        sequence = max(0, int(str(component.get("SEQUENCE", 0))))
    except ValueError:
        sequence = 0
    uid = _uid(component)
    if "RECURRENCE-ID" in component:
        if rrule:
            raise _Skip(_("an occurrence of a series (RECURRENCE-ID) cannot have its own rule"))
        if "UID" not in component:
            raise _Skip(_("an occurrence of a series (RECURRENCE-ID) without UID"))
        original, _zone, _gap = _when(component["RECURRENCE-ID"], zones, tz)
        return _Plan(line, uid, values, sequence, recurrence_id=_instant(original, start, tz))
    exdates: list[datetime] = []
    if rrule:
        for value in _exdates(component, zones, tz):
            exdates.append(_instant(value, start, tz))
        if len(exdates) > recurrence.MAX_COUNT:
            raise _Skip(_("more than %(max)s excluded dates (EXDATE)") % {"max": recurrence.MAX_COUNT})
    return _Plan(line, uid, values, sequence, exdates=sorted(set(exdates)))


def _when(prop: Any, zones: _Zones, floating_tz: str) -> tuple[datetime | date, str | None, bool]:
    """(value, IANA zone or "UTC" or None for a date, whether it fell in a daylight-saving gap).

    A time with a TZID is read in that zone, a time in UTC stays so, a floating time (neither)
    is read in `floating_tz`. The wall-clock time is always re-read in the zone resolved here."""
    value = prop.dt
    if not isinstance(value, datetime):
        if isinstance(value, date):
            return value, None, False
        raise _Skip(_("a date of an unexpected kind (%(kind)s)") % {"kind": type(value).__name__})
    tzid = prop.params.get("TZID")
    if tzid:
        resolved = zones.resolve(str(tzid))
        if resolved is None:
            raise _Skip(_("unknown time zone “%(tzid)s”") % {"tzid": tzid})
        name, zone = resolved
        moment = value.replace(tzinfo=zone, fold=0)
    elif value.tzinfo is not None:
        return value.astimezone(UTC), "UTC", False
    else:
        name = floating_tz
        moment = value.replace(tzinfo=ZoneInfo(name), fold=0)
    gap = isinstance(moment.tzinfo, ZoneInfo) and not recurrence.is_valid_local_time(moment)
    return moment, name, gap


def _instant(value: datetime | date, start: datetime, tz: str) -> datetime:
    """The UTC start of the occurrence named by a RECURRENCE-ID or EXDATE value."""
    if not isinstance(value, datetime):
        at = start.astimezone(ZoneInfo(tz)).time()
        return datetime.combine(value, at, ZoneInfo(tz)).astimezone(UTC)
    return value.astimezone(UTC)


def _all_day_last(component: Any, first: date, zones: _Zones) -> date:
    """The last day (included) of an all-day event."""
    if "DTEND" in component:
        end, _zone, _gap = _when(component["DTEND"], zones, DEFAULT_TZ)
        if isinstance(end, datetime):
            raise _Skip(_("the start is a date and the end a time"))
        if end < first:
            raise _Skip(_("the end is before the start"))
        return max(first, end - timedelta(days=1))
    if "DURATION" in component:
        duration = component["DURATION"].dt
        if not isinstance(duration, timedelta):
            raise _Skip(_("unreadable property: %(names)s") % {"names": "DURATION"})
        if duration < timedelta(0):
            raise _Skip(_("the end is before the start"))
        return first + timedelta(days=max(0, duration.days - 1))
    return first


def _timed_end(component: Any, start: datetime, zones: _Zones, tz: str) -> datetime:
    if "DTEND" in component:
        end, _zone, _gap = _when(component["DTEND"], zones, tz)
        if not isinstance(end, datetime):
            raise _Skip(_("the start is a time and the end a date"))
    elif "DURATION" in component:
        duration = component["DURATION"].dt
        if not isinstance(duration, timedelta):
            raise _Skip(_("unreadable property: %(names)s") % {"names": "DURATION"})
        end = start + duration
    else:
        end = start  # RFC 5545 §3.6.1: an event with a start time and no end ends when it starts
    if end < start:
        raise _Skip(_("the end is before the start"))
    return end


def _gap_note(moment: datetime, tz: str) -> str:
    local = moment.replace(tzinfo=None)
    stored = moment.astimezone(UTC).astimezone(ZoneInfo(tz))
    return _("%(time)s does not exist on %(day)s in this time zone (the clocks go forward): as RFC 5545 says, "
             "the event starts at %(moved)s") % {
        "time": date_format(local, "TIME_FORMAT"), "day": date_format(local, "DATE_FORMAT"),
        "moved": date_format(stored.replace(tzinfo=None), "TIME_FORMAT")}


def _rule(component: Any, start: datetime, tz: str, budget: list[int]) -> str:
    rules = component["RRULE"]
    if isinstance(rules, list):
        if len(rules) > 1:
            raise _Skip(_("several recurrence rules (RRULE)"))
        rules = rules[0]
    rule = icalendar.vRecur(rules)
    if "UNTIL" in rule:
        until = rule["UNTIL"][0]
        if isinstance(until, datetime) and until.tzinfo is None:
            until = until.replace(tzinfo=ZoneInfo(tz))  # floating: in the event's zone
        rule["UNTIL"] = [datetime.strptime(recurrence.rule_to_utc_until(until, tz), "%Y%m%dT%H%M%SZ")
                         .replace(tzinfo=UTC)]
    text = rule.to_ical().decode()
    try:
        normalised = recurrence.validate_rule(text, start, tz)
    except recurrence.RuleError as error:
        raise _Skip(str(error)) from error
    parts = recurrence.parse_parts(normalised)
    if "UNTIL" in parts:
        until_moment = rule["UNTIL"][0]
        days = max(0, (until_moment - start).days)
        freq = parts["FREQ"]
        periods = days // (_PERIOD_DAYS[freq] * int(parts.get("INTERVAL", "1"))) + 1
        has_by = any(name.startswith("BY") for name in parts)
        estimate = min(days + 1, periods * (_PER_PERIOD[freq] if has_by else 1))
        if estimate > MAX_RULE_OCCURRENCES:
            raise _Skip(_("the rule repeats too many times before its end (more than %(max)s occurrences)")
                        % {"max": MAX_RULE_OCCURRENCES})
        if estimate > budget[0]:
            raise _Skip(_("the file holds too many occurrences in all"))
        budget[0] -= estimate
    return normalised


def _exdates(component: Any, zones: _Zones, tz: str) -> list[datetime | date]:
    found: list[datetime | date] = []
    lists = component.get("EXDATE")
    if lists is None:
        return found
    for item in lists if isinstance(lists, list) else [lists]:
        for value in item.dts:
            when, _zone, _gap = _when(_WithParams(value, item), zones, tz)
            found.append(when)
    return found


class _WithParams:
    """An EXDATE value with its TZID, whether icalendar put it on the value or on the list."""

    def __init__(self, value: Any, owner: Any) -> None:
        self.dt = value.dt
        params = dict(getattr(owner, "params", {}) or {})
        params.update(dict(getattr(value, "params", {}) or {}))
        self.params = params


def _uid(component: Any) -> str:
    uid = _text(component, "UID")
    if not uid:
        # Derived from what identifies the event in the file (not DTSTAMP, new at every export).
        raw = "\x1f".join(
            component[name].to_ical().decode() if name in component and hasattr(component[name], "to_ical")
            else _text(component, name)
            for name in ("SUMMARY", "DTSTART", "DTEND", "DURATION", "RRULE", "LOCATION", "DESCRIPTION")
        )
        host = getattr(settings, "CALENDAR_UID_DOMAIN", "") or "maillage"
        return f"import-{hashlib.sha256(raw.encode()).hexdigest()[:40]}@{host}"
    if len(uid) > 255:
        return f"{hashlib.sha256(uid.encode()).hexdigest()}@long-uid"
    return uid


# --- Writing ---------------------------------------------------------------------------------


def _chunks(items: list[Any], size: int = 500) -> list[list[Any]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _write(actor: User, calendar: Calendar, plans: list[_Plan]) -> bool:
    """Create or update the planned rows; True when anything changed."""
    now = timezone.now()
    uids = sorted({plan.uid for plan in plans})
    masters: dict[str, Event] = {}
    for chunk in _chunks(uids):
        for event in Event.objects.filter(calendar=calendar, series__isnull=True, uid__in=chunk):
            masters[event.uid] = event
    changed = False
    new: list[Event] = []
    for plan in plans:
        if plan.recurrence_id is not None:
            continue
        found = masters.get(plan.uid)
        values = dict(plan.values)
        probe = Event(**values)
        values["last_end"] = recurrence.last_end(probe)
        if found is None:
            event = Event(calendar=calendar, uid=plan.uid, created_by=actor, visibility=Event.Visibility.MEMBERS,
                          sequence=plan.sequence, created_at=now, updated_at=now, **values)
            new.append(event)
            masters[plan.uid] = event
            plan.line.result = CREATED
            changed = True
        elif _apply(found, values, plan.sequence, now):
            plan.line.result = UPDATED
            changed = True
        else:
            plan.line.result = UNCHANGED
    # One INSERT per 500 new events; their ids come back (RETURNING) for their exceptions.
    Event.objects.bulk_create(new, batch_size=500)
    series_in_file: dict[int, set[datetime]] = {
        masters[plan.uid].pk: set() for plan in plans if plan.recurrence_id is None and masters[plan.uid].rrule}
    # Exceptions: rows of the file, then the EXDATEs not overridden by one.
    master_ids = [event.pk for event in masters.values()]
    existing: dict[tuple[int, datetime], Event] = {}
    for chunk in _chunks(master_ids):
        for override in Event.objects.filter(series_id__in=chunk):
            assert override.recurrence_id is not None and override.series_id is not None
            existing[(override.series_id, override.recurrence_id.astimezone(UTC))] = override
    by_series: dict[int, dict[datetime, Event]] = {}
    for (series_id, original), row in existing.items():
        by_series.setdefault(series_id, {})[original] = row
    master_lines = {plan.uid: plan for plan in plans if plan.recurrence_id is None}
    for plan in plans:
        if plan.recurrence_id is None:
            continue
        master = masters.get(plan.uid)
        if master is None or not master.rrule:
            plan.line.result = IGNORED
            plan.line.reason = _("the recurring event this occurrence belongs to is neither in the file "
                                 "nor in the calendar")
            continue
        values = dict(plan.values, last_end=plan.values["end"])
        changed |= _write_override(actor, master, plan.recurrence_id, values, plan.sequence, plan.line,
                                   existing, now)
        series_in_file.get(master.pk, set()).add(plan.recurrence_id)
    for plan in master_lines.values():
        master = masters[plan.uid]
        kept = series_in_file.get(master.pk, set())  # no rule (any more): no exception either
        series_changed = False
        for original in plan.exdates:
            if original in kept:
                continue
            kept.add(original)
            duration = master.end - master.start
            values = {"title": master.title, "description": "", "start": original, "end": original + duration,
                      "all_day": master.all_day, "tz": master.tz, "rrule": "", "last_end": original + duration,
                      "location": master.location, "online_url": master.online_url,
                      "status": Event.Status.CANCELLED}
            series_changed |= _write_override(actor, master, original, values, master.sequence, None, existing, now)
        # The file is the truth of the series it holds: exceptions it no longer has go.
        stale = [row.pk for original, row in by_series.get(master.pk, {}).items() if original not in kept]
        if stale:
            Event.objects.filter(pk__in=stale).delete()
            series_changed = True
        if series_changed:
            changed = True
            if plan.line.result == UNCHANGED:  # the series changed: its SEQUENCE too
                plan.line.result = UPDATED
                master.sequence += 1
                master.updated_at = now
                master.save(update_fields=["sequence", "updated_at"])
    return changed


def _apply(event: Event, values: dict[str, Any], sequence: int, now: datetime) -> bool:
    """Set `values` on `event` and save it if anything differs (SEQUENCE bumped)."""
    differs = [name for name in _FIELDS if getattr(event, name) != values[name]]
    if not differs:
        return False
    for name in differs:
        setattr(event, name, values[name])
    event.sequence = max(event.sequence + 1, sequence)
    event.updated_at = now
    event.save(update_fields=[*differs, "sequence", "updated_at"])
    return True


def _write_override(actor: User, master: Event, original: datetime, values: dict[str, Any], sequence: int,
                    line: ImportLine | None, existing: dict[tuple[int, datetime], Event], now: datetime) -> bool:
    row = existing.get((master.pk, original))
    if row is None:
        row = Event(calendar=master.calendar, uid=master.uid, series=master, recurrence_id=original,
                    created_by=actor, visibility=master.visibility, category_id=master.category_id,
                    venue_id=master.venue_id, sequence=sequence, created_at=now, updated_at=now, **values)
        row.save()
        existing[(master.pk, original)] = row
        if line is not None:
            line.result = CREATED
        return True
    if _apply(row, values, sequence, now):
        if line is not None:
            line.result = UPDATED
        return True
    if line is not None:
        line.result = UNCHANGED
    return False


def line_start_text(line: ImportLine) -> str:
    """The date of a line of the report, as the member reads it."""
    if line.start is None:
        return ""
    if isinstance(line.start, datetime):
        return date_format(line.start, "DATETIME_FORMAT")  # in the event's own zone
    return date_format(line.start, "DATE_FORMAT")
