"""The kinds of space the members app owns: the whole network, and one per territory.

- network: every approved member views and posts; coordinators manage.
- territory: its members and its local admins view and post; its local admins and the
  coordinators manage (coordinators also view and post everywhere).

Registered in `MembersConfig.ready()`. The network space is made by the migrations (and
again after a test flushes the tables, by `ensure_network_space` on post_migrate); a
territory's space by `members.services.territory_create`.
"""

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import spaces
from core.models import Space
from members import permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from members.models import Territory

NETWORK = "network"
TERRITORY = "territory"


class NetworkKind(spaces.SpaceKind):
    key = NETWORK
    label = _("Network")
    open_to_all_members = True

    def can_view(self, user: "AnyUser", space: Space) -> bool:
        return permissions.is_approved(user)

    def can_manage(self, user: "AnyUser", space: Space) -> bool:
        return permissions.is_coordinator(user)

    def visible_q(self, user: "AnyUser") -> Q | None:
        return Q() if permissions.is_approved(user) else None

    member_q = visible_q

    def members(self, space: Space) -> QuerySet:
        return permissions.approved_members()

    def managers(self, space: Space) -> QuerySet:
        return permissions.approvers_of(None)

    def name(self, space: Space) -> str:
        return str(_("Whole network"))

    def url(self, space: Space) -> str:
        return reverse("desk:space", args=[space.pk])


class TerritoryKind(spaces.SpaceKind):
    key = TERRITORY
    label = _("Territory")
    related = ("territory",)

    def can_view(self, user: "AnyUser", space: Space) -> bool:
        if not permissions.is_approved(user):
            return False
        return permissions.is_coordinator(user) or permissions.belongs_to_territory(user, space.territory.pk)

    def can_manage(self, user: "AnyUser", space: Space) -> bool:
        return permissions.is_local_admin(user, space.territory.pk)

    def visible_q(self, user: "AnyUser") -> Q | None:
        if not permissions.is_approved(user):
            return None
        if permissions.is_coordinator(user):
            return Q(territory__isnull=False)
        return self.member_q(user)

    def member_q(self, user: "AnyUser") -> Q | None:
        if not permissions.is_approved(user):
            return None
        return Q(territory__in=permissions.territory_ids_of_subquery(user))

    def members(self, space: Space) -> QuerySet:
        territory_id = space.territory.pk
        return permissions.approved_members().filter(
            Q(territory_id=territory_id) | Q(referent_territories=territory_id)
        ).distinct()

    def managers(self, space: Space) -> QuerySet:
        return permissions.approvers_of(space.territory.pk)

    def name(self, space: Space) -> str:
        return space.territory.name

    def url(self, space: Space) -> str:
        return reverse("desk:space", args=[space.pk])


def network_space() -> Space:
    """The network's space (made by the migrations; never created on a read)."""
    return Space.objects.get(kind=NETWORK)


def territory_of(space: Space) -> "Territory | None":
    """The territory whose space `space` is, or None for another kind."""
    return space.territory if space.kind == TERRITORY else None


def ensure_network_space(**kwargs: Any) -> None:
    """After `migrate` (and after a test flush, which empties every table): the network has its space."""
    if not Space.objects.filter(kind=NETWORK).exists():
        try:
            spaces.space_create(NETWORK)
        except IntegrityError:  # made meanwhile by another process: one network space (members 0007)
            pass


def register() -> None:
    spaces.register_kind(NetworkKind())
    spaces.register_kind(TerritoryKind())
