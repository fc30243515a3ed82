"""The browser tests' scaffolding: Debian's Chromium driven by Playwright against a real daphne.

A pytest plugin (loaded by the root conftest.py): the fixtures `chromium` (one browser per
module), `server` (one daphne process per run, on the test database, see
extranet.testing.servers) and `new_context` (a fresh browser profile per call), and the
helpers the browser tests share. Browser tests are marked `browser` and use
`django_db(transaction=True)`, so that the server process sees their data.
"""

import base64
import os
import re
import threading
import time

import pytest
from django.conf import settings
from django.utils.translation import get_supported_language_variant

from extranet.testing.factories import PASSWORD
from extranet.testing.servers import DaphneServer

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
    """Debian's Chromium, one per test module (skipped with the reason where it is missing).

    Playwright's sync API runs an event loop in the test thread for as long as it is open,
    where these tests also make (synchronous) ORM calls: allowed for the module only, so
    the loop never outlives the module into the rest of the suite."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def server(django_db_setup):
    """One daphne process for the whole run, serving the test database."""
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
    if contexts:
        _wait_for_the_servers_disconnections()


def _wait_for_the_servers_disconnections(timeout=10):
    """The server forgets a closed tab's socket in its own transaction (chat presence: the
    socket's row deleted, the member's status locked and recomputed). Let it finish before
    the test database is emptied. A socket still connecting when its tab closed can write
    later still: the tests' PostgreSQL backend then empties the tables again (see
    extranet/testing/backends/postgresql/base.py)."""
    from chat.models import Connection

    deadline = time.monotonic() + timeout
    while in_thread(Connection.objects.exists) and time.monotonic() < deadline:
        time.sleep(0.05)


def in_thread(function, *args, within=30, **kwargs):
    """Run ORM work that publishes realtime events outside Playwright's event loop.

    Playwright's sync API keeps an event loop running in the test thread, where
    async_to_sync (used to publish on commit) refuses to run. `within`: the seconds it may take.
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
    thread.join(timeout=within)
    assert not thread.is_alive(), f"the database work did not finish within {within} s"
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


BLANK_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
OSM_TILE = re.compile(r"^https://tile\.openstreetmap\.org/\d+/\d+/\d+\.png$")


def offline(context, server):
    """Map tiles get a blank PNG, anything else off the test server is refused (no test
    calls the outside world); returns the list of the tile URLs asked, filled as they come."""
    tiles = []

    def handle(route):
        url = route.request.url
        # The browser's own pages (Chromium's PDF viewer) are not the outside world.
        if url.startswith((server.url, "chrome://", "chrome-extension://")):
            route.continue_()
        elif OSM_TILE.match(url):
            tiles.append(url)
            route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)
        else:
            route.abort()

    context.route("**/*", handle)
    return tiles
