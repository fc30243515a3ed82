"""Who sees a workgroup, reads it, posts, manages, joins: the matrix of the documented rules.

Every cell of kind (visibility and join policy) x status x persona is a test. The expected
answers are written below from the rules at the top of `workgroups/permissions.py` and in
docs/architecture.md, never computed with the code under test:

- A group waiting for approval (or refused) is seen by its proposer and by those who may
  approve it (coordinators, local admins of its territory). Nobody reads, posts in,
  manages or joins it: it opens once approved.
- public: every approved member sees the group and its content.
- private: every approved member sees that it exists; its content is for its members.
- secret: only its members and the people invited to it know it exists.
- Coordinators see every group and its content and manage every group.
- Members post while the group is active and not archived; managers manage it (an archived
  group stays readable, its managers still manage it, to reopen it).
- One joins an open group, asks to join an on-request group, when one may see it and is not
  a member yet; never an archived group.

The group under study belongs to territory T; its founder (a manager, who made it) is not
one of the personas. The personas:

- anonymous; pending_account (not approved yet); suspended_member (account refused, but a
  membership row remains: it must count for nothing);
- outsider (approved, in T, no tie to the group); invited (pending invitation); requester
  (pending join request); member; manager;
- coordinator (lives in O); local_admin (local admin of T, lives in O); local_admin_elsewhere
  (local admin of O, lives in T: living in T gives no right to decide);
- proposer: recorded as the group's creator (`created_by`) but not a member, so that the
  proposer rule is tested alone.

The groups and people are built once for the module (`world`, extranet.testing.shared): one
group per kind x status (a "cell"), with its founder and a persona of each kind tied to that
group alone, so that each persona of a cell gets the answers it would get in a network made
for it; each test runs in a savepoint and reloads the people it asks about (`fresh`).
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core import roles
from core.models import Space
from extranet.testing.factories import (
    CoordinatorFactory,
    GroupInvitationFactory,
    JoinRequestFactory,
    MembershipFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    WorkgroupFactory,
)
from extranet.testing.shared import building, shared_transaction
from members.models import User
from members.spaces import network_space
from workgroups import permissions
from workgroups.models import Workgroup

PERSONAS = (
    "anonymous", "pending_account", "suspended_member", "outsider", "invited", "requester", "member",
    "manager", "coordinator", "local_admin", "local_admin_elsewhere", "proposer",
)
KINDS = {  # name: (visibility, join policy)
    "public-open": ("public", "open"),
    "public-request": ("public", "request"),
    "private-open": ("private", "open"),
    "private-request": ("private", "request"),
    "private-invitation": ("private", "invitation"),
    "secret": ("secret", "invitation"),
}
STATUSES = ("active", "pending", "refused", "archived", "ended")
# "archived": archived by hand (archived_at set); "ended": end date passed, not yet recorded.

# --- The expected answers, from the documented rules ------------------------------------------

APPROVED = frozenset({
    "outsider", "invited", "requester", "member", "manager", "coordinator", "local_admin",
    "local_admin_elsewhere", "proposer",
})
IN_GROUP = frozenset({"member", "manager"})
DECIDERS = frozenset({"proposer", "local_admin", "coordinator"})  # of a group waiting for approval
NOBODY = frozenset()

PHASE = {"active": "open", "archived": "archived", "ended": "archived", "pending": "waiting", "refused": "waiting"}

SEE = {
    "public": {"open": APPROVED, "archived": APPROVED, "waiting": DECIDERS},
    "private": {"open": APPROVED, "archived": APPROVED, "waiting": DECIDERS},
    "secret": {
        "open": frozenset({"invited", "member", "manager", "coordinator"}),
        "archived": frozenset({"invited", "member", "manager", "coordinator"}),
        "waiting": DECIDERS,
    },
}
VIEW_CONTENT = {
    "public": {"open": APPROVED, "archived": APPROVED, "waiting": NOBODY},
    "private": {
        "open": frozenset({"member", "manager", "coordinator"}),
        "archived": frozenset({"member", "manager", "coordinator"}),
        "waiting": NOBODY,
    },
    "secret": {
        "open": frozenset({"member", "manager", "coordinator"}),
        "archived": frozenset({"member", "manager", "coordinator"}),
        "waiting": NOBODY,
    },
}
POST = {"open": IN_GROUP, "archived": NOBODY, "waiting": NOBODY}
MANAGE = {"open": frozenset({"manager", "coordinator"}), "archived": frozenset({"manager", "coordinator"}),
          "waiting": NOBODY}
# Who may join (open policy) or ask to (request policy): whoever sees it and is not in yet.
NEWCOMERS = frozenset({
    "outsider", "invited", "requester", "coordinator", "local_admin", "local_admin_elsewhere", "proposer",
})
JOIN = {"open": NEWCOMERS, "archived": NOBODY, "waiting": NOBODY}


def expected(kind, status):
    visibility, policy = KINDS[kind]
    phase = PHASE[status]
    return {
        "can_see": SEE[visibility][phase],
        "can_view_content": VIEW_CONTENT[visibility][phase],
        "can_post": POST[phase],
        "can_manage": MANAGE[phase],
        "can_join": JOIN[phase] if policy == "open" else NOBODY,
        "can_request_to_join": JOIN[phase] if policy == "request" else NOBODY,
    }


RULES = ("can_see", "can_view_content", "can_post", "can_manage", "can_join", "can_request_to_join")


def test_the_table_is_what_the_rules_say():
    """A few cells read from the rules in words, so that a slip in the tables shows."""
    assert expected("secret", "active")["can_see"] == {"invited", "member", "manager", "coordinator"}
    assert "local_admin" not in expected("secret", "active")["can_see"]
    assert "local_admin" in expected("secret", "pending")["can_see"]
    assert expected("private-request", "active")["can_view_content"] == {"member", "manager", "coordinator"}
    assert "outsider" in expected("private-request", "active")["can_request_to_join"]
    assert expected("public-open", "archived")["can_view_content"] == APPROVED
    assert expected("public-open", "ended")["can_post"] == NOBODY
    assert expected("public-open", "ended")["can_manage"] == {"manager", "coordinator"}
    assert {rule for rule, cells in expected("public-open", "pending").items() if cells} == {"can_see"}
    assert expected("private-invitation", "active")["can_join"] == NOBODY


# --- Building one cell ---------------------------------------------------------------------------


def make_group(kind, status, home, **extra):
    """A group of territory `home` (unless `territory=` says otherwise), made by a founder living there."""
    visibility, policy = KINDS[kind]
    founder = UserFactory(territory=home, display_name="Fondatrice")
    values = {"visibility": visibility, "join_policy": policy, "territory": home, "created_by": founder}
    if status in ("pending", "refused"):
        values["status"] = status
    elif status == "archived":
        values["archived_at"] = timezone.now() - timedelta(days=1)
    elif status == "ended":
        values["end_date"] = timezone.localdate() - timedelta(days=1)
    values.update(extra)
    workgroup = WorkgroupFactory(**values)
    MembershipFactory(workgroup=workgroup, user=founder, role="manager")
    return workgroup, founder


def make_persona(persona, workgroups, territory, other_territory, founder=None):
    """The persona, with its tie to each group of `workgroups`."""
    if persona == "anonymous":
        return AnonymousUser()
    if persona == "pending_account":
        return PendingUserFactory(territory=territory)
    if persona == "coordinator":
        return CoordinatorFactory(territory=other_territory)
    if persona == "local_admin":
        return UserFactory(territory=other_territory, referent_of=[territory])
    if persona == "local_admin_elsewhere":
        return UserFactory(territory=territory, referent_of=[other_territory])
    if persona == "suspended_member":
        user = UserFactory(territory=territory, status=User.Status.REFUSED)
    else:
        user = UserFactory(territory=territory)
    for workgroup in workgroups:
        if persona in ("member", "suspended_member"):
            MembershipFactory(workgroup=workgroup, user=user, role="member")
        elif persona == "manager":
            MembershipFactory(workgroup=workgroup, user=user, role="manager")
        elif persona == "invited":
            GroupInvitationFactory(workgroup=workgroup, user=user, invited_by=founder)
        elif persona == "requester":
            JoinRequestFactory(workgroup=workgroup, user=user)
        elif persona == "proposer":
            Workgroup.objects.filter(pk=workgroup.pk).update(created_by=user)
    return user


def fresh(user):
    """The user as a new request would load it (no role cached on the object)."""
    return user if user.pk is None else User.objects.get(pk=user.pk)


# --- The module's data, built once ------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class People:
    """One persona of each kind, by name, as built (`user` gives a fresh copy)."""

    personas: dict

    def user(self, persona):
        """The persona as a new request would load it: nothing a former test cached on the object."""
        return AnonymousUser() if persona == "anonymous" else fresh(self.personas[persona])


@dataclass(frozen=True)
class Cell(People):
    """A group of one kind and status, its founder, and its personas: tied to this group only."""

    workgroup: Workgroup
    founder: User

    def group(self):
        """The group as stored (the proposer was recorded after it was built)."""
        return Workgroup.objects.select_related("space").get(pk=self.workgroup.pk)


@dataclass(frozen=True)
class Network(People):
    """One group per kind and status, {(kind, status): workgroup}, and personas tied to all of them."""

    groups: dict


@dataclass(frozen=True)
class World:
    cells: dict  # {(kind, status): Cell}
    network: Network


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module's ~800 cases; each case runs in a savepoint of the transaction
    that holds it (extranet.testing.shared)."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = _build_world()
        yield data


def _build_world():
    # The territories of the root conftest.py, under the same names.
    territory = TerritoryFactory(name="Pays des Causses")
    other_territory = TerritoryFactory(name="Vallée du Lys")
    cells = {}
    for kind in KINDS:
        for status in STATUSES:
            workgroup, founder = make_group(kind, status, territory)
            personas = {p: make_persona(p, [workgroup], territory, other_territory, founder) for p in PERSONAS}
            cells[kind, status] = Cell(personas=personas, workgroup=workgroup, founder=founder)
    groups = {
        (kind, status): make_group(kind, status, territory, name=f"{kind} {status}")[0]
        for kind in KINDS for status in STATUSES
    }
    personas = {p: make_persona(p, list(groups.values()), territory, other_territory) for p in PERSONAS}
    return World(cells=cells, network=Network(personas=personas, groups=groups))


# --- The matrix ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("kind", KINDS)
def test_visibility_matrix(kind, status, persona, world):
    cell = world.cells[kind, status]
    user = cell.user(persona)
    workgroup = cell.group()
    want = {rule: persona in cells for rule, cells in expected(kind, status).items()}

    got = {rule: getattr(permissions, rule)(user, workgroup) for rule in RULES}

    assert got == want


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("kind", KINDS)
def test_lists_and_space_agree_with_the_matrix(kind, status, persona, world):
    """listed_q, content_visible_q, Space.objects.visible_to and the Space's own answers."""
    cell = world.cells[kind, status]
    user = cell.user(persona)
    workgroup = cell.workgroup
    space = Space.objects.get(pk=workgroup.space_id)
    rules = expected(kind, status)
    sees, reads = persona in rules["can_see"], persona in rules["can_view_content"]

    assert Workgroup.objects.filter(permissions.listed_q(user), pk=workgroup.pk).exists() is sees
    assert Space.objects.filter(permissions.listed_q(user, prefix="workgroup__"), pk=space.pk).exists() is sees
    assert Workgroup.objects.filter(permissions.content_visible_q(user), pk=workgroup.pk).exists() is reads
    assert Space.objects.filter(
        permissions.content_visible_q(user, prefix="workgroup__"), pk=space.pk
    ).exists() is reads
    assert Space.objects.visible_to(user).filter(pk=space.pk).exists() is reads
    assert space.kind == "workgroup"
    assert space.can_view(user) is reads
    assert space.can_post(user) is (persona in rules["can_post"])
    assert space.can_manage(user) is (persona in rules["can_manage"])
    assert space.managers().filter(pk=user.pk).exists() is (persona in rules["can_manage"])
    # The space's members: the approved members of the group (the founder, and the cell's
    # member and manager; not its suspended member), the persona among them if it is in.
    members = set(space.members().values_list("pk", flat=True))
    assert members == {cell.founder.pk, cell.personas["member"].pk, cell.personas["manager"].pk}
    assert (user.pk in members) is (persona in IN_GROUP)


