"""The desk's resource library (/bureau/ressources/): the list, a resource's page, its form,
its files, ratings, reports and workshop links.

Thin: they parse (resources/forms.py), call `resources.services` / `resources.selectors` and
render. A resource one may not read is a 404 (also its files); what one reads but may not do is a
403 with the reason (`resources.permissions`). POST-only routes answer 405 to a GET."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms import add_service_errors, error_text, posted, safe_next
from members import permissions as member_permissions
from resources import permissions, selectors, services
from resources.forms import (
    LibraryFilterForm,
    RatingForm,
    ReportForm,
    ReportHandleForm,
    ResourceForm,
    StepFormSet,
    UnpublishForm,
    WorkshopLinkForm,
    licence_short,
    steps_of,
)
from resources.models import Resource, ResourceFile
from workshops.forms import duration_text as workshop_duration_text

PAGE_SIZE = 20
REPORTS_PAGE_SIZE = 20
FILE_RESULTS = 10
RATINGS_SHOWN = 50


# --- Shared bits -------------------------------------------------------------------------------------


def tabs(user: Any) -> list[dict[str, Any]]:
    """The library's tabs (templates/resources/desk/_tabs.html)."""
    rows = [
        {"key": "library", "label": _("Library"), "url": reverse("ressources:index")},
        {"key": "mine", "label": _("My resources"), "url": reverse("ressources:index") + "?miennes=on"},
        {"key": "collections", "label": _("My collections"), "url": reverse("ressources:collections")},
    ]
    if permissions.can_handle_reports(user):
        rows.append({"key": "reports", "label": pgettext("resources", "Reports"), "url": reverse("ressources:reports")})
    return rows


def duration_text(minutes: int | None) -> str:
    """"45 min", "1 h 30" (the workshops' words), or "" without a duration."""
    return workshop_duration_text(int(minutes)) if minutes else ""


def decorate(resources: Any) -> list[Resource]:
    """Add what the cards show and costs no query: the licence's short name and the badge."""
    rows = list(resources)
    for resource in rows:
        resource.licence_short = licence_short(resource.licence)  # type: ignore[attr-defined]
        resource.badge = selectors.badge(resource)  # type: ignore[attr-defined]
    return rows


def with_kit_flag(rows: QuerySet[Resource]) -> QuerySet[Resource]:
    """`is_kit`: has steps or equipment (an annotation: no query per card)."""
    if "is_kit" in rows.query.annotations:
        return rows
    return rows.annotate(is_kit=ExpressionWrapper(selectors.is_kit_q(), output_field=BooleanField()))


# The services name their arguments; the form names its fields.
SERVICE_FIELDS = {"uploads": "files", "author_ids": "authors", "tag_ids": "themes",
                  "equipment_item_ids": "equipment_items", "equipment_kit_ids": "equipment_kits",
                  "remove_file_ids": "remove_files"}


def service_errors(form: Any, exc: ValidationError) -> None:
    """The service's errors on the form, each on its field (the steps' ones on top)."""
    if hasattr(exc, "error_dict"):
        exc = ValidationError({SERVICE_FIELDS.get(key, key): value for key, value in exc.error_dict.items()})
    add_service_errors(form, exc)


def error_summary(form: Any, formset: Any = None) -> list[tuple[str, Any, Any]]:
    """(anchor, label, message) of every error: the summary on top of a refused form."""
    rows: list[tuple[str, Any, Any]] = []
    for message in form.non_field_errors():
        rows.append(("", "", message))
    for field in form:
        for message in field.errors:
            rows.append((field.id_for_label or f"{field.auto_id}_0", field.label, message))
    if formset is not None:
        for message in formset.non_form_errors():
            rows.append(("steps", _("Steps"), message))
        for number, step in enumerate(formset.forms, start=1):
            for field in step:
                for message in field.errors:
                    rows.append((field.id_for_label, _("Step %(number)s, %(field)s") % {
                        "number": number, "field": str(field.label).lower()}, message))
    return rows


