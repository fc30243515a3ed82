from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from directory import selectors, services
from directory.forms import VenueForm
from extranet.forms import add_service_errors, posted
from members import permissions

PER_PAGE = 30


def venue_list(request):
    """The venues of the territories I administer, to keep them up to date."""
    if not permissions.is_local_admin(request.user):
        raise PermissionDenied(_("This page is for local admins and the coordination."))
    page = Paginator(selectors.venues_editable_by(user=request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "directory/venue_list.html", {"page": page})


def venue_edit(request, pk):
    venue = selectors.venue_get_for_edit(request.user, pk)
    form = VenueForm(posted(request), instance=venue)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in services.EDITABLE_FIELDS}
        try:
            services.venue_update(actor=request.user, venue=venue, data=data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The venue %(name)s is up to date.") % {"name": venue.name})
            return redirect("directory:venues")
    return render(request, "directory/venue_form.html", {"form": form, "venue": venue})