# --- The whole network at once: one query, the same answers ------------------------------------------

# Toward a group it has no tie to, a persona defined by its tie is a plain outsider.
WITHOUT_TIE = {"invited": "outsider", "requester": "outsider", "member": "outsider", "manager": "outsider",
               "proposer": "outsider"}


def every_group_of(world, persona):
    """Every group of the module, each with the kind, status and persona its answers are read
    from: the network's groups (the persona's ties) and the cells' (none of its ties)."""
    cases = [(g, kind, status, persona) for (kind, status), g in world.network.groups.items()]
    cases += [(cell.workgroup, kind, status, WITHOUT_TIE.get(persona, persona))
              for (kind, status), cell in world.cells.items()]
    return cases


@pytest.fixture
def every_group(territory):
    """One group per kind and status; {(kind, status): workgroup}."""
    groups = {}
    for kind in KINDS:
        for status in STATUSES:
            groups[kind, status] = make_group(kind, status, territory, name=f"{kind} {status}")[0]
    return groups


@pytest.mark.parametrize("persona", PERSONAS)
def test_visible_to_answers_for_every_group_in_one_query(persona, world, django_assert_num_queries):
    user = world.network.user(persona)
    cases = every_group_of(world, persona)
    readable = {g.space_id for g, kind, status, who in cases if who in expected(kind, status)["can_view_content"]}
    known = {g.pk for g, kind, status, who in cases if who in expected(kind, status)["can_see"]}
    # The lists below are compared with the whole database: every group in it is one of these.
    assert set(Workgroup.objects.values_list("pk", flat=True)) == {g.pk for g, *_ in cases}
    workgroup_spaces = set(Space.objects.filter(kind="workgroup").values_list("pk", flat=True))

    with django_assert_num_queries(1 if persona in APPROVED else 0):
        seen = [s.pk for s in Space.objects.visible_to(user)]

    assert len(seen) == len(set(seen)), "a space is listed twice"
    assert set(seen) & workgroup_spaces == readable
    if persona in APPROVED:
        assert network_space().pk in seen
    listed = set(Workgroup.objects.filter(permissions.listed_q(user)).values_list("pk", flat=True))
    assert listed == known
    # The per-object rules agree with the lists, group by group.
    groups = list(Workgroup.objects.filter(pk__in=[g.pk for g, *_ in cases]))
    assert {g.pk for g in groups if permissions.can_see(user, g)} == known
    assert {g.space_id for g in groups if permissions.can_view_content(user, g)} == readable


def test_visible_to_filters_other_tables_as_a_subquery(every_group, territory, other_territory,
                                                       django_assert_num_queries):
    from core.models import Activity

    member = fresh(make_persona("member", list(every_group.values()), territory, other_territory))
    for workgroup in every_group.values():
        Activity.objects.create(verb="test.posted", space_id=workgroup.space_id)
    with django_assert_num_queries(1):
        spaces = set(
            Activity.objects.filter(space__in=Space.objects.visible_to(member)).values_list("space_id", flat=True)
        )
    assert spaces == {g.space_id for (kind, status), g in every_group.items() if PHASE[status] != "waiting"}


# --- Beyond the matrix -------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["proposer", "coordinator", "local_admin", "local_admin_elsewhere", "outsider"])
def test_a_proposed_group_without_territory_is_seen_by_its_proposer_and_coordinators_only(
    persona, territory, other_territory
):
    workgroup, founder = make_group("public-open", "pending", territory, territory=None)
    user = fresh(make_persona(persona, [workgroup], territory, other_territory, founder))
    workgroup.refresh_from_db()
    sees = persona in {"proposer", "coordinator"}
    assert permissions.can_see(user, workgroup) is sees
    assert Workgroup.objects.filter(permissions.listed_q(user), pk=workgroup.pk).exists() is sees
    assert permissions.can_approve_creation(user, workgroup) is (persona == "coordinator")


