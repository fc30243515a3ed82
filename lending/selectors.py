"""Reads of the equipment catalogue scoped to a user, in a fixed number of queries.

- Everybody who browses sees the items in service or in repair; a retired item (an inactive
  kit) is seen only by its managers, and reads as missing (404) for the others.
- `catalogue` filters by text, category, owner, territory and "free from … to …"
  (`availability.unavailable_item_ids`: a fixed number of queries whatever the number of
  items and past loans).
- `current_loans` says where the items out on loan are and until when; `month_grid` and
  `kit_calendar` give the availability calendar of an item or a kit.
"""

from __future__ import annotations

import calendar as pycalendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from lending import availability, permissions
from lending.models import Booking, Item, ItemPhoto, Kit, Reservation

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from directory.models import Venue
    from lending.models import Category
    from members.models import Territory

# The owner filter's value for the resource centre's equipment (no owner venue).
RESOURCE_CENTRE = "centre"


def visible_items_q(user: AnyUser, prefix: str = "") -> Q:
    """Filter on Item (or through `prefix`, e.g. "items__"): what `user` may see, i.e. every
    item not retired, and the retired ones `user` manages."""
    retired = Q(**{f"{prefix}status": Item.Status.RETIRED})
    return ~retired | (retired & permissions.managed_q(user, prefix))


def visible_kits_q(user: AnyUser) -> Q:
    """Filter on Kit: the active kits, and the inactive ones `user` manages."""
    return Q(is_active=True) | (Q(is_active=False) & permissions.managed_q(user))


def item_get_for_user(user: AnyUser, pk: int) -> Item:
    """The item with its category, owner and home venue; 404 when missing, or retired and
    `user` is not one of its managers."""
    item = (Item.objects.select_related("category", "owner_venue", "home_venue")
            .filter(pk=pk).first())
    if item is None or not permissions.can_browse(user):
        raise Http404
    if item.status == Item.Status.RETIRED and not permissions.is_manager(user, item):
        raise Http404
    return item


def kit_get_for_user(user: AnyUser, pk: int) -> Kit:
    """The kit with its owner; 404 when missing, or inactive and `user` is not one of its managers."""
    kit = Kit.objects.select_related("owner_venue").filter(pk=pk).first()
    if kit is None or not permissions.can_browse(user):
        raise Http404
    if not kit.is_active and not permissions.is_manager(user, kit):
        raise Http404
    return kit


def catalogue_q(user: AnyUser, *, q: str = "", category: Category | int | None = None,
                owner: Venue | int | str | None = None,
                territory: Territory | int | None = None) -> Q:
    """The filter on Item of the catalogue's search (without the dates)."""
    if not permissions.can_browse(user):
        return Q(pk__in=[])
    condition = visible_items_q(user)
    text = " ".join((q or "").split())
    if text:
        condition &= (Q(name__icontains=text) | Q(inventory_number__icontains=text)
                      | Q(description__icontains=text))
    if category is not None:
        condition &= Q(category=category)
    if owner == RESOURCE_CENTRE:
        condition &= Q(owner_venue__isnull=True)
    elif owner is not None and owner != "":
        condition &= Q(owner_venue=owner)
    if territory is not None:
        condition &= Q(home_venue__territory=territory) | Q(owner_venue__territory=territory)
    return condition


def catalogue(user: AnyUser, *, q: str = "", category: Category | int | None = None,
              owner: Venue | int | str | None = None, territory: Territory | int | None = None,
              available: tuple[date, date] | None = None) -> QuerySet[Item]:
    """The items `user` may see matching the filters, by name, with their category, owner,
    home venue and photos (prefetched). `available` = (pickup, return_date): only the items
    free for a loan on those days (buffers included, in service). `owner` is a venue (or its
    id) or `RESOURCE_CENTRE`. A fixed number of queries whatever the data."""
    condition = catalogue_q(user, q=q, category=category, owner=owner, territory=territory)
    items = Item.objects.filter(condition)
    if available is not None:
        taken = unavailable_among(condition, available)
        items = items.exclude(pk__in=taken)
    return with_display(items)


def unavailable_among(condition: Q, period: tuple[date, date]) -> set[int]:
    """Ids of the items matching `condition` that cannot be lent from `period[0]` to
    `period[1]` (booked around then, in repair, retired); two queries."""
    return availability.unavailable_item_ids(period[0], period[1], items=condition)


def with_display(items: QuerySet[Item]) -> QuerySet[Item]:
    """What a card of the catalogue shows: category, owner, home venue, photos."""
    return (items.select_related("category", "owner_venue", "home_venue")
            .prefetch_related(Prefetch("photos", queryset=ItemPhoto.objects.filter(is_image=True).order_by("pk"),
                                       to_attr="images"))
            .order_by("name", "pk"))


