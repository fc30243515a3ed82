"""The workgroup rules that refuse answer with their reason (one Decision per rule), and
the view shows the very reason the service gives."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from extranet.testing.factories import UserFactory, WorkgroupFactory
from members import permissions as member_permissions
from workgroups import permissions, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(territory):
    return WorkgroupFactory(visibility="private", join_policy="request",
                            managers=[UserFactory(territory=territory)],
                            members=[UserFactory(territory=territory)])


def manager_of(group):
    return group.memberships.get(role="manager").user


def plain_member_of(group):
    return group.memberships.get(role="member").user


@pytest.mark.parametrize("action", sorted(permissions.MANAGE_REASONS))
def test_managing_is_allowed_to_managers_and_refused_to_members_with_the_reason_of_the_action(group, action):
    assert permissions.may_manage(manager_of(group), group, action)
    refusal = permissions.may_manage(plain_member_of(group), group, action)
    assert not refusal
    assert refusal.reason == str(permissions.MANAGE_REASONS[action])
    with pytest.raises(PermissionDenied, match=refusal.reason):
        refusal.check()


def test_reading_members_and_activity_is_refused_to_outsiders_of_a_private_group(group, territory):
    outsider = UserFactory(territory=territory)
    assert permissions.may_read_members(plain_member_of(group), group)
    assert permissions.may_read_activity(plain_member_of(group), group)
    assert permissions.may_read_members(outsider, group).reason == \
        "The members of this group are visible to its members only."
    assert permissions.may_read_activity(outsider, group).reason == \
        "The activity of this group is visible to its members only."


def test_inviting_follows_the_join_policy(group, territory):
    assert permissions.may_invite(manager_of(group), group)
    assert permissions.may_invite(plain_member_of(group), group)  # on request, not secret: members invite too
    assert permissions.may_invite(UserFactory(territory=territory), group).reason == \
        "You cannot invite people to this group."


def test_the_service_and_the_view_give_the_same_reason(client, group):
    member, manager = plain_member_of(group), manager_of(group)
    with translation.override("fr"), pytest.raises(PermissionDenied) as refused_by_service:
        services.membership_remove(actor=member, workgroup=group, member=manager)
    client.force_login(member)
    response = client.post(reverse("workgroups:member-remove", args=[group.pk, manager.pk]))
    assert response.status_code == 403
    assert str(refused_by_service.value) == "Seuls les gestionnaires du groupe peuvent retirer des membres."
    assert str(refused_by_service.value) in response.content.decode()


def test_adding_venues_and_deciding_on_a_request_say_why_not(member, pending_user, referent):
    assert member_permissions.can_add_venues(referent)
    assert member_permissions.can_add_venues(member).reason == "Local admins and the coordination add venues."
    assert member_permissions.can_approve_member(referent, pending_user)
    assert member_permissions.can_approve_member(member, pending_user).reason == \
        "You cannot decide on this membership request."
