"""Territories in the Wagtail admin (/cms/), for coordinators.

Access follows Django model permissions (`members.add_territory`, `change_`, `view_`),
held by the "Coordination" group that the coordinator role gives (members migration
0002, members.services.set_role_groups). Site editors do not have them. Creating goes
through `members.services.territory_create`, editing through `territory_update` (the
coordinator rule, validation, the activity in the territory's space).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import CreateView, DeleteView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from core.forms import add_service_errors, error_text
from members import services
from members.models import Territory


class TerritoryCreateView(CreateView):
    """Creating a territory goes through members.services.territory_create (rule, activity)."""

    def save_instance(self):
        data = self.form.cleaned_data
        return services.territory_create(
            actor=self.request.user, name=data["name"], slug=data["slug"], kind=data["kind"],
            description=data.get("description", ""),
        )

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:  # the transaction was rolled back: nothing saved
            add_service_errors(form, exc)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class TerritoryEditView(EditView):
    """Editing a territory goes through members.services.territory_update (rule, activity)."""

    def save_instance(self):
        data = {field: self.form.cleaned_data[field] for field in services.TERRITORY_FIELDS
                if field in self.form.cleaned_data}
        # The form has written its values on self.object: the service reads the stored row.
        territory = services.territory_update(actor=self.request.user, territory=self.object, data=data)
        log(instance=territory, action="wagtail.edit", user=self.request.user)
        return territory

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:  # the transaction was rolled back: nothing saved
            add_service_errors(form, exc)
            self.produced_error_code = "validation_error"
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or gettext("You cannot edit this territory."))
            self.produced_error_code = "permission_denied"
        self.produced_error_message = self.get_error_message()
        return self.form_invalid(form)


class TerritoryDeleteView(DeleteView):
    """Deleting a territory goes through members.services.territory_delete (its space goes
    too). The service decides, with its reason, also for a territory still in use (Wagtail's
    own check of the reference index would refuse without saying why)."""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                log(instance=self.object, action="wagtail.delete", user=self.request.user, deleted=True)
                services.territory_delete(actor=self.request.user, territory=self.object)
        except ValidationError as exc:
            messages.error(self.request, error_text(exc))
            return redirect(self.index_url_name)
        except PermissionDenied as exc:
            messages.error(self.request, str(exc) or gettext("You cannot delete this territory."))
            return redirect(self.index_url_name)
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())


class TerritoryViewSet(ModelViewSet):
    model = Territory
    name = "territories"
    icon = "globe"
    menu_label = _("Territories")
    menu_order = 250
    add_to_admin_menu = True

    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    # Territory is not indexed by Wagtail search: search with the ORM (icontains).
    search_backend_name = None
    ordering = ["name"]

    form_fields = ["name", "slug", "kind", "description"]
    add_view_class = TerritoryCreateView
    delete_view_class = TerritoryDeleteView
    edit_view_class = TerritoryEditView
    # Plain Django model: no reordering view (no sort_order field).
    sort_order_field = None


territory_viewset = TerritoryViewSet()


@hooks.register("register_admin_viewset")
def register_territory_viewset():
    return territory_viewset
