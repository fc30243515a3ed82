"""Recurrence as an animator picks it in the event form, to and from RFC 5545 RRULE text.

`build_rule` writes what `recurrence.validate_rule` accepts; `repeat_of` reads a rule back
for the form ("custom" when the form cannot show it, e.g. an imported BYSETPOS rule, which
is then kept as it is); `describe` says any accepted rule in French ("Toutes les 2 semaines
le lundi et le jeudi, jusqu'au 30 juin 2027"), with a generic sentence for the shapes it
cannot put into words.

"monthly_weekday" is the Nth weekday of the month taken from the start: the 2nd Tuesday is
`BYDAY=2TU`; the 5th is "the last" (`-1TU`, some months have only four); a start that is
both the 4th and the last of its month is the 4th unless `last_weekday` asks for the last.
"""

from __future__ import annotations

import calendar as pycalendar
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from calendar_app import recurrence

DEFAULT_TZ = "Europe/Paris"
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
FREQUENCIES = ("", "daily", "weekly", "monthly_date", "monthly_weekday", "yearly", "custom")
ENDS = ("never", "until", "count")
_RRULE_FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "monthly_date": "MONTHLY",
               "monthly_weekday": "MONTHLY", "yearly": "YEARLY"}


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
    # monthly_weekday: "the last <weekday>" rather than "the 4th" when the start is both.
    last_weekday: bool = False


def _zone_name(start_local: datetime) -> str:
    return getattr(start_local.tzinfo, "key", None) or DEFAULT_TZ


def nth_weekday(day: date) -> tuple[int, bool]:
    """(N, is the last) of `day` among the same weekdays of its month: 10 Feb 2026 is (2, False)."""
    days_in_month = pycalendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1, day.day + 7 > days_in_month


def monthly_weekday_code(day: date, last: bool = False) -> str:
    """`BYDAY` of "the Nth weekday of the month" of `day`: "2TU", "-1TU" for the 5th (or the last asked)."""
    n, is_last = nth_weekday(day)
    if n == 5 or (last and is_last):
        n = -1
    return f"{n}{DAY_CODES[day.weekday()]}"


def build_rule(repeat: Repeat, start_local: datetime) -> str:
    """The RRULE (without "RRULE:") for `repeat` of an event starting at `start_local` (aware,
    in the event's zone); "" when it does not repeat. ValidationError (French) for an interval,
    a count or an end the calendar refuses. A "custom" rule is not built here: the caller keeps
    the event's own rule."""
    frequency = repeat.frequency or ""
    if not frequency:
        return ""
    if frequency == "custom":
        raise ValueError("A custom rule is kept as it is, not built from the form.")
    if frequency not in _RRULE_FREQ:
        raise ValidationError(_("Choose how the event repeats."), code="frequency")
    interval = 1 if repeat.interval is None else repeat.interval
    if not 1 <= interval <= 99:
        raise ValidationError(_("The interval must be a whole number between 1 and 99."), code="interval")
    parts = [f"FREQ={_RRULE_FREQ[frequency]}"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    day = start_local.date()
    if frequency == "weekly":
        weekdays = sorted(set(repeat.weekdays or [day.weekday()]))
        if any(not 0 <= weekday <= 6 for weekday in weekdays):
            raise ValidationError(_("Choose days of the week."), code="weekdays")
        parts.append("BYDAY=" + ",".join(DAY_CODES[weekday] for weekday in weekdays))
    elif frequency == "monthly_date":
        parts.append(f"BYMONTHDAY={day.day}")
    elif frequency == "monthly_weekday":
        parts.append(f"BYDAY={monthly_weekday_code(day, repeat.last_weekday)}")
    end = repeat.end or "never"
    if end == "count":
        if repeat.count is None or not 1 <= repeat.count <= recurrence.MAX_COUNT:
            raise ValidationError(
                _("The number of occurrences must be between 1 and %(max)d.") % {"max": recurrence.MAX_COUNT},
                code="count",
            )
        parts.append(f"COUNT={repeat.count}")
    elif end == "until":
        if repeat.until is None:
            raise ValidationError(_("Give the date of the last occurrence."), code="until")
        if repeat.until < day:
            raise ValidationError(_("The recurrence ends before the event starts."), code="until")
        parts.append("UNTIL=" + recurrence.rule_to_utc_until(repeat.until, _zone_name(start_local)))
    elif end != "never":
        raise ValidationError(_("Choose when the recurrence ends."), code="end")
    return ";".join(parts)


def _parts(rule: str) -> dict[str, str] | None:
    try:
        return recurrence.parse_parts(rule)
    except recurrence.RuleError:
        return None


def _int(value: str | None, default: int | None = None) -> int | None:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return None


def _until_date(value: str, start_local: datetime) -> date | None:
    """The last day (in the event's zone) of an UNTIL: "20270630T215959Z", "20270630T235959", "20270630"."""
    value = value.strip().upper()
    try:
        if "T" not in value:
            return datetime.strptime(value, "%Y%m%d").date()
        if value.endswith("Z"):
            moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=ZoneInfo("UTC"))
            return moment.astimezone(ZoneInfo(_zone_name(start_local))).date()
        return datetime.strptime(value, "%Y%m%dT%H%M%S").date()
    except ValueError:
        return None


