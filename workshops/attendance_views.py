"""The attendance sheet of one date of a session, on screen (filled in during the session or
typed in afterwards from the paper sheet) and printable. 404 for who may not see the
workshop; 403 with the reason for who sees it but is neither a host of the session nor one of
its managers; before the start the sheet is shown read-only, with the reason."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from core.forms import add_service_errors
from workshops import attendance, permissions, selectors
from workshops.attendance_forms import AttendanceSheetForm
from workshops.models import Attendance, Registration, Session, SessionDate


def _sort_key(registration: Registration) -> tuple[str, int]:
    """Alphabetical, accents and case aside ("Émile" between "Dominique" and "Fanny")."""
    name = unicodedata.normalize("NFKD", registration.display_name or "")
    return ("".join(char for char in name if not unicodedata.combining(char)).casefold(), registration.pk)


@dataclass
class Row:
    registration: Registration
    attendance: Attendance | None
    no_shows: int
    status_field: Any = None
    reason_field: Any = None

    @property
    def shows_phone(self) -> bool:
        return self.registration.kind == Registration.Kind.ON_SITE and bool(self.registration.phone)


def _load(request: HttpRequest, pk: int, date_pk: int) -> tuple[Session, SessionDate]:
    session = selectors.session_get_for_user(request.user, pk)
    date = next((item for item in session.dates.all() if item.pk == date_pk), None)
    if date is None:
        raise Http404
    decision = permissions.can_view_registrations(request.user, session)
    if not decision:
        raise PermissionDenied(decision.reason)
    return session, date


def _registrations(session: Session) -> list[Registration]:
    rows = Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED).select_related("user")
    return sorted(rows, key=_sort_key)


def _recorded(date: SessionDate, registrations: list[Registration]) -> dict[int, Attendance]:
    if not registrations:
        return {}
    return {
        row.registration_id: row
        for row in Attendance.objects.filter(date=date, registration__session_id=date.session_id,
                                             registration__status=Registration.Status.CONFIRMED)
    }


def _context(session: Session, date: SessionDate, registrations: list[Registration],
             recorded: dict[int, Attendance], *, with_no_shows: bool = True) -> dict[str, Any]:
    no_shows = attendance.no_show_counts(registrations) if with_no_shows else {}
    rows = [Row(registration, recorded.get(registration.pk), no_shows.get(registration.pk, 0))
            for registration in registrations]
    dates = list(session.dates.all())
    return {
        "session": session, "workshop": session.workshop, "date": date, "rows": rows,
        "dates": dates, "date_number": dates.index(date) + 1, "is_cycle": len(dates) > 1,
        "animators": list(session.animators.all()), "venue": session.venue,
        "tally": attendance.tally((row.status for row in recorded.values()), len(registrations)),
    }


@require_http_methods(["GET", "POST"])
def sheet(request: HttpRequest, pk: int, date_pk: int) -> HttpResponse:
    session, date = _load(request, pk, date_pk)
    decision = permissions.can_take_attendance(request.user, session)
    url = reverse("workshops:attendance", args=[session.pk, date.pk])
    if request.method == "POST" and not decision:
        messages.error(request, decision.reason)
        return redirect(url)
    registrations = _registrations(session)
    recorded = _recorded(date, registrations)
    form = AttendanceSheetForm(request.POST if request.method == "POST" else None,
                               registrations=registrations, recorded=recorded)
    if form.is_bound and form.is_valid():
        marks = form.marks(everybody_present="all_present" in request.POST, recorded=recorded)
        try:
            changed = attendance.attendance_record(actor=request.user, date=date, marks=marks)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if changed:
                messages.success(request, ngettext(
                    "The attendance sheet is saved (%(count)d change).",
                    "The attendance sheet is saved (%(count)d changes).", changed) % {"count": changed})
            else:
                messages.info(request, _("Nothing changed on the attendance sheet."))
            return redirect(url)
    context = _context(session, date, registrations, recorded)
    for row in context["rows"]:
        row.status_field = form[form.status_name(row.registration)]
        row.reason_field = form[form.reason_name(row.registration)]
    context.update({
        "form": form, "can_record": bool(decision), "refusal": "" if decision else decision.reason,
        "unrecorded": any(row.attendance is None for row in context["rows"]),
    })
    return render(request, "workshops/attendance_sheet.html", context)


@require_GET
def sheet_print(request: HttpRequest, pk: int, date_pk: int) -> HttpResponse:
    session, date = _load(request, pk, date_pk)
    registrations = _registrations(session)
    # The paper sheet goes from hand to hand: names only, no phone, no past absences.
    context = _context(session, date, registrations, {}, with_no_shows=False)
    # Lines left empty at the bottom of the paper sheet, for those who come unregistered.
    context["blank_lines"] = range(3)
    return render(request, "workshops/attendance_print.html", context)
