"""Reads of reservations scoped to a user: one reservation (404 when not theirs to see), their
reservations by period, the loans a manager has to handle; each a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lending import permissions
from lending.models import Item, Kit, Reservation
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from directory.models import Venue
    from workshops.models import Session

Status = Reservation.Status
# How far ahead "to hand over soon" looks.
HAND_OVER_DAYS = 7
NOT_STARTED = (Status.PENDING, Status.OFFERED, Status.WAITING, Status.APPROVED)

_RELATED = ("item", "kit", "venue", "requester", "item__owner_venue", "kit__owner_venue", "session",
            "session__workshop")


def _rows() -> QuerySet[Reservation]:
    return Reservation.objects.select_related(*_RELATED)


def reservation_get_for_user(user: AnyUser, pk: int) -> Reservation:
    """The reservation `pk`, or Http404 unless `user` may see it."""
    reservation = (_rows().select_related("decided_by", "cancelled_by", "handed_over_by", "returned_by")
                   .filter(pk=pk).first())
    if reservation is None or not permissions.can_view_reservation(user, reservation):
        raise Http404("No such reservation.")
    return reservation


def reservable_item(user: AnyUser, pk: int) -> Item:
    """The item to reserve: Http404 when missing, or retired and `user` is not its manager."""
    item = Item.objects.select_related("category", "owner_venue", "home_venue").filter(pk=pk).first()
    if item is None or (item.status == Item.Status.RETIRED and not permissions.is_manager(user, item)):
        raise Http404("No such item.")
    return item


def reservable_kit(user: AnyUser, pk: int) -> Kit:
    """The kit to reserve (with its items): Http404 when missing, or inactive and `user` is not its manager."""
    kit = Kit.objects.select_related("owner_venue").prefetch_related("items").filter(pk=pk).first()
    if kit is None or (not kit.is_active and not permissions.is_manager(user, kit)):
        raise Http404("No such kit.")
    return kit


def borrowing_venues(user: AnyUser) -> QuerySet[Venue]:
    """The venues `user` may borrow for, by name."""
    from directory.models import Venue

    where = permissions.borrowing_venues_q(user)
    venues = Venue.objects.all() if where is None else Venue.objects.filter(where)
    return venues.only("pk", "name", "city", "territory_id").order_by("name", "pk")


def linkable_sessions(user: AnyUser, today: date | None = None) -> QuerySet[Session]:
    """The upcoming scheduled sessions a loan may be for: at a venue `user` borrows for (their
    own venues for the coordinators) or that they lead."""
    from django.conf import settings

    from workshops.models import Session, Workshop

    today = today or timezone.localdate()
    where = permissions.borrowing_venues_q(user)
    if where is None:
        venues = Q(venue_id__in=permissions.own_venues(user))
    else:
        from directory.models import Venue

        venues = Q(venue__in=Venue.objects.filter(where).values("pk"))
    user_id = getattr(user, "pk", None)
    mine = Q(pk__in=Session.objects.filter(animators=user_id).values("pk")) if user_id else Q(pk__in=[])
    return (Session.objects.filter(venues | mine, status=Session.Status.SCHEDULED,
                                   end__gte=timezone.now(),
                                   start__lte=timezone.now() + timedelta(days=settings.LENDING_MAX_ADVANCE_DAYS))
            .exclude(workshop__status=Workshop.Status.CANCELLED)
            .select_related("workshop", "venue").order_by("start", "pk"))


# --- My reservations -----------------------------------------------------------------------


def _mine(user: AnyUser) -> QuerySet[Reservation]:
    user_id = getattr(user, "pk", None)
    if not member_permissions.is_approved(user):
        return Reservation.objects.none()
    return _rows().filter(Q(requester_id=user_id) | Q(venue_id__in=permissions.own_venues(user)))


def my_reservations(user: AnyUser, today: date | None = None) -> dict[str, QuerySet[Reservation]]:
    """`user`'s reservations and their venues': "current" (handed over, or due now),
    "upcoming" (not started yet), "past" (over: returned, refused, cancelled, expired, or
    never picked up)."""
    today = today or timezone.localdate()
    rows = _mine(user)
    current = Q(status=Status.OUT) | Q(status__in=NOT_STARTED, pickup_date__lte=today, return_date__gte=today)
    upcoming = Q(status__in=NOT_STARTED, pickup_date__gt=today)
    return {
        "current": rows.filter(current).order_by("return_date", "pk"),
        "upcoming": rows.filter(upcoming).order_by("pickup_date", "pk"),
        "past": rows.exclude(current).exclude(upcoming).order_by("-return_date", "-pk"),
    }


# --- Loans to manage -----------------------------------------------------------------------


def managed(user: AnyUser) -> QuerySet[Reservation]:
    """The reservations of the equipment `user` manages."""
    if not permissions.manages_any(user):
        return Reservation.objects.none()
    if member_permissions.is_coordinator(user):
        return _rows()
    return _rows().filter((Q(item__isnull=False) & permissions.managed_q(user, "item__"))
                          | (Q(kit__isnull=False) & permissions.managed_q(user, "kit__")))


def loans_to_manage(user: AnyUser, today: date | None = None) -> dict[str, Any]:
    """The manager's lists: "pending" (to decide, oldest pick-up first), "waiting" (the waiting
    lists and the offers made, by pick-up then order), "hand_over" (approved, pick-up within
    HAND_OVER_DAYS or passed), "out" (handed over, the overdue first)."""
    today = today or timezone.localdate()
    rows = managed(user)
    return {
        "pending": rows.filter(status=Status.PENDING).order_by("pickup_date", "created_at", "pk"),
        "waiting": rows.filter(status__in=(Status.WAITING, Status.OFFERED))
        .order_by("pickup_date", "waiting_since", "pk"),
        "hand_over": rows.filter(status=Status.APPROVED, pickup_date__lte=today + timedelta(days=HAND_OVER_DAYS))
        .order_by("pickup_date", "pk"),
        "out": rows.filter(status=Status.OUT).order_by("return_date", "pk"),
    }
