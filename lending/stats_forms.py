"""The statistics page's filters: a period (a preset, or two dates) and, for whoever manages
the equipment of several owners, an owner. No syntax to learn: a list and two date fields.

The two date fields show the dates of the period shown, and the form carries them again in
hidden fields: dates changed by hand win over the list (no script needed to tell which one
the person touched); dates left as they were follow the list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DEFAULT = "12m"
DATES = "dates"
CENTRE = "centre"
PRESETS: list[tuple[str, Any]] = [
    ("12m", _("The last 12 months")),
    ("year", _("This year")),
    ("last-year", _("Last year")),
    ("quarter", _("This quarter")),
    ("last-quarter", _("Last quarter")),
    (DATES, _("Between the two dates below")),
]
# The earliest and latest days one may ask about.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def preset_range(key: str, today: date) -> tuple[date, date]:
    """The first and last days (included) of a preset."""
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    if key == "year":
        return date(today.year, 1, 1), today
    if key == "last-year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if key == "quarter":
        return quarter_start, today
    if key == "last-quarter":
        last = quarter_start - timedelta(days=1)
        return date(last.year, (last.month - 1) // 3 * 3 + 1, 1), last
    # The last 12 months: the same day a year ago (the 28th for a 29 February) to today.
    try:
        a_year_ago = today.replace(year=today.year - 1)
    except ValueError:
        a_year_ago = today.replace(year=today.year - 1, day=28)
    return a_year_ago + timedelta(days=1), today


@dataclass(frozen=True)
class Choice:
    """What the filters chose: a preset (or DATES), its first and last days, an owner ("":
    all, CENTRE: the resource centre's, else a venue's id)."""

    preset: str
    start: date
    end: date
    owner: str = ""

    def query(self) -> dict[str, str]:
        """As the page's links write it (the shortest: a preset's dates are not written)."""
        query = {"periode": self.preset}
        if self.preset == DATES:
            query.update(du=self.start.isoformat(), au=self.end.isoformat())
        if self.owner:
            query["proprietaire"] = self.owner
        return query

    def owner_q(self) -> Q | None:
        """A filter on Item for the owner chosen (None: all)."""
        if not self.owner:
            return None
        if self.owner == CENTRE:
            return Q(owner_venue__isnull=True)
        return Q(owner_venue_id=int(self.owner))

    def form_data(self) -> dict[str, str]:
        days = {"du": self.start.isoformat(), "au": self.end.isoformat()}
        return {"periode": self.preset, **days, "du0": days["du"], "au0": days["au"], "proprietaire": self.owner}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatsFilterForm(forms.Form):
    periode = forms.ChoiceField(label=pgettext_lazy("equipment statistics", "Period"), choices=PRESETS,
                                required=False)
    du = forms.DateField(label=pgettext_lazy("equipment statistics", "From"), required=False, widget=_date_input())
    au = forms.DateField(label=pgettext_lazy("equipment statistics", "To (included)"), required=False,
                         widget=_date_input())
    du0 = forms.DateField(required=False, widget=forms.HiddenInput)
    au0 = forms.DateField(required=False, widget=forms.HiddenInput)
    proprietaire = forms.ChoiceField(label=_("Owner"), required=False)

    def __init__(self, *args: Any, today: date, owners: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        """`owners`: the owners one may choose ((value, name)); None or fewer than two: no owner field."""
        super().__init__(*args, **kwargs)
        self.today = today
        if owners is not None and len(owners) > 1:
            field = self.fields["proprietaire"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("Every owner")), *owners]
        else:
            del self.fields["proprietaire"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        preset = data.get("periode") or DEFAULT
        first, last = data.get("du"), data.get("au")
        edited = (first, last) != (data.get("du0"), data.get("au0")) and (first or last)
        if preset == DATES or edited:
            if first is None or last is None:
                self.add_error("du" if first is None else "au",
                               _("Give both dates, or choose a period in the list."))
                return data
            if last < first:
                self.add_error("au", _("The last day comes before the first."))
                return data
            if first < FIRST_DAY or last > LAST_DAY:
                self.add_error("du" if first < FIRST_DAY else "au",
                               _("Choose days between 2000 and 2100."))
                return data
            data["choice"] = Choice(DATES, first, last, data.get("proprietaire") or "")
        else:
            start, end = preset_range(preset, self.today)
            data["choice"] = Choice(preset, start, end, data.get("proprietaire") or "")
        return data

    def choice(self) -> Choice:
        """What the filters chose; the last 12 months, for everyone's equipment, when the
        form is not filled or has errors."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["choice"]  # type: ignore[no-any-return]
        start, end = preset_range(DEFAULT, self.today)
        return Choice(DEFAULT, start, end)

    @property
    def error_summary(self) -> list[tuple[str | None, str | None, str]]:
        """[(anchor id, label, message)] for the summary above the form."""
        items: list[tuple[str | None, str | None, str]] = [(None, None, str(m)) for m in self.non_field_errors()]
        for name in self.fields:
            if name in self.errors:
                bound = self[name]
                for message in self.errors[name]:
                    items.append((bound.id_for_label or bound.auto_id, capfirst(str(bound.label)), str(message)))
        return items
