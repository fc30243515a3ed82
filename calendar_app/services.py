"""Calendar services: the calendars themselves, and the events with their recurrence.

Each function checks permission (PermissionDenied, reason from `permissions`), validates
(ValidationError, in French), writes inside one transaction, bumps the calendar's
`changed_at` (feeds answer 304 from it) and records activity / notifies where it applies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from calendar_app.models import Calendar

if TYPE_CHECKING:
    from core.models import Space
    from members.models import User


# --- Calendars -------------------------------------------------------------------------------


def space_calendar_create(*, space: Space) -> Calendar:
    """The calendar of a new space (core.spaces.space_created; migration 0002 for older ones)."""
    calendar, _created = Calendar.objects.get_or_create(space=space)
    return calendar


def personal_calendar(user: User) -> Calendar:
    """The member's own calendar, made the first time it is asked for."""
    try:
        return Calendar.objects.get(owner=user)
    except Calendar.DoesNotExist:
        try:
            with transaction.atomic():
                return Calendar.objects.create(owner=user)
        except IntegrityError:  # made meanwhile by another request
            return Calendar.objects.get(owner=user)


def calendar_touch(calendar_id: int) -> None:
    """Something in the calendar changed: its feeds' ETag changes (one UPDATE)."""
    Calendar.objects.filter(pk=calendar_id).update(changed_at=timezone.now())


def calendar_set_hidden(*, actor: User, calendar: Calendar, hidden: bool) -> None:
    """Show or hide `calendar` in the member's "Mon agenda" (and its feed)."""
    from calendar_app import permissions
    from calendar_app.models import HiddenCalendar

    permissions.can_view_calendar(actor, calendar).check()
    if hidden:
        HiddenCalendar.objects.get_or_create(user=actor, calendar=calendar)
    else:
        HiddenCalendar.objects.filter(user=actor, calendar=calendar).delete()
