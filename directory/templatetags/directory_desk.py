"""Display helpers for the desk's venue pages (form, history, a version)."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from directory import schema
from directory.services import field_labels, meaningful_changes

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


@register.filter
def change_text(change):
    """A change's value as text; structure types by their labels ("Association", not "ASSO")."""
    field, value = change
    if field == "typology" and isinstance(value, list):
        value = schema.structure_type_labels(value)
    return as_text(value)


@register.simple_tag
def change_values(change):
    """(before, after) of a change as text."""
    return change_text((change["field"], change.get("before"))), change_text((change["field"], change.get("after")))


@register.filter
def revision_kind(revision):
    """What a revision is, as a noun: Creation, Edit (« Modification »), Import, Restoration."""
    labels = {
        "created": pgettext("venue revision", "Creation"),
        "edited": pgettext("venue revision", "Edit"),
        "imported": pgettext("venue revision", "Import"),
        "restored": pgettext("venue revision", "Restoration"),
    }
    return labels.get(revision.kind, revision.get_kind_display())


@register.filter
def real_changes(changes):
    """The changes worth showing: a list whose order alone changed is not one."""
    return meaningful_changes(changes or [])


@register.filter
def is_common_type(code):
    return code in schema.COMMON_STRUCTURE_TYPES


@register.filter
def has_other_type(values):
    """Whether a typology value (list of codes) holds a type outside the usual ones."""
    if isinstance(values, str):
        values = [values]
    return any(code not in schema.COMMON_STRUCTURE_TYPES for code in values or [])
