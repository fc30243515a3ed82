"""Voices under real parallel requests (threads, each with its own connection): one voice per
member, and a count that never drifts."""

import pytest

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import DemandFactory, UserFactory
from members.models import User
from workshops import demand as services
from workshops.models import Demand, DemandVote

pytestmark = pytest.mark.django_db(transaction=True)


def _requested():
    author = UserFactory(display_name="Anne Autrice", verified=False)
    demand = DemandFactory(title="Prise en main d'une tablette", created_by=author, votes=1)
    DemandVote.objects.create(demand=demand, user=author)
    return demand


def _vote(user_id, demand_id):
    def prepare():  # the thread's own copies, loaded before the barrier
        return User.objects.get(pk=user_id), Demand.objects.get(pk=demand_id)

    def act(prepared):
        user, demand = prepared
        return services.demand_vote(actor=user, demand=demand)

    return {"prepare": prepare, "act": act}


def test_two_parallel_votes_of_one_member_count_once():
    demand = _requested()
    member = UserFactory(verified=False)
    results = run_together([_vote(member.pk, demand.pk), _vote(member.pk, demand.pk)], language="en")
    assert outcomes(results) == ["ok", "ok"]
    assert sorted(value for _outcome, value in results) == [False, True]
    assert DemandVote.objects.filter(demand=demand, user=member).count() == 1
    demand.refresh_from_db()
    assert demand.votes == 2


def test_twenty_members_voting_at_once_make_twenty_one_voices():
    demand = _requested()
    members = UserFactory.create_batch(20, verified=False)
    results = run_together([_vote(member.pk, demand.pk) for member in members], language="en")
    assert outcomes(results) == ["ok"] * 20
    assert [value for _outcome, value in results] == [True] * 20
    demand.refresh_from_db()
    assert demand.votes == 21
    assert DemandVote.objects.filter(demand=demand).count() == 21