def _byday(value: str) -> list[tuple[int | None, int]] | None:
    """[(ordinal or None, weekday 0-6)] of a BYDAY value ("2TU", "-1FR", "MO"), None if unreadable."""
    days: list[tuple[int | None, int]] = []
    for item in value.split(","):
        item = item.strip()
        code, prefix = item[-2:], item[:-2]
        if code not in DAY_CODES:
            return None
        if prefix in ("", "+"):
            days.append((None, DAY_CODES.index(code)))
            continue
        ordinal = _int(prefix)
        if ordinal is None or ordinal == 0 or not -5 <= ordinal <= 5:
            return None
        days.append((ordinal, DAY_CODES.index(code)))
    return days


def repeat_of(rule: str, start_local: datetime) -> Repeat:
    """What the form shows for `rule` of an event starting at `start_local` (frequency "custom"
    when the form cannot show it: the rule is then kept unless the animator picks another)."""
    if not (rule or "").strip():
        return Repeat()
    custom = Repeat(frequency="custom")
    parts = _parts(rule)
    if parts is None:
        return custom
    interval = _int(parts.pop("INTERVAL", None), 1)
    if interval is None or not 1 <= interval <= 99:
        return custom
    end, until, count = "never", None, None
    if "COUNT" in parts and "UNTIL" in parts:
        return custom
    if "COUNT" in parts:
        count = _int(parts.pop("COUNT"))
        if count is None or not 1 <= count <= recurrence.MAX_COUNT:
            return custom
        end = "count"
    elif "UNTIL" in parts:
        until = _until_date(parts.pop("UNTIL"), start_local)
        if until is None:
            return custom
        end = "until"
    if parts.get("WKST", "MO") != "MO":
        return custom
    parts.pop("WKST", None)
    freq = parts.pop("FREQ", "")
    day = start_local.date()

    def make(frequency: str, weekdays: list[int] | None = None, last_weekday: bool = False) -> Repeat:
        return Repeat(frequency=frequency, interval=interval or 1, weekdays=weekdays or [], end=end, until=until,
                      count=count, last_weekday=last_weekday)

    if freq == "DAILY" and not parts:
        return make("daily")
    if freq == "WEEKLY" and set(parts) <= {"BYDAY"}:
        days = _byday(parts["BYDAY"]) if "BYDAY" in parts else [(None, day.weekday())]
        if days is None or any(ordinal is not None for ordinal, _weekday in days):
            return custom
        return make("weekly", sorted({weekday for _ordinal, weekday in days}))
    if freq == "MONTHLY" and set(parts) == {"BYMONTHDAY"}:
        if _int(parts["BYMONTHDAY"]) == day.day:
            return make("monthly_date")
        return custom
    if freq == "MONTHLY" and not parts:  # RFC 5545: the start's day of the month
        return make("monthly_date")
    if freq == "MONTHLY" and set(parts) == {"BYDAY"}:
        days = _byday(parts["BYDAY"])
        if days is None or len(days) != 1:
            return custom
        ordinal, weekday = days[0]
        n, is_last = nth_weekday(day)
        if weekday != day.weekday() or ordinal is None:
            return custom
        if ordinal == n and n != 5:
            return make("monthly_weekday")
        if ordinal == -1 and is_last:
            return make("monthly_weekday", last_weekday=n != 5)
        return custom
    if freq == "YEARLY":
        if not parts or (set(parts) == {"BYMONTH", "BYMONTHDAY"} and _int(parts["BYMONTH"]) == day.month
                         and _int(parts["BYMONTHDAY"]) == day.day):
            return make("yearly")
        return custom
    return custom


