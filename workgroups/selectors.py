"""Reads about workgroups, scoped to the viewer."""

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from core.models import Activity
from members import permissions as member_permissions
from workgroups import permissions
from workgroups.models import GroupInvitation, JoinRequest, Membership, Workgroup

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from core.spaces import SpaceModule
    from members.models import Territory, User


def _with_counts(qs: QuerySet[Workgroup], user: "User") -> QuerySet[Workgroup]:
    return qs.select_related("territory").annotate(
        member_count=Count("memberships", distinct=True),
        viewer_role=Membership.objects.filter(workgroup=OuterRef("pk"), user=user).values("role")[:1],
    )


def workgroups_for(*, user: "AnyUser", query: str = "", mine: bool = False, joinable: bool = False,
                   territory: "Territory | int | None" = None, tag: str | None = None, archived: bool = False,
                   proposed: bool = False) -> QuerySet[Workgroup]:
    """The groups `user` may see, filtered as the listing asks (one query, plus tags prefetch).

    Archived groups show only with `archived=True`; groups waiting for approval only with
    `proposed=True` (to their proposer and to those who may approve them).
    """
    if not member_permissions.is_approved(user):
        return Workgroup.objects.none()
    today = timezone.localdate()
    qs = Workgroup.objects.filter(permissions.listed_q(user))
    if proposed:
        qs = qs.filter(status=Workgroup.Status.PENDING)
    else:
        qs = qs.filter(status=Workgroup.Status.ACTIVE)
        if archived:
            qs = qs.archived(today)
        elif not query:  # a search also finds archived groups (marked so)
            qs = qs.not_archived(today)
    if mine:
        qs = qs.filter(pk__in=permissions.member_group_ids_subquery(user))
    if joinable:
        qs = qs.filter(join_policy__in=[Workgroup.JoinPolicy.OPEN, Workgroup.JoinPolicy.REQUEST]).exclude(
            pk__in=permissions.member_group_ids_subquery(user)
        )
    if territory is not None:
        qs = qs.filter(territory=territory)
    if tag:  # a tag's slug (from a link) or its name (typed)
        qs = qs.filter(Q(tags__slug=tag) | Q(tags__name__iexact=tag))
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(purpose__icontains=query) | Q(tags__name__icontains=query))
    qs = qs.distinct() if (tag or query) else qs
    # The tags are a taggit manager, which django-stubs does not know as a relation.
    return _with_counts(qs, user).prefetch_related("tags").order_by("name", "id")  # type: ignore[misc]


def my_workgroups(*, user: "User") -> QuerySet[Workgroup]:
    """Groups `user` is a member of, active and not archived first (dashboard)."""
    qs = Workgroup.objects.filter(
        pk__in=permissions.member_group_ids_subquery(user), status=Workgroup.Status.ACTIVE
    ).not_archived()
    return _with_counts(qs, user).order_by("name", "id")


def workgroup_get_for_user(user: "AnyUser", pk: Any) -> Workgroup:
    """A workgroup `user` may know exists; 404 otherwise (no hint that a secret group exists)."""
    qs = Workgroup.objects.select_related("territory", "space", "created_by")
    workgroup = qs.filter(pk=pk).first()
    if workgroup is None or not permissions.can_see(user, workgroup):
        raise Http404
    return workgroup


def members_of(*, workgroup: Workgroup) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workgroup=workgroup)
        .select_related("user", "user__territory")
        .order_by("role", "user__display_name", "user_id")
    )


def managers_of(*, workgroup: Workgroup) -> "QuerySet[User]":
    return member_permissions.approved_members().filter(
        workgroup_memberships__workgroup=workgroup, workgroup_memberships__role=Membership.Role.MANAGER
    )


def activity_of(*, workgroup: Workgroup) -> QuerySet[Activity]:
    return Activity.objects.filter(space_id=workgroup.space_id).select_related("actor")


def pending_requests_of(*, workgroup: Workgroup) -> QuerySet[JoinRequest]:
    return JoinRequest.objects.filter(workgroup=workgroup, status=JoinRequest.Status.PENDING).select_related(
        "user", "user__territory"
    )


def pending_invitations_of(*, workgroup: Workgroup) -> QuerySet[GroupInvitation]:
    return (
        GroupInvitation.objects.filter(workgroup=workgroup, status=GroupInvitation.Status.PENDING)
        .select_related("user", "invited_by")
        .order_by("-created_at")
    )


