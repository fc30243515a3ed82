"""Reservations: the request form (an item or a kit), my reservations, the loans to manage,
one reservation and its actions (approve, refuse, cancel, renew, answer an offer).

Thin: they parse, call `lending.reservations` and render. A reservation the user may not see
reads as missing (404, `reservation_selectors.reservation_get_for_user`); what one sees but
may not do is a 403 with the reason; a refusal due to the state (already answered, dates
taken) is shown on the page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors, error_text, posted
from core.permissions import Conflict, Decision
from lending import availability, permissions
from lending import reservation_selectors as selectors
from lending import reservations as services
from lending.models import Item, Kit, Reservation
from lending.navigation import lending_tabs
from lending.reservation_forms import CancelForm, RefuseForm, RenewForm, ReserveForm

PAGE_SIZE = 25


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _period(value: str) -> tuple[date, date] | None:
    start, _sep, end = (value or "").partition("_")
    first, last = _day(start), _day(end)
    return (first, last) if first and last else None


# --- Requesting ----------------------------------------------------------------------------


def _prefill(request: HttpRequest, sessions: QuerySet[Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    if (pickup := _day(request.GET.get("du"))) is not None:
        initial["pickup_date"] = pickup
    if (back := _day(request.GET.get("au"))) is not None:
        initial["return_date"] = back
    seance = request.GET.get("seance") or ""
    if seance.isdecimal() and seance.isascii():
        session = sessions.filter(pk=int(seance)).first()
        if session is not None:
            initial["session"] = session.pk
            if session.venue_id:
                initial["venue"] = session.venue_id
            if not initial.get("pickup_date"):
                initial["pickup_date"], initial["return_date"] = services.session_days(session)
    return initial


def _refill(data: QueryDict, period: tuple[date, date]) -> dict[str, Any]:
    """The form's values as posted, with the dates of a suggestion (shown, not sent)."""
    initial: dict[str, Any] = {key: data.get(key) for key in ("venue", "purpose", "session") if data.get(key)}
    initial["pickup_date"], initial["return_date"] = period
    return initial


def _reserve(request: HttpRequest, thing: Item | Kit) -> HttpResponse:
    user: Any = request.user
    venues = selectors.borrowing_venues(user)
    sessions = selectors.linkable_sessions(user)
    unavailable: availability.Unavailable | None = None
    chosen = _period(request.POST.get("use_dates", "")) if request.method == "POST" else None
    if chosen is not None:
        form = ReserveForm(initial=_refill(request.POST, chosen), venues=venues, sessions=sessions)
    else:
        form = ReserveForm(posted(request), initial=_prefill(request, sessions), venues=venues, sessions=sessions)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            reservation = services.reservation_request(
                actor=user, item=thing if isinstance(thing, Item) else None,
                kit=thing if isinstance(thing, Kit) else None, venue=data["venue"],
                pickup_date=data["pickup_date"], return_date=data["return_date"], purpose=data["purpose"],
                session=data["session"], wait=bool(request.POST.get("wait")),
            )
        except availability.Unavailable as exc:
            unavailable = exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if reservation.status == Reservation.Status.WAITING:
                messages.success(request, _("You are on the waiting list: if these dates free up, they will be "
                                            "offered to you and you will be told."))
            elif reservation.status == Reservation.Status.APPROVED:
                messages.success(request, _("Reservation confirmed: the equipment is yours for these dates."))
            else:
                messages.success(request, _("Request sent: the managers of this equipment will answer. The dates "
                                            "are held for you meanwhile."))
            return redirect(reservation.get_absolute_url())
    blocked = ""
    if form.venue_count == 0:
        blocked = _("To borrow equipment you must work in a venue or administer one.")
    elif form.venue_count == 1:
        decision = permissions.can_request(user, thing, venues[0])
        blocked = "" if decision else decision.reason
    items = [thing] if isinstance(thing, Item) else list(thing.items.all())
    return render(request, "lending/reservations/reserve.html", {
        "tabs": lending_tabs(user), "thing": thing, "is_kit": isinstance(thing, Kit), "items": items,
        "form": form, "blocked": blocked, "unavailable": unavailable,
        "unavailable_text": error_text(unavailable) if unavailable is not None else "",
        "suggestions": [{"start": start, "end": end, "value": f"{start.isoformat()}_{end.isoformat()}"}
                        for start, end in (unavailable.suggestions if unavailable is not None else [])],
    })


