"""The public side of the workshops, under /ateliers/ (no login):

- the agenda of the upcoming sessions of public workshops, filtered by venue, territory,
  theme, public and dates (GET parameters, `public_forms.AgendaFilterForm`), by day, with
  its RSS and iCalendar feeds (the same filters);
- a workshop's page (its sessions, their places, "Nearby instead of full"); a cancelled
  workshop answers 410 with a page saying so;
- registration without an account (`booking.register_visitor`), then the personal link of a
  registration (`/ateliers/inscription/<token>/`): its state in words and the buttons it
  allows. Nothing is ever done on a GET (mail scanners follow links): every action is a POST.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.formats import date_format
from django.utils.http import quote_etag
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from calendar_app import ical, registry
from core import markdown
from core.forms import add_service_errors
from core.services import absolute_url
from core.templatetags.timefmt import hour_text
from directory.models import Venue
from directory.public_forms import cleaned_query
from members.models import Territory
from workshops import nearby, permissions, public, selectors
from workshops.models import Registration, Session
from workshops.public import hours_text, local, place_text, when_text
from workshops.public_forms import AgendaFilterForm, RegistrationForm, rate_limited

PER_PAGE = 20
FEED_LIMIT = 200
ICS_TYPE = "text/calendar; charset=utf-8"
RSS_TYPE = "application/rss+xml; charset=utf-8"


# --- Shared bits -------------------------------------------------------------------------------


@dataclass
class Row:
    """A session as the public pages show it."""

    session: Session
    start: datetime  # in its own zone
    hours: str
    places_left: int
    dates: list = field(default_factory=list)
    nearby: list = field(default_factory=list)
    decision: Any = None

    @property
    def full(self) -> bool:
        return self.places_left <= 0

    @property
    def is_cycle(self) -> bool:
        return len(self.dates) > 1


def row_of(session: Session) -> Row:
    dates = list(session.dates.all())
    first = dates[0] if dates else None
    hours = hours_text(session, first.start, first.end) if first else hours_text(session, session.start, session.end)
    return Row(session=session, start=local(session, session.start), hours=hours,
               places_left=selectors.places_left(session), dates=dates)


def nearby_rows(pairs: list[tuple[Session, float | None]]) -> list[dict[str, Any]]:
    """"Nearby instead of full" as the templates show it: when, where, how far, the link."""
    return [{"session": other, "km": km, "when": when_text(other), "place": place_text(other),
             "url": reverse("ateliers:register", args=[other.pk])} for other, km in pairs]


@dataclass
class Day:
    day: date
    rows: list[Row]


def by_day(rows: list[Row]) -> list[Day]:
    days: dict[date, list[Row]] = {}
    for row in rows:
        days.setdefault(row.start.date(), []).append(row)
    return [Day(day, items) for day, items in days.items()]


def feed_links(name: str, query: str) -> dict[str, str]:
    url = absolute_url(reverse(f"ateliers:{name}") + (f"?{query}" if query else ""))
    return {"url": url, "webcal": "webcal://" + url.split("://", 1)[1] if "://" in url else url}


def _page_number(request: HttpRequest) -> str:
    return request.GET.get("page", "")[:10]


# --- The agenda --------------------------------------------------------------------------------


@require_safe
def agenda(request: HttpRequest) -> HttpResponse:
    kept = cleaned_query(request.GET)
    if kept is not None:
        return HttpResponseRedirect(reverse("ateliers:index") + (f"?{urlencode(kept)}" if kept else ""))
    now = timezone.now()
    form = AgendaFilterForm(request.GET, venues=public.agenda_venues(now=now),
                            territories=public.agenda_territories(now=now))
    filters = form.selector_kwargs()
    page = Paginator(public.public_sessions(**filters, now=now), PER_PAGE).get_page(_page_number(request))
    query = form.query_string()
    return render(request, "workshops/public_agenda.html", {
        "form": form,
        "page": page,
        "days": by_day([row_of(session) for session in page.object_list]),
        "count": page.paginator.count,
        "filtered": bool(query),
        "extra_query": query,
        "rss": feed_links("rss", query),
        "ics": feed_links("ics", query),
        "filters": filters,
    })


def _feed_filters(request: HttpRequest) -> dict[str, Any]:
    """The agenda's filters read for a feed (slugs looked up directly: at most two queries)."""
    slug = request.GET.get("lieu", "")[:200]
    territory_slug = request.GET.get("territoire", "")[:200]
    venues = list(Venue.objects.filter(slug=slug).only("pk", "slug", "name", "city")) if slug else []
    territories = list(Territory.objects.filter(slug=territory_slug).only("pk", "slug", "name")) \
        if territory_slug else []
    form = AgendaFilterForm(request.GET, venues=venues, territories=territories)
    return form.selector_kwargs()


