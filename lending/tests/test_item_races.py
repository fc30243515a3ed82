"""Two managers sending one item to repair at the same moment (real threads): one wins, the
other reads that it is already in repair; one line in the history."""

import pytest

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import CoordinatorFactory, ItemFactory, UserFactory, VenueFactory
from lending import catalogue
from lending.models import Item, ItemEvent
from members.models import User


@pytest.mark.django_db(transaction=True)
def test_send_to_repair_twice_at_once():
    venue = VenueFactory()
    item = ItemFactory(owner_venue=venue)
    managers = [UserFactory(venues=[venue]).pk, CoordinatorFactory().pk]

    def attempt(user_id):
        return {
            "prepare": lambda: (User.objects.get(pk=user_id), Item.objects.get(pk=item.pk)),
            "act": lambda prepared: catalogue.item_send_to_repair(actor=prepared[0], item=prepared[1],
                                                                  note="Ne s'allume plus"),
        }

    results = run_together([attempt(pk) for pk in managers], language="en")
    assert outcomes(results) == ["invalid", "ok"]
    refusal = next(value for outcome, value in results if outcome == "invalid")
    assert refusal.messages == ["This equipment is already in repair."]
    assert Item.objects.get(pk=item.pk).status == "repair"
    assert ItemEvent.objects.filter(item=item, kind="repair_start").count() == 1
