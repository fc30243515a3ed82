"""Every role question of Maillage, answered in one place.

Roles: visitor (anonymous), pending member, member (animateur), local admin (référent of
one or more territories), coordinator (network-wide), site editor (Wagtail), superuser.
Views, services, consumers, templates and spaces call these functions; nothing else
reads the role fields.
"""

from typing import TYPE_CHECKING, Any, TypeGuard

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import permissions as core_permissions
from core import roles
from core.permissions import ALLOWED, Decision, refused

if TYPE_CHECKING:
    from members.models import User


def _approved_status():
    from members.models import User

    return User.Status.APPROVED


is_authenticated = core_permissions.is_authenticated


def is_pending(user):
    return is_authenticated(user) and not is_approved(user)


def is_approved(user: Any) -> "TypeGuard[User]":
    """An approved, active member (a superuser always counts as approved)."""
    if not is_authenticated(user):
        return False
    return user.is_superuser or user.status == _approved_status()


can_access_desk = is_approved


def is_partner(user):
    """An account of a partner organisation (a voucher prescriber), outside the network."""
    return is_authenticated(user) and user.is_active and user.status == "partner"


def is_coordinator(user):
    return is_approved(user) and (user.is_superuser or user.is_coordinator)


def coordinators_q():
    """Filter on User mirroring `is_coordinator` (combine with `approved_members()`)."""
    return Q(is_coordinator=True) | Q(is_superuser=True)


def coordinators():
    """The approved coordinators (superusers included), as a queryset."""
    return approved_members().filter(coordinators_q())


def referent_territory_ids(user):
    """Ids of the territories `user` is local admin of (kept for the request: core.roles)."""
    if not is_approved(user):
        return frozenset()
    return roles.cached(user, "referent_territories",
                        lambda: frozenset(user.referent_territories.values_list("id", flat=True)))


def is_local_admin(user, territory_id=None):
    """Local admin of `territory_id` (or of any territory when None); coordinators count."""
    if is_coordinator(user):
        return True
    ids = referent_territory_ids(user)
    return bool(ids) if territory_id is None else territory_id in ids


def territory_ids_of_subquery(user):
    """Subquery of the territory ids `user` belongs to: home territory and those they admin."""
    from members.models import Territory

    return Territory.objects.filter(Q(members=user) | Q(referents=user)).values("id")


def venues_open_to(user):
    """The venues `user` may say they work in: those of the territories they belong to."""
    from members.models import venue_model

    return venue_model().objects.filter(territory_id__in=territory_ids_of_subquery(user))


def belongs_to_territory(user, territory_id):
    if not is_approved(user):
        return False
    return user.territory_id == territory_id or territory_id in referent_territory_ids(user)


def administered_territory_ids(actor):
    """Territories `actor` administers (approves members, edits venues): None means all."""
    if is_coordinator(actor):
        return None
    return referent_territory_ids(actor)


# Approving newcomers is one of the local admin's powers over a territory.
approvable_territory_ids = administered_territory_ids


def can_approve_members(actor):
    return is_coordinator(actor) or bool(referent_territory_ids(actor))


def can_approve_member(actor, member) -> Decision:
    """Deciding on someone's membership request: the approvers of their territory, never oneself."""
    if is_approved(actor) and actor.pk != member.pk:
        ids = approvable_territory_ids(actor)
        if ids is None or member.territory_id in ids:
            return ALLOWED
    return refused(_("You cannot decide on this membership request."))


can_invite_members = can_approve_members


def can_invite_to(actor, territory_id):
    ids = approvable_territory_ids(actor)
    return is_approved(actor) and (ids is None or territory_id in ids)


def can_manage_roles(actor):
    return is_coordinator(actor)


def can_create_venue(actor, territory):
    """Local admins add venues to their territories; coordinators anywhere."""
    return is_local_admin(actor, getattr(territory, "pk", territory))