def _resource(request: HttpRequest, pk: int) -> Resource:
    return selectors.resource_get_for_user(request.user, pk)


# --- The library -------------------------------------------------------------------------------------


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    tags = selectors.tag_choices()
    filters = LibraryFilterForm(request.GET or None, tags=tags)
    values = filters.values() if (not filters.is_bound or filters.is_valid()) else _valid_values(filters)
    rows = selectors.library(user, q=values["q"], tag_slugs=[*values["theme"], *values["public"]],
                             licence=values["licence"], kits=values["kits"], mine=values["mine"])
    page = Paginator(with_kit_flag(rows), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = decorate(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    files: list[Any] = []
    if values["q"]:
        from files import selectors as file_selectors

        files = list(file_selectors.search_files(user, values["q"], limit=FILE_RESULTS))
    filtered = any([values["q"], values["theme"], values["public"], values["licence"], values["kits"]])
    return render(request, "resources/desk/library.html", {
        "tabs": tabs(user), "current": "mine" if values["mine"] else "library",
        "filters": filters, "values": values, "page": page, "resources": page.object_list,
        "extra_query": query.urlencode(), "files": files, "filtered": filtered or values["mine"],
        "can_create": bool(permissions.can_create_resource(user)),
    })


def _valid_values(filters: LibraryFilterForm) -> dict[str, Any]:
    """The filters that passed when some did not (an unknown theme is left out, and said)."""
    data = getattr(filters, "cleaned_data", {})
    return {"q": (data.get("q") or "").strip(), "theme": list(data.get("theme") or []),
            "public": list(data.get("public") or []), "licence": data.get("licence") or "",
            "kits": bool(data.get("kits")), "mine": bool(data.get("miennes"))}


# --- Writing -----------------------------------------------------------------------------------------


def _limit_uploads(request: HttpRequest) -> None:
    """Stop reading a file beyond FILES_MAX_SIZE while it arrives (before anything is stored)."""
    if request.method == "POST":
        from files.uploadhandler import limit_uploads

        limit_uploads(request, max_bytes=settings.FILES_MAX_SIZE)


def _too_large(request: HttpRequest, form: ResourceForm) -> bool:
    from files.uploadhandler import upload_too_large

    name = upload_too_large(request)
    if name:
        form.add_error("files", _("« %(name)s » is larger than %(size)s, the largest file accepted.")
                       % {"name": name, "size": filesizeformat(settings.FILES_MAX_SIZE)})
        return True
    return False


def _choices(user: Any, resource: Resource | None) -> dict[str, Any]:
    """The form's lists: tags, members, equipment (in service, plus what the resource names)."""
    from lending.models import Item, Kit

    chosen_items: set[int] = set()
    chosen_kits: set[int] = set()
    if resource is not None:
        chosen_items = {item.pk for item in resource.equipment_items.all()}
        chosen_kits = {kit.pk for kit in resource.equipment_kits.all()}
    groups: dict[str, list[tuple[int, str]]] = {}
    items = (Item.objects.filter(Q(status=Item.Status.AVAILABLE) | Q(pk__in=chosen_items))
             .select_related("category").order_by("category__position", "category__name", "name", "pk"))
    for item in items:
        label = f"{item.name} ({item.inventory_number})"
        if item.status != Item.Status.AVAILABLE:
            label = f"{label}, {item.get_status_display().lower()}"
        groups.setdefault(item.category.name, []).append((item.pk, label))
    kits = [(kit.pk, kit.name) for kit in Kit.objects.filter(Q(is_active=True) | Q(pk__in=chosen_kits))
            .order_by("name", "pk")]
    members = list(member_permissions.approved_members().order_by("display_name", "pk")
                   .values_list("pk", "display_name"))
    if resource is None:  # the writer is the first author anyway
        members = [(pk, name) for pk, name in members if pk != user.pk]
    else:  # authors who left stay listed, so that saving keeps them
        known = {pk for pk, _name in members}
        members += [(link.user.pk, link.user.display_name) for link in resource.author_links.all()
                    if link.user.pk not in known]
    return {"tags": selectors.tag_choices(), "members": members, "items": list(groups.items()), "kits": kits,
            "existing_files": list(resource.files.all()) if resource is not None else []}


def _form_page(request: HttpRequest, form: ResourceForm, steps: Any, resource: Resource | None) -> HttpResponse:
    return render(request, "resources/desk/form.html", {
        "tabs": tabs(request.user), "current": "library", "form": form, "steps": steps, "resource": resource,
        "errors": error_summary(form, steps) if (form.errors or steps.total_error_count()) else [],
        "max_size": filesizeformat(settings.FILES_MAX_SIZE),
    })


def _files_lost(request: HttpRequest, form: ResourceForm) -> None:
    if request.FILES.getlist("files"):
        form.add_error(None, _("The files you chose were not kept: choose them again before saving."))


def _step_initial(resource: Resource) -> list[dict[str, Any]]:
    return [{"title": step.title, "body": step.body, "duration_minutes": step.duration_minutes}
            for step in resource.steps.all()]


@csrf_exempt
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    _limit_uploads(request)
    return _resource_create(request)


@csrf_protect
def _resource_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    permissions.can_create_resource(user).check()
    form = ResourceForm(posted(request), request.FILES or None, **_choices(user, None), creating=True)
    steps = StepFormSet(posted(request), prefix="steps")
    if request.method == "POST":
        too_large = _too_large(request, form)
        if form.is_valid() and steps.is_valid() and not too_large:
            try:
                resource = services.resource_create(actor=user, **form.service_arguments(),
                                                    uploads=form.cleaned_data["files"], steps=steps_of(steps))
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("The draft « %(title)s » is saved. Publish it when it is ready.")
                                 % {"title": resource.title})
                return redirect(resource.get_absolute_url())
        _files_lost(request, form)
    return _form_page(request, form, steps, None)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _limit_uploads(request)
    return _resource_edit(request, pk)


@csrf_protect
def _resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    resource = _resource(request, pk)
    permissions.can_edit_resource(user, resource).check()
    form = ResourceForm(posted(request), request.FILES or None, **_choices(user, resource),
                        creating=False, initial=ResourceForm.initial_for(resource))
    steps = StepFormSet(posted(request), prefix="steps", initial=_step_initial(resource))
    if request.method == "POST":
        too_large = _too_large(request, form)
        if form.is_valid() and steps.is_valid() and not too_large:
            arguments = form.service_arguments()
            # The authors keep their order; the newly chosen ones come after.
            order = {link.user_id: link.position for link in resource.author_links.all()}
            chosen = list(arguments["author_ids"])
            arguments["author_ids"] = sorted(
                chosen, key=lambda pk: (order.get(pk, len(chosen) + 1_000), chosen.index(pk)))
            try:
                services.resource_update(actor=user, resource_id=resource.pk, **arguments,
                                         uploads=form.cleaned_data["files"], steps=steps_of(steps),
                                         remove_file_ids=list(form.cleaned_data["remove_files"]))
            except ValidationError as exc:
                service_errors(form, exc)
            else:
                messages.success(request, _("The changes are saved."))
                return redirect(resource.get_absolute_url())
        _files_lost(request, form)
    return _form_page(request, form, steps, resource)


# --- A resource's page -------------------------------------------------------------------------------


def _detail_page(request: HttpRequest, resource: Resource, *, rating_form: RatingForm | None = None,
                 status: int = 200) -> HttpResponse:
    user: Any = request.user
    steps = list(resource.steps.all())
    total = sum(step.duration_minutes or 0 for step in steps)
    for step in steps:
        step.duration_text = duration_text(step.duration_minutes)  # type: ignore[attr-defined]
    items = list(resource.equipment_items.all())
    kits = list(resource.equipment_kits.all())
    can_edit = permissions.can_edit_resource(user, resource)
    can_rate = permissions.can_rate(user, resource)
    own = selectors.user_rating(user, resource) if can_rate else None
    if rating_form is None:
        rating_form = RatingForm(initial={"score": own.score, "comment": own.comment} if own else None)
    ratings = list(selectors.resource_ratings(resource).exclude(comment="")[:RATINGS_SHOWN])
    workshops = selectors.workshops_of_kit(resource, user)
    for workshop in workshops:
        workshop.can_unlink = bool(permissions.can_link_workshop(user, workshop))  # type: ignore[attr-defined]
    linked = {workshop.pk for workshop in workshops}
    linkable = [(w.pk, w.title) for w in selectors.linkable_workshops(user) if w.pk not in linked]
    collections = list(selectors.collections_of(user)) if member_permissions.is_approved(user) else []
    holding = selectors.collections_holding(user, resource) if collections else set()
    files = list(resource.files.all())
    for file in files:
        file.previewable = file.is_image or file.content_type == "application/pdf"  # type: ignore[attr-defined]
    return render(request, "resources/desk/detail.html", {
        "tabs": tabs(user), "current": "library", "resource": resource,
        "authors": [link.user for link in resource.author_links.all()], "tags": list(resource.tags.all()),
        "files": files,
        "steps": steps, "total": duration_text(total), "items": items, "kits": kits,
        "is_kit": bool(steps or items or kits), "licence_short": licence_short(resource.licence),
        "can_edit": can_edit, "is_moderator": permissions.is_moderator(user),
        "is_author": permissions.is_author(user, resource),
        "can_rate": can_rate, "can_report": permissions.can_report(user, resource),
        "rating_form": rating_form, "own_rating": own, "ratings": ratings, "badge": selectors.badge(resource),
        "workshops": workshops,
        "link_form": WorkshopLinkForm(workshops=linkable) if linkable else None,
        "topics": selectors.forum_topics_citing(resource, user),
        "collections": collections, "saved_in": [c for c in collections if c.pk in holding],
        "unpublish_form": UnpublishForm(),
    }, status=status)


@require_safe
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk)
    if request.method == "GET":
        services.resource_viewed(resource=resource, user=request.user)
    return _detail_page(request, resource)


