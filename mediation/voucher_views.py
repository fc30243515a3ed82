"""Vouchers: home, issue, list (and its CSV), one voucher, its card and QR code, cancel, erase.

Thin: they parse, call `mediation.vouchers` and render. Another organisation's voucher reads as
missing (404, `selectors.voucher_get_for_user`); what one sees but may not do is a 403 with
the reason."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import spreadsheets
from core.forms import add_service_errors, error_text, posted
from core.permissions import Conflict
from core.qr import qr_svg_response
from core.services import absolute_url
from mediation import permissions, selectors
from mediation import vouchers as services
from mediation.models import Organisation, Voucher, VoucherUse
from mediation.navigation import tickets_tabs
from mediation.voucher_forms import CancelForm, EraseForm, IssueForm, VoucherFilterForm
from members import permissions as member_permissions

PAGE_SIZE = 25


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    organisation_id = permissions.prescriber_organisation_id(user)
    prescriber = None
    organisation = None
    if organisation_id is not None:
        prescriber = services.prescriber_home(organisation_id, today)
        organisation = Organisation.objects.only("name").get(pk=organisation_id)
        soon = {voucher.pk for voucher in prescriber.expiring}
        for voucher in prescriber.latest:
            voucher.expiring = voucher.pk in soon or services.expiring_soon(voucher, today)  # type: ignore[attr-defined]
    approved = member_permissions.is_approved(user)
    venues = services.venues_home(user) if approved and permissions.attached_venue_ids(user) else []
    programmes = services.programmes_home(user) if permissions.can_manage_any_programme(user) else None
    totals = None
    if programmes is not None:
        totals = {
            "total": sum(p.vouchers_total for p in programmes),  # type: ignore[attr-defined]
            "active": sum(p.vouchers_active for p in programmes),  # type: ignore[attr-defined]
            "completed": sum(p.vouchers_completed for p in programmes),  # type: ignore[attr-defined]
        }
    return render(request, "mediation/vouchers/index.html", {
        "tabs": tickets_tabs(user), "prescriber": prescriber, "organisation": organisation,
        "statuses": [(value, label, prescriber.counts[value]) for value, label in Voucher.Status.choices]
        if prescriber else [],
        "venues": venues, "is_animator": bool(approved and permissions.attached_venue_ids(user)),
        "programmes": programmes, "totals": totals,
        "no_role": prescriber is None and not venues and programmes is None
        and not (approved and permissions.attached_venue_ids(user)),
    })


@require_http_methods(["GET", "POST"])
def issue(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not permissions.is_prescriber(user):
        raise PermissionDenied(_("Only prescribers issue vouchers."))
    programmes = services.issuable_programmes(user)
    form = IssueForm(posted(request), programmes=programmes)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            voucher = services.voucher_issue(
                actor=user, programme=data["programme"], first_name=data["first_name"],
                age_bracket=data["age_bracket"], commune=data["commune"], commune_insee=data["commune_insee"],
                situation=data["situation"], consent=data["consent"], valid_from=data["valid_from"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Voucher %(code)s issued for %(name)s. Print the card and hand it over.")
                             % {"code": voucher.display_code, "name": voucher.first_name})
            return redirect(voucher.get_absolute_url())
    return render(request, "mediation/vouchers/issue.html", {
        "tabs": tickets_tabs(user), "form": form, "has_programmes": form.programme_count > 0,
    })


def _filtered(request: HttpRequest) -> tuple[VoucherFilterForm, dict[str, Any]]:
    form = VoucherFilterForm(request.GET or None, programmes=services.visible_programmes(request.user))
    return form, form.filters()


@require_GET
def voucher_list(request: HttpRequest) -> HttpResponse:
    form, chosen = _filtered(request)
    vouchers = services.voucher_search(request.user, **chosen)
    page = Paginator(vouchers, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: request.GET[key] for key in ("q", "status", "programme") if request.GET.get(key)}
    today = timezone.localdate()
    rows = list(page.object_list)
    for voucher in rows:
        voucher.expiring = services.expiring_soon(voucher, today)  # type: ignore[attr-defined]
    return render(request, "mediation/vouchers/list.html", {
        "tabs": tickets_tabs(request.user), "filters": form, "page": page, "vouchers": rows,
        "extra_query": urlencode(query), "filtered": bool(query),
        "csv_url": reverse("tickets:list-csv") + (f"?{urlencode(query)}" if query else ""),
        "can_issue": permissions.is_prescriber(request.user),
    })


@require_GET
def voucher_list_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list for French Excel: UTF-8 with a byte order mark, ";" between fields."""
    _form, chosen = _filtered(request)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = spreadsheets.writer(buffer)
    writer.writerow([
        _("Code"), _("First name or pseudonym"), _("Programme"), _("Prescriber"), _("Issued on"),
        _("Valid from"), _("Valid until"), _("Modules done"), _("Modules"), _("Status"), _("Age"),
        _("Situation"), _("Commune"), _("INSEE code"),
    ])
    zone = timezone.get_current_timezone()
    for voucher in services.voucher_search(request.user, **chosen).iterator(chunk_size=500):
        writer.writerow([
            voucher.display_code, voucher.first_name, voucher.programme.name, voucher.organisation.name,
            voucher.issued_at.astimezone(zone).strftime("%d/%m/%Y"), voucher.valid_from.strftime("%d/%m/%Y"),
            voucher.valid_until.strftime("%d/%m/%Y"), voucher.modules_done,
            voucher.modules_total,  # type: ignore[attr-defined]
            voucher.get_status_display(), voucher.get_age_bracket_display(), voucher.get_situation_display(),
            voucher.commune, voucher.commune_insee,
        ])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tickets-{timezone.localdate():%Y-%m-%d}.csv"'
    return response


