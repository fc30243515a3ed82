"""Forms of the prescriber's pages: they parse what was typed; `mediation.vouchers` validates
and decides (consent, INSEE code, dates, who may issue, cancel or erase)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mediation import codes, coop
from mediation.models import Programme, Voucher
from mediation.vouchers import COMMUNE_MAX, FIRST_NAME_MAX, REASON_MAX


class IssueForm(forms.Form):
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none(), empty_label=None)
    first_name = forms.CharField(
        label=_("First name or pseudonym"), max_length=FIRST_NAME_MAX,
        help_text=_("Only what the venues need to welcome the person: no surname."),
    )
    age_bracket = forms.ChoiceField(label=_("Age"), choices=coop.AgeBracket.choices, widget=forms.RadioSelect)
    situation = forms.ChoiceField(label=_("Situation"), choices=coop.Situation.choices, widget=forms.RadioSelect)
    commune = forms.CharField(label=_("Commune where the person lives"), max_length=COMMUNE_MAX)
    commune_insee = forms.CharField(
        label=_("INSEE code of the commune (optional)"), required=False, max_length=5,
        help_text=_("5 characters, e.g. 46042 for Cahors: the reports count people by commune with it."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today, or a day in the next 3 months."),
    )
    consent = forms.BooleanField(
        label=_("The person agreed that this information be recorded"),
        error_messages={"required": _("Record the person's consent.")},
    )

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("valid_from", timezone.localdate())
        choices = list(programmes)
        if len(choices) == 1:
            kwargs["initial"].setdefault("programme", choices[0].pk)
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programmes
        self.programme_count = len(choices)
        self.only_programme = choices[0] if len(choices) == 1 else None
        if self.only_programme is not None:
            field.widget = forms.HiddenInput()


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"), max_length=REASON_MAX,
        help_text=_("E.g. the person moved away, or a voucher was issued twice."),
    )


class EraseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm: erase the first name and the commune of this person"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


ALL = ""


class VoucherFilterForm(forms.Form):
    """The list's filters (GET): status, programme, a code or a first name."""

    q = forms.CharField(label=_("Code or first name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[(ALL, pgettext_lazy("voucher status", "All")), *Voucher.Status.choices],
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=Programme.objects.none(), empty_label=_("All programmes"),
    )

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programmes

    def filters(self) -> dict[str, Any]:
        """The selector's arguments; an invalid value is ignored."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        text = (data.get("q") or "").strip()
        return {
            "status": data.get("status") or None,
            "programme": data.get("programme"),
            "text": text,
            "code": codes.normalise(text) if text else "",
        }
