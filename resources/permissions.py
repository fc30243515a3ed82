"""Every rule of the resource library, one function each.

- Every approved member reads the published resources; a **public** published resource is
  read by anyone (the public site). A draft is read by its authors (and who made it) and the
  moderators.
- Every approved member writes resources; a resource is edited, published, unpublished and
  deleted by its authors and the moderators (the coordinators).
- Members rate a published resource once (not their own) and report it; the moderators
  handle the reports.
- A collection is its owner's; a shared one is read by every approved member.
- A workshop points to a kit when its managers say so (`workshops.permissions.can_edit_workshop`).
- Anything one may not read answers 404 (also its files and thumbnails).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from core.permissions import ALLOWED, Decision, refused
from members import permissions as member_permissions
from workshops import permissions as workshop_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from resources.models import Collection, Resource
    from workshops.models import Workshop


def is_moderator(user: AnyUser) -> bool:
    return bool(member_permissions.is_approved(user) and member_permissions.is_coordinator(user))


def is_author(user: AnyUser, resource: Resource) -> bool:
    """Uses `resource.authors` (prefetch `author_links` or `authors` to pay no query)."""
    pk = getattr(user, "pk", None)
    if pk is None:
        return False
    if resource.created_by_id == pk:
        return True
    return any(author.pk == pk for author in resource.authors.all())


def public_q(prefix: str = "") -> Q:
    """Filter on Resource: what the public site shows."""
    return Q(**{f"{prefix}status": "published", f"{prefix}visibility": "public"})


def visible_q(user: AnyUser, prefix: str = "") -> Q:
    """Filter on Resource: what `user` may read (mirrors can_view_resource)."""
    if not member_permissions.is_approved(user):
        return public_q(prefix)
    if is_moderator(user):
        return Q()
    from resources.models import ResourceAuthor

    # A subquery, not a join: no row repeated, so no DISTINCT over the resources.
    authored = ResourceAuthor.objects.filter(user=user).values("resource_id")
    return (Q(**{f"{prefix}status": "published"}) | Q(**{f"{prefix}created_by": user})
            | Q(**{f"{prefix}pk__in": authored}))


def can_view_resource(user: AnyUser, resource: Resource) -> Decision:
    if resource.is_public:
        return ALLOWED
    if not member_permissions.is_approved(user):
        return refused(_("Log in as a member of the network to read this resource."))
    if resource.is_published or is_moderator(user) or is_author(user, resource):
        return ALLOWED
    return refused(_("This resource is a draft of its authors."))


def can_create_resource(user: AnyUser) -> Decision:
    if member_permissions.is_approved(user):
        return ALLOWED
    return refused(_("Only the network's members may write resources."))


def can_edit_resource(user: AnyUser, resource: Resource) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Only the network's members may write resources."))
    if is_author(user, resource) or is_moderator(user):
        return ALLOWED
    return refused(_("Only its authors and the moderators may change this resource."))


def can_rate(user: AnyUser, resource: Resource) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Log in as a member of the network to rate this resource."))
    if not resource.is_published:
        return refused(_("A draft cannot be rated."))
    if is_author(user, resource):
        return refused(_("You cannot rate your own resource."))
    return ALLOWED


def can_report(user: AnyUser, resource: Resource) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Log in as a member of the network to report this resource."))
    if not resource.is_published:
        return refused(_("A draft cannot be reported."))
    return ALLOWED


def can_handle_reports(user: AnyUser) -> Decision:
    if is_moderator(user):
        return ALLOWED
    return refused(_("Only the moderators handle reports."))


def can_view_collection(user: AnyUser, collection: Collection) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Log in as a member of the network to see this collection."))
    if collection.owner_id == user.pk or collection.is_shared:
        return ALLOWED
    return refused(_("This collection is private."))


def can_edit_collection(user: AnyUser, collection: Collection) -> Decision:
    if member_permissions.is_approved(user) and collection.owner_id == user.pk:
        return ALLOWED
    return refused(_("Only its owner changes this collection."))


def can_link_workshop(user: AnyUser, workshop: Workshop) -> Decision:
    """Point `workshop` to a kit, or remove the link."""
    return workshop_permissions.can_edit_workshop(user, workshop)
