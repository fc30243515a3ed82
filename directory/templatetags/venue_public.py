"""Display helpers of the public directory's templates (/annuaire/)."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from directory import hours, schema

register = template.Library()

# What json_script escapes: the text can then sit inside <script> (or be sniffed as HTML)
# without ever closing the element, whatever the data holds.
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_text(data):
    """Compact JSON with < > & escaped (still valid JSON, for any parser)."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).translate(JSON_ESCAPES)


@register.filter
def phone_display(value):
    """+33565123456 -> 05 65 12 34 56; other numbers as they are."""
    value = str(value or "")
    digits = value[3:]
    if value.startswith("+33") and len(digits) == 9 and digits.isdigit():
        national = "0" + digits
        return " ".join(national[i : i + 2] for i in range(0, 10, 2))
    return value


@register.filter
def web_url(value):
    """The address if it is an http(s) one, else "" (never a javascript: link)."""
    value = str(value or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


@register.filter
def url_display(value):
    """https://www.example.org/ -> www.example.org (for a link's text)."""
    value = str(value or "")
    for prefix in ("https://", "http://"):
        if value.lower().startswith(prefix):
            value = value[len(prefix) :]
            break
    return value.rstrip("/")


@register.filter
def equipment_label(value):
    try:
        return schema.Equipment(value).label
    except ValueError:
        return value


@register.simple_tag
def json_ld(data):
    """A <script type="application/ld+json"> whose content cannot close the element (< > & escaped)."""
    return mark_safe(f'<script type="application/ld+json">{json_text(data)}</script>')


# --- Structure types -------------------------------------------------------------------------


@register.filter
def structure_type(code):
    """"ASSO" -> "Association" (directory.schema's labels; an unknown code as it is)."""
    return schema.structure_type_label(str(code or ""))


@register.filter
def structure_types(codes):
    """["BIB", "COMMUNE"] -> ["Bibliothèque, médiathèque", "Commune, mairie"] (labels hold commas:
    show them as a list, or joined by " · ")."""
    return schema.structure_type_labels(list(codes or ()))


# --- Distances and next openings ---------------------------------------------------------------


@register.filter
def distance(km):
    """3.24 -> "3.2 km away" ("à 3,2 km"); under 1 km in metres (by 100 m), from 10 km whole."""
    if km is None:
        return ""
    km = float(km)
    if km < 0.1:
        return _("less than 100 m away")
    if km < 0.95:
        return _("%(distance)s m away") % {"distance": int(round(km * 10)) * 100}
    # Rounded here: number_format cuts floats' decimals rather than rounding them.
    shown = formats.number_format(round(km, 1), 1) if km < 9.95 else formats.number_format(round(km), 0)
    return _("%(distance)s km away") % {"distance": shown}


@register.filter
def opening_when(at, now=None):
    """When a venue opens, from `now`, in its own time zone: "today at 14:00", "tomorrow at
    9:00", "Thursday at 9:00", "Thursday 31 December at 9:00" ("demain à 9 h")."""
    if not at:
        return ""
    now = (now or timezone.now()).astimezone(at.tzinfo)
    time = hours.format_time(at)
    days = (at.date() - now.date()).days
    if days == 0:
        return pgettext("opening", "today at %(time)s") % {"time": time}
    if days == 1:
        return pgettext("opening", "tomorrow at %(time)s") % {"time": time}
    day = formats.date_format(at, "l" if days < 7 else "l j F")
    return pgettext("opening", "%(day)s at %(time)s") % {"day": day, "time": time}
