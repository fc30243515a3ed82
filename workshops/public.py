"""Public workshops' reads (/ateliers/): the upcoming sessions of public workshops, filtered
(the agenda, its RSS and iCalendar feeds), a public workshop by its id, and the section
"Ateliers à venir" of a venue's directory page (registered here in `directory.pages`).

Public: workshops for the public (`audience="public"`) that were accepted (a cancelled one
has a page saying so, but no session in the agenda). Every read is a fixed number of
queries whatever the data: one for the sessions with their places (`selectors.with_counts`),
one for their dates.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from core.sections import Section
from core.templatetags.timefmt import hour_text
from directory.pages import register_venue_section
from workshops import permissions, selectors
from workshops.models import Session, SessionDate, Workshop

if TYPE_CHECKING:
    from directory.models import Venue
    from members.models import Territory

# Workshops whose sessions the agenda lists (a held or closed one has no session to come).
OPEN_STATUSES = (Workshop.Status.ACCEPTED, Workshop.Status.SCHEDULED)
VENUE_LIMIT = 5
# A workshop's page lists at most this many sessions to come (the agenda has them all).
WORKSHOP_SESSIONS = 50
# How far back the iCalendar feed keeps sessions (calendar apps keep what they saw).
FEED_PAST = timedelta(days=30)
NBSP = "\u00a0"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(), ZoneInfo(settings.TIME_ZONE))


def _filtered(queryset: QuerySet[Session], *, venue: Venue | None, territory: Territory | None,
              theme: str | None, public: str | None, start: date | None, end: date | None,
              now: datetime) -> QuerySet[Session]:
    queryset = queryset.filter(workshop__audience=Workshop.Audience.PUBLIC)
    if venue is not None:
        queryset = queryset.filter(venue=venue)
    if territory is not None:
        # The venue's territory; an online session, its workshop's.
        queryset = queryset.filter(Q(venue__territory=territory) | Q(venue__isnull=True, workshop__territory=territory))
    if theme:
        queryset = queryset.filter(workshop__themes__has=theme)
    if public:
        queryset = queryset.filter(workshop__publics__has=public)
    if start is not None:
        queryset = queryset.filter(start__gte=max(_day_start(start), now))
    else:
        queryset = queryset.filter(start__gte=now)
    if end is not None:
        queryset = queryset.filter(start__lt=_day_start(end + timedelta(days=1)))
    return queryset


def _upcoming(now: datetime) -> QuerySet[Session]:
    return Session.objects.filter(status=Session.Status.SCHEDULED, workshop__status__in=OPEN_STATUSES,
                                  workshop__audience=Workshop.Audience.PUBLIC, start__gte=now)


def _with_places(queryset: QuerySet[Session]) -> QuerySet[Session]:
    return selectors.with_counts(
        queryset.select_related("workshop", "venue", "venue__territory")
        .prefetch_related(Prefetch("dates", queryset=SessionDate.objects.order_by("start", "pk")))
    ).order_by("start", "pk")


def public_sessions(*, venue: Venue | None = None, territory: Territory | None = None, theme: str | None = None,
                    public: str | None = None, start: date | None = None, end: date | None = None,
                    now: datetime | None = None) -> QuerySet[Session]:
    """The upcoming scheduled sessions of public workshops (accepted or scheduled), by start,
    annotated with `taken` and `waiting` (`selectors.places_left`). `venue`, `territory`
    (the venue's, or the workshop's for an online session), `theme` (a schema service),
    `public` (a schema public), `start` and `end` (days, both included) narrow them."""
    now = now or timezone.now()
    queryset = Session.objects.filter(status=Session.Status.SCHEDULED, workshop__status__in=OPEN_STATUSES)
    return _with_places(_filtered(queryset, venue=venue, territory=territory, theme=theme, public=public,
                                  start=start, end=end, now=now))


def feed_sessions(*, venue: Venue | None = None, territory: Territory | None = None, theme: str | None = None,
                  public: str | None = None, start: date | None = None, end: date | None = None,
                  now: datetime | None = None) -> QuerySet[Session]:
    """The iCalendar feed's sessions: as `public_sessions`, plus the cancelled ones (so that
    calendar apps that had them strike them) and those of the last `FEED_PAST` days (held
    ones included: calendar apps keep them)."""
    now = now or timezone.now()
    queryset = Session.objects.filter(workshop__status__in=permissions.VISIBLE_STATUSES)
    return _with_places(_filtered(queryset, venue=venue, territory=territory, theme=theme, public=public,
                                  start=start, end=end, now=now - FEED_PAST))


def public_workshop_get(pk: int) -> Workshop:
    """A workshop the public may see (a cancelled one included), else 404."""
    workshop = selectors.workshops().filter(pk=pk).first()
    if workshop is None or not permissions.can_view_public(workshop):
        raise Http404
    return workshop


def workshop_sessions(workshop: Workshop, *, now: datetime | None = None) -> list[Session]:
    """The upcoming scheduled sessions of a public workshop, with their places (2 queries)."""
    now = now or timezone.now()
    if workshop.status not in OPEN_STATUSES:
        return []
    sessions = list(_with_places(Session.objects.filter(workshop=workshop, status=Session.Status.SCHEDULED,
                                                        start__gte=now))[:WORKSHOP_SESSIONS])
    for session in sessions:
        session.workshop = workshop  # the one already read: its status, no query
    return sessions


def agenda_venues(*, now: datetime | None = None) -> list[Venue]:
    """The venues having upcoming public sessions, by name (the venue filter's choices)."""
    from directory.models import Venue

    now = now or timezone.now()
    return list(Venue.objects.filter(pk__in=_upcoming(now).values("venue_id"))
                .order_by("name", "city", "pk").only("pk", "slug", "name", "city"))


def agenda_territories(*, now: datetime | None = None) -> list[Territory]:
    """The territories of those venues (or of the workshops of online sessions), by name."""
    from members.models import Territory

    now = now or timezone.now()
    upcoming = _upcoming(now)
    return list(Territory.objects.filter(
        Q(pk__in=upcoming.values("venue__territory_id"))
        | Q(pk__in=upcoming.filter(venue__isnull=True).values("workshop__territory_id"))
    ).order_by("name", "pk").only("pk", "slug", "name"))


def short_clock(moment: datetime) -> str:
    """"14 h" (French, on the hour), "14 h 30"; "14:00" in English."""
    return hour_text(moment)


def local(session: Session, moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(session.tz or settings.TIME_ZONE))


def hours_text(session: Session, start: datetime, end: datetime) -> str:
    """"14 h – 16 h" in the session's zone."""
    return f"{short_clock(local(session, start))}{NBSP}– {short_clock(local(session, end))}"


def when_text(session: Session) -> str:
    """"mardi 12 janvier, 14 h – 16 h" (its first date, for a cycle)."""
    start = local(session, session.start)
    dates = list(session.dates.all())
    first = dates[0] if dates else None
    hours = hours_text(session, first.start, first.end) if first else hours_text(session, session.start, session.end)
    return f"{date_format(start, 'l j F')}, {hours}"


def place_text(session: Session) -> str:
    venue = session.venue if session.venue_id else None
    if venue is not None:
        return ", ".join(part for part in (venue.name, venue.city) if part)
    if session.online_url:
        return gettext("Online")
    return session.location


def uid_host() -> str:
    return getattr(settings, "CALENDAR_UID_DOMAIN", "") or urlsplit(settings.BASE_URL).hostname or "maillage"


def date_uid(session_id: int, date_id: int) -> str:
    """The stable UID of one date of a session in the feeds."""
    return f"workshop-session-{session_id}-{date_id}@{uid_host()}"


# --- The venue page's section ------------------------------------------------------------------


def venue_section(venue: Venue) -> dict[str, Any] | None:
    """"Ateliers à venir": up to VENUE_LIMIT upcoming public sessions at `venue` (one query),
    None when there is none."""
    sessions = list(selectors.with_counts(
        Session.objects.filter(venue=venue, status=Session.Status.SCHEDULED, workshop__status__in=OPEN_STATUSES,
                               workshop__audience=Workshop.Audience.PUBLIC, start__gte=timezone.now())
        .select_related("workshop")
    ).order_by("start", "pk")[:VENUE_LIMIT])
    if not sessions:
        return None
    for session in sessions:
        session.places_left = selectors.places_left(session)
        start = local(session, session.start)
        session.when = f"{date_format(start, 'l j F')}, {short_clock(start)}"
    return {"sessions": sessions, "venue": venue,
            "agenda_url": f"{reverse('ateliers:index')}?{urlencode({'lieu': venue.slug})}"}


register_venue_section(Section(key="workshops", template="workshops/public_venue_section.html",
                               context=venue_section, order=60))
