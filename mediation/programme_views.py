"""Programmes and prescribing organisations (coordinators, local admins): the lists, a
programme and its modules, an organisation and its prescribers. 404 for what the member does
not run, 403 with the reason for what they may not do."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors, posted
from core.permissions import Decision
from mediation import navigation, permissions
from mediation import programmes as services
from mediation.models import Programme
from mediation.programme_forms import ModuleFormSet, OrganisationForm, ProgrammeForm, SeatForm, module_initial

PER_PAGE = 20


def _page(request: HttpRequest, queryset: Any) -> Page:
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _allowed(decision: Decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


def _tabs(request: HttpRequest, current: str) -> dict[str, Any]:
    return {"tabs": navigation.tickets_tabs(request.user), "current": current}


def _rule_text(programme: Programme) -> str:
    amount = f"{programme.amount:.2f}".replace(".", ",")
    if programme.payment_rule == Programme.PaymentRule.PER_MODULE:
        return _("%(amount)s € per module") % {"amount": amount}
    return _("%(amount)s € per completed voucher") % {"amount": amount}


def _validity_text(programme: Programme) -> str:
    return _("%(months)d months + %(days)d days of grace") % {
        "months": programme.validity_months, "days": programme.grace_days}


# --- Programmes ----------------------------------------------------------------------------------


@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    _allowed(permissions.can_create_programme(request.user))
    page = _page(request, services.programmes_with_counts(request.user))
    for programme in page.object_list:
        programme.rule_text = _rule_text(programme)  # type: ignore[attr-defined]
    return render(request, "mediation/programmes/programme_list.html", {
        "page": page, "programmes": page.object_list, **_tabs(request, "programmes"),
    })


@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    _allowed(permissions.can_create_programme(request.user))
    form = ProgrammeForm(posted(request), user=request.user, creating=True)
    if form.is_bound and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The programme is created: name its modules."))
            return redirect("tickets:modules-edit", programme.pk)
    return render(request, "mediation/programmes/programme_form.html", {
        "form": form, "programme": None, **_tabs(request, "programmes"),
    })


@require_GET
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = services.programme_get_for_user(request.user, pk)
    venues = list(programme.venues.select_related("territory").order_by("territory__name", "name", "pk"))
    return render(request, "mediation/programmes/programme_detail.html", {
        "programme": programme,
        "modules": list(programme.modules.order_by("position")),
        "venues": venues,
        "organisations": list(programme.organisations.select_related("territory").order_by("name", "pk")),
        "counts": services.voucher_counts(programme),
        "rule_text": _rule_text(programme), "validity_text": _validity_text(programme),
        **_tabs(request, "programmes"),
    })


@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = services.programme_get_for_user(request.user, pk)
    _allowed(permissions.can_manage_programme(request.user, programme))
    form = ProgrammeForm(posted(request), user=request.user, initial=ProgrammeForm.initial_for(programme))
    if form.is_bound and form.is_valid():
        try:
            services.programme_update(actor=request.user, programme=programme, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The programme is saved."))
            return redirect(programme.get_absolute_url())
    return render(request, "mediation/programmes/programme_form.html", {
        "form": form, "programme": programme, **_tabs(request, "programmes"),
    })


@require_http_methods(["GET", "POST"])
def modules_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = services.programme_get_for_user(request.user, pk)
    _allowed(permissions.can_manage_programme(request.user, programme))
    formset = ModuleFormSet(posted(request), initial=module_initial(programme), prefix="modules")
    if formset.is_bound:
        if formset.is_valid():
            try:
                services.modules_save(actor=request.user, programme=programme, rows=formset.rows())
            except ValidationError as error:
                formset.add_service_errors(error)
            else:
                messages.success(request, _("The modules are saved."))
                return redirect(programme.get_absolute_url())
    used = set(programme.modules.annotate(uses_count=Count("uses")).filter(uses_count__gt=0)
               .values_list("pk", flat=True))
    return render(request, "mediation/programmes/modules_form.html", {
        "programme": programme, "formset": formset, "used": used, **_tabs(request, "programmes"),
    })


# --- Organisations ---------------------------------------------------------------------------------


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    _allowed(permissions.can_create_organisation(request.user))
    page = _page(request, services.organisations_with_counts(request.user))
    return render(request, "mediation/programmes/organisation_list.html", {
        "page": page, "organisations": page.object_list, **_tabs(request, "organisations"),
    })


@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    _allowed(permissions.can_create_organisation(request.user))
    form = OrganisationForm(posted(request), user=request.user)
    if form.is_bound and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organisation is added: add its prescribers."))
            return redirect("tickets:organisation", organisation.pk)
    return render(request, "mediation/programmes/organisation_form.html", {
        "form": form, "organisation": None, **_tabs(request, "organisations"),
    })


def _organisation_page(request: HttpRequest, organisation: Any, seat_form: SeatForm) -> HttpResponse:
    seats = list(organisation.seats.select_related("user", "added_by").order_by("user__display_name", "pk"))
    return render(request, "mediation/programmes/organisation_detail.html", {
        "organisation": organisation, "seats": seats, "seat_form": seat_form,
        "programmes": list(organisation.programmes.select_related("territory").order_by("name", "pk")),
        "vouchers_count": organisation.vouchers.count(),
        "can_manage": bool(permissions.can_manage_organisation(request.user, organisation)),
        **_tabs(request, "organisations"),
    })


@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = services.organisation_get_for_user(request.user, pk)
    return _organisation_page(request, organisation, SeatForm())


@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = services.organisation_get_for_user(request.user, pk)
    _allowed(permissions.can_manage_organisation(request.user, organisation))
    form = OrganisationForm(posted(request), user=request.user, initial=OrganisationForm.initial_for(organisation))
    if form.is_bound and form.is_valid():
        try:
            services.organisation_update(actor=request.user, organisation=organisation, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The organisation is saved."))
            return redirect("tickets:organisation", organisation.pk)
    return render(request, "mediation/programmes/organisation_form.html", {
        "form": form, "organisation": organisation, **_tabs(request, "organisations"),
    })


@require_POST
def seat_add(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = services.organisation_get_for_user(request.user, pk)
    _allowed(permissions.can_manage_organisation(request.user, organisation))
    form = SeatForm(request.POST)
    if form.is_valid():
        try:
            seat = services.seat_add(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s now prescribes for %(organisation)s: they are told by e-mail.")
                             % {"name": seat.user, "organisation": organisation.name})
            return redirect(reverse("tickets:organisation", args=[organisation.pk]) + "#prescribers")
    return _organisation_page(request, organisation, form)


@require_POST
def seat_remove(request: HttpRequest, pk: int) -> HttpResponse:
    seat = services.seat_get_for_user(request.user, pk)
    _allowed(permissions.can_manage_organisation(request.user, seat.organisation))
    services.seat_remove(actor=request.user, seat=seat)
    messages.success(request, _("%(name)s no longer prescribes for %(organisation)s.")
                     % {"name": seat.user, "organisation": seat.organisation.name})
    return redirect(reverse("tickets:organisation", args=[seat.organisation_id]) + "#prescribers")
