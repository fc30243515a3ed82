"""Using a voucher: enter or scan the code, record a module, a venue's vouchers.

403 with the reason for who may not look codes up at all; 404 for a voucher's page when the
actor neither runs its programme nor works at one of its venues (`permissions.may_record_for`), and
for a venue's list when `permissions.can_view_venue_vouchers` says no."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import BoundField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors, error_text
from core.permissions import refused
from directory.models import Venue
from mediation import navigation, permissions, selectors, uses, validity
from mediation.models import ProgrammeModule, Voucher, VoucherUse
from mediation.use_forms import CodeForm, RecordModuleForm

PER_PAGE = 25


def _client_key(request: HttpRequest) -> str:
    # daphne sets REMOTE_ADDR from X-Forwarded-For when BEHIND_PROXY=1 (as website.spam).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _require_lookup(request: HttpRequest) -> None:
    if not permissions.may_look_up(request.user):
        raise PermissionDenied(_("Only the animators of a participating venue and the coordinators look up vouchers."))


def _enter_page(request: HttpRequest, form: CodeForm, *, status: int = 200) -> HttpResponse:
    return render(request, "mediation/uses/enter.html", {
        "form": form, "tabs": navigation.tickets_tabs(request.user), "current": "enter",
        "venues": list(selectors.my_participating_venues(request.user)),
    }, status=status)


@require_http_methods(["GET", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    _require_lookup(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            voucher = uses.voucher_lookup(actor=request.user, typed=form.cleaned_data["code"],
                                          client_key=_client_key(request))
        except ValidationError as error:
            add_service_errors(form, ValidationError({"code": error.messages}))
        else:
            return redirect("tickets:record-module", pk=voucher.pk)
    return _enter_page(request, form)


@require_GET
def by_code(request: HttpRequest, code: str) -> HttpResponse:
    """The card's QR code leads here: the same lookup, then the voucher's page."""
    _require_lookup(request)
    try:
        voucher = uses.voucher_lookup(actor=request.user, typed=code, client_key=_client_key(request))
    except ValidationError as error:
        form = CodeForm({"code": code})
        form.is_valid()
        add_service_errors(form, ValidationError({"code": error.messages}))
        return _enter_page(request, form)
    return redirect("tickets:record-module", pk=voucher.pk)


@dataclass
class ModuleRow:
    module: ProgrammeModule
    use: VoucherUse | None
    radio: Any = None


def _voucher_for_use(request: HttpRequest, pk: int) -> Voucher:
    voucher = Voucher.objects.select_related("programme", "organisation").filter(pk=pk).first()
    if voucher is None or not permissions.may_record_for(request.user, voucher):
        raise Http404
    return voucher


@require_http_methods(["GET", "POST"])
def record_module(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = _voucher_for_use(request, pk)
    url = reverse("tickets:record-module", args=[voucher.pk])
    modules = list(ProgrammeModule.objects.filter(programme_id=voucher.programme_id))
    done = uses.voucher_uses(voucher)
    remaining = [module for module in modules if module.pk not in done]
    venues = uses.recording_venues(request.user, voucher)
    venue_list = list(venues)
    today = timezone.localdate()
    decision = (permissions.can_record_module(request.user, voucher, venue_list[0], today) if venue_list
                else refused(_("None of your venues takes part in %(programme)s.")
                                         % {"programme": voucher.programme.name}))
    if request.method == "POST" and not decision:
        messages.error(request, decision.reason)
        return redirect(url)
    single_venue = venue_list[0] if len(venue_list) == 1 else None
    form = RecordModuleForm(request.POST if request.method == "POST" else None,
                            modules=modules, remaining=remaining, venues=venues, single_venue=single_venue)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            use = uses.module_record(
                actor=request.user, voucher=voucher, module=data["module"], venue=data["venue"], date=data["date"],
                duration_minutes=data["duration_minutes"],
            )
        except PermissionDenied as error:
            messages.error(request, str(error))
            return redirect(url)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                messages.error(request, error_text(error))
                return redirect(url)
        else:
            messages.success(request, uses.recorded_message(use, voucher))
            return redirect(url)
    radios = {str(widget.data["value"]): widget for widget in _subwidgets(form["module"])}
    rows = [ModuleRow(module, done.get(module.pk), radios.get(str(module.pk))) for module in modules]
    return render(request, "mediation/uses/record.html", {
        "voucher": voucher, "programme": voucher.programme, "form": form, "rows": rows,
        "modules_total": len(modules), "modules_done": len(done), "modules_left": len(remaining),
        "can_record": bool(decision), "refusal": "" if decision else decision.reason,
        "show_name": permissions.can_view_voucher(request.user, voucher),
        "last_use_day": validity.last_use_day(voucher), "in_grace": voucher.valid_until < today,
        "tabs": navigation.tickets_tabs(request.user), "current": "enter",
        "single_venue": single_venue,
    })


def _subwidgets(field: BoundField) -> list[Any]:
    return list(field.subwidgets)


@require_GET
def venue_vouchers(request: HttpRequest, venue_pk: int) -> HttpResponse:
    venue = get_object_or_404(Venue, pk=venue_pk)
    if not permissions.can_view_venue_vouchers(request.user, venue):
        raise Http404
    completed = request.GET.get("etat") == "termines"
    page = Paginator(uses.venue_vouchers(venue, completed=completed), PER_PAGE).get_page(request.GET.get("page"))
    own_venue = venue.pk in permissions.attached_venue_ids(request.user)
    for voucher in page.object_list:
        # The beneficiary's first name: the venue served them, or the programme's manager.
        show = own_venue or permissions.is_programme_manager(request.user, voucher.programme)
        voucher.show_name = show  # type: ignore[attr-defined]
    return render(request, "mediation/uses/venue.html", {
        "venue": venue, "page": page, "vouchers": page.object_list, "completed": completed,
        "extra_query": "etat=termines" if completed else "",
        "tabs": navigation.tickets_tabs(request.user), "current": "enter",
    })
