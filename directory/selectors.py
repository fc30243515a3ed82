"""Venue reads: what a member may edit, a venue's history, and the public directory."""

import dataclasses
import datetime
import decimal
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import opening_hours
from django.db.models import Avg, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from directory import hours, schema
from directory.models import Venue, VenueRevision
from members import permissions
from members.models import Territory
from members.selectors import fold

if TYPE_CHECKING:
    from members.models import User

SEARCH_MAX_WORDS = 8

# (id, city, opening_hours, latitude, longitude): what "open now" and the exact city read.
Row = tuple[int, str, str, decimal.Decimal | None, decimal.Decimal | None]


def venues_editable_by(*, user: "User") -> QuerySet[Venue]:
    """The venues `user` keeps up to date: their own, their territories' (all for coordinators)."""
    venues = Venue.objects.select_related("territory").order_by("territory__name", "name")
    scope = permissions.editable_venues_q(user)
    return venues if scope is None else venues.filter(scope)


def venue_get_for_edit(user: "User", pk: int) -> Venue:
    """A venue `user` may edit (404 otherwise)."""
    venue = Venue.objects.select_related("territory").filter(pk=pk).first()
    if venue is None or not permissions.can_edit_venue(user, venue):
        raise Http404
    return venue


def venue_history(*, venue: Venue) -> QuerySet[VenueRevision]:
    """The venue's revisions, newest first, with their authors (paginate the result)."""
    return VenueRevision.objects.filter(venue=venue).select_related("author").order_by("-created_at", "-id")


def latest_revision_id(venue: Venue) -> int | None:
    return VenueRevision.objects.filter(venue=venue).order_by("-id").values_list("id", flat=True).first()


def revision_get_for_venue(venue: Venue, pk: int) -> VenueRevision:
    revision = VenueRevision.objects.select_related("author", "restored_from").filter(venue=venue, pk=pk).first()
    if revision is None:
        raise Http404
    return revision


def search_words(text: str | None) -> list[str]:
    """The words of a search, folded (case and accents ignored), at most SEARCH_MAX_WORDS."""
    return fold(text).split()[:SEARCH_MAX_WORDS]


# --- Public directory (/annuaire/) ---------------------------------------------------------
#
# Filters combine with AND; within one multiple-choice list (services, publics, access
# modes, support modes) a venue matches if it has ANY of the values (OR). The city is
# compared folded (case and accents ignored) and "open now" is evaluated in Python
# (opening hours in the OSM syntax, in the venue's time zone): both read the candidate
# rows in one query, then narrow the queryset by primary key.

def _has(field: str, value: str) -> Q:
    """The list `field` holds exactly `value` (LIKE '%|value|%', see directory.fields.Has)."""
    return Q(**{f"{field}__has": value})


def _any_of(field: str, values: Iterable[str]) -> Q:
    condition = Q()
    for value in values:
        condition |= _has(field, value)
    return condition


def _venues_matching(
    *,
    text: str = "",
    territory_slug: str = "",
    city: str = "",
    services: Sequence[str] = (),
    publics: Sequence[str] = (),
    access_modes: Sequence[str] = (),
    support_modes: Sequence[str] = (),
    free: bool = False,
) -> QuerySet[Venue]:
    """Every filter the database can answer (the city only roughly: see `_matching_ids`)."""
    venues = Venue.objects.all()
    for word in search_words(text):
        venues = venues.filter(search_text__contains=word)
    if territory_slug:
        venues = venues.filter(territory__slug=territory_slug)
    for field, values in (
        ("services", services), ("publics", publics), ("access_modes", access_modes), ("support_modes", support_modes),
    ):
        if values:
            venues = venues.filter(_any_of(field, values))
    if free:
        venues = venues.filter(_has("fees", schema.Fee.FREE))
    city = fold(city)
    if city:
        # search_text holds the folded city: a cheap first cut, `_matching_ids` compares exactly.
        venues = venues.filter(search_text__contains=city)
    return venues


def _matching_ids(rows: Sequence[Row], *, city: str, open_now: bool, now: datetime.datetime) -> list[int]:
    """Ids of `(id, city, opening_hours, latitude, longitude)` rows whose folded city is
    `city` (when given) and that are open at `now` (when `open_now`: `hours.open_ids`)."""
    if city:
        rows = [row for row in rows if fold(row[1]) == city]
    if not open_now:
        return [row[0] for row in rows]
    return hours.open_ids([(pk, value, lat, lon) for pk, _city, value, lat, lon in rows], now=now)


