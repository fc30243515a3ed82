"""Desk views scheduling sessions: create, edit, cancel. 404 for whoever may not see the
workshop, 403 with the reason for whoever sees it but may not schedule; a workshop that can no
longer get sessions sends back to its page with the reason."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import posted
from core.permissions import Conflict
from workshops import permissions, selectors, sessions
from workshops.models import Registration, Session, Workshop
from workshops.session_forms import CancelForm, SessionForm


def _allowed(request: HttpRequest, decision: permissions.Decision, back: str) -> HttpResponse | None:
    """None when allowed; a redirect with the reason for a state conflict; 403 otherwise."""
    if decision:
        return None
    if isinstance(decision, Conflict):
        messages.error(request, decision.reason)
        return redirect(back)
    raise PermissionDenied(decision.reason)


def _render_form(request: HttpRequest, form: SessionForm, *, workshop: Workshop, session: Session | None,
                 warnings: list[str]) -> HttpResponse:
    context: dict[str, Any] = {
        "form": form, "workshop": workshop, "session": session, "warnings": warnings,
        "rows": form.date_rows(), "zone_note": "",
    }
    return render(request, "workshops/sessions_form.html", context)


def _submit(request: HttpRequest, form: SessionForm, call: Any) -> tuple[Session | None, list[str]]:
    """Call the service with the form's data; (session, []) or (None, conflict warnings)."""
    if not (form.is_bound and form.is_valid()):
        return None, []
    try:
        return call(**form.service_data()), []
    except ValidationError as error:
        if getattr(error, "code", None) == "conflict":
            return None, list(error.messages)
        form.add_service_error(error)
    return None, []


@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    workshop = selectors.workshop_get_for_user(request.user, pk)
    answer = _allowed(request, permissions.can_schedule(request.user, workshop), workshop.get_absolute_url())
    if answer is not None:
        return answer
    form = SessionForm(posted(request), workshop=workshop)

    def call(**data: Any) -> Session:
        return sessions.session_create(actor=request.user, workshop=workshop, **data)

    session, warnings = _submit(request, form, call)
    if session is not None:
        messages.success(request, _("The session is scheduled; its animators are told."))
        return redirect(session.get_absolute_url())
    return _render_form(request, form, workshop=workshop, session=None, warnings=warnings)


@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for_user(request.user, pk)
    answer = _allowed(request, permissions.can_edit_session(request.user, session), session.get_absolute_url())
    if answer is not None:
        return answer
    form = SessionForm(posted(request), workshop=session.workshop, session=session)

    def call(**data: Any) -> Session:
        return sessions.session_update(actor=request.user, session=session, **data)

    changed, warnings = _submit(request, form, call)
    if changed is not None:
        messages.success(request, _("The session is changed."))
        return redirect(changed.get_absolute_url())
    return _render_form(request, form, workshop=session.workshop, session=session, warnings=warnings)


@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_get_for_user(request.user, pk)
    answer = _allowed(request, permissions.can_edit_session(request.user, session), session.get_absolute_url())
    if answer is not None:
        return answer
    form = CancelForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            sessions.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason" if hasattr(error, "error_dict") else None, error.messages)
        else:
            messages.success(request, _("The session is cancelled; the people registered are told."))
            return redirect(session.get_absolute_url())
    told = Registration.objects.filter(session=session, status__in=sessions.ACTIVE).count()
    return render(request, "workshops/sessions_cancel.html", {
        "form": form, "session": session, "workshop": session.workshop, "told": told,
        "dates": [sessions.when_text(row.start, row.end, session.tz) for row in session.dates.all()],
    })
