"""The chat in Debian's Chromium against a real daphne (fixtures: extranet/testing/browser.py).

Two members, each in their own browser context, chat live in their territory's room:
what one types (Enter) appears in the other's open room without a reload, with the
"is typing" line first; the answer comes back the same way; a reaction shows on both
sides; the unread badge of a room counts a message in another room. The room fits
320 px. Without JavaScript the same room is read and written with forms
(chat/tests/test_views.py).
"""

import json
import time

import pytest

from chat import services
from chat.models import Message
from core.models import Space
from extranet.testing.browser import (
    NARROW,
    WAIT_MS,
    in_thread,
    log_in,
    scroll_width,
)
from extranet.testing.factories import UserFactory
from members.spaces import network_space

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def colleagues(territory, venue):
    lea = UserFactory(email="lea@exemple.test", territory=territory, venues=[venue], display_name="Léa Fournier")
    thomas = UserFactory(email="thomas@exemple.test", territory=territory, venues=[venue],
                         display_name="Thomas Vidal")
    room = in_thread(lambda: services.room_for_space(Space.objects.get(territory=territory)))
    network = in_thread(lambda: services.room_for_space(network_space()))
    return lea, thomas, room, network


def open_room(context, user, room):
    from playwright.sync_api import expect

    page = log_in(context, user)
    page.goto(f"/bureau/discussions/salon/{room.pk}/")
    expect(page.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
    return page


def open_room_subscribed(context, user, room):
    """The room's page, once the server has acknowledged its subscription to the room (read
    from the socket's frames: waited for, not slept on)."""
    page = log_in(context, user)
    received = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(payload)))
    page.goto(f"/bureau/discussions/salon/{room.pk}/")
    acknowledged = {"type": "session.subscribed", "id": None, "data": {"group": f"chatroom.{room.pk}"}}
    deadline = time.monotonic() + WAIT_MS / 1000
    while acknowledged not in [json.loads(frame) for frame in received]:
        assert time.monotonic() < deadline, f"the room's subscription was not acknowledged: {received}"
        page.wait_for_timeout(20)  # lets Playwright deliver the frames (a poll, not a wait)
    return page


