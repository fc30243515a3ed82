"""(being written by the "rules" helper) Recurrence as an animator picks it, to and from RRULE."""

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class Repeat:
    # "" (does not repeat), "daily", "weekly", "monthly_date" (the 14th), "monthly_weekday"
    # (the second Tuesday, from the start), "yearly", or "custom" (a rule the form cannot show).
    frequency: str = ""
    interval: int = 1
    weekdays: list[int] = field(default_factory=list)  # 0 = Monday ... 6 = Sunday (weekly)
    end: str = "never"  # "never", "until", "count"
    until: date | None = None
    count: int | None = None


def build_rule(repeat: Repeat, start_local: datetime) -> str:
    """The RRULE (without "RRULE:") for `repeat` of an event starting at `start_local`; "" when it does not repeat."""
    return ""


def repeat_of(rule: str, start_local: datetime) -> Repeat:
    """What the form shows for `rule` (frequency "custom" when it cannot show it)."""
    return Repeat()


def describe(rule: str, start_local: datetime) -> str:
    """The rule in French ("Toutes les semaines le mardi, 10 fois")."""
    return ""
