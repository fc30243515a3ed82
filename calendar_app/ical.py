"""Our own iCalendar (RFC 5545) writer: the feeds and the `.ics` of one event.

Lines end with CRLF and are folded at 75 octets without cutting a UTF-8 character
(§3.1); TEXT values are escaped (§3.3.11). Every zone an event uses gets one `VTIMEZONE`
built from `zoneinfo`: its current daylight-saving rule written as yearly `RRULE`s
(Paris: last Sunday of March and of October), or the exact transitions (`RDATE`) for a
zone whose changes follow no weekday rule, or a single `STANDARD` for a zone without
daylight-saving time (Réunion). Recurring events are written whole: the master with its
`RRULE`, the cancelled occurrences as `EXDATE`, each moved or edited occurrence as a
`VEVENT` with the same `UID` and a `RECURRENCE-ID` (RFC 5545 §3.8.4.4).

The text written depends only on the rows given (DTSTAMP is the row's last change): the
same data gives the same bytes, so a feed's ETag (computed without building it) holds.
"""

from __future__ import annotations

import calendar as pycalendar
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

from dateutil import rrule as du
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from calendar_app import recurrence, registry
from calendar_app.models import DEFAULT_TZ, Event
from core import markdown
from core.services import absolute_url

CRLF = "\r\n"
PRODID = "-//Maillage//Agenda partagé//FR"
REFRESH = "PT1H"
_DAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


# --- Lines ------------------------------------------------------------------------------------


def escape_text(value: str) -> str:
    """A TEXT value (§3.3.11): backslash, semicolon, comma and newlines escaped."""
    text = str(value or "").replace("\r\n", "\n").replace("\r", "\n")
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n"))


def fold(line: str) -> str:
    """`line` folded at 75 octets (continuation lines start with a space), never inside a
    UTF-8 character; ends with CRLF."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line + CRLF
    pieces: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current = ""
            size = 0
            limit = 74  # the leading space of a continuation line counts
        current += char
        size += width
    pieces.append(current)
    return (CRLF + " ").join(pieces) + CRLF


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _local(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


class Lines:
    """The content lines of a calendar, written in order."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def add(self, name: str, value: str, **params: str) -> None:
        head = name + "".join(f";{key.replace('_', '-')}={_param(val)}" for key, val in params.items())
        self._lines.append(f"{head}:{value}")

    def text(self, name: str, value: str, **params: str) -> None:
        self.add(name, escape_text(value), **params)

    def moment(self, name: str, value: datetime, tz: str) -> None:
        """A DATE-TIME with its zone (TZID), or in UTC when `tz` is UTC."""
        if tz == "UTC":
            self.add(name, _utc(value))
        else:
            self.add(name, _local(value.astimezone(ZoneInfo(tz))), TZID=tz)

    def extend(self, other: Lines) -> None:
        self._lines.extend(other._lines)

    def render(self) -> str:
        return "".join(fold(line) for line in self._lines)


def _param(value: str) -> str:
    if any(char in value for char in ':;,"'):
        return '"' + value.replace('"', "'") + '"'
    return value


