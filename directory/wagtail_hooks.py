"""Venues in the Wagtail admin (/cms/), for coordinators.

Access follows Django model permissions (`directory.add_venue`, `change_`, `delete_`,
`view_`), held by the "Coordination" group that the coordinator role gives. Local admins
edit their territories' venues in the desk (/bureau/lieux/), through directory.services.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet

from directory.models import Venue


class VenueIndexView(IndexView):
    def get_base_queryset(self):
        # The territory column would otherwise cost one query per row.
        return super().get_base_queryset().select_related("territory")


class VenueViewSet(ModelViewSet):
    model = Venue
    index_view_class = VenueIndexView
    name = "venues"
    icon = "desktop"
    menu_label = _("Venues")
    menu_order = 260
    add_to_admin_menu = True

    list_display = ["name", "city", "territory"]
    list_filter = ["territory"]
    search_fields = ["name", "city"]
    # Venue is not indexed by Wagtail search: search with the ORM (icontains).
    search_backend_name = None
    ordering = ["name"]
    # Every field of the model, including those the directory adds later.
    exclude_form_fields = []
    sort_order_field = None

    def formfield_for_dbfield(self, db_field, **kwargs):
        if isinstance(db_field, models.URLField):
            # Addresses typed without a scheme are https:// (Django 6's default).
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, **kwargs)


venue_viewset = VenueViewSet()


@hooks.register("register_admin_viewset")
def register_venue_viewset():
    return venue_viewset
