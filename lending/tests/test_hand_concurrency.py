"""Two hand-overs (or two returns) of one reservation at once, on real threads: one wins,
the other reads why, and the history holds one line each."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import ItemFactory, UserFactory, VenueFactory, reservation_make
from lending import handover
from lending.models import AccessoryCheck, ItemEvent, Reservation
from members.models import User

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2030, 3, 2, 10, tzinfo=ZoneInfo("Europe/Paris"))


def _world(status: str) -> tuple[Reservation, list[User], int, list[int]]:
    owner = VenueFactory()
    managers = [UserFactory(venues=[owner]), UserFactory(venues=[owner])]
    item = ItemFactory(owner_venue=owner, accessories=["Chargeur", "Câble HDMI"])
    reservation = reservation_make(item=item, pickup=date(2030, 3, 2), return_date=date(2030, 3, 5), status=status)
    accessories = list(item.accessories.all())
    if status == "out":  # as its hand-over wrote them: both accessories left (they are checked back)
        AccessoryCheck.objects.bulk_create(AccessoryCheck(reservation=reservation, accessory=accessory, moment="out",
                                                          present=True) for accessory in accessories)
    return reservation, managers, item.pk, [accessory.pk for accessory in accessories]


def test_two_hand_overs_at_once_one_wins():
    reservation, managers, item_id, accessories = _world("approved")

    def attempt(manager_id: int, name: str):
        def prepare():
            return User.objects.get(pk=manager_id), Reservation.objects.select_related(
                "item__owner_venue", "kit__owner_venue", "venue").get(pk=reservation.pk)

        def act(prepared):
            actor, mine = prepared
            return handover.hand_over(actor=actor, reservation=mine, handed_to=name, conditions={item_id: "good"},
                                      accessories_present=set(accessories), now=NOW).handed_to

        return {"prepare": prepare, "act": act}

    results = run_together([attempt(managers[0].pk, "Jeanne"), attempt(managers[1].pk, "Paul")], language="en")
    assert outcomes(results) == ["invalid", "ok"]
    [error] = [value for outcome, value in results if outcome == "invalid"]
    assert error.messages == ["This equipment has already been handed over."]
    [winner] = [value for outcome, value in results if outcome == "ok"]
    reservation.refresh_from_db()
    assert (reservation.status, reservation.handed_to) == ("out", winner)
    assert ItemEvent.objects.filter(kind="handed_over").count() == 1
    assert AccessoryCheck.objects.filter(moment="out").count() == 2


def test_two_returns_at_once_one_wins():
    reservation, managers, item_id, accessories = _world("out")

    def attempt(manager_id: int):
        def prepare():
            return User.objects.get(pk=manager_id), Reservation.objects.select_related(
                "item__owner_venue", "kit__owner_venue", "venue").get(pk=reservation.pk)

        def act(prepared):
            actor, mine = prepared
            return handover.take_back(actor=actor, reservation=mine, conditions={item_id: "good"},
                                      accessories_present=set(accessories), now=NOW).status

        return {"prepare": prepare, "act": act}

    results = run_together([attempt(managers[0].pk), attempt(managers[1].pk)], language="en")
    assert outcomes(results) == ["invalid", "ok"]
    [error] = [value for outcome, value in results if outcome == "invalid"]
    assert error.messages == ["This return has already been recorded."]
    assert ItemEvent.objects.filter(kind="returned").count() == 1
    assert AccessoryCheck.objects.filter(moment="back").count() == 2