@require_http_methods(["GET", "POST"])
def reserve_item(request: HttpRequest, pk: int) -> HttpResponse:
    return _reserve(request, selectors.reservable_item(request.user, pk))


@require_http_methods(["GET", "POST"])
def reserve_kit(request: HttpRequest, pk: int) -> HttpResponse:
    return _reserve(request, selectors.reservable_kit(request.user, pk))


# --- Lists ---------------------------------------------------------------------------------


def _page(request: HttpRequest, rows: QuerySet[Reservation], param: str) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))


def _mark(rows: Any, today: date) -> list[Reservation]:
    marked = list(rows)
    for reservation in marked:
        reservation.overdue = reservation.is_overdue(today)  # type: ignore[attr-defined]
    return marked


@require_GET
def my_reservations(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    groups = selectors.my_reservations(request.user, today)
    sections = []
    for key, title, param in (("current", _("Under way"), "en_cours"), ("upcoming", _("Upcoming"), "a_venir"),
                              ("past", _("Past"), "passees")):
        page = _page(request, groups[key], param)
        sections.append({"key": key, "title": title, "param": param, "page": page,
                         "rows": _mark(page.object_list, today)})
    return render(request, "lending/reservations/mine.html", {
        "tabs": lending_tabs(request.user), "sections": sections,
        "empty": not any(section["page"].paginator.count for section in sections),
    })


@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    if not permissions.manages_any(request.user):
        raise PermissionDenied(_("Only the managers of equipment see the loans to manage."))
    today = timezone.localdate()
    groups = selectors.loans_to_manage(request.user, today)
    sections = []
    for key, title, param in (("pending", _("To decide"), "a_decider"), ("waiting", _("Waiting lists"), "attente"),
                              ("hand_over", _("To hand over soon"), "a_remettre"), ("out", _("Out on loan"), "pretes")):
        page = _page(request, groups[key], param)
        sections.append({"key": key, "title": title, "param": param, "page": page,
                         "rows": _mark(page.object_list, today)})
    return render(request, "lending/reservations/requests.html", {
        "tabs": lending_tabs(request.user), "sections": sections, "hand_over_days": selectors.HAND_OVER_DAYS,
    })


# --- One reservation -----------------------------------------------------------------------


def _detail(request: HttpRequest, reservation: Reservation, *, refuse_form: RefuseForm | None = None,
            cancel_form: CancelForm | None = None, renew_form: RenewForm | None = None,
            status: int = 200) -> HttpResponse:
    user: Any = request.user
    bookings = list(reservation.bookings.select_related("item").order_by("item__name", "item_id"))
    checks = list(reservation.accessory_checks.select_related("accessory", "accessory__item")
                  .order_by("moment", "accessory__item__name", "accessory__position", "pk"))
    photos = list(reservation.damage_photos.select_related("item").order_by("pk"))
    subject = reservation.subject
    buffers = [{"item": booking.item, "before": booking.item.buffer_before, "after": booking.item.buffer_after,
                "start": booking.blocked_start, "last": booking.blocked_end - timedelta(days=1)}
               for booking in bookings if booking.item.buffer_before or booking.item.buffer_after]
    return render(request, "lending/reservations/detail.html", {
        "tabs": lending_tabs(user), "reservation": reservation, "subject": subject,
        "is_kit": bool(reservation.kit_id), "bookings": bookings, "buffers": buffers,
        "checks_out": [check for check in checks if check.moment == "out"],
        "checks_back": [check for check in checks if check.moment == "back"],
        "photos": photos,
        "waiting_position": services.waiting_position(reservation),
        "can_decide": bool(permissions.can_decide(user, reservation)),
        "can_cancel": bool(permissions.can_cancel(user, reservation)),
        "can_renew": bool(permissions.can_renew(user, reservation)),
        "can_answer": bool(permissions.can_answer_offer(user, reservation)),
        "can_hand_over": bool(permissions.can_hand_over(user, reservation)),
        "can_take_back": bool(permissions.can_take_back(user, reservation)),
        "is_manager": permissions.is_manager(user, subject),
        "refuse_form": refuse_form or RefuseForm(), "cancel_form": cancel_form or CancelForm(),
        "renew_form": renew_form or RenewForm(initial={"return_date": reservation.return_date}),
        "overdue": reservation.is_overdue(),
    }, status=status)


@require_GET
def reservation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.reservation_get_for_user(request.user, pk))


