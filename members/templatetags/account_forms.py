"""How the account forms (allauth) are shown: the project's field markup, the project's words.

allauth puts the label in each field's placeholder ("Adresse e-mail" under "Courriel"): a
placeholder repeating the label is noise for a screen reader and vanishes as one types.
"""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# allauth's labels that read like an admin tool, in the product's words.
LABELS = {
    "email": _("E-mail address"),
    "login": _("E-mail address"),
    "email2": _("E-mail address (again)"),
    "password2": _("Password (again)"),
    "remember": _("Stay logged in on this device"),
}


@register.filter
def account_field(field):
    """The bound field without its widget's placeholder (the label says it already), and
    with the product's label for allauth's e-mail and password fields."""
    field.field.widget.attrs.pop("placeholder", None)
    label = LABELS.get(field.name)
    input_type = getattr(field.field.widget, "input_type", None)
    if label is not None and input_type in ("email", "text", "password", "checkbox"):
        field.label = label
    return field
