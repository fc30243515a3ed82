"""Venues in the Wagtail admin (/cms/), for coordinators; the venue import.

Access to the viewset follows Django model permissions (`directory.add_venue`,
`change_`, `delete_`, `view_`), held by the "Coordination" group that the coordinator
role gives. Its create and edit views save through `directory.services` (permission
check, validation, revision, activity), as the desk does, and its delete view deletes
through `directory.services.venue_delete` (who may, the activity keeping the last
record); the identifier is set at creation only, the slug by the service. Local admins
edit their territories' venues in the desk (/bureau/lieux/).

"Import venues" (`venues:import`): a CSV file of the national schema, for whoever
reaches the admin and may add venues to the territory chosen for the new ones
(`members.permissions.can_create_venue`).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms import modelform_factory
from django.shortcuts import redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import CreateView, DeleteView, EditView, IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log

from core.forms import add_service_errors, error_text
from directory import services
from directory.models import Venue
from directory.opendata_views import VenueImportView
from members import permissions

# The fields the admin form shows: the identifier on creation only; never the slug,
# the dates (the service sets them) or the search text.
EDIT_FORM_FIELDS = ["name", "territory", *services.EDITABLE_FIELDS]
CREATE_FORM_FIELDS = ["identifier", *EDIT_FORM_FIELDS]


class VenueAdminForm(forms.ModelForm):
    def clean_phone(self):
        # As the service stores it, so that `05 65 12 34 56` passes the model's format check.
        return services.normalize_phone(self.cleaned_data.get("phone"))


def service_data(form):
    """What the admin form sends to `venue_create` / `venue_update`."""
    return {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data}


class ServiceSaveMixin:
    """Refusals of the service (validation, permission) come back on the form, nothing saved."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or gettext("You cannot save this venue."))
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class VenueIndexView(IndexView):
    def get_base_queryset(self):
        # The territory column would otherwise cost one query per row.
        return super().get_base_queryset().select_related("territory")

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if permissions.is_local_admin(self.request.user):
            buttons.append(HeaderButton(_("Import venues"), url=reverse("venues:import"), icon_name="upload"))
        return buttons


class VenueCreateView(ServiceSaveMixin, CreateView):
    def save_instance(self):
        venue = services.venue_create(
            actor=self.request.user,
            territory=self.form.cleaned_data["territory"],
            data=service_data(self.form),
            identifier=self.form.cleaned_data.get("identifier"),
        )
        log(instance=venue, action="wagtail.create", user=self.request.user)
        return venue


class VenueEditView(ServiceSaveMixin, EditView):
    def save_instance(self):
        # The form has already written its values on self.object: the service gets the
        # record as stored (its permission checks look at the current territory).
        stored = Venue.objects.get(pk=self.object.pk)
        data = service_data(self.form)
        data["territory"] = self.form.cleaned_data["territory"]
        venue = services.venue_update(actor=self.request.user, venue=stored, data=data)
        log(instance=venue, action="wagtail.edit", user=self.request.user)
        return venue


class VenueDeleteView(DeleteView):
    def delete_action(self):
        with transaction.atomic():
            # Wagtail's history of the object, written before the row goes (as Wagtail's own
            # delete does) and rolled back with it if the service refuses.
            log(instance=self.object, action="wagtail.delete", user=self.request.user, deleted=True)
            services.venue_delete(actor=self.request.user, venue=self.object)

    def form_valid(self, form):
        # A refusal of the service (who may, a venue deleted meanwhile) deletes nothing and says why.
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            message = error_text(exc)
        except PermissionDenied as exc:
            message = str(exc) or gettext("You cannot delete this venue.")
        messages.error(self.request, message)
        return redirect(self.index_url_name)


class VenueViewSet(ModelViewSet):
    model = Venue
    index_view_class = VenueIndexView
    add_view_class = VenueCreateView
    edit_view_class = VenueEditView
    delete_view_class = VenueDeleteView
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
    form_fields = CREATE_FORM_FIELDS
    sort_order_field = None

    def get_form_class(self, for_update=False):
        return modelform_factory(
            self.model,
            form=VenueAdminForm,
            formfield_callback=self.formfield_for_dbfield,
            fields=EDIT_FORM_FIELDS if for_update else CREATE_FORM_FIELDS,
        )

    def formfield_for_dbfield(self, db_field, **kwargs):
        if isinstance(db_field, models.URLField):
            # Addresses typed without a scheme are https:// (Django 6's default).
            kwargs.setdefault("assume_scheme", "https")
        return super().formfield_for_dbfield(db_field, **kwargs)

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [path("import/", VenueImportView.as_view(), name="import")]


venue_viewset = VenueViewSet()


@hooks.register("register_admin_viewset")
def register_venue_viewset():
    return venue_viewset


class VenueImportMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_local_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_venue_import_menu_item():
    return VenueImportMenuItem(_("Import venues"), reverse_lazy("venues:import"), icon_name="upload", order=261)
