"""Reads of the desk shell, scoped to a user."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from extranet import dashboard
from extranet.activity import STREAM_VERBS
from extranet.models import Activity, DashboardLayout, Notification, Space
from members import permissions
from members.models import Follow
from workgroups import permissions as workgroup_permissions


def notifications_for(*, user, unread_only=False):
    qs = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_notification_count(*, user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_for_user(user, pk):
    """A notification of `user`'s own; any other gives 404 (no hint that it exists)."""
    return get_object_or_404(Notification, pk=pk, recipient=user)


def dashboard_layout_for(*, user):
    """[(widget, shown)] of every registered widget, in `user`'s order (one query).

    Without a saved layout (or for anyone not approved): the default order, all shown.
    """
    saved = None
    if permissions.is_approved(user):
        saved = DashboardLayout.objects.filter(user=user).values_list("order", "hidden").first()
    if saved is None:
        return dashboard.arrange()
    order, hidden = saved
    return dashboard.arrange(order if isinstance(order, list) else [], hidden if isinstance(hidden, list) else [])


def activity_stream_for(*, user):
    """What the people `user` follows and the spaces `user` belongs to did, newest first.

    Only activities of stream verbs (`register_activity(..., stream=True)`), only in
    spaces `user` may see (an activity without a space is never shown), never `user`'s
    own. One query whatever the data: visibility, membership and follows are subqueries.
    """
    if not permissions.is_approved(user):
        return Activity.objects.none()
    followed = Follow.objects.filter(follower=user).values("followed_id")
    # A group's activity reaches the stream of its members, and of everyone for a public
    # group; never, through a follow, the coordination reading a private or secret group
    # it is not in (as the profile page does not list such memberships).
    spaces = Space.objects.visible_to(user).filter(
        ~Q(kind=Space.Kind.WORKGROUP) | workgroup_permissions.shared_q(user, prefix="workgroup__")
    )
    return (
        Activity.objects.filter(
            verb__in=sorted(STREAM_VERBS),
            space__in=spaces.values("pk"),
        )
        .exclude(actor__is_active=False)  # deactivated accounts fall silent
        .filter(Q(actor__in=followed) | Q(space__in=Space.objects.member_of(user).values("pk")))
        .exclude(actor=user)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )
