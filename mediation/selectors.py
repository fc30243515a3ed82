"""Shared reads of vouchers and programmes: what each person may see, in a fixed number of
queries. Each slice's own lists live in its module; these are the ones several share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from mediation import permissions
from mediation.models import Organisation, Programme, Voucher, VoucherUse
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from directory.models import Venue


def managed_programmes(user: AnyUser) -> QuerySet[Programme]:
    """The programmes `user` runs (coordinators: all; local admins: their territories')."""
    if not member_permissions.is_approved(user):
        return Programme.objects.none()
    territories = permissions.managed_territory_ids(user)
    if territories is None:
        return Programme.objects.all()
    return Programme.objects.filter(territory_id__in=territories)


def managed_organisations(user: AnyUser) -> QuerySet[Organisation]:
    if not member_permissions.is_approved(user):
        return Organisation.objects.none()
    territories = permissions.managed_territory_ids(user)
    if territories is None:
        return Organisation.objects.all()
    return Organisation.objects.filter(territory_id__in=territories)


def visible_vouchers(user: AnyUser) -> QuerySet[Voucher]:
    """Every voucher `user` may open (and read the beneficiary data of): their organisation's
    (prescriber), their programmes' (managers), those their venues served (animators).
    One query when evaluated, whatever the roles."""
    condition = Q(pk__in=[])
    organisation_id = permissions.prescriber_organisation_id(user)
    if organisation_id is not None:
        condition |= Q(organisation_id=organisation_id)
    if member_permissions.is_approved(user):
        territories = permissions.managed_territory_ids(user)
        if territories is None:
            condition |= Q(pk__isnull=False)
        elif territories:
            condition |= Q(programme__territory_id__in=territories)
        venues = permissions.attached_venue_ids(user)
        if venues:
            condition |= Q(Exists(VoucherUse.objects.filter(voucher=OuterRef("pk"), venue_id__in=venues)))
    return Voucher.objects.filter(condition)


def voucher_get_for_user(user: AnyUser, pk: int) -> Voucher:
    """The voucher, with its programme and organisation; 404 when `user` may not see it
    (another organisation's voucher reads as missing)."""
    voucher = (
        visible_vouchers(user).select_related("programme", "organisation", "programme__territory")
        .filter(pk=pk).first()
    )
    if voucher is None:
        raise Http404
    return voucher


def my_participating_venues(user: AnyUser) -> QuerySet[Venue]:
    """The venues `user` works in that take part in an active programme."""
    from directory.models import Venue

    venues = permissions.attached_venue_ids(user)
    if not venues:
        return Venue.objects.none()
    return Venue.objects.filter(pk__in=venues, voucher_programmes__is_active=True).distinct().order_by("name")
