"""Forms of the voucher's use at a venue: the code (typed or scanned) and the module attended.
They parse; `mediation.uses` validates and decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Venue
from mediation.models import ProgrammeModule
from mediation.uses import DURATION_MAX, DURATION_MIN


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Voucher code"), max_length=300, strip=True,
        help_text=_("Printed on the card, under the QR code, in three groups: K7MP-RT4W-XC. "
                    "Spaces, dashes and small letters do not matter."),
        error_messages={"required": _("Type the code printed on the voucher.")},
        widget=forms.TextInput(attrs={
            "autocomplete": "off", "autocapitalize": "characters", "inputmode": "text", "spellcheck": "false",
            "class": "voucher-code-input", "autofocus": True,
        }),
    )


def module_label(module: ProgrammeModule) -> str:
    return f"{module.position}. {module.title}"


class RecordModuleForm(forms.Form):
    """`module` among the voucher's remaining ones (any module of the programme is accepted, so
    that one recorded meanwhile gets the service's message), `venue` among `venues` (give
    `single_venue` when there is only one), `date`, `duration_minutes` (empty: the module's)."""

    module = forms.ModelChoiceField(label=_("Module attended"), queryset=ProgrammeModule.objects.none(),
                                    widget=forms.RadioSelect, empty_label=None)
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none(), empty_label=_("Choose a venue"))
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=DURATION_MIN, max_value=DURATION_MAX,
        help_text=_("Leave empty for the module's duration."),
    )

    def __init__(self, data: Any = None, *, modules: Sequence[ProgrammeModule], remaining: Sequence[ProgrammeModule],
                 venues: QuerySet[Venue], single_venue: Venue | None = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        module_field = self.fields["module"]
        assert isinstance(module_field, forms.ModelChoiceField)
        module_field.queryset = ProgrammeModule.objects.filter(pk__in=[module.pk for module in modules])
        # Only the remaining modules are offered (the done ones are listed with their date).
        module_field.widget.choices = [(module.pk, module_label(module)) for module in remaining]
        if remaining:
            module_field.initial = remaining[0].pk
            self.fields["duration_minutes"].initial = remaining[0].duration_minutes
        venue_field = self.fields["venue"]
        assert isinstance(venue_field, forms.ModelChoiceField)
        venue_field.queryset = venues
        if single_venue is not None:  # the only choice: preselected
            venue_field.empty_label = None
            venue_field.initial = single_venue.pk
        today = timezone.localdate()
        self.fields["date"].initial = today
        self.fields["date"].widget.attrs["max"] = today.isoformat()