@pytest.mark.parametrize(
    "persona,decides",
    [("coordinator", True), ("local_admin", True), ("local_admin_elsewhere", False), ("outsider", False),
     ("proposer", False), ("manager", False), ("pending_account", False), ("anonymous", False)],
)
def test_who_may_approve_a_proposed_group(persona, decides, world):
    cell = world.cells["public-open", "pending"]
    user = cell.user(persona)
    workgroup = cell.group()
    assert permissions.can_approve_creation(user, workgroup) is decides
    q = permissions.approvable_q(user)
    in_list = q is not None and Workgroup.objects.filter(q, pk=workgroup.pk).exists()
    assert in_list is decides


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("persona", ["outsider", "invited", "member", "manager", "coordinator", "local_admin"])
def test_who_may_invite_to_an_open_group(kind, persona, world):
    """Managers (and coordinators) invite; members too, in a non-secret group one may join or ask to."""
    cell = world.cells[kind, "active"]
    user = cell.user(persona)
    workgroup = cell.group()
    visibility, policy = KINDS[kind]
    members_invite = visibility != "secret" and policy != "invitation"
    may = persona in {"manager", "coordinator"} or (persona == "member" and members_invite)
    assert permissions.can_invite(user, workgroup) is may


@pytest.mark.parametrize("status", ["pending", "refused"])
@pytest.mark.parametrize("persona", ["manager", "member"])
def test_nobody_invites_to_a_group_that_is_not_open(status, persona, world):
    """A group waiting for approval or refused is not open: an invitation would lead to a 404."""
    cell = world.cells["public-open", status]
    user = cell.user(persona)
    workgroup = cell.group()
    assert permissions.can_invite(user, workgroup) is False


def test_roles_are_read_once_per_role_scope(territory, django_assert_num_queries):
    user = UserFactory(territory=territory)
    groups = [WorkgroupFactory(members=[user], visibility="private") for _ in range(5)]
    user = fresh(user)
    with roles.scope():
        with django_assert_num_queries(1):
            assert all(permissions.is_member(user, g) for g in groups)
            assert all(permissions.can_view_content(user, g) for g in groups)
        other = WorkgroupFactory(visibility="private")
        MembershipFactory(workgroup=other, user=user)
        assert permissions.is_member(user, other) is False  # kept for the scope until forgotten
        roles.forget(user)
        assert permissions.is_member(user, other) is True
    assert permissions.role_in(user, other) == "member"
