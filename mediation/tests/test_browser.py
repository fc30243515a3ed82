"""The journey of a voucher ("ticket déclic"), in Debian's Chromium against a real daphne (see
extranet/testing/browser.py for the server and browser fixtures).

(a) A prescriber (a partner account) issues a voucher and prints its card (QR code loaded); an
    animator of venue A records module 1 from the typed code (small letters and spaces), an
    animator of venue B records modules 2 and 3 from the code's page (where the QR code leads):
    the voucher is completed. A coordinator reads what each venue is owed (150 € per voucher
    over 3 modules: 50,00 € a module, see mediation/settlement.py), draws up venue B's
    statement for this month and downloads its CSV (the code and 100,00, never the first name).
    At 1280 px, the recording page also at 320 px without horizontal scroll.
(b) Without JavaScript, an animator records a module and the page confirms it.

The pages are asked in French (the browser's locale) while the new strings' translations are
still being merged: the locators go by name attributes, URLs and roles, and the texts they
read accept the English msgid or its French translation.
"""

import re

import pytest
from django.urls import reverse

from extranet.testing.browser import NARROW, scroll_width
from extranet.testing.factories import (
    PASSWORD,
    CoordinatorFactory,
    OrganisationFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from mediation import codes
from mediation.models import Settlement, Voucher, VoucherUse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
FIRST_NAME = "Ginette"
VENUE_A = "Médiathèque de Figeac"
VENUE_B = "Tiers-lieu de Gramat"


def sign_in(context, user, landing):
    """The real login form (extranet.testing.browser.log_in expects /bureau/, where a partner
    account does not land); returns the page once at `landing` (a regular expression)."""
    page = context.new_page()
    page.goto("/compte/login/")
    page.locator('input[name="login"]').fill(user.email)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('form:has(input[name="password"]) [type="submit"]').first.click()
    page.wait_for_url(landing)
    return page


def submit(page, name):
    """Click the submit button named `name` (a regular expression: English msgid or French)."""
    page.get_by_role("button", name=name).click()


def record_current_module(page, number, left_text):
    """On a voucher's recording page: tick module `number` (keeping the preselected venue, today
    and the module's length), record it and read the confirmation ending with `left_text`."""
    from playwright.sync_api import expect

    page.get_by_role("radio", name=re.compile(rf"^{number}\. Module {number}$")).check()
    submit(page, re.compile(r"^(Record the module|Enregistrer le module)$"))
    expect(page.get_by_text(re.compile(rf"Module {number} (recorded|enregistré)\s?: {left_text}"))).to_be_visible()


def test_issued_printed_used_at_two_venues_and_settled(new_context, server):
    from playwright.sync_api import expect

    territory = TerritoryFactory(name="Grand-Figeac")
    venue_a = VenueFactory(territory=territory, name=VENUE_A, city="Figeac")
    venue_b = VenueFactory(territory=territory, name=VENUE_B, city="Gramat")
    programme = ProgrammeFactory(name="Ticket déclic du Lot", modules=3, venues=[venue_a, venue_b])
    organisation = OrganisationFactory(name="Mission locale du Lot", programmes=[programme])
    prescriber = PrescriberSeatFactory(organisation=organisation).user
    animator_a = UserFactory(territory=territory, venues=[venue_a])
    animator_b = UserFactory(territory=territory, venues=[venue_b])
    coordinator = CoordinatorFactory(territory=territory)

    # 1. The prescriber logs in (landing on the vouchers, not the desk) and issues a voucher.
    page = sign_in(new_context(viewport=WIDE), prescriber, re.compile(r"/bureau/tickets/$"))
    page.goto(reverse("tickets:issue"))
    page.locator('[name="first_name"]').fill(FIRST_NAME)
    page.locator('[name="age_bracket"][value="SoixanteSoixanteNeuf"]').check()
    page.locator('[name="situation"][value="Retraite"]').check()
    page.locator('[name="commune"]').fill("Figeac")
    page.locator('[name="commune_insee"]').fill("46102")
    page.locator('[name="consent"]').check()
    submit(page, re.compile(r"^(Issue the voucher|Émettre le ticket)$"))
    page.wait_for_url(re.compile(r"/bureau/tickets/\d+/$"))
    voucher = Voucher.objects.get(organisation=organisation)
    assert (voucher.first_name, voucher.age_bracket, voucher.situation, voucher.commune, voucher.status) == (
        FIRST_NAME, "SoixanteSoixanteNeuf", "Retraite", "Figeac", "active")
    assert page.url.endswith(reverse("tickets:voucher", args=[voucher.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text(voucher.display_code)

    # Its printable card: the QR code image loads, the code is printed.
    page.get_by_role("link", name=re.compile(r"^(Print the card|Imprimer la carte)$")).click()
    page.wait_for_url(re.compile(rf"/bureau/tickets/{voucher.pk}/carte/$"))
    card = page.get_by_role("article")
    qr = card.get_by_role("img")
    expect(qr).to_have_attribute("src", reverse("tickets:qr", args=[voucher.pk]))
    width = qr.evaluate(
        """img => img.complete ? img.naturalWidth : new Promise(done => {
            img.addEventListener("load", () => done(img.naturalWidth));
            img.addEventListener("error", () => done(0));
        })"""
    )
    assert width > 0
    expect(card.get_by_text(voucher.display_code, exact=True)).to_be_visible()
    expect(card.get_by_text(FIRST_NAME, exact=True)).to_be_visible()

    # 2. An animator of venue A types the code in small letters with spaces, records module 1.
    page = sign_in(new_context(viewport=WIDE), animator_a, re.compile(r"/bureau/$"))
    page.goto(reverse("tickets:index"))
    page.get_by_role("navigation", name=re.compile(r"^(Vouchers|Tickets)$")).get_by_role(
        "link", name=re.compile(r"^(Record a module|Enregistrer un module)$")).click()
    page.wait_for_url(re.compile(r"/bureau/tickets/saisir/$"))
    typed = " ".join(voucher.display_code.lower().split("-"))
    assert typed != voucher.code and codes.normalise(typed) == voucher.code
    page.locator('[name="code"]').fill(typed)
    submit(page, re.compile(r"^(Find the voucher|Trouver le ticket)$"))
    page.wait_for_url(re.compile(rf"/bureau/tickets/{voucher.pk}/module/$"))
    expect(page.locator('[name="venue"]')).to_have_value(str(venue_a.pk))

    # The recording page at 320 px: no horizontal scroll.
    page.set_viewport_size(NARROW)
    expect(page.get_by_role("radio", name="1. Module 1")).to_be_visible()
    assert scroll_width(page) <= NARROW["width"]
    page.set_viewport_size(WIDE)

    record_current_module(page, 1, r"2 modules (left|restants)")
    use = VoucherUse.objects.get(voucher=voucher)
    assert (use.module.position, use.venue_id) == (1, venue_a.pk)

    # An animator of venue B opens the code's page (where the card's QR code leads), modules 2 and 3.
    page = sign_in(new_context(viewport=WIDE), animator_b, re.compile(r"/bureau/$"))
    page.goto(reverse("tickets:code", args=[voucher.code]))
    page.wait_for_url(re.compile(rf"/bureau/tickets/{voucher.pk}/module/$"))
    expect(page.locator('[name="venue"]')).to_have_value(str(venue_b.pk))
    record_current_module(page, 2, r"1 module (left|restant)")
    record_current_module(page, 3, r"(the voucher is completed|ticket complété)")
    voucher.refresh_from_db()
    assert (voucher.status, voucher.modules_done, voucher.completed_at is not None) == ("completed", 3, True)
    assert sorted(VoucherUse.objects.filter(voucher=voucher).values_list("module__position", "venue_id")) == [
        (1, venue_a.pk), (2, venue_b.pk), (3, venue_b.pk)]
    expect(page.get_by_role("button", name=re.compile(r"^(Record the module|Enregistrer le module)$"))
           ).to_have_count(0)

    # 3. The coordinator reads what each venue is owed for this month: 50,00 € and 100,00 €.
    page = sign_in(new_context(viewport=WIDE), coordinator, re.compile(r"/bureau/$"))
    page.goto(reverse("tickets:settlements"))
    owed = page.get_by_role("region", name=re.compile(r"^(Amounts owed per venue|Montants dus par lieu)$"))
    row_a = owed.get_by_role("row").filter(has=page.get_by_role("rowheader", name=VENUE_A, exact=True))
    row_b = owed.get_by_role("row").filter(has=page.get_by_role("rowheader", name=VENUE_B, exact=True))
    expect(row_a.get_by_role("cell").nth(1)).to_have_text("1")  # modules
    expect(row_a.get_by_role("cell").nth(2)).to_have_text(re.compile(r"^50,00\s€$"))
    expect(row_b.get_by_role("cell").nth(1)).to_have_text("2")
    expect(row_b.get_by_role("cell").nth(2)).to_have_text(re.compile(r"^100,00\s€$"))

    # Draws up venue B's statement for this month (the link fills the form in), opens it.
    row_b.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/bureau/tickets/reglements/nouveau/\?"))
    expect(page.locator('[name="venue"]')).to_have_value(str(venue_b.pk))
    expect(page.locator('[name="kind"]')).to_have_value("month")
    submit(page, re.compile(r"^(Draw up the statement|Établir le relevé)$"))
    page.wait_for_url(re.compile(r"/bureau/tickets/reglements/\d+/$"))
    statement = Settlement.objects.get()
    assert (statement.venue_id, statement.modules_count, str(statement.total)) == (venue_b.pk, 2, "100.00")
    lines = page.get_by_role("region", name=re.compile(r"^(Vouchers of the statement|Tickets du relevé)$"))
    expect(lines.get_by_role("rowheader", name=voucher.display_code)).to_be_visible()
    expect(lines.locator("tfoot")).to_contain_text(re.compile(r"100,00\s€"))

    # Its CSV: the voucher's code and 100,00, never the person's first name.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"^(Download the statement \(CSV\)|Télécharger le relevé \(CSV\))$"))\
            .click()
    download = download_info.value
    assert download.suggested_filename.startswith("releve-") and download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig") as csv_file:
        text = csv_file.read()
    assert voucher.display_code in text
    assert "100,00" in text
    assert FIRST_NAME not in text


def test_without_javascript_an_animator_records_a_module(new_context, server):
    from playwright.sync_api import expect

    territory = TerritoryFactory(name="Causse de Limogne")
    venue = VenueFactory(territory=territory, name="EPN de Limogne", city="Limogne-en-Quercy")
    programme = ProgrammeFactory(modules=3, venues=[venue])
    voucher = VoucherFactory(programme=programme)
    animator = UserFactory(territory=territory, venues=[venue])

    context = new_context(java_script_enabled=False, viewport=WIDE)
    page = sign_in(context, animator, re.compile(r"/bureau/$"))
    page.goto(reverse("tickets:enter"))
    page.locator('[name="code"]').fill(voucher.display_code)
    submit(page, re.compile(r"^(Find the voucher|Trouver le ticket)$"))
    page.wait_for_url(re.compile(rf"/bureau/tickets/{voucher.pk}/module/$"))
    record_current_module(page, 1, r"2 modules (left|restants)")
    expect(page.get_by_role("radio", name="1. Module 1")).to_have_count(0)  # done: listed, no longer offered
    assert list(VoucherUse.objects.filter(voucher=voucher).values_list("module__position", "venue_id")) == [
        (1, venue.pk)]