@require_POST
def resource_publish(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk)
    try:
        services.resource_publish(actor=request.user, resource_id=resource.pk)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("« %(title)s » is published.") % {"title": resource.title})
    return redirect(resource.get_absolute_url())


@require_POST
def resource_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    resource = _resource(request, pk)
    form = UnpublishForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.resource_unpublish(actor=request.user, resource_id=resource.pk,  # type: ignore[arg-type]
                                    reason=reason)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("« %(title)s » is a draft again: only its authors and the moderators see it.")
                         % {"title": resource.title})
    return redirect(resource.get_absolute_url())


@require_http_methods(["GET", "POST"])
def resource_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    resource = _resource(request, pk)
    permissions.can_edit_resource(user, resource).check()
    if request.method == "POST":
        try:
            services.resource_delete(actor=user, resource_id=resource.pk)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(resource.get_absolute_url())
        messages.success(request, _("« %(title)s » is deleted.") % {"title": resource.title})
        return redirect("ressources:index")
    return render(request, "resources/desk/delete.html", {
        "tabs": tabs(user), "current": "library", "resource": resource, "file_count": resource.files.count()})


# --- Files ---------------------------------------------------------------------------------------------


def _file(request: HttpRequest, pk: int, file_pk: int) -> ResourceFile:
    resource = _resource(request, pk)
    file = ResourceFile.objects.filter(resource=resource, pk=file_pk).first()
    if file is None:
        raise Http404
    file.resource = resource
    return file


