"""Every question of members.permissions, asked by every kind of person.

The territory under study is the conftest `territory` (T); `other_territory` (O) is the
home of the people who belong elsewhere. The local admin of T deliberately lives in O, so
that every right they have on T comes from their role, not from their home territory.

The people are built once for the module (`world`, extranet.testing.shared); each test runs
in a savepoint of the transaction that holds them and gets them reloaded (`people`), so that
nothing one test cached on a user object (local-admin territories...) is seen by another.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from core import roles
from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
)
from extranet.testing.shared import building, shared_transaction
from members import permissions, selectors
from members.models import Territory, User

ROLES = (
    "anonymous",
    "pending",
    "refused",
    "inactive",
    "member",
    "member_elsewhere",
    "local_admin",
    "local_admin_elsewhere",
    "coordinator",
    "superuser",
    "site_editor",
)
APPROVED = {
    "member", "member_elsewhere", "local_admin", "local_admin_elsewhere", "coordinator", "superuser", "site_editor",
}
ADMINS_OF_T = {"local_admin", "coordinator", "superuser"}
NETWORK_ADMINS = {"coordinator", "superuser"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The people of every role, built once for the module."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            people = _build_people()
        yield people


@pytest.fixture
def people(world, db):
    """The people of every role, by role, reloaded for the test."""
    return {role: AnonymousUser() if user.pk is None else User.objects.get(pk=user.pk) for role, user in world.items()}


def _build_people():
    # The territories of the root conftest.py, under the same names; the venue under another
    # name than the conftest's `venue`, which a test may still make.
    territory = TerritoryFactory(name="Pays des Causses")
    other_territory = TerritoryFactory(name="Vallée du Lys")
    venue = VenueFactory(territory=territory, name="EPM de Limogne (rôles)")
    return {
        "anonymous": AnonymousUser(),
        "pending": PendingUserFactory(territory=territory, venues=[venue], display_name="Pending"),
        "refused": UserFactory(territory=territory, status=User.Status.REFUSED, display_name="Refused"),
        "inactive": UserFactory(territory=territory, is_active=False, display_name="Inactive"),
        "member": UserFactory(territory=territory, venues=[venue], display_name="Member"),
        "member_elsewhere": UserFactory(territory=other_territory, display_name="Member elsewhere"),
        "local_admin": UserFactory(territory=other_territory, referent_of=[territory], display_name="Local admin"),
        "local_admin_elsewhere": UserFactory(
            territory=other_territory, referent_of=[other_territory], display_name="Local admin elsewhere"
        ),
        "coordinator": CoordinatorFactory(territory=other_territory, display_name="Coordinator"),
        "superuser": UserFactory(
            territory=other_territory, is_superuser=True, is_staff=True, display_name="Superuser"
        ),
        "site_editor": UserFactory(territory=territory, site_editor=True, display_name="Site editor"),
    }


def holders(people, predicate):
    """The names of the roles for which `predicate(user)` is true."""
    return {role for role in ROLES if predicate(people[role])}


# --- Status ---------------------------------------------------------------------------


def test_is_authenticated(people):
    assert holders(people, permissions.is_authenticated) == APPROVED | {"pending", "refused"}


def test_is_authenticated_of_none_is_false():
    assert permissions.is_authenticated(None) is False


def test_is_approved_and_can_access_desk(people):
    assert holders(people, permissions.is_approved) == APPROVED
    assert holders(people, permissions.can_access_desk) == APPROVED


def test_is_pending_covers_every_logged_in_person_not_approved(people):
    # The desk middleware treats a refused member like a pending one (waiting page).
    assert holders(people, permissions.is_pending) == {"pending", "refused"}


@pytest.mark.django_db
def test_a_superuser_counts_as_approved_whatever_their_status():
    root = UserFactory(is_superuser=True, status=User.Status.PENDING)
    assert permissions.is_approved(root)
    assert permissions.is_coordinator(root)


def test_is_coordinator(people):
    assert holders(people, permissions.is_coordinator) == NETWORK_ADMINS


# --- Local admins -----------------------------------------------------------------------


def test_referent_territory_ids(people, territory, other_territory):
    expected = {"local_admin": frozenset({territory.pk}), "local_admin_elsewhere": frozenset({other_territory.pk})}
    for role in ROLES:
        assert permissions.referent_territory_ids(people[role]) == expected.get(role, frozenset()), role


def test_referent_territory_ids_are_read_once_per_role_scope(people, django_assert_num_queries):
    local_admin = people["local_admin"]
    with roles.scope(), django_assert_num_queries(1):
        permissions.referent_territory_ids(local_admin)
        permissions.referent_territory_ids(local_admin)
        permissions.is_local_admin(local_admin, 1)


def test_outside_a_role_scope_every_question_reads_again(people, django_assert_num_queries):
    local_admin = people["local_admin"]
    with django_assert_num_queries(2):
        permissions.referent_territory_ids(local_admin)
        permissions.referent_territory_ids(local_admin)


def test_a_role_change_is_seen_in_the_same_scope_once_forgotten(people, other_territory):
    member = people["member"]
    with roles.scope():
        assert permissions.referent_territory_ids(member) == frozenset()
        member.referent_territories.add(other_territory)
        assert permissions.referent_territory_ids(member) == frozenset()  # kept for the scope
        roles.forget(member)
        assert permissions.referent_territory_ids(member) == frozenset({other_territory.pk})


def test_is_local_admin_of_the_territory(people, territory, other_territory):
    assert holders(people, lambda u: permissions.is_local_admin(u, territory.pk)) == ADMINS_OF_T
    assert holders(people, lambda u: permissions.is_local_admin(u, other_territory.pk)) == {
        "local_admin_elsewhere", "coordinator", "superuser",
    }


def test_is_local_admin_of_any_territory(people):
    assert holders(people, permissions.is_local_admin) == {
        "local_admin", "local_admin_elsewhere", "coordinator", "superuser",
    }


@pytest.mark.parametrize("status", [User.Status.PENDING, User.Status.REFUSED])
@pytest.mark.django_db
def test_roles_give_no_power_to_a_member_who_is_not_approved(status, territory, venue):
    someone = UserFactory(
        territory=territory, status=status, is_coordinator=True, referent_of=[territory], site_editor=True
    )
    newcomer = PendingUserFactory(territory=territory)
    assert permissions.referent_territory_ids(someone) == frozenset()
    assert not permissions.is_coordinator(someone)
    assert not permissions.is_local_admin(someone, territory.pk)
    assert not permissions.can_approve_members(someone)
    assert not permissions.can_approve_member(someone, newcomer)
    assert not permissions.can_invite_to(someone, territory.pk)
    assert not permissions.can_manage_roles(someone)
    assert not permissions.can_edit_venue(someone, venue)
    assert not permissions.can_edit_site(someone)
    assert someone not in permissions.approvers_of(territory.pk)


@pytest.mark.django_db
def test_an_inactive_coordinator_has_no_power(territory):
    retired = CoordinatorFactory(is_active=False, referent_of=[territory])
    assert not permissions.is_coordinator(retired)
    assert not permissions.can_manage_roles(retired)
    assert not permissions.can_invite_to(retired, territory.pk)
    assert retired not in permissions.approvers_of(territory.pk)


def test_territory_ids_of_subquery(people, territory, other_territory):
    here, there = territory.pk, other_territory.pk
    expected = {
        "pending": {here},
        "refused": {here},
        "member": {here},
        "member_elsewhere": {there},
        "local_admin": {there, here},
        "local_admin_elsewhere": {there},
        "coordinator": {there},
        "superuser": {there},
        "site_editor": {here},
    }
    for role, ids in expected.items():
        subquery = permissions.territory_ids_of_subquery(people[role])
        assert set(Territory.objects.filter(id__in=subquery).values_list("id", flat=True)) == ids, role


def test_belongs_to_territory(people, territory):
    # Coordinators may see everything, but they do not *belong* to every territory.
    assert holders(people, lambda u: permissions.belongs_to_territory(u, territory.pk)) == {
        "member", "site_editor", "local_admin",
    }


def test_approvable_territory_ids(people, territory, other_territory):
    expected = {
        "coordinator": None,
        "superuser": None,
        "local_admin": frozenset({territory.pk}),
        "local_admin_elsewhere": frozenset({other_territory.pk}),
    }
    for role in ROLES:
        assert permissions.approvable_territory_ids(people[role]) == expected.get(role, frozenset()), role


# --- Approving and inviting ------------------------------------------------------------


def test_can_approve_members_and_can_invite_members(people):
    deciders = {"local_admin", "local_admin_elsewhere", "coordinator", "superuser"}
    assert holders(people, permissions.can_approve_members) == deciders
    assert holders(people, permissions.can_invite_members) == deciders


def test_can_approve_member_of_the_territory(people, territory):
    newcomer = PendingUserFactory(territory=territory)
    assert holders(people, lambda u: permissions.can_approve_member(u, newcomer)) == ADMINS_OF_T


def test_can_approve_member_without_territory_is_for_network_admins_only(people):
    newcomer = PendingUserFactory(territory=None)
    assert holders(people, lambda u: permissions.can_approve_member(u, newcomer)) == NETWORK_ADMINS


def test_nobody_decides_on_themself(people):
    assert not permissions.can_approve_member(people["coordinator"], people["coordinator"])
    assert not permissions.can_approve_member(people["superuser"], people["superuser"])


def test_can_invite_to(people, territory, other_territory):
    assert holders(people, lambda u: permissions.can_invite_to(u, territory.pk)) == ADMINS_OF_T
    assert holders(people, lambda u: permissions.can_invite_to(u, other_territory.pk)) == {
        "local_admin_elsewhere", "coordinator", "superuser",
    }


def test_approvers_of(people, territory, other_territory):
    by_pk = {getattr(people[r], "pk", None): r for r in ROLES}
    approvers_t = {by_pk[u.pk] for u in permissions.approvers_of(territory.pk)}
    approvers_o = {by_pk[u.pk] for u in permissions.approvers_of(other_territory.pk)}
    assert approvers_t == ADMINS_OF_T
    assert approvers_o == {"local_admin_elsewhere", "coordinator", "superuser"}


def test_approvers_of_a_member_without_territory_are_the_network_admins(people):
    # Mirrors can_approve_member: only coordinators decide for someone without territory.
    by_pk = {getattr(people[r], "pk", None): r for r in ROLES}
    assert {by_pk[u.pk] for u in permissions.approvers_of(None)} == NETWORK_ADMINS


def test_approvers_of_lists_each_person_once(people, territory, other_territory):
    both = UserFactory(is_coordinator=True, referent_of=[territory, other_territory])
    # Besides the module's approvers of T, each once.
    listed = sorted(u.pk for u in permissions.approvers_of(territory.pk))
    assert listed == sorted([both.pk] + [people[role].pk for role in ADMINS_OF_T])


# --- Roles, venues, site ---------------------------------------------------------------


def test_can_manage_roles(people):
    assert holders(people, permissions.can_manage_roles) == NETWORK_ADMINS


def test_can_edit_venue(people, territory, other_territory):
    venue_here = VenueFactory(territory=territory)
    venue_there = VenueFactory(territory=other_territory)
    assert holders(people, lambda u: permissions.can_edit_venue(u, venue_here)) == ADMINS_OF_T
    assert holders(people, lambda u: permissions.can_edit_venue(u, venue_there)) == {
        "local_admin_elsewhere", "coordinator", "superuser",
    }


def test_can_edit_site(people):
    assert holders(people, permissions.can_edit_site) == {"site_editor", "superuser"}


# --- Profiles and contact details ---------------------------------------------------------


def test_can_view_profile_of_an_approved_member(people, territory):
    owner = UserFactory(territory=territory)
    assert holders(people, lambda u: permissions.can_view_profile(u, owner)) == APPROVED


def test_can_view_profile_of_a_pending_member_is_for_those_who_decide(people, territory):
    newcomer = PendingUserFactory(territory=territory)
    assert holders(people, lambda u: permissions.can_view_profile(u, newcomer)) == ADMINS_OF_T


CONTACT_MATRIX = {
    User.Visibility.PRIVATE: set(),
    User.Visibility.TERRITORY: {"coordinator", "superuser", "member", "site_editor", "local_admin"},
    User.Visibility.MEMBERS: APPROVED,
}


@pytest.mark.parametrize("visibility", list(CONTACT_MATRIX))
def test_can_see_contact_matrix(people, territory, visibility):
    owner = UserFactory(territory=territory, display_name="Owner")
    assert holders(people, lambda u: permissions.can_see_contact(u, owner, visibility)) == CONTACT_MATRIX[visibility]


@pytest.mark.parametrize("visibility", list(CONTACT_MATRIX))
def test_a_member_always_sees_their_own_contact(member, visibility):
    assert permissions.can_see_contact(member, member, visibility)


@pytest.mark.parametrize("visibility", list(CONTACT_MATRIX))
def test_a_pending_member_sees_no_contact_even_their_own(pending_user, visibility):
    assert not permissions.can_see_contact(pending_user, pending_user, visibility)


@pytest.mark.django_db
def test_territory_visibility_without_territory_is_not_shared_between_people_without_one():
    owner = UserFactory(territory=None)
    viewer = UserFactory(territory=None)
    assert not permissions.can_see_contact(viewer, owner, User.Visibility.TERRITORY)
    assert permissions.can_see_contact(viewer, owner, User.Visibility.MEMBERS)


# --- Selectors that apply these rules ------------------------------------------------------


def test_profile_contact_shows_only_what_the_viewer_may_see(people, territory):
    owner = UserFactory(
        territory=territory, email="owner@exemple.test", phone="05 65 00 00 00",
        email_visibility=User.Visibility.PRIVATE, phone_visibility=User.Visibility.TERRITORY,
    )
    assert selectors.profile_contact(viewer=people["member_elsewhere"], member=owner) == {}
    assert selectors.profile_contact(viewer=people["member"], member=owner) == {"phone": "05 65 00 00 00"}
    assert selectors.profile_contact(viewer=people["coordinator"], member=owner) == {"phone": "05 65 00 00 00"}
    assert selectors.profile_contact(viewer=people["anonymous"], member=owner) == {}


def test_profile_contact_leaves_out_an_empty_phone(people, territory):
    owner = UserFactory(territory=territory, email="nophone@exemple.test", phone="")
    assert selectors.profile_contact(viewer=people["coordinator"], member=owner) == {"email": "nophone@exemple.test"}


def test_member_get_for_user_hides_what_the_viewer_may_not_see(people, territory):
    newcomer = PendingUserFactory(territory=territory)
    assert selectors.member_get_for_user(people["local_admin"], newcomer.pk) == newcomer
    with pytest.raises(Http404):
        selectors.member_get_for_user(people["member"], newcomer.pk)
    with pytest.raises(Http404):
        selectors.member_get_for_user(people["member"], people["inactive"].pk)


def test_pending_members_for_is_scoped_to_the_decider(people, territory, other_territory):
    here = PendingUserFactory(territory=territory)
    there = PendingUserFactory(territory=other_territory)
    pending_fixture = people["pending"]
    assert set(selectors.pending_members_for(actor=people["local_admin"])) == {here, pending_fixture}
    assert set(selectors.pending_members_for(actor=people["local_admin_elsewhere"])) == {there}
    assert set(selectors.pending_members_for(actor=people["coordinator"])) == {here, there, pending_fixture}
    assert list(selectors.pending_members_for(actor=people["member"])) == []
