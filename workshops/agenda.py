"""The calendar source of workshop sessions: what a member has on their agenda and in their
"Mon agenda" feed (`calendar_app.registry`).

A member sees one item per date (`SessionDate`) of:
- the sessions they are registered to (registered, or a place offered to them);
- the sessions they lead (animators);
- every scheduled session of the workshops for the network's staff (the shared calendar
  of the network's workshops).
A session cancelled while the member was in it (registered or leading it) stays, marked
cancelled; a registration the member cancelled themself makes the item go.

`items` costs one query whatever the data, `version` one cheap aggregate.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, FilteredRelation, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calendar_app import registry
from members import permissions as member_permissions
from workshops import permissions
from workshops.models import Registration, Session, SessionDate, Workshop

if TYPE_CHECKING:
    from core.permissions import AnyUser

HOLDING = [str(status) for status in Registration.HOLDING]
# The statuses of a workshop whose staff sessions are on the shared calendar.
SHARED_STATUSES = [status for status in permissions.VISIBLE_STATUSES if status != "cancelled"]
# A registration cancelled by the session's cancellation (the services write both in the same
# transaction, a moment apart), as opposed to one the member cancelled themself before.
CANCELLED_WITH_SESSION = timedelta(minutes=5)

ANIMATED, REGISTERED, NETWORK = "animated", "registered", "network"
COLORS = {ANIMATED: "purple", REGISTERED: "green", NETWORK: "teal"}


def _labels() -> dict[str, str]:
    return {
        ANIMATED: _("Workshop · you lead it"),
        REGISTERED: _("Workshop · registered"),
        NETWORK: _("Network workshop"),
    }


def _shared() -> Q:
    """The sessions of the shared calendar of the network's workshops (on SessionDate)."""
    return Q(session__workshop__audience=Workshop.Audience.STAFF, session__status=Session.Status.SCHEDULED,
             session__workshop__status__in=SHARED_STATUSES)


def dates_for(user: AnyUser, start: datetime, end: datetime) -> QuerySet[SessionDate]:
    """The dates of `user`'s sessions overlapping [start, end), annotated with why (one query):
    `registered`, `was_in` (a cancelled session they were registered to), `animates`, and the
    date's `number` in its session and the session's `count` of dates (a cycle)."""
    mine = Registration.objects.filter(session_id=OuterRef("session_id"), user_id=user.pk)
    was_in = mine.filter(status=Registration.Status.CANCELLED,
                         cancelled_at__gte=OuterRef("session__updated_at") - CANCELLED_WITH_SESSION)
    animates = Session.animators.through.objects.filter(session_id=OuterRef("session_id"), user_id=user.pk)
    siblings = SessionDate.objects.filter(session_id=OuterRef("session_id")).order_by().values("session_id")
    before = siblings.filter(Q(start__lt=OuterRef("start")) | Q(start=OuterRef("start"), pk__lt=OuterRef("pk")))
    return (
        SessionDate.objects.filter(start__lt=end, end__gt=start)
        .annotate(
            registered=Exists(mine.filter(status__in=HOLDING)),
            was_in=Exists(was_in),
            animates=Exists(animates),
            number=Subquery(before.annotate(n=Count("pk")).values("n")),
            count=Subquery(siblings.annotate(n=Count("pk")).values("n")),
        )
        .filter(Q(registered=True) | Q(animates=True) | Q(was_in=True, session__status=Session.Status.CANCELLED)
                | _shared())
        .select_related("session", "session__workshop", "session__venue")
        .order_by("start", "pk")
    )


def location_of(session: Session) -> str:
    if session.venue is not None:
        return f"{session.venue.name}, {session.venue.city}" if session.venue.city else session.venue.name
    if session.online_url:
        return _("Online")
    return session.location


def title_of(session: Session, number: int | None, count: int | None) -> str:
    title = session.title or session.workshop.title
    if count and count > 1:
        return _("%(title)s (session %(number)s of %(count)s)") % {
            "title": title, "number": (number or 0) + 1, "count": count}
    return title


def items(user: AnyUser, start: datetime, end: datetime) -> list[registry.Item]:
    """`user`'s workshop dates in [start, end), one item per date (one query)."""
    if not member_permissions.is_approved(user):
        return []
    labels = _labels()
    found = []
    for date in dates_for(user, start, end):
        session = date.session
        workshop = session.workshop
        cancelled = session.is_cancelled or workshop.is_cancelled
        if date.animates:
            why = ANIMATED
        elif date.registered or date.was_in:
            why = REGISTERED
        else:
            why = NETWORK
        zone = ZoneInfo(session.tz)
        found.append(registry.Item(
            key=f"workshops-date-{date.pk}",
            title=title_of(session, date.number, date.count),
            start=date.start.astimezone(zone),
            end=date.end.astimezone(zone),
            url=reverse("workshops:session", args=[session.pk]),
            source="workshops",
            calendar_label=labels[why],
            color=COLORS[why],
            location=location_of(session),
            cancelled=cancelled,
            uid=f"workshop-session-{session.pk}-{date.pk}",
            updated=max(session.updated_at, workshop.updated_at),
            description=workshop.summary,
            extra={"session": session, "why": why},
        ))
    return found


def version(user: AnyUser) -> str:
    """Changes whenever `items` would (one query): the member's registrations (added,
    confirmed, offered, cancelled), the sessions they lead, and every session or workshop
    that may be on their agenda (created, edited, cancelled)."""
    if not member_permissions.is_approved(user):
        return "-"
    mine = Q(mine__isnull=False) | Q(led__isnull=False) | Q(
        workshop__audience=Workshop.Audience.STAFF, workshop__status__in=SHARED_STATUSES)
    found = (
        Session.objects.alias(
            mine=FilteredRelation("registrations", condition=Q(registrations__user_id=user.pk)),
            led=FilteredRelation("animators", condition=Q(animators__pk=user.pk)),
        )
        .filter(mine)
        .aggregate(
            sessions=Count("pk", distinct=True),
            session_ids=Max("pk"),
            updated=Max("updated_at"),
            workshops=Max("workshop__updated_at"),
            registrations=Count("mine", distinct=True),
            holding=Count("mine", filter=Q(mine__status__in=HOLDING), distinct=True),
            cancelled=Count("mine", filter=Q(mine__status=Registration.Status.CANCELLED), distinct=True),
            created=Max("mine__created_at"),
            confirmed=Max("mine__confirmed_at"),
            cancelled_at=Max("mine__cancelled_at"),
            offered=Max("mine__offer_expires_at"),
            led_count=Count("led", distinct=True),
        )
    )
    text = "|".join(f"{key}={found[key]}" for key in sorted(found))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


registry.register_source(registry.Source(key="workshops", label=gettext_lazy("Workshops"), items=items,
                                         version=version, order=50))
