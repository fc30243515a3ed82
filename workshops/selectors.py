"""Reads every part of the workshops app shares: querysets with what the rules and the pages
read, the counts of places, and the `*_get_for_user` lookups that answer 404 to whoever may
not see (no hint that the object exists).

Each slice keeps its own reads beside its services (`public.py`, `demand.py`,
`evaluation.py`...); what several of them need is here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from workshops import permissions
from workshops.models import Registration, Session, SessionDate, Workshop, registration_id_from_token

if TYPE_CHECKING:
    from core.permissions import AnyUser

HOLDING = [str(status) for status in Registration.HOLDING]
ACTIVE = [str(status) for status in Registration.ACTIVE]


def workshops() -> QuerySet[Workshop]:
    """Workshops with what the rules read (territory, proposer)."""
    return Workshop.objects.select_related("territory", "proposed_by")


def with_counts(queryset: QuerySet[Session]) -> QuerySet[Session]:
    """Sessions annotated with `taken` (places held: registered, or offered and not yet
    answered) and `waiting` (the waiting list's length), in the same query."""
    return queryset.annotate(
        taken=Count("registrations", filter=Q(registrations__status__in=HOLDING), distinct=True),
        waiting=Count("registrations", filter=Q(registrations__status="waiting"), distinct=True),
    )


def sessions() -> QuerySet[Session]:
    """Sessions with their workshop, venue, animators and dates (what the rules and every list
    read), and the counts of places (`with_counts`): a fixed number of queries for a page."""
    return with_counts(
        Session.objects.select_related("workshop", "workshop__territory", "workshop__proposed_by", "venue")
        .prefetch_related("animators", Prefetch("dates", queryset=SessionDate.objects.order_by("start", "pk")))
    )


def places_left(session: Session) -> int:
    """Free places of a session read through `sessions()` (annotated)."""
    return max(0, session.capacity - getattr(session, "taken", 0))


def is_full(session: Session) -> bool:
    return places_left(session) == 0


def workshop_get_for_user(user: AnyUser, pk: int) -> Workshop:
    workshop = workshops().filter(pk=pk).first()
    if workshop is None or not permissions.can_view_workshop(user, workshop):
        raise Http404
    return workshop


def session_get_for_user(user: AnyUser, pk: int) -> Session:
    session = sessions().filter(pk=pk).first()
    if session is None or not permissions.can_view_workshop(user, session.workshop):
        raise Http404
    return session


def registration_get_by_token(token: str) -> Registration:
    """The registration of a personal link (404 for a token this site did not sign)."""
    pk = registration_id_from_token(token)
    if pk is None:
        raise Http404
    registration = (
        Registration.objects.select_related("session", "session__workshop", "session__workshop__territory",
                                            "session__venue", "user")
        .filter(pk=pk).first()
    )
    if registration is None:
        raise Http404
    return registration


def own_registration(user: AnyUser, session: Session) -> Registration | None:
    """`user`'s live registration to `session` (one query), else their latest one, else None."""
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    if user_id is None:
        return None
    rows = list(Registration.objects.filter(session=session, user_id=user_id).order_by("-created_at", "-pk")[:5])
    for row in rows:
        if row.is_active:
            return row
    return rows[0] if rows else None


def waiting_list(session: Session) -> QuerySet[Registration]:
    """The waiting list in its order: who joined it first (then the older row)."""
    return Registration.objects.filter(session=session, status=Registration.Status.WAITING).order_by(
        "waiting_since", "pk"
    )
