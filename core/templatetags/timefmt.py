"""Times as people read them: "à l'instant", "il y a 9 minutes", "hier à 12 h 30",
"3 décembre", "3 décembre 2025", and the clock as "12 h 30".

`{% moment value %}` renders a `<time>` element whose text is relative and whose
`title` and `datetime` give the exact moment; `static/js/timefmt.js` keeps the relative
text current on long-lived pages. `relative_time` is the text alone (for e-mails, JSON).
"""

from __future__ import annotations

import datetime as dt
from typing import overload

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext, pgettext

register = template.Library()


@overload
def _local(value: dt.datetime) -> dt.datetime: ...
@overload
def _local(value: dt.date) -> dt.date: ...
def _local(value: dt.datetime | dt.date) -> dt.datetime | dt.date:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def clock_text(value: dt.datetime | dt.time) -> str:
    """"12 h 30" in French, "12:30" in English (the TIME_FORMAT of the language)."""
    return date_format(value, get_format("TIME_FORMAT"))


def hour_text(value: dt.datetime | dt.time) -> str:
    """"14 h", "14 h 30" in French (the clock without its zero minutes on the hour, as French
    typography writes a time of day), "14:00" in English."""
    text = clock_text(value)
    zero = "\u00a000"
    if value.minute == 0 and text.endswith(zero):
        return text[: -len(zero)]
    return text


def exact_text(value: dt.datetime | dt.date) -> str:
    value = _local(value)
    if isinstance(value, dt.datetime):
        return date_format(value, get_format("DATETIME_FORMAT"))
    return date_format(value, get_format("DATE_FORMAT"))


def relative_text(value: dt.datetime | dt.date | None, now: dt.datetime | None = None) -> str:
    """The moment relative to now, never "0 minute"; past a week, the date."""
    if value is None or value == "":
        return ""
    now = timezone.localtime(now or timezone.now())
    value = _local(value)
    if not isinstance(value, dt.datetime):
        day = value
        delta_days = (now.date() - day).days
        if delta_days == 0:
            return gettext("today")
        if delta_days == 1:
            return gettext("yesterday")
        if delta_days == -1:
            return gettext("tomorrow")
        return _day_text(day, now)
    seconds = (now - value).total_seconds()
    if -60 < seconds < 60:
        return gettext("just now")
    if 0 < seconds < 3600:
        minutes = int(seconds // 60)
        return ngettext("%(count)d minute ago", "%(count)d minutes ago", minutes) % {"count": minutes}
    if 0 < seconds < 6 * 3600:
        hours = int(seconds // 3600)
        return ngettext("%(count)d hour ago", "%(count)d hours ago", hours) % {"count": hours}
    if -3600 < seconds < 0:
        minutes = max(1, int(-seconds // 60))
        return ngettext("in %(count)d minute", "in %(count)d minutes", minutes) % {"count": minutes}
    days = (now.date() - value.date()).days
    clock = clock_text(value)
    if days == 0:
        return pgettext("relative time", "today at %(time)s") % {"time": clock}
    if days == 1:
        return pgettext("relative time", "yesterday at %(time)s") % {"time": clock}
    if days == -1:
        return pgettext("relative time", "tomorrow at %(time)s") % {"time": clock}
    if 1 < days < 7:
        return ngettext("%(count)d day ago", "%(count)d days ago", days) % {"count": days}
    return _day_text(value.date(), now)


def _day_text(day: dt.date, now: dt.datetime) -> str:
    if day.year == now.year:
        return date_format(day, get_format("MONTH_DAY_FORMAT"))
    return date_format(day, get_format("DATE_FORMAT"))


@register.filter
def relative_time(value: dt.datetime | dt.date | None) -> str:
    return relative_text(value)


@register.filter
def clock(value: dt.datetime | None) -> str:
    """"12 h 30"."""
    return clock_text(_local(value)) if value else ""


@register.filter
def hour(value: dt.datetime | None) -> str:
    """"14 h", "12 h 30" (in the current time zone)."""
    return hour_text(_local(value)) if value else ""


@register.filter
def exact_time(value: dt.datetime | dt.date | None) -> str:
    """"3 décembre 2026 à 12 h 30"."""
    return exact_text(value) if value else ""


@register.simple_tag
def moment(value: dt.datetime | dt.date | None, css_class: str = "") -> str:
    """<time datetime="…" title="3 décembre 2026 à 12 h 30" data-relative>il y a 9 minutes</time>"""
    if not value:
        return ""
    local = _local(value)
    return format_html(
        '<time datetime="{}" title="{}" data-relative{}>{}</time>',
        local.isoformat(),
        exact_text(value),
        format_html(' class="{}"', css_class) if css_class else "",
        relative_text(value),
    )
