"""Desk views of the demand for workshops: the ranked list with one-click voices, asking for a
workshop, a request's page (its voices; for the coordination the members whose skills match),
and the POSTs that add or withdraw a voice and change a status. Thin: they parse, call
`demand.py` and render; 404 for who may not see, 403 with the reason for who may not act."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import add_service_errors, error_text, posted, safe_next
from core.permissions import Conflict
from workshops import demand as demand_services
from workshops import permissions, selectors
from workshops.demand_forms import DemandFilterForm, DemandForm, StatusForm, VoteForm
from workshops.models import Demand

PAGE_SIZE = 20


def _check_ask(request: HttpRequest) -> None:
    decision = permissions.can_ask(request.user)
    if not decision:
        raise PermissionDenied(decision.reason)


@require_GET
def demand_list(request: HttpRequest) -> HttpResponse:
    _check_ask(request)
    filters = DemandFilterForm(request.GET or None)
    chosen = filters.filters() if filters.is_bound else {"status": Demand.Status.OPEN, "theme": None,
                                                          "territory": None}
    ranked = demand_services.demands_ranked(user=request.user, **chosen)
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: request.GET[key] for key in ("theme", "territory", "status") if request.GET.get(key)}
    return render(request, "workshops/demand_list.html", {
        "filters": filters, "page": page, "demands": list(page.object_list),
        "extra_query": urlencode(query), "filtered": bool(query),
        "open_status": chosen["status"] == Demand.Status.OPEN,
        "can_manage_any": permissions.can_manage_any(request.user),
    })


@require_http_methods(["GET", "POST"])
def demand_create(request: HttpRequest) -> HttpResponse:
    _check_ask(request)
    user: Any = request.user
    form = DemandForm(posted(request), initial={"territory": user.territory_id, "title": request.GET.get("sujet", "")})
    duplicate = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            created = demand_services.demand_create(
                actor=user, title=data["title"], description=data["description"], themes=data["themes"],
                territory=data["territory"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            duplicate = _duplicate_of(exc)
        else:
            messages.success(request, _("Your request is recorded, with your voice."))
            return redirect(created.get_absolute_url())
    return render(request, "workshops/demand_form.html", {"form": form, "duplicate": duplicate})


def _duplicate_of(exc: ValidationError) -> Demand | None:
    """The similar open request a refusal names, if that is why it was refused."""
    errors = exc.error_dict.get("title", []) if hasattr(exc, "error_dict") else []
    for error in errors:
        if error.code == "duplicate" and error.params:
            return Demand.objects.filter(pk=error.params["pk"]).first()
    return None


@require_GET
def demand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    demand = demand_services.demand_get_for_user(request.user, pk)
    manager = permissions.can_manage_any(request.user)
    answering = [
        workshop for workshop in selectors.workshops().filter(demand=demand).order_by("-created_at", "-pk")
        if permissions.can_view_workshop(request.user, workshop)
    ]
    can_manage_status = permissions.can_manage_demand(request.user, demand)
    return render(request, "workshops/demand_detail.html", {
        "demand": demand,
        "voices": demand_services.voices(demand),
        "can_vote": permissions.can_vote(request.user, demand),
        "can_manage_status": can_manage_status,
        "manager": manager,
        "matches": demand_services.matching_members(demand) if manager else [],
        "answering": answering,
        "propose_url": f"{reverse('workshops:propose')}?{urlencode({'demande': demand.pk})}",
        "statuses": [(value, label) for value, label in Demand.Status.choices if value != demand.status],
    })


@require_POST
def demand_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Add one's voice, or withdraw it (`action` add / remove; without it: toggle)."""
    demand = demand_services.demand_get_for_user(request.user, pk)
    back = redirect(safe_next(request, demand.get_absolute_url()))
    decision = permissions.can_vote(request.user, demand)
    if not decision:
        if isinstance(decision, Conflict):
            messages.error(request, decision.reason)
            return back
        raise PermissionDenied(decision.reason)
    form = VoteForm(request.POST)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    if not action:
        action = "remove" if getattr(demand, "voted", False) else "add"
    try:
        if action == "add":
            added = demand_services.demand_vote(actor=request.user, demand=demand)
            messages.success(request, _("Your voice is added.") if added else _("You had already added your voice."))
        else:
            removed = demand_services.demand_unvote(actor=request.user, demand=demand)
            messages.success(request, _("Your voice is withdrawn.") if removed
                             else _("You had not added your voice."))
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    return back


@require_POST
def demand_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark answered, close or reopen (the coordination, the territory's local admins, the author)."""
    demand = demand_services.demand_get_for_user(request.user, pk)
    decision = permissions.can_manage_demand(request.user, demand)
    if not decision:
        raise PermissionDenied(decision.reason)
    back = redirect(safe_next(request, demand.get_absolute_url()))
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose open, answered or closed."))
        return back
    status = form.cleaned_data["status"]
    try:
        demand_services.demand_set_status(actor=request.user, demand=demand, status=status)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return back
    messages.success(request, {
        Demand.Status.OPEN: _("The request is open again."),
        Demand.Status.ANSWERED: _("The request is marked as answered; its voices are told."),
        Demand.Status.CLOSED: _("The request is closed."),
    }[status])
    return back
