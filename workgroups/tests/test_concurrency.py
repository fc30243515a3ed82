"""Real parallel changes to one group's membership: the database settles them, none is lost.

Each attempt runs in its own thread with its own database connection, released at a
barrier together (the pattern of members/tests/test_concurrency.py). Runs on SQLite (WAL,
IMMEDIATE transactions) and on PostgreSQL (the group's row locked with SELECT ... FOR UPDATE).
"""


import pytest
from django.core.exceptions import ValidationError

from core.models import Activity, Notification
from extranet.testing import concurrency
from extranet.testing.concurrency import outcomes
from extranet.testing.factories import JoinRequestFactory, UserFactory, WorkgroupFactory
from members.models import User
from workgroups import services
from workgroups.models import JoinRequest, Membership, Workgroup

pytestmark = pytest.mark.django_db(transaction=True)

LAST_MANAGER = "{name} is the last manager of the group: name another manager first."
NO_SUCCESSOR = "You are the last manager: name another member as manager before leaving."


def run_together(attempts):
    return concurrency.run_together(attempts, language="en")


def objects(user_pk, workgroup_pk):
    return lambda: (User.objects.get(pk=user_pk), Workgroup.objects.get(pk=workgroup_pk))


def managers(workgroup):
    return set(Membership.objects.filter(workgroup=workgroup, role="manager").values_list("user_id", flat=True))


@pytest.fixture
def people(territory):
    return [UserFactory(territory=territory, display_name=name)
            for name in ("Aline Roux", "Bruno Vidal", "Chloé Bernard", "Karim Benali")]


def test_two_managers_leave_at_once_and_one_stays(people):
    first, second, _third, member = people
    workgroup = WorkgroupFactory(managers=[first, second], members=[member])

    results = run_together([
        {"prepare": objects(user.pk, workgroup.pk),
         "act": lambda p: services.membership_leave(actor=p[0], workgroup=p[1])}
        for user in (first, second)
    ])

    assert outcomes(results) == ["invalid", "ok"]
    [error] = [value for outcome, value in results if outcome == "invalid"]
    assert error.message_dict == {"successor": [NO_SUCCESSOR]}
    stayed = first if results[1][0] == "ok" else second
    assert managers(workgroup) == {stayed.pk}
    assert set(Membership.objects.filter(workgroup=workgroup).values_list("user_id", flat=True)) == {
        stayed.pk, member.pk,
    }
    assert Activity.objects.filter(verb="workgroup.left").count() == 1


def test_three_managers_leave_at_once_and_one_stays(people):
    managers_ = people[:3]
    workgroup = WorkgroupFactory(managers=managers_, members=[people[3]])

    results = run_together([
        {"prepare": objects(user.pk, workgroup.pk),
         "act": lambda p: services.membership_leave(actor=p[0], workgroup=p[1])}
        for user in managers_
    ])

    assert outcomes(results) == ["invalid", "ok", "ok"]
    [stayed] = [user for user, (outcome, _value) in zip(managers_, results, strict=True) if outcome == "invalid"]
    assert managers(workgroup) == {stayed.pk}


def test_two_managers_demote_each_other_at_once_and_one_remains(people):
    first, second, _third, member = people
    workgroup = WorkgroupFactory(managers=[first, second], members=[member])

    def demote(actor, target):
        return {
            "prepare": lambda: (User.objects.get(pk=actor.pk), User.objects.get(pk=target.pk),
                                Workgroup.objects.get(pk=workgroup.pk)),
            "act": lambda p: services.membership_set_role(actor=p[0], member=p[1], workgroup=p[2], role="member"),
        }

    results = run_together([demote(first, second), demote(second, first)])

    # The loser is told either that the other is now the last manager, or (when its own
    # demotion was already committed when it looked) that it no longer manages the group.
    assert outcomes(results) in (["invalid", "ok"], ["denied", "ok"])
    winner, loser = (first, second) if results[0][0] == "ok" else (second, first)
    assert managers(workgroup) == {winner.pk}
    assert Membership.objects.get(workgroup=workgroup, user=loser).role == "member"
    [(_outcome, error)] = [r for r in results if r[0] != "ok"]
    if isinstance(error, ValidationError):
        assert error.messages == [LAST_MANAGER.format(name=winner)]
    else:
        # Demoted by the other before it looked (refused by the first check), or while it
        # waited for the lock (refused by the check made again once it holds it).
        assert str(error) in ("Only the managers of the group can change roles.",
                              "You no longer manage this group.")
    assert Activity.objects.filter(verb="workgroup.manager_demoted").count() == 1
    assert list(Notification.objects.values_list("recipient_id", "verb")) == [(loser.pk, "workgroup.demoted")]


def test_two_managers_accept_the_same_request_at_once(people):
    first, second, requester, member = people
    workgroup = WorkgroupFactory(managers=[first, second], members=[member], visibility="private",
                                 join_policy="request")
    join_request = JoinRequestFactory(workgroup=workgroup, user=requester)

    def accept(manager):
        return {
            "prepare": lambda: (User.objects.get(pk=manager.pk),
                                JoinRequest.objects.select_related("workgroup").get(pk=join_request.pk)),
            "act": lambda p: services.join_request_accept(actor=p[0], join_request=p[1]),
        }

    results = run_together([accept(first), accept(second)])

    assert outcomes(results) == ["invalid", "ok"]
    [error] = [value for outcome, value in results if outcome == "invalid"]
    assert error.messages == ["This request was already answered."]
    winner = first if results[0][0] == "ok" else second
    assert Membership.objects.filter(workgroup=workgroup, user=requester).count() == 1
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by_id) == ("accepted", winner.pk)
    assert list(Notification.objects.values_list("recipient_id", "verb")) == [
        (requester.pk, "workgroup.request_accepted")
    ]
    assert Activity.objects.filter(verb="workgroup.request_accepted").count() == 1


def test_the_same_member_joins_an_open_group_twice_at_once(people):
    manager, _second, newcomer, _member = people
    workgroup = WorkgroupFactory(managers=[manager])

    results = run_together([
        {"prepare": objects(newcomer.pk, workgroup.pk),
         "act": lambda p: services.workgroup_join(actor=p[0], workgroup=p[1])}
        for _ in range(2)
    ])

    assert outcomes(results) == ["invalid", "ok"]
    [error] = [value for outcome, value in results if outcome == "invalid"]
    # Refused either before writing (the other's membership was visible) or by the unique constraint.
    assert error.messages in (
        ["You are already a member of this group."],
        [f"{newcomer} is already a member of this group."],
    )
    assert Membership.objects.filter(workgroup=workgroup, user=newcomer).count() == 1
    assert Activity.objects.filter(verb="workgroup.joined").count() == 1
    assert list(Notification.objects.values_list("recipient_id", "verb")) == [(manager.pk, "workgroup.joined")]
