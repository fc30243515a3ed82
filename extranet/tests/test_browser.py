"""Journeys a person makes, in Debian's Chromium (Playwright) against a real daphne.

The server is `python -m daphne extranet.asgi:application` in a subprocess on the test
database (a file on SQLite, test_<name> on PostgreSQL), so HTTP, the session, the
websocket and the channel layer are the production ones. Data is committed
(`transaction=True`) so that the server process sees it.

Without /usr/bin/chromium every test here is skipped with the reason printed (CI
installs the `chromium` Debian package).
"""

import os
import re
import threading
import time

import pytest
from django.conf import settings
from django.utils.translation import get_supported_language_variant

from extranet.models import Notification
from extranet.services import notify
from extranet.testing.factories import PASSWORD, CoordinatorFactory, PendingUserFactory, UserFactory
from extranet.tests.test_multiprocess import DaphneServer
from members.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WAIT_MS = 10_000
NARROW = {"width": 320, "height": 640}


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(chromium, django_db_setup):
    """One daphne process for the module, serving the test database."""
    daphne = DaphneServer("daphne-browser").start()
    try:
        daphne.wait_ready()
        yield daphne
    finally:
        daphne.stop()


@pytest.fixture
def new_context(chromium, server):
    """new_context(**options): a fresh browser profile (cookies, storage) on the server."""
    contexts = []

    def make(**options):
        context = chromium.new_context(base_url=server.url, locale="fr-FR", **options)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def people(territory, venue, other_territory):
    return {
        "animatrice": UserFactory(
            email="animatrice@exemple.test", territory=territory, venues=[venue], display_name="Amélie Vidal"
        ),
        "pending": PendingUserFactory(
            email="romain@exemple.test", territory=territory, venues=[venue], display_name="Romain Espitalier"
        ),
        "coordinator": CoordinatorFactory(
            email="coordination@exemple.test", territory=other_territory, display_name="Claire Dumas"
        ),
    }


def in_thread(function, *args, **kwargs):
    """Run ORM work that publishes realtime events outside Playwright's event loop.

    Playwright's sync API keeps an event loop running in the test thread, where
    async_to_sync (used to publish on commit) refuses to run.
    """
    result, errors = [], []

    def target():
        try:
            result.append(function(*args, **kwargs))
        except BaseException as exc:  # re-raised in the test thread
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the database work did not finish within 30 s"
    if errors:
        raise errors[0]
    return result[0]


def ensure_home_page():
    """The Wagtail home page made by website.0002, rebuilt if a previous flush removed it."""
    from wagtail.models import Locale, Page, Site

    from website.models import HomePage

    home = HomePage.objects.live().first()
    if home is None:
        locale, _created = Locale.objects.get_or_create(
            language_code=get_supported_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.get_first_root_node()
        if root is None:
            root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
        home = root.add_child(instance=HomePage(title="Accueil", slug="accueil", locale=locale, live=True))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Maillage"}
    )
    Site.clear_site_root_paths_cache()
    return home


def log_in(context, user, password=PASSWORD):
    """Log in through the real allauth form at /compte/login/; returns the page on the desk."""
    page = context.new_page()
    page.goto("/compte/login/")
    page.locator('input[name="login"]').fill(user.email)
    page.locator('input[name="password"]').fill(password)
    page.locator('form:has(input[name="password"]) [type="submit"]').first.click()
    page.wait_for_url(re.compile(r"/bureau/$"))
    return page


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


# --- The journey: an approval reaches a colleague's open page -------------------------------


def test_colleague_sees_the_approval_live_without_reloading(new_context, people):
    from playwright.sync_api import expect

    started = time.monotonic()
    animatrice, pending, coordinator = people["animatrice"], people["pending"], people["coordinator"]

    # (a) The animatrice logs in through the form and lands on her desk, nothing unread.
    desk = log_in(new_context(), animatrice)
    badge = desk.locator("[data-unread-badge]")
    expect(badge).to_be_hidden()
    expect(badge).to_have_text("0")
    # realtime.js has opened /ws/ and the server accepted it (session.ready came or not,
    # the socket is open: the personal group is joined before accept).
    expect(desk.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
    desk.evaluate("window.__sameDocument = 'yes'")

    # (b) In another browser profile, the coordinator approves the pending member.
    requests = log_in(new_context(), coordinator)
    requests.goto("/bureau/membres/demandes/")
    approve = requests.get_by_role("button", name=re.compile(r"^(Approuver|Approve) Romain Espitalier$"))
    approve.click()
    expect(approve).to_have_count(0, timeout=WAIT_MS)
    expect(requests.get_by_role("status")).to_contain_text("Romain Espitalier", timeout=WAIT_MS)

    # (c) Back on the animatrice's page, without any reload: badge and live region.
    expect(badge).to_have_text("1", timeout=WAIT_MS)
    expect(badge).to_be_visible()
    expect(desk.locator("#live-announcer")).to_contain_text("Romain Espitalier", timeout=WAIT_MS)
    expect(desk.locator("[data-unread-label]")).to_contain_text("1")
    assert desk.evaluate("window.__sameDocument") == "yes", "the page was reloaded"
    assert desk.url.endswith("/bureau/")

    pending.refresh_from_db()
    assert pending.status == User.Status.APPROVED
    notification = Notification.objects.get(recipient=animatrice)
    assert notification.verb == "member.joined_venue" and notification.read_at is None
    print(f"\nbrowser journey: {time.monotonic() - started:.1f} s")


# --- Narrow screens ------------------------------------------------------------------------------


def test_home_login_and_desk_fit_a_320px_screen(new_context, people):
    ensure_home_page()
    page = new_context(viewport=NARROW).new_page()

    response = page.goto("/")
    assert response.status == 200
    assert page.locator("h1").first.is_visible()
    assert scroll_width(page) <= NARROW["width"], "the home page scrolls sideways at 320 px"

    page.goto("/compte/login/")
    assert scroll_width(page) <= NARROW["width"], "the login page scrolls sideways at 320 px"

    desk = log_in(page.context, people["animatrice"])
    assert desk.locator("h1").first.is_visible()
    assert scroll_width(desk) <= NARROW["width"], "the desk scrolls sideways at 320 px"


# --- Without JavaScript ----------------------------------------------------------------------


def test_desk_works_without_javascript(new_context, people):
    from playwright.sync_api import expect

    animatrice = people["animatrice"]
    notification = in_thread(
        notify, recipient=animatrice, verb="member.joined_venue", target=people["pending"], actor=people["coordinator"]
    )

    page = log_in(new_context(java_script_enabled=False), animatrice)
    # No script ran: realtime.js never marked the page.
    assert page.locator("html").get_attribute("data-realtime") is None
    badge = page.locator("[data-unread-badge]")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1")

    page.goto("/bureau/notifications/")
    item = page.locator(".notification", has_text="Romain Espitalier")
    expect(item).to_have_count(1)
    item.get_by_role("button", name=re.compile(r"^(Marquer comme lue|Mark as read)$")).click()
    page.wait_for_url(re.compile(r"/bureau/notifications/$"))

    expect(badge).to_be_hidden()
    expect(item.get_by_role("button", name=re.compile(r"^(Marquer comme lue|Mark as read)$"))).to_have_count(0)
    notification.refresh_from_db()
    assert notification.read_at is not None