def test_two_members_chat_live(new_context, colleagues):
    from playwright.sync_api import expect

    lea, thomas, room, network = colleagues
    lea_page = open_room_subscribed(new_context(), lea, room)
    thomas_page = open_room_subscribed(new_context(), thomas, room)
    lea_page.evaluate("window.__sameDocument = 'yes'")
    thomas_page.evaluate("window.__sameDocument = 'yes'")
    # Both pages are subscribed to the room (open_room waited for the acknowledgement).

    box = thomas_page.locator("#ecrire textarea[name=body]")
    box.press_sequentially("Qui a un vidéoprojecteur ")
    expect(lea_page.locator("[data-chat-typing]")).to_contain_text("Thomas Vidal", timeout=WAIT_MS)
    box.press_sequentially("pour jeudi ?")
    box.press("Enter")

    message = lea_page.locator(".chat-messages [data-message]").last
    expect(message).to_contain_text("Qui a un vidéoprojecteur pour jeudi ?", timeout=WAIT_MS)
    expect(lea_page.locator("[data-chat-typing]")).to_have_text("")
    expect(box).to_have_value("", timeout=WAIT_MS)  # cleared once the server stored it
    # Drawn live from the same broadcast on both pages, with each reader's answers (the rules
    # are the server's: the payload's edit deadline, the page's data-can-write/-moderate).
    own = thomas_page.locator(".chat-messages [data-message]").last
    expect(own).to_contain_text("pour jeudi ?", timeout=WAIT_MS)
    expect(own).to_have_attribute("data-can-edit", "1")
    expect(own).to_have_attribute("data-can-delete", "1")
    expect(own.locator("[data-edit]")).to_have_count(1)
    expect(message).to_have_attribute("data-can-edit", "0")
    expect(message).to_have_attribute("data-can-delete", "0")
    expect(message.locator("[data-edit], [data-delete]")).to_have_count(0)
    stored = in_thread(lambda: list(Message.objects.filter(room=room).values_list("author_id", "body")))
    assert stored == [(thomas.pk, "Qui a un vidéoprojecteur pour jeudi ?")]

    reply = lea_page.locator("#ecrire textarea[name=body]")
    reply.fill("Oui, @**Thomas Vidal**, je te le prête.")
    reply.press("Enter")
    answer = thomas_page.locator(".chat-messages [data-message]").last
    expect(answer).to_contain_text("je te le prête", timeout=WAIT_MS)
    expect(answer.locator(f'a[href="/bureau/membres/{thomas.pk}/"]')).to_have_text("@Thomas Vidal")
    expect(thomas_page.locator("#live-announcer")).to_contain_text("Léa Fournier", timeout=WAIT_MS)

    # A reaction from Thomas shows on Léa's page.
    answer.get_by_role("button", name="Actions").click()  # one menu per message (chat.js)
    answer.locator('[role="menu"] [data-react="👍"]').click()
    expect(lea_page.locator(".chat-messages [data-message]").last.locator("[data-emoji='👍']")).to_contain_text(
        "1", timeout=WAIT_MS)

    # A message in another room of Léa's raises that room's badge on her open page (sent from
    # Thomas's browser: the server process publishes it).
    thomas_page.goto(f"/bureau/discussions/salon/{network.pk}/")
    expect(thomas_page.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
    thomas_page.locator("#ecrire textarea[name=body]").fill("Réunion réseau lundi")
    thomas_page.locator("#ecrire textarea[name=body]").press("Enter")
    expect(thomas_page.locator(".chat-messages [data-message]").last).to_contain_text("Réunion réseau lundi",
                                                                                      timeout=WAIT_MS)
    expect(lea_page.locator(f'[data-room-unread="{network.pk}"]').first).to_contain_text("1", timeout=WAIT_MS)
    assert lea_page.evaluate("window.__sameDocument") == "yes"


def test_the_room_fits_320_px(new_context, colleagues):
    from playwright.sync_api import expect

    lea, thomas, room, _network = colleagues
    in_thread(lambda: services.message_send(actor=thomas, room=room, body="Un lien très long " + "x" * 200))
    narrow = log_in(new_context(viewport=NARROW), lea)
    narrow.goto(f"/bureau/discussions/salon/{room.pk}/")
    expect(narrow.locator("h1")).to_have_text("Pays des Causses")
    assert scroll_width(narrow) <= NARROW["width"], "the room scrolls sideways at 320 px"


def test_a_send_left_unconfirmed_when_the_socket_gives_up_is_posted_by_the_form(new_context, colleagues):
    """The server side is mocked (routeWebSocket): it takes chat.send and never confirms it, then
    closes for good. The box stays read-only while waiting, is given back, and the next press of
    Enter posts the form with the same client_id: one message, nothing typed lost."""
    import json
    import re

    from playwright.sync_api import expect

    lea, _thomas, room, _network = colleagues
    sockets, sent = [], []

    def fake_server(ws):
        sockets.append(ws)

        def on_message(message):
            data = json.loads(message)
            if data.get("action") == "subscribe":
                ws.send(json.dumps({"type": "session.subscribed", "id": None, "data": {"group": data["group"]}}))
            elif data.get("action") == "chat.send":
                sent.append(data)  # stored nowhere, confirmed never

        ws.on_message(on_message)
        ws.send(json.dumps({"type": "session.ready", "id": None, "data": {"user": lea.pk, "unread": 0}}))

    context = new_context()
    context.route_web_socket(re.compile(r"/ws/$"), fake_server)
    page = open_room(context, lea, room)
    box = page.locator("#ecrire textarea[name=body]")
    box.fill("Le câble HDMI est revenu ?")
    box.press("Enter")
    expect(box).to_have_js_property("readOnly", True, timeout=WAIT_MS)
    expect(box).to_have_value("Le câble HDMI est revenu ?")
    # Nothing tells when a wrong second send would leave: a short fixed wait (no order exists).
    page.wait_for_timeout(200)
    assert [data["body"] for data in sent] == ["Le câble HDMI est revenu ?"]

    sockets[-1].close(code=4401)  # the room page's (log_in opened the desk first)
    expect(page.locator("html")).to_have_attribute("data-realtime", "stopped", timeout=WAIT_MS)
    expect(box).to_have_js_property("readOnly", False)
    expect(page.locator("[data-chat-status]")).not_to_be_empty()
    box.press("Enter")
    page.wait_for_url(re.compile(r"#message-\d+$"), timeout=WAIT_MS)
    stored = in_thread(lambda: list(Message.objects.filter(room=room).values_list("body", "client_id")))
    assert stored == [("Le câble HDMI est revenu ?", sent[0]["client_id"])]
