"""(being written by the "rules" helper) Time zones of events: France and overseas."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

# (IANA name, French label) offered by the event form; Europe/Paris first.
ZONES: list[tuple[str, str]] = [("Europe/Paris", "Paris (métropole)")]


def venue_timezone(venue) -> str:
    """The zone of a venue of the directory (its postal code tells overseas ones)."""
    return "Europe/Paris"


def local_datetime(day: date, at: time, tz: str) -> datetime:
    """`day` at `at` in `tz`, aware; ValidationError (French) when that time does not exist there."""
    return datetime.combine(day, at, ZoneInfo(tz))