# --- Time zones -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    at: datetime  # the instant, in UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str  # TZNAME after the change
    daylight: bool  # whether the period after the change is the summer one (the larger offset)

    @property
    def local(self) -> datetime:
        """The wall-clock time of the change, read with the offset before it (naive)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


def transitions(tz: str, year: int) -> list[Transition]:
    """The changes of offset of `tz` during `year` (UTC), from `zoneinfo`."""
    zone = ZoneInfo(tz)
    found: list[Transition] = []
    start = datetime(year, 1, 1, tzinfo=UTC)
    previous = start.astimezone(zone).utcoffset()
    day = start
    for _index in range(366 if pycalendar.isleap(year) else 365):
        following = day + timedelta(days=1)
        offset = following.astimezone(zone).utcoffset()
        if offset != previous:
            low, high = day, following  # the change is in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == previous:
                    low = middle
                else:
                    high = middle
            at = high.replace(microsecond=0)
            after = at.astimezone(zone)
            assert previous is not None and offset is not None
            # The larger offset is written DAYLIGHT, even where the zone's data says the
            # opposite (Dublin's "negative" summer time), as calendar apps expect.
            found.append(Transition(at=at, offset_from=previous, offset_to=offset, name=after.tzname() or tz,
                                    daylight=offset > previous))
            previous = offset
        day = following
    return found


def _nth_weekday(moment: datetime) -> int:
    """1..4 for the first to fourth such weekday of the month, -1 for the last one."""
    days_in_month = pycalendar.monthrange(moment.year, moment.month)[1]
    if moment.day + 7 > days_in_month:
        return -1
    return (moment.day - 1) // 7 + 1


def _rule_date(year: int, month: int, weekday: int, nth: int) -> date:
    days = [day for day in range(1, pycalendar.monthrange(year, month)[1] + 1)
            if date(year, month, day).weekday() == weekday]
    return date(year, month, days[nth - 1 if nth > 0 else nth])


def _offset(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _rule_holds(tz: str, year: int, found: Sequence[Transition], years: int = 4) -> bool:
    """Whether the weekday rules of `found` (changes of `year`) give the changes of the next years."""
    for later in range(year + 1, year + 1 + years):
        actual = transitions(tz, later)
        if len(actual) != len(found):
            return False
        for rule, real in zip(found, actual, strict=True):
            local = rule.local
            expected = _rule_date(later, local.month, local.weekday(), _nth_weekday(local))
            if (real.local.date() != expected or real.local.time() != local.time()
                    or real.offset_to != rule.offset_to or real.offset_from != rule.offset_from):
                return False
    return True


@functools.lru_cache(maxsize=64)
def vtimezone(tz: str, year: int) -> str:
    """The VTIMEZONE of `tz` (rendered lines), from its changes around `year`."""
    lines = Lines()
    lines.add("BEGIN", "VTIMEZONE")
    lines.add("TZID", tz)
    zone = ZoneInfo(tz)
    found = transitions(tz, year)
    if not found:
        moment = datetime(year, 1, 1, tzinfo=UTC).astimezone(zone)
        offset = moment.utcoffset() or timedelta(0)
        lines.add("BEGIN", "STANDARD")
        lines.add("DTSTART", "19700101T000000")
        lines.add("TZOFFSETFROM", _offset(offset))
        lines.add("TZOFFSETTO", _offset(offset))
        lines.text("TZNAME", moment.tzname() or tz)
        lines.add("END", "STANDARD")
    elif _rule_holds(tz, year, found):
        for change in found:
            local = change.local
            nth = _nth_weekday(local)
            first = _rule_date(1970, local.month, local.weekday(), nth)
            kind = "DAYLIGHT" if change.daylight else "STANDARD"
            lines.add("BEGIN", kind)
            lines.add("DTSTART", _local(datetime.combine(first, local.time())))
            lines.add("TZOFFSETFROM", _offset(change.offset_from))
            lines.add("TZOFFSETTO", _offset(change.offset_to))
            lines.text("TZNAME", change.name)
            lines.add("RRULE", f"FREQ=YEARLY;BYMONTH={local.month};BYDAY={nth}{_DAY_CODES[local.weekday()]}")
            lines.add("END", kind)
    else:
        # No weekday rule (a change following another calendar): the exact changes, a few
        # years back and ahead, each period with its own RDATEs.
        periods: dict[tuple[bool, timedelta, timedelta, str], list[datetime]] = {}
        for each in range(year - 1, year + 11):
            for change in transitions(tz, each):
                key = (change.daylight, change.offset_from, change.offset_to, change.name)
                periods.setdefault(key, []).append(change.local)
        for (daylight, offset_from, offset_to, name), moments in periods.items():
            kind = "DAYLIGHT" if daylight else "STANDARD"
            lines.add("BEGIN", kind)
            lines.add("DTSTART", _local(moments[0]))
            lines.add("TZOFFSETFROM", _offset(offset_from))
            lines.add("TZOFFSETTO", _offset(offset_to))
            lines.text("TZNAME", name)
            if len(moments) > 1:
                lines.add("RDATE", ",".join(_local(moment) for moment in moments[1:]))
            lines.add("END", kind)
    lines.add("END", "VTIMEZONE")
    return lines.render()


# --- Events -----------------------------------------------------------------------------------


def plain_text(body: str) -> str:
    """The text of a Markdown description, without its markup: paragraphs separated by a
    blank line, list items as "- item", links as their text."""
    if not body:
        return ""
    html = markdown.render(body)
    html = re.sub(r"<li>", "<li>- ", html)
    html = re.sub(r"</(p|ul|ol|blockquote|pre|h[1-6]|table)>", "</\\1>\n\n", html)
    html = re.sub(r"<br\s*/?>", "\n", html)
    text = unescape(strip_tags(html))
    lines = [line.rstrip() for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def location_of(event: Event) -> str:
    """The venue's name and address, or the place written."""
    if event.venue_id and event.venue is not None:
        venue = event.venue
        town = " ".join(part for part in (venue.postal_code, venue.city) if part)
        return ", ".join(part for part in (venue.name, venue.address, venue.address_complement, town) if part)
    return event.location


