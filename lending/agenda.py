"""The calendar source of equipment loans: what a member has on their agenda (month, week and
list views) and in their "Mon agenda" feed (`calendar_app.registry`).

A member sees, as an all-day item from the pick-up date to the return date (both included:
the item's end is the midnight after the return date, exclusive, as the registry wants
all-day items), the reservations that hold their days (pending, offered, approved, handed
over):
- those they asked for, and those of the venues they work in (the borrowing side, as
  `people.borrowers_of` tells them);
- the loans of the equipment they manage (`permissions.managed_q`: a venue's people its
  equipment, the coordinators all of it).
A request still awaiting approval reads "(en attente)", a slot offered from the waiting
list "(créneau proposé)", a loan not returned by its return date "(en retard)" (its planned
dates are kept).

`items` costs one query whatever the data, `version` one aggregate (plus the member's roles,
read once per request: `core.roles`).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calendar_app import registry
from core import roles
from lending import permissions
from lending.models import Reservation
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from members.models import User

Status = Reservation.Status
HOLDING = [str(status) for status in Reservation.HOLDING]

BORROWED, LENT = "borrowed", "lent"
COLORS = {BORROWED: "orange", LENT: "brown"}


def _labels() -> dict[str, str]:
    return {BORROWED: _("Equipment · borrowed"), LENT: _("Equipment · lent")}


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def concerning(user: AnyUser) -> Q:
    """Filter on Reservation: asked by `user`, for one of their venues, or of equipment they
    manage (every reservation for those who manage all the equipment)."""
    managed_items = permissions.managed_q(user, "item__")
    if not managed_items:  # Q(): manages every piece of equipment
        return Q()
    return (Q(requester_id=getattr(user, "pk", None)) | Q(venue_id__in=permissions.own_venues(user))
            | managed_items | permissions.managed_q(user, "kit__"))


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Start and exclusive end of an all-day item from `first` to `last` included."""
    zone = _zone()
    return datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone)


def reservations_for(user: AnyUser, start: datetime, end: datetime) -> list[Reservation]:
    """The holding reservations of `user`'s agenda overlapping [start, end) (one query)."""
    zone = _zone()
    # Wide in SQL (whole days), exact in Python.
    rows = (
        Reservation.objects.filter(concerning(user), status__in=HOLDING,
                                   pickup_date__lte=end.astimezone(zone).date(),
                                   return_date__gte=start.astimezone(zone).date() - timedelta(days=1))
        .select_related("item", "kit", "venue", "item__home_venue", "kit__owner_venue")
        .annotate(borrowed=Exists(permissions.own_venues(user).filter(pk=OuterRef("venue_id"))))
        .order_by("pickup_date", "pk")
    )
    found: list[Reservation] = []
    for reservation in rows:
        first, after = bounds(reservation.pickup_date, reservation.return_date)
        if first < end and after > start:
            found.append(reservation)
    return found


def title_of(reservation: Reservation, today: date) -> str:
    title = _("Loan: %(thing)s for %(venue)s") % {"thing": reservation.subject.name,
                                                    "venue": reservation.venue.name}
    if reservation.status == Status.PENDING:
        return _("%(title)s (awaiting approval)") % {"title": title}
    if reservation.status == Status.OFFERED:
        return _("%(title)s (slot offered)") % {"title": title}
    if reservation.is_overdue(today):
        return _("%(title)s (overdue)") % {"title": title}
    return title


def location_of(reservation: Reservation) -> str:
    """Where it is picked up: the item's home venue (the resource centre when empty); for a
    kit, its owner's."""
    if reservation.item_id is not None and reservation.item is not None:
        place = reservation.item.home_venue
    else:
        place = reservation.kit.owner_venue if reservation.kit is not None else None
    return place.name if place is not None else _("Resource centre")


def items(user: AnyUser, start: datetime, end: datetime) -> list[registry.Item]:
    """`user`'s loans in [start, end), one all-day item each (one query)."""
    if not member_permissions.is_approved(user):
        return []
    with roles.scope():  # the member's roles read once, also outside a request
        return _items(user, start, end)


def _items(user: User, start: datetime, end: datetime) -> list[registry.Item]:
    labels = _labels()
    today = timezone.localdate()
    found = []
    for reservation in reservations_for(user, start, end):
        why = BORROWED if reservation.requester_id == user.pk or getattr(reservation, "borrowed", False) else LENT
        first, after = bounds(reservation.pickup_date, reservation.return_date)
        description = "\n".join(part for part in (str(reservation.get_status_display()), reservation.purpose)
                                if part)
        found.append(registry.Item(
            key=f"lending-reservation-{reservation.pk}",
            title=title_of(reservation, today),
            start=first,
            end=after,
            all_day=True,
            url=reservation.get_absolute_url(),
            source="lending",
            calendar_label=labels[why],
            color=COLORS[why],
            location=location_of(reservation),
            uid=f"lending-reservation-{reservation.pk}",
            updated=reservation.updated_at,
            description=description,
            extra={"reservation": reservation, "why": why},
        ))
    return found


def version(user: AnyUser) -> str:
    """Changes whenever `items` would (one aggregate): a reservation of the member's agenda
    added, answered, handed over, returned, cancelled, its dates changed or its item renamed;
    the member's venues and territories; and each day (a loan becomes overdue)."""
    if not member_permissions.is_approved(user):
        return "-"
    with roles.scope():
        where = concerning(user)
    found = Reservation.objects.filter(where, status__in=HOLDING).aggregate(
        count=Count("pk"),
        last=Max("pk"),
        updated=Max("updated_at"),
        first_pickup=Min("pickup_date"),
        last_return=Max("return_date"),
        items=Max("item__updated_at"),
        **{status: Count("pk", filter=Q(status=status)) for status in HOLDING},
    )
    found["today"] = timezone.localdate()
    text = "|".join(f"{key}={found[key]}" for key in sorted(found))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


registry.register_source(registry.Source(key="lending", label=gettext_lazy("Equipment loans"), items=items,
                                         version=version, order=60))
