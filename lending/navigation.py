"""The "Équipement" section's tabs, by role (roles read once per request: no query)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lending import permissions


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any  # a lazy translation
    url: str


def lending_tabs(user: Any) -> list[Tab]:
    """Include `lending/includes/tabs.html` with `tabs` and `current` (a key)."""
    tabs = [
        Tab("catalogue", _("Catalogue"), reverse("materiel:index")),
        Tab("kits", _("Kits"), reverse("materiel:kits")),
        Tab("reservations", _("My reservations"), reverse("materiel:reservations")),
    ]
    if permissions.manages_any(user):
        tabs += [
            Tab("requests", _("Loans to manage"), reverse("materiel:requests")),
            Tab("stats", _("Statistics"), reverse("materiel:stats")),
        ]
    if permissions.can_manage_categories(user):
        tabs.append(Tab("categories", _("Categories"), reverse("materiel:categories")))
    return tabs
