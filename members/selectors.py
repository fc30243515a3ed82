"""Reads about members, scoped to the viewer."""

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef
from django.http import Http404

from members import permissions
from members.models import Invitation, Territory, User


def pending_members_for(*, actor):
    """Pending requests `actor` may decide on, oldest first."""
    ids = permissions.approvable_territory_ids(actor)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    qs = (
        # Only people who proved their address: the others cannot log in yet anyway.
        User.objects.filter(Exists(verified), status=User.Status.PENDING, is_active=True)
        .select_related("territory")
        .prefetch_related("venues")
        .order_by("date_joined", "id")
    )
    return qs if ids is None else qs.filter(territory_id__in=ids)


def invitable_territories_for(*, actor):
    ids = permissions.approvable_territory_ids(actor)
    qs = Territory.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


def invitations_for(*, actor):
    return (
        Invitation.objects.filter(territory__in=invitable_territories_for(actor=actor))
        .select_related("territory", "venue", "invited_by", "accepted_user")
        .order_by("-created_at")
    )


def invitation_get_for_user(user, pk):
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None or not permissions.can_invite_to(user, invitation.territory_id):
        raise Http404
    return invitation


def member_get_for_user(viewer, pk):
    """A member's profile, if `viewer` may see it (404 otherwise, no hint it exists)."""
    member = (
        User.objects.select_related("territory")
        .prefetch_related("venues", "skills", "referent_territories")
        .filter(pk=pk, is_active=True)
        .first()
    )
    if member is None or not permissions.can_view_profile(viewer, member):
        raise Http404
    return member


def venue_colleagues(*, user, limit=12):
    """Approved members sharing a venue with `user` (the dashboard widget)."""
    return (
        permissions.approved_members().filter(venues__in=user.venues.all())
        .exclude(pk=user.pk)
        .distinct()
        .order_by("display_name")[:limit]
    )


def profile_contact(*, viewer, member):
    """The contact details of `member` that `viewer` may see."""
    contact = {}
    if permissions.can_see_contact(viewer, member, member.email_visibility):
        contact["email"] = member.email
    if member.phone and permissions.can_see_contact(viewer, member, member.phone_visibility):
        contact["phone"] = member.phone
    return contact


