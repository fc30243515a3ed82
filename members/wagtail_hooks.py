"""Territories in the Wagtail admin (/cms/), for coordinators.

Access follows Django model permissions (`members.add_territory`, `change_`, `view_`),
held by the "Coordination" group that the coordinator role gives (members migration
0002, members.services.set_role_groups). Site editors do not have them.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from members.models import Territory


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
    # Plain Django model: no reordering view (no sort_order field).
    sort_order_field = None


territory_viewset = TerritoryViewSet()


@hooks.register("register_admin_viewset")
def register_territory_viewset():
    return territory_viewset
