"""Nearby instead of full: when a session is full, the other sessions of the same workshop
still open to registration and with free places, at the venues closest to this one first.

Distances are great-circle (`directory.selectors.haversine_km`) between the venues'
coordinates, computed in Python on the candidates read in one go (`selectors.sessions()`:
a fixed number of queries, whatever the number of sessions). Sessions whose venue has no
coordinates, and online ones, come after the placed ones, by date; when this session's own
venue has no coordinates, every candidate is listed by date (km None).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from directory.selectors import haversine_km
from workshops import selectors
from workshops.models import Session, Workshop

OPEN_WORKSHOP_STATUSES = (Workshop.Status.ACCEPTED, Workshop.Status.SCHEDULED)


def _point(session: Session) -> tuple[float, float] | None:
    venue = session.venue if session.venue_id else None
    if venue is None or venue.latitude is None or venue.longitude is None:
        return None
    return float(venue.latitude), float(venue.longitude)


def is_open(session: Session, now: datetime) -> bool:
    """Scheduled, of an accepted or scheduled workshop, not started, registrations not closed."""
    return (session.status == Session.Status.SCHEDULED
            and session.workshop.status in OPEN_WORKSHOP_STATUSES
            and session.start > now and session.closes_at > now)


def rank(session: Session, candidates: Iterable[Session], *, limit: int = 5,
         now: datetime | None = None) -> list[tuple[Session, float | None]]:
    """Among `candidates` (read through `selectors.sessions()`), the other open sessions of
    `session`'s workshop with free places, nearest first: [(session, km or None)]. No query."""
    now = now or timezone.now()
    origin = _point(session)
    placed: list[tuple[Session, float]] = []
    unplaced: list[tuple[Session, float | None]] = []
    for other in sorted(candidates, key=lambda row: (row.start, row.pk)):
        if (other.pk == session.pk or other.workshop_id != session.workshop_id or not is_open(other, now)
                or selectors.places_left(other) <= 0):
            continue
        point = _point(other)
        if origin is None or point is None:
            unplaced.append((other, None))
        else:
            placed.append((other, round(haversine_km(*origin, *point), 1)))
    placed.sort(key=lambda pair: pair[1])  # stable: equal distances stay by date
    return [*placed, *unplaced][:limit]


def nearby_sessions(session: Session, *, limit: int = 5,
                    now: datetime | None = None) -> list[tuple[Session, float | None]]:
    """The other sessions of the same workshop still open to registration that have free
    places, nearest venue first, with the distance in km (1 decimal) or None."""
    now = now or timezone.now()
    candidates = (
        selectors.sessions()
        .filter(workshop_id=session.workshop_id, status=Session.Status.SCHEDULED,
                workshop__status__in=OPEN_WORKSHOP_STATUSES, start__gt=now)
        .filter(Q(registration_deadline__isnull=True) | Q(registration_deadline__gt=now))
        .exclude(pk=session.pk)
        .order_by("start", "pk")
    )
    return rank(session, candidates, limit=limit, now=now)
