"""The chat's one date format: a message shows its clock time ("12 h 30", `|clock`), and
the list is cut into days by separators: "Aujourd'hui", "Hier", "mardi 1 décembre"
("mardi 1 décembre 2025" another year), in the site's time zone. static/js/chat.js
draws live messages with the same rules (formatClock, dayLabel), so that a message
received live reads exactly as it does after a reload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

DAY_FORMAT = "l j F"
DAY_FORMAT_OTHER_YEAR = "l j F Y"


def day_of(value: dt.datetime) -> dt.date:
    """The day of `value` in the current time zone."""
    return timezone.localtime(value).date()


def day_label(day: dt.date, today: dt.date | None = None) -> str:
    """ "Today", "Yesterday", "Tuesday 1 December" (with the year when not this year)."""
    today = today or timezone.localdate()
    if day == today:
        return gettext("Today")
    if day == today - dt.timedelta(days=1):
        return gettext("Yesterday")
    return date_format(day, DAY_FORMAT if day.year == today.year else DAY_FORMAT_OTHER_YEAR)


def mark_days(messages: Iterable[Any], previous: dt.datetime | None = None) -> None:
    """Set `day` (ISO date) on each message, and `day_label` on the first of each day (""
    on the others). `previous`: the time of the message just before the first one (a page
    that continues the same day draws no separator)."""
    today = timezone.localdate()
    last = day_of(previous) if previous else None
    for message in messages:
        day = day_of(message.created_at)
        message.day = day.isoformat()
        message.day_label = day_label(day, today) if day != last else ""
        last = day
