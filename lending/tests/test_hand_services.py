"""Hand-over and return services: allowed, denied, invalid; accessory checks, history events,
repairs, damage photos and notifications."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    ItemFactory,
    KitFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from lending import handover, permissions
from lending.models import AccessoryCheck, Booking, DamagePhoto, Item, ItemEvent, Reservation

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
PICKUP = date(2030, 3, 2)
RETURN = date(2030, 3, 5)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def state() -> dict[str, object]:
    return {
        "reservations": sorted(Reservation.objects.values_list(
            "pk", "status", "handed_to", "handover_condition", "return_condition", "damage_note")),
        "items": sorted(Item.objects.values_list("pk", "condition", "status")),
        "checks": AccessoryCheck.objects.count(),
        "events": ItemEvent.objects.count(),
        "photos": DamagePhoto.objects.count(),
        "holds": sorted(Booking.objects.values_list("pk", "holds")),
        "notifications": assertions.notifications(),
    }


refused = partial(assertions.refused, state)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    owner = VenueFactory(name="Médiathèque de Cahors")
    borrower_venue = VenueFactory(name="Espace Figeac")
    manager = UserFactory(venues=[owner])
    colleague = UserFactory(venues=[owner])
    borrower = UserFactory(venues=[borrower_venue])
    outsider = UserFactory(venues=[VenueFactory()])
    item = ItemFactory(name="Vidéoprojecteur 3", owner_venue=owner, buffer_before=1,
                       accessories=["Chargeur", "Télécommande"])
    reservation = reservation_make(item=item, venue=borrower_venue, requester=borrower,
                                   pickup=PICKUP, return_date=RETURN)
    charger, remote = item.accessories.all()
    return {"owner": owner, "venue": borrower_venue, "manager": manager, "colleague": colleague,
            "borrower": borrower, "outsider": outsider, "item": item, "reservation": reservation,
            "charger": charger, "remote": remote}


def give(world, *, actor=None, reservation=None, now=None, **changes):
    item = world["item"]
    values = {"handed_to": "Jeanne Martin", "conditions": {item.pk: "good"},
              "accessories_present": {world["charger"].pk}, "note": ""}
    values.update(changes)
    return handover.hand_over(actor=actor or world["manager"], reservation=reservation or world["reservation"],
                              now=now or at(PICKUP), **values)


def back(world, *, actor=None, now=None, **changes):
    item = world["item"]
    values = {"conditions": {item.pk: "good"}, "accessories_present": {world["charger"].pk, world["remote"].pk}}
    values.update(changes)
    return handover.take_back(actor=actor or world["manager"], reservation=world["reservation"],
                              now=now or at(RETURN, 17), **values)


# --- Hand-over --------------------------------------------------------------------------------


def test_hand_over_records_who_when_condition_and_accessories(world):
    item = world["item"]
    done = give(world, conditions={item.pk: "worn"}, note="Rayure sur le capot")
    assert done.status == "out"
    assert done.handed_to == "Jeanne Martin"
    assert done.handed_over_by == world["manager"]
    assert done.handed_over_at == at(PICKUP)
    assert done.handover_condition == "worn"
    assert done.handover_note == "Rayure sur le capot"
    checks = sorted(AccessoryCheck.objects.values_list("accessory__name", "moment", "present"))
    assert checks == [("Chargeur", "out", True), ("Télécommande", "out", False)]
    item.refresh_from_db()
    assert item.condition == "worn"
    events = list(ItemEvent.objects.order_by("pk").values_list("kind", "condition", "reservation_id", "actor_id"))
    assert events == [("condition", "worn", done.pk, world["manager"].pk),
                      ("handed_over", "worn", done.pk, world["manager"].pk)]


def test_hand_over_without_condition_change_writes_no_condition_event(world):
    give(world)
    assert list(ItemEvent.objects.values_list("kind", flat=True)) == ["handed_over"]


def test_hand_over_on_the_first_blocked_day_is_allowed(world):
    # buffer_before = 1: the day before the pick-up.
    assert give(world, now=at(PICKUP - timedelta(days=1))).status == "out"


def test_hand_over_of_a_kit_checks_every_accessory_and_keeps_the_worst_condition(world):
    first = ItemFactory(owner_venue=world["owner"], accessories=["Câble"])
    second = ItemFactory(owner_venue=world["owner"], accessories=["Pied", "Housse"])
    kit = KitFactory(owner_venue=world["owner"], items=[first, second])
    reservation = reservation_make(kit=kit, venue=world["venue"], requester=world["borrower"],
                                   pickup=PICKUP, return_date=RETURN)
    cable = first.accessories.get()
    done = handover.hand_over(actor=world["manager"], reservation=reservation, handed_to="Paul",
                              conditions={first.pk: "good", second.pk: "damaged"},
                              accessories_present={cable.pk}, now=at(PICKUP))
    assert done.handover_condition == "damaged"
    assert sorted(AccessoryCheck.objects.values_list("accessory__name", "present")) == [
        ("Câble", True), ("Housse", False), ("Pied", False)]
    assert ItemEvent.objects.filter(kind="handed_over").count() == 2


def test_hand_over_by_the_borrower_is_denied(world):
    with refused(PermissionDenied, "Only the managers of this equipment record its hand-over."):
        give(world, actor=world["borrower"])


def test_hand_over_by_a_member_of_another_venue_is_denied(world):
    with refused(PermissionDenied, "Only the managers of this equipment record its hand-over."):
        give(world, actor=world["outsider"])


def test_hand_over_twice_is_refused(world):
    give(world)
    world["reservation"].refresh_from_db()
    with refused(ValidationError, "This equipment has already been handed over."):
        give(world)


def test_hand_over_with_a_stale_copy_is_refused_under_the_lock(world):
    stale = Reservation.objects.get(pk=world["reservation"].pk)
    give(world)
    with refused(ValidationError, "This equipment has already been handed over."):
        give(world, reservation=stale)


def test_hand_over_of_a_pending_request_is_refused(world):
    Reservation.objects.filter(pk=world["reservation"].pk).update(status="pending")
    world["reservation"].refresh_from_db()
    with refused(ValidationError, "Only an approved reservation can be handed over (this one: Awaiting approval)."):
        give(world)


def test_hand_over_of_an_item_still_out_elsewhere_is_refused(world):
    earlier = reservation_make(item=world["item"], venue=VenueFactory(name="Tiers-lieu de Gourdon"),
                               pickup=date(2030, 2, 20), return_date=date(2030, 2, 25), status="out")
    assert earlier.status == "out"
    with refused(ValidationError, "« Vidéoprojecteur 3 » is already out: lent to Tiers-lieu de Gourdon "
                                  "until Feb. 25, 2030."):
        give(world)


def test_hand_over_of_an_item_in_repair_is_refused(world):
    Item.objects.filter(pk=world["item"].pk).update(status="repair")
    with refused(ValidationError, "« Vidéoprojecteur 3 » is in repair: it cannot be handed over."):
        give(world)


def test_hand_over_of_a_retired_item_is_refused(world):
    Item.objects.filter(pk=world["item"].pk).update(status="retired")
    with refused(ValidationError, "« Vidéoprojecteur 3 » is not lent any more."):
        give(world)


def test_hand_over_too_early_is_refused(world):
    with refused(ValidationError, "Too early: this equipment may be handed over from March 1, 2030."):
        give(world, now=at(PICKUP - timedelta(days=2)))


def test_hand_over_after_the_return_date_is_refused(world):
    with refused(ValidationError, "The return date (March 5, 2030) has passed: this reservation can no longer "
                                  "be handed over."):
        give(world, now=at(RETURN + timedelta(days=1)))


def test_hand_over_without_a_name_is_refused(world):
    with refused(ValidationError, "Write the name of the person who takes the equipment.", "handed_to"):
        give(world, handed_to="   ")


def test_hand_over_with_an_unknown_condition_is_refused(world):
    with refused(ValidationError, "Choose the condition of « Vidéoprojecteur 3 ».", "conditions"):
        give(world, conditions={world["item"].pk: "shiny"})


def test_hand_over_with_another_items_accessory_is_refused(world):
    stranger = ItemFactory(accessories=["Souris"]).accessories.get()
    with refused(ValidationError, "An accessory ticked is not one of this loan's equipment.", "accessories"):
        give(world, accessories_present={stranger.pk})


def test_hand_over_with_a_note_too_long_is_refused(world):
    with refused(ValidationError, "Keep this text under 2000 characters.", "note"):
        give(world, note="x" * 2001)


# --- Return -----------------------------------------------------------------------------------


@pytest.fixture
def out(world):
    # Both accessories leave (only what left is checked at the return: test_fix_review.py).
    give(world, accessories_present={world["charger"].pk, world["remote"].pk})
    world["reservation"].refresh_from_db()
    return world


def test_take_back_in_good_order(out):
    world = out
    done = back(world)
    assert done.status == "returned"
    assert done.returned_by == world["manager"]
    assert done.returned_at == at(RETURN, 17)
    assert done.return_condition == "good"
    assert handover.days_late(done) == 0
    assert sorted(AccessoryCheck.objects.filter(moment="back").values_list("accessory__name", "present")) == [
        ("Chargeur", True), ("Télécommande", True)]
    assert list(ItemEvent.objects.order_by("pk").values_list("kind", flat=True)) == ["handed_over", "returned"]
    assert not Booking.objects.filter(reservation=done, holds=True).exists()
    # Nothing damaged, nothing missing: nobody is told.
    assert assertions.notifications() == []


def test_take_back_with_damage_missing_accessory_and_photo(out):
    world = out
    item = world["item"]
    done = back(world, conditions={item.pk: "damaged"}, accessories_present={world["charger"].pk},
                damage_note="Écran fissuré", photos=[assertions.png("fissure.png")])
    assert done.return_condition == "damaged"
    assert done.damage_note == "Écran fissuré"
    assert [a.name for a in done.missing_accessories] == ["Télécommande"]
    assert sorted(AccessoryCheck.objects.filter(moment="back").values_list("accessory__name", "present")) == [
        ("Chargeur", True), ("Télécommande", False)]
    returned = ItemEvent.objects.get(kind="returned")
    assert returned.note == "Écran fissuré\nMissing accessory: Télécommande."
    assert returned.condition == "damaged"
    assert list(ItemEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        "handed_over", "condition", "returned"]
    item.refresh_from_db()
    assert item.condition == "damaged"
    photo = DamagePhoto.objects.get()
    assert (photo.reservation_id, photo.item_id, photo.name, photo.is_image) == (done.pk, item.pk, "fissure.png", True)
    # The other managers of the owner venue are told, not the one who recorded it.
    assert assertions.notifications() == [(world["colleague"].pk, "lending.damaged")]


def test_take_back_with_only_a_missing_accessory_tells_the_managers(out):
    back(out, accessories_present={out["charger"].pk})
    assert assertions.notifications() == [(out["colleague"].pk, "lending.damaged")]


def test_take_back_late_keeps_the_real_date(out):
    done = back(out, now=at(RETURN + timedelta(days=3), 9))
    assert done.returned_at == at(date(2030, 3, 8), 9)
    assert handover.days_late(done) == 3


def test_take_back_twice_is_refused(out):
    back(out)
    out["reservation"].refresh_from_db()
    with refused(ValidationError, "This return has already been recorded."):
        back(out)


def test_take_back_twice_with_a_stale_copy_is_refused(out):
    stale = Reservation.objects.get(pk=out["reservation"].pk)
    back(out)
    with refused(ValidationError, "This return has already been recorded."):
        handover.take_back(actor=out["manager"], reservation=stale, conditions={out["item"].pk: "good"},
                           accessories_present=set(), now=at(RETURN))


def test_take_back_of_what_was_not_handed_over_is_refused(world):
    with refused(ValidationError, "This equipment has not been handed over."):
        back(world)


def test_take_back_by_a_member_of_another_venue_is_denied(out):
    with refused(PermissionDenied, "Only the managers of this equipment record its return."):
        back(out, actor=out["outsider"])


def test_take_back_by_the_borrower_is_denied(out):
    with refused(PermissionDenied, "Only the managers of this equipment record its return."):
        back(out, actor=out["borrower"])


def test_take_back_refuses_a_file_that_is_not_a_photo(out):
    notes = SimpleUploadedFile("constat.txt", b"ecran casse", content_type="text/plain")
    with refused(ValidationError, "« constat.txt » is not a photo (accepted: JPEG, PNG, GIF, WebP).", "photos"):
        back(out, photos=[notes])
    assert assertions.media_files() == []


def test_take_back_refuses_a_renamed_file(out):
    fake = SimpleUploadedFile("photo.png", b"not a picture at all", content_type="image/png")
    with refused(ValidationError, "« photo.png » is not really a .png file.", "photos"):
        back(out, photos=[fake])


def test_take_back_refuses_an_unknown_condition(out):
    with refused(ValidationError, "Choose the condition of « Vidéoprojecteur 3 ».", "conditions"):
        back(out, conditions={})


def test_take_back_refuses_repair_of_another_item(out):
    other = ItemFactory()
    with refused(ValidationError, "Only the equipment of this loan can be sent to repair.", "send_to_repair"):
        back(out, send_to_repair={other.pk})


def test_sent_to_repair_it_cannot_be_booked_until_it_returns(out):
    world = out
    item = world["item"]
    back(world, conditions={item.pk: "broken"}, damage_note="Ne s'allume plus", send_to_repair={item.pk})
    item.refresh_from_db()
    assert (item.status, item.condition) == ("repair", "broken")
    assert list(ItemEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        "handed_over", "condition", "returned", "repair_start"]
    decision = permissions.can_request(world["borrower"], item, world["venue"])
    assert not decision
    assert decision.reason == "« Vidéoprojecteur 3 » is in repair: it cannot be booked until it is back."


def test_take_back_offers_the_freed_days_to_the_waiting_list(out):
    world = out
    waiting = reservation_make(item=world["item"], venue=VenueFactory(), pickup=date(2030, 3, 6),
                               return_date=date(2030, 3, 7), status="waiting", waiting_since=at(PICKUP))
    # It waits for days the loan holds: its booking is stretched over the 6th and 7th (as a
    # buffer after would).
    Booking.objects.filter(reservation=world["reservation"]).update(blocked_end=date(2030, 3, 8))
    back(world, now=at(RETURN, 17))
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    assert Booking.objects.get(reservation=waiting).holds is True


def test_coordinator_takes_back_the_resource_centres_item(world):
    coordinator = CoordinatorFactory()
    item = ItemFactory(accessories=["Chargeur"])
    reservation = reservation_make(item=item, venue=world["venue"], requester=world["borrower"],
                                   pickup=PICKUP, return_date=RETURN, status="out")
    AccessoryCheck.objects.create(reservation=reservation, accessory=item.accessories.get(), moment="out",
                                  present=True)  # as its hand-over wrote it
    done = handover.take_back(actor=coordinator, reservation=reservation, conditions={item.pk: "good"},
                              accessories_present=set(), now=at(RETURN))
    assert done.status == "returned"
    assert AccessoryCheck.objects.filter(reservation=done, moment="back", present=False).count() == 1
