"""When equipment is free, and holding its days without ever double-booking it.

A loan from `pickup` to `return_date` (both included) keeps an item's days
[pickup - buffer_before, return_date + buffer_after + 1) (`Item.blocked_range`). A
`Booking` row holds them while its reservation is in a HOLDING status. The guarantee that
two holding bookings of one item never overlap is the database's:
- PostgreSQL: the exclusion constraint `lending_booking_no_overlap` (migration 0002,
  `btree_gist`): `EXCLUDE USING gist (item_id WITH =, daterange(blocked_start, blocked_end)
  WITH &&) WHERE (holds)`;
- SQLite: `hold` checks `conflicts` inside the transaction that writes, and SQLite's
  transactions are IMMEDIATE (settings), so two writers run one after the other.
`hold` also locks the items' rows first (in id order) on PostgreSQL, so the loser reads a
clear answer with the next free dates rather than a constraint error; the constraint is the
net.

Every function here costs a fixed number of queries whatever the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from lending.dates import period_text
from lending.models import MAX_BUFFER_DAYS, Booking, Item, Reservation

if TYPE_CHECKING:
    from directory.models import Venue

# How far `next_free` looks ahead before giving up.
HORIZON_DAYS = 366


class Unavailable(ValidationError):
    """The period is taken (or was taken meanwhile): the message says by what, `suggestions`
    holds the next free periods of the same length [(pickup, return_date)]."""

    def __init__(self, message: str, suggestions: Sequence[tuple[date, date]] = ()):
        super().__init__(message, code="unavailable")
        self.suggestions = list(suggestions)


@dataclass(frozen=True)
class Busy:
    """A day of an item's availability calendar: `kind` is "loan" or "buffer"."""

    kind: str
    reservation_id: int


def _window(pickup: date, return_date: date) -> tuple[date, date]:
    """The widest range any item's buffers can reach around a period."""
    return pickup - timedelta(days=MAX_BUFFER_DAYS), return_date + timedelta(days=MAX_BUFFER_DAYS + 1)


def conflicts(items: Sequence[Item], pickup: date, return_date: date, *,
              exclude_reservation_id: int | None = None) -> list[Booking]:
    """The holding bookings that overlap a loan of `items` from `pickup` to `return_date`
    (each item with its own buffers), oldest pick-up first; one query."""
    if not items:
        return []
    lo, hi = _window(pickup, return_date)
    rows = (Booking.objects.filter(item_id__in=[i.pk for i in items], holds=True, blocked_start__lt=hi,
                                   blocked_end__gt=lo)
            .select_related("reservation", "reservation__venue", "item").order_by("blocked_start", "pk"))
    if exclude_reservation_id is not None:
        rows = rows.exclude(reservation_id=exclude_reservation_id)
    by_id = {i.pk: i for i in items}
    found = []
    for booking in rows:
        start, end = by_id[booking.item_id].blocked_range(pickup, return_date)
        if booking.blocked_start < end and booking.blocked_end > start:
            found.append(booking)
    return found


def unavailable_item_ids(pickup: date, return_date: date, items: Q | None = None) -> set[int]:
    """Ids of the items (among those matching `items`, a filter on Item) that a loan from
    `pickup` to `return_date` would overlap, in repair or retired included; one query."""
    lo, hi = _window(pickup, return_date)
    candidates = Item.objects.filter(items) if items is not None else Item.objects.all()
    taken = set(candidates.exclude(status=Item.Status.AVAILABLE).values_list("pk", flat=True))
    rows = (Booking.objects.filter(holds=True, blocked_start__lt=hi, blocked_end__gt=lo,
                                   item__status=Item.Status.AVAILABLE)
            .values_list("item_id", "blocked_start", "blocked_end", "item__buffer_before", "item__buffer_after"))
    if items is not None:
        rows = rows.filter(item__in=candidates)
    for item_id, start, end, before, after in rows:
        mine_start = pickup - timedelta(days=before)
        mine_end = return_date + timedelta(days=after + 1)
        if start < mine_end and end > mine_start:
            taken.add(item_id)
    return taken


