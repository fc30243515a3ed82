"""Territories in the Wagtail admin (/cms/), for coordinators.

Access follows Django model permissions (`members.add_territory`, `change_`, `view_`),
held by the "Coordination" group that the coordinator role gives (members migration
0002, members.services.set_role_groups). Site editors do not have them.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet

from extranet.forms import add_service_errors
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
    # Plain Django model: no reordering view (no sort_order field).
    sort_order_field = None


territory_viewset = TerritoryViewSet()


@hooks.register("register_admin_viewset")
def register_territory_viewset():
    return territory_viewset
