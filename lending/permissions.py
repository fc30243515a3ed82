"""Every rule of equipment lending, one function each.

Who is who:
- an item's (or a kit's) **managers**: for the resource centre's equipment (no owner venue)
  the coordinators; for a venue's, those who keep the venue's record (its animators, the
  local admins of its territory, the coordinators: `members.permissions.can_edit_venue`).
  They edit it, approve or refuse requests, hand it over, take it back, send it to repair.
- a **borrower** is an approved member asking for a venue they may act for (the same rule:
  their venues; a local admin their territory's; a coordinator any).
- a reservation is seen by its requester, the borrowing venue's people and the managers of
  its item or kit. Anything else reads as missing (404).
- every approved member browses the catalogue; the usage statistics are for coordinators and
  local admins (their territory's venues' equipment), and managers for their own equipment.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import ALLOWED, Decision, conflict, refused
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from directory.models import Venue
    from lending.models import Item, Kit, Reservation


# --- Roles ---------------------------------------------------------------------------------


def _user_id(user: AnyUser) -> object:
    return getattr(user, "pk", None)


def can_browse(user: AnyUser) -> bool:
    """The catalogue, availability, one's reservations: approved members."""
    return member_permissions.is_approved(user)


def manages_owner(user: AnyUser, owner_venue: Venue | None) -> bool:
    """Manages the equipment of `owner_venue` (None: the resource centre's)."""
    if not member_permissions.is_approved(user):
        return False
    if owner_venue is None:
        return member_permissions.is_coordinator(user)
    return bool(member_permissions.can_edit_venue(user, owner_venue))


def is_manager(user: AnyUser, thing: Item | Kit) -> bool:
    """Manages `thing` (an item or a kit): its owner venue's people, or coordinators."""
    return manages_owner(user, thing.owner_venue)


def managed_q(user: AnyUser, prefix: str = "") -> Q:
    """Filter on Item or Kit (or through `prefix`, e.g. "item__") for the equipment `user`
    manages; the member's venues and territories are subqueries (no query of its own)."""
    if not member_permissions.is_approved(user):
        return Q(pk__in=[])
    field = f"{prefix}owner_venue"
    if member_permissions.is_coordinator(user):
        return Q()
    territories = user.referent_territories.values("pk")
    return Q(**{f"{field}__territory_id__in": territories}) | Q(**{f"{field}_id__in": own_venues(user)})


def own_venues(user: AnyUser) -> QuerySet[Any]:
    """The ids of the venues `user` works in, as a subquery (no query of its own)."""
    if not member_permissions.is_approved(user):
        from directory.models import Venue

        return Venue.objects.none().values("pk")
    return user.venues.values("pk")


def manages_any(user: AnyUser) -> bool:
    """Manages some equipment, or could add some (coordinators, local admins, animators)."""
    if not member_permissions.is_approved(user):
        return False
    return (member_permissions.is_coordinator(user) or bool(member_permissions.referent_territory_ids(user))
            or bool(member_permissions.attached_venue_ids(user)))


def borrowing_venues_q(user: AnyUser) -> Q | None:
    """Filter on Venue for the venues `user` may borrow for (None: every venue)."""
    return member_permissions.editable_venues_q(user)


def may_borrow_for(user: AnyUser, venue: Venue) -> bool:
    return member_permissions.is_approved(user) and bool(member_permissions.can_edit_venue(user, venue))


# --- Catalogue -----------------------------------------------------------------------------


def can_add_equipment(user: AnyUser, owner_venue: Venue | None) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Only members of the network may add equipment."))
    if not manages_owner(user, owner_venue):
        if owner_venue is None:
            return refused(_("Only the coordinators add the resource centre's equipment."))
        return refused(_("You may add equipment only for a venue you work in or administer."))
    return ALLOWED


def can_edit_item(user: AnyUser, item: Item | Kit) -> Decision:
    if not is_manager(user, item):
        return refused(_("Only the managers of this equipment may change it."))
    return ALLOWED


def can_manage_categories(user: AnyUser) -> Decision:
    if not (member_permissions.is_approved(user) and member_permissions.is_coordinator(user)):
        return refused(_("Only the coordinators manage the categories."))
    return ALLOWED


def can_send_to_repair(user: AnyUser, item: Item) -> Decision:
    if not is_manager(user, item):
        return refused(_("Only the managers of this equipment may send it to repair."))
    if item.status == item.Status.REPAIR:
        return conflict(_("This equipment is already in repair."))
    if item.status == item.Status.RETIRED:
        return conflict(_("This equipment is retired."))
    return ALLOWED


def can_end_repair(user: AnyUser, item: Item) -> Decision:
    if not is_manager(user, item):
        return refused(_("Only the managers of this equipment may say it is back from repair."))
    if item.status != item.Status.REPAIR:
        return conflict(_("This equipment is not in repair."))
    return ALLOWED


# --- Reservations --------------------------------------------------------------------------


