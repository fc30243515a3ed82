"""Statements per venue and period, paid; the closing statement. Thin views: they parse input,
call `mediation.settlement` and render. 404 for a statement one may not read, 403 with the
reason for what one sees but may not do."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import spreadsheets
from core.forms import add_service_errors, error_text, posted
from directory.models import Venue
from mediation import permissions, selectors, settlement
from mediation.models import Programme, Settlement
from mediation.navigation import tickets_tabs
from mediation.scopes import Period
from mediation.selectors import managed_programmes
from mediation.settlement_forms import ClosingFilterForm, PaidForm, SettlementFilterForm, SettlementForm
from members import permissions as member_permissions

PAGE_SIZE = 30


def _base(request: HttpRequest) -> dict[str, Any]:
    return {"tabs": tickets_tabs(request.user), "current": "settlements"}


def _reads_statements(user: Any) -> bool:
    return permissions.can_manage_any_programme(user) or (
        bool(member_permissions.is_approved(user)) and bool(permissions.attached_venue_ids(user))
    )


def _settlement(request: HttpRequest, pk: int) -> Settlement:
    item = (Settlement.objects.select_related("programme", "venue", "paid_by", "created_by").filter(pk=pk).first())
    if item is None or not permissions.can_view_settlement(request.user, item.programme, item.venue):
        raise Http404
    return item


def _month_or_quarter(request: HttpRequest) -> Period:
    today = timezone.localdate()
    period = Period.from_query(request.GET, today)
    if period.kind in ("month", "quarter") and request.GET.get("periode"):
        return period
    return Period.containing("month", today)


# --- The list --------------------------------------------------------------------------------


@require_GET
def settlement_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not _reads_statements(user):
        raise PermissionDenied(_("Only the programmes' coordinators and the venues' animators read statements."))
    managed = managed_programmes(user)
    venue_ids = permissions.attached_venue_ids(user) if member_permissions.is_approved(user) else frozenset()
    programmes = Programme.objects.filter(Q(pk__in=managed.values("pk")) | Q(venues__in=venue_ids)).distinct()
    venues = Venue.objects.filter(Q(voucher_programmes__in=managed.values("pk")) | Q(pk__in=venue_ids)).distinct()
    filters = SettlementFilterForm(request.GET or None, programmes=programmes, venues=venues)
    chosen: dict[str, Any] = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    statements = settlement.visible_settlements(user).select_related("programme", "venue")
    if chosen.get("programme"):
        statements = statements.filter(programme=chosen["programme"])
    if chosen.get("venue"):
        statements = statements.filter(venue=chosen["venue"])
    if chosen.get("paid") == "oui":
        statements = statements.filter(paid_at__isnull=False)
    elif chosen.get("paid") == "non":
        statements = statements.filter(paid_at__isnull=True)
    page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"item": item, "total": settlement.euros(item.total)} for item in page.object_list]
    query = {key: request.GET[key] for key in ("programme", "venue", "paid", "periode", "annee", "numero")
             if request.GET.get(key)}
    return render(request, "mediation/settlement/list.html", {
        **_base(request), "filters": filters, "page": page, "rows": rows, "extra_query": urlencode(query),
        "owed": _owed(request, chosen.get("programme"), managed),
    })


def _owed(request: HttpRequest, programme: Programme | None, managed: Any) -> dict[str, Any] | None:
    """"Montants dus": per venue, what one managed programme owes for the month or quarter."""
    if not permissions.can_manage_any_programme(request.user):
        return None
    programme = programme if programme is not None else managed.order_by("name", "pk").first()
    if programme is None or not permissions.can_settle(request.user, programme):
        return None
    period = _month_or_quarter(request)
    rows = settlement.owed_summary(programme, period.start, period.end)
    base = {"programme": programme.pk}

    def link(other: Period) -> str:
        return "?" + urlencode({**base, **other.as_query()})

    create = {"programme": programme.pk, "kind": period.kind, "year": period.year, "number": period.number}
    return {
        "programme": programme, "period": period, "previous": link(period.previous()), "next": link(period.next()),
        "month": link(Period.containing("month", timezone.localdate())),
        "quarter": link(Period.containing("quarter", timezone.localdate())),
        "rows": [{"row": row, "amount": settlement.euros(row.amount),
                  "create": urlencode({**create, "venue": row.venue_id})} for row in rows],
        "total": settlement.euros(sum((row.amount for row in rows), Decimal("0"))),
    }


# --- Drawing up a statement ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def settlement_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not permissions.can_manage_any_programme(user):  # coordinators and local admins
        raise PermissionDenied(_("Only the programme's coordinators draw up statements."))
    today = timezone.localdate()
    previous = Period.containing("month", today).previous()
    initial = {"kind": "month", "year": previous.year, "number": previous.number}
    initial.update({key: request.GET[key] for key in ("programme", "venue", "kind", "year", "number")
                    if request.GET.get(key)})
    form = SettlementForm(posted(request), initial=initial, programmes=managed_programmes(user))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            created = settlement.settlement_create(
                actor=user, programme=data["programme"], venue=data["venue"], start=data["start"], end=data["end"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The statement is drawn up: %(total)s.")
                             % {"total": settlement.euros(created.total)})
            return redirect(created.get_absolute_url())
    return render(request, "mediation/settlement/form.html", {**_base(request), "form": form})


# --- One statement ---------------------------------------------------------------------------


def _detail(request: HttpRequest, item: Settlement, paid_form: PaidForm | None = None,
            status: int = 200) -> HttpResponse:
    can_settle = bool(permissions.can_settle(request.user, item.programme))
    return render(request, "mediation/settlement/detail.html", {
        **_base(request), "settlement": item, "venue": item.venue, "programme": item.programme,
        "lines": [{"line": line, "amount": settlement.euros(line.amount)} for line in settlement.statement_lines(item)],
        "total": settlement.euros(item.total), "can_settle": can_settle,
        "paid_form": paid_form if paid_form is not None else (PaidForm() if can_settle and not item.paid_at else None),
    }, status=status)


@require_http_methods(["GET", "POST"])
def settlement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable statement; POST (action "cancel"): cancel it while unpaid."""
    item = _settlement(request, pk)
    if request.method == "POST":
        permissions.can_settle(request.user, item.programme).check()
        try:
            released = settlement.settlement_cancel(actor=request.user, settlement=item)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(item.get_absolute_url())
        messages.success(request, _("The statement is cancelled: its %(count)d modules may be settled again.")
                         % {"count": released})
        return redirect("tickets:settlements")
    return _detail(request, item)


