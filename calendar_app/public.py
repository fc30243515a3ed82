"""Public events outside the agenda's own pages: the next ones on the site's home page
(`upcoming`, read by website.HomePage) and a venue's next ones on its directory page (the
section registered here in `directory.pages`).

Both read `selectors.public_events`: members-only events never appear, cancelled
occurrences neither; a fixed number of queries (the events, and their exceptions when one
of them repeats), whatever the data.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from calendar_app import recurrence, registry, selectors
from core.sections import Section
from directory.pages import register_venue_section

if TYPE_CHECKING:
    from directory.models import Venue

# How far ahead the home page and a venue's page look for public events.
HORIZON = timedelta(days=366)
HOME_LIMIT = 4
VENUE_LIMIT = 5


def event_url(item: registry.Item) -> str:
    """The public page of an occurrence: its series' page, the occurrence named when it repeats."""
    assert item.event is not None
    url = reverse("agenda:event", args=[(item.series or item.event).pk])
    if item.recurrence_id is not None:
        url += f"?occurrence={recurrence.occurrence_param(item.recurrence_id)}"
    return url


def with_public_urls(items: list[registry.Item]) -> list[registry.Item]:
    """`items`, each with `extra["public_url"]` (its public page) and `extra["venue_url"]`."""
    for item in items:
        item.extra["public_url"] = event_url(item)
        venue = item.event.venue if item.event is not None and item.event.venue_id else None
        item.extra["venue"] = venue
        item.extra["venue_url"] = venue.get_absolute_url() if venue is not None else ""
    return items


def upcoming(limit: int, *, venue_id: int | None = None, now: datetime | None = None) -> list[registry.Item]:
    """The next `limit` public occurrences (in progress or to come), of every calendar or at one venue."""
    now = now or timezone.now()
    items = selectors.public_events(start=now, end=now + HORIZON, venue_id=venue_id)
    return with_public_urls(items[:limit])


def venue_section(venue: Venue) -> dict[str, Any] | None:
    """The venue page's "Prochains événements": None when nothing public is planned there."""
    items = upcoming(VENUE_LIMIT, venue_id=venue.pk)
    if not items:
        return None
    return {"events": items, "venue": venue, "agenda_url": f"{reverse('agenda:index')}?lieu={venue.slug}",
            "feed_url": reverse("agenda:venue-feed", args=[venue.slug])}


register_venue_section(Section(key="calendar", template="calendar_app/includes/venue_events.html",
                               context=venue_section, order=50))
