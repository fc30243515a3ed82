"""A loan's dates in words: "le 17 décembre 2026", "du 17 au 19 décembre 2026",
"du 30 novembre au 2 décembre 2026", "du 30 décembre 2026 au 2 janvier 2027"."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _


def period_text(start: date, end: date) -> str:
    if start == end:
        return _("on %(day)s") % {"day": date_format(start, "j F Y")}
    if start.year != end.year:
        first = date_format(start, "j F Y")
    elif start.month != end.month:
        first = date_format(start, "j F")
    else:
        first = date_format(start, "j")
    return _("from %(start)s to %(end)s") % {"start": first, "end": date_format(end, "j F Y")}
