"""The workgroup services tell the modules of a group's space when it is made, archived, and
when who is in it changes (core.spaces signals), in the transaction that made the change."""

import pytest
from django.core.exceptions import PermissionDenied

from chat.models import Room
from core import spaces
from extranet.testing.factories import UserFactory, WorkgroupFactory
from workgroups import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """[(signal name, space pk, user ids)] heard while the test runs."""
    events = []

    def on_membership(sender, space, user_ids, **kwargs):
        events.append(("membership", space.pk, sorted(user_ids)))

    def on_archived(sender, space, **kwargs):
        events.append(("archived", space.pk, []))

    spaces.membership_changed.connect(on_membership, dispatch_uid="test_membership")
    spaces.space_archived.connect(on_archived, dispatch_uid="test_archived")
    try:
        yield events
    finally:
        spaces.membership_changed.disconnect(dispatch_uid="test_membership")
        spaces.space_archived.disconnect(dispatch_uid="test_archived")


def test_a_new_group_has_its_room_and_its_creator_as_member(territory, heard):
    creator = UserFactory(territory=territory)
    group = services.workgroup_create(actor=creator, name="Ateliers tablettes", purpose="Partager les fiches.")
    assert Room.objects.filter(space=group.space).exists()
    assert heard == [("membership", group.space.pk, [creator.pk])]


def test_joining_leaving_and_a_role_change_are_heard(territory, heard):
    manager, newcomer = UserFactory(territory=territory), UserFactory(territory=territory)
    group = WorkgroupFactory(managers=[manager])
    services.workgroup_join(actor=newcomer, workgroup=group)
    services.membership_set_role(actor=manager, workgroup=group, member=newcomer, role="manager")
    services.membership_leave(actor=newcomer, workgroup=group)
    assert heard == [("membership", group.space.pk, [newcomer.pk])] * 3


def test_a_refused_join_is_not_heard(territory, heard):
    group = WorkgroupFactory(join_policy="request")
    with pytest.raises(PermissionDenied):
        services.workgroup_join(actor=UserFactory(territory=territory), workgroup=group)
    assert heard == []


def test_archiving_is_heard(territory, heard):
    manager = UserFactory(territory=territory)
    group = WorkgroupFactory(managers=[manager])
    services.workgroup_archive(actor=manager, workgroup=group)
    assert heard == [("archived", group.space.pk, [])]
