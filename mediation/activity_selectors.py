"""Reads of activity records scoped to a user: the records one may see (exactly
mediation.permissions.can_view_record's rule, as a queryset), the list's filters and totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from mediation import permissions
from mediation.models import ActivityRecord
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser

# The list's scopes: whose records.
MINE = "mine"
MY_VENUES = "venues"
TERRITORY = "territory"
EVERYTHING = "all"


def records_visible_to(user: AnyUser) -> QuerySet[ActivityRecord]:
    """Every record `user` may open: their own, their venues', their territories' (local
    admins), all (coordinators). One query when evaluated."""
    if not member_permissions.is_approved(user):
        return ActivityRecord.objects.none()
    if member_permissions.is_coordinator(user):
        return ActivityRecord.objects.all()
    condition = Q(recorded_by_id=user.pk)
    venues = permissions.attached_venue_ids(user)
    if venues:
        condition |= Q(venue_id__in=venues)
    territories = member_permissions.referent_territory_ids(user)
    if territories:
        condition |= Q(territory_id__in=territories)
    return ActivityRecord.objects.filter(condition)


def record_get_for_user(user: AnyUser, pk: int) -> ActivityRecord:
    """The record with its venue, mediator and people; 404 when `user` may not see it."""
    record = (
        records_visible_to(user).select_related("venue", "recorded_by", "territory", "session_date", "voucher_use")
        .prefetch_related("beneficiaries").filter(pk=pk).first()
    )
    if record is None:
        raise Http404
    return record


def scopes_for(user: AnyUser) -> list[str]:
    """The scopes offered to `user`, the first being the default."""
    scopes = [MINE]
    if permissions.attached_venue_ids(user):
        scopes.append(MY_VENUES)
    if member_permissions.referent_territory_ids(user):
        scopes.append(TERRITORY)
    if member_permissions.is_coordinator(user):
        scopes.append(EVERYTHING)
    return scopes


@dataclass(frozen=True)
class RecordFilters:
    scope: str = MINE
    start: date | None = None
    end: date | None = None
    kind: str = ""
    venue_id: int | None = None
    theme: str = ""


def records_filtered(user: AnyUser, filters: RecordFilters) -> QuerySet[ActivityRecord]:
    """The visible records of the scope and filters, newest first (a scope `user` is not
    offered reads as their own records)."""
    records = records_visible_to(user)
    if user is None or not member_permissions.is_approved(user):
        return records
    scope = filters.scope if filters.scope in scopes_for(user) else MINE
    if scope == MINE:
        records = records.filter(recorded_by_id=user.pk)
    elif scope == MY_VENUES:
        records = records.filter(venue_id__in=permissions.attached_venue_ids(user))
    elif scope == TERRITORY:
        records = records.filter(territory_id__in=member_permissions.referent_territory_ids(user))
    if filters.start is not None:
        records = records.filter(date__gte=filters.start)
    if filters.end is not None:
        records = records.filter(date__lte=filters.end)
    if filters.kind:
        records = records.filter(kind=filters.kind)
    if filters.venue_id is not None:
        records = records.filter(venue_id=filters.venue_id)
    if filters.theme:
        records = records.filter(themes__has=filters.theme)
    return records.order_by("-date", "-pk")


@dataclass(frozen=True)
class Totals:
    records: int
    people: int
    minutes: int

    @property
    def hours(self) -> str:
        from mediation.activity import duration_text

        return duration_text(self.minutes) if self.minutes else "0\u00a0h"


def records_totals(records: QuerySet[ActivityRecord]) -> Totals:
    """Accompaniments, people accompanied (participants) and time, in one query."""
    row = records.order_by().aggregate(
        count=Count("pk"), people=Coalesce(Sum("participants"), 0), minutes=Coalesce(Sum("duration_minutes"), 0)
    )
    return Totals(records=row["count"], people=row["people"], minutes=row["minutes"])
