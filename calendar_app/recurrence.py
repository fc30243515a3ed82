"""RFC 5545 recurrence: which rules are accepted, and the occurrences of an event in a window.

Expansion is lazy and bounded: only the window asked for is expanded (a month, a week, the
agenda's weeks), at most `MAX_PER_WINDOW` occurrences per event, and a rule is accepted only
if it is of a supported shape (`validate_rule`): frequencies from daily to yearly, a bounded
`COUNT`, no part that could make an iteration run without producing anything. Feeds do not
expand: they write the rule (`RRULE`) and its exceptions.

Occurrences follow the wall clock of the event's time zone: a weekly meeting at 10 h is at
10 h in Paris in winter and in summer. A timed occurrence lasts the exact duration of the
first one; an all-day one, the same number of days (RFC 5545 §3.8.5.3).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from collections.abc import Iterator

    from calendar_app.models import Event

UTC = ZoneInfo("UTC")
OCCURRENCE_FORMAT = "%Y%m%dT%H%M%SZ"
MAX_PER_WINDOW = 1000
MAX_COUNT = 1000
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# Parts of a rule the calendar writes and reads; others (BYHOUR, BYWEEKNO, BYYEARDAY...) are refused.
PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST"}
# Years looked ahead, per frequency, to prove that a rule produces something (see `_feasible`).
_HORIZON_YEARS = {"DAILY": 4, "WEEKLY": 8, "MONTHLY": 30, "YEARLY": 400}


class RuleError(ValueError):
    """A rule the calendar does not accept; `str()` is the reason, in French."""


def parse_parts(rule: str) -> dict[str, str]:
    """{"FREQ": "WEEKLY", ...} of a rule (with or without "RRULE:"), or RuleError."""
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parts: dict[str, str] = {}
    for piece in filter(None, text.split(";")):
        name, sep, value = piece.partition("=")
        name = name.strip().upper()
        if not sep or not name or not value.strip():
            raise RuleError(_("The recurrence rule cannot be read (“%(piece)s”).") % {"piece": piece})
        if name in parts:
            raise RuleError(_("The recurrence rule gives %(part)s twice.") % {"part": name})
        parts[name] = value.strip().upper()
    return parts


def validate_rule(rule: str, start: datetime, tz: str) -> str:
    """The rule, normalised, if the calendar accepts it for an event starting at `start` in `tz`.

    Raises RuleError (French) for an unreadable rule, an unsupported frequency or part, a
    count above `MAX_COUNT`, an end before the start, or a rule that never produces a date.
    """
    parts = parse_parts(rule)
    freq = parts.get("FREQ")
    if freq is None:
        raise RuleError(_("The recurrence rule has no frequency."))
    if freq not in FREQUENCIES:
        raise RuleError(
            _("Events can repeat every day, week, month or year, not more often (rule “%(freq)s”).")
            % {"freq": freq}
        )
    unknown = sorted(set(parts) - PARTS)
    if unknown:
        raise RuleError(_("This recurrence rule uses parts the calendar does not handle: %(parts)s.")
                        % {"parts": ", ".join(unknown)})
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError(_("A recurrence ends either after a number of times or on a date, not both."))
    if "COUNT" in parts:
        if not parts["COUNT"].isdigit() or not 1 <= int(parts["COUNT"]) <= MAX_COUNT:
            raise RuleError(_("The number of occurrences must be between 1 and %(max)d.") % {"max": MAX_COUNT})
    if "INTERVAL" in parts and (not parts["INTERVAL"].isdigit() or not 1 <= int(parts["INTERVAL"]) <= 99):
        raise RuleError(_("The interval must be a whole number between 1 and 99."))
    normalised = ";".join(f"{name}={parts[name]}" for name in sorted(parts, key=_part_order))
    try:
        rule_obj = _rrule(normalised, start, tz)
    except (ValueError, TypeError, OverflowError) as error:
        raise RuleError(_("The recurrence rule cannot be read (%(error)s).") % {"error": error}) from error
    if "UNTIL" in parts:
        until = rule_obj._until  # noqa: SLF001  (dateutil keeps the parsed end there)
        if until is not None and until < start:
            raise RuleError(_("The recurrence ends before the event starts."))
    if not _feasible(normalised, start, tz, freq, int(parts.get("INTERVAL", "1"))):
        raise RuleError(_("This recurrence rule never gives a date (for example the 31st of a month of 30 days)."))
    return normalised


def _part_order(name: str) -> tuple[int, str]:
    order = ["FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "WKST", "COUNT", "UNTIL"]
    return (order.index(name) if name in order else len(order), name)


def _rrule(rule: str, start: datetime, tz: str) -> du.rrule:
    local = start.astimezone(ZoneInfo(tz))
    parsed = du.rrulestr(rule, dtstart=local, forceset=False, ignoretz=False)
    if not isinstance(parsed, du.rrule):  # pragma: no cover  (a single RRULE is never a set)
        raise ValueError("not a single rule")
    return parsed


def _feasible(rule: str, start: datetime, tz: str, freq: str, interval: int) -> bool:
    """Whether the rule produces a date. dateutil would search until the year 9999 for a rule
    that never matches (seconds of CPU): the same rule, without its end, is tried from a
    start moved to a few years (or periods) before 9999, where the search is short."""
    parts = parse_parts(rule)
    parts.pop("COUNT", None)
    parts.pop("UNTIL", None)
    years = max(_HORIZON_YEARS[freq], {"DAILY": 1, "WEEKLY": 1, "MONTHLY": 1, "YEARLY": 4}[freq] * interval * 4)
    local = start.astimezone(ZoneInfo(tz)).replace(tzinfo=None)
    # Moved by whole 400-year cycles (146,097 days, 20,871 weeks), after which the Gregorian
    # calendar repeats exactly: same weekday, same place among leap years, same phase of the
    # interval. (Moved to a fixed year, "every 4 years on 29 February" from a leap year, or
    # "every 7 days on Tuesdays" from a Tuesday, would be refused.)
    moved = local.replace(year=local.year + 400 * max(0, (9999 - years - local.year) // 400))
    probe = du.rrulestr(";".join(f"{k}={v}" for k, v in parts.items()), dtstart=moved)
    return probe.after(moved, inc=True) is not None


def is_valid_local_time(moment: datetime) -> bool:
    """False for a wall-clock time skipped by a daylight-saving change (02 h 30 on the spring day)."""
    round_trip = moment.astimezone(ZoneInfo("UTC")).astimezone(moment.tzinfo)
    return round_trip.replace(tzinfo=None) == moment.replace(tzinfo=None)


def all_day_bounds(first: date, last: date, tz: str) -> tuple[datetime, datetime]:
    """Start and (exclusive) end, as stored, of an all-day event from `first` to `last` included."""
    zone = ZoneInfo(tz)
    return (datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone))


def occurrence_end(start: datetime, event: Event) -> datetime:
    """The end of the occurrence of `event` that starts at `start` (aware, in the event's zone)."""
    zone = ZoneInfo(event.tz)
    if event.all_day:
        first = event.start.astimezone(zone).date()
        days = (event.end.astimezone(zone).date() - first).days
        return datetime.combine(start.astimezone(zone).date() + timedelta(days=days), time(), zone)
    # In UTC: on an aware datetime `+` adds wall-clock time (3 hours across the autumn change).
    return (start.astimezone(UTC) + (event.end - event.start)).astimezone(zone)


def occurrence_starts(event: Event, window_start: datetime, window_end: datetime,
                      limit: int = MAX_PER_WINDOW) -> list[datetime]:
    """Starts (aware, in the event's zone) of the occurrences of `event` (a master or a single
    event) that overlap [window_start, window_end), in order, at most `limit` of them.

    Exceptions (moved or cancelled occurrences) are not applied here: see `selectors`."""
    zone = ZoneInfo(event.tz)
    if not event.rrule:
        if event.start < window_end and event.end > window_start:
            return [event.start.astimezone(zone)]
        return []
    duration = occurrence_end(event.start.astimezone(zone), event) - event.start.astimezone(zone)
    local_start = event.start.astimezone(zone)
    rule = _rrule(event.rrule, _skip_ahead(event.rrule, local_start, window_start - duration), event.tz)
    starts: list[datetime] = []
    for moment in _between(rule, window_start - duration, window_end):
        if moment.astimezone(UTC) + duration > window_start and moment < window_end:
            starts.append(moment)
            if len(starts) >= limit:
                break
    return starts


def _skip_ahead(rule: str, local_start: datetime, after: datetime) -> datetime:
    """A start for the rule's iteration close before `after`, in the same phase as
    `local_start` (whole periods of the rule later), so that a series begun years ago is not
    iterated from its first date for every page. Unchanged for a rule with COUNT (counted
    from the first date) or where moving by months could change the day (after the 28th)."""
    parts = parse_parts(rule)
    if "COUNT" in parts:
        return local_start
    after_local = after.astimezone(local_start.tzinfo)
    if after_local <= local_start:
        return local_start
    interval = int(parts.get("INTERVAL", "1"))
    naive_start, naive_after = local_start.replace(tzinfo=None), after_local.replace(tzinfo=None)
    freq = parts["FREQ"]
    if freq in ("DAILY", "WEEKLY"):
        unit = timedelta(days=interval * (7 if freq == "WEEKLY" else 1))
        periods = (naive_after - naive_start) // unit - 1
        if periods <= 0:
            return local_start
        return (naive_start + periods * unit).replace(tzinfo=local_start.tzinfo)
    if naive_start.day > 28:
        return local_start
    months = interval * (12 if freq == "YEARLY" else 1)
    elapsed = (naive_after.year - naive_start.year) * 12 + naive_after.month - naive_start.month
    periods = elapsed // months - 1
    if periods <= 0:
        return local_start
    total = naive_start.month - 1 + periods * months
    return naive_start.replace(year=naive_start.year + total // 12, month=total % 12 + 1).replace(
        tzinfo=local_start.tzinfo)


def _between(rule: du.rrule, after: datetime, before: datetime) -> Iterator[datetime]:
    for moment in rule:
        if moment >= before:
            return
        if moment >= after:
            yield moment


def last_end(event: Event) -> datetime | None:
    """The end of the last occurrence (None: the rule has no end), for `Event.last_end`."""
    if not event.rrule:
        return event.end
    parts = parse_parts(event.rrule)
    if "COUNT" not in parts and "UNTIL" not in parts:
        return None
    rule = _rrule(event.rrule, event.start, event.tz)
    last = None
    for moment in rule:  # bounded: COUNT <= MAX_COUNT, or an UNTIL
        last = moment
    if last is None:
        return event.end
    return occurrence_end(last, event)


def rule_to_utc_until(value: date | datetime, tz: str) -> str:
    """The UNTIL of a rule ending on `value` (the day included, in the event's zone), in UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.combine(value, time(23, 59, 59), ZoneInfo(tz))
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def occurrence_param(moment: datetime) -> str:
    """An occurrence's original start as URLs and page keys name it (?occurrence=20260310T090000Z)."""
    return moment.astimezone(UTC).strftime(OCCURRENCE_FORMAT)


def parse_occurrence(text: str | None) -> datetime | None:
    """The aware UTC datetime of an ?occurrence= value, None when absent or unreadable."""
    try:
        return datetime.strptime((text or "").strip(), OCCURRENCE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
