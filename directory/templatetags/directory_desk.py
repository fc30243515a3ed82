"""Display helpers for the venue history pages."""

from django import template
from django.utils.translation import gettext as _

from directory.services import field_labels

register = template.Library()


@register.filter
def field_label(name):
    return field_labels().get(name, name)


@register.filter
def as_text(value):
    """A revision value as text: lists joined, empty as a dash."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if value is True:
        return _("yes")
    return value
