"""Opening hours: OpenStreetMap `opening_hours` strings, validated and told in plain words.

The national schema stores `horaires` in the OSM syntax (`Mo-Fr 09:00-12:00,14:00-18:30;
Sa 08:30-12:00`). `opening-hours-py` (a binding of the Rust `opening-hours` crate) parses
the whole specification, French public holidays (`PH off`) included. Everything is
evaluated in the venue's time zone: Europe/Paris, or the overseas zone its coordinates
fall in.
"""

import datetime
import functools
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
