"""Every workgroup rule, in one place: who sees a group, its content, who joins, posts, manages.

The workgroup kind of space (workgroups/spaces.py) answers with these. Role questions about the network
(approved, coordinator, local admin) come from `members.permissions`.

- A group waiting for approval (or refused) is seen by its proposer and by those who may
  approve it: the coordinators and the local admins of its territory.
- public: every approved member sees the group and its content.
- private: every approved member sees that it exists (name, purpose, managers); its
  content and members list are for its members.
- secret: only its members and the people invited to it know it exists; anyone else
  gets a 404, as for a group that does not exist.
- Coordinators see every group and its content and manage every group (moderation).
- Members post while the group is active and not archived; managers manage it.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import roles
from core.permissions import ALLOWED, Decision, conflict, refused
from members import permissions


def _roles(user):
    """{workgroup_id: role} of `user` (one query, kept for the request: core.roles)."""
    from workgroups.models import Membership

    return roles.cached(user, "workgroups",
                        lambda: dict(Membership.objects.filter(user=user).values_list("workgroup_id", "role")))


def role_in(user, workgroup):
    if not permissions.is_approved(user):
        return None
    return _roles(user).get(workgroup.pk)


def is_member(user, workgroup):
    return role_in(user, workgroup) is not None


def is_manager(user, workgroup):
    from workgroups.models import Membership

    return role_in(user, workgroup) == Membership.Role.MANAGER


def _open_invitations():
    """Invitations still waiting for an answer and not expired."""
    from django.utils import timezone

    from workgroups.models import GroupInvitation

    return GroupInvitation.objects.filter(status=GroupInvitation.Status.PENDING, expires_at__gt=timezone.now())


def _is_invited(user, workgroup):
    return _open_invitations().filter(workgroup=workgroup, user=user).exists()


def can_approve_creation(user, workgroup):
    """Coordinators, and the local admins of the group's territory, decide on a proposed group."""
    if permissions.is_coordinator(user):
        return True
    return workgroup.territory_id is not None and permissions.is_local_admin(user, workgroup.territory_id)


def approvable_q(user, prefix=""):
    """Workgroups `user` may approve, as a filter (None: none)."""
    if permissions.is_coordinator(user):
        return Q()
    ids = permissions.referent_territory_ids(user)
    if not ids:
        return None
    return Q(**{f"{prefix}territory_id__in": ids})


def can_see(user, workgroup):
    """Whether `user` may know that `workgroup` exists (its page, the listing)."""
    from workgroups.models import Workgroup

    if not permissions.is_approved(user):
        return False
    if permissions.is_coordinator(user):
        return True
    if workgroup.status != Workgroup.Status.ACTIVE:
        return workgroup.created_by_id == user.pk or can_approve_creation(user, workgroup)
    if workgroup.visibility != Workgroup.Visibility.SECRET:
        return True
    return is_member(user, workgroup) or _is_invited(user, workgroup)


def can_view_content(user, workgroup):
    """Whether `user` may read what the group holds: members, activity, forum, chat, files..."""
    from workgroups.models import Workgroup

    if not permissions.is_approved(user) or workgroup.status != Workgroup.Status.ACTIVE:
        return False
    if permissions.is_coordinator(user) or workgroup.visibility == Workgroup.Visibility.PUBLIC:
        return True
    return is_member(user, workgroup)


def can_post(user, workgroup):
    """Members write in an active group; an archived group is read-only."""
    return workgroup.is_active and not workgroup.is_archived and is_member(user, workgroup)


def can_manage(user, workgroup):
    """Managers (and coordinators) edit the group, decide on requests, invite, remove, archive."""
    if not workgroup.is_active:
        return False
    return permissions.is_coordinator(user) or is_manager(user, workgroup)


def managers_of(workgroup):
    """The people `can_manage` answers yes for, as a queryset (mirrors it): coordinators and managers."""
    from workgroups.models import Membership

    if not workgroup.is_active:
        return permissions.approved_members().none()
    return permissions.approved_members().filter(
        permissions.coordinators_q()
        | Q(workgroup_memberships__workgroup=workgroup, workgroup_memberships__role=Membership.Role.MANAGER)
    ).distinct()


def members_of(workgroup):
    """The approved members of `workgroup`, as a queryset."""
    return permissions.approved_members().filter(workgroup_memberships__workgroup=workgroup)


def can_invite(user, workgroup):
    """Managers invite; in an open or on-request group that is not secret, members may too."""
    from workgroups.models import Workgroup

    if not workgroup.is_active:
        return False
    if can_manage(user, workgroup):
        return True
    return (
        is_member(user, workgroup)
        and workgroup.join_policy != Workgroup.JoinPolicy.INVITATION
        and workgroup.visibility != Workgroup.Visibility.SECRET
    )


