"""Role questions asked of the database mirror the ones asked of a user (members.permissions),
and the roles page reads the site editor role through `can_edit_site`."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from extranet.testing.factories import CoordinatorFactory, PendingUserFactory, UserFactory
from extranet.testing.pages import soup
from members import permissions
from members.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(territory, other_territory, coordinator, referent, member, editor):
    return {
        "coordinator": coordinator,
        "superuser": UserFactory(territory=other_territory, is_superuser=True, is_staff=True),
        "referent": referent,
        "member": member,
        "editor": editor,
        "pending coordinator": PendingUserFactory(territory=territory, is_coordinator=True),
        "refused coordinator": UserFactory(territory=territory, is_coordinator=True, status=User.Status.REFUSED),
        "inactive coordinator": CoordinatorFactory(territory=territory, is_active=False),
    }


def test_coordinators_mirrors_is_coordinator(everyone):
    expected = {name for name, user in everyone.items() if permissions.is_coordinator(user)}
    assert expected == {"coordinator", "superuser"}
    by_pk = {user.pk: name for name, user in everyone.items()}
    assert {by_pk[user.pk] for user in permissions.coordinators()} == expected
    filtered = permissions.approved_members().filter(permissions.coordinators_q())
    assert {by_pk[user.pk] for user in filtered} == expected


def test_approvers_without_territory_are_the_coordinators(everyone):
    assert set(permissions.approvers_of(None)) == set(permissions.coordinators())


def test_can_edit_territory_and_can_delete_venue_are_decisions(everyone, territory, venue):
    assert {name for name, user in everyone.items() if permissions.can_edit_territory(user, territory)} == {
        "coordinator", "superuser",
    }
    with translation.override("en"):
        refusal = permissions.can_edit_territory(everyone["referent"], territory)
    assert (bool(refusal), refusal.reason) == (False, "Only coordinators edit territories.")
    assert {name for name, user in everyone.items() if permissions.can_delete_venue(user, venue)} == {
        "coordinator", "superuser", "referent",
    }
    assert not permissions.can_delete_venue(AnonymousUser(), venue)


def site_editor_box(client, member):
    page = soup(client.get(f"/bureau/membres/{member.pk}/roles/"))
    return page.find("input", attrs={"name": "site_editor"})


def test_the_roles_page_shows_the_site_editor_role_as_can_edit_site_answers(coordinator_client, editor, member):
    assert site_editor_box(coordinator_client, editor).has_attr("checked")
    assert not site_editor_box(coordinator_client, member).has_attr("checked")
