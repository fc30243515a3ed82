"""Hand-over, return, damage photo and history pages: who sees what (404, 403), the forms
and their errors, the scan box, the query counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    ItemFactory,
    KitFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from extranet.testing.pages import english_client, measure_queries, messages_of, queries_flat, soup, text_of
from lending import handover
from lending.models import AccessoryCheck, DamagePhoto, ItemEvent, Reservation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    today = timezone.localdate()
    owner = VenueFactory(name="Médiathèque de Cahors")
    borrower_venue = VenueFactory(name="Espace Figeac")
    manager = UserFactory(venues=[owner])
    borrower = UserFactory(venues=[borrower_venue])
    outsider = UserFactory(venues=[VenueFactory()])
    item = ItemFactory(name="Vidéoprojecteur 3", inventory_number="MAT-00777", owner_venue=owner,
                       condition="worn", accessories=["Chargeur", "Télécommande"])
    reservation = reservation_make(item=item, venue=borrower_venue, requester=borrower, pickup=today,
                                   return_date=today + timedelta(days=2))
    charger, remote = item.accessories.all()
    return {"owner": owner, "venue": borrower_venue, "manager": manager, "borrower": borrower,
            "outsider": outsider, "item": item, "reservation": reservation, "charger": charger, "remote": remote,
            "today": today}


def hand_over_url(world):
    return reverse("materiel:hand-over", args=[world["reservation"].pk])


def take_back_url(world):
    return reverse("materiel:take-back", args=[world["reservation"].pk])


def give(world):
    item = world["item"]
    handover.hand_over(actor=world["manager"], reservation=world["reservation"], handed_to="Jeanne",
                       conditions={item.pk: "good"}, accessories_present={world["charger"].pk, world["remote"].pk})
    world["reservation"].refresh_from_db()


# --- Hand-over --------------------------------------------------------------------------------


def test_hand_over_page_has_a_fieldset_per_item_with_its_accessories_unticked(world):
    item = world["item"]
    response = english_client(world["manager"]).get(hand_over_url(world))
    assert response.status_code == 200
    page = soup(response)
    fieldset = page.select_one("fieldset[data-scan-item]")
    assert text_of(fieldset.legend) == "Vidéoprojecteur 3 (inventory MAT-00777)"
    assert fieldset["data-item-url"] == f"/bureau/materiel/objets/{item.pk}/"
    assert fieldset["data-inventory"] == "MAT-00777"
    condition = page.select_one(f"select[name=condition_{item.pk}] option[selected]")
    assert condition["value"] == "worn"
    boxes = page.select(f"input[name=accessories_{item.pk}]")
    assert [(text_of(box.parent), box.has_attr("checked")) for box in boxes] == [
        ("Chargeur", False), ("Télécommande", False)]
    assert page.select_one(f"input[name=present_{item.pk}]").has_attr("checked") is False
    # The scan box waits for the script (hidden without it) and announces in a live region.
    scan = page.select_one("[data-scan]")
    assert scan.has_attr("hidden")
    assert scan["data-msg-unknown"] == "Unknown label"
    assert page.select_one("[data-scan-status]")["aria-live"] == "polite"
    assert page.select_one("script[src$='js/lending_scan.js']").has_attr("defer")
    assert page.select("[style]") == []


def test_hand_over_posted_goes_out(world):
    item = world["item"]
    response = english_client(world["manager"]).post(hand_over_url(world), {
        f"present_{item.pk}": "on", f"condition_{item.pk}": "good", f"accessories_{item.pk}": [world["remote"].pk],
        "handed_to": "Jeanne Martin", "note": "Sac fourni"})
    assert response.status_code == 302
    assert response["Location"] == world["reservation"].get_absolute_url()
    reservation = Reservation.objects.get(pk=world["reservation"].pk)
    assert (reservation.status, reservation.handed_to, reservation.handover_note) == ("out", "Jeanne Martin",
                                                                                      "Sac fourni")
    assert sorted(AccessoryCheck.objects.values_list("accessory__name", "present")) == [
        ("Chargeur", False), ("Télécommande", True)]


def test_hand_over_without_the_item_ticked_shows_the_error_summary(world):
    item = world["item"]
    response = english_client(world["manager"]).post(hand_over_url(world), {
        f"condition_{item.pk}": "good", "handed_to": ""})
    assert response.status_code == 200
    summary = soup(response).select_one("#error-summary")
    assert [text_of(li) for li in summary.select("li")] == [
        "This field is required.", "Tick « Vidéoprojecteur 3 » as here (or scan its label)."]
    assert Reservation.objects.get(pk=world["reservation"].pk).status == "approved"


def test_hand_over_refused_by_the_service_is_redisplayed(world):
    item = world["item"]
    Reservation.objects.filter(pk=world["reservation"].pk).update(pickup_date=world["today"] + timedelta(days=3),
                                                                  return_date=world["today"] + timedelta(days=4))
    response = english_client(world["manager"]).post(hand_over_url(world), {
        f"present_{item.pk}": "on", f"condition_{item.pk}": "good", "handed_to": "Jeanne"})
    assert response.status_code == 200
    errors = [text_of(li) for li in soup(response).select("#error-summary li")]
    assert len(errors) == 1 and errors[0].startswith("Too early: this equipment may be handed over from ")
    assert Reservation.objects.get(pk=world["reservation"].pk).status == "approved"


def test_hand_over_page_for_the_borrower_is_a_403_with_the_reason(world):
    response = english_client(world["borrower"]).get(hand_over_url(world))
    assert response.status_code == 403
    assert "Only the managers of this equipment record its hand-over." in text_of(soup(response))


def test_hand_over_page_for_another_venue_is_a_404(world):
    assert english_client(world["outsider"]).get(hand_over_url(world)).status_code == 404
    response = english_client(world["outsider"]).post(hand_over_url(world), {"handed_to": "x"})
    assert response.status_code == 404
    assert Reservation.objects.get(pk=world["reservation"].pk).status == "approved"


def test_hand_over_page_of_what_is_already_out_says_so(world):
    give(world)
    client = english_client(world["manager"])
    response = client.get(hand_over_url(world))
    assert response.status_code == 200
    assert text_of(soup(response).select_one("#hand-reason")) == "This equipment has already been handed over."
    assert soup(response).select("form.hand-form") == []
    assert client.post(hand_over_url(world), {"handed_to": "Paul"}).status_code == 409


# --- Return -----------------------------------------------------------------------------------


def test_return_page_shows_the_lateness(world):
    Reservation.objects.filter(pk=world["reservation"].pk).update(
        pickup_date=world["today"] - timedelta(days=5), return_date=world["today"] - timedelta(days=2), status="out")
    response = english_client(world["manager"]).get(take_back_url(world))
    assert response.status_code == 200
    page = soup(response)
    assert "Returned 2 days late." in [text_of(p) for p in page.select(".message--warning")]
    item = world["item"]
    assert page.select_one(f"input[name=repair_{item.pk}]")["type"] == "checkbox"
    assert page.select_one(f"input[name=photos_{item.pk}]").has_attr("multiple")
    assert page.select_one("form.hand-form")["enctype"] == "multipart/form-data"


def test_return_posted_with_damage_note_and_photo(world):
    give(world)
    item = world["item"]
    client = english_client(world["manager"])
    response = client.post(take_back_url(world), {
        f"condition_{item.pk}": "damaged", f"accessories_{item.pk}": [world["charger"].pk],
        "damage_note": "Coque fendue", f"photos_{item.pk}": [assertions.png("coque.png")]}, follow=False)
    assert response.status_code == 302
    reservation = Reservation.objects.get(pk=world["reservation"].pk)
    assert (reservation.status, reservation.damage_note, reservation.return_condition) == (
        "returned", "Coque fendue", "damaged")
    photo = DamagePhoto.objects.get()
    assert (photo.item_id, photo.name) == (item.pk, "coque.png")
    # Recorded twice (a second tab, a double click): the page says it is done.
    again = client.post(take_back_url(world), {f"condition_{item.pk}": "good"})
    assert again.status_code == 409
    assert text_of(soup(again).select_one("#hand-reason")) == "This return has already been recorded."
    assert ItemEvent.objects.filter(kind="returned").count() == 1


def test_return_late_says_how_late(world):
    give(world)
    Reservation.objects.filter(pk=world["reservation"].pk).update(pickup_date=world["today"] - timedelta(days=3),
                                                                  return_date=world["today"] - timedelta(days=1))
    item = world["item"]
    response = english_client(world["manager"]).post(take_back_url(world), {
        f"condition_{item.pk}": "good", f"accessories_{item.pk}": [world["charger"].pk, world["remote"].pk]},
        follow=True)
    assert "The return is recorded: returned 1 day late." in messages_of(response)


def test_return_with_a_non_image_is_redisplayed(world):
    give(world)
    item = world["item"]
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = english_client(world["manager"]).post(take_back_url(world), {
        f"condition_{item.pk}": "good",
        f"photos_{item.pk}": [SimpleUploadedFile("constat.txt", b"casse", content_type="text/plain")]})
    assert response.status_code == 200
    assert [text_of(li) for li in soup(response).select("#error-summary li")] == [
        "« constat.txt » is not a photo (accepted: JPEG, PNG, GIF, WebP)."]
    assert Reservation.objects.get(pk=world["reservation"].pk).status == "out"


def test_return_page_of_what_was_not_handed_over_says_so(world):
    response = english_client(world["manager"]).get(take_back_url(world))
    assert response.status_code == 200
    assert text_of(soup(response).select_one("#hand-reason")) == "This equipment has not been handed over."


def test_return_page_for_another_venue_is_a_404_and_for_the_borrower_a_403(world):
    give(world)
    assert english_client(world["outsider"]).get(take_back_url(world)).status_code == 404
    response = english_client(world["borrower"]).post(take_back_url(world), {})
    assert response.status_code == 403
    assert "Only the managers of this equipment record its return." in text_of(soup(response))


# --- Damage photos ----------------------------------------------------------------------------


def test_damage_photo_is_served_to_who_may_see_the_reservation_only(world):
    give(world)
    item = world["item"]
    handover.take_back(actor=world["manager"], reservation=world["reservation"], conditions={item.pk: "damaged"},
                       accessories_present=set(), photos=[assertions.png("choc.png")])
    photo = DamagePhoto.objects.get()
    url = reverse("materiel:damage-photo", args=[world["reservation"].pk, photo.pk])
    for user in (world["manager"], world["borrower"]):
        response = english_client(user).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
    assert english_client(world["outsider"]).get(url).status_code == 404
    # The photo through another reservation's address (one the user sees): 404.
    other = reservation_make(item=ItemFactory(owner_venue=world["owner"]), venue=world["venue"],
                             requester=world["borrower"])
    wrong = reverse("materiel:damage-photo", args=[other.pk, photo.pk])
    assert english_client(world["manager"]).get(wrong).status_code == 404


# --- History ----------------------------------------------------------------------------------


def test_item_history_lists_events_and_loans(world):
    give(world)
    item = world["item"]
    with translation.override("en"):  # the note is written in the active language
        handover.take_back(actor=world["manager"], reservation=world["reservation"], conditions={item.pk: "good"},
                           accessories_present={world["charger"].pk}, damage_note="Câble abîmé")
    response = english_client(world["manager"]).get(reverse("materiel:item-history", args=[item.pk]))
    assert response.status_code == 200
    page = soup(response)
    kinds = [text_of(node.strong) for node in page.select(".hand-event__head")]
    assert kinds == ["Returned", "Handed over", "Condition changed"]
    assert "Câble abîmé Missing accessory: Télécommande." in [text_of(n) for n in page.select(".hand-event__note")]
    rows = page.select("#prets tbody tr")
    assert len(rows) == 1
    assert text_of(rows[0].select("td")[1]) == "Espace Figeac"


def test_item_history_is_for_managers(world):
    url = reverse("materiel:item-history", args=[world["item"].pk])
    response = english_client(world["borrower"]).get(url)
    assert response.status_code == 403
    assert "Only the managers of this equipment see its history." in text_of(soup(response))
    retired = ItemFactory(owner_venue=world["owner"], status="retired")
    assert english_client(world["borrower"]).get(
        reverse("materiel:item-history", args=[retired.pk])).status_code == 404
    assert english_client(world["manager"]).get(
        reverse("materiel:item-history", args=[retired.pk])).status_code == 200
    assert english_client(world["manager"]).get(
        reverse("materiel:item-history", args=[999999])).status_code == 404


def test_venue_history_for_its_people_and_coordinators(world):
    give(world)
    url = reverse("materiel:venue-history", args=[world["venue"].pk])
    response = english_client(world["borrower"]).get(url)
    assert response.status_code == 200
    rows = soup(response).select("#empruntes tbody tr")
    assert [text_of(row.select("td")[0]) for row in rows] == ["Vidéoprojecteur 3"]
    assert [text_of(row.select("td")[1]) for row in rows] == ["Médiathèque de Cahors"]
    assert soup(response).select("#pretes tbody tr") == []
    owner_page = english_client(world["manager"]).get(reverse("materiel:venue-history", args=[world["owner"].pk]))
    assert [text_of(row.select("td")[1]) for row in soup(owner_page).select("#pretes tbody tr")] == ["Espace Figeac"]
    assert english_client(CoordinatorFactory()).get(url).status_code == 200
    # A member of another venue, the owner's manager for the borrower's page: 404.
    assert english_client(world["outsider"]).get(url).status_code == 404
    assert english_client(world["manager"]).get(url).status_code == 404


# --- Query counts -----------------------------------------------------------------------------


def _loan(item, venue, manager, days_ago):
    start = date(2025, 1, 1) + timedelta(days=days_ago * 4)
    reservation = reservation_make(item=item, venue=venue, pickup=start, return_date=start + timedelta(days=1),
                                   status="returned", returned_at=datetime(start.year, start.month, start.day,
                                                                           tzinfo=ZoneInfo("UTC")) + timedelta(days=3))
    for kind in ("handed_over", "condition", "returned"):
        ItemEvent.objects.create(item=item, kind=kind, actor=manager, reservation=reservation, condition="good",
                                 note="ok")
    DamagePhoto.objects.create(reservation=reservation, item=item, name="p.png", stored_name="x.png", size=1,
                               content_type="image/png", is_image=True, file="lending/damage/x.png")
    return reservation


def test_item_history_queries_are_flat(world):
    item = world["item"]
    counter = iter(range(1000))

    def grow(factor):
        for _ in range(factor):
            _loan(item, VenueFactory(), UserFactory(), next(counter))

    queries, page = queries_flat(english_client(world["manager"]), reverse("materiel:item-history", args=[item.pk]),
                                 grow)
    assert len(page.select("#prets tbody tr")) == 10
    assert len(page.select(".hand-event")) == 25
    # Session, user, item, two role questions, two counts, events, loans, their photos, unread notifications.
    assert queries == 11


def test_venue_history_queries_are_flat(world):
    counter = iter(range(1000))

    def grow(factor):
        for _ in range(factor):
            number = next(counter)
            _loan(ItemFactory(owner_venue=VenueFactory()), world["venue"], world["manager"], number)
            _loan(ItemFactory(owner_venue=world["venue"]), VenueFactory(), world["manager"], number)

    queries, page = queries_flat(english_client(world["borrower"]),
                                 reverse("materiel:venue-history", args=[world["venue"].pk]), grow)
    assert len(page.select("#empruntes tbody tr")) == 10
    assert len(page.select("#pretes tbody tr")) == 10
    # Session, user, venue, two role questions, two counts, two lists, unread notifications.
    assert queries == 10


def test_hand_over_and_return_pages_of_a_kit_cost_the_same_whatever_its_size(world):
    from lending.models import Booking

    kit = KitFactory(owner_venue=world["owner"], items=[])
    reservation = reservation_make(kit=kit, venue=world["venue"], requester=world["borrower"],
                                   pickup=world["today"], return_date=world["today"] + timedelta(days=1))

    def grow(factor):
        for _ in range(factor):
            item = ItemFactory(owner_venue=world["owner"], accessories=["Chargeur", "Câble"])
            kit.items.add(item)
            start, end = item.blocked_range(reservation.pickup_date, reservation.return_date)
            Booking.objects.create(reservation=reservation, item=item, blocked_start=start, blocked_end=end)

    client = english_client(world["manager"])
    queries, page = queries_flat(client, reverse("materiel:hand-over", args=[reservation.pk]), grow)
    assert len(page.select("fieldset[data-scan-item]")) == 10
    assert len(page.select("input[name^=accessories_]")) == 20
    # Session, user, reservation, two role questions, items, accessories, unread notifications.
    assert queries == 8
    Reservation.objects.filter(pk=reservation.pk).update(status="out")
    counted, page = measure_queries(client, reverse("materiel:take-back", args=[reservation.pk]))
    assert len(page.select("input[name^=repair_]")) == 10
    assert counted == 8
