"""Opening hours: OpenStreetMap `opening_hours` strings, validated and told in plain words.

The national schema stores `horaires` in the OSM syntax (`Mo-Fr 09:00-12:00,14:00-18:30;
Sa 08:30-12:00`). `opening-hours-py` (a binding of the Rust `opening-hours` crate) parses
the whole specification, French public holidays (`PH off`) included. Everything is
evaluated in the venue's time zone: Europe/Paris, or the overseas zone its coordinates
fall in.
"""

import datetime
import functools
import re
import zoneinfo
from dataclasses import dataclass

import opening_hours
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
EXAMPLE = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00"
MAX_LENGTH = 500
# Overseas time zones by the same boxes as directory.schema.FRANCE_AREAS (metropolitan
# France is the default).
OVERSEAS_ZONES = (
    (15.8, 18.2, -63.2, -60.9, "America/Guadeloupe"),
    (14.3, 14.9, -61.3, -60.7, "America/Martinique"),
    (2.0, 5.9, -54.7, -51.5, "America/Cayenne"),
    (-21.5, -20.8, 55.2, 55.9, "Indian/Reunion"),
    (-13.1, -12.6, 44.9, 45.4, "Indian/Mayotte"),
    (46.7, 47.2, -56.5, -56.1, "America/Miquelon"),
    (-22.9, -19.5, 163.5, 168.2, "Pacific/Noumea"),
    (-28.0, -7.8, -154.8, -134.4, "Pacific/Tahiti"),
    (-14.4, -13.1, -178.3, -176.0, "Pacific/Wallis"),
)


def zone_for(latitude=None, longitude=None):
    if latitude is not None and longitude is not None:
        lat, lon = float(latitude), float(longitude)
        for south, north, west, east, name in OVERSEAS_ZONES:
            if south <= lat <= north and west <= lon <= east:
                return zoneinfo.ZoneInfo(name)
    return PARIS


def validate_opening_hours(value):
    """Model and form validator: the OSM syntax, or a clear message with an example."""
    value = (value or "").strip()
    if not value:
        return
    if len(value) > MAX_LENGTH:
        raise ValidationError(
            gettext_lazy("Opening hours are limited to %(limit)d characters."),
            code="too_long",
            params={"limit": MAX_LENGTH},
        )
    if not opening_hours.validate(value):
        raise ValidationError(
            gettext_lazy(
                "These opening hours cannot be read: « %(value)s ». Use the OpenStreetMap format, "
                "for example « %(example)s » (Mo Tu We Th Fr Sa Su for the days, PH for public holidays)."
            ),
            code="invalid",
            params={"value": value[:80], "example": EXAMPLE},
        )


@functools.lru_cache(maxsize=4096)
def _parsed(value, zone_key):
    return opening_hours.OpeningHours(value, country="FR", timezone=zoneinfo.ZoneInfo(zone_key))


def parse(value, latitude=None, longitude=None):
    """The parsed expression, or None when empty or unreadable (never raises)."""
    value = (value or "").strip()
    if not value or len(value) > MAX_LENGTH:
        return None
    try:
        return _parsed(value, zone_for(latitude, longitude).key)
    except (opening_hours.ParserError, SyntaxError, ValueError):
        return None


def format_time(moment):
    """9 h, 18 h 30 in French; 9:00, 18:30 in English."""
    if moment.minute:
        return _("%(hour)d:%(minute)02d") % {"hour": moment.hour, "minute": moment.minute}
    return _("%(hour)d:00") % {"hour": moment.hour}


def _day_phrase(moment, today):
    if moment.date() == today:
        return ""
    if moment.date() == today + datetime.timedelta(days=1):
        return _("tomorrow")
    if moment.date() < today + datetime.timedelta(days=7):
        return formats.date_format(moment, "l")
    return formats.date_format(moment, "l j F")


@dataclass(frozen=True)
class Status:
    is_open: bool
    known: bool
    text: str


def is_open(value, latitude=None, longitude=None, now=None):
    hours = parse(value, latitude, longitude)
    if hours is None:
        return False
    return hours.is_open(_local(now, latitude, longitude))


