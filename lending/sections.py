"""The section "Matériel" of a workshop session's desk page (`workshops.pages`): the equipment
reserved for the session (what, dates, status; a link to the reservation for those who may
see it), and for those who may borrow for the session's venue a link to the catalogue, its
dates set to the session's and the session named (`?du=&au=&seance=`). One query."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone

from core import roles
from core.sections import Section
from lending import permissions
from lending.models import Reservation
from members import permissions as member_permissions
from workshops.pages import register_session_section


def reserve_url(session: Any) -> str:
    """The catalogue for the session's days, the reservation made for the session."""
    zone = ZoneInfo(session.tz)
    first, last = session.start.astimezone(zone).date(), session.end.astimezone(zone).date()
    query = urlencode({"du": first.isoformat(), "au": max(first, last).isoformat(), "seance": session.pk})
    return f"{reverse('materiel:index')}?{query}"


def session_equipment(session: Any, user: Any) -> dict[str, Any] | None:
    if not member_permissions.is_approved(user):
        return None
    with roles.scope():  # the member's roles read once, also outside a request
        return _session_equipment(session, user)


def _session_equipment(session: Any, user: Any) -> dict[str, Any] | None:
    reservations = list(
        Reservation.objects.filter(session_id=session.pk, status__in=list(Reservation.HOLDING))
        .select_related("item", "kit", "venue", "item__owner_venue", "kit__owner_venue")
        .order_by("pickup_date", "pk")
    )
    today = timezone.localdate()
    rows = [{"reservation": reservation, "overdue": reservation.is_overdue(today),
             "url": reservation.get_absolute_url() if permissions.can_view_reservation(user, reservation) else ""}
            for reservation in reservations]
    may_reserve = (session.venue_id is not None and not session.is_cancelled and session.end > timezone.now()
                   and permissions.may_borrow_for(user, session.venue))
    if not rows and not may_reserve:
        return None
    return {"rows": rows, "reserve_url": reserve_url(session) if may_reserve else ""}


register_session_section(Section(key="equipment", template="lending/includes/session_equipment.html",
                                 context=session_equipment, order=50))
