"""The hand-over and return pages in Debian's Chromium against a real daphne: a label
scanned ticks its item (with JavaScript); without JavaScript, on a 320 px screen, the boxes
are ticked by hand and the return takes a damage note and a photo."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image

from extranet.testing.browser import NARROW, log_in, scroll_width
from extranet.testing.factories import ItemFactory, KitFactory, UserFactory, VenueFactory, reservation_make
from lending.models import DamagePhoto, Reservation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def english(context, server):
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": server.url}])
    return context


def _world():
    owner = VenueFactory(name="Médiathèque de Cahors")
    manager = UserFactory(venues=[owner])
    projector = ItemFactory(name="Vidéoprojecteur 3", inventory_number="MAT-00301", owner_venue=owner,
                            accessories=["Chargeur"])
    screen = ItemFactory(name="Écran 2", inventory_number="MAT-00302", owner_venue=owner)
    kit = KitFactory(name="Kit projection", owner_venue=owner, items=[projector, screen])
    today = timezone.localdate()
    reservation = reservation_make(kit=kit, venue=VenueFactory(name="Espace Figeac"), pickup=today,
                                   return_date=today + timedelta(days=2))
    return manager, projector, screen, reservation


def test_scanning_labels_ticks_the_items(new_context, server):
    from playwright.sync_api import expect

    manager, projector, screen, reservation = _world()
    page = log_in(english(new_context(), server), manager)
    page.goto(f"/bureau/materiel/reservations/{reservation.pk}/remise/")
    scan = page.get_by_label("Scan a label")
    expect(scan).to_be_visible()
    status = page.locator("[data-scan-status]")
    # A phone scanner types the label's full URL, then Enter: the form is not sent.
    scan.fill(f"{server.url}/bureau/materiel/objets/{projector.pk}/")
    scan.press("Enter")
    expect(status).to_have_text("Vidéoprojecteur 3 ticked")
    expect(page.locator(f"input[name=present_{projector.pk}]")).to_be_checked()
    expect(page.locator(f"input[name=present_{screen.pk}]")).not_to_be_checked()
    scan.fill("mat-00302")
    scan.press("Enter")
    expect(status).to_have_text("Écran 2 ticked")
    expect(page.locator(f"input[name=present_{screen.pk}]")).to_be_checked()
    scan.fill("MAT-99999")
    scan.press("Enter")
    expect(status).to_have_text("Unknown label")
    assert Reservation.objects.get(pk=reservation.pk).status == "approved"
    page.get_by_label("Handed over to").fill("Jeanne Martin")
    page.get_by_role("button", name="Record the hand-over").click()
    page.wait_for_url(f"**/bureau/materiel/reservations/{reservation.pk}/")
    assert Reservation.objects.get(pk=reservation.pk).status == "out"


def test_without_javascript_on_a_small_screen(new_context, server, tmp_path):
    from playwright.sync_api import expect

    manager, projector, screen, reservation = _world()
    context = english(new_context(java_script_enabled=False, viewport=NARROW), server)
    page = log_in(context, manager)
    page.goto(f"/bureau/materiel/reservations/{reservation.pk}/remise/")
    expect(page.locator("[data-scan]")).to_be_hidden()
    assert scroll_width(page) <= NARROW["width"]
    page.locator(f"input[name=present_{projector.pk}]").check()
    page.locator(f"input[name=present_{screen.pk}]").check()
    page.get_by_label("Chargeur").check()
    page.get_by_label("Handed over to").fill("Jeanne Martin")
    page.get_by_role("button", name="Record the hand-over").click()
    page.wait_for_url(f"**/bureau/materiel/reservations/{reservation.pk}/")
    assert Reservation.objects.get(pk=reservation.pk).status == "out"

    photo = tmp_path / "fissure.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    page.goto(f"/bureau/materiel/reservations/{reservation.pk}/retour/")
    assert scroll_width(page) <= NARROW["width"]
    page.locator(f"select[name=condition_{projector.pk}]").select_option("damaged")
    page.locator(f"input[name=photos_{projector.pk}]").set_input_files(str(photo))
    page.get_by_label("Damage found (optional)").fill("Écran fissuré")
    page.get_by_role("button", name="Record the return").click()
    page.wait_for_url(f"**/bureau/materiel/reservations/{reservation.pk}/")
    returned = Reservation.objects.get(pk=reservation.pk)
    assert (returned.status, returned.damage_note) == ("returned", "Écran fissuré")
    assert DamagePhoto.objects.get().item_id == projector.pk
