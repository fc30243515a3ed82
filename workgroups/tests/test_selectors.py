"""Reads about workgroups, scoped to the viewer: the listing and its filters, one group, invitations.

The people and groups are built once for the module (`world`, extranet.testing.shared); each
test runs in a savepoint of the transaction that holds them (what a test writes is gone for
the next) and gets them reloaded (`people`, `groups`): nothing cached on an object by one test
is seen by another.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone
from taggit.models import Tag

from extranet.testing.factories import (
    CoordinatorFactory,
    GroupInvitationFactory,
    JoinRequestFactory,
    MembershipFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkgroupFactory,
)
from extranet.testing.shared import building, shared_transaction
from members.models import User
from workgroups import selectors
from workgroups.models import Membership, Workgroup


def fresh(user):
    return user if user.pk is None else User.objects.get(pk=user.pk)


def names(groups):
    names = [g.name for g in groups]
    assert len(names) == len(set(names)), f"a group is listed twice: {names}"
    return set(names)


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The people and the groups, built once for the module: {"people": ..., "groups": ...}."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            # The territories of the root conftest.py, under the same names.
            territory = TerritoryFactory(name="Pays des Causses")
            other_territory = TerritoryFactory(name="Vallée du Lys")
            people = _build_people(territory, other_territory)
            data = {"people": people, "groups": _build_groups(people, territory, other_territory)}
        yield data


@pytest.fixture
def people(world):
    """The people of the module, reloaded (no role cached on an object by another test)."""
    return {who: AnonymousUser() if user.pk is None else fresh(user) for who, user in world["people"].items()}


@pytest.fixture
def groups(world):
    """The groups of the network, by name, reloaded."""
    stored = Workgroup.objects.in_bulk([g.pk for g in world["groups"].values()])
    return {name: stored[g.pk] for name, g in world["groups"].items()}


def _build_people(territory, other_territory):
    # The people of the root conftest.py (member, referent, coordinator, pending_user) under
    # the same names; their venue under another name, so that a test may still make the
    # conftest's `venue`.
    venue = VenueFactory(territory=territory, name="EPM de Limogne (groupes)")
    return {
        "member": UserFactory(territory=territory, venues=[venue], display_name="Karim Benali"),
        "manager": UserFactory(territory=territory, display_name="Aline Roux"),
        "outsider": UserFactory(territory=territory, display_name="Odile Martin"),
        "invited": UserFactory(territory=territory, display_name="Inès Garric"),
        "proposer": UserFactory(territory=territory, display_name="Pierre Lacombe"),
        "referent": UserFactory(territory=territory, referent_of=[territory], display_name="Marc Delpech"),
        "referent_elsewhere": UserFactory(territory=territory, referent_of=[other_territory]),
        "coordinator": CoordinatorFactory(territory=other_territory, display_name="Claire Dumas"),
        "pending": PendingUserFactory(territory=territory, venues=[venue], display_name="Romain Espitalier"),
        "anonymous": AnonymousUser(),
    }


def _build_groups(people, territory, other_territory):
    """The groups of the network, by name; `member` is in "Ateliers parents" and "Cellule de crise"."""
    manager, member = people["manager"], people["member"]
    yesterday = timezone.localdate() - timedelta(days=1)

    def group(name, **values):
        values.setdefault("territory", territory)
        values.setdefault("purpose", "Se retrouver entre collègues.")
        values.setdefault("managers", [manager])
        values.setdefault("created_by", manager)
        return WorkgroupFactory(name=name, **values)

    made = {
        "Ateliers parents": group("Ateliers parents", purpose="Écrans et familles", members=[member],
                                  tags=["Inclusion numérique", "Numérique et parentalité"]),
        "Fablab des Causses": group("Fablab des Causses", purpose="Imprimantes 3D", visibility="private",
                                    join_policy="request", territory=other_territory, tags=["Inclusion numérique"]),
        "Comité de pilotage": group("Comité de pilotage", visibility="private", join_policy="invitation"),
        "Cellule de crise": group("Cellule de crise", visibility="secret", members=[member]),
        "Réseau discret": group("Réseau discret", visibility="secret"),
        "Ancien groupe": group("Ancien groupe", archived_at=timezone.now() - timedelta(days=3), members=[member]),
        "Projet terminé": group("Projet terminé", visibility="private", join_policy="request", end_date=yesterday),
        "Archives secrètes": group("Archives secrètes", visibility="secret", archived_at=timezone.now()),
        "Idée en attente": group("Idée en attente", status="pending", created_by=people["proposer"],
                                 managers=[people["proposer"]]),
        "Idée refusée": group("Idée refusée", status="refused", created_by=people["proposer"],
                              managers=[people["proposer"]]),
    }
    GroupInvitationFactory(workgroup=made["Réseau discret"], user=people["invited"], invited_by=manager)
    return made


ACTIVE_PUBLIC_OR_PRIVATE = {"Ateliers parents", "Fablab des Causses", "Comité de pilotage"}


@pytest.mark.parametrize("who,expected", [
    ("member", ACTIVE_PUBLIC_OR_PRIVATE | {"Cellule de crise"}),
    ("manager", ACTIVE_PUBLIC_OR_PRIVATE | {"Cellule de crise", "Réseau discret"}),
    ("outsider", ACTIVE_PUBLIC_OR_PRIVATE),
    ("invited", ACTIVE_PUBLIC_OR_PRIVATE | {"Réseau discret"}),
    ("referent", ACTIVE_PUBLIC_OR_PRIVATE),
    ("coordinator", ACTIVE_PUBLIC_OR_PRIVATE | {"Cellule de crise", "Réseau discret"}),
    ("pending", set()),
    ("anonymous", set()),
])
def test_the_listing_shows_the_open_groups_one_may_know(who, expected, people, groups):
    assert names(selectors.workgroups_for(user=fresh(people[who]))) == expected


def test_mine(people, groups):
    assert names(selectors.workgroups_for(user=fresh(people["member"]), mine=True)) == {
        "Ateliers parents", "Cellule de crise",
    }
    assert names(selectors.workgroups_for(user=fresh(people["outsider"]), mine=True)) == set()


@pytest.mark.parametrize("who,expected", [
    ("member", {"Fablab des Causses"}),
    ("outsider", {"Ateliers parents", "Fablab des Causses"}),
    ("invited", {"Ateliers parents", "Fablab des Causses"}),  # a secret group is joined by invitation
    ("coordinator", {"Ateliers parents", "Fablab des Causses"}),
])
def test_joinable(who, expected, people, groups):
    assert names(selectors.workgroups_for(user=fresh(people[who]), joinable=True)) == expected


def test_by_territory(people, groups, territory, other_territory):
    member = fresh(people["member"])
    assert names(selectors.workgroups_for(user=member, territory=other_territory)) == {"Fablab des Causses"}
    assert names(selectors.workgroups_for(user=member, territory=territory)) == {
        "Ateliers parents", "Comité de pilotage", "Cellule de crise",
    }
    assert names(selectors.workgroups_for(user=fresh(people["outsider"]), territory=territory)) == {
        "Ateliers parents", "Comité de pilotage",
    }


def test_by_tag(people, groups):
    slug = Tag.objects.get(name="Inclusion numérique").slug
    assert names(selectors.workgroups_for(user=fresh(people["member"]), tag=slug)) == {
        "Ateliers parents", "Fablab des Causses",
    }
    other = Tag.objects.get(name="Numérique et parentalité").slug
    assert names(selectors.workgroups_for(user=fresh(people["member"]), tag=other)) == {"Ateliers parents"}
    assert names(selectors.workgroups_for(user=fresh(people["member"]), tag="sans-groupe")) == set()


def test_a_secret_groups_tags_do_not_show_it(people, groups):
    groups["Réseau discret"].tags.set(["Inclusion numérique"])
    slug = Tag.objects.get(name="Inclusion numérique").slug
    assert "Réseau discret" not in names(selectors.workgroups_for(user=fresh(people["outsider"]), tag=slug))
    assert "Réseau discret" in names(selectors.workgroups_for(user=fresh(people["invited"]), tag=slug))


@pytest.mark.parametrize("who,query,expected", [
    ("member", "fablab", {"Fablab des Causses"}),  # name, any case
    ("member", "3D", {"Fablab des Causses"}),  # purpose
    ("member", "parentalité", {"Ateliers parents"}),  # a tag
    ("member", "numérique", {"Ateliers parents", "Fablab des Causses"}),  # two tags of one group: listed once
    ("member", "cellule", {"Cellule de crise"}),
    ("outsider", "cellule", set()),  # a secret group is not found by its name
    ("outsider", "discret", set()),
    ("invited", "discret", {"Réseau discret"}),
    ("member", "terminé", {"Projet terminé"}),  # a search also finds archived groups
    ("outsider", "secrètes", set()),  # ... but not a secret one to an outsider
    ("manager", "secrètes", {"Archives secrètes"}),
    ("member", "attente", set()),  # proposed: only with proposed=True
])
def test_search(who, query, expected, people, groups):
    assert names(selectors.workgroups_for(user=fresh(people[who]), query=query)) == expected


@pytest.mark.parametrize("who,expected", [
    ("member", {"Ancien groupe", "Projet terminé"}),
    ("outsider", {"Ancien groupe", "Projet terminé"}),
    ("manager", {"Ancien groupe", "Projet terminé", "Archives secrètes"}),
    ("coordinator", {"Ancien groupe", "Projet terminé", "Archives secrètes"}),
    ("pending", set()),
])
def test_archived(who, expected, people, groups):
    assert names(selectors.workgroups_for(user=fresh(people[who]), archived=True)) == expected


@pytest.mark.parametrize("who,expected", [
    ("proposer", {"Idée en attente"}),
    ("referent", {"Idée en attente"}),
    ("coordinator", {"Idée en attente"}),
    ("referent_elsewhere", set()),
    ("member", set()),
    ("outsider", set()),
])
def test_proposed(who, expected, people, groups):
    assert names(selectors.workgroups_for(user=fresh(people[who]), proposed=True)) == expected


def test_filters_combine(people, groups, territory):
    slug = Tag.objects.get(name="Inclusion numérique").slug
    member = fresh(people["member"])
    assert names(selectors.workgroups_for(user=member, mine=True, tag=slug, territory=territory,
                                          query="atelier")) == {"Ateliers parents"}
    assert names(selectors.workgroups_for(user=member, joinable=True, territory=territory)) == set()


def test_each_group_comes_with_its_member_count_and_the_viewers_role(people, groups):
    by_name = {g.name: g for g in selectors.workgroups_for(user=fresh(people["member"]))}
    assert by_name["Ateliers parents"].member_count == 2
    assert by_name["Ateliers parents"].viewer_role == Membership.Role.MEMBER
    assert by_name["Fablab des Causses"].member_count == 1
    assert by_name["Fablab des Causses"].viewer_role is None
    by_name = {g.name: g for g in selectors.workgroups_for(user=fresh(people["manager"]))}
    assert by_name["Ateliers parents"].viewer_role == Membership.Role.MANAGER


# --- Query counts ----------------------------------------------------------------------------------


def populate(viewer, territory, count, members):
    """`count` groups of every kind, each with `members` other members; the viewer in every other one."""
    others = [UserFactory(territory=territory) for _ in range(members)]
    made = []
    for i in range(count):
        visibility = ("public", "private", "secret", "public")[i % 4]
        workgroup = WorkgroupFactory(
            territory=territory, visibility=visibility, name=f"Groupe thème {len(made)} {i}",
            join_policy={"public": "open", "private": "request", "secret": "invitation"}[visibility],
            archived_at=timezone.now() if i % 4 == 3 else None, tags=[f"thème {i}", "commun"],
        )
        Membership.objects.bulk_create(
            [Membership(workgroup=workgroup, user=u) for u in others]
            + ([Membership(workgroup=workgroup, user=viewer, role="manager")] if i % 2 == 0 else [])
        )
        made.append(workgroup)
    return made


def listing(user, **filters):
    """Everything the listing page shows of each group."""
    return [
        (g.name, g.member_count, g.viewer_role, g.territory.name, sorted(t.name for t in g.tags.all()))
        for g in selectors.workgroups_for(user=user, **filters)
    ]


@pytest.mark.parametrize("filters", [
    {}, {"mine": True}, {"joinable": True}, {"query": "thème"}, {"tag": "commun"}, {"archived": True},
])
def test_the_listing_costs_the_same_when_groups_and_members_grow_tenfold(
    filters, territory, world, django_assert_num_queries, django_assert_max_num_queries
):
    viewer = UserFactory(territory=territory)
    reader = fresh(viewer)
    with django_assert_max_num_queries(3):  # no query for the tags of an empty list
        before = listing(reader, **filters)  # the module's groups this viewer is shown
    # One query for the viewer's local-admin territories, one for the groups, one for their tags.
    populate(viewer, territory, count=4, members=2)
    reader = fresh(viewer)
    with django_assert_num_queries(3):
        small = listing(reader, **filters)
    populate(viewer, territory, count=36, members=18)
    reader = fresh(viewer)
    with django_assert_num_queries(3):
        large = listing(reader, **filters)

    def themed(rows, made):
        return [row for row in rows if row[0].startswith("Groupe thème") is made]

    # The module's groups are shown as they were; the groups made here grow tenfold.
    assert themed(before, True) == []
    assert themed(small, False) == before
    assert themed(large, False) == before
    assert themed(small, True)
    assert len(themed(large, True)) == 10 * len(themed(small, True))


# --- One group ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who,name", [
    ("outsider", "Ateliers parents"),
    ("outsider", "Comité de pilotage"),  # private: one knows it exists
    ("member", "Cellule de crise"),
    ("invited", "Réseau discret"),
    ("coordinator", "Réseau discret"),
    ("proposer", "Idée en attente"),
    ("referent", "Idée en attente"),
    ("outsider", "Ancien groupe"),
])
def test_workgroup_get_for_user(who, name, people, groups):
    assert selectors.workgroup_get_for_user(fresh(people[who]), groups[name].pk) == groups[name]


@pytest.mark.parametrize("who,name", [
    ("outsider", "Cellule de crise"),
    ("referent", "Cellule de crise"),  # a local admin of its territory does not know it either
    ("member", "Réseau discret"),
    ("outsider", "Idée en attente"),
    ("referent_elsewhere", "Idée refusée"),
    ("pending", "Ateliers parents"),
    ("anonymous", "Ateliers parents"),
])
def test_workgroup_get_for_user_is_a_404_like_a_group_that_does_not_exist(who, name, people, groups):
    missing_pk = Workgroup.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    user = fresh(people[who])
    with pytest.raises(Http404) as hidden:
        selectors.workgroup_get_for_user(user, groups[name].pk)
    with pytest.raises(Http404) as missing:
        selectors.workgroup_get_for_user(user, missing_pk)
    assert type(hidden.value) is type(missing.value)
    assert hidden.value.args == missing.value.args
    assert name not in str(hidden.value)


def test_a_declined_invitation_no_longer_opens_a_secret_group(people, groups):
    invitation = groups["Réseau discret"].invitations.get()
    invitation.status = "declined"
    invitation.save()
    with pytest.raises(Http404):
        selectors.workgroup_get_for_user(fresh(people["invited"]), groups["Réseau discret"].pk)


# --- Invitations, requests, members ------------------------------------------------------------------


def test_invitations_for_lists_the_open_ones_newest_first(people, groups):
    invited, manager = people["invited"], people["manager"]
    now = timezone.now()
    older = GroupInvitationFactory(workgroup=groups["Comité de pilotage"], user=invited, invited_by=manager,
                                   created_at=now - timedelta(days=2))
    GroupInvitationFactory(workgroup=groups["Ateliers parents"], user=invited, invited_by=manager,
                           expires_at=now - timedelta(seconds=1))  # expired
    for status in ("accepted", "declined", "revoked", "expired"):
        GroupInvitationFactory(workgroup=groups["Fablab des Causses"], user=invited, status=status)
    GroupInvitationFactory(workgroup=groups["Fablab des Causses"], user=people["outsider"])  # someone else's
    newest = groups["Réseau discret"].invitations.get()

    assert list(selectors.invitations_for(user=invited)) == [newest, older]


def test_my_workgroups_are_the_open_ones_i_am_in(people, groups):
    assert names(selectors.my_workgroups(user=people["member"])) == {"Ateliers parents", "Cellule de crise"}


@pytest.mark.parametrize("who,expected", [
    ("coordinator", {"Idée en attente"}),
    ("referent", {"Idée en attente"}),
    ("referent_elsewhere", set()),
    ("member", set()),
    ("proposer", set()),
])
def test_groups_to_approve(who, expected, people, groups):
    assert names(selectors.groups_to_approve(user=fresh(people[who]))) == expected


def test_invitable_members(people, groups, territory):
    workgroup = groups["Réseau discret"]  # manager in it, `invited` invited
    declined = UserFactory(territory=territory, display_name="Zoé Déclinée")
    GroupInvitationFactory(workgroup=workgroup, user=declined, status="declined")
    candidates = set(selectors.invitable_members(workgroup=workgroup, limit=None))
    assert people["manager"] not in candidates
    assert people["invited"] not in candidates
    assert people["pending"] not in candidates
    assert {people["member"], people["outsider"], declined} <= candidates
    assert list(selectors.invitable_members(workgroup=workgroup, query="zoé")) == [declined]
    # Never by e-mail address: it may be hidden from the one searching.
    assert list(selectors.invitable_members(workgroup=workgroup, query=people["outsider"].email)) == []


def test_members_managers_and_pending_requests(people, groups):
    workgroup = groups["Fablab des Causses"]
    MembershipFactory(workgroup=workgroup, user=people["member"])
    JoinRequestFactory(workgroup=workgroup, user=people["outsider"])
    JoinRequestFactory(workgroup=workgroup, user=people["invited"], status="refused")
    assert [(m.user, m.role) for m in selectors.members_of(workgroup=workgroup)] == [
        (people["manager"], "manager"), (people["member"], "member"),
    ]
    assert list(selectors.managers_of(workgroup=workgroup)) == [people["manager"]]
    assert [r.user for r in selectors.pending_requests_of(workgroup=workgroup)] == [people["outsider"]]
    assert selectors.own_request(user=people["outsider"], workgroup=workgroup).status == "pending"
    assert selectors.own_request(user=people["invited"], workgroup=workgroup) is None
