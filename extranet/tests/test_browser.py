"""Journeys a person makes, in Debian's Chromium (Playwright) against a real daphne.

The server is `python -m daphne extranet.asgi:application` in a subprocess on the test
database (a file on SQLite, test_<name> on PostgreSQL), so HTTP, the session, the
websocket and the channel layer are the production ones. Data is committed
(`transaction=True`) so that the server process sees it.

Without /usr/bin/chromium every test here is skipped with the reason printed (CI
installs the `chromium` Debian package).
"""

import json
import re
import time

import pytest

from core.models import Notification
from core.services import notify
from extranet.testing.browser import (
    NARROW,
    WAIT_MS,
    ensure_home_page,
    in_thread,
    log_in,
    scroll_width,
)
from extranet.testing.factories import CoordinatorFactory, PendingUserFactory, UserFactory
from members.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


# --- The socket's life: logout, giving up, reconnecting ------------------------------------------


LOG_OUT = re.compile(r"^(Se déconnecter|Déconnexion|Log out)$")


def test_logging_out_closes_the_other_tabs_socket_but_not_another_browsers(new_context, people):
    from playwright.sync_api import expect

    animatrice = people["animatrice"]
    in_thread(notify, recipient=animatrice, verb="member.joined_venue", target=people["pending"])
    laptop = new_context()
    tab_1 = log_in(laptop, animatrice)
    tab_2 = laptop.new_page()  # same browser, same session
    tab_2.goto("/bureau/")
    phone = log_in(new_context(), animatrice)  # another browser: another session
    for page in (tab_1, tab_2, phone):
        expect(page.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
        expect(page.locator("[data-unread-badge]")).to_have_text("1")

    tab_1.get_by_role("button", name=LOG_OUT).first.click()
    tab_1.wait_for_url(re.compile(r"/$"))

    # The tab still showing the desk was closed with 4401 and does not reconnect.
    expect(tab_2.locator("html")).to_have_attribute("data-realtime", "stopped", timeout=WAIT_MS)
    expect(tab_2.locator("html")).to_have_attribute("data-realtime-close", "4401")

    # The other browser stays live: marking the notification read in another of its tabs
    # (an event published by the server) updates its desk without reloading.
    phone.evaluate("window.__sameDocument = 'yes'")
    inbox = phone.context.new_page()
    inbox.goto("/bureau/notifications/")
    inbox.get_by_role("button", name=re.compile(r"^(Marquer comme lue|Mark as read)$")).first.click()
    inbox.wait_for_url(re.compile(r"/bureau/notifications/$"))
    expect(phone.locator("[data-unread-badge]")).to_be_hidden(timeout=WAIT_MS)
    expect(phone.locator("[data-unread-badge]")).to_have_text("0")
    expect(phone.locator("html")).to_have_attribute("data-realtime", "connected")
    assert phone.evaluate("window.__sameDocument") == "yes"
    # The logged-out tab's socket is gone: its badge was not updated.
    expect(tab_2.locator("[data-unread-badge]")).to_have_text("1")
    assert Notification.objects.get(recipient=animatrice).read_at is not None


# Replaces WebSocket by a socket whose handshake always fails (close 1006, never open) and
# shortens the backoff timers, recording the delays realtime.js asked for.
FAILING_SOCKETS = """
(function () {
  window.__sockets = 0;
  window.__delays = [];
  var realSetTimeout = window.setTimeout;
  window.setTimeout = function (fn, delay) {
    if (delay >= 400) { window.__delays.push(delay); delay = 5; }
    return realSetTimeout(fn, delay);
  };
  function FailingSocket() {
    var listeners = {};
    var self = this;
    window.__sockets += 1;
    this.readyState = 0;
    this.addEventListener = function (type, fn) { (listeners[type] = listeners[type] || []).push(fn); };
    this.send = function () { throw new Error("not open"); };
    realSetTimeout(function () {
      self.readyState = 3;
      (listeners.close || []).forEach(function (fn) { fn({ code: 1006 }); });
    }, 1);
  }
  FailingSocket.OPEN = 1;
  window.WebSocket = FailingSocket;
})();
"""


def test_the_client_gives_up_after_eight_failed_handshakes_in_a_row(new_context, people):
    from playwright.sync_api import expect

    context = new_context()
    context.add_init_script(FAILING_SOCKETS)
    desk = log_in(context, people["animatrice"])
    expect(desk.locator("html")).to_have_attribute("data-realtime", "stopped", timeout=WAIT_MS)
    desk.wait_for_timeout(500)  # time for more attempts, were any still scheduled
    assert desk.evaluate("window.__sockets") == 8
    delays = desk.evaluate("window.__delays")
    # Exponential backoff with jitter (half to all of 1 s, 2 s, 4 s ...) between the attempts.
    assert len(delays) == 7
    for attempt, delay in enumerate(delays):
        full = min(30000, 1000 * 2**attempt)
        assert full / 2 <= delay <= full, (attempt, delays)


def test_after_a_reconnection_the_client_subscribes_again_and_refreshes_the_badge(new_context, people):
    """The server side is mocked (Playwright's routeWebSocket): what the client sends, and does."""
    from playwright.sync_api import expect

    connections = []  # one list of received messages per connection

    def fake_server(ws):
        received = []
        connections.append((ws, received))
        unread = 0 if len(connections) == 1 else 3

        def on_message(message):
            data = json.loads(message)
            # Only the subscription traffic: chat's presence.js also reports on each connection.
            if data.get("action") in ("subscribe", "unsubscribe"):
                received.append(data)
            if data.get("action") == "subscribe":
                reply = "session.denied" if data["group"].startswith("forbidden.") else "session.subscribed"
                ws.send(json.dumps({"type": reply, "id": None, "data": {"group": data["group"]}}))

        ws.on_message(on_message)
        ws.send(json.dumps({"type": "session.ready", "id": None, "data": {"user": 1, "unread": unread}}))

    def wait_until(condition, what):
        deadline = time.monotonic() + WAIT_MS / 1000
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {connections}"
            desk.wait_for_timeout(50)

    context = new_context()
    context.route_web_socket(re.compile(r"/ws/$"), fake_server)
    desk = log_in(context, people["animatrice"])
    html = desk.locator("html")
    badge = desk.locator("[data-unread-badge]")
    expect(html).to_have_attribute("data-realtime", "connected")
    expect(badge).to_be_hidden()

    desk.evaluate(
        """() => {
          var rt = window.Maillage.realtime;
          rt.subscribe("room.12");
          rt.subscribe("topic.3");
          rt.subscribe("forbidden.1");
          rt.unsubscribe("topic.3");
        }"""
    )
    wait_until(lambda: len(connections[0][1]) == 4, "the four messages of the first connection")
    assert connections[0][1] == [
        {"action": "subscribe", "group": "room.12"},
        {"action": "subscribe", "group": "topic.3"},
        {"action": "subscribe", "group": "forbidden.1"},
        {"action": "unsubscribe", "group": "topic.3"},
    ]
    desk.evaluate("window.__sameDocument = 'yes'")

    connections[0][0].close(code=1012)  # the server restarts
    wait_until(lambda: len(connections) == 2 and connections[1][1], "a second connection subscribing")
    expect(html).to_have_attribute("data-realtime", "connected")
    # The unread count of the new session.ready (3, events missed while away) is shown.
    expect(badge).to_have_text("3")
    expect(badge).to_be_visible()
    expect(desk.locator("[data-unread-label]")).to_contain_text("3")
    # A wrong resubscription would come at no known moment: a short fixed wait (no order exists).
    desk.wait_for_timeout(300)
    # Only what is still wanted: not the group left, nor the one refused.
    assert connections[1][1] == [{"action": "subscribe", "group": "room.12"}]
    assert len(connections) == 2
    assert desk.evaluate("window.__sameDocument") == "yes"