@require_safe
def resource_file_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    from files.serving import blob_response

    file = _file(request, pk, file_pk)
    if request.method == "GET":
        services.resource_file_downloaded(file=file)
    return blob_response(request, blob_name=file.blob.name or "", name=file.name, content_type=file.content_type)


@require_safe
def resource_file_preview(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    from files.serving import blob_response

    file = _file(request, pk, file_pk)
    return blob_response(request, blob_name=file.blob.name or "", name=file.name, content_type=file.content_type,
                         inline=True)


@require_safe
def resource_file_thumbnail(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    from files.serving import blob_response

    file = _file(request, pk, file_pk)
    if not file.thumbnail:
        raise Http404
    content_type = mimetypes.guess_type(file.thumbnail.name or "")[0] or "image/jpeg"
    stem = file.name.rsplit(".", 1)[0] if "." in file.name else file.name
    extension = mimetypes.guess_extension(content_type) or ".jpg"
    return blob_response(request, blob_name=file.thumbnail.name or "", name=f"{stem}{extension}",
                         content_type=content_type, inline=True)


# --- Ratings, reports, workshops -------------------------------------------------------------------


@require_POST
def resource_rate(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    resource = _resource(request, pk)
    permissions.can_rate(user, resource).check()
    if "delete" in request.POST:
        try:
            services.rating_delete(actor=user, resource_id=resource.pk)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Your opinion is removed."))
        return redirect(resource.get_absolute_url() + "#avis")
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rating_save(actor=user, resource_id=resource.pk, score=form.cleaned_data["score"],
                                 comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: your opinion is saved."))
            return redirect(resource.get_absolute_url() + "#avis")
    resource = _resource(request, pk)  # the counters as they are now
    return _detail_page(request, resource, rating_form=form)


@require_http_methods(["GET", "POST"])
def resource_report(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    resource = _resource(request, pk)
    permissions.can_report(user, resource).check()
    form = ReportForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(actor=user, resource_id=resource.pk, reason=form.cleaned_data["reason"],
                                   comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Thank you: the moderators will look at this resource."))
            return redirect(resource.get_absolute_url())
    return render(request, "resources/desk/report.html", {
        "tabs": tabs(user), "current": "library", "resource": resource, "form": form,
        "errors": error_summary(form) if form.errors else []})


@require_POST
def resource_workshop_link(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    resource = _resource(request, pk)
    workshops = [(w.pk, w.title) for w in selectors.linkable_workshops(user)]
    form = WorkshopLinkForm(request.POST, workshops=workshops)
    if not form.is_valid():
        if not workshops:
            raise PermissionDenied(_("You lead no workshop that could use this kit."))
        messages.error(request, _("Choose one of the workshops you lead."))
        return redirect(resource.get_absolute_url() + "#ateliers")
    try:
        services.workshop_kit_link(actor=user, resource_id=resource.pk, workshop_id=form.cleaned_data["workshop"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The workshop now points to this kit."))
    return redirect(resource.get_absolute_url() + "#ateliers")


@require_POST
def resource_workshop_unlink(request: HttpRequest, pk: int, workshop_pk: int) -> HttpResponse:
    resource = _resource(request, pk)
    try:
        services.workshop_kit_unlink(actor=request.user, resource_id=resource.pk,  # type: ignore[arg-type]
                                     workshop_id=workshop_pk)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The workshop no longer points to this kit."))
    # From the workshop's page, back to it (its form says so); from the resource's, to its list.
    return redirect(safe_next(request, resource.get_absolute_url() + "#ateliers"))


@require_safe
def reports(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    permissions.can_handle_reports(user).check()
    page = Paginator(selectors.open_reports(), REPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for report in rows:
        report.form = ReportHandleForm(prefix=f"r{report.pk}")  # type: ignore[attr-defined]
    return render(request, "resources/desk/reports.html", {
        "tabs": tabs(user), "current": "reports", "page": page, "reports": rows})


@require_POST
def report_handle(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    permissions.can_handle_reports(user).check()
    form = ReportHandleForm(request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose a decision: resolved or dismissed."))
        return redirect(reverse("ressources:reports") + f"#signalement-{pk}")
    try:
        services.report_handle(actor=user, report_id=pk, status=form.cleaned_data["status"],
                               note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The report is handled; its author is told."))
    return redirect("ressources:reports")
