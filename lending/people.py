"""Whom to tell: the managers of some equipment (requests, returns, overdue loans) and the
people of a borrowing venue. One query each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from members import permissions as member_permissions

if TYPE_CHECKING:
    from directory.models import Venue
    from lending.models import Reservation
    from members.models import User


def managers_of(owner_venue: Venue | None) -> QuerySet[User]:
    """The approved, active managers of `owner_venue`'s equipment (None: the resource
    centre's: the coordinators): the venue's animators and its territory's local admins."""
    if owner_venue is None:
        return member_permissions.coordinators()
    who = Q(venues=owner_venue)
    if owner_venue.territory_id is not None:
        who |= Q(referent_territories=owner_venue.territory_id)
    return member_permissions.approved_members().filter(who).distinct()


def borrowers_of(reservation: Reservation) -> QuerySet[User]:
    """Who hears about a reservation on the borrowing side: its requester (when still an
    approved member) and the borrowing venue's animators."""
    return member_permissions.approved_members().filter(
        Q(pk=reservation.requester_id) | Q(venues=reservation.venue_id)).distinct()
