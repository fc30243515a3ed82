"""The catalogue's pages through the test client (in English, the msgids): the list and its
filters, an item's page and calendar, its label and QR code, photos, kits, query counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from extranet.testing.assertions import png
from extranet.testing.factories import (
    CoordinatorFactory,
    EquipmentCategoryFactory,
    ItemFactory,
    KitFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from extranet.testing.pages import english_client, queries_flat, soup, text_of
from lending.models import Item, ItemPhoto

pytestmark = pytest.mark.django_db

INDEX = reverse("materiel:index")
KITS = reverse("materiel:kits")


@pytest.fixture
def world():
    lot = TerritoryFactory(name="Lot")
    figeac = VenueFactory(name="EPN de Figeac", territory=lot, phone="+33565000000")
    gourdon = VenueFactory(name="Médiathèque de Gourdon", territory=lot)
    screens = EquipmentCategoryFactory(name="Écrans")
    projector = ItemFactory(name="Vidéoprojecteur Epson", inventory_number="CR-001", category=screens,
                            buffer_before=1, buffer_after=2, notes="Lampe changée en 2025",
                            accessories=["Télécommande"])
    tablet = ItemFactory(name="Tablette Android", inventory_number="FIG-007", category=screens, owner_venue=figeac,
                         home_venue=figeac, may_leave_venue=False)
    member = UserFactory(display_name="Marie Membre")
    animator = UserFactory(display_name="Anna Animatrice", venues=[figeac])
    return {"lot": lot, "figeac": figeac, "gourdon": gourdon, "screens": screens, "projector": projector,
            "tablet": tablet, "member": member, "animator": animator}


def card_titles(page):
    return [text_of(node) for node in page.select(".cat-card__title")]


def day_states(page):
    """{day: the word the calendar says for it}."""
    return {cell["data-day"]: text_of(cell.select_one(".cat-day__word")) for cell in page.select("td[data-day]")}


def iso(day):
    return day.isoformat()


# --- The catalogue -----------------------------------------------------------------------------


def test_catalogue_lists_items_with_owner_and_place(world):
    page = soup(english_client(world["member"]).get(INDEX))
    assert page.select_one(".contact-tabs a[aria-current=page]")["href"] == INDEX
    assert card_titles(page) == ["Tablette Android", "Vidéoprojecteur Epson"]
    first = text_of(page.select(".cat-card")[0])
    assert "Owner EPN de Figeac" in first and "Where it is EPN de Figeac" in first and "Used on site only" in first
    second = text_of(page.select(".cat-card")[1])
    assert "Owner Resource centre" in second and "Where it is At the resource centre" in second
    # A member manages nothing: no "Add" link.
    assert not page.select(f"a[href='{reverse('materiel:item-create')}']")


def test_managers_get_the_add_links(world):
    page = soup(english_client(world["animator"]).get(INDEX))
    assert page.select_one(f"a[href='{reverse('materiel:item-create')}']")
    assert page.select_one(f"a[href='{reverse('materiel:kit-create')}']")


def test_retired_hidden_in_repair_shown(world):
    Item.objects.filter(pk=world["tablet"].pk).update(status=Item.Status.RETIRED)
    Item.objects.filter(pk=world["projector"].pk).update(status=Item.Status.REPAIR)
    page = soup(english_client(world["member"]).get(INDEX))
    assert card_titles(page) == ["Vidéoprojecteur Epson"]
    assert text_of(page.select_one(".cat-card__status")) == "In repair"
    assert not page.select(".cat-card a.button")  # not bookable
    page = soup(english_client(world["animator"]).get(INDEX))
    assert card_titles(page) == ["Tablette Android", "Vidéoprojecteur Epson"]


def test_each_filter(world):
    client = english_client(world["member"])
    assert card_titles(soup(client.get(INDEX, {"q": "fig-007"}))) == ["Tablette Android"]
    assert card_titles(soup(client.get(INDEX, {"proprietaire": "centre"}))) == ["Vidéoprojecteur Epson"]
    assert card_titles(soup(client.get(INDEX, {"proprietaire": world["figeac"].pk}))) == ["Tablette Android"]
    assert card_titles(soup(client.get(INDEX, {"territoire": world["lot"].pk}))) == ["Tablette Android"]
    other = EquipmentCategoryFactory(name="Robots")
    ItemFactory(name="Thymio", category=other)
    assert card_titles(soup(client.get(INDEX, {"categorie": other.pk}))) == ["Thymio"]


def test_dates_show_only_free_items_and_prefill_the_booking(world):
    today = timezone.localdate()
    start, end = today + timedelta(days=10), today + timedelta(days=12)
    reservation_make(item=world["projector"], pickup=end + timedelta(days=2), return_date=end + timedelta(days=3))
    client = english_client(world["member"])
    page = soup(client.get(INDEX, {"du": iso(start), "au": iso(end)}))
    # The projector's day kept before the next loan (and its own 2 after) overlap: only the tablet.
    assert card_titles(page) == ["Tablette Android"]
    assert "Free for these dates" in text_of(page.select_one(".cat-card"))
    link = page.select_one(".cat-card a.button")["href"]
    assert link == f"{reverse('materiel:reserve-item', args=[world['tablet'].pk])}?du={iso(start)}&au={iso(end)}"
    toggle = page.select_one(".results-count a")
    assert text_of(toggle) == "also show the unavailable ones"
    page = soup(client.get(INDEX + toggle["href"]))
    assert card_titles(page) == ["Tablette Android", "Vidéoprojecteur Epson"]
    assert "Not available for these dates" in text_of(page.select(".cat-card")[1])


@pytest.mark.parametrize(("du", "au", "field", "message"), [
    ("2030-03-10", "", "au", "Give the last day too, or leave both dates empty."),
    ("", "2030-03-10", "du", "Give the first day too, or leave both dates empty."),
    ("2030-03-10", "2030-03-09", "au", "The last day is before the first day."),
])
def test_date_errors(world, du, au, field, message):
    page = soup(english_client(world["member"]).get(INDEX, {"du": du, "au": au}))
    assert message in text_of(page.select_one(".form-errors"))
    assert message in text_of(page.select_one(f"#id_{field}_error"))
    # The other filters still apply; the dates are left out.
    assert card_titles(page) == ["Tablette Android", "Vidéoprojecteur Epson"]


def test_where_an_item_on_loan_is(world):
    today = timezone.localdate()
    reservation_make(item=world["projector"], venue=world["gourdon"], status="out",
                     pickup=today - timedelta(days=1), return_date=date(2099, 3, 3))
    page = soup(english_client(world["member"]).get(INDEX))
    assert "Where it is On loan to Médiathèque de Gourdon until 3 March 2099" in text_of(page.select(".cat-card")[1])


def test_catalogue_queries_flat_with_dates_and_paginated(world):
    today = timezone.localdate()
    start, end = today + timedelta(days=5), today + timedelta(days=8)
    venue = VenueFactory()
    requester = UserFactory(venues=[venue])
    count = [0]

    def grow(factor):
        for _ in range(factor * 3):
            count[0] += 1
            owner = VenueFactory() if count[0] % 2 else None
            item = ItemFactory(owner_venue=owner, home_venue=owner, category=EquipmentCategoryFactory(),
                               accessories=["Câble"])
            ItemPhoto.objects.create(item=item, file="lending/x.png", name="x.png", stored_name="x.png", size=1,
                                     content_type="image/png", is_image=True)
            reservation_make(item=item, venue=venue, requester=requester, status="out",
                             pickup=today - timedelta(days=2), return_date=today + timedelta(days=1))
            reservation_make(item=item, venue=venue, requester=requester, status="returned",
                             pickup=today - timedelta(days=30), return_date=today - timedelta(days=20))
            if count[0] % 3:
                reservation_make(item=item, venue=venue, requester=requester, pickup=start, return_date=end)

    url = f"{INDEX}?du={iso(start)}&au={iso(end)}&tous=on"
    queries, page = queries_flat(english_client(world["animator"]), url, grow)
    assert queries == 14, queries
    assert len(page.select(".cat-card")) == 25
    assert "Page 1 of 2" in text_of(page.select_one(".pagination"))
    assert page.select(".cat-card__photo[src]")


# --- An item's page ---------------------------------------------------------------------------


def test_item_page_for_a_member(world):
    item = world["projector"]
    reservation_make(item=item, venue=world["gourdon"], requester=UserFactory(display_name="Paul Emprunteur"),
                     pickup=date(2099, 3, 10), return_date=date(2099, 3, 11))
    page = soup(english_client(world["member"]).get(item.get_absolute_url(), {"mois": "2099-03"}))
    main = text_of(page.select_one("main"))
    assert "Allow 1 day before and 2 days after each loan for transport." in main
    assert "May be lent to other venues." in main
    assert "Inventory number CR-001" in main and "Comes with Télécommande" in main
    assert "Lampe changée" not in main  # notes: managers only
    assert page.select_one(f"a[href='{reverse('materiel:reserve-item', args=[item.pk])}']")
    assert not page.select_one(f"a[href='{reverse('materiel:item-edit', args=[item.pk])}']")
    assert not page.select("main form[method=post]")
    # Next loans: dates and venue, not who asked.
    row = text_of(page.select_one(".cat-upcoming tbody tr"))
    assert "from 10 to 11 March 2099" in row and "Médiathèque de Gourdon" in row
    assert "Paul Emprunteur" not in main
    # The calendar: the day before is kept, the two after.
    states = day_states(page)
    assert states["2099-03-08"] == "free"
    assert states["2099-03-09"] == "transport"
    assert states["2099-03-10"] == "lent" and states["2099-03-11"] == "lent"
    assert states["2099-03-12"] == "transport" and states["2099-03-13"] == "transport"
    assert states["2099-03-14"] == "free"
    assert text_of(page.select_one(".cat-month caption")) == "Availability in March 2099"
    assert page.select_one(".cat-calendar__nav a[rel=prev]")["href"].startswith("?mois=2099-02")
    assert page.select_one(".cat-calendar__nav a[rel=next]")["href"].startswith("?mois=2099-04")
    assert not page.select("td[aria-current=date]")


def test_today_is_marked(world):
    page = soup(english_client(world["member"]).get(world["projector"].get_absolute_url()))
    today = page.select_one("td[aria-current=date]")
    assert today["data-day"] == timezone.localdate().isoformat()
    assert "today" in text_of(today)


def test_item_page_for_a_manager(world):
    item = world["tablet"]
    reservation_make(item=item, venue=world["figeac"], requester=UserFactory(display_name="Paul Emprunteur"),
                     pickup=date(2099, 3, 10), return_date=date(2099, 3, 11))
    page = soup(english_client(world["animator"]).get(item.get_absolute_url()))
    main = text_of(page.select_one("main"))
    assert "Stays at its venue: it can be booked only for use there." in main
    assert "Paul Emprunteur" in main
    for name in ("item-edit", "item-label", "item-history"):
        assert page.select_one(f"a[href='{reverse(f'materiel:{name}', args=[item.pk])}']"), name
    repair = page.select_one(f"form[action='{reverse('materiel:item-repair', args=[item.pk])}']")
    assert text_of(repair.select_one("button")) == "Send to repair"
    assert repair.select_one("textarea[name=note]")
    retire = page.select_one(f"form[action='{reverse('materiel:item-retire', args=[item.pk])}']")
    assert text_of(retire.select_one("button")) == "Retire from the catalogue"
    Item.objects.filter(pk=item.pk).update(status=Item.Status.REPAIR)
    page = soup(english_client(world["animator"]).get(item.get_absolute_url()))
    assert text_of(page.select_one("form[action$='/reparation/'] button")) == "Back from repair"
    assert not page.select_one(f"a[href='{reverse('materiel:reserve-item', args=[item.pk])}']")


def test_notes_shown_to_the_managers(world):
    page = soup(english_client(CoordinatorFactory()).get(world["projector"].get_absolute_url()))
    assert "Lampe changée en 2025" in text_of(page.select_one("main"))


def test_a_retired_item_is_missing_for_others(world):
    Item.objects.filter(pk=world["tablet"].pk).update(status=Item.Status.RETIRED)
    url = world["tablet"].get_absolute_url()
    assert english_client(world["member"]).get(url).status_code == 404
    assert english_client(world["animator"]).get(url).status_code == 200
    assert english_client(world["member"]).get(reverse("materiel:item", args=[999999])).status_code == 404


def test_item_page_queries_flat(world):
    item = world["projector"]
    venue = VenueFactory()
    requester = UserFactory(venues=[venue])
    days = [0]

    def grow(factor):
        for _ in range(factor * 2):
            days[0] += 10
            pickup = date(2099, 1, 1) + timedelta(days=days[0])
            reservation_make(item=item, venue=venue, requester=requester, pickup=pickup, return_date=pickup)
            reservation_make(item=item, venue=venue, requester=requester, status="returned",
                             pickup=date(2020, 1, 1) + timedelta(days=days[0]),
                             return_date=date(2020, 1, 1) + timedelta(days=days[0]))
            KitFactory(items=[item])
            ItemPhoto.objects.create(item=item, file="lending/x.png", name="x.png", stored_name="x.png", size=1,
                                     content_type="image/png", is_image=True)

    queries, _page = queries_flat(english_client(CoordinatorFactory()), item.get_absolute_url(), grow)
    assert queries == 11, queries


# --- Label, QR code, photos ----------------------------------------------------------------------


def test_label_for_managers_only(world, settings):
    settings.BASE_URL = "https://maillage.example"
    item = world["tablet"]
    url = reverse("materiel:item-label", args=[item.pk])
    response = english_client(world["member"]).get(url)
    assert response.status_code == 403
    assert "Only the managers of this equipment may change it." in response.content.decode()
    page = soup(english_client(world["animator"]).get(url))
    label = text_of(page.select_one(".cat-label"))
    assert "Tablette Android" in label and "No. FIG-007" in label
    assert "Property of EPN de Figeac — if found, please contact +33565000000" in label
    assert f"https://maillage.example/bureau/materiel/objets/{item.pk}/" in label
    assert page.select_one(".cat-label img")["src"] == reverse("materiel:item-qr", args=[item.pk])
    Item.objects.filter(pk=item.pk).update(status=Item.Status.RETIRED)
    assert english_client(world["member"]).get(url).status_code == 404


def test_qr_code(world):
    response = english_client(world["member"]).get(reverse("materiel:item-qr", args=[world["tablet"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response.content.decode().lstrip().startswith("<?xml") or b"<svg" in response.content


def test_photos_served_only_for_their_item(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    item, other = world["tablet"], world["projector"]
    photo = ItemPhoto(item=item, name="tablette.png", stored_name="abc.png", size=10, content_type="image/png",
                      is_image=True)
    photo.file.save("tablette.png", png("tablette.png"), save=True)
    client = english_client(world["member"])
    response = client.get(reverse("materiel:item-photo", args=[item.pk, photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert client.get(reverse("materiel:item-photo", args=[other.pk, photo.pk])).status_code == 404
    page = soup(client.get(item.get_absolute_url()))
    assert page.select_one(".cat-photos img")["src"] == reverse("materiel:item-photo", args=[item.pk, photo.pk])
    Item.objects.filter(pk=item.pk).update(status=Item.Status.RETIRED)
    assert client.get(reverse("materiel:item-photo", args=[item.pk, photo.pk])).status_code == 404


# --- Kits -------------------------------------------------------------------------------------


def test_kit_list_and_detail(world):
    camera = ItemFactory(name="Caméra")
    micro = ItemFactory(name="Micro", buffer_after=1)
    kit = KitFactory(name="Kit visio", items=[camera, micro])
    KitFactory(name="Ancien kit", is_active=False)
    reservation_make(item=micro, pickup=date(2099, 3, 10), return_date=date(2099, 3, 10))
    client = english_client(world["member"])
    page = soup(client.get(KITS))
    assert page.select_one(".contact-tabs a[aria-current=page]")["href"] == KITS
    assert card_titles(page) == ["Kit visio"]
    assert "Items Caméra, Micro" in text_of(page.select_one(".cat-card"))
    page = soup(client.get(kit.get_absolute_url(), {"mois": "2099-03"}))
    assert [text_of(a) for a in page.select(".cat-kit-items a")] == ["Caméra", "Micro"]
    assert page.select_one(f"a[href='{reverse('materiel:reserve-kit', args=[kit.pk])}']")
    assert not page.select_one(f"a[href='{reverse('materiel:kit-edit', args=[kit.pk])}']")
    states = day_states(page)
    assert states["2099-03-09"] == "free"
    assert states["2099-03-10"] == "lent"
    assert states["2099-03-11"] == "transport"
    assert states["2099-03-12"] == "free"
    page = soup(english_client(CoordinatorFactory()).get(kit.get_absolute_url()))
    assert page.select_one(f"a[href='{reverse('materiel:kit-edit', args=[kit.pk])}']")


def test_kit_with_an_item_in_repair_cannot_be_booked(world):
    camera = ItemFactory(name="Caméra", status=Item.Status.REPAIR)
    kit = KitFactory(name="Kit visio", items=[camera, ItemFactory()])
    page = soup(english_client(world["member"]).get(kit.get_absolute_url()))
    assert not page.select_one(f"a[href='{reverse('materiel:reserve-kit', args=[kit.pk])}']")
    assert "This kit cannot be booked at the moment: Caméra (in repair)." in text_of(page.select_one(".cat-status"))


def test_an_inactive_kit_is_missing_for_others(world):
    kit = KitFactory(is_active=False, owner_venue=world["figeac"], items=[world["tablet"]])
    assert english_client(world["member"]).get(kit.get_absolute_url()).status_code == 404
    assert english_client(world["animator"]).get(kit.get_absolute_url()).status_code == 200
    assert "Not lent any more" in text_of(soup(english_client(world["animator"]).get(KITS)).select_one("main"))


def test_kit_list_queries_flat(world):
    def grow(factor):
        for _ in range(factor * 3):
            KitFactory(items=[ItemFactory(), ItemFactory(status=Item.Status.REPAIR)])

    queries, page = queries_flat(english_client(world["member"]), KITS, grow)
    assert queries == 8, queries
    assert len(page.select(".cat-card")) == 25