def _role(decision: Decision) -> None:
    """A refusal because of who asks is a 403 with the reason; one because of the state (a
    Conflict) is left to the service, which says it on the page."""
    if not decision and not isinstance(decision, Conflict):
        raise PermissionDenied(decision.reason)


def _refused_by_state(request: HttpRequest, reservation: Reservation, exc: ValidationError) -> HttpResponse:
    messages.error(request, error_text(exc))
    return redirect(reservation.get_absolute_url())


@require_POST
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = selectors.reservation_get_for_user(request.user, pk)
    try:
        services.reservation_approve(actor=request.user, reservation=reservation)  # type: ignore[arg-type]
    except ValidationError as exc:
        return _refused_by_state(request, reservation, exc)
    messages.success(request, _("Reservation approved: the borrower is told."))
    return redirect(reservation.get_absolute_url())


def _form_action(request: HttpRequest, reservation: Reservation, form: forms.Form, form_name: str,
                 act: Callable[[dict[str, Any]], object], done: str) -> HttpResponse:
    """A reservation's action with a form (refuse, cancel, renew): the service refuses by the
    reservation's state (the page says why) or by a field (the form again, with the error)."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                return _refused_by_state(request, reservation, exc)
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(reservation.get_absolute_url())
    return _detail(request, reservation, **{form_name: form})


@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = selectors.reservation_get_for_user(request.user, pk)
    _role(permissions.can_decide(request.user, reservation))
    return _form_action(request, reservation, RefuseForm(request.POST), "refuse_form", lambda data: (
        services.reservation_refuse(actor=request.user, reservation=reservation,  # type: ignore[arg-type]
                                    reason=data["reason"])), _("Request refused: the borrower is told why."))


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = selectors.reservation_get_for_user(request.user, pk)
    _role(permissions.can_cancel(request.user, reservation))
    return _form_action(request, reservation, CancelForm(request.POST), "cancel_form", lambda data: (
        services.reservation_cancel(actor=request.user, reservation=reservation,  # type: ignore[arg-type]
                                    reason=data["reason"])), _("Reservation cancelled."))


@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = selectors.reservation_get_for_user(request.user, pk)
    _role(permissions.can_renew(request.user, reservation))
    return _form_action(request, reservation, RenewForm(request.POST), "renew_form", lambda data: (
        services.reservation_renew(actor=request.user, reservation=reservation,  # type: ignore[arg-type]
                                   return_date=data["return_date"])), _("Loan extended."))


@require_POST
def offer_answer(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = selectors.reservation_get_for_user(request.user, pk)
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or decline the offer."))
        return redirect(reservation.get_absolute_url())
    try:
        done = services.offer_answer(actor=request.user, reservation=reservation,  # type: ignore[arg-type]
                                     accept=answer == "accept")
    except ValidationError as exc:
        return _refused_by_state(request, reservation, exc)
    if answer == "decline":
        messages.success(request, _("Offer declined: the dates go to the next person waiting."))
    elif done.status == Reservation.Status.APPROVED:
        messages.success(request, _("Reservation confirmed: the equipment is yours for these dates."))
    else:
        messages.success(request, _("Request sent: the managers of this equipment will answer. The dates "
                                    "are held for you meanwhile."))
    return redirect(reservation.get_absolute_url())