def next_free(items: Sequence[Item], pickup: date, return_date: date, *, count: int = 3,
              exclude_reservation_id: int | None = None) -> list[tuple[date, date]]:
    """Up to `count` periods of the same length as pickup–return, from `pickup` on, when every
    one of `items` is free (each a period starting the day the previous one's blockage ends);
    one query."""
    if not items:
        return []
    length = (return_date - pickup).days
    limit = pickup + timedelta(days=HORIZON_DAYS)
    rows = Booking.objects.filter(item_id__in=[i.pk for i in items], holds=True,
                                  blocked_end__gt=pickup - timedelta(days=MAX_BUFFER_DAYS))
    if exclude_reservation_id is not None:
        rows = rows.exclude(reservation_id=exclude_reservation_id)
    busy: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for item_id, start, end in rows.values_list("item_id", "blocked_start", "blocked_end"):
        busy[item_id].append((start, end))
    found: list[tuple[date, date]] = []
    candidate = pickup
    while len(found) < count and candidate <= limit:
        later = None
        for item in items:
            start, end = item.blocked_range(candidate, candidate + timedelta(days=length))
            for b_start, b_end in busy[item.pk]:
                if b_start < end and b_end > start:
                    # The earliest pick-up after this booking: its end plus our buffer before.
                    shift = b_end + timedelta(days=item.buffer_before)
                    later = shift if later is None else max(later, shift)
        if later is None:
            found.append((candidate, candidate + timedelta(days=length)))
            candidate = candidate + timedelta(days=length + 1)
        else:
            candidate = max(later, candidate + timedelta(days=1))
    return found


def calendar(item: Item, first: date, last: date) -> dict[date, Busy]:
    """The days from `first` to `last` (included) the item is lent or kept free around a loan; one query."""
    days: dict[date, Busy] = {}
    rows = (Booking.objects.filter(item=item, holds=True, blocked_start__lte=last, blocked_end__gt=first)
            .values_list("reservation_id", "blocked_start", "blocked_end", "reservation__pickup_date",
                         "reservation__return_date"))
    for reservation_id, start, end, pickup, return_date in rows:
        day = max(start, first)
        while day < end and day <= last:
            kind = "loan" if pickup <= day <= return_date else "buffer"
            days[day] = Busy(kind, reservation_id)
            day += timedelta(days=1)
    return days


def item_locations(item_ids: Iterable[int]) -> dict[int, Venue]:
    """Where each of `item_ids` is now when it is out on loan (the borrowing venue); items not
    in the result are at their home venue. One query."""
    rows = (Booking.objects.filter(item_id__in=list(item_ids), reservation__status=Reservation.Status.OUT)
            .select_related("reservation__venue"))
    return {b.item_id: b.reservation.venue for b in rows}


def describe(booking: Booking) -> str:
    """« Vidéoprojecteur 3 » is booked from 3 to 7 March for Médiathèque X (for refusals)."""
    reservation = booking.reservation
    return _("« %(item)s » is booked %(period)s for %(venue)s.") % {
        "item": booking.item.name,
        "period": period_text(reservation.pickup_date, reservation.return_date),
        "venue": reservation.venue.name,
    }


def unavailable(items: Sequence[Item], pickup: date, return_date: date, found: Sequence[Booking], *,
                exclude_reservation_id: int | None = None) -> Unavailable:
    """The error for a period taken by `found`, with the next free periods."""
    suggestions = next_free(items, pickup, return_date, exclude_reservation_id=exclude_reservation_id)
    message = _("No longer available for these dates.")
    if found:
        message = f"{message} {describe(found[0])}"
    return Unavailable(message, suggestions)


def lock_items(items: Sequence[Item]) -> list[Item]:
    """The items' rows, locked in id order (PostgreSQL; SQLite's IMMEDIATE transaction already
    serialises writers), read fresh (status, buffers). Call inside `transaction.atomic`."""
    ids = sorted({i.pk for i in items})
    return list(Item.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def hold(reservation: Reservation, items: Sequence[Item]) -> list[Booking]:
    """Make (or turn back on) `reservation`'s bookings of `items` for its dates, holding.

    Call inside `transaction.atomic`, with `items` from `lock_items`. Raises `Unavailable`
    (with the next free dates) when another holding booking overlaps, found by the check or,
    on PostgreSQL, by the exclusion constraint; nothing is then written."""
    found = conflicts(items, reservation.pickup_date, reservation.return_date,
                      exclude_reservation_id=reservation.pk)
    if found:
        raise unavailable(items, reservation.pickup_date, reservation.return_date, found,
                          exclude_reservation_id=reservation.pk)
    try:
        with transaction.atomic():
            made = []
            for item in items:
                start, end = item.blocked_range(reservation.pickup_date, reservation.return_date)
                booking, _created = Booking.objects.update_or_create(
                    reservation=reservation, item=item,
                    defaults={"blocked_start": start, "blocked_end": end, "holds": True})
                made.append(booking)
    except IntegrityError as error:
        # The exclusion constraint (PostgreSQL): another holder committed meanwhile.
        raise unavailable(items, reservation.pickup_date, reservation.return_date, [],
                          exclude_reservation_id=reservation.pk) from error
    return made


def release(reservation: Reservation) -> int:
    """Stop holding `reservation`'s days (cancelled, refused, expired, returned)."""
    return Booking.objects.filter(reservation=reservation, holds=True).update(holds=False)