def invitations_for(*, user: "User") -> QuerySet[GroupInvitation]:
    """Open invitations addressed to `user` (not expired), newest first."""
    return (
        GroupInvitation.objects.filter(user=user, status=GroupInvitation.Status.PENDING, expires_at__gt=timezone.now())
        .select_related("workgroup", "invited_by")
        .order_by("-created_at")
    )


def own_request(*, user: "User", workgroup: Workgroup) -> JoinRequest | None:
    return JoinRequest.objects.filter(workgroup=workgroup, user=user, status=JoinRequest.Status.PENDING).first()


def own_invitation(*, user: "User", workgroup: Workgroup) -> GroupInvitation | None:
    """The viewer's open (not expired) invitation to the group, if any."""
    return invitations_for(user=user).filter(workgroup=workgroup).first()


def own_last_answer(*, user: "User", workgroup: Workgroup) -> JoinRequest | None:
    """The viewer's latest request the managers answered with a message (shown on the group page)."""
    return (
        JoinRequest.objects.filter(workgroup=workgroup, user=user,
                                   status__in=[JoinRequest.Status.ACCEPTED, JoinRequest.Status.REFUSED])
        .exclude(response="")
        .select_related("decided_by")
        .order_by("-decided_at", "-id")
        .first()
    )


def invitable_members(*, workgroup: Workgroup, query: str = "", limit: int = 20) -> "QuerySet[User]":
    """Approved members not yet in the group nor invited, matching `query` (invite form)."""
    already = Membership.objects.filter(workgroup=workgroup, user=OuterRef("pk"))
    invited = GroupInvitation.objects.filter(
        workgroup=workgroup, user=OuterRef("pk"), status=GroupInvitation.Status.PENDING
    )
    qs = member_permissions.approved_members().exclude(Exists(already)).exclude(Exists(invited))
    if query:  # by name only: an e-mail address may be hidden from the searcher
        qs = qs.filter(display_name__icontains=query)
    return qs.select_related("territory").order_by("display_name", "id")[:limit]


def groups_to_approve(*, user: "AnyUser") -> QuerySet[Workgroup]:
    q = permissions.approvable_q(user)
    if q is None:
        return Workgroup.objects.none()
    return Workgroup.objects.filter(q, status=Workgroup.Status.PENDING).select_related("territory", "created_by")


def modules_of(*, workgroup: Workgroup, user: "AnyUser") -> list[tuple["SpaceModule", str]]:
    """The modules (forum, chat, calendar, files...) of the group's space the user may open."""
    from core import spaces

    return spaces.modules_for(user=user, space=workgroup.space)


def join_request_get_for_user(user: "AnyUser", pk: Any) -> JoinRequest:
    """A join request of a group `user` may know exists; 404 otherwise (managers decide on it)."""
    join_request = JoinRequest.objects.select_related("workgroup", "user").filter(pk=pk).first()
    if join_request is None or not permissions.can_see(user, join_request.workgroup):
        raise Http404
    return join_request


def invitation_get_for_user(user: "User", pk: Any, *, own: bool = False) -> GroupInvitation:
    """An invitation to a group `user` may know exists (with `own`: addressed to `user`); 404 otherwise."""
    invitation = GroupInvitation.objects.select_related("workgroup", "user", "invited_by").filter(pk=pk).first()
    if invitation is None:
        raise Http404
    allowed = invitation.user_id == user.pk if own else permissions.can_see(user, invitation.workgroup)
    if not allowed:
        raise Http404
    return invitation


def member_of_group(*, workgroup: Workgroup, user_pk: Any) -> "User | None":
    """The member `user_pk` of the group (None when they are not in it)."""
    membership = Membership.objects.select_related("user").filter(workgroup=workgroup, user_id=user_pk).first()
    return membership.user if membership else None


def member_workgroups(*, viewer: "AnyUser", member: "User") -> QuerySet[Workgroup]:
    """The workgroups `member` belongs to whose content `viewer` may read, by name (one query).

    A private or secret group is listed only to its own members: a profile does not tell
    anyone else, not even a coordinator (who moderates it from the workgroups pages),
    that this person belongs to it.
    """
    return (
        Workgroup.objects.filter(permissions.content_visible_q(viewer), permissions.shared_q(viewer),
                                 memberships__user=member)
        .order_by("name", "pk")
    )
