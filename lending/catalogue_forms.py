"""The catalogue's filter form (GET) and the small forms of an item's page (repair, retire):
they parse what was typed; `lending.selectors` reads, the services of the other slices decide."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lending.models import Category, Item
from lending.selectors import RESOURCE_CENTRE
from members.models import Territory


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


# The days the catalogue searches (availability reads a few days around them: kept far
# from the limits of `date`).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters; the field names are the page's query parameters."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        help_text=_("Name, inventory number or description."))
    categorie = forms.ModelChoiceField(label=_("Category"), required=False, queryset=Category.objects.none(),
                                       empty_label=_("All categories"))
    proprietaire = forms.ChoiceField(label=_("Owner"), required=False)
    territoire = forms.ModelChoiceField(label=_("Territory"), required=False, queryset=Territory.objects.none(),
                                        empty_label=_("All territories"))
    du = forms.DateField(label=_("Available from"), required=False, widget=DateInput())
    au = forms.DateField(label=_("to"), required=False, widget=DateInput())
    tous = forms.BooleanField(label=_("Also show the unavailable ones"), required=False)

    def __init__(self, *args: Any, owners: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = self.fields["categorie"]
        assert isinstance(category, forms.ModelChoiceField)
        category.queryset = Category.objects.order_by("position", "name")
        territory = self.fields["territoire"]
        assert isinstance(territory, forms.ModelChoiceField)
        territory.queryset = Territory.objects.order_by("name")
        owner = self.fields["proprietaire"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = [("", _("All owners")), (RESOURCE_CENTRE, _("Resource centre")),
                         *[(str(pk), name) for pk, name in owners]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("du"), data.get("au")
        for name, value in (("du", start), ("au", end)):
            if value and not FIRST_DAY <= value <= LAST_DAY:
                self.add_error(name, _("Choose days between 2000 and 2100."))
        if "du" in self.errors or "au" in self.errors:
            return data
        if start and not end:
            self.add_error("au", _("Give the last day too, or leave both dates empty."))
        elif end and not start:
            self.add_error("du", _("Give the first day too, or leave both dates empty."))
        elif start and end and end < start:
            self.add_error("au", _("The last day is before the first day."))
        return data

    def filters(self) -> dict[str, Any]:
        """The selector's arguments from the valid fields (an invalid one is left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = self.cleaned_data
        owner = data.get("proprietaire") or None
        chosen: dict[str, Any] = {
            "q": (data.get("q") or "").strip(),
            "category": data.get("categorie"),
            "owner": owner if owner == RESOURCE_CENTRE else (int(owner) if owner else None),
            "territory": data.get("territoire"),
        }
        start, end = data.get("du"), data.get("au")
        if isinstance(start, date) and isinstance(end, date):
            chosen["available"] = (start, end)
        return chosen

    @property
    def show_unavailable(self) -> bool:
        return bool(self.is_bound and self.is_valid() and self.cleaned_data.get("tous"))


class RepairForm(forms.Form):
    """Sent to repair, or back from repair (posted to materiel:item-repair)."""

    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("What is wrong, who repairs it, what was done."))


class RetireForm(forms.Form):
    """Retire an item from the catalogue (posted to materiel:item-retire)."""

    note = forms.CharField(label=_("Why is it retired?"), required=False, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}))


def repair_label(item: Item) -> str:
    return str(_("Back from repair") if item.status == Item.Status.REPAIR else _("Send to repair"))
