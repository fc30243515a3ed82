"""Reading the calendar: which calendars a member sees, and what is on an agenda in a window.

`agenda_items` is what the month, week and agenda views and the "Mon agenda" feed show:
the occurrences of the events of the calendars asked for (recurring events expanded in the
window only, exceptions applied), the events the member is invited to, and the items of the
registered sources (`registry`). Its number of queries does not grow with the data: the
calendars (1), the events (1), their exceptions (1), and each source's fixed number.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q, QuerySet

from calendar_app import recurrence, registry
from calendar_app.models import Attendee, Calendar, Event, HiddenCalendar
from core import spaces
from core.models import Space
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser

UTC = ZoneInfo("UTC")
def _with_rules(queryset: QuerySet[Calendar]) -> QuerySet[Calendar]:
    return queryset.select_related("space", "owner", *spaces.related_for_rules("space"))


def calendars_visible_to(user: AnyUser) -> QuerySet[Calendar]:
    """Every calendar `user` may read: their own, and those of the spaces they may view."""
    if not member_permissions.is_approved(user):
        return Calendar.objects.none()
    visible = Q(owner=user) | Q(space__in=Space.objects.visible_to(user))
    return _with_rules(Calendar.objects.filter(visible)).annotate(
        hidden=Exists(HiddenCalendar.objects.filter(user=user, calendar=OuterRef("pk")))
    ).order_by("owner_id", "space__kind", "pk")


def agenda_calendars(user: AnyUser) -> list[Calendar]:
    """The calendars of "Mon agenda": visible and not hidden."""
    return [calendar for calendar in calendars_visible_to(user) if not getattr(calendar, "hidden", False)]


def events_in_window(calendar_ids: Iterable[int], start: datetime, end: datetime, *,
                     user: AnyUser = None) -> list[Event]:
    """Masters and single events of `calendar_ids` (and, for `user`, the events they are
    invited to and did not decline) that may have an occurrence in [start, end)."""
    where = Q(calendar_id__in=list(calendar_ids))
    user_id = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    if user_id is not None:
        where |= Q(pk__in=Attendee.objects.filter(user_id=user_id).exclude(response=Attendee.Response.NO)
                   .values("event_id"))
    return list(
        Event.objects.filter(where, series__isnull=True, start__lt=end)
        .filter(Q(last_end__isnull=True) | Q(last_end__gt=start))
        .with_rules()
        .order_by("start", "pk")
    )


def overrides_of(masters: Iterable[Event]) -> dict[int, dict[datetime, Event]]:
    """{master id: {original start (UTC): exception}} for the recurring events given (1 query)."""
    ids = [event.pk for event in masters if event.rrule]
    found: dict[int, dict[datetime, Event]] = {}
    if not ids:
        return found
    for override in Event.objects.filter(series_id__in=ids).with_rules():
        assert override.recurrence_id is not None and override.series_id is not None
        found.setdefault(override.series_id, {})[override.recurrence_id.astimezone(UTC)] = override
    return found


def occurrence_key(event: Event, start: datetime | None) -> str:
    if start is None:
        return f"event-{event.pk}"
    return f"event-{event.pk}-{recurrence.occurrence_param(start)}"


def _item(row: Event, start: datetime, end: datetime, *, series: Event | None,
          recurrence_id: datetime | None, key: str) -> registry.Item:
    calendar = row.calendar
    url = row.get_absolute_url()
    if recurrence_id is not None:
        url += f"?occurrence={recurrence.occurrence_param(recurrence_id)}"
    return registry.Item(
        key=key, title=row.title, start=start, end=end, url=url, source="event", all_day=row.all_day,
        calendar_label=calendar.name, color=row.category.color if row.category is not None else "blue",
        location=row.venue.name if row.venue is not None else row.location, cancelled=row.is_cancelled,
        uid=(series or row).uid, updated=row.updated_at, event=row, series=series, recurrence_id=recurrence_id,
    )


def expand(events: Iterable[Event], start: datetime, end: datetime) -> list[registry.Item]:
    """The occurrences of `events` in [start, end), exceptions applied (1 query for them)."""
    events = list(events)
    overrides = overrides_of(events)
    items: list[registry.Item] = []
    for event in events:
        if not event.rrule:
            items.append(_item(event, event.start.astimezone(ZoneInfo(event.tz)),
                               event.end.astimezone(ZoneInfo(event.tz)), series=None, recurrence_id=None,
                               key=occurrence_key(event, None)))
            continue
        own = overrides.get(event.pk, {})
        used: set[datetime] = set()
        for occurrence in recurrence.occurrence_starts(event, start, end):
            original = occurrence.astimezone(UTC)
            override = own.get(original)
            key = occurrence_key(event, original)
            if override is None:
                items.append(_item(event, occurrence, recurrence.occurrence_end(occurrence, event),
                                   series=event, recurrence_id=original, key=key))
                continue
            used.add(original)
            if override.start < end and override.end > start:
                zone = ZoneInfo(override.tz)
                items.append(_item(override, override.start.astimezone(zone), override.end.astimezone(zone),
                                   series=event, recurrence_id=original, key=key))
        # An occurrence moved into the window from outside it.
        for original, override in own.items():
            if original not in used and override.start < end and override.end > start:
                zone = ZoneInfo(override.tz)
                items.append(_item(override, override.start.astimezone(zone), override.end.astimezone(zone),
                                   series=event, recurrence_id=original, key=occurrence_key(event, original)))
    return items


def agenda_items(user: AnyUser, start: datetime, end: datetime, *,
                 calendars: Iterable[Calendar] | None = None, with_sources: bool = True,
                 with_invitations: bool = True) -> list[registry.Item]:
    """What `user` has on their agenda in [start, end), in order.

    `calendars`: those to show (default: "Mon agenda", the visible ones not hidden); the
    caller has checked that `user` may read them."""
    if calendars is None:
        calendars = agenda_calendars(user)
    events = events_in_window([c.pk for c in calendars], start, end,
                              user=user if with_invitations else None)
    items = expand(events, start, end)
    if with_sources:
        for source in registry.sources():
            items.extend(source.items(user, start, end))
    items.sort(key=lambda item: (item.start.astimezone(UTC), item.title, item.key))
    return items


def public_events(*, start: datetime, end: datetime, space: Space | None = None,
                  venue_id: int | None = None) -> list[registry.Item]:
    """Occurrences of public events in [start, end): all, of one space's calendar, or at one venue."""
    where = Q(visibility=Event.Visibility.PUBLIC, series__isnull=True, start__lt=end)
    if space is not None:
        where &= Q(calendar__space=space)
    if venue_id is not None:
        where &= Q(venue_id=venue_id)
    events = (Event.objects.filter(where).filter(Q(last_end__isnull=True) | Q(last_end__gt=start))
              .with_rules().order_by("start", "pk"))
    items = [item for item in expand(events, start, end)
             if item.event is not None and item.event.is_public and not item.cancelled]
    items.sort(key=lambda item: (item.start.astimezone(UTC), item.title, item.key))
    return items
