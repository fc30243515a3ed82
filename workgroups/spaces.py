"""The workgroup kind of space: every answer comes from `workgroups.permissions`.

Registered in `WorkgroupsConfig.ready()`; a group's space is made by
`workgroups.services.workgroup_create` (through `core.spaces.space_create`).
"""

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core import spaces
from core.models import Space
from members import permissions as member_permissions
from workgroups import permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser

WORKGROUP = "workgroup"


class WorkgroupKind(spaces.SpaceKind):
    key = WORKGROUP
    label = _("Workgroup")
    related = ("workgroup",)

    def can_view(self, user: "AnyUser", space: Space) -> bool:
        return permissions.can_view_content(user, space.workgroup)

    def can_post(self, user: "AnyUser", space: Space) -> bool:
        return permissions.can_post(user, space.workgroup)

    def can_manage(self, user: "AnyUser", space: Space) -> bool:
        return permissions.can_manage(user, space.workgroup)

    def visible_q(self, user: "AnyUser") -> Q:
        return permissions.content_visible_q(user, prefix="workgroup__")

    def member_q(self, user: "AnyUser") -> Q | None:
        if not member_permissions.is_approved(user):
            return None
        return Q(workgroup__id__in=permissions.member_group_ids_subquery(user))

    def shared_q(self, user: "AnyUser") -> Q | None:
        # Never, through a follow, the coordination reading a private or secret group it is not in.
        if not member_permissions.is_approved(user):
            return None
        return self.visible_q(user) & permissions.shared_q(user, prefix="workgroup__")

    def members(self, space: Space) -> QuerySet:
        return permissions.members_of(space.workgroup)

    def managers(self, space: Space) -> QuerySet:
        return permissions.managers_of(space.workgroup)

    def name(self, space: Space) -> str:
        return str(space.workgroup)

    def url(self, space: Space) -> str:
        return space.workgroup.get_absolute_url()

    def is_read_only(self, space: Space) -> bool:
        return space.workgroup.is_archived


def register() -> None:
    spaces.register_kind(WorkgroupKind())
