"""The workgroup rules that refuse answer with their reason (one Decision per rule), and
the view shows the very reason the service gives."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from core.models import Space
from extranet.testing.factories import MembershipFactory, PendingUserFactory, UserFactory, WorkgroupFactory
from extranet.testing.pages import messages_of
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


def test_an_archived_group_is_a_conflict_with_its_reason(group):
    assert permissions.may_change(group)
    archived = services.workgroup_archive(actor=manager_of(group), workgroup=group)
    refusal = permissions.may_change(archived)
    assert refusal.reason == "This group is archived: it is read-only. Its managers can reopen it."
    with pytest.raises(ValidationError, match="archived"):
        refusal.check()


def test_a_too_long_join_message_is_refused_by_the_service_with_its_reason(client, territory):
    group = WorkgroupFactory(join_policy="request")
    asker = UserFactory(territory=territory)
    client.force_login(asker)
    response = client.post(reverse("workgroups:request", args=[group.pk]), {"message": "x" * 1001}, follow=True)
    assert "Le message est trop long (1000 caractères au plus)." in messages_of(response)
    assert not group.join_requests.exists()


@pytest.mark.parametrize("who", ["pending", "inactive", "anonymous"])
def test_someone_not_approved_belongs_to_no_group_space_even_with_a_membership_row(territory, who):
    group = WorkgroupFactory()
    user = {"pending": lambda: PendingUserFactory(territory=territory),
            "inactive": lambda: UserFactory(territory=territory, is_active=False),
            "anonymous": AnonymousUser}[who]()
    if who != "anonymous":
        MembershipFactory(workgroup=group, user=user)
    assert list(Space.objects.member_of(user)) == []
    assert list(Space.objects.shared_with(user)) == []
