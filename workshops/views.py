"""Desk views of workshops: the index (coming sessions, my registrations, the sessions I lead),
the catalogue, proposing, the proposals, a workshop and its lifecycle (edit, accept, refuse,
cancel, close). 404 for what the member may not see, 403 with the reason for what they see
but may not do; a change of state meanwhile ("already examined") is a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import markdown
from core.forms import add_service_errors, error_text, posted
from core.permissions import Conflict, Decision
from workshops import permissions, selectors, services
from workshops.forms import CatalogueFilterForm, ReasonForm, WorkshopForm, duration_text
from workshops.models import Demand, Session, Workshop
from workshops.pages import workshop_sections

PER_PAGE = 20
# The index's side lists: a member's registrations and the sessions they lead.
SIDE_MAX = 50


def _places(sessions: list[Session]) -> list[Session]:
    """Each session read through `selectors.sessions()` gets `places_left` and `full`."""
    for session in sessions:
        session.places_left = selectors.places_left(session)  # type: ignore[attr-defined]
        session.full = session.places_left == 0  # type: ignore[attr-defined]
    return sessions


def _sorted_skills(skills: Any) -> list[Any]:
    """Skills by name (read from the prefetched ones when there are)."""
    return sorted(skills, key=lambda skill: skill.name.casefold())


def _page(request: HttpRequest, queryset: Any) -> Page:
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _decided(request: HttpRequest, decision: Decision, workshop: Workshop) -> HttpResponse | None:
    """None when allowed; a redirect with the reason when the workshop's state forbids it;
    PermissionDenied (403) when the member may not."""
    if decision:
        return None
    if isinstance(decision, Conflict):
        messages.error(request, decision.reason)
        return redirect(workshop.get_absolute_url())
    raise PermissionDenied(decision.reason)


def _nav(request: HttpRequest) -> dict[str, Any]:
    """What the sub-navigation shows: the results entry and, for managers, the count of the
    proposals waiting for them (one COUNT)."""
    manager = permissions.can_manage_any(request.user)
    return {"can_manage": manager,
            "proposals_waiting": services.waiting_proposals(request.user).count() if manager else None}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    page = _page(request, services.upcoming_sessions(now=now))
    _places(list(page.object_list))
    registrations = list(services.live_registrations(request.user, now=now)[:SIDE_MAX])
    led = _places(list(services.sessions_led_by(request.user, now=now)[:SIDE_MAX]))
    return render(request, "workshops/lifecycle_index.html", {
        "page": page, "sessions": page.object_list, "registrations": registrations, "led": led,
        "can_propose": bool(permissions.can_propose(request.user)), **_nav(request),
    })


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters()
    page = _page(request, services.catalogue(**filters))
    return render(request, "workshops/lifecycle_catalogue.html", {
        "form": form, "page": page, "workshops": page.object_list, "filters": filters,
        "extra_query": urlencode(filters), **_nav(request),
    })


def _demand(request: HttpRequest) -> Demand | None:
    text = request.GET.get("demande", "")
    if not text:
        return None
    try:
        pk = int(text)
    except ValueError:
        raise Http404 from None
    demand = Demand.objects.filter(pk=pk).first()
    if demand is None:
        raise Http404
    return demand


@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    decision = permissions.can_propose(request.user)
    if not decision:
        raise PermissionDenied(decision.reason)
    demand = _demand(request)
    initial: dict[str, Any] = {}
    if demand is not None:
        initial = {"title": demand.title, "description": demand.description, "themes": demand.themes}
    form = WorkshopForm(posted(request), initial=initial)
    if form.is_bound and form.is_valid():
        try:
            workshop = services.workshop_propose(actor=request.user, demand=demand, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your proposal is sent: the coordination will examine it."))
            return redirect(workshop.get_absolute_url())
    return render(request, "workshops/lifecycle_form.html", {
        "form": form, "workshop": None, "demand": demand,
        "skills": _sorted_skills(request.user.skills.all()),
    })


@require_GET
def proposals(request: HttpRequest) -> HttpResponse:
    manager = permissions.can_manage_any(request.user)
    page = _page(request, services.waiting_proposals(request.user)) if manager else None
    if page is not None:
        for workshop in page.object_list:
            workshop.proposer_skills = (  # type: ignore[attr-defined]
                _sorted_skills(workshop.proposed_by.skills.all()) if workshop.proposed_by_id else [])
    own_page = Paginator(services.own_proposals(request.user), PER_PAGE).get_page(request.GET.get("mine"))
    return render(request, "workshops/lifecycle_proposals.html", {
        "manager": manager, "page": page, "waiting": page.object_list if page is not None else [],
        "own_page": own_page, "own": own_page.object_list,
        "can_manage": manager, "proposals_waiting": page.paginator.count if page is not None else None,
    })


def _workshop(request: HttpRequest, pk: int) -> Workshop:
    return selectors.workshop_get_for_user(request.user, pk)


@require_GET
def workshop_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    user = request.user
    now = timezone.now()
    sessions = _places(list(selectors.sessions().filter(workshop=workshop).order_by("start", "pk")))
    upcoming = [session for session in sessions if session.end > now]
    past = [session for session in reversed(sessions) if session.end <= now]
    changed_by = workshop.status_changed_by if workshop.status_changed_by_id else None
    context = {
        "workshop": workshop, "upcoming": upcoming, "past": past, "changed_by": changed_by,
        "description_html": markdown.render(workshop.description) if workshop.description else "",
        "duration": duration_text(workshop.duration_minutes),
        "can_edit": bool(permissions.can_edit_workshop(user, workshop)),
        "can_decide": bool(permissions.can_decide(user, workshop)),
        "can_cancel": bool(permissions.can_cancel_workshop(user, workshop)),
        "can_close": bool(permissions.can_close_workshop(user, workshop)),
        "can_schedule": bool(permissions.can_schedule(user, workshop)),
        "can_edit_questions": bool(permissions.can_edit_questions(user, workshop)),
        "can_view_results": bool(permissions.can_view_results(user, workshop)),
        "refuse_form": ReasonForm(),
        "sections": workshop_sections(workshop, user),
    }
    return render(request, "workshops/lifecycle_detail.html", context)


@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    stop = _decided(request, permissions.can_edit_workshop(request.user, workshop), workshop)
    if stop is not None:
        return stop
    form = WorkshopForm(posted(request), initial=WorkshopForm.initial_for(workshop))
    if form.is_bound and form.is_valid():
        try:
            services.workshop_update(actor=request.user, workshop=workshop, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The workshop is changed."))
            return redirect(workshop.get_absolute_url())
    return render(request, "workshops/lifecycle_form.html", {
        "form": form, "workshop": workshop, "demand": None,
        "skills": _sorted_skills(request.user.skills.all()) if workshop.proposed_by_id == request.user.pk else None,
    })


@require_POST
def workshop_accept(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    stop = _decided(request, permissions.can_decide(request.user, workshop), workshop)
    if stop is not None:
        return stop
    try:
        services.workshop_accept(actor=request.user, workshop=workshop)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The workshop is accepted: its author is told. You can now schedule a session."))
    return redirect(workshop.get_absolute_url())


@require_http_methods(["GET", "POST"])
def workshop_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    stop = _decided(request, permissions.can_decide(request.user, workshop), workshop)
    if stop is not None:
        return stop
    form = ReasonForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            services.workshop_refuse(actor=request.user, workshop=workshop, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The proposal is declined: its author is told why."))
            return redirect(workshop.get_absolute_url())
    return render(request, "workshops/lifecycle_refuse.html", {"workshop": workshop, "form": form})


@require_http_methods(["GET", "POST"])
def workshop_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    stop = _decided(request, permissions.can_cancel_workshop(request.user, workshop), workshop)
    if stop is not None:
        return stop
    form = ReasonForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            services.workshop_cancel(actor=request.user, workshop=workshop, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The workshop is cancelled; the people registered are told."))
            return redirect(workshop.get_absolute_url())
    return render(request, "workshops/lifecycle_cancel.html", {
        "workshop": workshop, "form": form,
        "people": services.people_to_tell(workshop),
        "session_count": services.sessions_to_cancel(workshop).count(),
    })


@require_POST
def workshop_close(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = _workshop(request, pk)
    stop = _decided(request, permissions.can_close_workshop(request.user, workshop), workshop)
    if stop is not None:
        return stop
    try:
        services.workshop_close(actor=request.user, workshop=workshop)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The workshop is closed."))
    return redirect(workshop.get_absolute_url())

