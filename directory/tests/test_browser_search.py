"""The directory's search flow in Debian's Chromium against a real daphne, at 1280 and 320 px:
the results heading takes the focus after a search, empty fields stay out of the address,
"Filtres (n)" folds the filters on a small screen, "Liste / Carte" switches the view,
"Autour de moi" sorts by the browser's position, overlapping markers are grouped and named.

The map tiles are the outside world: answered here with a blank PNG, anything else off the
test server refused (as in test_browser_public.py).
"""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from extranet.testing.browser import NARROW, WAIT_MS, offline, scroll_width
from extranet.testing.factories import TerritoryFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}
SEARCH = re.compile(r"^(Chercher|Search)$")
FILTERS = re.compile(r"^(Filtres|Filters) \((\d+)\)$")


@pytest.fixture
def venues(db):
    causses = TerritoryFactory(name="Pays des Causses", slug="pays-des-causses")
    figeac = TerritoryFactory(name="Grand Figeac", slug="grand-figeac")
    return {
        "limogne": VenueFactory(
            territory=causses, name="EPM de Limogne", city="Limogne-en-Quercy", postal_code="46260",
            latitude="44.396100", longitude="1.771900", opening_hours="24/7", typology=["ASSO"],
        ),
        # Two venues in the same building: their markers overlap.
        "cahors": VenueFactory(
            territory=causses, name="Médiathèque de Cahors", city="Cahors", postal_code="46000",
            latitude="44.447500", longitude="1.441900",
        ),
        "cahors2": VenueFactory(
            territory=causses, name="Point numérique de Cahors", city="Cahors", postal_code="46000",
            latitude="44.447500", longitude="1.441900",
        ),
        "figeac": VenueFactory(
            territory=figeac, name="Cyber-base de Figeac", city="Figeac", postal_code="46100",
            latitude="44.608600", longitude="2.031700",
        ),
    }




def params(page):
    """The query of the page's address as (key, value) pairs, empty values included."""
    return parse_qsl(urlsplit(page.url).query, keep_blank_values=True)


def submit(page):
    page.locator("form.venue-search").get_by_role("button", name=SEARCH).click()


def map_ready(page):
    from playwright.sync_api import expect

    expect(page.locator("[data-venue-map]")).to_have_attribute("data-venue-map-state", "ready", timeout=WAIT_MS)


def test_wide_screen_search_lands_on_the_results_heading_with_a_clean_address(new_context, server, venues):
    from playwright.sync_api import expect

    context = new_context(viewport=WIDE)
    offline(context, server)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/annuaire/")
    # Wide: the filters and the map show as before; no "Filtres (n)", no list/map switch.
    expect(page.locator("#venue-territoire")).to_be_visible()
    expect(page.locator("[data-filters-toggle]")).to_be_hidden()
    expect(page.locator("[data-view-switch]")).to_be_hidden()
    map_ready(page)
    expect(page.locator("#venue-list")).to_be_visible()
    # The map: a named region, zoom buttons named in the page's language, overlapping markers grouped.
    expect(page.get_by_role("region", name=re.compile(r"^(Carte des lieux|Map of the venues)$"))).to_be_visible()
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", re.compile(r"^(Zoom avant|Zoom in)$"))
    expect(page.locator(".leaflet-control-zoom-out")).to_have_attribute(
        "title", re.compile(r"^(Zoom arrière|Zoom out)$")
    )
    # Waits for the final grouping: one group, of the two venues at the same place.
    expect(page.locator(".marker-cluster[title^='2 ']")).to_have_count(1)
    group = page.locator(".marker-cluster")
    expect(group).to_have_count(1)
    expect(group).to_have_attribute("title", re.compile(r"^2 "))
    expect(group).to_have_attribute("role", "button")
    expect(group).to_have_attribute("tabindex", "0")
    box = group.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    marker = page.locator(".leaflet-marker-icon[title='EPM de Limogne (Limogne-en-Quercy)']")
    expect(marker).to_have_attribute("tabindex", "0")
    box = marker.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24
    # Enter on the group zooms in until its two markers show.
    group.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-marker-icon[title='Point numérique de Cahors (Cahors)']")).to_be_visible()

    # A search: only the filled fields in the address, the focus on the results heading.
    page.locator("#venue-q").fill("figeac")
    submit(page)
    page.wait_for_url(re.compile(r"[?&]q=figeac"))
    assert params(page) == [("q", "figeac")]
    assert urlsplit(page.url).fragment == "resultats"
    expect(page.locator("#resultats")).to_be_focused()
    expect(page.locator("#resultats")).to_have_text(re.compile(r"^1 "))
    assert errors == []


