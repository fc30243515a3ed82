"""The navigation on small screens (static/js/nav.js), in Debian's Chromium against a real daphne:
the header's "Menu" and the desk's "Menu du bureau" at 320 px, with and without JavaScript,
and the desk's side navigation at 1280 px."""

import re

import pytest

from extranet.testing.browser import NARROW, WAIT_MS, ensure_home_page, log_in, scroll_width
from extranet.testing.factories import PendingUserFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 800}
# The content's heading must start in the first screen, under the folded menus.
HEADING_TOP_MAX = 200


@pytest.fixture
def referent(territory, venue):
    PendingUserFactory(territory=territory, venues=[venue], display_name="Romain Espitalier")
    return UserFactory(territory=territory, referent_of=[territory], display_name="Marc Delpech")


def heading_top(page):
    return page.locator("main h1").first.bounding_box()["y"]


def test_the_public_menu_folds_at_320px(new_context):
    from playwright.sync_api import expect

    ensure_home_page()
    page = new_context(viewport=NARROW).new_page()
    page.goto("/")
    assert heading_top(page) < HEADING_TOP_MAX
    menu = page.locator('header [data-nav-toggle="site"]')
    login = page.locator("#site-nav a").first
    search = page.locator("#site-sections input[type=search]")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_have_attribute("aria-controls", "site-nav site-sections")
    expect(login).to_be_hidden()
    expect(search).to_be_hidden()

    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(login).to_be_visible()
    expect(search).to_be_visible()
    assert scroll_width(page) <= NARROW["width"]

    search.focus()
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    expect(search).to_be_hidden()


def test_the_desk_menu_folds_at_320px(new_context, referent):
    from playwright.sync_api import expect

    page = log_in(new_context(viewport=NARROW), referent)
    page.goto("/bureau/")  # again, without the flash message of the login above the content
    assert heading_top(page) < HEADING_TOP_MAX
    desk_menu = page.locator('nav.desk-nav [data-nav-toggle="desk"]')
    current = page.locator('nav.desk-nav a[aria-current="page"]')
    pending = page.locator('nav.desk-nav a[href="/bureau/membres/demandes/"]')
    expect(desk_menu).to_have_attribute("aria-expanded", "false")
    expect(desk_menu).to_have_attribute("aria-controls", "desk-nav-list")
    expect(current).to_be_hidden()

    desk_menu.click()
    expect(desk_menu).to_have_attribute("aria-expanded", "true")
    expect(current).to_be_visible()
    expect(current).to_have_attribute("href", "/bureau/")
    expect(pending.locator(".desk-nav__count")).to_have_text("1")
    assert scroll_width(page) <= NARROW["width"]

    pending.focus()
    page.keyboard.press("Escape")
    expect(desk_menu).to_have_attribute("aria-expanded", "false")
    expect(desk_menu).to_be_focused()
    expect(pending).to_be_hidden()

    # The header's menu holds the account links; it opens and closes the same way.
    menu = page.locator('header [data-nav-toggle="site"]')
    log_out = page.locator("#site-nav button[type=submit]")
    expect(log_out).to_be_hidden()
    menu.click()
    expect(log_out).to_be_visible()
    page.keyboard.press("Escape")
    expect(menu).to_be_focused()
    expect(log_out).to_be_hidden()

    # A link followed from the open menu leads to its page, marked current there.
    desk_menu.click()
    page.locator('nav.desk-nav a[href="/bureau/parametres/"]').click()
    page.wait_for_url(re.compile(r"/bureau/parametres/$"))
    expect(page.locator('nav.desk-nav a[aria-current="page"]')).to_have_attribute("href", "/bureau/parametres/")
    assert heading_top(page) < HEADING_TOP_MAX


def test_without_javascript_every_link_is_reachable_at_320px(new_context, referent):
    from playwright.sync_api import expect

    ensure_home_page()
    context = new_context(viewport=NARROW, java_script_enabled=False)
    page = log_in(context, referent)
    expect(page.locator("[data-nav-toggle]")).to_have_count(2)
    for toggle in page.locator("[data-nav-toggle]").all():
        expect(toggle).to_be_hidden()
    expect(page.locator("#site-nav button[type=submit]")).to_be_visible()  # log out
    expect(page.locator('nav.desk-nav a[href="/bureau/parametres/"]')).to_be_visible()
    expect(page.locator('nav.desk-nav a[href="/bureau/membres/demandes/"]')).to_be_visible()
    assert scroll_width(page) <= NARROW["width"]

    page.goto("/")
    expect(page.locator('#site-sections a[href="/annuaire/"]')).to_be_visible()
    expect(page.locator("#site-sections input[type=search]")).to_be_visible()


def test_the_desk_keeps_its_side_navigation_at_1280px(new_context, referent):
    from playwright.sync_api import expect

    page = log_in(new_context(viewport=WIDE), referent)
    for toggle in page.locator("[data-nav-toggle]").all():
        expect(toggle).to_be_hidden()
    nav = page.locator("nav.desk-nav")
    expect(page.locator('nav.desk-nav a[href="/bureau/parametres/"]')).to_be_visible()
    expect(page.locator("#site-nav button[type=submit]")).to_be_visible()
    nav_box, main_box = nav.bounding_box(), page.locator("main").bounding_box()
    assert nav_box["x"] + nav_box["width"] <= main_box["x"], "the desk navigation is a column beside the content"
    assert abs(nav_box["y"] - main_box["y"]) < 5


def test_the_unread_count_is_worded_with_its_plural_when_it_changes(new_context, referent):
    """realtime.js sets the count with one template; nav.js then words it (one, several, none)
    and updates the Menu button's count, on the events realtime.js dispatches."""
    from playwright.sync_api import expect

    context = new_context(viewport=NARROW)
    # The socket's own count (session.ready) must have come before the events sent here,
    # or it would overwrite them.
    # (A mark in the DOM, read by expect: wait_for_function would evaluate a string, which
    # the page's CSP refuses.)
    context.add_init_script(
        "document.addEventListener('maillage:session.ready', function () {"
        " document.documentElement.setAttribute('data-session-ready', '1'); });"
    )
    page = log_in(context, referent)
    expect(page.locator("html")).to_have_attribute("data-session-ready", "1", timeout=WAIT_MS)
    label = page.locator("[data-unread-label]")
    menu_count = page.locator("[data-menu-unread]")

    def unread(count):
        page.evaluate(
            "count => document.dispatchEvent(new CustomEvent('maillage:notification.new',"
            " {detail: {type: 'notification.new', data: {unread: count}}}))",
            count,
        )

    one = label.get_attribute("data-template-one").replace("%s", "1")
    several = label.get_attribute("data-template").replace("%s", "4")
    unread(1)
    expect(label).to_have_text(one)
    expect(menu_count).to_have_text("1")
    expect(menu_count).to_be_visible()
    unread(4)
    expect(label).to_have_text(several)
    unread(0)
    expect(label).to_have_text("")
    expect(menu_count).to_be_hidden()
