"""The section "Kit d'atelier" of a workshop's desk page (`workshops.pages`): the resources the
workshop points to as its kit (those the member may read: a draft kit stays hidden from the
others), each with its number of steps and of pieces of equipment; for who may link a kit
(`permissions.can_link_workshop`) a button to remove each link and a link to choose a kit in the
library. On a session's page, one line linking the workshop's kit(s). Fixed queries: the kits
(`selectors.kits_of_workshop`) and one query for their counts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from core import roles
from core.sections import Section
from members import permissions as member_permissions
from resources import permissions, selectors
from resources.models import KitStep, Resource
from workshops.pages import register_session_section, register_workshop_section


def _count(model: Any, field: str) -> Coalesce:
    """A subquery counting the rows of `model` (a table pointing to Resource by `field`)."""
    rows = (model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
            .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def kit_counts(resource_ids: list[int]) -> dict[int, dict[str, int]]:
    """{resource id: {"steps": n, "equipment": n}} in one query."""
    if not resource_ids:
        return {}
    items = Resource.equipment_items.through
    kits = Resource.equipment_kits.through
    rows = (Resource.objects.filter(pk__in=resource_ids)
            .annotate(steps_n=_count(KitStep, "resource"), items_n=_count(items, "resource"),
                      kits_n=_count(kits, "resource"))
            .values("pk", "steps_n", "items_n", "kits_n"))
    return {row["pk"]: {"steps": row["steps_n"], "equipment": row["items_n"] + row["kits_n"]} for row in rows}


def workshop_kits(workshop: Any, user: Any) -> dict[str, Any] | None:
    if not member_permissions.is_approved(user):
        return None
    with roles.scope():  # the member's roles read once, also outside a request
        kits = list(selectors.kits_of_workshop(workshop, user))
        can_link = bool(permissions.can_link_workshop(user, workshop))
    if not kits and not can_link:
        return None
    counts = kit_counts([kit.pk for kit in kits])
    rows = [{"resource": kit, "steps": counts.get(kit.pk, {}).get("steps", 0),
             "equipment": counts.get(kit.pk, {}).get("equipment", 0),
             "unlink_url": reverse("ressources:workshop-unlink", args=[kit.pk, workshop.pk]) if can_link else ""}
            for kit in kits]
    return {
        "workshop": workshop,
        "rows": rows,
        "can_link": can_link,
        "choose_url": f"{reverse('ressources:index')}?kits=1" if can_link else "",
        "next_url": reverse("workshops:workshop", args=[workshop.pk]),
    }


def session_kits(session: Any, user: Any) -> dict[str, Any] | None:
    if not member_permissions.is_approved(user):
        return None
    with roles.scope():
        kits = list(selectors.kits_of_workshop(session.workshop, user))
    if not kits:
        return None
    return {"kits": kits}


register_workshop_section(Section(key="kits", template="resources/includes/workshop_kits.html",
                                  context=workshop_kits, order=40))
register_session_section(Section(key="kits", template="resources/includes/session_kits.html",
                                 context=session_kits, order=40))
