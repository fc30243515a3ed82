"""The public agenda (/agenda/): the network's public events, by day, a period at a time,
filtered by territory and by venue; the public page of an event.

Public (no login): only events whose visibility is public (`selectors.public_events`);
a members-only event's page answers 404 as if it did not exist. Everything works without
JavaScript; the filters are GET parameters (`territoire`, `lieu`, `depuis`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from calendar_app import public, recurrence, registry, selectors
from calendar_app.models import Event
from core import markdown
from core.services import absolute_url
from directory.models import Venue
from members.models import Territory

# One page of the agenda: four weeks from `depuis` (today by default).
PERIOD = timedelta(days=28)
# `depuis` is read up to this far ahead (a crawler following "next" forever stops there).
FURTHEST = timedelta(days=5 * 366)
# An event's page lists its next dates up to this many, this far ahead.
NEXT_DATES = 8
NEXT_DATES_HORIZON = timedelta(days=366)


@dataclass
class Day:
    day: date
    items: list[registry.Item]


def _since(value: str, today: date) -> date:
    """The period's first day from `?depuis=YYYY-MM-DD`: today when absent, unreadable or past."""
    try:
        day = date.fromisoformat(value[:10]) if value else today
    except ValueError:
        return today
    return min(max(day, today), today + FURTHEST)


def feed_links(path: str) -> dict[str, str]:
    """{"url": https://..., "webcal": webcal://...} of a feed."""
    url = absolute_url(path)
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1] if "://" in url else url}


def _public_masters() -> Q:
    return Q(visibility=Event.Visibility.PUBLIC, series__isnull=True)


def _by_day(items: list[registry.Item], first: date) -> list[Day]:
    """Occurrences grouped by the day they start on (in their own zone); one in progress
    since before the period is under its first day."""
    days: dict[date, list[registry.Item]] = {}
    for item in items:
        days.setdefault(max(item.start.date(), first), []).append(item)
    return [Day(day, days[day]) for day in sorted(days)]


@require_safe
def public_agenda(request: HttpRequest) -> HttpResponse:
    zone = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    today = now.astimezone(zone).date()
    since = _since(request.GET.get("depuis", ""), today)
    territories = list(
        Territory.objects.filter(space__calendar__events__visibility=Event.Visibility.PUBLIC)
        .select_related("space").distinct().order_by("name")
    )
    venues = list(
        Venue.objects.filter(events__visibility=Event.Visibility.PUBLIC, events__series__isnull=True)
        .filter(Q(events__last_end__isnull=True) | Q(events__last_end__gt=now))
        .distinct().order_by("name", "city").only("pk", "slug", "name", "city")
    )
    territory = next((t for t in territories if t.slug == request.GET.get("territoire")), None)
    venue = next((v for v in venues if v.slug == request.GET.get("lieu")), None)

    start = now if since == today else datetime.combine(since, time(), zone)
    end = datetime.combine(since + PERIOD, time(), zone)
    items = public.with_public_urls(selectors.public_events(
        start=start, end=end, space=territory.space if territory else None, venue_id=venue.pk if venue else None,
    ))
    later = Event.objects.filter(_public_masters()).exclude(status=Event.Status.CANCELLED).filter(
        Q(last_end__isnull=True) | Q(last_end__gt=end))
    if territory is not None:
        later = later.filter(calendar__space_id=territory.space_id)
    if venue is not None:
        later = later.filter(venue_id=venue.pk)

    filters = {key: value for key, value in (("territoire", territory.slug if territory else ""),
                                             ("lieu", venue.slug if venue else "")) if value}

    def page_url(day: date) -> str:
        query = {**filters, **({"depuis": day.isoformat()} if day != today else {})}
        return "?" + urlencode(query) if query else reverse("agenda:index")

    feeds = [("network", feed_links(reverse("agenda:network-feed")))]
    if territory is not None:
        feeds.append(("territory", feed_links(reverse("agenda:territory-feed", args=[territory.slug]))))
    if venue is not None:
        feeds.append(("venue", feed_links(reverse("agenda:venue-feed", args=[venue.slug]))))
    return render(request, "calendar_app/public_agenda.html", {
        "days": _by_day(items, since),
        "since": since,
        "until": since + PERIOD - timedelta(days=1),
        "is_today": since == today,
        "territories": territories,
        "venues": venues,
        "territory": territory,
        "venue": venue,
        "next_url": page_url(since + PERIOD) if later.exists() else "",
        "previous_url": page_url(max(today, since - PERIOD)) if since > today else "",
        "feeds": dict(feeds),
        "filtered": bool(filters),
    })


@require_safe
def public_event(request: HttpRequest, pk: int) -> HttpResponse:
    """A public event: when (its next dates for a series), where, what; "Ajouter à mon agenda"."""
    event = Event.objects.filter(_public_masters(), pk=pk).with_rules().first()
    if event is None:
        raise Http404
    now = timezone.now()
    chosen = recurrence.parse_occurrence(request.GET.get("occurrence", "")[:20])
    dates: list[registry.Item] = []
    if event.rrule:
        # The next dates (cancelled ones struck), members-only exceptions left out.
        dates = [item for item in selectors.expand([event], now, now + NEXT_DATES_HORIZON)
                 if item.event is not None and item.event.is_public][:NEXT_DATES]
        public.with_public_urls(dates)
    current = next((item for item in dates if chosen is not None and item.recurrence_id == chosen), None)
    zone = ZoneInfo(event.tz)
    return render(request, "calendar_app/public_event.html", {
        "event": event,
        "start": event.start.astimezone(zone),
        "end": event.end.astimezone(zone),
        "dates": dates,
        "current": current,
        "is_past": not event.rrule and event.end <= now,
        "description": mark_safe(markdown.render(event.description)),  # noqa: S308  (sanitised)
        "venue_url": event.venue.get_absolute_url() if event.venue is not None else "",
        "ics_url": reverse("agenda:event-ics", args=[event.pk]),
        "absolute_url": request.build_absolute_uri(reverse("agenda:event", args=[event.pk])),
    })