def venues_public(
    *,
    text: str = "",
    territory_slug: str = "",
    city: str = "",
    services: Sequence[str] = (),
    publics: Sequence[str] = (),
    access_modes: Sequence[str] = (),
    support_modes: Sequence[str] = (),
    free: bool = False,
    open_now: bool = False,
    now: datetime.datetime | None = None,
) -> QuerySet[Venue]:
    """Venues of the public directory matching every filter, by name (a queryset).

    `text`: every word in the name, city, postal code, address or summary (case and
    accents ignored); `territory_slug`; `city` (case and accents ignored); `services`,
    `publics`, `access_modes`, `support_modes`: schema values, ANY of each list;
    `free`: fees include « Gratuit »; `open_now`: open at `now` (default: now).
    With `city` or `open_now`, one query reads the candidates' (id, city, hours,
    coordinates) when called; the result is then filtered by primary key.
    """
    venues = _venues_matching(
        text=text, territory_slug=territory_slug, city=city, services=services, publics=publics,
        access_modes=access_modes, support_modes=support_modes, free=free,
    )
    city = fold(city)
    if city or open_now:
        rows = list(venues.order_by().values_list("id", "city", "opening_hours", "latitude", "longitude"))
        kept = _matching_ids(rows, city=city, open_now=open_now, now=now or timezone.now())
        dropped = set(row[0] for row in rows).difference(kept)
        # The shorter list of ids goes into the SQL (SQLite limits a query's parameters).
        venues = venues.filter(pk__in=kept) if len(kept) <= len(dropped) else venues.exclude(pk__in=sorted(dropped))
    return venues.select_related("territory").order_by("name", "pk")


def venues_public_page(venues: Iterable[Venue], *, now: datetime.datetime | None = None) -> list[Venue]:
    """The venues of one page (a list) with what their cards show: `status` (hours.status)."""
    now = now or timezone.now()
    venues = list(venues)
    for venue in venues:
        venue.status = hours.status(  # type: ignore[attr-defined]
            venue.opening_hours, venue.latitude, venue.longitude, now
        )
    return venues


def venues_public_map(
    *,
    text: str = "",
    territory_slug: str = "",
    city: str = "",
    services: Sequence[str] = (),
    publics: Sequence[str] = (),
    access_modes: Sequence[str] = (),
    support_modes: Sequence[str] = (),
    free: bool = False,
    open_now: bool = False,
    now: datetime.datetime | None = None,
) -> list[dict[str, Any]]:
    """The map's points: `[{id, name, city, lat, lon, url}]` of the matching venues with coordinates.

    Same filters and meaning as `venues_public`, in exactly one query (the city and
    opening hours are checked in Python on the rows read, as `venues_public` does).
    """
    venues = _venues_matching(
        text=text, territory_slug=territory_slug, city=city, services=services, publics=publics,
        access_modes=access_modes, support_modes=support_modes, free=free,
    ).filter(latitude__isnull=False, longitude__isnull=False)
    city = fold(city)
    now = now or timezone.now()
    # One reverse() for all: the detail URL with a placeholder slug.
    url = reverse("public_directory:detail", kwargs={"slug": "slug"})
    prefix, suffix = url[: url.rindex("slug")], url[url.rindex("slug") + 4:]
    # Coordinates are never None here (filtered above).
    rows: list[tuple[Any, ...]] = list(venues.order_by("name", "pk").values_list(
        "id", "city", "opening_hours", "latitude", "longitude", "name", "slug"
    ))
    if city or open_now:
        kept = set(_matching_ids([row[:5] for row in rows], city=city, open_now=open_now, now=now))
        rows = [row for row in rows if row[0] in kept]
    return [
        {
            "id": pk, "name": name, "city": row_city,
            "lat": round(float(latitude), 6), "lon": round(float(longitude), 6),
            "url": f"{prefix}{slug}{suffix}",
        }
        for pk, row_city, _hours, latitude, longitude, name, slug in rows
    ]


# --- "Near": a place typed in or the browser's position, results by distance ---------------
#
# The place is resolved from the directory's own venues (no outside service): the centre
# of the venues of that postal code or city. Distances are great-circle (haversine) in
# Python on the filtered candidates' coordinates, read in the same single query as the
# city and open-now checks; the list is then paginated by id (one query for the page).

EARTH_RADIUS_KM = 6371.0
POSTAL_CODE_RE = schema.POSTAL_CODE_RE


@dataclasses.dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points (degrees)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def locate(text: str) -> Place | None:
    """The centre of the directory's venues of postal code or city `text` (one query), or None.

    A postal code (5 digits) is compared exactly; a city name folded (case, accents and
    hyphens as the search ignores them). Venues without coordinates are left out.
    """
    text = (text or "").strip()
    located = Venue.objects.filter(latitude__isnull=False, longitude__isnull=False)
    if POSTAL_CODE_RE.match(text):
        centre = located.filter(postal_code=text).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
        if centre["lat"] is None:
            return None
        return Place(float(centre["lat"]), float(centre["lon"]))
    name = fold(text)
    if not name:
        return None
    rows = [
        (float(lat), float(lon))
        for city, lat, lon in located.filter(search_text__contains=name).values_list("city", "latitude", "longitude")
        if fold(city) == name and lat is not None and lon is not None
    ]
    if not rows:
        return None
    return Place(sum(lat for lat, _lon in rows) / len(rows), sum(lon for _lat, lon in rows) / len(rows))