# --- In French -----------------------------------------------------------------------------


def _join(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _weekday(index: int) -> str:
    return str(WEEKDAYS[index])


def _day_of_month(day: int) -> str:
    """"14", "1er"."""
    if day == 1:
        return pgettext("first day of a month", "1st")
    return str(day)


def _day_and_month(day: int, month: int) -> str:
    """"14 juillet", "1er mai"."""
    text = formats.date_format(date(2000, month, day), "j F")
    if day == 1:
        text = _day_of_month(1) + text[1:]
    return text


def _date(day: date) -> str:
    """"30 juin 2027", "1er mai 2027"."""
    text = formats.date_format(day, "j F Y")
    if day.day == 1:
        text = _day_of_month(1) + text[1:]
    return text


def _every(freq: str, interval: int) -> str:
    if freq == "DAILY":
        return ngettext("Every day", "Every %(n)d days", interval) % {"n": interval}
    if freq == "WEEKLY":
        return ngettext("Every week", "Every %(n)d weeks", interval) % {"n": interval}
    if freq == "MONTHLY":
        return ngettext("Every month", "Every %(n)d months", interval) % {"n": interval}
    return ngettext("Every year", "Every %(n)d years", interval) % {"n": interval}


def _on_weekdays(weekdays: list[int]) -> str:
    if weekdays == [0, 1, 2, 3, 4]:
        return _("from Monday to Friday")
    return _join([_("on %(weekday)s") % {"weekday": _weekday(weekday)} for weekday in weekdays])


def _nth_weekday(ordinal: int, weekday: int) -> str | None:
    name = _weekday(weekday)
    phrases = {
        1: _("on the first %(weekday)s"),
        2: _("on the second %(weekday)s"),
        3: _("on the third %(weekday)s"),
        4: _("on the fourth %(weekday)s"),
        5: _("on the fifth %(weekday)s"),
        -1: _("on the last %(weekday)s"),
        -2: _("on the second to last %(weekday)s"),
    }
    phrase = phrases.get(ordinal)
    return None if phrase is None else phrase % {"weekday": name}


def _on_month_days(value: str) -> str | None:
    phrases = []
    for item in value.split(","):
        number = _int(item)
        if number is None or number == 0 or not -31 <= number <= 31:
            return None
        if number == -1:
            phrases.append(_("on the last day"))
        elif number < 0:
            return None
        else:
            phrases.append(_("on the %(day)s") % {"day": _day_of_month(number)})
    return _join(phrases)


def _pattern(freq: str, parts: dict[str, str], start_local: datetime) -> str | None:
    """The "on ..." part of the rule's sentence ("" for none), None when it cannot say it."""
    day = start_local.date()
    if freq == "DAILY":
        return "" if not parts else None
    if freq == "WEEKLY":
        if set(parts) - {"BYDAY"}:
            return None
        days = _byday(parts["BYDAY"]) if "BYDAY" in parts else [(None, day.weekday())]
        if days is None or any(ordinal is not None for ordinal, _weekday in days):
            return None
        return _on_weekdays(sorted({weekday for _ordinal, weekday in days}))
    if freq == "MONTHLY":
        if not parts:
            return _("on the %(day)s") % {"day": _day_of_month(day.day)}
        if set(parts) == {"BYMONTHDAY"}:
            return _on_month_days(parts["BYMONTHDAY"])
        if set(parts) == {"BYDAY"}:
            days = _byday(parts["BYDAY"])
            if days is None or any(ordinal is None for ordinal, _weekday in days):
                return None
            phrases = [_nth_weekday(ordinal, weekday) for ordinal, weekday in days if ordinal is not None]
            if any(phrase is None for phrase in phrases):
                return None
            return _join([phrase for phrase in phrases if phrase is not None])
        return None
    if freq == "YEARLY":
        if not parts:
            return _("on %(date)s") % {"date": _day_and_month(day.day, day.month)}
        month = _int(parts.get("BYMONTH"))
        if month is None or not 1 <= month <= 12 or "," in parts["BYMONTH"]:
            return None
        if set(parts) == {"BYMONTH", "BYMONTHDAY"}:
            number = _int(parts["BYMONTHDAY"])
            if number is None or not 1 <= number <= pycalendar.monthrange(2000, month)[1]:
                return None
            return _("on %(date)s") % {"date": _day_and_month(number, month)}
        if set(parts) == {"BYMONTH"}:
            return _("on %(date)s") % {"date": _day_and_month(day.day, month)} if month == day.month else None
        if set(parts) == {"BYMONTH", "BYDAY"}:
            days = _byday(parts["BYDAY"])
            if days is None or len(days) != 1 or days[0][0] is None:
                return None
            ordinal, weekday = days[0]
            assert ordinal is not None
            phrase = _nth_weekday(ordinal, weekday)
            if phrase is None:
                return None
            month_name = formats.date_format(date(2000, month, 1), "F")
            return _("%(weekday_phrase)s of %(month)s") % {"weekday_phrase": phrase, "month": month_name}
        return None
    return None


def _ending(parts: dict[str, str], start_local: datetime) -> str | None:
    if "COUNT" in parts:
        count = _int(parts["COUNT"])
        if count is None:
            return None
        return ngettext(", %(count)d time", ", %(count)d times", count) % {"count": count}
    if "UNTIL" in parts:
        until = _until_date(parts["UNTIL"], start_local)
        if until is None:
            return None
        return _(", until %(date)s") % {"date": _date(until)}
    return ""


def describe(rule: str, start_local: datetime) -> str:
    """The rule in French ("Toutes les semaines le mardi, 10 fois"); "" when it does not repeat;
    a generic sentence for a rule whose shape it cannot put into words."""
    if not (rule or "").strip():
        return ""
    generic = _("Repeats on a custom pattern")
    parts = _parts(rule)
    if parts is None:
        return generic
    freq = parts.pop("FREQ", "")
    if freq not in recurrence.FREQUENCIES:
        return generic
    interval = _int(parts.pop("INTERVAL", None), 1) or 1
    ending = _ending(parts, start_local)
    parts.pop("COUNT", None)
    parts.pop("UNTIL", None)
    if parts.get("WKST") == "MO" or (parts.get("WKST") and not (freq == "WEEKLY" and interval > 1)):
        parts.pop("WKST")
    every = _every(freq, interval)
    pattern = _pattern(freq, parts, start_local)
    if pattern is None:
        sentence = _("%(every)s, on a custom pattern") % {"every": every}
    else:
        sentence = _("%(every)s %(pattern)s") % {"every": every, "pattern": pattern} if pattern else every
    return sentence + (ending or "")