def _description(session: Session) -> str:
    workshop = session.workshop
    parts = [workshop.summary] if workshop.summary else []
    parts.append(_("Where: %(place)s") % {"place": ical_location(session) or place_text(session)})
    parts.append(_("Level: %(level)s") % {"level": workshop.get_level_display()})
    if session.is_cancelled or workshop.is_cancelled:
        parts.append(_("This session is cancelled."))
    return "\n".join(parts)


def ical_location(session: Session) -> str:
    venue = session.venue if session.venue_id else None
    if venue is not None:
        town = " ".join(part for part in (venue.postal_code, venue.city) if part)
        return ", ".join(part for part in (venue.name, session.location, venue.address, town) if part)
    return session.location or session.online_url


@require_safe
def rss_feed(request: HttpRequest) -> HttpResponse:
    """RSS 2.0 of the upcoming public sessions (the agenda's filters)."""
    with translation.override(settings.LANGUAGE_CODE):
        sessions = list(public.public_sessions(**_feed_filters(request))[:FEED_LIMIT])
        feed = Rss201rev2Feed(
            title=_("Workshops of the network"),
            link=absolute_url(reverse("ateliers:index")),
            description=_("The upcoming public workshops in the digital inclusion venues of the network."),
            language=settings.LANGUAGE_CODE,
            feed_url=absolute_url(request.get_full_path()),
        )
        for session in sessions:
            workshop = session.workshop
            url = absolute_url(workshop.get_public_url()) + f"#session-{session.pk}"
            title = f"{workshop.title} ({when_text(session)}, {place_text(session)})"
            feed.add_item(title=title, link=url, description=_description(session), unique_id=url,
                          unique_id_is_permalink=True, pubdate=session.created_at, updateddate=session.updated_at)
        body = feed.writeString("utf-8").encode("utf-8")
    return _conditional(request, body, RSS_TYPE)


def _items(sessions: list[Session]) -> list[registry.Item]:
    """One item per date of each session (its own zone), cancelled ones marked so."""
    items = []
    for session in sessions:
        workshop = session.workshop
        zone = ZoneInfo(session.tz or settings.TIME_ZONE)
        title = session.title or workshop.title
        for each in session.dates.all():
            items.append(registry.Item(
                key=f"workshops-session-{session.pk}-{each.pk}", title=title, start=each.start.astimezone(zone),
                end=each.end.astimezone(zone), url=workshop.get_public_url(), source="workshops",
                location=ical_location(session), cancelled=session.is_cancelled or workshop.is_cancelled,
                uid=public.date_uid(session.pk, each.pk), updated=max(session.updated_at, workshop.updated_at),
                description=_description(session),
            ))
    return items


def _conditional(request: HttpRequest, body: bytes, content_type: str) -> HttpResponse:
    """The feed, or 304 to a client that already has these bytes (calendar apps and feed
    readers poll: they then download nothing)."""
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    response = get_conditional_response(request, etag=etag) or HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    return response