def _detail(request: HttpRequest, voucher: Voucher, *, cancel_form: CancelForm | None = None,
            erase_form: EraseForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    uses = {
        use.module_id: use
        for use in VoucherUse.objects.filter(voucher=voucher).select_related("module", "venue")
    }
    modules = list(voucher.programme.modules.order_by("position"))
    rows = [{"module": module, "use": uses.get(module.pk)} for module in modules]
    can_follow = permissions.can_follow_voucher(user, voucher)
    can_cancel = permissions.can_cancel_voucher(user, voucher)
    return render(request, "mediation/vouchers/detail.html", {
        "tabs": tickets_tabs(user), "voucher": voucher, "rows": rows, "modules_total": len(modules),
        "done": sum(1 for row in rows if row["use"] is not None),
        "validity": services.validity_of(voucher, timezone.localdate()),
        "can_follow": bool(can_follow), "can_cancel": bool(can_cancel),
        "cancel_form": cancel_form or CancelForm(), "erase_form": erase_form or EraseForm(),
    }, status=status)


@require_GET
def voucher_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.voucher_get_for_user(request.user, pk))


def _followed(request: HttpRequest, pk: int) -> Voucher:
    """The voucher (404 if unseen), for its prescriber and managers (403 with the reason)."""
    voucher = selectors.voucher_get_for_user(request.user, pk)
    permissions.can_follow_voucher(request.user, voucher).check()
    return voucher


@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = _followed(request, pk)
    venues = list(voucher.programme.venues.order_by("city", "name").only("name", "city"))
    return render(request, "mediation/vouchers/card.html", {
        "voucher": voucher, "venues": venues, "modules_total": voucher.programme.modules.count(),
        "modules_duration": voucher.programme.modules.order_by("position").values_list(
            "duration_minutes", flat=True).first(),
    })


@require_GET
def qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The card's QR code: the address of the recording page of this code."""
    voucher = selectors.voucher_get_for_user(request.user, pk)
    return qr_svg_response(absolute_url(reverse("tickets:code", args=[voucher.code])))


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = selectors.voucher_get_for_user(request.user, pk)
    decision = permissions.can_cancel_voucher(request.user, voucher)
    if not decision:
        if isinstance(decision, Conflict):
            messages.error(request, decision.reason)
            return redirect(voucher.get_absolute_url())
        raise PermissionDenied(decision.reason)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.voucher_cancel(actor=request.user, voucher=voucher, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                add_service_errors(form, exc)
            else:
                messages.error(request, error_text(exc))
                return redirect(voucher.get_absolute_url())
        else:
            messages.success(request, _("The voucher is cancelled."))
            return redirect(voucher.get_absolute_url())
    return _detail(request, voucher, cancel_form=form)


@require_POST
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    voucher = _followed(request, pk)
    form = EraseForm(request.POST)
    if not form.is_valid():
        return _detail(request, voucher, erase_form=form)
    if services.voucher_erase(actor=request.user, voucher=voucher):
        messages.success(request, _("The person's first name and commune are erased; the counts stay."))
    else:
        messages.info(request, _("This person's data was already erased."))
    return redirect(voucher.get_absolute_url())
