"""Open data views: the public export (CSV, JSON) and the import page of the Wagtail admin.

Thin: the work is in `directory.opendata`.
"""

from asgiref.sync import sync_to_async
from django import forms
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from directory import opendata
from directory.forms import territories_for_new_venue
from directory.models import Venue
from members import permissions

CACHE_SECONDS = 5 * 60


async def _async_chunks(chunks):
    """Serve a sync generator under ASGI one chunk at a time (its queries run in the request's thread)."""
    pull = sync_to_async(next, thread_sensitive=True)
    done = object()
    try:
        while (chunk := await pull(chunks, done)) is not done:
            yield chunk
    finally:
        await sync_to_async(chunks.close, thread_sensitive=True)()


def _export_response(request, chunks, *, content_type, filename, disposition):
    content = _async_chunks(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    return response


@require_safe
def export_csv(request):
    return _export_response(
        request,
        opendata.export_csv_chunks(),
        content_type="text/csv; charset=utf-8",
        filename=opendata.export_filename("csv"),
        disposition="attachment",
    )


@require_safe
def export_json(request):
    return _export_response(
        request,
        opendata.export_json_chunks(),
        content_type="application/json; charset=utf-8",
        filename=opendata.export_filename("json"),
        disposition="inline",
    )


# --- The import, in the Wagtail admin (/cms/venues/import/, URL name venues:import) ---------


class VenueImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    territory = forms.ModelChoiceField(
        label=_("Territory of the new venues"),
        queryset=None,
        empty_label=None,
        help_text=_("Venues already in the directory keep their territory."),
    )
    dry_run = forms.BooleanField(
        label=_("Dry run: show what would change, save nothing"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = territories_for_new_venue(user)
        self.fields["file"].help_text = gettext(
            "Columns of the national schema « Lieux de médiation numérique » (v1.0.2), encoded in UTF-8; "
            "%(limit)d MB and %(rows)d venues at most. Venues whose id is known are updated, the others created."
        ) % {"limit": opendata.MAX_BYTES // (1024 * 1024), "rows": opendata.MAX_ROWS}


class VenueImportView(WagtailAdminTemplateMixin, TemplateView):
    """The form (file, territory of new venues, dry run), then the report of each row."""

    template_name = "directory/admin/import.html"
    page_title = _("Import venues")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_local_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.request.user.has_perm("directory.view_venue"):
            items.append({"url": reverse("venues:index"), "label": capfirst(Venue._meta.verbose_name_plural)})
        return [*items, {"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=VenueImportForm(user=request.user)))

    def post(self, request, *args, **kwargs):
        form = VenueImportForm(request.POST, request.FILES, user=request.user)
        report = None
        if form.is_valid():
            territory = form.cleaned_data["territory"]
            report = opendata.venues_import(
                actor=request.user,
                file=form.cleaned_data["file"],
                territory=territory,
                dry_run=form.cleaned_data["dry_run"],
            )
            form = VenueImportForm(user=request.user, initial={"territory": territory, "dry_run": report.dry_run})
        return self.render_to_response(self.get_context_data(form=form, report=report))
