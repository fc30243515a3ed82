"""The iCalendar feeds calendar apps poll, the `.ics` of one event, and the page of the
member's secret links (/bureau/agenda/abonnements/).

Every feed answers with an ETag and a Last-Modified computed before the feed is built
(`feeds.*_version`), and 304 to a client that already has it: polling costs a few queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from calendar_app import feeds, permissions, selectors
from calendar_app.models import Calendar, Event, FeedToken
from core import spaces
from core.services import absolute_url
from directory.models import Venue
from members.models import Territory

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _ics(request: HttpRequest, version: feeds.Version, build: Callable[[], feeds.Feed], *,
         private: bool) -> HttpResponse:
    """304 when the client has this version; else the feed, built now."""
    etag = quote_etag(version.etag)
    stamp = int(version.last_modified.timestamp()) if version.last_modified else None
    response = get_conditional_response(request, etag=etag, last_modified=stamp)
    if response is None:
        with translation.override(settings.LANGUAGE_CODE):
            feed = build()
            response = HttpResponse(feed.text(stamp=version.last_modified), content_type=CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{feed.filename}"'
    response["ETag"] = etag
    if stamp is not None:
        response["Last-Modified"] = http_date(stamp)
    # Calendar apps ask again each hour (REFRESH-INTERVAL); a proxy must check with us.
    response["Cache-Control"] = "private, no-cache" if private else "public, no-cache"
    if private:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
    return response


# --- Feeds --------------------------------------------------------------------------------


@require_safe
def private_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A member's "Mon agenda" or one calendar: no login, the token is the secret."""
    feed_token = feeds.feed_token_get(token)
    if feed_token is None or not feeds.private_feed_allowed(feed_token):
        raise Http404
    return _ics(request, feeds.private_feed_version(feed_token), lambda: feeds.private_feed(feed_token),
                private=True)


@require_safe
def network_feed(request: HttpRequest) -> HttpResponse:
    return _ics(request, feeds.public_feed_version("network"), feeds.network_feed, private=False)


@require_safe
def territory_feed(request: HttpRequest, slug: str) -> HttpResponse:
    territory = get_object_or_404(Territory, slug=slug)
    return _ics(request, feeds.public_feed_version(f"territory-{territory.pk}"),
                lambda: feeds.territory_feed(territory), private=False)


@require_safe
def venue_feed(request: HttpRequest, slug: str) -> HttpResponse:
    venue = get_object_or_404(Venue, slug=slug)
    return _ics(request, feeds.public_feed_version(f"venue-{venue.pk}"), lambda: feeds.venue_feed(venue),
                private=False)


def _event(pk: int) -> Event:
    """The event (the master of a series, when `pk` is one of its exceptions)."""
    event = get_object_or_404(Event.objects.with_rules(), pk=pk)
    if event.series_id is not None:
        event = get_object_or_404(Event.objects.with_rules(), pk=event.series_id)
    return event


@require_safe
def event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One event's file, for a member who may see it."""
    event = _event(pk)
    if not permissions.can_view_event(request.user, event):
        raise Http404
    return _ics(request, feeds.event_version(event), lambda: feeds.event_feed(event, public=False), private=True)


@require_safe
def public_event_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One public event's file."""
    event = _event(pk)
    if not event.is_public:
        raise Http404
    return _ics(request, feeds.event_version(event), lambda: feeds.event_feed(event, public=True), private=False)


# --- The member's links -------------------------------------------------------------------


@dataclass
class Entry:
    key: str  # "agenda" or "calendar-<id>": the anchor and the field ids
    label: str
    calendar: Calendar | None
    token: FeedToken | None
    hidden: bool = False

    @property
    def url(self) -> str:
        return feed_url(reverse("agenda:private-feed", args=[self.token.token])) if self.token else ""

    @property
    def webcal(self) -> str:
        return webcal_url(self.url)


def feed_url(path: str) -> str:
    return absolute_url(path)


def webcal_url(url: str) -> str:
    """The `webcal://` form of a feed's address (opens the calendar app)."""
    return "webcal://" + url.split("://", 1)[1] if "://" in url else url


def feed_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    tokens = feeds.tokens_of(user)  # type: ignore[arg-type]
    entries = [Entry(key="agenda", label=_("My agenda"), calendar=None, token=tokens.get(None))]
    for calendar in selectors.calendars_visible_to(user):
        entries.append(Entry(key=f"calendar-{calendar.pk}", label=calendar.name, calendar=calendar,
                             token=tokens.get(calendar.pk), hidden=bool(getattr(calendar, "hidden", False))))
    public = [(_("Public events of the network"), feed_url(reverse("agenda:network-feed")))]
    territory = getattr(user, "territory", None)
    if territory is not None:
        public.append((_("Public events of %(name)s") % {"name": territory.name},
                       feed_url(reverse("agenda:territory-feed", args=[territory.slug]))))
    for venue in user.venues.order_by("name"):  # type: ignore[union-attr]
        public.append((_("Public events at %(name)s") % {"name": venue.name},
                       feed_url(reverse("agenda:venue-feed", args=[venue.slug]))))
    return render(request, "calendar_app/feeds.html", {
        "entries": entries,
        "shown": request.GET.get("lien", ""),
        "public_feeds": [{"label": label, "url": url, "webcal": webcal_url(url)} for label, url in public],
    })


def _back(key: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('calendar:feeds')}?lien={key}#feed-{key}")


@require_POST
def feed_create(request: HttpRequest) -> HttpResponse:
    calendar = None
    calendar_id = request.POST.get("calendar", "")
    if calendar_id:
        if not calendar_id.isdigit():
            raise Http404
        calendar = get_object_or_404(
            Calendar.objects.select_related("space", "owner", *spaces.related_for_rules("space")), pk=calendar_id)
    try:
        feeds.feed_token_get_or_create(actor=request.user, calendar=calendar)  # type: ignore[arg-type]
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You cannot subscribe to this calendar."))
        return HttpResponseRedirect(reverse("calendar:feeds"))
    return _back(f"calendar-{calendar.pk}" if calendar else "agenda")


def _own_token(request: HttpRequest, pk: int) -> FeedToken:
    return get_object_or_404(FeedToken, pk=pk, user_id=request.user.pk)


@require_POST
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _own_token(request, pk)
    feeds.feed_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("The link is revoked: calendar apps that used it no longer receive anything."))
    return HttpResponseRedirect(reverse("calendar:feeds"))


@require_POST
def feed_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    token = _own_token(request, pk)
    feeds.feed_token_regenerate(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, _("A new link is ready: the old one no longer works, subscribe again with this one."))
    return _back(f"calendar-{token.calendar_id}" if token.calendar_id else "agenda")