def can_join(user, workgroup):
    from workgroups.models import Workgroup

    return (
        workgroup.join_policy == Workgroup.JoinPolicy.OPEN
        and workgroup.is_active
        and not workgroup.is_archived
        and can_see(user, workgroup)
        and not is_member(user, workgroup)
    )


def can_request_to_join(user, workgroup):
    from workgroups.models import Workgroup

    return (
        workgroup.join_policy == Workgroup.JoinPolicy.REQUEST
        and workgroup.is_active
        and not workgroup.is_archived
        and can_see(user, workgroup)
        and not is_member(user, workgroup)
    )


def member_group_ids_subquery(user):
    from workgroups.models import Membership

    return Membership.objects.filter(user=user).values("workgroup_id")


def _invited_group_ids_subquery(user):
    return _open_invitations().filter(user=user).values("workgroup_id")


def known_to_all_q(prefix=""):
    """Active groups that are not secret: every member may know they exist (and the public count them)."""
    from workgroups.models import Workgroup

    active = Q(**{f"{prefix}status": Workgroup.Status.ACTIVE})
    return active & ~Q(**{f"{prefix}visibility": Workgroup.Visibility.SECRET})


def listed_q(user, prefix=""):
    """The groups `user` may see (mirrors can_see), as a filter for one query."""
    from workgroups.models import Workgroup

    p = prefix
    if not permissions.is_approved(user):
        return Q(pk__in=[])
    if permissions.is_coordinator(user):
        return Q()
    active = Q(**{f"{p}status": Workgroup.Status.ACTIVE})
    known = Q(**{f"{p}id__in": member_group_ids_subquery(user)}) | Q(
        **{f"{p}id__in": _invited_group_ids_subquery(user)}
    )
    proposed = Q(**{f"{p}created_by": user})
    approvable = approvable_q(user, prefix=p)
    if approvable is not None:
        proposed |= approvable
    return known_to_all_q(p) | (active & known) | (~active & proposed)


def content_visible_q(user, prefix=""):
    """The groups whose content `user` may read (mirrors can_view_content), as a filter."""
    from workgroups.models import Workgroup

    p = prefix
    if not permissions.is_approved(user):
        return Q(pk__in=[])
    active = Q(**{f"{p}status": Workgroup.Status.ACTIVE})
    if permissions.is_coordinator(user):
        return active
    return active & (
        Q(**{f"{p}visibility": Workgroup.Visibility.PUBLIC})
        | Q(**{f"{p}id__in": member_group_ids_subquery(user)})
    )


def shared_q(user, prefix=""):
    """Groups whose life `user` may hear about through someone else: the public ones and
    their own (a filter). The profile's group list and the activity stream use it: neither
    tells anyone, coordinators included, about a private or secret group they are not in.
    """
    from workgroups.models import Workgroup

    return Q(**{f"{prefix}visibility": Workgroup.Visibility.PUBLIC}) | Q(
        **{f"{prefix}id__in": member_group_ids_subquery(user)}
    )


# --- Decisions with their reasons (services .check() them; views use the same) -----------

MANAGE_REASONS = {
    "edit": _("Only the managers of the group can change it."),
    "archive": _("Only the managers of the group can archive it."),
    "reopen": _("Only the managers of the group can reopen it."),
    "answer": _("Only the managers of the group can answer requests."),
    "remove": _("Only the managers of the group can remove members."),
    "roles": _("Only the managers of the group can change roles."),
}


def may_manage(user, workgroup, action: str) -> Decision:
    """`can_manage`, with the reason given for `action` (a key of MANAGE_REASONS)."""
    return ALLOWED if can_manage(user, workgroup) else refused(MANAGE_REASONS[action])


def may_change(workgroup) -> Decision:
    """An archived group is read-only (a Conflict: the state of the group, not who asks)."""
    if workgroup.is_archived:
        return conflict(_("This group is archived: it is read-only. Its managers can reopen it."))
    return ALLOWED


def may_invite(user, workgroup) -> Decision:
    return ALLOWED if can_invite(user, workgroup) else refused(_("You cannot invite people to this group."))


def may_read_members(user, workgroup) -> Decision:
    if can_view_content(user, workgroup):
        return ALLOWED
    return refused(_("The members of this group are visible to its members only."))


def may_read_activity(user, workgroup) -> Decision:
    if can_view_content(user, workgroup):
        return ALLOWED
    return refused(_("The activity of this group is visible to its members only."))
