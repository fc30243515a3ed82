"""The Content-Security-Policy as Chromium enforces it, against a real daphne (fixtures of
extranet/testing/browser.py): the pages people use raise no `securitypolicyviolation`
event (nothing the policy blocks: no inline script or style, no handler attribute, no
resource from elsewhere than the site and the tile server) and the realtime socket
connects under it.

The listener is added before any page script (`add_init_script`), so a violation during
parsing is caught too; Chromium's console message is the second witness. The headers
themselves are checked in test_security.py.
"""


import pytest

from chat import services as chat_services
from core.models import Space
from extranet.testing.browser import NARROW, WAIT_MS, ensure_home_page, in_thread, log_in, offline
from extranet.testing.factories import CoordinatorFactory, UserFactory, VenueFactory
from forum import services as forum_services
from members.spaces import network_space
from website.tests import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "(inline)"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def watched(new_context, server, **options):
    """A browser context whose pages record CSP violations; tiles answered offline."""
    context = new_context(**options)
    context.add_init_script(LISTENER)
    return context, offline(context, server)


def console_violations(page):
    messages = []
    page.on("console", lambda message: messages.append(message.text)
            if "Content Security Policy" in message.text else None)
    return messages


def violations(page):
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def public_site(db):
    from wagtail.models import Collection

    home = ensure_home_page()
    if not Collection.objects.exists():  # made by Wagtail's migration, gone after a flush
        Collection.add_root(name="Root")
    index = builders.add_news_index(home)
    builders.add_news(index, "Des ateliers pour les seniors", slug="ateliers-seniors",
                      lead_image=builders.make_image("Atelier tablettes"),
                      intro="Six séances pour apprivoiser la tablette.")
    VenueFactory(name="EPM de Limogne", city="Limogne-en-Quercy", latitude="44.396100", longitude="1.771900")
    VenueFactory(name="Médiathèque de Cahors", city="Cahors", latitude="44.447500", longitude="1.441900")


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, NARROW], ids=["1280", "320"])
def test_the_public_pages_raise_no_violation(new_context, server, public_site, viewport):
    from playwright.sync_api import expect

    context, tiles = watched(new_context, server, viewport=viewport)
    page = context.new_page()
    console = console_violations(page)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto("/")
    expect(page.locator("h1")).to_be_visible()
    assert violations(page) == []

    page.goto("/actualites/ateliers-seniors/")
    expect(page.locator(".article__image img")).to_be_visible()
    assert violations(page) == []

    # The directory with its map: Leaflet, its markers, its tiles (from the tile server).
    page.goto("/annuaire/")
    expect(page.locator("[data-venue-map]")).to_have_attribute("data-venue-map-state", "ready", timeout=WAIT_MS)
    if viewport["width"] > NARROW["width"]:  # at 320 px the map waits behind the list/map switch
        expect(page.locator(".leaflet-marker-icon")).to_have_count(2)
        expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()
        assert tiles != []
    assert violations(page) == []
    assert console == []
    assert errors == []


@pytest.fixture
def desk_world(territory, venue):
    lea = UserFactory(email="lea@exemple.test", territory=territory, venues=[venue], display_name="Léa Fournier")
    coordinator = CoordinatorFactory(email="claire@exemple.test", territory=territory)
    room = in_thread(lambda: chat_services.room_for_space(Space.objects.get(territory=territory)))
    category = in_thread(forum_services.category_create, actor=coordinator, space=network_space(), name="Entraide")
    topic = in_thread(forum_services.topic_create, actor=lea, category=category, title="Imprimante partagée",
                      body="Elle ne répond plus depuis la **mise à jour**.")
    return lea, room, topic


def test_the_desk_the_chat_and_the_forum_raise_no_violation_and_the_socket_connects(
        new_context, server, desk_world):
    from playwright.sync_api import expect

    lea, room, topic = desk_world
    context, _tiles = watched(new_context, server)
    desk = log_in(context, lea)
    console = console_violations(desk)
    errors = []
    desk.on("pageerror", lambda exc: errors.append(str(exc)))

    # The desk: the realtime socket connects under connect-src.
    expect(desk.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
    assert violations(desk) == []

    desk.goto(f"/bureau/discussions/salon/{room.pk}/")
    expect(desk.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
    assert violations(desk) == []

    desk.goto(f"/bureau/forum/sujet/{topic.pk}/")
    expect(desk.get_by_text("Imprimante partagée").first).to_be_visible()
    expect(desk.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
    assert violations(desk) == []
    assert console == []
    assert errors == []
