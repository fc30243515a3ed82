"""The public directory of venues (/annuaire/): list with filters and map, map data, venue page.

Everything here is public (no login). The filters are GET parameters
(`directory.public_forms.PublicFilters`): the list works without JavaScript, the map
(static/js/venue_map.js, Leaflet) is added on top when scripts run.

The search flow: the form's action ends in `#resultats` (the results heading, which takes
the focus); a query holding empty parameters is redirected to the same query without
them; "near" (`pres`: a postal code or city, or `lat`/`lon`: the browser's position)
sorts by distance (`selectors.venues_public_near`); when "open now" finds nothing, the
next openings of the other matches are listed (`selectors.next_openings`).
"""

import datetime
import hashlib
import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from directory import geocoding, hours, pages, schema, selectors
from directory.models import fold
from directory.public_forms import PublicFilters, cleaned_query
from directory.templatetags.venue_public import json_text, web_url
from members import permissions

PER_PAGE = 20
# Markers closer than this many pixels are grouped (Leaflet.markercluster): overlapping
# venues (the same building, the same square) never hide one another.
CLUSTER_RADIUS = 40
RESULTS_ANCHOR = "resultats"  # the results heading's id: the form sends the reader there


def _page_number(request):
    return request.GET.get("page", "")[:10]


# The map's sentences go to the script as templates (it fills in the numbers): one form
# for 1, one for more (the French rule for 0 does not arise: 0 has its own sentence).
def _on_the_map(count):
    return ngettext("%(count)s venue on the map.", "%(count)s venues on the map.", count)


def _not_on_the_map(count):
    return ngettext(
        "%(missing)s of the %(total)s venues found has no known location: it is in the list only.",
        "%(missing)s of the %(total)s venues found have no known location: they are in the list only.",
        count,
    )


def _cluster_title(count):
    return ngettext(
        "%(count)s venue here: zoom in to see it", "%(count)s venues here: zoom in to see them", count
    )


def map_config(**extra):
    """What venue_map.js needs: tiles (settings), icons (static files), texts (translated)."""
    config = {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": list(settings.MAP_CENTER),
        "zoom": settings.MAP_ZOOM,
        "clusterRadius": CLUSTER_RADIUS,
        "controls": {
            "zoomIn": _("Zoom in"),
            "zoomOut": _("Zoom out"),
            "clusterOne": _cluster_title(1),
            "clusterMany": _cluster_title(2),
        },
        "icons": {
            "iconUrl": static("leaflet/images/marker-icon.png"),
            "iconRetinaUrl": static("leaflet/images/marker-icon-2x.png"),
            "shadowUrl": static("leaflet/images/marker-shadow.png"),
        },
    }
    config.update(extra)
    return config


GEOCODED_CACHE_SECONDS = 24 * 3600


def _geocoded(text):
    """A place outside the directory's own postal codes and cities, from the geocoding
    service when the site has one (GEOCODER_URL), cached a day per text (None otherwise)."""
    if not geocoding.is_enabled():
        return None
    key = "directory:near:" + hashlib.sha256(fold(text).encode()).hexdigest()
    cached = cache.get(key)
    if cached is None:
        is_postal_code = bool(schema.POSTAL_CODE_RE.match(text))
        located = geocoding.locate(postal_code=text if is_postal_code else "", city="" if is_postal_code else text)
        place = located.place
        cached = (float(place.latitude), float(place.longitude)) if place is not None else ()
        cache.set(key, cached, GEOCODED_CACHE_SECONDS)
    return selectors.Place(*cached) if cached else None


def _near(filters):
    """(place, origin): the place searched for ("" for the browser's position) and its point.

    The place is looked for among the directory's venues first (no outside call), then
    through the geocoding service if the site has one. The origin is None when not found.
    """
    if filters.near:
        return filters.near, selectors.locate(filters.near) or _geocoded(filters.near)
    if filters.has_position:
        return "", selectors.Place(filters.latitude, filters.longitude)
    return "", None


@require_safe
def venue_directory(request):
    """Find a venue near you: words, territory, city, services, publics, access, free, open
    now, near a place or the browser's position (by distance)."""
    kept = cleaned_query(request.GET)
    if kept is not None:
        # `?q=&commune=&service=x` -> `?service=x` (the fragment, if any, is kept by the browser).
        url = reverse("public_directory:list") + (f"?{urlencode(kept)}" if kept else "")
        return HttpResponseRedirect(url)
    filters = PublicFilters.from_query(request.GET)
    territories = list(selectors.public_territories())
    if filters.territory and filters.territory not in {territory.slug for territory in territories}:
        filters = filters.without_territory()
    now = timezone.now()
    place, origin = _near(filters)
    if origin is not None:
        ranked = selectors.venues_public_near(origin=origin, **filters.selector_kwargs(), now=now)
        page = Paginator(ranked, PER_PAGE).get_page(_page_number(request))
        venues = selectors.venues_public_page(selectors.venues_public_by_ids(page.object_list), now=now)
    else:
        page = Paginator(selectors.venues_public(**filters.selector_kwargs(), now=now), PER_PAGE).get_page(
            _page_number(request)
        )
        venues = selectors.venues_public_page(page.object_list, now=now)
    openings = []
    if filters.open_now and not page.paginator.count:
        openings = selectors.next_openings(**filters.selector_kwargs(), now=now)
    query = filters.query_string()
    data_url = reverse("public_directory:map-data") + (f"?{query}" if query else "")
    texts = {
        "none": _("None of these venues has a known location: they are in the list only."),
        "one": _on_the_map(1),
        "many": _on_the_map(2),
        "missing_one": _not_on_the_map(1),
        "missing_many": _not_on_the_map(2),
        "error": _("The map could not be loaded. The list below has every venue found."),
        "loading": _("Loading the map…"),
        "locating": _("Looking for your position…"),
        "locate_denied": _("Your position could not be read. Type a postal code or a city instead."),
    }
    return render(
        request,
        "directory/public_list.html",
        {
            "filters": filters,
            "page": page,
            "venues": venues,
            "near_place": place,
            "near_origin": origin,
            "next_openings": openings,
            "now": now,
            "results_anchor": RESULTS_ANCHOR,
            "territories": territories,
            "cities": selectors.public_cities(),
            "extra_query": query,
            "map_config": map_config(mode="list", dataUrl=data_url, total=page.paginator.count, texts=texts),
        },
    )


