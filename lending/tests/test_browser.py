"""The journey of a loan between two venues, in Debian's Chromium against a real daphne (see
extranet/testing/browser.py for the server and browser fixtures).

An animator of venue B finds, through the desk's navigation and the catalogue's date filter,
a projector of venue A free for the coming days, reads its calendar and asks for it; an
animator of venue A finds the request among the loans to manage and approves it, hands the
projector over on the pick-up day (today), then records its return: a remote missing,
damaged, a note and a photo, sent to repair. The reservation page shows the note and a photo
that loads; the projector's page says it is in repair and venue B's animator cannot book it
again, told why. At 320 px, the reservation page and the catalogue do not scroll sideways.

The pages are asked in French (the browser's locale) while the new strings' translations are
being merged: each text read accepts the English msgid or its French translation (`said`).
The hand-over slice's own tests (test_hand_browser.py) cover the scan and the pages without
JavaScript.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import override

from extranet.testing.assertions import notifications, png
from extranet.testing.browser import NARROW, log_in
from extranet.testing.factories import ItemFactory, TerritoryFactory, UserFactory, VenueFactory
from lending.models import Accessory, AccessoryCheck, DamagePhoto, Item, Reservation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
VENUE_A = "Médiathèque de Figeac"
VENUE_B = "Tiers-lieu de Gramat"
VENUE_C = "Espace numérique de Cajarc"
PROJECTOR = "Vidéoprojecteur Epson EB-W51"
PURPOSE = "Atelier « premiers pas en visio » du mercredi"
DAMAGE = "Objectif rayé, la télécommande n’a pas été rendue."


def said(*texts, whole=True):
    """The text in English (the msgid) or in French, as a regular expression (the non-breaking
    spaces of French typography match any white space)."""
    parts = "|".join(re.escape(text).replace("\xa0", r"\s") for text in texts)
    return re.compile(rf"^\s*(?:{parts})\s*$" if whole else f"(?:{parts})")


def long_date(day: date) -> str:
    with override("fr"):
        return date_format(day, "j F Y")


def no_sideways_scroll(page):
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} scrolls sideways at {widths[1]} px: {widths[0]} px wide"


def test_a_loan_between_two_venues_from_request_to_repair(new_context, server, tmp_path):
    from playwright.sync_api import expect

    territory = TerritoryFactory(name="Grand-Figeac")
    venue_a = VenueFactory(territory=territory, name=VENUE_A, city="Figeac")
    venue_b = VenueFactory(territory=territory, name=VENUE_B, city="Gramat")
    venue_c = VenueFactory(territory=territory, name=VENUE_C, city="Cajarc")
    animator_a = UserFactory(territory=territory, venues=[venue_a], display_name="Aline Fabre")
    # Works at two venues: she chooses the one she borrows for.
    animator_b = UserFactory(territory=territory, venues=[venue_b, venue_c], display_name="Bérénice Gaillard")
    projector = ItemFactory(name=PROJECTOR, owner_venue=venue_a, home_venue=venue_a, auto_approve=False,
                            accessories=["Chargeur", "Télécommande"])
    ItemFactory(name="Tablette Samsung Galaxy Tab", owner_venue=venue_a)  # another card in the catalogue
    charger, remote = Accessory.objects.filter(item=projector).order_by("position")
    today = timezone.localdate()
    back = today + timedelta(days=2)

    # 1. Venue B's animator: the desk's navigation, the catalogue filtered on the days wanted.
    borrower = new_context(viewport=WIDE)
    page = log_in(borrower, animator_b)
    page.get_by_role("navigation", name=said("Desk", "Bureau")).get_by_role(
        "link", name=said("Equipment", "Matériel")).click()
    page.wait_for_url(re.compile(r"/bureau/materiel/$"))
    search = page.get_by_role("search")
    search.get_by_label(said("Available from", "Disponible du", whole=False)).fill(today.isoformat())
    search.get_by_label(said("to", "au")).fill(back.isoformat())
    search.get_by_role("button", name=said("Search", "Rechercher")).click()
    page.wait_for_url(re.compile(r"/bureau/materiel/\?.*du="))
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=PROJECTOR, exact=True))
    expect(card.get_by_text(said("Free for these dates", "Libre à ces dates"))).to_be_visible()
    expect(card).to_contain_text(VENUE_A)
    card.get_by_role("link", name=PROJECTOR, exact=True).click()
    page.wait_for_url(re.compile(rf"/bureau/materiel/objets/{projector.pk}/\?du="))
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECTOR)

    # Its availability calendar: this month, today free.
    calendar = page.get_by_role("region", name=said("Availability", "Disponibilité"))
    with override("fr"):
        month = date_format(today, "F Y")
    expect(calendar.get_by_role("table")).to_contain_text(month)
    expect(calendar.locator("td[aria-current=date]")).to_contain_text(said("free", "libre", whole=False))

    # "Réserver": she chooses venue B; the days chosen in the catalogue are kept.
    page.get_by_role("link", name=said("Book", "Réserver")).click()
    page.wait_for_url(re.compile(rf"/bureau/materiel/objets/{projector.pk}/reserver/"))
    expect(page.get_by_label(said("Pick-up date", "Date de retrait", whole=False))).to_have_value(today.isoformat())
    expect(page.get_by_label(said("Return date", "Date de retour", whole=False))).to_have_value(back.isoformat())
    page.get_by_label(said("For the venue", "Pour le lieu", whole=False)).select_option(label=f"{VENUE_B} (Gramat)")
    page.get_by_label(said("What is it for?", "Pour quoi faire\xa0?", whole=False)).fill(PURPOSE)
    page.get_by_role("button", name=said("Send the request", "Envoyer la demande")).click()
    page.wait_for_url(re.compile(r"/bureau/materiel/reservations/\d+/$"))
    reservation = Reservation.objects.get(item=projector)
    assert (reservation.venue_id, reservation.requester_id, reservation.pickup_date, reservation.return_date,
            reservation.purpose, reservation.status) == (venue_b.pk, animator_b.pk, today, back, PURPOSE, "pending")
    expect(page.get_by_text(said(
        "Request sent: the managers of this equipment will answer. The dates are held for you meanwhile.",
        "Demande envoyée\xa0: les gestionnaires de ce matériel vont répondre. Les dates vous sont gardées "
        "en attendant."))).to_be_visible()
    expect(page.locator(".res-status")).to_have_text(said("Awaiting approval", "En attente d’approbation"))
    reservation_path = f"/bureau/materiel/reservations/{reservation.pk}/"
    assert notifications() == [(animator_a.pk, "lending.requested")]  # venue A's animator is told

    # 2. Venue A's animator, in another browser: the request among the loans to manage.
    owner = new_context(viewport=WIDE)
    manager = log_in(owner, animator_a)
    manager.get_by_role("navigation", name=said("Desk", "Bureau")).get_by_role(
        "link", name=said("Equipment", "Matériel")).click()
    manager.get_by_role("navigation", name=said("Equipment", "Matériel")).get_by_role(
        "link", name=said("Loans to manage", "Prêts à gérer")).click()
    manager.wait_for_url(re.compile(r"/bureau/materiel/demandes/$"))
    to_decide = manager.get_by_role("region", name=said("To decide", "À décider"))
    row = to_decide.get_by_role("row").filter(has=manager.get_by_role("rowheader", name=PROJECTOR, exact=True))
    expect(row).to_contain_text(VENUE_B)
    expect(row).to_contain_text("Bérénice Gaillard")
    row.get_by_role("link", name=PROJECTOR, exact=True).click()
    manager.wait_for_url(f"**{reservation_path}")
    expect(manager.get_by_text(PURPOSE)).to_be_visible()
    manager.get_by_role("button", name=said("Approve the request", "Approuver la demande")).click()
    expect(manager.get_by_text(said("Reservation approved: the borrower is told.",
                                    "Réservation approuvée\xa0: l’emprunteur est prévenu."))).to_be_visible()
    expect(manager.locator(".res-status")).to_have_text(said("Approved", "Approuvé"))
    assert Reservation.objects.get(pk=reservation.pk).status == "approved"
    assert notifications() == sorted([(animator_a.pk, "lending.requested"), (animator_b.pk, "lending.approved")])

    # 3. The pick-up day (today): the hand-over, the projector and its accessories checked.
    manager.get_by_role("link", name=said("Hand over the equipment", "Remettre le matériel")).click()
    manager.wait_for_url(f"**{reservation_path}remise/")
    manager.get_by_label(said("Here, checked", "Présent, vérifié", whole=False)).check()
    manager.get_by_label("Chargeur").check()
    manager.get_by_label("Télécommande").check()
    manager.get_by_label(said("Handed over to", "Remis à", whole=False)).fill("Bérénice Gaillard")
    manager.get_by_role("button", name=said("Record the hand-over", "Enregistrer la remise")).click()
    manager.wait_for_url(f"**{reservation_path}")
    expect(manager.get_by_text(said("The hand-over is recorded.", "La remise est enregistrée."))).to_be_visible()
    expect(manager.locator(".res-status")).to_have_text(said("Handed over", "Remis"))
    handed = Reservation.objects.get(pk=reservation.pk)
    assert (handed.status, handed.handed_to, handed.handed_over_by_id) == ("out", "Bérénice Gaillard", animator_a.pk)

    # 4. The return: the remote missing, damaged, a note and a photo, sent to repair.
    photo = png("objectif-raye.png")
    photo_path = tmp_path / "objectif-raye.png"
    photo_path.write_bytes(photo.read())
    manager.get_by_role("link", name=said("Record the return", "Enregistrer le retour")).click()
    manager.wait_for_url(f"**{reservation_path}retour/")
    given_back = manager.get_by_role("group", name=said("Accessories given back", "Accessoires rendus", whole=False))
    given_back.get_by_label("Chargeur").check()
    expect(given_back.get_by_label("Télécommande")).not_to_be_checked()
    condition = manager.get_by_label(said("Condition", "État", whole=False))
    condition.select_option("damaged")
    expect(condition.locator("option:checked")).to_have_text(said("Damaged", "Abîmé"))
    manager.get_by_label(said("Photos of the damage (optional)", "Photos des dégâts (facultatif)", whole=False)
                         ).set_input_files(str(photo_path))
    manager.get_by_label(said("Send to repair", "Envoyer en réparation", whole=False)).check()
    manager.get_by_label(said("Damage found (optional)", "Dégâts constatés (facultatif)", whole=False)).fill(DAMAGE)
    manager.get_by_role("button", name=said("Record the return", "Enregistrer le retour")).click()
    manager.wait_for_url(f"**{reservation_path}")
    expect(manager.get_by_text(said("The return is recorded.", "Le retour est enregistré."))).to_be_visible()
    expect(manager.locator(".res-status")).to_have_text(said("Returned", "Rendu"))
    returned = Reservation.objects.get(pk=reservation.pk)
    assert (returned.status, returned.return_condition, returned.damage_note) == ("returned", "damaged", DAMAGE)
    assert sorted(AccessoryCheck.objects.filter(reservation=reservation, moment="back")
                  .values_list("accessory_id", "present")) == sorted([(charger.pk, True), (remote.pk, False)])
    assert Item.objects.get(pk=projector.pk).status == "repair"

    # The reservation page: the note, the missing remote, and the photo, which loads.
    expect(manager.get_by_role("main")).to_contain_text(DAMAGE)
    checks = manager.get_by_role("region", name=said("Accessories and damage", "Accessoires et dégâts"))
    # At the hand-over, then at the return.
    expect(checks.get_by_role("listitem").filter(has_text="Télécommande")).to_have_text([
        re.compile(r"^Télécommande\s?:\s*(?:present|présent)$"),
        re.compile(r"^Télécommande\s?:\s*(?:missing|manquant)$")])
    link = checks.get_by_role("link", name="objectif-raye.png")
    expect(link).to_be_visible()
    stored = DamagePhoto.objects.get(reservation=reservation)
    assert stored.item_id == projector.pk
    answer = manager.request.get(server.url + link.get_attribute("href"))
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("image/")
    assert answer.body()[:8] == b"\x89PNG\r\n\x1a\n"

    # The borrower's reservation (from her list) reads the same; the projector's page says it is
    # in repair, without "Réserver".
    page.get_by_role("navigation", name=said("Equipment", "Matériel")).get_by_role(
        "link", name=said("My reservations", "Mes réservations")).click()
    page.wait_for_url(re.compile(r"/bureau/materiel/reservations/$"))
    page.get_by_role("link", name=PROJECTOR, exact=True).first.click()
    page.wait_for_url(f"**{reservation_path}")
    expect(page.locator(".res-status")).to_have_text(said("Returned", "Rendu"))
    expect(page.get_by_role("main")).to_contain_text(DAMAGE)
    page.get_by_role("main").get_by_role("link", name=PROJECTOR, exact=True).first.click()
    page.wait_for_url(re.compile(rf"/bureau/materiel/objets/{projector.pk}/$"))
    expect(page.get_by_role("main")).to_contain_text(said("In repair", "En réparation", whole=False))
    expect(page.get_by_role("main")).to_contain_text(said(
        "It cannot be booked until it is back.", "Il ne peut pas être réservé avant son retour.", whole=False))
    expect(page.get_by_role("link", name=said("Book", "Réserver"))).to_have_count(0)

    # Her booking form, kept in a bookmark (no link leads there any more): refused, with the
    # reason, nothing saved.
    page.goto(f"/bureau/materiel/objets/{projector.pk}/reserver/")
    page.get_by_label(said("For the venue", "Pour le lieu", whole=False)).select_option(label=f"{VENUE_B} (Gramat)")
    later = today + timedelta(days=10)
    page.get_by_label(said("Pick-up date", "Date de retrait", whole=False)).fill(later.isoformat())
    page.get_by_label(said("Return date", "Date de retour", whole=False)).fill((later + timedelta(days=1)).isoformat())
    page.get_by_role("button", name=said("Send the request", "Envoyer la demande")).click()
    expect(page.get_by_role("alert").filter(has_text=said(
        f"« {PROJECTOR} » is in repair: it cannot be booked until it is back.",
        f"«\xa0{PROJECTOR}\xa0» est en réparation\xa0: on ne peut pas le réserver avant son retour.", whole=False
    ))).to_be_visible()
    assert Reservation.objects.filter(item=projector).count() == 1

    # 5. At 320 px: her reservation (from her list) and the catalogue do not scroll sideways.
    page.set_viewport_size(NARROW)
    page.get_by_role("navigation", name=said("Equipment", "Matériel")).get_by_role(
        "link", name=said("Catalogue", "Catalogue")).click()
    page.wait_for_url(re.compile(r"/bureau/materiel/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(said("Equipment catalogue", "Catalogue du matériel"))
    no_sideways_scroll(page)
    page.get_by_role("navigation", name=said("Equipment", "Matériel")).get_by_role(
        "link", name=said("My reservations", "Mes réservations")).click()
    page.wait_for_url(re.compile(r"/bureau/materiel/reservations/$"))
    page.get_by_role("link", name=PROJECTOR, exact=True).first.click()
    page.wait_for_url(f"**{reservation_path}")
    expect(page.get_by_role("main")).to_contain_text(DAMAGE)
    expect(page.get_by_text(long_date(today), exact=False).first).to_be_visible()
    no_sideways_scroll(page)
