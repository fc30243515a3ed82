"""Usage statistics of the lent equipment, for its managers and for the funders' reports.

What each figure counts, over a period from `start` to `end` (both included):

- A **loan** is a reservation whose equipment was handed over (`handed_over_at` set, or the
  status "handed over" or "returned"). Requests never handed over (pending, approved,
  refused, cancelled...) are not loans.
- Its **days lent** run from the day it was handed over (the pick-up date when that day was
  not recorded) to the day it came back (`returned_at`); still out, to today; otherwise
  (a return never recorded) to its return date; both days included. The buffer days kept
  around a loan for transport are not lent. In a period only the days inside it count, and
  a loan belongs to a period when one of its days lent falls in it.
- A **kit** loan counts once among the loans and once for each of its items in the item
  figures: a kit of three items lent two days is one loan, three items lent, six days lent.
  So "days lent" are days of items, and by category a kit whose items are of two
  categories counts one loan in each (the categories may add up to more loans than the
  total).
- **Requests** are the reservations made in the period (`created_at`), whatever became of
  them, per item asked for (a kit's request counts for each of its items); "refused" and
  "put on the waiting list" (`waiting_since` set) are counted apart.
- The **overdue rate**: of the loans due back in the period (their return date in it, and
  passed or the loan returned), the share that came back after their return date or are
  still out past it.
- **Borrowing venues**: the venues the loans were for.

Everything is aggregated in SQL: `usage` makes seven queries and `loan_summary` two,
whatever the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.db.models.lookups import GreaterThan, GreaterThanOrEqual, LessThanOrEqual
from django.utils import timezone

from lending.models import Booking, Item, Reservation

# How many items the "most lent" and "most requested" lists keep.
TOP = 20


class DaysBetween(Func):
    """The whole days from the second date to the first (two date expressions): an integer.
    PostgreSQL: date - date is an integer; SQLite: the difference of their Julian days."""

    arity = 2
    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)",
                           arg_joiner=") - julianday(", **extra_context)


def _day(field_name: str) -> TruncDate:
    """The local day of a moment."""
    return TruncDate(field_name, tzinfo=timezone.get_current_timezone())


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00), local time."""
    zone = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=zone),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone))


def handed_over_q(prefix: str = "reservation__") -> Q:
    Status = Reservation.Status
    return Q(**{f"{prefix}handed_over_at__isnull": False}) | Q(**{f"{prefix}status__in": [Status.OUT, Status.RETURNED]})


def _scoped(bookings: QuerySet[Booking], items_q: Q | None, borrowers_q: Q | None) -> QuerySet[Booking]:
    """`items_q` a filter on Item (the equipment counted), `borrowers_q` on Venue (the
    borrowing venues counted); None: all."""
    from directory.models import Venue

    if items_q is not None:
        bookings = bookings.filter(item__in=Item.objects.filter(items_q).values("pk"))
    if borrowers_q is not None:
        bookings = bookings.filter(reservation__venue__in=Venue.objects.filter(borrowers_q).values("pk"))
    return bookings


def lent_bookings(*, start: date, end: date, today: date | None = None, items_q: Q | None = None,
                  borrowers_q: Q | None = None) -> tuple[QuerySet[Booking], Combinable]:
    """(one row per item of each loan with days lent in [start, end], the expression of its
    days lent inside the period: aggregate it with `Sum`). See the module's docstring."""
    today = today or timezone.localdate()
    lent_from = Coalesce(_day("reservation__handed_over_at"), F("reservation__pickup_date"), output_field=DateField())
    back = Case(
        When(reservation__returned_at__isnull=False, then=_day("reservation__returned_at")),
        When(reservation__status=Reservation.Status.OUT, then=Value(today)),
        default=F("reservation__return_date"),
        output_field=DateField(),
    )
    lent_until = Greatest(back, lent_from, output_field=DateField())
    bookings = (
        Booking.objects.filter(handed_over_q())
        .filter(LessThanOrEqual(lent_from, Value(end)), GreaterThanOrEqual(lent_until, Value(start)))
        .order_by()
    )
    days = DaysBetween(Least(lent_until, Value(end), output_field=DateField()),
                       Greatest(lent_from, Value(start), output_field=DateField())) + 1
    return _scoped(bookings, items_q, borrowers_q), days


# --- The statistics page -------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRow:
    pk: int
    name: str
    loans: int
    days: int
    items: int
    share: float | None  # of all the days lent


@dataclass(frozen=True)
class ItemRow:
    pk: int
    name: str
    inventory_number: str
    category: str
    loans: int
    days: int


@dataclass(frozen=True)
class RequestRow:
    pk: int
    name: str
    inventory_number: str
    category: str
    requests: int
    refused: int
    waiting: int


@dataclass(frozen=True)
class VenueRow:
    pk: int
    name: str
    loans: int
    days: int


@dataclass(frozen=True)
class Usage:
    start: date
    end: date
    loans: int = 0
    days: int = 0
    items: int = 0
    venues: int = 0
    requests: int = 0
    refused: int = 0
    waiting: int = 0
    due: int = 0  # loans due back in the period (return date passed, or returned)
    overdue: int = 0  # of those, back late or still out past their return date
    by_category: list[CategoryRow] = field(default_factory=list)
    top_items: list[ItemRow] = field(default_factory=list)
    most_requested: list[RequestRow] = field(default_factory=list)
    by_venue: list[VenueRow] = field(default_factory=list)

    @property
    def overdue_rate(self) -> float | None:
        return self.overdue / self.due if self.due else None


