"""Time zones of events: France and overseas.

An event is written in a zone (Europe/Paris by default, a venue's own zone overseas) and
its recurrence follows that zone's wall clock. A wall-clock time skipped by the
spring-forward change (02 h 30 in Paris on the last Sunday of March) is refused with an
explanation, never silently moved; one that happens twice (the autumn change) is taken the
first time, and `is_ambiguous` lets the form warn about it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from directory import hours

DEFAULT_TZ = "Europe/Paris"

# (IANA name, French label) offered by the event form; Europe/Paris first.
ZONES: list[tuple[str, Any]] = [
    ("Europe/Paris", gettext_lazy("Paris (metropolitan France)")),
    ("America/Guadeloupe", gettext_lazy("Guadeloupe")),
    ("America/Martinique", gettext_lazy("Martinique")),
    ("America/Cayenne", gettext_lazy("French Guiana")),
    ("Indian/Reunion", gettext_lazy("Réunion")),
    ("Indian/Mayotte", gettext_lazy("Mayotte")),
    ("America/Miquelon", gettext_lazy("Saint Pierre and Miquelon")),
    ("America/St_Barthelemy", gettext_lazy("Saint Barthélemy")),
    ("America/Marigot", gettext_lazy("Saint Martin")),
    ("Pacific/Wallis", gettext_lazy("Wallis and Futuna")),
    ("Pacific/Tahiti", gettext_lazy("French Polynesia")),
    ("Pacific/Noumea", gettext_lazy("New Caledonia")),
]
ZONE_NAMES = frozenset(name for name, _label in ZONES)

# First three digits of an INSEE (commune) code or a postal code overseas.
_BY_PREFIX = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}
# Saint-Barthélemy and Saint-Martin kept Guadeloupe's postal codes (their INSEE codes are 977xx,
# 978xx since 2007; some sources still give their former Guadeloupe codes 97123 and 97127).
_BY_POSTAL_CODE = {"97133": "America/St_Barthelemy", "97150": "America/Marigot"}
_BY_FORMER_INSEE_CODE = {"97123": "America/St_Barthelemy", "97127": "America/Marigot"}


def zone_of_code(code: str, *, postal: bool = False) -> str | None:
    """The overseas zone of an INSEE or postal code, None when it is not an overseas one."""
    code = (code or "").strip()
    special = _BY_POSTAL_CODE if postal else _BY_FORMER_INSEE_CODE
    if code in special:
        return special[code]
    return _BY_PREFIX.get(code[:3])


def venue_timezone(venue: Any) -> str:
    """The zone of a venue of the directory: its INSEE or postal code tells overseas ones; without
    either, its coordinates (`directory.hours.zone_for`, which its opening hours use)."""
    if venue is None:
        return DEFAULT_TZ
    zone = zone_of_code(getattr(venue, "insee_code", "") or "")
    if zone is None:
        zone = zone_of_code(getattr(venue, "postal_code", "") or "", postal=True)
    if zone is None and not (getattr(venue, "insee_code", "") or getattr(venue, "postal_code", "")):
        zone = hours.zone_for(getattr(venue, "latitude", None), getattr(venue, "longitude", None)).key
    return zone or DEFAULT_TZ


def zone_label(tz: str) -> str:
    """The French label of a zone ("Guadeloupe"), the IANA name for a zone not in `ZONES`."""
    for name, label in ZONES:
        if name == tz:
            return str(label)
    return tz


def _place(tz: str) -> str:
    """Where the clocks change, for the message: "Paris", "Saint-Pierre-et-Miquelon"..."""
    if tz == DEFAULT_TZ:
        return _("Paris")
    return zone_label(tz)


def _wall(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None)


def _exists(day: date, at: time, zone: ZoneInfo) -> bool:
    naive = datetime.combine(day, at)
    for fold in (0, 1):
        candidate = naive.replace(tzinfo=zone, fold=fold)
        if _wall(candidate.astimezone(ZoneInfo("UTC")).astimezone(zone)) == naive:
            return True
    return False


def _hour(moment: time) -> str:
    """"2 h 30", "2 h" in French."""
    from core.templatetags.timefmt import hour_text

    return hour_text(moment)


def day_text(day: date) -> str:
    """"29 mars 2026", "1er mai 2026" (the first of a month as French writes it)."""
    text = formats.date_format(day, "j F Y")
    if day.day == 1:
        text = pgettext("first day of a month", "1st") + text[1:]
    return text


def is_ambiguous(day: date, at: time, tz: str) -> bool:
    """Whether `day` at `at` happens twice in `tz` (the hour repeated when clocks go back)."""
    zone = ZoneInfo(tz)
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    return first.utcoffset() != second.utcoffset() and _exists(day, at, zone)


def local_datetime(day: date, at: time, tz: str) -> datetime:
    """`day` at `at` in `tz`, aware; ValidationError (French) when that time does not exist
    there (skipped by the spring-forward change). A time that happens twice is the first one."""
    zone = ZoneInfo(tz)
    at = at.replace(tzinfo=None, fold=0)
    if not _exists(day, at, zone):
        # The clocks jump at the first minute of the gap, to that minute plus the change.
        naive = datetime.combine(day, at)
        first = naive
        while not _exists(day, (first - timedelta(minutes=1)).time(), zone) and first.time() != time():
            first -= timedelta(minutes=1)
        aware = naive.replace(tzinfo=zone, fold=0)
        change = abs((aware.replace(fold=1).utcoffset() or timedelta()) - (aware.utcoffset() or timedelta()))
        jump_from, jump_to = first.time(), (first + (change or timedelta(hours=1))).time()
        raise ValidationError(
            _("%(day)s at %(time)s does not exist in %(place)s: the clocks go from %(from)s to %(to)s. "
              "Choose another time.")
            % {"day": day_text(day), "time": _hour(at), "place": _place(tz),
               "from": _hour(jump_from), "to": _hour(jump_to)},
            code="nonexistent_time",
        )
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0)