@require_safe
def venue_map_data(request):
    """The map's points for the same filters as the list: {"count": n, "venues": [{id, name, city, lat, lon, url}]}."""
    filters = PublicFilters.from_query(request.GET)
    points = selectors.venues_public_map(**filters.selector_kwargs())
    # < > & escaped: the names are whatever editors typed; valid JSON all the same.
    return HttpResponse(json_text({"count": len(points), "venues": points}), content_type="application/json")


_DAYS = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)(?:-(?:Mo|Tu|We|Th|Fr|Sa|Su))?"
_RANGE = r"\d{2}:\d{2}-\d{2}:\d{2}"
_SIMPLE_RULE = re.compile(rf"^({_DAYS}(?:,{_DAYS})*) ({_RANGE}(?:,{_RANGE})*)$")


def schema_org_hours(value):
    """schema.org `openingHours` from the OSM syntax: the simple rules (`Mo-Fr 09:00-12:00`).

    One entry per days-and-range ("Mo-Fr 09:00-12:00", "Mo-Fr 14:00-18:30"); "24/7" is
    "Mo-Su"; rules schema.org cannot say (public holidays, comments, weeks) are left out.
    """
    value = (value or "").strip()
    if value == "24/7":
        return ["Mo-Su"]
    entries = []
    for rule in value.split(";"):
        match = _SIMPLE_RULE.match(" ".join(rule.split()))
        if match:
            entries.extend(f"{match[1]} {time_range}" for time_range in match[2].split(","))
    return entries


def venue_json_ld(request, venue):
    """schema.org `Place` of the venue (address, coordinates, phone, opening hours)."""
    data = {
        "@context": "https://schema.org",
        "@type": "Place",
        "name": venue.name,
        "url": request.build_absolute_uri(venue.get_absolute_url()),
        "address": {
            "@type": "PostalAddress",
            "streetAddress": ", ".join(part for part in (venue.address, venue.address_complement) if part),
            "postalCode": venue.postal_code,
            "addressLocality": venue.city,
            "addressCountry": "FR",
        },
    }
    if venue.summary:
        data["description"] = venue.summary
    if venue.has_location:
        data["geo"] = {
            "@type": "GeoCoordinates", "latitude": float(venue.latitude), "longitude": float(venue.longitude),
        }
    if venue.phone:
        data["telephone"] = venue.phone
    opening = schema_org_hours(venue.opening_hours)
    if opening:
        data["openingHours"] = opening
    if venue.photo:
        data["image"] = request.build_absolute_uri(venue.photo.url)
    websites = [url for url in venue.websites if web_url(url)]
    if websites:
        data["sameAs"] = websites
    return data


@require_safe
def venue_detail(request, slug):
    """Everything the national schema says about a venue, in words, with its map and hours."""
    venue = selectors.venue_public_get(slug)
    now = timezone.now()
    point = None
    if venue.has_location:
        point = {"name": venue.name, "city": venue.city, "lat": float(venue.latitude), "lon": float(venue.longitude)}
    return render(
        request,
        "directory/public_detail.html",
        {
            "venue": venue,
            "status": hours.status(venue.opening_hours, venue.latitude, venue.longitude, now),
            "days": hours.week(venue.opening_hours, venue.latitude, venue.longitude, now),
            "is_itinerant": schema.Itinerance.MOBILE in venue.itinerance,
            "can_edit": permissions.can_edit_venue(request.user, venue),
            # A recent edit reads "il y a 9 minutes", "hier à 12 h 30"; an older one by its date.
            "updated_recently": now - venue.updated_at < datetime.timedelta(days=7),
            "json_ld": venue_json_ld(request, venue),
            "absolute_url": request.build_absolute_uri(venue.get_absolute_url()),
            "photo_url": request.build_absolute_uri(venue.photo.url) if venue.photo else "",
            "map_config": map_config(mode="point", point=point, zoom=15) if point else None,
            # What other apps show on the page (directory.pages): the calendar's next events.
            "sections": pages.venue_sections(venue),
        },
    )
