"""The dashboard widget "Mes ateliers": the member's next sessions, those they lead, the
places offered to them (until when), their places on waiting lists, and the evaluations
they may still fill in. Two queries, whatever the data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dashboard import Widget, register_widget
from members import permissions as member_permissions
from workshops.models import Attendance, EvaluationDone, Registration, Session

NEXT_COUNT = 3
LED_COUNT = 3
# Evaluations are proposed for the sessions over since that many days.
EVALUATION_DAYS = 30
# At most that many of the member's registrations are read (they never have that many live).
READ_AT_MOST = 50

Status = Registration.Status


def waiting_position() -> Subquery:
    """1 + how many wait before this registration on its session's list (same order as
    `selectors.waiting_list`: who joined first, then the older row)."""
    before = Registration.objects.filter(session_id=OuterRef("session_id"), status=Status.WAITING).filter(
        Q(waiting_since__lt=OuterRef("waiting_since"))
        | Q(waiting_since=OuterRef("waiting_since"), pk__lt=OuterRef("pk"))
    ).order_by().values("session_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(before, output_field=IntegerField()), Value(0)) + 1


def member_registrations(user: Any, now) -> QuerySet[Registration]:
    """The member's live registrations to sessions not over, and their registrations to
    sessions over lately that they may still evaluate (attended, not answered yet)."""
    live = Q(status__in=[Status.CONFIRMED, Status.OFFERED, Status.WAITING], session__end__gt=now,
             session__status=Session.Status.SCHEDULED)
    present = Attendance.objects.filter(registration_id=OuterRef("pk"), status=Attendance.Status.PRESENT)
    no_show = Attendance.objects.filter(registration_id=OuterRef("pk"), status=Attendance.Status.NO_SHOW)
    to_evaluate = Q(status=Status.CONFIRMED, session__end__lte=now,
                    session__end__gt=now - timedelta(days=EVALUATION_DAYS),
                    session__status=Session.Status.SCHEDULED, answered=False) & (Q(present=True) | Q(no_show=False))
    return (
        Registration.objects.filter(user_id=user.pk)
        .annotate(
            answered=Exists(EvaluationDone.objects.filter(registration_id=OuterRef("pk"))),
            present=Exists(present), no_show=Exists(no_show),
            position=waiting_position(),
        )
        .filter(live | to_evaluate)
        .select_related("session", "session__workshop", "session__venue")
        .order_by("session__start", "pk")[:READ_AT_MOST]
    )


def led_sessions(user: Any, now) -> QuerySet[Session]:
    """The next sessions `user` leads, with their places taken (one query)."""
    return (
        Session.objects.filter(animators=user, status=Session.Status.SCHEDULED, end__gt=now)
        .annotate(taken=Count("registrations", filter=Q(registrations__status__in=list(Registration.HOLDING))))
        .select_related("workshop", "venue")
        .order_by("start", "pk")[:LED_COUNT]
    )


def my_workshops(request) -> dict[str, Any] | None:
    user = request.user
    if not member_permissions.is_approved(user):
        return None
    now = timezone.now()
    registrations = list(member_registrations(user, now))
    upcoming = [r for r in registrations if r.status == Status.CONFIRMED and r.session.end > now]
    led = list(led_sessions(user, now))
    context = {
        "registered": upcoming[:NEXT_COUNT],
        "more_registered": len(upcoming) > NEXT_COUNT,
        "led": led,
        "offers": [r for r in registrations if r.status == Status.OFFERED],
        "waiting": [r for r in registrations if r.status == Status.WAITING],
        "to_evaluate": [r for r in registrations if r.status == Status.CONFIRMED and r.session.end <= now],
    }
    context["empty"] = not any(context[key] for key in ("registered", "led", "offers", "waiting", "to_evaluate"))
    return context


register_widget(Widget(key="my-workshops", title=_("My workshops"), template="workshops/widgets/my_workshops.html",
                       context=my_workshops, order=22))
