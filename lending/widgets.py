"""The dashboard widget "Mes prêts": the member's upcoming and current loans (theirs and
their venues', overdue ones first), the slots offered to them from a waiting list, and for
those who manage equipment the requests awaiting a decision, the loans to hand over within
a week and the late returns. At most two queries, whatever the data (plus the member's
roles, read once per request)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import roles
from core.dashboard import Widget, register_widget
from lending import permissions
from lending.models import Reservation
from members import permissions as member_permissions

NEXT_COUNT = 5
OFFERS_COUNT = 5
# "This week": the hand-overs from today to that many days ahead.
WEEK_DAYS = 6

Status = Reservation.Status
RELATED = ("item", "kit", "venue")


def managed(user: Any) -> Q:
    """Filter on Reservation: of the equipment `user` manages (Q() when all of it)."""
    of_items = permissions.managed_q(user, "item__")
    if not of_items:
        return Q()
    return of_items | permissions.managed_q(user, "kit__")


def loans_and_offers(user: Any, now: datetime) -> QuerySet[Reservation]:
    """In one query: the loans of `user` and their venues, under way or to come (overdue ones
    first, annotated `late`), and the slots offered to `user` (they alone answer) still open;
    at most NEXT_COUNT + 1 of each (`rank` in its group)."""
    today = timezone.localdate(now)
    mine = Q(requester_id=user.pk) | Q(venue_id__in=permissions.own_venues(user))
    live = Q(status=Status.OUT) | Q(status__in=[Status.PENDING, Status.APPROVED], return_date__gte=today)
    offered = (Q(requester_id=user.pk, status=Status.OFFERED)
               & (Q(offer_expires_at__isnull=True) | Q(offer_expires_at__gt=now)))
    group = Case(When(status=Status.OFFERED, then=Value(0)), default=Value(1), output_field=IntegerField())
    late = Case(When(status=Status.OUT, return_date__lt=today, then=Value(1)), default=Value(0),
                output_field=IntegerField())
    return (
        Reservation.objects.filter((mine & live) | offered)
        .annotate(group=group, late=late)
        .annotate(rank=Window(RowNumber(), partition_by=[F("group")],
                              order_by=[F("late").desc(), F("pickup_date").asc(), F("pk").asc()]))
        .filter(rank__lte=NEXT_COUNT + 1)
        .select_related(*RELATED)
        .order_by("group", "-late", "pickup_date", "pk")
    )


def manager_counts(user: Any, today: date) -> dict[str, int]:
    """Of the equipment `user` manages: requests awaiting a decision, approved loans to hand
    over within the week (or whose pick-up passed), loans not returned in time (one query)."""
    return Reservation.objects.filter(managed(user)).aggregate(
        to_decide=Count("pk", filter=Q(status=Status.PENDING)),
        to_hand_over=Count("pk", filter=Q(status=Status.APPROVED, pickup_date__lte=today + timedelta(days=WEEK_DAYS),
                                          return_date__gte=today)),
        late=Count("pk", filter=Q(status=Status.OUT, return_date__lt=today)),
    )


def my_loans(request: Any) -> dict[str, Any] | None:
    user = request.user
    if not member_permissions.is_approved(user):
        return None
    with roles.scope():  # the member's roles read once, also outside a request
        return _my_loans(user)


def _my_loans(user: Any) -> dict[str, Any]:
    now = timezone.now()
    today = timezone.localdate(now)
    rows = list(loans_and_offers(user, now))
    loans = [reservation for reservation in rows if reservation.status != Status.OFFERED]
    offers = [reservation for reservation in rows if reservation.status == Status.OFFERED][:OFFERS_COUNT]
    # Always one query (the managed equipment as subqueries): cheaper than asking first whether
    # the member manages any (two role queries); the block shows only when something counts.
    counts = manager_counts(user, today)
    context: dict[str, Any] = {
        "loans": loans[:NEXT_COUNT],
        "more_loans": len(loans) > NEXT_COUNT,
        "offers": offers,
        "manager": counts if counts and any(counts.values()) else None,
        "today": today,
    }
    context["empty"] = not (context["loans"] or offers or context["manager"])
    return context


register_widget(Widget(key="my-loans", title=_("My loans"),  # type: ignore[arg-type]
                       template="lending/widgets/my_loans.html", context=my_loans, order=40))
