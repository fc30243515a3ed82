"""Desk views of a session and its registrations: thin, they parse input, call `booking` and
render. 404 for who may not see the workshop, 403 with the reason for who sees but may not act."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_GET, require_http_methods

from core import spreadsheets
from core.forms import add_service_errors, error_text, posted
from core.templatetags.timefmt import hour_text
from workshops import booking, evaluation, permissions, selectors
from workshops.booking_forms import OfferAnswerForm, OnSiteForm
from workshops.models import Registration, Session
from workshops.pages import session_sections

Status = Registration.Status


# --- Texts -----------------------------------------------------------------------------------


def _clock(moment: datetime) -> str:
    """"14 h", "14 h 30" ("14:00" in English)."""
    return hour_text(moment.replace(tzinfo=None))


def date_text(start: datetime, end: datetime, tz: str) -> str:
    """"mardi 12 janvier, 14 h – 16 h" in the session's zone."""
    zone = ZoneInfo(tz)
    start, end = start.astimezone(zone), end.astimezone(zone)
    day = formats.date_format(start.date(), "l j F")
    if start.date() == end.date():
        return _("%(day)s, %(start)s – %(end)s") % {"day": day, "start": _clock(start), "end": _clock(end)}
    return _("%(day)s at %(start)s to %(last)s at %(end)s") % {
        "day": day, "start": _clock(start), "last": formats.date_format(end.date(), "l j F"), "end": _clock(end)}


def moment_text(moment: datetime, tz: str) -> str:
    """"mardi 12 janvier à 14 h" in the session's zone."""
    local = moment.astimezone(ZoneInfo(tz))
    return _("%(day)s at %(time)s") % {"day": formats.date_format(local.date(), "l j F"), "time": _clock(local)}


def places_text(session: Session) -> str:
    """"3 places restantes", or "Complet · 2 personnes en liste d'attente"."""
    left = selectors.places_left(session)
    waiting = getattr(session, "waiting", 0)
    if left and not waiting:
        return ngettext("%(count)s place left", "%(count)s places left", left) % {"count": left}
    if not waiting:
        return _("Full")
    return ngettext("Full · %(count)s person on the waiting list", "Full · %(count)s people on the waiting list",
                    waiting) % {"count": waiting}


def _nearby(session: Session) -> list[dict[str, Any]]:
    from workshops import nearby

    items = []
    for other, km in nearby.nearby_sessions(session):
        items.append({"session": other, "km": km, "when": moment_text(other.start, other.tz)})
    return items


# --- Reading ---------------------------------------------------------------------------------


def _session(request: HttpRequest, pk: int) -> Session:
    return selectors.session_get_for_user(request.user, pk)


def _hosts_only(request: HttpRequest, pk: int) -> Session:
    session = _session(request, pk)
    permissions.can_view_registrations(request.user, session).check()
    return session


@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    user = request.user
    own = selectors.own_registration(user, session)
    is_active = own is not None and own.is_active
    dates = list(session.dates.all())
    can_register = permissions.can_register(user, session)
    full = selectors.is_full(session) or bool(getattr(session, "waiting", 0))
    hosts = permissions.can_view_registrations(user, session)
    context: dict[str, Any] = {
        "session": session, "workshop": session.workshop,
        "dates": [{"date": date, "text": date_text(date.start, date.end, session.tz)} for date in dates],
        "animators": list(session.animators.all()),
        "places_text": places_text(session), "full": full,
        "own": own if is_active else None,
        "position": booking.waiting_position(own) if is_active and own.status == Status.WAITING else None,
        "can_register": bool(can_register) and not is_active,
        "register_reason": "" if can_register or is_active else can_register.reason,
        "can_cancel": bool(is_active and permissions.can_cancel_registration(user, own)),
        "is_host": bool(hosts),
        "can_register_others": bool(hosts) and bool(permissions.can_register_others(user, session)),
        "can_view_results": bool(permissions.can_view_results(user, session.workshop, session)),
        "nearby": _nearby(session) if full and not session.is_cancelled else [],
        "can_edit_session": bool(permissions.can_edit_session(user, session)),
        "evaluation_url": (evaluation.invitation_url(user, own)
                           if own is not None and own.status == Status.CONFIRMED and session.end <= timezone.now()
                           else None),
    }
    context["sections"] = session_sections(session, user)
    if own is not None and is_active and own.status == Status.OFFERED and own.offer_expires_at:
        context["offer_until"] = moment_text(own.offer_expires_at, session.tz)
    return render(request, "workshops/booking_session.html", context)


