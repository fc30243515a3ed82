"""Two managers examine the same proposal at the same moment (real threads, own connections):
one decision wins, the other reads "already examined", and the proposer is told once."""

import pytest

from core.models import Notification
from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import CoordinatorFactory, TerritoryFactory, UserFactory, WorkshopFactory
from members.models import User
from workshops import services
from workshops.models import Workshop

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_managers_accept_at_once_one_wins():
    north = TerritoryFactory(name="Lot Nord")
    proposer = UserFactory(territory=north, verified=False)
    coordinator = CoordinatorFactory(verified=False)
    admin = UserFactory(territory=north, referent_of=[north], verified=False)
    workshop = WorkshopFactory(status="proposed", proposed_by=proposer, territory=north)

    def attempt(user_id, action):
        def prepare():  # the thread's own copies, read before the barrier (both see "proposed")
            return User.objects.get(pk=user_id), Workshop.objects.select_related("territory").get(pk=workshop.pk)

        def act(prepared):
            actor, copy = prepared
            if action == "accept":
                return services.workshop_accept(actor=actor, workshop=copy).status
            return services.workshop_refuse(actor=actor, workshop=copy, reason="Déjà au programme").status

        return {"prepare": prepare, "act": act}

    results = run_together([attempt(coordinator.pk, "accept"), attempt(admin.pk, "refuse")], language="en")
    assert outcomes(results) == ["invalid", "ok"]
    loser = next(value for outcome, value in results if outcome == "invalid")
    assert loser.messages == ["This proposal was already examined."]
    winner_status = next(value for outcome, value in results if outcome == "ok")
    workshop.refresh_from_db()
    assert workshop.status == winner_status
    assert workshop.status_changed_by_id == (coordinator.pk if winner_status == "accepted" else admin.pk)
    # The proposer is told of the one decision only (the loser's transaction saved nothing).
    assert list(Notification.objects.filter(recipient=proposer).values_list("verb", flat=True)) == [
        f"workshops.{winner_status}"]
    assert workshop.status_reason == ("" if winner_status == "accepted" else "Déjà au programme")


def test_two_coordinators_accept_at_once():
    proposer = UserFactory(verified=False)
    first, second = CoordinatorFactory(verified=False), CoordinatorFactory(verified=False)
    workshop = WorkshopFactory(status="proposed", proposed_by=proposer, territory=None)

    def attempt(user_id):
        def prepare():
            return User.objects.get(pk=user_id), Workshop.objects.get(pk=workshop.pk)

        return {"prepare": prepare,
                "act": lambda prepared: services.workshop_accept(actor=prepared[0], workshop=prepared[1]).pk}

    results = run_together([attempt(first.pk), attempt(second.pk)], language="en")
    assert outcomes(results) == ["invalid", "ok"]
    assert Notification.objects.filter(recipient=proposer, verb="workshops.accepted").count() == 1
    assert Workshop.objects.get(pk=workshop.pk).status == "accepted"