def venues_public_near(
    *,
    origin: Place,
    text: str = "",
    territory_slug: str = "",
    city: str = "",
    services: Sequence[str] = (),
    publics: Sequence[str] = (),
    access_modes: Sequence[str] = (),
    support_modes: Sequence[str] = (),
    free: bool = False,
    open_now: bool = False,
    now: datetime.datetime | None = None,
) -> list[tuple[int, float | None]]:
    """`(id, km)` of the venues matching the filters (as `venues_public`), nearest first.

    One query (the candidates' id, city, hours, coordinates, name); venues without
    coordinates come last (km None), by name. Paginate the list, then read a page with
    `venues_public_by_ids`.
    """
    venues = _venues_matching(
        text=text, territory_slug=territory_slug, city=city, services=services, publics=publics,
        access_modes=access_modes, support_modes=support_modes, free=free,
    )
    rows = list(venues.order_by("name", "pk").values_list("id", "city", "opening_hours", "latitude", "longitude"))
    city = fold(city)
    if city or open_now:
        kept = set(_matching_ids(rows, city=city, open_now=open_now, now=now or timezone.now()))
        rows = [row for row in rows if row[0] in kept]
    placed: list[tuple[int, float]] = []
    unplaced: list[tuple[int, float | None]] = []
    for pk, _city, _hours, lat, lon in rows:
        if lat is None or lon is None:
            unplaced.append((pk, None))
        else:
            placed.append((pk, haversine_km(origin.latitude, origin.longitude, float(lat), float(lon))))
    placed.sort(key=lambda item: item[1])  # stable: equal distances stay by name
    return [*placed, *unplaced]


def venues_public_by_ids(items: Sequence[tuple[int, float | None]]) -> list[Venue]:
    """The venues of `(id, km)` pairs, in that order, each with `distance` (km or None): one query."""
    found = Venue.objects.select_related("territory").in_bulk([pk for pk, _km in items])
    venues = []
    for pk, km in items:
        if pk in found:
            venue = found[pk]
            venue.distance = km  # type: ignore[attr-defined]
            venues.append(venue)
    return venues


# --- Next openings (when "open now" finds nothing) -----------------------------------------

NEXT_OPENINGS = 5
NEXT_OPENINGS_SCAN = 1000  # candidate venues read at most (by name): the work stays bounded
NEXT_OPENINGS_DAYS = 8


@dataclasses.dataclass(frozen=True)
class NextOpening:
    name: str
    city: str
    url: str
    at: datetime.datetime  # aware, in the venue's time zone


def next_openings(
    *,
    text: str = "",
    territory_slug: str = "",
    city: str = "",
    services: Sequence[str] = (),
    publics: Sequence[str] = (),
    access_modes: Sequence[str] = (),
    support_modes: Sequence[str] = (),
    free: bool = False,
    open_now: bool = False,
    now: datetime.datetime | None = None,
    limit: int = NEXT_OPENINGS,
) -> list[NextOpening]:
    """The next openings of the venues matching every filter but "open now", soonest first.

    One query; at most NEXT_OPENINGS_SCAN candidates are looked at, `limit` returned.
    Each venue's hours are read in its own time zone (`directory.hours`); venues without
    readable hours, or not opening within NEXT_OPENINGS_DAYS days, are left out.
    """
    venues = _venues_matching(
        text=text, territory_slug=territory_slug, city=city, services=services, publics=publics,
        access_modes=access_modes, support_modes=support_modes, free=free,
    ).exclude(opening_hours="")
    rows = venues.order_by("name", "pk").values_list(
        "city", "opening_hours", "latitude", "longitude", "name", "slug"
    )[:NEXT_OPENINGS_SCAN]
    city = fold(city)
    now = now or timezone.now()
    url = reverse("public_directory:detail", kwargs={"slug": "slug"})
    prefix, suffix = url[: url.rindex("slug")], url[url.rindex("slug") + 4:]
    found = []
    for row_city, value, lat, lon, name, slug in rows:
        if city and fold(row_city) != city:
            continue
        parsed = hours.parse(value, lat, lon)
        if parsed is None:
            continue
        local = now.astimezone(hours.zone_for(lat, lon))
        until = local + datetime.timedelta(days=NEXT_OPENINGS_DAYS)
        for start, _end, state, _comment in parsed.intervals(local, until):
            if state == opening_hours.State.OPEN:
                if start > local:
                    found.append(NextOpening(name=name, city=row_city, url=f"{prefix}{slug}{suffix}", at=start))
                break
    found.sort(key=lambda opening: (opening.at, opening.name))
    return found[:limit]


def venue_public_get(slug: str) -> Venue:
    """A venue of the public directory by its slug (404 when there is none)."""
    venue = Venue.objects.select_related("territory").filter(slug=slug).first()
    if venue is None:
        raise Http404
    return venue


def public_territories() -> QuerySet[Territory]:
    """The territories that have venues, by name (the territory filter's choices)."""
    return Territory.objects.filter(venues__isnull=False).distinct().order_by("name")


def public_cities() -> list[str]:
    """The distinct city names of the directory, sorted (suggestions of the city filter)."""
    return list(Venue.objects.order_by("city").values_list("city", flat=True).distinct())