def test_small_screen_filters_fold_into_a_disclosure_with_their_count(new_context, server, venues):
    from playwright.sync_api import expect

    context = new_context(viewport=NARROW)
    offline(context, server)
    page = context.new_page()
    page.goto("/annuaire/")
    toggle = page.locator("[data-filters-toggle]")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_text(FILTERS)
    assert FILTERS.match(toggle.inner_text()).group(2) == "0"
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#venue-territoire")).to_be_hidden()
    expect(page.locator("#venue-q")).to_be_visible()  # the words stay out of the fold
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#venue-territoire")).to_be_visible()
    page.locator("#venue-territoire").select_option("grand-figeac")
    page.locator("input[name=gratuit]").check()
    submit(page)
    page.wait_for_url(re.compile(r"territoire=grand-figeac"))
    assert params(page) == [("territoire", "grand-figeac"), ("gratuit", "1")]
    expect(page.locator("#resultats")).to_be_focused()
    toggle = page.locator("[data-filters-toggle]")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    assert FILTERS.match(toggle.inner_text()).group(2) == "2"
    assert scroll_width(page) <= NARROW["width"]


def test_small_screen_switches_between_the_list_and_the_map(new_context, server, venues):
    from playwright.sync_api import expect

    context = new_context(viewport=NARROW)
    offline(context, server)
    page = context.new_page()
    page.goto("/annuaire/")
    switch = page.locator("[data-view-switch]")
    expect(switch).to_be_visible()
    as_list = switch.get_by_role("button", name=re.compile(r"^(Liste|List)$"))
    as_map = switch.get_by_role("button", name=re.compile(r"^(Carte|Map)$"))
    expect(as_list).to_have_attribute("aria-pressed", "true")
    expect(as_map).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#venue-list")).to_be_visible()
    expect(page.locator("[data-venue-map]")).to_be_hidden()

    as_map.click()
    expect(as_map).to_have_attribute("aria-pressed", "true")
    expect(as_list).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#venue-list")).to_be_hidden()
    expect(page.locator("[data-venue-map-canvas]")).to_be_visible()
    map_ready(page)
    # Drawn while hidden, measured again when shown: the markers are on the visible map.
    expect(page.locator(".leaflet-marker-icon[title='EPM de Limogne (Limogne-en-Quercy)']")).to_be_visible()
    assert scroll_width(page) <= NARROW["width"]

    as_list.click()
    expect(page.locator("#venue-list")).to_be_visible()
    expect(page.locator("[data-venue-map]")).to_be_hidden()


def test_around_me_sorts_by_the_browser_s_position(new_context, server, venues):
    from playwright.sync_api import expect

    context = new_context(
        viewport=NARROW, geolocation={"latitude": 44.6086, "longitude": 2.0317}, permissions=["geolocation"]
    )
    offline(context, server)
    page = context.new_page()
    page.goto("/annuaire/")
    page.locator("#venue-q").fill("")
    around = page.get_by_role("button", name=re.compile(r"^(Autour de moi|Around me)$"))
    expect(around).to_be_visible()
    around.click()
    page.wait_for_url(re.compile(r"lat=44\.609"))
    assert params(page) == [("lat", "44.609"), ("lon", "2.032")]
    # From Figeac: Figeac, then Limogne (31 km), then the two of Cahors (50 km), by name.
    expect(page.locator(".venue-card h3")).to_have_text(
        ["Cyber-base de Figeac", "EPM de Limogne", "Médiathèque de Cahors", "Point numérique de Cahors"]
    )
    expect(page.locator(".venue-card__distance").nth(1)).to_have_text(re.compile(r"31\s?km"))
    expect(page.locator("#resultats")).to_be_focused()
    # A place typed in replaces the position.
    page.locator("#venue-pres").fill("46000")
    submit(page)
    page.wait_for_url(re.compile(r"pres=46000"))
    assert params(page) == [("pres", "46000")]
    expect(page.locator(".venue-card h3").first).to_have_text("Médiathèque de Cahors")


def test_without_javascript_every_filter_shows_and_the_server_drops_empty_parameters(new_context, server, venues):
    from playwright.sync_api import expect

    context = new_context(viewport=NARROW, java_script_enabled=False)
    offline(context, server)
    page = context.new_page()
    page.goto("/annuaire/")
    expect(page.locator("[data-filters-toggle]")).to_be_hidden()
    expect(page.locator("[data-view-switch]")).to_be_hidden()
    expect(page.get_by_role("button", name=re.compile(r"^(Autour de moi|Around me)$"))).to_be_hidden()
    expect(page.locator("#venue-territoire")).to_be_visible()
    page.locator("#venue-pres").fill("Limogne-en-Quercy")
    submit(page)
    # The form sent every field, the empty ones too: the server redirected to the clean address.
    page.wait_for_url(re.compile(r"pres="))
    assert params(page) == [("pres", "Limogne-en-Quercy")]
    assert urlsplit(page.url).fragment == "resultats"  # kept across the redirect
    expect(page.locator(".venue-card h3").first).to_have_text("EPM de Limogne")
    expect(page.locator("#resultats")).to_be_in_viewport()
    assert scroll_width(page) <= NARROW["width"]