def _back(session: Session):
    return redirect("workshops:session", session.pk)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, pk: int) -> HttpResponse:
    """One click: registered, or on the waiting list when full."""
    session = _session(request, pk)
    if request.method != "POST":
        return _back(session)
    try:
        registration = booking.register_member(actor=request.user, session=session)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return _back(session)
    if registration.status == Status.CONFIRMED:
        messages.success(request, _("You are registered."))
    elif registration.status == Status.WAITING:
        messages.info(request, _("This session is full: you are on its waiting list."))
    elif registration.status == Status.OFFERED:
        messages.info(request, _("A place is offered to you: accept it or decline it."))
    return _back(session)


@require_http_methods(["GET", "POST"])
def unregister(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    if request.method != "POST":
        return _back(session)
    own = selectors.own_registration(request.user, session)
    if own is None or not own.is_active:
        messages.error(request, _("You are not registered for this session."))
        return _back(session)
    try:
        booking.registration_cancel(actor=request.user, registration=own)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return _back(session)
    messages.success(request, _("Your registration is cancelled."))
    return _back(session)


@require_http_methods(["GET", "POST"])
def offer_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or decline the place offered to the member."""
    session = _session(request, pk)
    if request.method != "POST":
        return _back(session)
    form = OfferAnswerForm(request.POST)
    own = selectors.own_registration(request.user, session)
    if not form.is_valid() or own is None:
        messages.error(request, _("No place is offered to you for this session."))
        return _back(session)
    try:
        if form.cleaned_data["answer"] == "accept":
            booking.offer_accept(actor=request.user, registration=own)
            messages.success(request, _("The place is yours: you are registered."))
        else:
            booking.offer_decline(actor=request.user, registration=own)
            messages.success(request, _("You declined the place: it goes to the next person waiting."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return _back(session)


# --- The registrations (hosts) ---------------------------------------------------------------

GROUPS = (
    ("confirmed", (Status.CONFIRMED,)),
    ("offered", (Status.OFFERED,)),
    ("waiting", (Status.WAITING,)),
    ("unconfirmed", (Status.UNCONFIRMED,)),
    ("cancelled", (Status.CANCELLED, Status.DECLINED, Status.EXPIRED)),
)


def group_label(key: str) -> str:
    return {
        "confirmed": pgettext("registrations group", "Registered"),
        "offered": pgettext("registrations group", "Place offered, awaiting an answer"),
        "waiting": pgettext("registrations group", "Waiting list"),
        "unconfirmed": pgettext("registrations group", "Awaiting e-mail confirmation"),
        "cancelled": pgettext("registrations group", "Cancelled"),
    }[key]


def registration_rows(session: Session) -> list[Registration]:
    """Every registration of `session` with what the list shows (two queries, three with the no-shows):
    the waiting list in its order with `position`, the others by date; `no_shows` on each."""
    rows = list(Registration.objects.filter(session=session).select_related("user", "registered_by")
                .order_by("created_at", "pk"))
    waiting = sorted((row for row in rows if row.status == Status.WAITING),
                     key=lambda row: (row.waiting_since or row.created_at, row.pk))
    for position, row in enumerate(waiting, start=1):
        row.position = position
    from workshops import attendance

    counts = attendance.no_show_counts(rows) if rows else {}
    for row in rows:
        row.session = session
        row.no_shows = counts.get(row.pk, 0)
        row.contact_email = row.user.email if row.user_id else row.email
    return rows


def grouped(rows: list[Registration]) -> list[dict[str, Any]]:
    groups = []
    for key, statuses in GROUPS:
        members = [row for row in rows if row.status in statuses]
        if key == "waiting":
            members.sort(key=lambda row: row.position)
        groups.append({"key": key, "label": group_label(key), "rows": members, "count": len(members)})
    return groups


def registrations(request: HttpRequest, pk: int) -> HttpResponse:
    session = _hosts_only(request, pk)
    rows = registration_rows(session)
    return render(request, "workshops/booking_registrations.html", {
        "session": session, "workshop": session.workshop, "groups": grouped(rows),
        "places_text": places_text(session),
        "dates": [{"date": date, "text": date_text(date.start, date.end, session.tz)} for date in session.dates.all()],
        "can_register_others": bool(permissions.can_register_others(request.user, session)),
    })


def registrations_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The registrations for French Excel: UTF-8 with a byte order mark, ";" between fields."""
    session = _hosts_only(request, pk)
    rows = registration_rows(session)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = spreadsheets.writer(buffer)
    writer.writerow([_("Status"), _("Position"), _("Name"), pgettext("registration kind", "Kind"),
                     _("E-mail address"), _("Phone"), _("Note"), _("Registered on"), _("No-shows")])
    zone = ZoneInfo(session.tz)
    for group in grouped(rows):
        for row in group["rows"]:
            writer.writerow([
                row.get_status_display(), getattr(row, "position", "") or "", row.display_name,
                row.get_kind_display(), row.contact_email, row.phone, row.note,
                row.created_at.astimezone(zone).strftime("%d/%m/%Y %H:%M"), row.no_shows,
            ])
    day = session.start.astimezone(zone).date()
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="inscrits-{day:%Y-%m-%d}-{session.pk}.csv"'
    return response


@require_http_methods(["GET", "POST"])
def register_on_site(request: HttpRequest, pk: int) -> HttpResponse:
    session = _hosts_only(request, pk)
    decision = permissions.can_register_others(request.user, session)
    if not decision and request.method == "POST":
        decision.check()
    form = OnSiteForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            registration = booking.register_on_site(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if registration.status == Status.WAITING:
                messages.info(request, _("%(name)s is on the waiting list.") % {"name": registration.display_name})
            else:
                messages.success(request, _("%(name)s is registered.") % {"name": registration.display_name})
            return redirect("workshops:registrations", session.pk)
    return render(request, "workshops/booking_on_site.html", {
        "session": session, "workshop": session.workshop, "form": form,
        "closed_reason": "" if decision else decision.reason, "places_text": places_text(session),
    })


@require_http_methods(["GET", "POST"])
def registration_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """A host cancels someone's registration (a confirmation page, then POST)."""
    registration = (Registration.objects.select_related("user").filter(pk=pk).first())
    if registration is None:
        raise Http404
    session = _session(request, registration.session_id)
    registration.session = session
    own = registration.user_id is not None and registration.user_id == request.user.pk
    if not own and not permissions.can_view_registrations(request.user, session):
        raise Http404  # someone else's registration: no hint that it exists
    decision = permissions.can_cancel_registration(request.user, registration)
    if not decision:
        try:
            decision.check()  # 403 with the reason for who may not; a message for a state
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("workshops:registrations", session.pk)
    if request.method == "POST":
        try:
            booking.registration_cancel(actor=request.user, registration=registration)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The registration of %(name)s is cancelled.")
                             % {"name": registration.display_name})
        if permissions.can_view_registrations(request.user, session):
            return redirect("workshops:registrations", session.pk)
        return _back(session)
    return render(request, "workshops/booking_cancel.html", {
        "session": session, "workshop": session.workshop, "registration": registration,
    })