def _local(now, latitude, longitude):
    now = now or timezone.now()
    if timezone.is_naive(now):
        now = timezone.make_aware(now, PARIS)
    return now.astimezone(zone_for(latitude, longitude))


def status(value, latitude=None, longitude=None, now=None):
    """`Ouvert maintenant, ferme à 18 h 30`, `Fermé, ouvre demain à 9 h`..."""
    hours = parse(value, latitude, longitude)
    if hours is None:
        return Status(
            False, False, _("Opening hours not given") if not (value or "").strip() else _("Opening hours unreadable")
        )
    now = _local(now, latitude, longitude)
    today = now.date()
    change = hours.next_change(now)
    if hours.is_open(now):
        if change is None:
            return Status(True, True, _("Open now, around the clock"))
        if change.hour == 0 and change.minute == 0 and change.date() == today + datetime.timedelta(days=1):
            return Status(True, True, _("Open now, closes at midnight"))
        day = _day_phrase(change, today)
        if day:
            text = _("Open now, closes %(day)s at %(time)s") % {"day": day, "time": format_time(change)}
        else:
            text = _("Open now, closes at %(time)s") % {"time": format_time(change)}
        return Status(True, True, text)
    # Skip "unknown" stretches (comments such as "sur rendez-vous") to the next opening.
    opening = None
    for start, _end, state, _comment in hours.intervals(now, now + datetime.timedelta(days=31)):
        if state == opening_hours.State.OPEN:
            opening = start
            break
    if opening is None:
        return Status(False, True, _("Closed"))
    day = _day_phrase(opening, today)
    if day:
        text = _("Closed, opens %(day)s at %(time)s") % {"day": day, "time": format_time(opening)}
    else:
        text = _("Closed, opens at %(time)s") % {"time": format_time(opening)}
    return Status(False, True, text)


@dataclass(frozen=True)
class Day:
    date: datetime.date
    name: str
    ranges: list  # of "9 h – 12 h" strings (with the comment, if any)
    is_today: bool


def week(value, latitude=None, longitude=None, now=None):
    """The next seven days, from today: each with its opening ranges in plain words."""
    hours = parse(value, latitude, longitude)
    if hours is None:
        return []
    now = _local(now, latitude, longitude)
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    days = []
    for offset in range(7):
        day_start = start + datetime.timedelta(days=offset)
        day_end = day_start + datetime.timedelta(days=1)
        ranges = []
        for begin, end, state, comment in hours.intervals(day_start.replace(tzinfo=None), day_end.replace(tzinfo=None)):
            if state == opening_hours.State.CLOSED:
                continue
            begin = begin.replace(tzinfo=None)
            end = end.replace(tzinfo=None)
            if begin == day_start.replace(tzinfo=None) and end == day_end.replace(tzinfo=None):
                text = _("all day")
            else:
                end_text = _("midnight") if end == day_end.replace(tzinfo=None) else format_time(end)
                text = _("%(start)s to %(end)s") % {"start": format_time(begin), "end": end_text}
            if state == opening_hours.State.UNKNOWN:
                text = _("%(range)s (to be confirmed)") % {"range": text} if not comment else text
            if comment:
                text = f"{text} ({comment})"
            ranges.append(text)
        days.append(
            Day(
                date=day_start.date(),
                name=formats.date_format(day_start, "l j F"),
                ranges=ranges,
                is_today=offset == 0,
            )
        )
    return days


def open_ids(rows, now=None):
    """Ids of the `(id, opening_hours, latitude, longitude)` rows open at `now` (parsing is cached)."""
    now = now or timezone.now()
    return [pk for pk, value, lat, lon in rows if value and is_open(value, lat, lon, now)]


# --- The per-day editor: OSM value <-> rows ---------------------------------------------------
#
# The desk edits opening hours as one row per day (closed, or time ranges) plus a rule for
# public holidays. Only the plain part of the OSM syntax maps to rows (day selectors,
# HH:MM-HH:MM ranges, `off`, `PH`); anything richer (comments, months, weeks, `24/7`...)
# is kept as typed and edited in the raw field ("Saisie avancée").

DAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
PH_SAME, PH_OFF, PH_HOURS = "same", "off", "hours"
_RANGE_RE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
_DAYS_RE = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$")


@dataclass
class Schedule:
    """`days`: day code -> list of (start, end) "HH:MM" pairs (empty: closed); `holidays`: PH rule."""

    days: dict
    holidays: str = PH_SAME
    holiday_ranges: list = None

    def __post_init__(self):
        self.holiday_ranges = list(self.holiday_ranges or [])
        for code in DAY_CODES:
            self.days.setdefault(code, [])


def _minutes(text):
    hour, minute = text.split(":")
    return int(hour) * 60 + int(minute)


def _day_span(selector):
    """`Mo-We` -> [Mo, Tu, We]; `Sa-Mo` wraps; None when not a plain day selector."""
    match = _DAYS_RE.match(selector)
    if not match:
        return None
    first = DAY_CODES.index(match.group(1))
    last = DAY_CODES.index(match.group(2)) if match.group(2) else first
    span, index = [], first
    while True:
        span.append(DAY_CODES[index])
        if index == last:
            return span
        index = (index + 1) % 7


def _ranges(text):
    """`09:00-12:00,14:00-18:00` -> [("09:00", "12:00"), ...]; None if anything else."""
    result = []
    for part in text.split(","):
        match = _RANGE_RE.match(part.strip())
        if not match:
            return None
        start, end = f"{match.group(1)}:{match.group(2)}", f"{match.group(3)}:{match.group(4)}"
        if _minutes(start) > 24 * 60 or _minutes(end) > 24 * 60 or _minutes(end) <= _minutes(start):
            return None
        result.append((start, end))
    return result


def schedule_from_value(value):
    """The rows of an OSM value, or None when the value says more than rows can show."""
    value = (value or "").strip()
    schedule = Schedule(days={})
    if not value:
        return schedule
    for rule in value.split(";"):
        rule = rule.strip()
        if not rule:
            continue
        selector, _space, rest = rule.partition(" ")
        rest = rest.strip()
        if not rest:
            return None
        off = rest in ("off", "closed")
        ranges = [] if off else _ranges(rest)
        if ranges is None:
            return None
        if selector == "PH":
            schedule.holidays = PH_OFF if off else PH_HOURS
            schedule.holiday_ranges = ranges
            continue
        days = []
        for part in selector.split(","):
            span = _day_span(part)
            if span is None:
                return None
            days.extend(span)
        for day in days:  # a later rule replaces an earlier one for its days, as in OSM
            schedule.days[day] = list(ranges)
    return schedule


def _selector(days):
    """[Mo, Tu, We, Fr] -> `Mo-We,Fr` (runs of three or more days as a span)."""
    indexes = sorted(DAY_CODES.index(day) for day in days)
    runs, run = [], [indexes[0]]
    for index in indexes[1:]:
        if index == run[-1] + 1:
            run.append(index)
        else:
            runs.append(run)
            run = [index]
    runs.append(run)
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_CODES[run[0]]}-{DAY_CODES[run[-1]]}")
        else:
            parts.extend(DAY_CODES[index] for index in run)
    return ",".join(parts)


def _ranges_text(ranges):
    return ",".join(f"{start}-{end}" for start, end in sorted(ranges, key=lambda pair: _minutes(pair[0])))


def value_from_schedule(schedule):
    """The OSM value of rows: days with the same ranges grouped (`Mo,We 09:00-12:00; PH off`)."""
    groups = {}
    for day in DAY_CODES:
        ranges = schedule.days.get(day) or []
        if ranges:
            groups.setdefault(_ranges_text(ranges), []).append(day)
    rules = [f"{_selector(days)} {ranges}" for ranges, days in groups.items()]
    if schedule.holidays == PH_HOURS and schedule.holiday_ranges:
        rules.append(f"PH {_ranges_text(schedule.holiday_ranges)}")
    elif schedule.holidays == PH_OFF and rules:
        rules.append("PH off")
    return "; ".join(rules)


