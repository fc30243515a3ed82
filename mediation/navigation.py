"""The "Tickets" section's tabs, by role: read from the roles cached for the request (no
query beyond the prescriber's seat, read once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mediation import permissions
from members import permissions as member_permissions


@dataclass(frozen=True)
class Tab:
    key: str
    label: Any  # a lazy translation
    url: str


def tickets_tabs(user: Any) -> list[Tab]:
    """Include `mediation/includes/tickets_nav.html` with `tabs` and `current` (a key)."""
    tabs = [Tab("index", _("Overview"), reverse("tickets:index"))]
    if permissions.is_prescriber(user):
        tabs.append(Tab("issue", _("Issue a voucher"), reverse("tickets:issue")))
    if member_permissions.is_approved(user) and (
        permissions.attached_venue_ids(user) or permissions.can_manage_any_programme(user)
    ):
        tabs.append(Tab("enter", _("Record a module"), reverse("tickets:enter")))
    tabs.append(Tab("list", _("Vouchers"), reverse("tickets:list")))
    if permissions.can_manage_any_programme(user):
        tabs += [
            Tab("programmes", _("Programmes"), reverse("tickets:programmes")),
            Tab("organisations", _("Prescribers"), reverse("tickets:organisations")),
            Tab("settlements", _("Statements"), reverse("tickets:settlements")),
        ]
    elif member_permissions.is_approved(user) and permissions.attached_venue_ids(user):
        tabs.append(Tab("settlements", _("Statements"), reverse("tickets:settlements")))
    return tabs
