"""The public resource library at /ressources/ (namespace "public-resources"), for visitors.

Only what is published **and** public (`selectors.public_library`, `selectors.public_resource_get`):
anything else is a 404, also its files and thumbnails. A resource's page shows its licence (full
name, link, what reusing it allows) and its authors by name only (no link to a member's profile).
The list is searched and filtered by GET parameters (`q`, `theme`, `public`, `licence`), 20 a page,
in a fixed number of queries whatever the data.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from core.services import absolute_url
from files.serving import blob_response
from members import permissions as member_permissions
from resources import permissions, selectors, services
from resources.models import Licence, Resource, ResourceFile, Tag
from resources.views import duration_text

PER_PAGE = 20
Q_MAX = 100


def public_tags() -> list[Tag]:
    """The themes and publics of the public resources (one query): what the filters offer."""
    return list(Tag.objects.filter(permissions.public_q("resources__")).distinct().order_by("kind", "name"))


class PublicFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=Q_MAX)
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    public = forms.ChoiceField(label=_("For whom"), required=False)
    licence = forms.ChoiceField(label=_("Licence"), required=False)

    def __init__(self, *args: Any, tags: list[Tag], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        themes = [(tag.slug, tag.name) for tag in tags if tag.kind == Tag.Kind.THEME]
        publics = [(tag.slug, tag.name) for tag in tags if tag.kind == Tag.Kind.PUBLIC]
        for name, every, choices in (("theme", _("Every theme"), themes), ("public", _("Every public"), publics),
                                     ("licence", _("Every licence"), list(Licence.choices))):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", every), *choices]
        self.fields["q"].widget.input_type = "search"

    def filters(self) -> dict[str, str]:
        """The valid filters, non-empty ones only (a bad value is ignored and shown as an error)."""
        self.is_valid()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}-error"})
        data = getattr(self, "cleaned_data", {})
        return {name: str(data.get(name) or "").strip() for name in ("q", "theme", "public", "licence")
                if str(data.get(name) or "").strip()}


@require_safe
def library(request: HttpRequest) -> HttpResponse:
    tags = public_tags()
    form = PublicFilterForm(request.GET or None, tags=tags)
    filters = form.filters() if form.is_bound else {}
    slugs = tuple(filters[name] for name in ("theme", "public") if name in filters)
    queryset = selectors.public_library(q=filters.get("q", ""), tag_slugs=slugs, licence=filters.get("licence", ""))
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page", "")[:10])
    rows = [_row(resource) for resource in page.object_list]
    query = urlencode(filters)
    canonical = reverse("public-resources:index")
    if page.number > 1:
        canonical += f"?page={page.number}"
    return render(request, "resources/public/library.html", {
        "form": form,
        "page": page,
        "rows": rows,
        "count": page.paginator.count,
        "filtered": bool(filters),
        "extra_query": query,
        "absolute_url": absolute_url(canonical),
    })


def _row(resource: Resource) -> dict[str, Any]:
    tags = list(resource.tags.all())
    return {
        "resource": resource,
        "url": resource.get_public_url(),
        "authors": _author_names(resource),
        "themes": [tag for tag in tags if tag.kind == Tag.Kind.THEME],
        "publics": [tag for tag in tags if tag.kind == Tag.Kind.PUBLIC],
        "badge": selectors.badge(resource),
    }


def _author_names(resource: Resource) -> list[str]:
    """The authors' names in their order, from what the selector prefetched."""
    cache = getattr(resource, "_prefetched_objects_cache", {})
    if "author_links" in cache:
        return [link.user.display_name for link in resource.author_links.all()]
    return [user.display_name for user in resource.authors.all()]


@require_safe
def resource_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    resource = selectors.public_resource_get(pk)
    expected = resource.slug or "ressource"
    if slug != expected:
        return HttpResponsePermanentRedirect(resource.get_public_url())
    if request.method == "GET":
        # daphne sets REMOTE_ADDR from X-Forwarded-For when BEHIND_PROXY=1 (as website.spam).
        services.resource_viewed(resource=resource, user=request.user, viewer=request.META.get("REMOTE_ADDR", ""))
    authors = _author_names(resource)
    tags = list(resource.tags.all())
    files = list(resource.files.all())
    steps = list(resource.steps.all())
    items = list(resource.equipment_items.all())
    kits = list(resource.equipment_kits.all())
    url = absolute_url(resource.get_public_url())
    licence_name = resource.get_licence_display()
    licence_link = (format_html('<a href="{}" rel="license">{}</a>', resource.licence_url, licence_name)
                    if resource.licence_url else licence_name)
    themes = [tag for tag in tags if tag.kind == Tag.Kind.THEME]
    publics = [tag for tag in tags if tag.kind == Tag.Kind.PUBLIC]
    return render(request, "resources/public/detail.html", {
        "resource": resource,
        "authors": authors,
        "themes": themes,
        "publics": publics,
        "files": files,
        "steps": steps,
        "total": duration_text(sum(step.duration_minutes or 0 for step in steps)),
        "equipment": [item.name for item in items] + [kit.name for kit in kits],
        "badge": selectors.badge(resource),
        "licence_link": licence_link,
        "free_licence": resource.licence != Licence.NONE,
        "absolute_url": url,
        "json_ld": _json_ld(resource, url=url, authors=authors, tags=tags),
        "desk_url": resource.get_absolute_url() if member_permissions.is_approved(request.user) else "",
    })


def _json_ld(resource: Resource, *, url: str, authors: list[str], tags: list[Tag]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": resource.title,
        "url": url,
        "inLanguage": "fr",
        "isAccessibleForFree": True,
        "author": [{"@type": "Person", "name": name} for name in authors],
    }
    if resource.summary:
        data["description"] = resource.summary
    if resource.published_at:
        data["datePublished"] = resource.published_at.isoformat()
    if resource.updated_at:
        data["dateModified"] = resource.updated_at.isoformat()
    if resource.licence_url:
        data["license"] = resource.licence_url
    else:
        data["copyrightNotice"] = gettext("All rights reserved")
    if tags:
        data["keywords"] = ", ".join(tag.name for tag in tags)
    return data


def _public_file(pk: int, file_pk: int) -> ResourceFile:
    """The file `file_pk` of the public resource `pk` (404 otherwise: not public, not its file)."""
    resource = selectors.public_resource_get(pk)
    return get_object_or_404(ResourceFile, pk=file_pk, resource_id=resource.pk)


@require_safe
def resource_file_download(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    file = _public_file(pk, file_pk)
    if request.method == "GET":
        services.resource_file_downloaded(file=file)
    return blob_response(request, blob_name=file.blob.name or "", name=file.name, content_type=file.content_type)


@require_safe
def resource_file_thumbnail(request: HttpRequest, pk: int, file_pk: int) -> HttpResponseBase:
    file = _public_file(pk, file_pk)
    if not file.thumbnail:
        raise Http404
    blob_name = file.thumbnail.name or ""
    content_type = mimetypes.guess_type(blob_name)[0] or "image/jpeg"
    stem = file.name.rsplit(".", 1)[0] if "." in file.name else file.name
    name = f"{stem}{mimetypes.guess_extension(content_type) or '.jpg'}"
    return blob_response(request, blob_name=blob_name, name=name, content_type=content_type,
                         inline=True)