def usage(*, items_q: Q | None, start: date, end: date, today: date | None = None,
          top: int | None = TOP) -> Usage:
    """The usage of the equipment `items_q` selects (a filter on Item; None: all) from
    `start` to `end` (both included): seven queries whatever the data. `top`: how many items
    the "most lent" and "most requested" lists keep (None: every one)."""
    today = today or timezone.localdate()
    lent, days = lent_bookings(start=start, end=end, today=today, items_q=items_q)
    loans = Count("reservation", distinct=True)

    totals = lent.aggregate(loans=loans, days=Sum(days), items=Count("item", distinct=True),
                            venues=Count("reservation__venue", distinct=True))
    total_days = totals["days"] or 0

    categories = (
        lent.values("item__category_id", "item__category__name")
        .annotate(loans=loans, lent_days=Sum(days), lent_items=Count("item", distinct=True))
        .order_by("-lent_days", "item__category__name")
    )
    by_category = [
        CategoryRow(pk=row["item__category_id"], name=row["item__category__name"], loans=row["loans"],
                    days=row["lent_days"] or 0, items=row["lent_items"],
                    share=(row["lent_days"] or 0) / total_days if total_days else None)
        for row in categories
    ]

    items = (
        lent.values("item_id", "item__name", "item__inventory_number", "item__category__name")
        .annotate(loans=loans, lent_days=Sum(days))
        .order_by("-lent_days", "-loans", "item__name", "item_id")
    )
    top_items = [
        ItemRow(pk=row["item_id"], name=row["item__name"], inventory_number=row["item__inventory_number"],
                category=row["item__category__name"], loans=row["loans"], days=row["lent_days"] or 0)
        for row in (items[:top] if top is not None else items)
    ]

    venues = (
        lent.values("reservation__venue_id", "reservation__venue__name")
        .annotate(loans=loans, lent_days=Sum(days))
        .order_by("-lent_days", "-loans", "reservation__venue__name", "reservation__venue_id")
    )
    by_venue = [VenueRow(pk=row["reservation__venue_id"], name=row["reservation__venue__name"],
                         loans=row["loans"], days=row["lent_days"] or 0) for row in venues]

    # Requests made in the period, per item asked for.
    first, after = _bounds(start, end)
    refused_q = Q(reservation__status=Reservation.Status.REFUSED)
    waiting_q = Q(reservation__waiting_since__isnull=False)
    asked = _scoped(
        Booking.objects.filter(reservation__created_at__gte=first, reservation__created_at__lt=after).order_by(),
        items_q, None,
    )
    request_totals = asked.aggregate(
        requests=Count("reservation", distinct=True),
        refused=Count("reservation", distinct=True, filter=refused_q),
        waiting=Count("reservation", distinct=True, filter=waiting_q),
    )
    requested = (
        asked.values("item_id", "item__name", "item__inventory_number", "item__category__name")
        .annotate(requests=Count("pk"), refused=Count("pk", filter=refused_q), waiting=Count("pk", filter=waiting_q))
        .order_by("-requests", "item__name", "item_id")
    )
    most_requested = [
        RequestRow(pk=row["item_id"], name=row["item__name"], inventory_number=row["item__inventory_number"],
                   category=row["item__category__name"], requests=row["requests"], refused=row["refused"],
                   waiting=row["waiting"])
        for row in (requested[:top] if top is not None else requested)
    ]

    # Overdue: the loans due back in the period.
    yesterday = today - timedelta(days=1)
    late_q = (
        Q(GreaterThan(_day("reservation__returned_at"), F("reservation__return_date")),
          reservation__returned_at__isnull=False)
        | Q(reservation__returned_at__isnull=True, reservation__status=Reservation.Status.OUT,
            reservation__return_date__lt=today)
    )
    due = _scoped(
        Booking.objects.filter(handed_over_q(), reservation__return_date__gte=start, reservation__return_date__lte=end)
        .filter(Q(reservation__return_date__lte=yesterday) | Q(reservation__returned_at__isnull=False))
        .order_by(),
        items_q, None,
    ).aggregate(due=Count("reservation", distinct=True), overdue=Count("reservation", distinct=True, filter=late_q))

    return Usage(
        start=start, end=end, loans=totals["loans"] or 0, days=total_days, items=totals["items"] or 0,
        venues=totals["venues"] or 0, requests=request_totals["requests"] or 0,
        refused=request_totals["refused"] or 0, waiting=request_totals["waiting"] or 0,
        due=due["due"] or 0, overdue=due["overdue"] or 0, by_category=by_category, top_items=top_items,
        most_requested=most_requested, by_venue=by_venue,
    )


# --- The funders' reports ------------------------------------------------------------------


@dataclass(frozen=True)
class LoanSummary:
    loans: int = 0
    days: int = 0
    by_category: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (loans, days lent)


def loan_summary(*, start: date, end: date, borrowers_q: Q | None = None, today: date | None = None) -> LoanSummary:
    """The loans whose borrowing venue `borrowers_q` selects (a filter on Venue; None: all)
    with days lent from `start` to `end`: how many, the days lent, and both by category. Two
    queries whatever the data."""
    lent, days = lent_bookings(start=start, end=end, today=today, borrowers_q=borrowers_q)
    totals = lent.aggregate(loans=Count("reservation", distinct=True), days=Sum(days))
    rows = (
        lent.values_list("item__category__name")
        .annotate(loans=Count("reservation", distinct=True), lent_days=Sum(days))
        .order_by("item__category__name")
    )
    return LoanSummary(loans=totals["loans"] or 0, days=totals["days"] or 0,
                       by_category={name: (n, lent or 0) for name, n, lent in rows})


def owners_lending(items_q: Q) -> QuerySet[Any]:
    """The venues owning some of the equipment `items_q` selects, by name (one query)."""
    from directory.models import Venue

    owned = Item.objects.filter(items_q).filter(owner_venue=OuterRef("pk"))
    return Venue.objects.filter(Exists(owned)).order_by("name", "pk").only("pk", "name")
