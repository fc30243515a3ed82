"""Hand-over, return, damage photos, and the history of an item and of a venue.

Thin: they parse, call `lending.handover` and render. A reservation the user may not see
reads as missing (404); one they see but may not hand over or take back is a 403 with the
reason; a reservation in the wrong state (already out, already returned) shows the reason
instead of the form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from core import uploads
from core.forms import add_service_errors, posted
from core.permissions import Conflict, Decision
from directory.models import Venue
from lending import handover as services
from lending import permissions
from lending.handover_forms import HandOverForm, ReturnForm
from lending.models import DamagePhoto, ItemEvent, Reservation
from lending.navigation import lending_tabs
from lending.reservation_selectors import reservation_get_for_user
from lending.selectors import item_get_for_user

PAGE_SIZE = 25
Status = Reservation.Status
LOANS = (Status.OUT, Status.RETURNED)


def _reservation(user: Any, pk: int) -> Reservation:
    """The reservation `user` may see (404 otherwise)."""
    return reservation_get_for_user(user, pk)


def _closed(request: HttpRequest, reservation: Reservation, reason: str, title: str, *,
            status: int = 200) -> HttpResponse:
    """The page that says why there is no form (already out, already returned...)."""
    return render(request, "lending/handover/closed.html", {
        "tabs": lending_tabs(request.user), "reservation": reservation, "reason": reason, "title": title,
    }, status=status)


def _decide(decision: Decision) -> str | None:
    """None when allowed; the reason of a Conflict; PermissionDenied for a refusal."""
    if decision:
        return None
    if isinstance(decision, Conflict):
        return decision.reason
    raise PermissionDenied(decision.reason)


@require_http_methods(["GET", "POST"])
def hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    reservation = _reservation(user, pk)
    title = _("Hand over the equipment")
    reason = _decide(permissions.can_hand_over(user, reservation))
    if reason is not None:
        return _closed(request, reservation, reason, title, status=409 if request.method == "POST" else 200)
    items = services.reservation_items(reservation)
    form = HandOverForm(posted(request), items=items)
    if form.is_bound and form.is_valid():
        try:
            services.hand_over(actor=user, reservation=reservation, handed_to=form.cleaned_data["handed_to"],
                               conditions=form.conditions(), accessories_present=form.accessories_present(),
                               note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The hand-over is recorded."))
            return redirect(reservation.get_absolute_url())
    today = timezone.localdate()
    first = services.first_handover_day(reservation, items)
    return render(request, "lending/handover/hand_over.html", {
        "tabs": lending_tabs(user), "reservation": reservation, "form": form, "rows": form.rows(),
        "title": title, "too_early": today < first, "first_day": first,
        "too_late": today > reservation.return_date,
    })


@require_http_methods(["GET", "POST"])
def take_back(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    reservation = _reservation(user, pk)
    title = _("Record the return")
    reason = _decide(permissions.can_take_back(user, reservation))
    if reason is not None:
        return _closed(request, reservation, reason, title, status=409 if request.method == "POST" else 200)
    items = services.reservation_items(reservation)
    form = ReturnForm(posted(request), request.FILES if request.method == "POST" else None, items=items)
    if form.is_bound and form.is_valid():
        try:
            returned = services.take_back(
                actor=user, reservation=reservation, conditions=form.conditions(),
                accessories_present=form.accessories_present(), damage_note=form.cleaned_data["damage_note"],
                photos=form.photos(), send_to_repair=form.send_to_repair())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            late = services.days_late(returned)
            if late:
                messages.warning(request, ngettext("The return is recorded: returned %(count)d day late.",
                                                   "The return is recorded: returned %(count)d days late.", late)
                                 % {"count": late})
            else:
                messages.success(request, _("The return is recorded."))
            return redirect(reservation.get_absolute_url())
    return render(request, "lending/handover/take_back.html", {
        "tabs": lending_tabs(user), "reservation": reservation, "form": form, "rows": form.rows(),
        "title": title, "days_late": services.days_late(reservation),
    })


@require_GET
def damage_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    reservation = _reservation(request.user, pk)
    photo = get_object_or_404(DamagePhoto, pk=photo_pk, reservation=reservation)
    return uploads.file_response(photo)


def _loan_rows(loans: list[Reservation], today: Any) -> list[Reservation]:
    for loan in loans:
        loan.late = services.days_late(loan, today)  # type: ignore[attr-defined]
    return loans


@require_GET
def item_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The item's events and loans, for its managers. Another approved member who may see
    the item (in the catalogue) reads a 403 with the reason; anyone else a 404."""
    user: Any = request.user
    item = item_get_for_user(user, pk)
    if not permissions.can_view_history(user, item):
        raise PermissionDenied(_("Only the managers of this equipment see its history."))
    events = (ItemEvent.objects.filter(item=item)
              .select_related("actor", "reservation", "reservation__venue").order_by("-at", "-id"))
    event_page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    loans = (Reservation.objects.filter(bookings__item=item, status__in=LOANS)
             .select_related("venue", "item", "kit")
             .prefetch_related(Prefetch("damage_photos", queryset=DamagePhoto.objects.filter(item=item),
                                        to_attr="item_photos"))
             .order_by("-pickup_date", "-pk"))
    loan_page = Paginator(loans, PAGE_SIZE).get_page(request.GET.get("prets"))
    return render(request, "lending/handover/item_history.html", {
        "tabs": lending_tabs(user), "item": item, "event_page": event_page, "events": list(event_page.object_list),
        "loan_page": loan_page, "loans": _loan_rows(list(loan_page.object_list), timezone.localdate()),
        "event_query": _query(request, "prets"), "loan_query": _query(request, "page"),
    })


def _query(request: HttpRequest, keep: str) -> str:
    """The other list's page, kept in the links of one list's pagination."""
    value = request.GET.get(keep, "")
    return f"{keep}={value}" if value.isdigit() else ""


@require_GET
def venue_history(request: HttpRequest, pk: int) -> HttpResponse:
    """What a venue borrowed and what was borrowed of its equipment: for those who may
    borrow for it (its animators, its territory's local admins) and the coordinators."""
    user: Any = request.user
    venue = get_object_or_404(Venue.objects.only("pk", "name", "territory_id"), pk=pk)
    if not permissions.can_view_venue_history(user, venue):
        raise Http404
    today = timezone.localdate()
    related = ("item", "kit", "venue", "item__owner_venue", "kit__owner_venue")
    borrowed = (Reservation.objects.filter(venue=venue, status__in=LOANS).select_related(*related)
                .order_by("-pickup_date", "-pk"))
    lent = (Reservation.objects.filter(Q(item__owner_venue=venue) | Q(kit__owner_venue=venue), status__in=LOANS)
            .select_related(*related).order_by("-pickup_date", "-pk"))
    borrowed_page = Paginator(borrowed, PAGE_SIZE).get_page(request.GET.get("page"))
    lent_page = Paginator(lent, PAGE_SIZE).get_page(request.GET.get("pretes"))
    return render(request, "lending/handover/venue_history.html", {
        "tabs": lending_tabs(user), "venue": venue,
        "borrowed_page": borrowed_page, "borrowed": _loan_rows(list(borrowed_page.object_list), today),
        "lent_page": lent_page, "lent": _loan_rows(list(lent_page.object_list), today),
        "borrowed_query": _query(request, "pretes"), "lent_query": _query(request, "page"),
    })