def current_loans(item_ids: Iterable[int]) -> dict[int, Reservation]:
    """For each of `item_ids` out on loan now, its reservation (with the borrowing venue and
    the return date expected); items not in the result are at their home venue. One query.
    (`availability.item_locations` gives the venue only.)"""
    ids = list(item_ids)
    if not ids:
        return {}
    rows = (Booking.objects.filter(item_id__in=ids, reservation__status=Reservation.Status.OUT)
            .select_related("reservation__venue"))
    return {booking.item_id: booking.reservation for booking in rows}


def upcoming_reservations(items: Sequence[Item], today: date, limit: int = 10) -> list[Reservation]:
    """The next reservations holding some of `items`' days, not yet over, earliest first,
    with the borrowing venue, the requester and the kit; one query."""
    if not items:
        return []
    return list(Reservation.objects.filter(bookings__item__in=[i.pk for i in items], bookings__holds=True,
                                            status__in=Reservation.HOLDING, return_date__gte=today)
                .select_related("venue", "requester", "kit", "item").distinct()
                .order_by("pickup_date", "pk")[:limit])


def kits_of(item: Item, user: AnyUser) -> list[Kit]:
    """The kits `item` belongs to that `user` may see; one query."""
    return list(item.kits.filter(visible_kits_q(user)).select_related("owner_venue").order_by("name", "pk"))


def kits_for(user: AnyUser) -> QuerySet[Kit]:
    """The kits `user` may see, by name, with their owner and items (prefetched, visible ones),
    and `unbookable_count`: how many of ALL their items (hidden retired ones included) are not
    in service (a kit is lent only when every item is)."""
    if not permissions.can_browse(user):
        return Kit.objects.none()
    items = Item.objects.filter(visible_items_q(user)).select_related("home_venue").order_by("name", "pk")
    unbookable = (Item.objects.filter(kits=OuterRef("pk")).exclude(status=Item.Status.AVAILABLE).order_by()
                  .values("kits").annotate(count=Count("pk")).values("count"))
    return (Kit.objects.filter(visible_kits_q(user)).select_related("owner_venue")
            .annotate(unbookable_count=Coalesce(Subquery(unbookable), 0))
            .prefetch_related(Prefetch("items", queryset=items, to_attr="members"))
            .order_by("name", "pk"))


def kit_items(kit: Kit) -> list[Item]:
    """Every item of `kit` (retired ones included: the kit is lent only when all are in service)."""
    return list(kit.items.select_related("category", "owner_venue", "home_venue").order_by("name", "pk"))


def kit_calendar(items: Sequence[Item], first: date, last: date) -> dict[date, availability.Busy]:
    """The merged calendar of several items (a kit): a day is busy when any item is, lent
    rather than kept free for transport when both; one query."""
    days: dict[date, availability.Busy] = {}
    if not items:
        return days
    rows = (Booking.objects.filter(item_id__in=[i.pk for i in items], holds=True, blocked_start__lte=last,
                                   blocked_end__gt=first)
            .values_list("reservation_id", "blocked_start", "blocked_end", "reservation__pickup_date",
                         "reservation__return_date"))
    for reservation_id, start, end, pickup, return_date in rows:
        day = max(start, first)
        while day < end and day <= last:
            kind = "loan" if pickup <= day <= return_date else "buffer"
            if kind == "loan" or day not in days:
                days[day] = availability.Busy(kind, reservation_id)
            day += timedelta(days=1)
    return days


# --- The month grid ------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    state: str  # "free", "loan", "buffer"
    is_today: bool
    is_past: bool


@dataclass(frozen=True)
class Month:
    first: date
    last: date
    weeks: list[list[Day | None]]  # Monday first; None outside the month
    previous: date
    next: date


def parse_month(value: str | None, today: date) -> date:
    """The first day of the month `value` ("YYYY-MM", 2000 to 2100: a month's end and the next
    month stay dates); this month when missing or wrong."""
    if value:
        try:
            year, month = (int(part) for part in value.split("-"))
            if 2000 <= year <= 2100 and 1 <= month <= 12 and len(value) == 7:
                return date(year, month, 1)
        except ValueError:
            pass
    return today.replace(day=1)


def month_bounds(first: date) -> tuple[date, date]:
    return first, first.replace(day=pycalendar.monthrange(first.year, first.month)[1])


def month_grid(first: date, busy: dict[date, availability.Busy], today: date) -> Month:
    """The weeks of the month starting `first`, each day free, lent or kept free for transport."""
    _first, last = month_bounds(first)
    weeks: list[list[Day | None]] = []
    week: list[Day | None] = [None] * first.weekday()
    day = first
    while day <= last:
        state = busy[day].kind if day in busy else "free"
        week.append(Day(day, state, day == today, day < today))
        if len(week) == 7:
            weeks.append(week)
            week = []
        day += timedelta(days=1)
    if week:
        weeks.append(week + [None] * (7 - len(week)))
    previous = (first - timedelta(days=1)).replace(day=1)
    return Month(first, last, weeks, previous, last + timedelta(days=1))
