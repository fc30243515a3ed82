"""Collections of resources (/bureau/ressources/collections/): a member's own (their "Favoris"
first), the shared ones of others, saving a resource into one.

Thin, as resources/views.py: a collection one may not see is a 404; one seen but not one's own
is a 403 with the reason when changed."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms import add_service_errors, error_text, posted
from resources import permissions, selectors, services
from resources.forms import CollectionForm, SaveForm
from resources.views import PAGE_SIZE, decorate, error_summary, tabs, with_kit_flag


def _collection(request: HttpRequest, pk: int) -> Any:
    return selectors.collection_get_for_user(request.user, pk)


@require_safe
def collection_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(request, "resources/desk/collections.html", {
        "tabs": tabs(user), "current": "collections",
        "mine": list(selectors.collections_of(user)),
        "shared": list(selectors.shared_collections(user).select_related("owner")[:100]),
    })


def _form_page(request: HttpRequest, form: CollectionForm, collection: Any) -> HttpResponse:
    return render(request, "resources/desk/collection_form.html", {
        "tabs": tabs(request.user), "current": "collections", "form": form, "collection": collection,
        "errors": error_summary(form) if form.errors else []})


@require_http_methods(["GET", "POST"])
def collection_create(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = CollectionForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            collection = services.collection_create(actor=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The collection « %(name)s » is made.") % {"name": collection.name})
            return redirect(reverse("ressources:collection", args=[collection.pk]))
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
def collection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    collection = _collection(request, pk)
    permissions.can_edit_collection(user, collection).check()
    form = CollectionForm(posted(request), initial={
        "name": collection.name, "description": collection.description, "is_shared": collection.is_shared})
    if form.is_bound and form.is_valid():
        try:
            services.collection_update(actor=user, collection_id=collection.pk, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect(reverse("ressources:collection", args=[collection.pk]))
    return _form_page(request, form, collection)


@require_http_methods(["GET", "POST"])
def collection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    collection = _collection(request, pk)
    permissions.can_edit_collection(user, collection).check()
    if request.method == "POST":
        try:
            services.collection_delete(actor=user, collection_id=collection.pk)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(reverse("ressources:collection", args=[collection.pk]))
        messages.success(request, _("The collection « %(name)s » is deleted; the resources in it are not.")
                         % {"name": collection.name})
        return redirect("ressources:collections")
    return render(request, "resources/desk/collection_delete.html", {
        "tabs": tabs(user), "current": "collections", "collection": collection})


@require_safe
def collection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    collection = _collection(request, pk)
    rows = with_kit_flag(selectors.collection_resources(collection, user))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = decorate(page.object_list)
    return render(request, "resources/desk/collection.html", {
        "tabs": tabs(user), "current": "collections", "collection": collection, "page": page,
        "resources": page.object_list, "is_owner": bool(permissions.can_edit_collection(user, collection)),
    })


@require_POST
def collection_remove(request: HttpRequest, pk: int, resource_pk: int) -> HttpResponse:
    user: Any = request.user
    collection = _collection(request, pk)
    try:
        services.collection_remove(actor=user, collection_id=collection.pk, resource_id=resource_pk)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The resource is no longer in « %(name)s ».") % {"name": collection.name})
    return redirect(reverse("ressources:collection", args=[collection.pk]))


@require_POST
def resource_save(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    resource = selectors.resource_get_for_user(user, pk)
    form = SaveForm(request.POST, collections=list(selectors.collections_of(user)))
    if not form.is_valid():
        messages.error(request, _("Choose one of your collections."))
        return redirect(resource.get_absolute_url())
    try:
        collection = services.collection_add(actor=user, resource_id=resource.pk,
                                             collection_id=form.collection_id())
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, format_html(
            _("« {title} » is saved in <a href=\"{url}\">{name}</a>."),
            title=resource.title, url=reverse("ressources:collection", args=[collection.pk]), name=collection.name))
    return redirect(resource.get_absolute_url())
