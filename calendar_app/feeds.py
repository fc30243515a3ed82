"""The iCalendar feeds: the secret links of the private feeds (services), what each feed
holds and its cheap ETag (selectors).

A private feed is a member's "Mon agenda" (the calendars they see now and did not hide, the
events they are invited to, the other apps' items) or one calendar they see. Its URL holds
a `FeedToken`: revoking deletes the row (the old URL answers 404 at once), regenerating
changes the secret. Nothing is cached per member: at every request the feed asks the
permissions again, so a member who leaves a workgroup loses its events at once.

Feeds are written whole (masters with their `RRULE`, never expanded) over a window from
six months back to two years ahead; their number of queries does not depend on the data.
The ETag is computed without building the feed: one query over the calendars concerned
(`Calendar.changed_at`, bumped by every service that changes their events), plus each
registry source's `version(user)`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from calendar_app import ical, permissions, registry, selectors
from calendar_app.models import Attendee, Calendar, Event, FeedToken, HiddenCalendar, new_feed_token
from core import spaces

if TYPE_CHECKING:
    from directory.models import Venue
    from members.models import Territory, User

WINDOW_BACK = timedelta(days=183)
WINDOW_AHEAD = timedelta(days=731)


# --- Services ---------------------------------------------------------------------------------


def feed_token_get_or_create(*, actor: User, calendar: Calendar | None = None) -> FeedToken:
    """The secret link of the member's "Mon agenda" (`calendar` None) or of one calendar they see."""
    permissions.can_subscribe(actor, calendar).check()
    existing = FeedToken.objects.filter(user=actor, calendar=calendar).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return FeedToken.objects.create(user=actor, calendar=calendar)
    except IntegrityError:  # made meanwhile by another request
        return FeedToken.objects.get(user=actor, calendar=calendar)


def _own(actor: User, token: FeedToken) -> None:
    permissions.can_manage_feed(actor, token).check()


def feed_token_revoke(*, actor: User, token: FeedToken) -> None:
    """Delete the link: calendar apps polling it get a 404 from now on."""
    _own(actor, token)
    with transaction.atomic():
        FeedToken.objects.filter(pk=token.pk).delete()


def feed_token_regenerate(*, actor: User, token: FeedToken) -> FeedToken:
    """A new secret for the same feed: the old link answers 404 from now on."""
    _own(actor, token)
    with transaction.atomic():
        token.token = new_feed_token()
        token.created_at = timezone.now()
        updated = FeedToken.objects.filter(pk=token.pk).update(token=token.token, created_at=token.created_at)
    if not updated:
        raise PermissionDenied(_("This subscription link no longer exists."))
    return token


# --- Selectors --------------------------------------------------------------------------------


@dataclass
class Feed:
    """What a feed holds, ready for `ical.calendar_text`."""

    name: str
    filename: str
    events: list[Event] = field(default_factory=list)  # masters, single events and exceptions
    items: list[registry.Item] = field(default_factory=list)
    public: bool = False
    description: str = ""

    def text(self, stamp: datetime | None = None) -> str:
        return ical.calendar_text(name=self.name, events=self.events, items=self.items, public=self.public,
                                  stamp=stamp, description=self.description)


@dataclass(frozen=True)
class Version:
    """A feed's ETag and Last-Modified, computed without building it."""

    etag: str
    last_modified: datetime | None


def feed_window(today: datetime | None = None) -> tuple[datetime, datetime]:
    """Six months back to two years ahead, from the start of today (UTC): the same window
    all day long, so that the same data gives the same feed."""
    day = (today or timezone.now()).astimezone(UTC).date()
    start = datetime.combine(day, time(), UTC)
    return start - WINDOW_BACK, start + WINDOW_AHEAD


def _digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40]


# What the writer reads besides the event (the calendar's space is not needed: lighter rows).
FEED_RELATED = ("category", "venue")


VENUE_FIELDS = {"id", "name", "slug", "address", "address_complement", "postal_code", "city"}