def can_add_venues(actor) -> Decision:
    """Whether `actor` adds venues at all (to one of their territories): local admins, coordinators."""
    if is_local_admin(actor):
        return ALLOWED
    return refused(_("Local admins and the coordination add venues."))


def can_delete_venue(actor, venue) -> Decision:
    """Removing a venue from the directory (its history goes with it): whoever may add
    venues to its territory (its local admins, coordinators), not its animators."""
    if can_create_venue(actor, venue.territory_id):
        return ALLOWED
    return refused(_("You cannot delete this venue."))


def can_edit_territory(actor, territory) -> Decision:
    """A territory's name, slug, kind and description: coordinators (as they create territories)."""
    if is_coordinator(actor):
        return ALLOWED
    return refused(_("Only coordinators edit territories."))


def can_delete_territory(actor, territory) -> Decision:
    """Removing a territory (with its space: forum, chat...): coordinators, as they create them."""
    if is_coordinator(actor):
        return ALLOWED
    return refused(_("Only coordinators delete territories."))


def attached_venue_ids(user):
    """Ids of the venues `user` works in (kept for the request: core.roles)."""
    if not is_approved(user):
        return frozenset()
    return roles.cached(user, "venues", lambda: frozenset(user.venues.values_list("pk", flat=True)))


def can_edit_venue(actor, venue):
    """Wiki-style upkeep: the venue's own animators, the local admins of its territory, coordinators."""
    return is_local_admin(actor, venue.territory_id) or venue.pk in attached_venue_ids(actor)


def editable_venues_q(actor):
    """Filter on Venue for `can_edit_venue` (None: every venue; Q(pk__in=[]) when none)."""
    from django.db.models import Q

    if not is_approved(actor):
        return Q(pk__in=[])
    ids = administered_territory_ids(actor)
    if ids is None:
        return None
    return Q(territory_id__in=ids) | Q(pk__in=attached_venue_ids(actor))


SITE_EDITORS_GROUP = "Editors"  # Wagtail's group: page editing at /cms/


def can_edit_site(user):
    """Site editors edit the public pages at /cms/ (members of Wagtail's "Editors" group).

    Coordinators reach /cms/ too, for territories and venues only (group "Coordination").
    """
    if not is_approved(user):
        return False
    return user.is_superuser or user.groups.filter(name=SITE_EDITORS_GROUP).exists()


def can_see_contact(viewer, member, visibility):
    """Whether `viewer` sees a contact detail of `member` shared with `visibility`.

    "Only me" means only the member, coordinators included.
    """
    from members.models import User

    if not is_approved(viewer):
        return False
    if viewer.pk == member.pk:
        return True
    if visibility == User.Visibility.MEMBERS:
        return True
    if visibility == User.Visibility.TERRITORY:
        # The coordination works with every territory: it counts as in each of them.
        return is_coordinator(viewer) or (
            member.territory_id is not None and belongs_to_territory(viewer, member.territory_id)
        )
    return False


def can_view_profile(viewer, member):
    return is_approved(viewer) and (is_approved(member) or bool(can_approve_member(viewer, member)))


def can_follow(actor, member):
    """Whether `actor` may start following `member` (contacts): approved members only, not oneself."""
    if actor is None or member is None or actor.pk == member.pk:
        return False
    return is_approved(member) and can_view_profile(actor, member)


def approvers_of(territory_id):
    """The members who may approve a newcomer of `territory_id` (mirrors can_approve_member)."""
    if territory_id is None:
        return coordinators()
    return approved_members().filter(coordinators_q() | Q(referent_territories=territory_id)).distinct()


def referents_of(territory_id):
    """The local admins of `territory_id` (not the coordinators)."""
    if territory_id is None:
        return approved_members().none()
    return approved_members().filter(referent_territories=territory_id).distinct()


def approved_members():
    """Every approved, active account (the people the desk is for)."""
    from members.models import User

    return User.objects.filter(status=User.Status.APPROVED, is_active=True)
