"""The public directory in Debian's Chromium against a real daphne (fixtures of
extranet/testing/browser.py): search, filter, the map and its markers, a venue page;
without JavaScript; at 320 px.

Leaflet and Leaflet.markercluster come from our static files. The map tiles are the
outside world: every request that leaves the test server is answered here (a blank PNG
for tiles, refused otherwise), so no network is needed and none is used.
"""

import re

import pytest

from extranet.testing.browser import NARROW, WAIT_MS, offline, scroll_width
from extranet.testing.factories import TerritoryFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAPERWORK = "Aide aux démarches administratives"
LEISURE = "Loisirs et créations numériques"
SEARCH = re.compile(r"^(Chercher|Search)$")


@pytest.fixture
def venues(db):
    causses = TerritoryFactory(name="Pays des Causses", slug="pays-des-causses")
    figeac = TerritoryFactory(name="Grand Figeac", slug="grand-figeac")
    return {
        "limogne": VenueFactory(
            territory=causses, name="EPM de Limogne", city="Limogne-en-Quercy", postal_code="46260",
            latitude="44.396100", longitude="1.771900", opening_hours="24/7", services=[PAPERWORK],
            fees=["Gratuit"], phone="+33565123456",
        ),
        "cahors": VenueFactory(
            territory=causses, name="Médiathèque de Cahors", city="Cahors", postal_code="46000",
            latitude="44.447500", longitude="1.441900", services=[LEISURE],
        ),
        "figeac": VenueFactory(
            territory=figeac, name="Cyber-base de Figeac", city="Figeac", postal_code="46100",
            latitude="44.608600", longitude="2.031700", services=[PAPERWORK, LEISURE],
        ),
        "nowhere": VenueFactory(territory=figeac, name="Bus numérique", city="Figeac", postal_code="46100"),
    }




def submit(page):
    page.locator("form.venue-search").get_by_role("button", name=SEARCH).click()


def map_ready(page):
    from playwright.sync_api import expect

    expect(page.locator("[data-venue-map]")).to_have_attribute("data-venue-map-state", "ready", timeout=WAIT_MS)


def test_search_filter_map_and_venue_page(new_context, server, venues):
    from playwright.sync_api import expect

    context = new_context()
    tiles = offline(context, server)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/annuaire/")

    # (a) The map of every venue with coordinates, in a named region, with its text alternative.
    region = page.get_by_role("region", name=re.compile(r"^(Carte|Map)"))
    expect(region).to_be_visible()
    map_ready(page)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(3)
    expect(page.locator("[data-venue-map-summary]")).to_contain_text(re.compile(r"^3 "))
    expect(page.locator("[data-venue-map-summary]")).to_contain_text(re.compile(r"1 .*4"))  # 1 of 4 not on it
    expect(page.locator(".venue-card")).to_have_count(4)
    assert tiles, "the tile layer asked for no tile"
    marker = page.locator(".leaflet-marker-icon[title='EPM de Limogne (Limogne-en-Quercy)']")
    expect(marker).to_have_attribute("tabindex", "0")  # Leaflet's keyboard access is kept

    # (b) Keyboard: focus a marker, Enter opens its popup with a link to the venue.
    marker.focus()
    page.keyboard.press("Enter")
    popup_link = page.locator(".leaflet-popup-content a")
    expect(popup_link).to_have_text("EPM de Limogne")
    expect(popup_link).to_have_attribute("href", "/annuaire/epm-de-limogne/")

    # (c) Search words: the list and the map narrow together; the URL says it.
    page.locator("#venue-q").fill("figeac")
    submit(page)
    page.wait_for_url(re.compile(r"[?&]q=figeac"))
    expect(page.locator(".venue-card")).to_have_count(2)
    map_ready(page)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)

    # (d) A service filter (in "more filters"), OR within the list, AND with the words.
    page.locator("#venue-q").fill("")
    page.locator("details.venue-search__more > summary").click()
    page.get_by_label(PAPERWORK).check()
    submit(page)
    page.wait_for_url(re.compile(r"service=Aide"))
    expect(page.locator(".venue-card h3")).to_have_text(["Cyber-base de Figeac", "EPM de Limogne"])
    map_ready(page)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(2)
    page.locator("input[name=ouvert]").check()
    submit(page)
    page.wait_for_url(re.compile(r"ouvert=1"))
    expect(page.locator(".venue-card h3")).to_have_text(["EPM de Limogne"])  # open around the clock

    # (e) Open the venue: its page, its status, its small map with its marker.
    page.get_by_role("link", name="EPM de Limogne").click()
    page.wait_for_url(re.compile(r"/annuaire/epm-de-limogne/$"))
    expect(page.locator("h1")).to_have_text("EPM de Limogne")
    expect(page.locator(".venue-detail__header .venue-status")).to_have_class(re.compile("venue-status--open"))
    map_ready(page)
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(page.locator(".leaflet-marker-icon")).to_have_attribute("title", "EPM de Limogne (Limogne-en-Quercy)")
    expect(page.locator("a[href='tel:+33565123456']")).to_be_visible()
    assert errors == []