@require_POST
def settlement_paid(request: HttpRequest, pk: int) -> HttpResponse:
    item = _settlement(request, pk)
    permissions.can_settle(request.user, item.programme).check()
    form = PaidForm(request.POST)
    if form.is_valid():
        try:
            settlement.settlement_mark_paid(actor=request.user, settlement=item,  # type: ignore[arg-type]
                                            paid_on=form.cleaned_data["paid_on"],
                                            reference=form.cleaned_data["reference"])
        except ValidationError as exc:
            if getattr(exc, "code", None) == "conflict":
                messages.error(request, error_text(exc))
                return redirect(item.get_absolute_url())
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The statement is marked paid."))
            return redirect(item.get_absolute_url())
    return _detail(request, item, paid_form=form, status=200)


def _csv_response(rows: list[list[Any]], filename: str) -> HttpResponse:
    """For French Excel, as workshops' registrations_csv: UTF-8 with a byte order mark, ";"
    between fields, dates dd/mm/yyyy, amounts with a decimal comma."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = spreadsheets.writer(buffer)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def settlement_csv(request: HttpRequest, pk: int) -> HttpResponse:
    item = _settlement(request, pk)
    rows: list[list[Any]] = [[_("Code"), _("Modules"), _("First module on"), _("Last module on"), _("Amount (€)")]]
    for line in settlement.statement_lines(item):
        rows.append([line.code, line.modules_text, f"{line.first_date:%d/%m/%Y}", f"{line.last_date:%d/%m/%Y}",
                     settlement.csv_amount(line.amount)])
    rows.append([_("Total"), item.modules_count, "", "", settlement.csv_amount(item.total)])
    return _csv_response(rows, f"releve-{item.period_start:%Y-%m}-{item.venue_id}-{item.pk}.csv")


# --- Closing ---------------------------------------------------------------------------------


def _closing(request: HttpRequest, pk: int) -> tuple[Programme, ClosingFilterForm, Any]:
    # Not a manager of it: a 404, as its other pages (programme ids are not probed).
    programme = selectors.managed_programmes(request.user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    form = ClosingFilterForm(request.GET or None)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    vouchers = settlement.closing_vouchers(
        programme, today=timezone.localdate(), ended_from=chosen.get("ended_from"),
        ended_until=chosen.get("ended_until"),
    )
    return programme, form, vouchers


def _unspent(programme: Programme, modules: int, done: int) -> Decimal:
    amount = Decimal(programme.amount)
    if programme.payment_rule == Programme.PaymentRule.PER_MODULE:
        return amount * max(modules - done, 0)
    return amount


@require_GET
def closing(request: HttpRequest, pk: int) -> HttpResponse:
    programme, form, vouchers = _closing(request, pk)
    summary = settlement.closing_summary(programme, vouchers)
    lines = vouchers.select_related("organisation").order_by("organisation__name", "valid_until", "code")
    return render(request, "mediation/settlement/closing.html", {
        **_base(request), "programme": programme, "form": form, "summary": summary,
        "rows": [{"row": row, "unspent": settlement.euros(row.unspent)} for row in summary.rows],
        "unspent": settlement.euros(summary.unspent),
        "lines": [{"voucher": voucher, "left": max(summary.modules - voucher.modules_done, 0)} for voucher in lines],
        "csv_query": request.GET.urlencode(),
    })


@require_GET
def closing_csv(request: HttpRequest, pk: int) -> HttpResponse:
    programme, _form, vouchers = _closing(request, pk)
    summary = settlement.closing_summary(programme, vouchers)
    rows: list[list[Any]] = [[_("Organisation"), _("Code"), _("Valid from"), _("Valid until"), _("Status"),
                              _("Modules done"), _("Modules left"), _("Amount not spent (€)")]]
    for voucher in vouchers.select_related("organisation").order_by("organisation__name", "valid_until", "code"):
        rows.append([
            voucher.organisation.name, voucher.display_code, f"{voucher.valid_from:%d/%m/%Y}",
            f"{voucher.valid_until:%d/%m/%Y}", voucher.get_status_display(), voucher.modules_done,
            max(summary.modules - voucher.modules_done, 0),
            settlement.csv_amount(_unspent(programme, summary.modules, voucher.modules_done)),
        ])
    rows.append([_("Total"), summary.vouchers, "", "", "", summary.modules_done, summary.modules_left,
                 settlement.csv_amount(summary.unspent)])
    return _csv_response(rows, f"cloture-{programme.pk}-{timezone.localdate():%Y-%m-%d}.csv")
