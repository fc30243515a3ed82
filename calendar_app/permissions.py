"""Every calendar rule, one function each, answering a `core.permissions.Decision`.

A space's calendar asks its space (`Space.can_view` / `can_post` / `can_manage`); a
personal calendar belongs to its owner alone. An event is seen by whoever sees its calendar,
by the people invited to it, and by everybody when it is public; it is edited by its
organiser while they may still write in the calendar, and by the calendar's managers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core.permissions import ALLOWED, Decision, is_authenticated, refused
from members import permissions as member_permissions

if TYPE_CHECKING:
    from calendar_app.models import Calendar, Event, FeedToken
    from core.models import Space
    from core.permissions import AnyUser


def _space(calendar: Calendar) -> Space:
    space = calendar.space
    assert space is not None  # a calendar without owner has a space (calendar_space_xor_owner)
    return space


def can_view_calendar(user: AnyUser, calendar: Calendar) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Only approved members of the network can see the calendars."))
    if calendar.owner_id is not None:
        if calendar.owner_id == getattr(user, "pk", None):
            return ALLOWED
        return refused(_("This calendar is someone's personal calendar."))
    if _space(calendar).can_view(user):
        return ALLOWED
    return refused(_("You are not a member of the space of this calendar."))


def can_add_event(user: AnyUser, calendar: Calendar) -> Decision:
    decision = can_view_calendar(user, calendar)
    if not decision:
        return decision
    if calendar.owner_id is not None:
        return ALLOWED
    if _space(calendar).is_read_only:
        return refused(_("This space is archived: its calendar can no longer change."))
    if not _space(calendar).can_post(user):
        return refused(_("You cannot add events to this calendar."))
    return ALLOWED


def can_manage_calendar(user: AnyUser, calendar: Calendar) -> Decision:
    """Edit every event, import a file, see every answer."""
    decision = can_view_calendar(user, calendar)
    if not decision:
        return decision
    if calendar.owner_id is not None:
        return ALLOWED
    if _space(calendar).is_read_only:
        return refused(_("This space is archived: its calendar can no longer change."))
    if _space(calendar).can_manage(user):
        return ALLOWED
    return refused(_("Only the managers of this space can do this."))


def can_view_event(user: AnyUser, event: Event, *, invited: bool | None = None) -> Decision:
    """`invited`: whether `user` is among the event's attendees, when the caller knows it."""
    if event.is_public:
        return ALLOWED
    if can_view_calendar(user, event.calendar):
        return ALLOWED
    if is_authenticated(user) and member_permissions.is_approved(user):
        if invited is None:
            master = event.series_id or event.pk
            invited = event.attendees.model.objects.filter(event_id=master, user=user).exists()
        if invited:
            return ALLOWED
    return refused(_("You cannot see this event."))


def can_edit_event(user: AnyUser, event: Event) -> Decision:
    calendar = event.calendar
    if can_manage_calendar(user, calendar):
        return ALLOWED
    decision = can_add_event(user, calendar)
    if not decision:
        return decision
    if event.created_by_id is not None and event.created_by_id == getattr(user, "pk", None):
        return ALLOWED
    return refused(_("Only the organiser and the managers of the space can change this event."))


def can_answer(user: AnyUser, event: Event, *, invited: bool | None = None) -> Decision:
    """Answer yes / maybe / no (an approved member who may see the event)."""
    if not member_permissions.is_approved(user):
        return refused(_("Only approved members of the network can answer."))
    if event.is_cancelled:
        return refused(_("This event is cancelled."))
    return can_view_event(user, event, invited=invited)


def can_subscribe(user: AnyUser, calendar: Calendar | None = None) -> Decision:
    """Have a private feed of "Mon agenda" (`calendar` None) or of one calendar, and keep
    reading it: asked when the link is made and again at every request of the feed."""
    if not member_permissions.is_approved(user):
        return refused(_("Only approved members of the network can subscribe to calendars."))
    if calendar is None:
        return ALLOWED
    return can_view_calendar(user, calendar)


def can_manage_feed(user: AnyUser, token: FeedToken) -> Decision:
    """Revoke or regenerate a private feed's link: its member's own."""
    if not member_permissions.is_approved(user) or token.user_id != getattr(user, "pk", None):
        return refused(_("This subscription link is someone else's."))
    return ALLOWED
