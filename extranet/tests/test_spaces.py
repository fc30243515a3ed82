"""Spaces: who views, posts and manages the network space and each territory space.

People of the territory under study (T, conftest `territory`) and of another one (O,
`other_territory`). The local admin of T lives in O; the coordinator and the superuser
live in O too, so that their rights on T come from their role only.

The people and territories are built once for the module (`world`, extranet.testing.shared);
each test runs in a savepoint of the transaction that holds them and gets them reloaded
(`people`, `spaces`), so that nothing one test cached on an object is seen by another.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from chat.models import Room
from core.models import Activity, Space
from core.spaces import space_create
from extranet.testing.factories import CoordinatorFactory, PendingUserFactory, TerritoryFactory, UserFactory
from extranet.testing.shared import building, shared_transaction
from members.models import User
from members.spaces import ensure_network_space, network_space

ROLES = (
    "anonymous", "pending", "refused", "inactive", "member", "member_elsewhere", "local_admin",
    "local_admin_elsewhere", "coordinator", "superuser", "site_editor",
)
APPROVED = {
    "member", "member_elsewhere", "local_admin", "local_admin_elsewhere", "coordinator", "superuser", "site_editor",
}
NETWORK_ADMINS = {"coordinator", "superuser"}

# Expected rights, per space: who views (and posts), who manages, who are its members.
VIEW = {
    "network": APPROVED,
    "here": {"member", "site_editor", "local_admin", "coordinator", "superuser"},
    "there": {"member_elsewhere", "local_admin", "local_admin_elsewhere", "coordinator", "superuser"},
    "lonely": NETWORK_ADMINS,
}
MANAGE = {
    "network": NETWORK_ADMINS,
    "here": {"local_admin", "coordinator", "superuser"},
    "there": {"local_admin_elsewhere", "coordinator", "superuser"},
    "lonely": NETWORK_ADMINS,
}
MEMBERS = {
    "network": APPROVED,
    "here": {"member", "site_editor", "local_admin"},
    "there": {"member_elsewhere", "local_admin", "local_admin_elsewhere", "coordinator", "superuser"},
    "lonely": set(),
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The people of every role and the spaces under study, built once for the module:
    {"people": {role: user}, "spaces": {name: space}}."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            # The territories of the root conftest.py, under the same names.
            territory = TerritoryFactory(name="Pays des Causses")
            other_territory = TerritoryFactory(name="Vallée du Lys")
            data = {
                "people": _build_people(territory, other_territory),
                "spaces": _build_spaces(territory, other_territory),
            }
        yield data


@pytest.fixture
def people(world, db):
    """The people of every role, by role, reloaded for the test."""
    return {
        role: AnonymousUser() if user.pk is None else User.objects.get(pk=user.pk)
        for role, user in world["people"].items()
    }


@pytest.fixture
def spaces(world, db):
    """The network space, the spaces of T, of O and of a territory where nobody lives, reloaded."""
    stored = Space.objects.in_bulk([space.pk for space in world["spaces"].values()])
    return {name: stored[space.pk] for name, space in world["spaces"].items()}


def _build_people(territory, other_territory):
    return {
        "anonymous": AnonymousUser(),
        "pending": PendingUserFactory(territory=territory),
        "refused": UserFactory(territory=territory, status=User.Status.REFUSED),
        "inactive": UserFactory(territory=territory, is_active=False),
        "member": UserFactory(territory=territory),
        "member_elsewhere": UserFactory(territory=other_territory),
        "local_admin": UserFactory(territory=other_territory, referent_of=[territory]),
        "local_admin_elsewhere": UserFactory(territory=other_territory, referent_of=[other_territory]),
        "coordinator": CoordinatorFactory(territory=other_territory),
        "superuser": UserFactory(territory=other_territory, is_superuser=True, is_staff=True),
        "site_editor": UserFactory(territory=territory, site_editor=True),
    }


def _build_spaces(territory, other_territory):
    lonely = TerritoryFactory(name="Quartier des Tanneurs")
    return {
        "network": network_space(),
        "here": Space.objects.get(territory=territory),
        "there": Space.objects.get(territory=other_territory),
        "lonely": Space.objects.get(territory=lonely),
    }


def holders(people, predicate):
    return {role for role in ROLES if predicate(people[role])}


def role_names(people, users):
    by_pk = {getattr(people[r], "pk", None): r for r in ROLES if people[r].pk is not None}
    names = [by_pk[u.pk] for u in users]
    assert len(names) == len(set(names)), "someone is listed twice"
    return set(names)


@pytest.mark.parametrize("space", list(VIEW))
def test_can_view(people, spaces, space):
    assert holders(people, spaces[space].can_view) == VIEW[space]


@pytest.mark.parametrize("space", list(VIEW))
def test_can_post(people, spaces, space):
    assert holders(people, spaces[space].can_post) == VIEW[space]


@pytest.mark.parametrize("space", list(MANAGE))
def test_can_manage(people, spaces, space):
    assert holders(people, spaces[space].can_manage) == MANAGE[space]


@pytest.mark.parametrize("space", list(MANAGE))
def test_managers_is_who_can_manage(people, spaces, space):
    assert role_names(people, spaces[space].managers()) == MANAGE[space]


@pytest.mark.parametrize("space", list(MEMBERS))
def test_members(people, spaces, space):
    assert role_names(people, spaces[space].members()) == MEMBERS[space]


def test_a_member_who_is_also_local_admin_of_their_territory_is_listed_once(db):
    # A territory of its own: the module's people live in T.
    territory = TerritoryFactory(name="Causse de Limogne")
    referent = UserFactory(territory=territory, referent_of=[territory], display_name="Marc Delpech")
    assert list(Space.objects.get(territory=territory).members()) == [referent]


def test_whoever_manages_a_space_can_view_it(people, spaces):
    for space in spaces.values():
        assert holders(people, space.can_manage) <= holders(people, space.can_view)


# --- Space.objects.visible_to ----------------------------------------------------------------

VISIBLE = {role: {space for space, viewers in VIEW.items() if role in viewers} for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_visible_to_matches_can_view(people, spaces, role):
    user = people[role]
    by_pk = {space.pk: name for name, space in spaces.items()}
    visible = {by_pk[s.pk] for s in Space.objects.visible_to(user)}
    assert visible == VISIBLE[role]
    assert set(Space.objects.visible_to(user)) == {s for s in Space.objects.all() if s.can_view(user)}


@pytest.mark.parametrize("role", sorted(APPROVED))
def test_visible_to_is_one_query(people, spaces, role, django_assert_num_queries):
    user = people[role]
    with django_assert_num_queries(1):
        spaces_seen = list(Space.objects.visible_to(user))
    assert spaces_seen


@pytest.mark.parametrize("role", sorted(set(ROLES) - APPROVED))
def test_visible_to_asks_nothing_for_those_who_see_nothing(people, spaces, role, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(Space.objects.visible_to(people[role])) == []


def test_visible_to_works_as_a_subquery(people, spaces, django_assert_num_queries):
    for space in spaces.values():
        Activity.objects.create(verb="test.posted", space=space)
    with django_assert_num_queries(1):
        seen = set(
            Activity.objects.filter(space__in=Space.objects.visible_to(people["member"])).values_list(
                "space_id", flat=True
            )
        )
    assert seen == {spaces["network"].pk, spaces["here"].pk}


# --- The structure of spaces ----------------------------------------------------------------------


def test_there_is_one_network_space_and_migrate_does_not_make_another(db):
    first = network_space()
    ensure_network_space()
    assert network_space() == first
    assert Space.objects.filter(kind="network").count() == 1


def test_the_database_refuses_a_second_network_space(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        space_create("network")
    assert Space.objects.filter(kind="network").count() == 1
    assert Room.objects.filter(space__kind="network").count() == 1  # the refused space's room went with it


def test_a_space_of_an_unregistered_kind_is_refused(db):
    before = Space.objects.count()
    with pytest.raises(LookupError):
        space_create("club")
    assert Space.objects.count() == before


def test_a_territorys_space_cannot_be_deleted_while_the_territory_exists(territory):
    with pytest.raises(ProtectedError), transaction.atomic():
        territory.space.delete()
    assert Space.objects.filter(pk=territory.space.pk).exists()


def test_a_new_space_gets_its_modules_in_the_same_transaction(db):
    with transaction.atomic():
        space = space_create("workgroup")  # its group would be made next, in this transaction
        assert Room.objects.filter(space=space).exists()


def test_each_territory_gets_exactly_one_space(db):
    territory = TerritoryFactory(name="Causse de Gramat")
    territory.description = "Modifié"
    territory.save()
    assert Space.objects.filter(territory=territory).count() == 1
    assert str(territory.space) == "Causse de Gramat"
