"""`{{ bytes|file_size }}`: a size as people read it ("300 octets", "12,5 Ko", "1,2 Go"),
the same words as the files' pages and messages (files.services.size_label), rather than
Django's `filesizeformat` (whose French says "Kio")."""

from django import template

from files.services import size_label

register = template.Library()


@register.filter
def file_size(value):
    try:
        return size_label(int(value or 0))
    except (TypeError, ValueError):
        return ""
