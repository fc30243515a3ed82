"""The form that shares a report: for whom, which scope (among those the member may share) and
which period. It reads the report's own query string (`?portee=&periode=&annee=&numero=`),
so that "Share this report" opens it filled in; `shares.py` decides who may share what."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from directory.models import Venue
from mediation.scopes import PERIOD_KINDS, Period, Scope
from mediation.shares import LABEL_MAX
from members import permissions as member_permissions
from members.models import Territory

PERIOD_CHOICES = [
    ("month", _("Month")), ("quarter", _("Quarter")), ("semester", _("Semester")), ("year", _("Year")),
]
assert [key for key, _label in PERIOD_CHOICES] == list(PERIOD_KINDS)


def shareable_scopes(user: Any) -> dict[str, Scope]:
    """The scopes `user` may share, by key, in the order of the list: the network and every
    territory and venue for a coordinator; a local admin's territories and their venues."""
    scopes: dict[str, Scope] = {}
    territories = Territory.objects.order_by("name")
    venues = Venue.objects.order_by("name").only("pk", "name", "territory_id")
    if member_permissions.is_coordinator(user):
        scopes["reseau"] = Scope.network()
    else:
        ids = member_permissions.referent_territory_ids(user)
        territories = territories.filter(pk__in=ids)
        venues = venues.filter(territory_id__in=ids)
    for territory in territories:
        scope = Scope.of_territory(territory)
        scopes[scope.key] = scope
    for venue in venues:
        scope = Scope.of_venue(venue)
        scopes[scope.key] = scope
    return scopes


class ShareForm(forms.Form):
    label = forms.CharField(
        label=_("For whom"), max_length=LABEL_MAX,
        help_text=_("Who will read this report, e.g. “CAF du Lot, semester report”. "
                    "Only you and the coordination see it."),
    )
    portee = forms.ChoiceField(label=_("Scope"), choices=())
    periode = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, initial="semester")
    annee = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    numero = forms.IntegerField(
        label=_("Number"), min_value=1, max_value=12, initial=1,
        help_text=_("The month (1 to 12), quarter (1 to 4) or semester (1 or 2); 1 for a year."),
    )

    def __init__(self, *args: Any, scopes: dict[str, Scope], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes = scopes
        network = [(key, scope.name) for key, scope in scopes.items() if scope.kind == "network"]
        territories = [(key, scope.name) for key, scope in scopes.items() if scope.kind == "territory"]
        venues = [(key, scope.name) for key, scope in scopes.items() if scope.kind == "venue"]
        choices: list[Any] = [*network]
        if territories:
            choices.append((_("Territories"), territories))
        if venues:
            choices.append((_("Venues"), venues))
        self.fields["portee"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("periode") and data.get("annee") and data.get("numero"):
            try:
                data["period"] = Period(data["periode"], data["annee"], data["numero"])
            except ValueError:
                self.add_error("numero", _("This number does not exist for this period."))
        if data.get("portee") in self.scopes:
            data["scope"] = self.scopes[data["portee"]]
        return data