def can_request(user: AnyUser, thing: Item | Kit, venue: Venue) -> Decision:
    """Ask for `thing` for `venue` (the dates are checked by the service: `availability`)."""
    from lending.models import Item

    if not member_permissions.is_approved(user):
        return refused(_("Only members of the network may borrow equipment."))
    if not may_borrow_for(user, venue):
        return refused(_("You may borrow only for a venue you work in or administer."))
    items = [thing] if isinstance(thing, Item) else list(thing.items.all())
    if not isinstance(thing, Item) and (not thing.is_active or not items):
        return conflict(_("This kit is not lent any more."))
    for item in items:
        if item.status == Item.Status.REPAIR:
            return conflict(_("« %(name)s » is in repair: it cannot be booked until it is back.") % {"name": item.name})
        if item.status == Item.Status.RETIRED:
            return conflict(_("« %(name)s » is not lent any more.") % {"name": item.name})
        if not item.may_leave_venue and item.home_venue_id != venue.pk:
            return conflict(_("« %(name)s » does not leave its venue: it can be booked only for use there.")
                            % {"name": item.name})
    return ALLOWED


def can_view_reservation(user: AnyUser, reservation: Reservation) -> bool:
    if not member_permissions.is_approved(user):
        return False
    if reservation.requester_id == _user_id(user) or member_permissions.is_coordinator(user):
        return True
    return may_borrow_for(user, reservation.venue) or is_manager(user, reservation.subject)


def can_decide(user: AnyUser, reservation: Reservation) -> Decision:
    """Approve or refuse (the overlap is checked again by the service)."""
    if not is_manager(user, reservation.subject):
        return refused(_("Only the managers of this equipment approve or refuse its loans."))
    if reservation.status not in (reservation.Status.PENDING, reservation.Status.WAITING):
        return conflict(_("This request has already been answered (%(status)s).")
                        % {"status": reservation.get_status_display()})
    return ALLOWED


def can_cancel(user: AnyUser, reservation: Reservation) -> Decision:
    Status = reservation.Status
    mine = reservation.requester_id == _user_id(user) or may_borrow_for(user, reservation.venue)
    if not (mine or is_manager(user, reservation.subject)):
        return refused(_("Only the borrower and the managers of this equipment may cancel this reservation."))
    if reservation.status == Status.OUT:
        return conflict(_("The equipment has been handed over: record its return instead."))
    if reservation.status not in (Status.PENDING, Status.OFFERED, Status.WAITING, Status.APPROVED):
        return conflict(_("This reservation is already over (%(status)s).")
                        % {"status": reservation.get_status_display()})
    return ALLOWED


def can_answer_offer(user: AnyUser, reservation: Reservation) -> Decision:
    if reservation.requester_id != _user_id(user):
        return refused(_("Only the person who asked may answer this offer."))
    if reservation.status != reservation.Status.OFFERED:
        return conflict(_("This offer is no longer open."))
    if reservation.offer_expires_at is not None and reservation.offer_expires_at <= timezone.now():
        return conflict(_("This offer has expired."))
    return ALLOWED


def can_renew(user: AnyUser, reservation: Reservation) -> Decision:
    """Ask for a later return date (the service checks nothing is booked after)."""
    from django.conf import settings

    Status = reservation.Status
    mine = reservation.requester_id == _user_id(user) or may_borrow_for(user, reservation.venue)
    if not (mine or is_manager(user, reservation.subject)):
        return refused(_("Only the borrower and the managers of this equipment may extend this loan."))
    if reservation.status not in (Status.APPROVED, Status.OUT):
        return conflict(_("Only an approved or current loan can be extended."))
    if reservation.renewals >= settings.LENDING_MAX_RENEWALS:
        return conflict(_("This loan has already been extended %(count)d times, the most allowed.")
                        % {"count": reservation.renewals})
    return ALLOWED


def can_hand_over(user: AnyUser, reservation: Reservation, today: date | None = None) -> Decision:
    """The item is already out elsewhere, or in repair: checked by the service on locked rows."""
    if not is_manager(user, reservation.subject):
        return refused(_("Only the managers of this equipment record its hand-over."))
    if reservation.status == reservation.Status.OUT:
        return conflict(_("This equipment has already been handed over."))
    if reservation.status != reservation.Status.APPROVED:
        return conflict(_("Only an approved reservation can be handed over (this one: %(status)s).")
                        % {"status": reservation.get_status_display()})
    return ALLOWED


def can_take_back(user: AnyUser, reservation: Reservation) -> Decision:
    if not is_manager(user, reservation.subject):
        return refused(_("Only the managers of this equipment record its return."))
    if reservation.status == reservation.Status.RETURNED:
        return conflict(_("This return has already been recorded."))
    if reservation.status != reservation.Status.OUT:
        return conflict(_("This equipment has not been handed over."))
    return ALLOWED


# --- History and statistics ----------------------------------------------------------------


def can_view_history(user: AnyUser, item: Item) -> bool:
    """An item's history (loans, conditions): its managers."""
    return is_manager(user, item)


def can_view_venue_history(user: AnyUser, venue: Venue) -> bool:
    """A venue's loans (borrowed, and of its equipment): those who may borrow for it (its
    animators, its territory's local admins, the coordinators)."""
    return may_borrow_for(user, venue)


def can_view_stats(user: AnyUser) -> bool:
    """Usage statistics: whoever manages equipment (each sees the equipment they manage)."""
    return manages_any(user)
