"""`PipeListField`: a list of strings stored in one text column, as the national schema writes it.

The database holds `|a|b|` (the schema's `|` separator, with one at each end) so that
`venue__services__has="Gratuit"` is a plain `LIKE '%|Gratuit|%'` on SQLite and
PostgreSQL alike; Python code only ever sees a list. Values never contain `|`.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.lookups import Contains
from django.utils.translation import gettext_lazy as _

from directory.schema import SEPARATOR


def split_values(value):
    """`"a| b ||c"` -> `["a", "b", "c"]`; a list is cleaned the same way (order kept, no duplicates)."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else str(value).split(SEPARATOR)
    cleaned = []
    for item in items:
        item = str(item).strip()
        if item and item not in cleaned:
            cleaned.append(item)
    return cleaned


def join_values(values):
    return SEPARATOR.join(values)


class PipeListField(models.TextField):
    description = _("List of values separated by |")

    def __init__(self, *args, vocabulary=None, **kwargs):
        # `vocabulary`: a TextChoices class of allowed values (checked by `validate`).
        self.vocabulary = vocabulary
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        # The vocabulary only validates: migrations need not follow its changes.
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("blank") is True:
            del kwargs["blank"]
        if kwargs.get("default") is list:
            del kwargs["default"]
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return split_values(value)

    def to_python(self, value):
        return split_values(value)

    def get_prep_value(self, value):
        values = split_values(value)
        return f"{SEPARATOR}{join_values(values)}{SEPARATOR}" if values else ""

    def value_to_string(self, obj):
        return join_values(self.value_from_object(obj))

    def validate(self, value, model_instance):
        if not self.editable:
            return
        if not value and not self.blank:
            raise ValidationError(self.error_messages["blank"], code="blank")
        for item in value:
            if SEPARATOR in item:
                raise ValidationError(_("A value cannot contain “|”."), code="separator")
        if self.vocabulary is not None:
            unknown = [item for item in value if item not in self.vocabulary.values]
            if unknown:
                raise ValidationError(
                    _("Unknown value: %(values)s. Allowed values: %(allowed)s."),
                    code="unknown",
                    params={
                        "values": ", ".join(f"« {v} »" for v in unknown),
                        "allowed": ", ".join(self.vocabulary.values),
                    },
                )

    def formfield(self, **kwargs):
        if self.vocabulary is not None:
            defaults = {
                "form_class": forms.TypedMultipleChoiceField,
                "choices": self.vocabulary.choices,
                "widget": forms.CheckboxSelectMultiple,
                "required": not self.blank,
                "label": self.verbose_name,
                "help_text": self.help_text,
            }
            defaults.update(kwargs)
            form_class = defaults.pop("form_class")
            defaults.pop("choices_form_class", None)
            defaults.pop("max_length", None)
            return form_class(**defaults)
        return LinesField(required=not self.blank, label=self.verbose_name, help_text=self.help_text)


class LinesField(forms.CharField):
    """A list typed one value per line (a `|` separates values too)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return split_values(value)
        text = super().to_python(value)
        return split_values(text.replace("\r", "\n").replace("\n", SEPARATOR))


@PipeListField.register_lookup
class Has(Contains):
    """`field__has="value"`: the list holds exactly this value."""

    lookup_name = "has"

    def get_prep_lookup(self):
        return f"{SEPARATOR}{self.rhs}{SEPARATOR}"

    def get_rhs_op(self, connection, rhs):
        return connection.operators["contains"] % rhs
