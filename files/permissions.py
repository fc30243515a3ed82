"""Every rule of the files of spaces and members, one function each.

- A space's drive is read by whoever may read the space's content (`Space.can_view`), written
  (upload, new folder, rename, move, delete to the trash, restore from it, restore a version)
  by whoever may post in it (`Space.can_post`: not in a read-only space), and its trash
  emptied or an item deleted for good by its managers (`Space.can_manage`).
- A member's own drive is theirs alone (no coordinator reads it).
- A coordinator may change a drive's quota.
- Anything else reads as missing: the views answer 404 (also for versions, thumbnails and
  the trash), never a hint that a file exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from core.permissions import ALLOWED, Decision, refused
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from files.models import Drive


def _is_owner(user: AnyUser, drive: Drive) -> bool:
    return drive.owner_id is not None and drive.owner_id == getattr(user, "pk", None)


def can_view_drive(user: AnyUser, drive: Drive) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Log in as a member of the network to see these files."))
    if drive.owner_id is not None:
        return ALLOWED if _is_owner(user, drive) else refused(_("These files are someone else's."))
    if drive.space is not None and drive.space.can_view(user):
        return ALLOWED
    return refused(_("Only the members of this space see its files."))


def can_write_drive(user: AnyUser, drive: Drive) -> Decision:
    allowed = can_view_drive(user, drive)
    if not allowed:
        return allowed
    if drive.owner_id is not None:
        return ALLOWED
    if drive.space is not None and drive.space.is_read_only:
        return refused(_("This space is archived: its files can be read, not changed."))
    if drive.space is not None and drive.space.can_post(user):
        return ALLOWED
    return refused(_("Only the members of this space may add or change its files."))


def can_purge(user: AnyUser, drive: Drive) -> Decision:
    """Empty the trash, delete an item for good."""
    allowed = can_view_drive(user, drive)
    if not allowed:
        return allowed
    if drive.owner_id is not None or (drive.space is not None and drive.space.can_manage(user)):
        return ALLOWED
    return refused(_("Only the managers of this space may delete files for good."))


def can_set_quota(user: AnyUser, drive: Drive) -> Decision:
    if member_permissions.is_coordinator(user):
        return ALLOWED
    return refused(_("Only coordinators may change a quota."))


def visible_drives_q(user: AnyUser, prefix: str = "") -> Q:
    """Filter on Drive (or on a model through `prefix`, e.g. "drive__"): the drives `user` may read."""
    from core.models import Space

    if not member_permissions.is_approved(user):
        return Q(pk__in=[])
    return Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}space__in": Space.objects.visible_to(user).values("pk")})
