"""The desk's venue pages: my venues, add, edit, history, restore (wiki-style upkeep)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import add_service_errors, posted
from directory import geocoding, selectors, services
from directory.forms import VenueForm, territories_for_new_venue
from members import permissions

PER_PAGE = 30
HISTORY_PER_PAGE = 20


def _form_context(form, venue):
    """What the venue form's template needs besides the form: the pin map's settings."""
    pin_config = {
        "tileUrl": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "center": list(settings.MAP_CENTER),
        "zoom": settings.MAP_ZOOM,
        "icons": {
            "iconUrl": static("leaflet/images/marker-icon.png"),
            "iconRetinaUrl": static("leaflet/images/marker-icon-2x.png"),
            "shadowUrl": static("leaflet/images/marker-shadow.png"),
        },
        "texts": {
            "pin": _("The venue's position"),
            "moved": _("Pin moved: latitude %(lat)s, longitude %(lon)s."),
            "searching": _("Looking for the coordinates…"),
        },
    }
    return {
        "form": form, "venue": venue, "pin_config": pin_config, "geocoder": geocoding.is_enabled(),
        "located": getattr(form, "locate_result", None),
    }


def _locate(request, form):
    """The "Find the coordinates" button: the form comes back with them filled, nothing saved.

    Answers JSON to the page's script (Accept: application/json), a page otherwise (no JS).
    """
    data = request.POST
    located = geocoding.locate(data.get("address", ""), data.get("postal_code", ""), data.get("city", ""))
    if "application/json" in request.headers.get("Accept", ""):
        place = located.place
        return JsonResponse({
            "found": place is not None,
            "latitude": str(place.latitude) if place else None,
            "longitude": str(place.longitude) if place else None,
            "message": located.message,
        })
    if located.place is not None:
        data = data.copy()
        data["latitude"], data["longitude"] = str(located.place.latitude), str(located.place.longitude)
        form.data = data
    form.locate_result = located  # told next to the button
    form._errors = ErrorDict()  # not a save: no error shown for fields still being typed
    return None


def venue_list(request):
    """The venues I keep up to date: mine, and my territories' if I am a local admin."""
    venues = selectors.venues_editable_by(user=request.user)
    page = Paginator(venues, PER_PAGE).get_page(request.GET.get("page"))
    can_create = permissions.can_add_venues(request.user)
    return render(request, "directory/venue_list.html", {"page": page, "can_create": can_create})


def venue_create(request):
    territories = territories_for_new_venue(request.user)
    permissions.can_add_venues(request.user).check()
    form = VenueForm(posted(request), request.FILES or None, territories=territories)
    if request.method == "POST" and "locate" in request.POST:
        return _locate(request, form) or render(request, "directory/venue_form.html", _form_context(form, None))
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.venue_create(
                actor=request.user, territory=form.cleaned_data["territory"], data=form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The venue %(name)s is in the directory.") % {"name": venue.name})
            return redirect("directory:venue-history", pk=venue.pk)
    return render(request, "directory/venue_form.html", _form_context(form, None))


def venue_edit(request, pk):
    venue = selectors.venue_get_for_edit(request.user, pk)
    initial = {"base_revision": selectors.latest_revision_id(venue)}
    form = VenueForm(posted(request), request.FILES or None, instance=venue, initial=initial)
    if request.method == "POST" and "locate" in request.POST:
        return _locate(request, form) or render(request, "directory/venue_form.html", _form_context(form, venue))
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.venue_update(
                actor=request.user, venue=venue, data=form.service_data(),
                base_revision_id=form.cleaned_data.get("base_revision"),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if updated.updated_at == venue.updated_at:
                messages.info(request, _("Nothing changed: the venue is as it was."))
            else:
                messages.success(request, _("The venue %(name)s is up to date.") % {"name": updated.name})
            return redirect("directory:venue-history", pk=venue.pk)
    return render(request, "directory/venue_form.html", _form_context(form, venue))


def venue_history(request, pk):
    venue = selectors.venue_get_for_edit(request.user, pk)
    page = Paginator(selectors.venue_history(venue=venue), HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "directory/venue_history.html", {
        "venue": venue, "page": page, "labels": services.field_labels(),
        "latest_id": selectors.latest_revision_id(venue),
    })


def revision_detail(request, pk, revision_pk):
    venue = selectors.venue_get_for_edit(request.user, pk)
    revision = selectors.revision_get_for_venue(venue, revision_pk)
    return render(request, "directory/venue_revision.html", {
        "venue": venue, "revision": revision, "labels": services.field_labels(),
        "record": services.revision_record(revision), "is_latest": revision.pk == selectors.latest_revision_id(venue),
    })


@require_POST
def revision_restore(request, pk, revision_pk):
    venue = selectors.venue_get_for_edit(request.user, pk)
    revision = selectors.revision_get_for_venue(venue, revision_pk)
    try:
        services.venue_restore(actor=request.user, venue=venue, revision=revision)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("directory:revision-detail", pk=venue.pk, revision_pk=revision.pk)
    messages.success(request, _("The venue is back to the version of %(date)s.") % {
        "date": services.revision_date(revision)})
    return redirect("directory:venue-history", pk=venue.pk)