def range_errors(ranges):
    """French-ready messages for a day's ranges: an end before its start, overlapping ranges."""
    errors = []
    for start, end in ranges:
        if _minutes(end) <= _minutes(start):
            errors.append(
                _("the range %(start)s – %(end)s ends before it starts") % {"start": start, "end": end}
            )
    ordered = sorted(ranges, key=lambda pair: _minutes(pair[0]))
    for (start_a, end_a), (start_b, end_b) in zip(ordered, ordered[1:], strict=False):
        if _minutes(start_b) < _minutes(end_a) and _minutes(end_b) > _minutes(start_b):
            errors.append(
                _("the ranges %(first)s and %(second)s overlap")
                % {"first": f"{start_a} – {end_a}", "second": f"{start_b} – {end_b}"}
            )
    return errors


# --- French free text: "lundi-vendredi 9h-12h, 14h-18h; samedi 9 h 30 - 12 h" -----------------

_FRENCH_DAYS = {
    "lundi": "Mo", "lun": "Mo", "mardi": "Tu", "mar": "Tu", "mercredi": "We", "mer": "We",
    "jeudi": "Th", "jeu": "Th", "vendredi": "Fr", "ven": "Fr", "samedi": "Sa", "sam": "Sa",
    "dimanche": "Su", "dim": "Su",
}
_FRENCH_TIME = r"(\d{1,2})\s*(?:h|:)\s*(\d{2})?"
_FRENCH_RANGE_RE = re.compile(_FRENCH_TIME + r"\s*(?:-|–|à|a)\s*" + _FRENCH_TIME)
_WORD_RE = re.compile(r"[a-z]+")


def _fold(text):
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _french_days(text):
    """`du lundi au vendredi`, `mardi et jeudi`, `lun-mer`, `jours fériés` -> codes (PH included)."""
    text = re.sub(r"jours?\s+feries?", " PH ", text)
    tokens = re.findall(r"PH|[a-z]+|-", text)
    days, pending_span = [], False
    for token in tokens:
        code = "PH" if token == "PH" else _FRENCH_DAYS.get(token)
        if code is None:
            if token in ("au", "a", "-"):
                pending_span = bool(days)
            elif token in ("du", "le", "les", "et", "de"):
                continue
            else:
                return None
            continue
        if pending_span and days and code != "PH" and days[-1] != "PH":
            days.extend(_day_span(f"{days[-1]}-{code}")[1:])
        else:
            days.append(code)
        pending_span = False
    return days or None


def value_from_french(text):
    """The OSM value of hours written in French, or None when not understood."""
    schedule = Schedule(days={})
    any_rule = False
    for rule in re.split(r"[;\n]+", _fold(text)):
        rule = rule.strip().rstrip(".")
        if not rule:
            continue
        match = re.search(r"\d|ferme", rule)
        if not match:
            return None
        days = _french_days(rule[: match.start()])
        if not days:
            return None
        rest = rule[match.start():].strip()
        if rest.startswith("ferme"):
            ranges = []
            if rest.rstrip("es ") != "ferm":
                return None
        else:
            ranges = []
            leftover = _FRENCH_RANGE_RE.sub("", rest)
            if re.sub(r"[\s,+/]|et", "", leftover):
                return None
            for h1, m1, h2, m2 in _FRENCH_RANGE_RE.findall(rest):
                start = f"{int(h1):02d}:{int(m1 or 0):02d}"
                end = f"{int(h2):02d}:{int(m2 or 0):02d}"
                if int(h1) > 24 or int(h2) > 24:
                    return None
                if end == "00:00":
                    end = "24:00"
                ranges.append((start, end))
            if not ranges or range_errors(ranges):
                return None
        for day in days:
            if day == "PH":
                schedule.holidays = PH_HOURS if ranges else PH_OFF
                schedule.holiday_ranges = ranges
            else:
                schedule.days[day] = ranges
        any_rule = True
    if not any_rule:
        return None
    value = value_from_schedule(schedule)
    return value or None