def _ics_response(request: HttpRequest, text: str, filename: str) -> HttpResponse:
    response = _conditional(request, text.encode("utf-8"), ICS_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def ics_feed(request: HttpRequest) -> HttpResponse:
    """The iCalendar feed of the public sessions (the agenda's filters); cancelled ones are
    written STATUS:CANCELLED so that calendar apps strike them."""
    with translation.override(settings.LANGUAGE_CODE):
        sessions = list(public.feed_sessions(**_feed_filters(request))[:FEED_LIMIT])
        text = ical.calendar_text(
            name=_("Workshops of the network"), events=[], items=_items(sessions), public=True,
            description=_("The upcoming public workshops in the digital inclusion venues of the network."),
        )
    return _ics_response(request, text, "ateliers.ics")


def _public_session(pk: int) -> Session:
    session = selectors.sessions().filter(pk=pk).first()
    if session is None or not permissions.can_view_public(session.workshop):
        raise Http404
    return session


@require_safe
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One public session's file (every date of a cycle)."""
    session = _public_session(pk)
    with translation.override(settings.LANGUAGE_CODE):
        text = ical.calendar_text(name=session.title or session.workshop.title, events=[], items=_items([session]),
                                  public=True)
    return _ics_response(request, text, f"atelier-{session.pk}.ics")


# --- A workshop's page -------------------------------------------------------------------------


@require_safe
def workshop_redirect(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponsePermanentRedirect(public.public_workshop_get(pk).get_public_url())


@require_safe
def workshop_page(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    workshop = public.public_workshop_get(pk)
    if slug != workshop.slug:
        return HttpResponsePermanentRedirect(workshop.get_public_url())
    if workshop.is_cancelled:
        return render(request, "workshops/public_cancelled.html", {"workshop": workshop}, status=410)
    now = timezone.now()
    sessions = public.workshop_sessions(workshop, now=now)
    rows = []
    for session in sessions:
        row = row_of(session)
        row.decision = permissions.can_register_publicly(session)
        if row.full:
            row.nearby = nearby_rows(nearby.rank(session, sessions, now=now))
        rows.append(row)
    return render(request, "workshops/public_workshop.html", {
        "workshop": workshop,
        "rows": rows,
        "description": mark_safe(markdown.render(workshop.description)),  # noqa: S308  (sanitised)
        "themes": list(workshop.themes or []),
        "publics": list(workshop.publics or []),
        "duration": _duration(workshop.duration_minutes),
        "absolute_url": absolute_url(workshop.get_public_url()),
    })


def _duration(minutes: int) -> str:
    hours, rest = divmod(int(minutes or 0), 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)02d") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": rest}


# --- Registration ------------------------------------------------------------------------------


def privacy_url(request: HttpRequest) -> str:
    """The site's personal-data page (chosen in the footer's setting), or ""."""
    try:
        from website import footer

        site = footer.footer_pages(request)
    except Exception:  # no site setting yet: the inline notice says it all
        return ""
    return ((site or {}).get("links") or {}).get("personal_data", {}).get("url", "")


@require_http_methods(["GET", "HEAD", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    session = _public_session(pk)
    decision = permissions.can_register_publicly(session)
    full = selectors.is_full(session)
    context: dict[str, Any] = {
        "session": session, "workshop": session.workshop, "row": row_of(session), "decision": decision,
        "full": full, "nearby": nearby_rows(nearby.nearby_sessions(session)) if full and decision else [],
        "privacy_url": privacy_url(request), "retention_days": settings.WORKSHOP_RETENTION_DAYS,
    }
    if not decision:
        # Closed (cancelled, started, past its deadline): the page says why, a POST is refused.
        context["form"] = None
        return render(request, "workshops/public_register.html", context,
                      status=409 if request.method == "POST" else 200)
    if request.method != "POST":
        context["form"] = RegistrationForm()
        return render(request, "workshops/public_register.html", context)
    form = RegistrationForm(request.POST, rate_limited=rate_limited(request))
    context["form"] = form
    if form.is_valid():
        from workshops import booking

        data = form.cleaned_data
        try:
            registration = booking.register_visitor(
                session=session, name=data["name"], email=data["email"], phone=data["phone"],
                consent=data["consent"], note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("Registrations for this session are closed."))
        except DatabaseError:
            form.add_error(None, _("Your registration could not be saved just now. Nothing was kept: "
                                   "send the form again in a moment."))
        else:
            return _registered(request, registration)
    return render(request, "workshops/public_register.html", context)


def _registered(request: HttpRequest, registration: Registration) -> HttpResponse:
    """What happens next, right after the form: the personal link shown only to those without e-mail
    (an e-mail registration is confirmed by the link it receives). Details that match a registration
    made before get a page that shows nothing of it: whoever typed them may not be that person."""
    if getattr(registration, "already_registered", False):
        response = render(request, "workshops/public_already.html", {
            "session": registration.session, "workshop": registration.session.workshop,
        })
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    response = render(request, "workshops/public_registered.html", {
        "registration": registration, "session": registration.session, "workshop": registration.session.workshop,
        "link": absolute_url(registration.get_token_url()) if not registration.email else "",
        "position": waiting_position(registration),
    })
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def waiting_position(registration: Registration) -> int | None:
    """1 for the first on the waiting list (one query), None when not waiting."""
    if registration.status != Registration.Status.WAITING:
        return None
    ahead = selectors.waiting_list(registration.session)
    if registration.waiting_since is not None:
        ahead = ahead.filter(Q(waiting_since__lt=registration.waiting_since)
                             | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
                             | Q(waiting_since__isnull=True))
    else:
        ahead = ahead.filter(waiting_since__isnull=True, pk__lt=registration.pk)
    return ahead.count() + 1


# --- The personal link -------------------------------------------------------------------------

CONFIRM, CANCEL, ACCEPT, DECLINE = "confirm", "cancel", "accept", "decline"


def allowed_actions(registration: Registration, *, now: datetime | None = None) -> list[str]:
    """The buttons the personal link offers for `registration`'s state."""
    now = now or timezone.now()
    actions = []
    status = registration.status
    if status == Registration.Status.UNCONFIRMED and permissions.registration_open(registration.session, now=now):
        actions.append(CONFIRM)
    if status == Registration.Status.OFFERED and (registration.offer_expires_at is None
                                                  or registration.offer_expires_at > now):
        actions += [ACCEPT, DECLINE]
    elif permissions.can_cancel_registration(None, registration, by_token=True, now=now):
        actions.append(CANCEL)
    return actions


def _act(action: str, registration: Registration) -> str:
    """Do `action` (booking); the message to show."""
    from workshops import booking

    if action == CONFIRM:
        booking.registration_confirm(registration=registration)
        return _("Your registration is confirmed.")
    if action == CANCEL:
        booking.registration_cancel(actor=None, registration=registration, by_token=True)
        return _("Your registration is cancelled.")
    if action == ACCEPT:
        booking.offer_accept(actor=None, registration=registration, by_token=True)
        return _("You accepted the place: you are registered.")
    booking.offer_decline(actor=None, registration=registration, by_token=True)
    return _("You declined the place. Thank you for letting us know.")


# The page's URL is a secret: `Referrer-Policy: same-origin` keeps it from other sites (a link
# followed from the page sends no Referer outside), while the browser still sends the page's own
# Origin with its forms, so Django's CSRF check stays on.
@require_http_methods(["GET", "HEAD", "POST"])
def registration_page(request: HttpRequest, token: str) -> HttpResponse:
    registration = selectors.registration_get_by_token(token)
    session = registration.session
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in allowed_actions(registration):
            messages.error(request, _("This action is no longer possible: the page shows where your registration "
                                      "stands now."))
        else:
            try:
                messages.success(request, _act(action, registration))
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                messages.error(request, text or _("This action is no longer possible."))
            except DatabaseError:
                messages.error(request, _("Nothing could be saved just now: try again in a moment."))
        return HttpResponseRedirect(request.path)
    now = timezone.now()
    evaluation_url = ""
    if registration.status == Registration.Status.CONFIRMED and session.end <= now:
        from workshops import evaluation

        evaluation_url = evaluation.invitation_url(None, registration, by_token=True) or ""
    dates = list(session.dates.order_by("start", "pk"))
    response = render(request, "workshops/public_registration.html", {
        "registration": registration, "session": session, "workshop": session.workshop,
        "state": state_text(registration, now=now),
        "actions": allowed_actions(registration, now=now),
        "dates": [(local(session, each.start), hours_text(session, each.start, each.end)) for each in dates],
        "place": place_text(session),
        "evaluation_url": evaluation_url,
        "session_cancelled": session.is_cancelled or session.workshop.is_cancelled,
    })
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def state_text(registration: Registration, *, now: datetime | None = None) -> str:
    """Where the registration stands, in words."""
    now = now or timezone.now()
    status = registration.status
    Status = Registration.Status
    if status == Status.UNCONFIRMED:
        return _("Your registration awaits your confirmation: press “Confirm my registration” below to keep it.")
    if status == Status.CONFIRMED:
        if registration.session.end <= now:
            return _("You were registered to this session.")
        return _("You are registered. See you there!")
    if status == Status.WAITING:
        position = waiting_position(registration)
        return _("You are on the waiting list, in position %(position)s. If a place frees up, we offer it to you "
                 "and you have a limited time to accept it.") % {"position": position}
    if status == Status.OFFERED:
        if registration.offer_expires_at is None:
            return _("A place is offered to you: accept it or decline it below.")
        if registration.offer_expires_at <= now:
            return _("A place was offered to you, but the offer has expired.")
        expires = timezone.localtime(registration.offer_expires_at)
        return _("A place is offered to you until %(date)s at %(time)s: accept it or decline it below.") % {
            "date": date_format(expires, "l j F"), "time": hour_text(expires)}
    if status == Status.CANCELLED:
        return _("This registration is cancelled.")
    if status == Status.DECLINED:
        return _("You declined the place that was offered to you.")
    return _("The place offered to you was not accepted in time: the offer has expired.")