_PLACEHOLDER = 918273645


@functools.lru_cache(maxsize=4)
def _event_url_pattern(route: str, prefix: str) -> str:
    from django.urls import reverse

    return absolute_url(reverse(route, args=[_PLACEHOLDER]))


def event_url(event: Event, *, public: bool) -> str:
    """The absolute address of the event's page (public page for the public feeds); one
    `reverse` per feed, not per event."""
    from django.urls import get_script_prefix

    route = "agenda:event" if public else "calendar:event"
    pattern = _event_url_pattern(route, get_script_prefix() + settings.BASE_URL)
    return pattern.replace(str(_PLACEHOLDER), str(event.series_id or event.pk))


def _description(event: Event) -> str:
    text = plain_text(event.description)
    if event.online_url:
        link = _("Online meeting: %(url)s") % {"url": event.online_url}
        text = f"{text}\n\n{link}" if text else link
    return text


def first_occurrence(master: Event) -> tuple[datetime, datetime]:
    """Start and end of the first occurrence of a series. The calendar (dateutil) does not
    count a start that its rule does not give (a series "every Tuesday" saved on a Friday),
    while RFC 5545 leaves such a set undefined and most apps count it: the feed writes the
    first occurrence the calendar shows as DTSTART, so that both agree (COUNT included)."""
    zone = ZoneInfo(master.tz)
    start = master.start.astimezone(zone)
    try:
        rule = du.rrulestr(master.rrule, dtstart=start, forceset=False, ignoretz=False)
        first = next(iter(rule), None)  # type: ignore[call-overload]
    except (ValueError, TypeError, OverflowError):
        first = None
    if first is None or first == start:
        return master.start, master.end
    return first, recurrence.occurrence_end(first, master)


def _start_end(lines: Lines, event: Event) -> None:
    zone = ZoneInfo(event.tz)
    start, end = first_occurrence(event) if event.rrule and event.series_id is None else (event.start, event.end)
    if event.all_day:
        first = start.astimezone(zone).date()
        last = end.astimezone(zone).date()
        if last <= first:
            last = first + timedelta(days=1)
        lines.add("DTSTART", _day(first), VALUE="DATE")
        lines.add("DTEND", _day(last), VALUE="DATE")
    else:
        lines.moment("DTSTART", start, event.tz)
        lines.moment("DTEND", end, event.tz)


def _occurrence_id(lines: Lines, name: str, master: Event, original: datetime) -> None:
    """RECURRENCE-ID or EXDATE of the occurrence that started at `original` (in the master's form)."""
    zone = ZoneInfo(master.tz)
    if master.all_day:
        lines.add(name, _day(original.astimezone(zone).date()), VALUE="DATE")
    else:
        lines.moment(name, original, master.tz)


