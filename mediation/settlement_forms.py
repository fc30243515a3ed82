"""Forms of settlement: they parse what the coordinator chose; `settlement.py` decides."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Venue
from mediation.models import Programme
from mediation.scopes import Period

PERIOD_KINDS = [("month", _("Month")), ("quarter", _("Quarter"))]
PAID_CHOICES = [("", _("All")), ("non", _("Not paid yet")), ("oui", _("Paid"))]


class SettlementForm(forms.Form):
    """A programme, a venue and a period (a month or a quarter): `cleaned_data` gets `start`, `end`."""

    programme = forms.ModelChoiceField(label=_("Programme"), queryset=Programme.objects.none(), empty_label=None)
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=Venue.objects.none(), empty_label=_("Choose a venue"))
    kind = forms.ChoiceField(label=_("Period"), choices=PERIOD_KINDS, initial="month")
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    number = forms.IntegerField(
        label=_("Month or quarter number"), min_value=1, max_value=12,
        help_text=_("Month: 1 to 12; quarter: 1 to 4."),
    )

    def _field(self, name: str) -> Any:
        return self.fields[name]

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("programme").queryset = programmes.order_by("name", "pk")
        # The venues taking part, and those that served one of these programmes' vouchers.
        self._field("venue").queryset = (
            Venue.objects.filter(Q(voucher_programmes__in=programmes)
                                 | Q(voucher_uses__voucher__programme__in=programmes))
            .distinct().order_by("name", "pk")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if all(data.get(key) is not None for key in ("kind", "year", "number")):
            try:
                period = Period(data["kind"], data["year"], data["number"])
            except ValueError:
                self.add_error("number", _("A quarter is numbered 1 to 4."))
            else:
                data["period"] = period
                data["start"], data["end"] = period.start, period.end
        return data


class PaidForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reference = forms.CharField(
        label=_("Payment reference"), required=False, max_length=100,
        help_text=_("Optional: the transfer's or the mandate's reference."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"paid_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class SettlementFilterForm(forms.Form):
    """The filters of the statements' list (GET)."""

    programme = forms.ModelChoiceField(
        label=_("Programme"), required=False, queryset=Programme.objects.none(), empty_label=_("All programmes"),
    )
    venue = forms.ModelChoiceField(
        label=_("Venue"), required=False, queryset=Venue.objects.none(), empty_label=_("All venues"),
    )
    paid = forms.ChoiceField(label=_("Paid"), required=False, choices=PAID_CHOICES)

    def _field(self, name: str) -> Any:
        return self.fields[name]

    def __init__(self, *args: Any, programmes: QuerySet[Programme], venues: QuerySet[Venue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._field("programme").queryset = programmes.order_by("name", "pk")
        self._field("venue").queryset = venues.order_by("name", "pk")


class ClosingFilterForm(forms.Form):
    """Which vouchers' validity ended when (GET): both optional."""

    ended_from = forms.DateField(label=_("Validity ended on or after"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ended_until = forms.DateField(label=_("Validity ended on or before"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("ended_from")
        end: date | None = data.get("ended_until")
        if start and end and end < start:
            self.add_error("ended_until", _("The period ends before it starts."))
        return data