def _light(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """With the category and the venue, of which only what LOCATION reads (a venue row is
    large: thousands of them are slow to build)."""
    from directory.models import Venue

    heavy = [f"venue__{field.name}" for field in Venue._meta.concrete_fields if field.name not in VENUE_FIELDS]
    return queryset.select_related(*FEED_RELATED).defer(*heavy)


def with_exceptions(masters: list[Event]) -> list[Event]:
    """`masters` and the exceptions of the recurring ones (1 query, none without a series)."""
    ids = [event.pk for event in masters if event.rrule]
    if not ids:
        return list(masters)
    exceptions = list(_light(Event.objects.filter(series_id__in=ids)).order_by("series_id", "recurrence_id", "pk"))
    return [*masters, *exceptions]


def feed_masters(where: Q, start: datetime, end: datetime) -> list[Event]:
    """Masters and single events matching `where` that may have an occurrence in [start, end)
    (as `selectors.events_in_window`, with the lighter rows the writer needs; 1 query)."""
    return list(
        _light(Event.objects.filter(where, series__isnull=True, start__lt=end)
               .filter(Q(last_end__isnull=True) | Q(last_end__gt=start)))
        .order_by("start", "pk")
    )


def feed_token_get(token: str) -> FeedToken | None:
    """The token of a private feed's URL, with its member and calendar (1 query)."""
    if not token or len(token) > 64:
        return None
    return (FeedToken.objects.filter(token=token)
            .select_related("user", "calendar__space", "calendar__owner",
                            *spaces.related_for_rules("calendar__space"))
            .first())


def tokens_of(user: User) -> dict[int | None, FeedToken]:
    """{calendar id (None: "Mon agenda"): token} of the member's links (1 query)."""
    return {token.calendar_id: token for token in FeedToken.objects.filter(user=user)}


def private_feed_allowed(token: FeedToken) -> bool:
    """Whether the feed may still be read: its member is an approved member and, for a
    calendar's feed, still sees the calendar (asked at every request)."""
    return bool(permissions.can_subscribe(token.user, token.calendar))


def _sources_version(user: User) -> tuple[str, ...]:
    versions = []
    for source in registry.sources():
        if source.version is None:
            # No cheap version: the feed changes every hour at least.
            versions.append(f"{source.key}:{timezone.now():%Y%m%d%H}")
        else:
            versions.append(f"{source.key}:{source.version(user)}")
    return tuple(versions)


def private_feed_version(token: FeedToken) -> Version:
    """ETag of a private feed: its calendars' `changed_at` (1 query for "Mon agenda", none
    for one calendar), the token, the day (the window moves) and the sources' versions."""
    user = token.user
    start, _end = feed_window()
    if token.calendar is not None:
        calendar = token.calendar
        return Version(_digest("calendar", token.token, start, calendar.pk, calendar.changed_at),
                       max(calendar.changed_at, token.created_at))
    invited = (Attendee.objects.filter(user=user).exclude(response=Attendee.Response.NO)
               .values("event__calendar_id"))
    invitations = (Attendee.objects.filter(user=user, event__calendar_id=OuterRef("pk"))
                   .exclude(response=Attendee.Response.NO)
                   .values("event__calendar_id").annotate(count=Count("pk")).values("count"))
    rows = list(
        Calendar.objects.filter(Q(pk__in=selectors.calendars_visible_to(user).values("pk")) | Q(pk__in=invited))
        .annotate(hidden=Exists(HiddenCalendar.objects.filter(user=user, calendar=OuterRef("pk"))),
                  invitations=Subquery(invitations))
        .order_by("pk").values_list("pk", "changed_at", "hidden", "invitations")
    )
    last = max([token.created_at, *(row[1] for row in rows)])
    return Version(_digest("agenda", token.token, start, rows, _sources_version(user)), last)


def private_feed(token: FeedToken) -> Feed:
    """The content of a private feed (the caller has checked `private_feed_allowed`)."""
    user = token.user
    start, end = feed_window()
    if token.calendar is not None:
        calendar = token.calendar
        masters = feed_masters(Q(calendar_id=calendar.pk), start, end)
        return Feed(name=f"{calendar.name} · Maillage", filename=f"{slugify(calendar.name) or 'agenda'}.ics",
                    events=with_exceptions(masters))
    calendars = selectors.agenda_calendars(user)
    invited = (Attendee.objects.filter(user=user).exclude(response=Attendee.Response.NO).values("event_id"))
    masters = feed_masters(Q(calendar_id__in=[c.pk for c in calendars]) | Q(pk__in=invited), start, end)
    items: list[registry.Item] = []
    for source in registry.sources():
        items.extend(source.items(user, start, end))
    return Feed(name=_("My agenda · Maillage"), filename="mon-agenda.ics", events=with_exceptions(masters),
                items=items)


def public_feed_version(key: str) -> Version:
    """ETag of a public feed: every calendar's last change (1 query: an event may move to a
    public venue of any calendar), the feed and the day."""
    start, _end = feed_window()
    found = Calendar.objects.aggregate(last=Max("changed_at"), count=Count("pk"), ids=Sum("pk"))
    return Version(_digest("public", key, start, found["last"], found["count"], found["ids"]), found["last"])


def _public_masters(where: Q) -> list[Event]:
    start, end = feed_window()
    return feed_masters(where & Q(visibility=Event.Visibility.PUBLIC), start, end)


def network_feed() -> Feed:
    """Every public event."""
    return Feed(name=_("Network agenda · Maillage"), filename="reseau.ics", public=True,
                events=with_exceptions(_public_masters(Q())))


def territory_feed(territory: Territory) -> Feed:
    """The public events of the territory's calendar and those at its venues."""
    where = Q(calendar__space_id=territory.space_id) | Q(venue__territory_id=territory.pk)
    return Feed(name=_("Agenda of %(name)s · Maillage") % {"name": territory.name},
                filename=f"territoire-{territory.slug}.ics", public=True,
                events=with_exceptions(_public_masters(where)))


def venue_feed(venue: Venue) -> Feed:
    """The public events at the venue."""
    return Feed(name=_("Agenda of %(name)s · Maillage") % {"name": venue.name},
                filename=f"lieu-{venue.slug}.ics", public=True,
                events=with_exceptions(_public_masters(Q(venue_id=venue.pk))))


def event_feed(event: Event, *, public: bool) -> Feed:
    """One event (a series whole, with its exceptions)."""
    return Feed(name=event.title, filename=f"{slugify(event.title)[:60] or 'evenement'}.ics", public=public,
                events=with_exceptions([event]))


def event_version(event: Event) -> Version:
    """ETag of one event's file: its calendar's last change (read with the event)."""
    changed = event.calendar.changed_at
    return Version(_digest("event", event.pk, event.updated_at, changed), max(changed, event.updated_at))
