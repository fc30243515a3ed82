"""Forms of the desk pages of the files (/bureau/fichiers/): they parse input, the services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField

MB = 1024**2
GB = 1024**3


class UploadForm(forms.Form):
    files = MultipleFileField(label=_("Files to add"), required=False)


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Name of the new folder"), max_length=200)


class RenameForm(forms.Form):
    name = forms.CharField(label=_("New name"), max_length=200)


class MoveForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Move to the folder"), coerce=int)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = list(choices)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the files"), max_length=200, required=False)


class QuotaForm(forms.Form):
    UNITS = (("MB", _("MB")), ("GB", _("GB")))

    amount = forms.DecimalField(
        label=_("Quota"), required=False, min_value=Decimal("0.1"), max_value=Decimal(1024**2), max_digits=12,
        decimal_places=1,
        help_text=_("Leave empty to use the default quota."),
        widget=forms.NumberInput(attrs={"step": "0.1"}),
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=UNITS, initial="GB")

    @classmethod
    def initial_for(cls, quota: int | None) -> dict:
        if quota is None:
            return {"unit": "GB"}
        if quota >= GB and quota % (GB // 10) == 0:
            return {"amount": Decimal(quota) / GB, "unit": "GB"}
        return {"amount": (Decimal(quota) / MB).quantize(Decimal("0.1")), "unit": "MB"}

    def quota_bytes(self) -> int | None:
        amount = self.cleaned_data.get("amount")
        if amount is None:
            return None
        unit = GB if self.cleaned_data["unit"] == "GB" else MB
        return int(amount * unit)
