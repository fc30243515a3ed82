"""Display helpers of the public directory's templates (/annuaire/)."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from directory import schema

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
