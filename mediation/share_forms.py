"""The form that shares a report: for whom, which scope (among those the member may share) and
which period (one select of real periods, `periode=semester-2026-1`). It reads the report's
own query string (`?perimetre=&periode=`, or the older `?portee=&periode=semester&annee=&numero=`),
so that "Share this report" opens it filled in; `shares.py` decides who may share what."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from directory.models import Venue
from mediation.scopes import Period, Scope, period_choices
from mediation.shares import LABEL_MAX
from members import permissions as member_permissions
from members.models import Territory


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
    periode = forms.CharField(label=_("Period"), widget=forms.Select)

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
        # The older query and posts name the period in three fields: read them as one.
        today = timezone.localdate()
        if self.is_bound and self.data.get("annee") is not None:
            data = self.data.copy()  # type: ignore[attr-defined]
            data["periode"] = "-".join(str(self.data.get(name) or "") for name in ("periode", "annee", "numero"))
            self.data = data
        if "annee" in self.initial:
            self.initial["periode"] = Period.from_query(self.initial, today).key
        chosen = Period.from_key(self.data.get("periode") if self.is_bound else self.initial.get("periode"))
        self.fields["periode"].widget.choices = period_choices(today, chosen)  # type: ignore[attr-defined]
        if not self.is_bound and chosen is None:
            self.initial["periode"] = Period.containing("semester", today).key

    def clean_periode(self) -> str:
        key = self.cleaned_data["periode"]
        if Period.from_key(key) is None:
            raise forms.ValidationError(_("Choose a period in the list."))
        return str(key)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        period = Period.from_key(data.get("periode"))
        if period is not None:
            data["period"] = period
        if data.get("portee") in self.scopes:
            data["scope"] = self.scopes[data["portee"]]
        return data