def _rrule(master: Event) -> str:
    """The rule as written: UNTIL as a DATE for an all-day series (§3.3.10)."""
    if not master.all_day:
        return master.rrule
    parts = recurrence.parse_parts(master.rrule)
    until = parts.get("UNTIL")
    if until and "T" in until:
        moment = datetime.strptime(until.rstrip("Z"), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        parts["UNTIL"] = _day(moment.astimezone(ZoneInfo(master.tz)).date())
    return ";".join(f"{key}={value}" for key, value in parts.items())


def _vevent(lines: Lines, event: Event, *, uid: str, public: bool, master: Event | None = None,
            exdates: Sequence[datetime] = ()) -> None:
    lines.add("BEGIN", "VEVENT")
    lines.text("UID", uid)
    lines.add("DTSTAMP", _utc(event.updated_at))
    lines.add("CREATED", _utc(event.created_at))
    lines.add("LAST-MODIFIED", _utc(event.updated_at))
    lines.add("SEQUENCE", str(event.sequence))
    if master is not None and event.recurrence_id is not None:
        _occurrence_id(lines, "RECURRENCE-ID", master, event.recurrence_id)
    _start_end(lines, event)
    lines.text("SUMMARY", event.title)
    description = _description(event)
    if description:
        lines.text("DESCRIPTION", description)
    location = location_of(event)
    if location:
        lines.text("LOCATION", location)
    lines.add("URL", event_url(event, public=public), VALUE="URI")
    if event.category_id and event.category is not None:
        lines.text("CATEGORIES", event.category.name)
    if event.is_public:
        # Not PRIVATE for the others: Outlook would hide them from people the feed is shared with.
        lines.add("CLASS", "PUBLIC")
    lines.add("STATUS", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    lines.add("TRANSP", "TRANSPARENT" if event.all_day else "OPAQUE")
    if master is None and event.rrule:
        lines.add("RRULE", _rrule(event))
        for original in exdates:
            _occurrence_id(lines, "EXDATE", event, original)
    lines.add("END", "VEVENT")


def _item_vevent(lines: Lines, item: registry.Item, stamp: datetime) -> str:
    """A registry item (another app's) as a single VEVENT; returns the zone it uses."""
    tz = getattr(item.start.tzinfo, "key", None) or "UTC"
    host = getattr(settings, "CALENDAR_UID_DOMAIN", "") or "maillage"
    lines.add("BEGIN", "VEVENT")
    lines.text("UID", item.uid or f"{item.key}@{host}")
    changed = item.updated or stamp
    lines.add("DTSTAMP", _utc(changed))
    lines.add("LAST-MODIFIED", _utc(changed))
    if item.all_day:
        first = item.start.date()
        last = item.end.date() if item.end.date() > first else first + timedelta(days=1)
        lines.add("DTSTART", _day(first), VALUE="DATE")
        lines.add("DTEND", _day(last), VALUE="DATE")
    else:
        lines.moment("DTSTART", item.start, tz)
        lines.moment("DTEND", max(item.end, item.start), tz)
    lines.text("SUMMARY", item.title)
    if item.description:
        lines.text("DESCRIPTION", item.description)
    if item.location:
        lines.text("LOCATION", item.location)
    if item.url:
        lines.add("URL", absolute_url(item.url), VALUE="URI")
    if item.calendar_label:
        lines.text("CATEGORIES", str(item.calendar_label))
    lines.add("STATUS", "CANCELLED" if item.cancelled else "CONFIRMED")
    lines.add("END", "VEVENT")
    return "UTC" if item.all_day else tz


def calendar_text(*, name: str, events: Iterable[Event], items: Iterable[registry.Item] = (),
                  public: bool = False, tz: str = DEFAULT_TZ, stamp: datetime | None = None,
                  description: str = "") -> str:
    """A whole VCALENDAR: `events` are masters, single events and the exceptions of those
    masters (rows whose `series_id` is set; exceptions of masters not given are left out),
    `items` other apps' registry items. `public`: links to the public event pages.
    `stamp`: DTSTAMP of the items that do not say when they changed."""
    rows = list(events)
    stamp = stamp or datetime(2000, 1, 1, tzinfo=UTC)
    masters = [row for row in rows if row.series_id is None]
    master_ids = {row.pk for row in masters if row.rrule}
    exceptions: dict[int, list[Event]] = {}
    for row in rows:
        if row.series_id is not None and row.series_id in master_ids and row.recurrence_id is not None:
            exceptions.setdefault(row.series_id, []).append(row)

    body = Lines()
    zones: list[str] = []

    def use(zone: str) -> None:
        if zone != "UTC" and zone not in zones:
            zones.append(zone)

    for master in masters:
        own = sorted(exceptions.get(master.pk, []), key=lambda row: (row.recurrence_id, row.pk))
        cancelled = [row.recurrence_id for row in own if row.is_cancelled and row.recurrence_id is not None]
        if not master.all_day:
            use(master.tz)
        _vevent(body, master, uid=master.uid, public=public, exdates=cancelled)
        for row in own:
            if row.is_cancelled:
                continue
            if not (master.all_day and row.all_day):
                use(master.tz)
                use(row.tz)
            _vevent(body, row, uid=master.uid, public=public, master=master)
    for item in items:
        use(_item_vevent(body, item, stamp))

    head = Lines()
    head.add("BEGIN", "VCALENDAR")
    head.text("PRODID", PRODID)
    head.add("VERSION", "2.0")
    head.add("CALSCALE", "GREGORIAN")
    head.add("METHOD", "PUBLISH")
    head.text("X-WR-CALNAME", name)
    if description:
        head.text("X-WR-CALDESC", description)
    head.add("X-WR-TIMEZONE", tz)
    head.add("REFRESH-INTERVAL", REFRESH, VALUE="DURATION")
    head.add("X-PUBLISHED-TTL", REFRESH)
    year = datetime.now(UTC).year
    timezones = "".join(vtimezone(zone, year) for zone in zones)
    tail = Lines()
    tail.add("END", "VCALENDAR")
    return head.render() + timezones + body.render() + tail.render()