def test_many_venues_are_clustered(new_context, server, venues):
    from playwright.sync_api import expect

    territory = venues["limogne"].territory
    for n in range(40):
        VenueFactory(territory=territory, name=f"Point {n:02d}", latitude=44.40 + n / 1000, longitude=1.77)
    context = new_context()
    offline(context, server)
    page = context.new_page()
    page.goto("/annuaire/")
    map_ready(page)
    expect(page.locator(".marker-cluster").first).to_be_visible()
    expect(page.locator("[data-venue-map-summary]")).to_contain_text(re.compile(r"^43 "))
    # Fewer icons than venues: the close ones are grouped.
    assert page.locator(".leaflet-marker-icon").count() < 43


def test_the_directory_works_without_javascript(new_context, server, venues):
    from playwright.sync_api import expect

    context = new_context(java_script_enabled=False)
    offline(context, server)
    page = context.new_page()
    page.goto("/annuaire/")
    expect(page.locator("[data-venue-map]")).to_be_hidden()
    expect(page.locator(".venue-card")).to_have_count(4)
    # The search form is a plain GET form.
    page.locator("#venue-territoire").select_option("grand-figeac")
    page.locator("details.venue-search__more > summary").click()
    page.get_by_label(LEISURE).check()
    submit(page)
    page.wait_for_url(re.compile(r"territoire=grand-figeac"))
    expect(page.locator(".venue-card h3")).to_have_text(["Cyber-base de Figeac"])
    expect(page.locator("#venue-territoire")).to_have_value("grand-figeac")
    expect(page.get_by_label(LEISURE)).to_be_checked()
    page.get_by_role("link", name="Cyber-base de Figeac").click()
    expect(page.locator("h1")).to_have_text("Cyber-base de Figeac")
    expect(page.locator("[data-venue-map]")).to_be_hidden()
    expect(page.get_by_role("link", name=re.compile("OpenStreetMap"))).to_be_visible()


def test_list_and_venue_page_fit_a_320px_screen(new_context, server, venues):
    context = new_context(viewport=NARROW)
    offline(context, server)
    page = context.new_page()
    page.goto("/annuaire/?service=" + PAPERWORK)  # the extra filters are open
    map_ready(page)
    assert page.locator("details.venue-search__more").get_attribute("open") is not None
    assert scroll_width(page) <= NARROW["width"], "the directory scrolls sideways at 320 px"
    page.goto("/annuaire/epm-de-limogne/")
    map_ready(page)
    assert scroll_width(page) <= NARROW["width"], "the venue page scrolls sideways at 320 px"


def test_results_without_coordinates_say_so_instead_of_an_empty_map(new_context, server, venues):
    from playwright.sync_api import expect

    context = new_context()
    offline(context, server)
    page = context.new_page()
    page.goto("/annuaire/?q=bus")
    expect(page.locator(".venue-card h3")).to_have_text(["Bus numérique"])
    expect(page.locator("[data-venue-map]")).to_have_attribute("data-venue-map-state", "empty", timeout=WAIT_MS)
    expect(page.locator("[data-venue-map-summary]")).not_to_be_empty()
    expect(page.locator("[data-venue-map-canvas]")).to_be_hidden()
