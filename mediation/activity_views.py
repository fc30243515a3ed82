"""Activity records: the list (filters, totals), the one-screen record, its page, change,
deletion, and the CSV export in the Coop de la médiation numérique's shape.

The export (`activites:export`, the list's filters): UTF-8 with a byte order mark, ";"
between fields, CRLF (the desk's CSV convention, as workshops' registrations: French Excel
opens it as is). One row per record; the values of the coded columns are the Coop's own
(mediation.coop enum values) so that the file imports there. Columns:

- ``Type``: Individuel | Collectif
- ``Date``: YYYY-MM-DD
- ``Durée (minutes)``
- ``Type de lieu``: LieuActivite | Domicile | ADistance | Autre
- ``Lieu (nom)``: the venue's name (at a venue)
- ``Commune``, ``Code INSEE``: the venue's city and INSEE code, else the commune recorded
- ``Thématiques``: Theme values separated by "|"
- ``Niveau`` (collective), ``Autonomie`` (individual), ``Matériel`` (values separated by "|")
- ``Titre de l'atelier``
- ``Participants``: how many took part
- ``Bénéficiaires anonymes``: participants without a first name recorded
- ``Genres``, ``Tranches d'âge``, ``Statuts``: one value per person described, separated by "|"
- ``Médiateur``: who recorded it
- ``Source``: manual | workshop | voucher
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from core import spreadsheets
from core.forms import add_service_errors, posted
from mediation import activity, coop, permissions
from mediation.activity_forms import FilterForm, RecordForm, initial_of
from mediation.activity_selectors import record_get_for_user, records_filtered, records_totals
from mediation.models import ActivityRecord
from members import permissions as member_permissions
from members.models import User

PAGE_SIZE = 25
EXPORT_CHUNK = 500
THEME_LABELS = dict(coop.Theme.choices)


def _member(request: HttpRequest) -> User:
    """The approved member (the desk's middleware lets nobody else in)."""
    user = request.user
    if not member_permissions.is_approved(user):
        raise PermissionDenied(_("Only members of the network record accompaniments."))
    return user


def _nav(request: HttpRequest, current: str) -> dict[str, Any]:
    return {"current": current, "can_share": permissions.can_manage_any_programme(request.user)}


def _filter_query(request: HttpRequest) -> str:
    keys = ("scope", "start", "end", "kind", "venue", "theme")
    return urlencode([(key, request.GET[key]) for key in keys if request.GET.get(key)])


@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    user = _member(request)
    form = FilterForm(request.GET or None, user=user)
    records = records_filtered(user, form.filters())
    totals = records_totals(records)
    page = Paginator(records.select_related("venue", "recorded_by"), PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page.object_list:
        record.duration_text = activity.duration_text(record.duration_minutes)  # type: ignore[attr-defined]
        record.theme_labels = [THEME_LABELS.get(theme, theme) for theme in record.themes]  # type: ignore[attr-defined]
    query = _filter_query(request)
    return render(request, "mediation/activity/index.html", {
        **_nav(request, "records"), "form": form, "page": page, "totals": totals, "extra_query": query,
        "export_url": reverse("activites:export") + (f"?{query}" if query else ""),
    })


def _again_url(record: ActivityRecord) -> str:
    """The empty form again, with the same date and place."""
    keep = {"date": record.date.isoformat(), "place_type": record.place_type}
    if record.venue_id is not None:
        keep["venue"] = str(record.venue_id)
    return reverse("activites:create") + "?" + urlencode(keep)


@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest) -> HttpResponse:
    decision = permissions.can_record_activity(request.user)
    if not decision:
        raise PermissionDenied(decision.reason)
    user = _member(request)
    initial = {key: request.GET[key] for key in ("date", "place_type", "venue") if request.GET.get(key)}
    form = RecordForm(posted(request), user=user, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            record = activity.record_create(actor=user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The accompaniment is recorded."))
            if "again" in request.POST:
                return redirect(_again_url(record))
            return redirect(record.get_absolute_url())
    return render(request, "mediation/activity/form.html", {**_nav(request, "create"), "form": form})


@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = record_get_for_user(request.user, pk)
    decision = permissions.can_edit_record(request.user, record)
    return render(request, "mediation/activity/detail.html", {
        **_nav(request, "records"), "record": record, "can_edit": bool(decision),
        "edit_refusal": "" if decision else decision.reason,
        "duration_text": activity.duration_text(record.duration_minutes),
        "theme_labels": [THEME_LABELS.get(theme, theme) for theme in record.themes],
        "equipment_labels": [dict(coop.Equipment.choices).get(item, item) for item in record.equipment],
        "people": list(record.beneficiaries.all()),
    })


def _editable(request: HttpRequest, pk: int) -> ActivityRecord:
    record = record_get_for_user(request.user, pk)
    decision = permissions.can_edit_record(request.user, record)
    if not decision:
        raise PermissionDenied(decision.reason)
    return record


@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = _editable(request, pk)
    user = _member(request)
    form = RecordForm(posted(request), user=user, initial=initial_of(record))
    if form.is_bound and form.is_valid():
        try:
            activity.record_update(actor=user, record=record, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The accompaniment is changed."))
            return redirect(record.get_absolute_url())
    return render(request, "mediation/activity/form.html", {**_nav(request, "records"), "form": form,
                                                            "record": record})


@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = _editable(request, pk)
    if request.method == "POST":
        activity.record_delete(actor=_member(request), record=record)
        messages.success(request, _("The accompaniment is deleted."))
        return redirect("activites:index")
    return render(request, "mediation/activity/delete.html", {
        **_nav(request, "records"), "record": record,
        "duration_text": activity.duration_text(record.duration_minutes),
    })


# --- Export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "Type", "Date", "Durée (minutes)", "Type de lieu", "Lieu (nom)", "Commune", "Code INSEE", "Thématiques",
    "Niveau", "Autonomie", "Matériel", "Titre de l'atelier", "Participants", "Bénéficiaires anonymes", "Genres",
    "Tranches d'âge", "Statuts", "Médiateur", "Source",
)


class _Echo:
    """A file whose write returns the line (csv.writer into a streamed response)."""

    def write(self, value: str) -> str:
        return value


def export_row(record: ActivityRecord) -> list[Any]:
    people = list(record.beneficiaries.all())
    venue = record.venue if record.place_type == coop.PlaceType.VENUE else None
    named = sum(1 for person in people if person.first_name)
    return [
        record.kind, record.date.isoformat(), record.duration_minutes, record.place_type,
        venue.name if venue is not None else "",
        venue.city if venue is not None else record.commune,
        venue.insee_code if venue is not None else record.commune_insee,
        "|".join(record.themes), record.level, record.autonomy, "|".join(record.equipment), record.title,
        record.participants, max(record.participants - named, 0),
        "|".join(person.gender for person in people), "|".join(person.age_bracket for person in people),
        "|".join(person.situation for person in people),
        str(record.recorded_by) if record.recorded_by is not None else "", record.source,
    ]


def export_lines(records: Any) -> Iterator[str]:
    writer = spreadsheets.writer(_Echo())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
    for record in records:
        yield writer.writerow(export_row(record))


@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    user = _member(request)
    form = FilterForm(request.GET or None, user=user)
    records = (
        records_filtered(user, form.filters()).select_related("venue", "recorded_by")
        .prefetch_related("beneficiaries").iterator(chunk_size=EXPORT_CHUNK)
    )
    response = StreamingHttpResponse(
        (line.encode("utf-8") for line in export_lines(records)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="accompagnements.csv"'
    return response
