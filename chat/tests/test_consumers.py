"""The chat over the desk websocket (/ws/), through the whole ASGI stack of extranet.asgi.

What only a socket proves, as a browser tab sends it (real session cookie,
AllowedHostsOriginValidator, AuthMiddlewareStack): each chat action routed to its handler
and its answer or its refusal (`session.error` with data {error, action, reason, ref}, the
socket staying open), fan-out to the other readers and to every tab of a member, presence
across tabs and when they close, catch-up after a reconnect, bad frames, who may connect,
and subscriptions dropped when access is lost. What each action allows, denies or finds
invalid, stores and publishes is tested as plain functions in test_actions.py.

Nothing is waited for a fixed time: replies to a socket's own frames come before the pong
of a later ping (`until_pong`), and what others must not receive is checked with a barrier
sent through their personal group (`assert_nothing_before_barrier`); see
extranet/testing/sockets.py. The fixtures (rooms, people) come from chat/tests/conftest.py.
"""

import json
import logging

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from chat import selectors, services
from chat.models import Connection, Message, Presence, Reaction, RoomMember
from extranet.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED, MAX_FRAME_BYTES
from extranet.testing.factories import CoordinatorFactory, PendingUserFactory
from extranet.testing.sockets import (
    ARRIVES,
    Tabs,
    assert_accepted_then_closed_with,
    assert_alive,
    assert_closed_with,
    assert_nothing_before_barrier,
    assert_refused_at_handshake,
    disconnect,
    receive_types,
    receive_until,
    refused,
    session_cookie,
    subscribe,
    translated,
    until_pong,
)
from members import services as member_services
from members.models import User

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async


# --- Helpers ----------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def tabs():
    """tabs(user, cookie=None): an open socket of `user`, past session.ready; all closed afterwards."""
    async with Tabs() as opened:
        yield opened


async def follow(ws, room):
    reply = await subscribe(ws, f"chatroom.{room.pk}")
    assert reply == {"type": "session.subscribed", "id": None, "data": {"group": f"chatroom.{room.pk}"}}


async def ok(ws, action, **content):
    """Send an action answered by chat.ok; return the events that came with it, before the pong."""
    ref = f"ok-{action}"
    await ws.send_json_to({"action": action, "ref": ref, **content})
    events = await until_pong(ws)
    answer = {"type": "chat.ok", "id": None, "data": {"action": action, "ref": ref}}
    assert answer in events, events
    return [event for event in events if event != answer]


def payload_of(pk):
    return selectors.message_payload(selectors.message_with_related(pk))


def stored_elsewhere(pk):
    """The stored row as another connection sees it (committed data only), or None."""
    try:
        return Message.objects.filter(pk=pk).values_list("room_id", "author_id", "body").first()
    finally:
        connection.close()


def say(author, room, body, **kwargs):
    return services.message_send(actor=User.objects.get(pk=author.pk), room=room, body=body, **kwargs)


# --- chat.send --------------------------------------------------------------------------------


async def test_send_stores_the_message_before_every_subscriber_receives_it(
        tabs, member, colleague, outsider, network_room):
    reader = await tabs(colleague)
    writer = await tabs(member)
    bystander = await tabs(outsider)  # may read the room, but has not opened it
    await follow(reader, network_room)
    await follow(writer, network_room)

    await writer.send_json_to({"action": "chat.send", "room": network_room.pk, "body": "Bonjour **à tous**",
                               "client_id": "tab-1_0001", "ref": "r1"})
    event = await reader.receive_json_from(timeout=ARRIVES)
    assert event["type"] == "chat.message"
    # Read by another connection the moment the event arrives: the row is committed already.
    stored = await sync_to_async(stored_elsewhere, thread_sensitive=False)(event["id"])
    assert stored == (network_room.pk, member.pk, "Bonjour **à tous**")
    payload = await db(payload_of)(event["id"])
    assert event["data"] == payload
    assert payload["room"] == network_room.pk
    assert payload["author"]["id"] == member.pk and payload["author"]["name"] == "Karim Benali"
    assert "<strong>à tous</strong>" in payload["html"]
    assert (payload["edited"], payload["deleted"], payload["reactions"]) == (False, False, [])

    # The writer hears back that it is stored (with its client_id), and sees the message like everyone.
    replies = await receive_types(writer, 2)
    assert replies["chat.sent"] == {"type": "chat.sent", "id": event["id"],
                                    "data": {"room": network_room.pk, "client_id": "tab-1_0001"}}
    assert replies["chat.message"] == event
    # The writer has its chat.sent: the handler returned, its publication is done.
    await assert_nothing_before_barrier(bystander, outsider.pk)
    assert await db(Message.objects.filter(room=network_room).count)() == 1


async def test_send_to_a_room_one_is_not_in_is_denied_logged_and_the_socket_goes_on(
        tabs, member, network_room, private_room, caplog):
    caplog.set_level(logging.WARNING, logger="extranet.consumers")
    ws = await tabs(member)
    assert await subscribe(ws, f"chatroom.{private_room.pk}") == {
        "type": "session.denied", "id": None, "data": {"group": f"chatroom.{private_room.pk}"}}

    error = await refused(ws, "chat.send", "denied", room=private_room.pk, body="Je m'invite", client_id="x1")
    assert error == translated("You are not in this room.")
    assert await db(Message.objects.count)() == 0
    logged = [r for r in caplog.records if r.name == "extranet.consumers" and r.levelno == logging.WARNING]
    assert len(logged) == 1
    text = logged[0].getMessage()
    assert "chat.send" in text and f"user {member.pk}" in text and "denied" in text

    # The same socket still answers and can send where it may.
    assert await until_pong(ws) == []
    await ws.send_json_to({"action": "chat.send", "room": network_room.pk, "body": "Ici, oui", "client_id": "x2"})
    sent = await ws.receive_json_from(timeout=ARRIVES)
    assert sent["type"] == "chat.sent" and sent["data"] == {"room": network_room.pk, "client_id": "x2"}
    assert await db(lambda: list(Message.objects.values_list("room_id", "body")))() == [(network_room.pk, "Ici, oui")]


async def test_an_invalid_action_is_refused_with_its_reason_and_the_socket_lives_on(tabs, member, network_room):
    """One socket case of the malformed fields (the others: test_actions.py)."""
    ws = await tabs(member)
    error = await refused(ws, "chat.send", "invalid", room="1", body="Bonjour")
    assert "room" in error
    assert await db(Message.objects.count)() == 0
    await assert_alive(ws)


# --- chat.edit, chat.delete, chat.react: routed, answered with chat.ok, fanned out -----------


async def test_editing_ones_own_message_broadcasts_it_edited(tabs, member, colleague, network_room):
    message = await db(say)(member, network_room, "Rendez-vous à 10 h")
    reader = await tabs(colleague)
    await follow(reader, network_room)
    ws = await tabs(member)
    assert await ok(ws, "chat.edit", message=message.pk, body="Rendez-vous à *11 h*") == []
    event = await reader.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"]) == ("chat.message_updated", message.pk)
    assert event["data"]["edited"] is True
    assert "<em>11 h</em>" in event["data"]["html"]
    assert event["data"] == await db(payload_of)(message.pk)
    row = await db(Message.objects.get)(pk=message.pk)
    assert row.body == "Rendez-vous à *11 h*" and row.edited_at is not None


async def test_deleting_ones_own_message_broadcasts_it_deleted(tabs, member, colleague, network_room):
    message = await db(say)(member, network_room, "À retirer")
    reader = await tabs(colleague)
    await follow(reader, network_room)
    ws = await tabs(member)
    assert await ok(ws, "chat.delete", message=message.pk) == []
    event = await reader.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"]) == ("chat.message_updated", message.pk)
    assert (event["data"]["deleted"], event["data"]["html"]) == (True, "")
    row = await db(Message.objects.get)(pk=message.pk)
    assert row.deleted_at is not None and row.deleted_by_id == member.pk
    # Deleted once: a second delete is refused.
    await refused(ws, "chat.delete", "denied", message=message.pk)


async def test_a_reaction_toggles_and_every_reader_sees_the_counts(tabs, member, colleague, network_room):
    message = await db(say)(colleague, network_room, "Bonne nouvelle")
    reader = await tabs(colleague)
    await follow(reader, network_room)
    ws = await tabs(member)

    assert await ok(ws, "chat.react", message=message.pk, emoji="👍") == []
    event = await reader.receive_json_from(timeout=ARRIVES)
    assert event == {"type": "chat.reactions", "id": message.pk, "data": {
        "room": network_room.pk, "message": message.pk,
        "reactions": [{"emoji": "👍", "count": 1, "users": [member.pk], "names": ["Karim Benali"]}]}}
    assert await db(Reaction.objects.filter(message=message, user=member, emoji="👍").count)() == 1

    assert await ok(ws, "chat.react", message=message.pk, emoji="👍") == []
    event = await reader.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["data"]["reactions"]) == ("chat.reactions", [])
    assert await db(Reaction.objects.count)() == 0


# --- chat.read --------------------------------------------------------------------------------


async def test_reading_a_room_tells_every_tab_of_the_member(tabs, member, colleague, network_room):
    first = await db(say)(colleague, network_room, "Un")
    second = await db(say)(colleague, network_room, "Deux")
    cookie = await db(session_cookie)(member)
    tab_1 = await tabs(member, cookie)
    tab_2 = await tabs(member, cookie)
    other = await tabs(colleague)

    await tab_1.send_json_to({"action": "chat.read", "room": network_room.pk, "up_to": first.pk})
    expected = {"type": "chat.read", "id": network_room.pk,
                "data": {"room": network_room.pk, "last_read": first.pk, "unread": 1}}
    assert await tab_1.receive_json_from(timeout=ARRIVES) == expected
    assert await tab_2.receive_json_from(timeout=ARRIVES) == expected

    await tab_2.send_json_to({"action": "chat.read", "room": network_room.pk, "up_to": second.pk})
    expected = {"type": "chat.read", "id": network_room.pk,
                "data": {"room": network_room.pk, "last_read": second.pk, "unread": 0}}
    assert await tab_1.receive_json_from(timeout=ARRIVES) == expected
    assert await tab_2.receive_json_from(timeout=ARRIVES) == expected
    assert (await db(RoomMember.objects.get)(room=network_room, user=member)).last_read_id == second.pk

    # Never backwards, and nothing to say when nothing changed (chat.read would come through
    # the member's group: the pong says the action is done, the barrier that nothing was sent).
    await tab_1.send_json_to({"action": "chat.read", "room": network_room.pk, "up_to": first.pk})
    assert await until_pong(tab_1) == []
    await assert_nothing_before_barrier(tab_1, member.pk, tab_2)
    assert (await db(RoomMember.objects.get)(room=network_room, user=member)).last_read_id == second.pk
    await assert_nothing_before_barrier(other, colleague.pk)


# --- chat.typing ------------------------------------------------------------------------------


async def test_typing_is_announced_to_the_room_throttled(tabs, member, colleague, network_room):
    observer = await tabs(colleague)
    await follow(observer, network_room)
    typer = await tabs(member)
    announced = {"type": "chat.typing", "id": member.pk,
                 "data": {"room": network_room.pk, "user": member.pk, "name": "Karim Benali", "typing": True}}

    # Only a socket that opened the room may say it is typing there (its subscriptions, kept by the consumer).
    error = await refused(typer, "chat.typing", "denied", room=network_room.pk, typing=True)
    assert error == translated("Open the room before typing in it.")
    await follow(typer, network_room)

    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": True})
    assert await observer.receive_json_from(timeout=ARRIVES) == announced
    # A second "typing" at once (within TYPING_THROTTLE) is not announced again: the throttle
    # lives in the socket's state, kept by the consumer from one frame to the next.
    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": True})
    await until_pong(typer)  # handled (the typer's own echoes may come before the pong)
    await assert_nothing_before_barrier(observer, colleague.pk)
    # Stopping is announced at once, and typing again after stopping too.
    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": False})
    stopped = await observer.receive_json_from(timeout=ARRIVES)
    assert stopped == {**announced, "data": {**announced["data"], "typing": False}}
    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": True})
    assert await observer.receive_json_from(timeout=ARRIVES) == announced


# --- chat.presence ----------------------------------------------------------------------------


async def presence_events(observer):
    event = await observer.receive_json_from(timeout=ARRIVES)
    assert event["type"] == "chat.presence", event
    return event


def shown(user, status):
    """What observers are told: the member, the status, and how to name and link them."""
    return {"user": user.pk, "status": status, "name": user.display_name,
            "url": reverse("members:profile", args=[user.pk])}


def status_of(user):
    return Presence.objects.filter(user=user).values_list("status", flat=True).first()


async def test_presence_follows_the_members_tabs(tabs, member, colleague):
    observer = await tabs(colleague)
    assert await subscribe(observer, "chatpresence.0") == {
        "type": "session.subscribed", "id": None, "data": {"group": "chatpresence.0"}}
    cookie = await db(session_cookie)(member)
    active_tab = await tabs(member, cookie)
    idle_tab = await tabs(member, cookie)

    await active_tab.send_json_to({"action": "chat.presence", "active": True})
    assert await presence_events(observer) == {
        "type": "chat.presence", "id": member.pk, "data": shown(member, "online")}
    assert await db(status_of)(member) == "online"

    # Another tab goes idle: one tab is still active, the member stays online, nothing is said.
    await idle_tab.send_json_to({"action": "chat.presence", "active": False})
    assert await until_pong(idle_tab) == []
    await assert_nothing_before_barrier(observer, colleague.pk)
    assert await db(Connection.objects.filter(user=member).count)() == 2
    assert await db(status_of)(member) == "online"

    # Closing a tab runs the disconnect hook before disconnect() returns (it waits for the consumer).
    await disconnect(active_tab)
    assert (await presence_events(observer))["data"] == shown(member, "away")
    await disconnect(idle_tab)
    assert (await presence_events(observer))["data"] == shown(member, "offline")
    assert await db(Connection.objects.filter(user=member).count)() == 0
    assert await db(status_of)(member) == "offline"


# --- chat.catch_up ----------------------------------------------------------------------------


async def test_a_tab_that_reconnects_catches_up_on_what_it_missed(tabs, member, colleague, network_room):
    edited_before = await db(say)(colleague, network_room, "Corrigé avant le départ")
    to_edit = await db(say)(colleague, network_room, "Premier jet")
    to_delete = await db(say)(colleague, network_room, "Dernier vu")
    await db(services.message_edit)(actor=colleague, message=edited_before, body="Corrigé avant, donc vu")

    ws = await tabs(member)
    await follow(ws, network_room)
    seen = await db(say)(colleague, network_room, "Vu en direct")
    event = await ws.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"]) == ("chat.message", seen.pk)
    last_seen = event["id"]
    await disconnect(ws)
    since = timezone.now().isoformat()

    # While the tab is away: three messages, one edit and one deletion of earlier messages.
    missed = [await db(say)(colleague, network_room, f"Manqué {n}") for n in range(3)]
    await db(services.message_edit)(actor=colleague, message=to_edit, body="Version finale")
    await db(services.message_delete)(actor=colleague, message=await db(Message.objects.get)(pk=to_delete.pk))

    again = await tabs(member)
    await follow(again, network_room)
    await again.send_json_to({"action": "chat.catch_up", "room": network_room.pk, "after": last_seen,
                              "since": since})
    history = await again.receive_json_from(timeout=ARRIVES)
    assert (history["type"], history["id"]) == ("chat.history", network_room.pk)
    data = history["data"]
    assert data["room"] == network_room.pk
    assert [m["id"] for m in data["messages"]] == [m.pk for m in missed]
    assert data["messages"] == [await db(payload_of)(m.pk) for m in missed]
    assert [(m["id"], m["edited"], m["deleted"]) for m in data["changed"]] == [
        (to_edit.pk, True, False), (to_delete.pk, False, True)]
    assert "Version finale" in data["changed"][0]["html"]
    assert data["has_more"] is False


# --- Bad frames and who may connect --------------------------------------------------------------


@pytest.mark.parametrize(("frame", "error"), [
    ({"text": "{pas du JSON"}, "invalid JSON"),
    ({"text": json.dumps([{"action": "chat.send"}])}, "unknown action"),
    ({"text": json.dumps({"action": "chat.explode", "room": 1})}, "unknown action"),
    ({"text": json.dumps({"action": "chat.send", "body": "x" * (MAX_FRAME_BYTES + 1)})}, "frame too large"),
    ({"bytes": b'{"action": "chat.send"}'}, "text frames only"),
], ids=["not-json", "json-array", "unknown-action", "too-large", "binary"])
async def test_a_bad_frame_is_answered_with_an_error_and_the_socket_lives_on(tabs, member, frame, error):
    ws = await tabs(member)
    await ws.send_input({"type": "websocket.receive", **frame})
    assert await ws.receive_json_from(timeout=ARRIVES) == {"type": "session.error", "id": None,
                                                           "data": {"error": error}}
    await assert_alive(ws)
    assert await db(Message.objects.count)() == 0


async def test_a_frame_over_the_byte_limit_in_multibyte_characters_is_too_large(tabs, member, network_room):
    """MAX_FRAME_BYTES is in bytes: 150,000 "é" are 300,000 bytes of UTF-8 (but fewer characters)."""
    ws = await tabs(member)
    text = json.dumps({"action": "chat.send", "room": network_room.pk, "body": "é" * (MAX_FRAME_BYTES // 2 + 10)},
                      ensure_ascii=False)
    assert len(text.encode()) > MAX_FRAME_BYTES > len(text)
    await ws.send_input({"type": "websocket.receive", "text": text})
    assert await ws.receive_json_from(timeout=ARRIVES) == {"type": "session.error", "id": None,
                                                           "data": {"error": "frame too large"}}
    await assert_alive(ws)


async def test_an_anonymous_socket_is_closed_with_4401(tabs):
    await assert_accepted_then_closed_with(tabs.communicator(), CLOSE_UNAUTHORIZED)


async def test_a_pending_member_is_closed_with_4403(tabs, territory):
    pending = await db(PendingUserFactory)(territory=territory)
    await assert_accepted_then_closed_with(tabs.communicator(await db(session_cookie)(pending)), CLOSE_FORBIDDEN)


async def test_a_socket_from_another_origin_is_refused_at_the_handshake(tabs, member, network_room):
    cookie = await db(session_cookie)(member)
    ws = tabs.communicator(cookie, origin=(b"origin", b"http://evil.example"))
    await assert_refused_at_handshake(ws)
    # And the same session from the site's origin is accepted (the refusal is the origin's).
    ws = tabs.communicator(cookie)
    assert (await ws.connect(timeout=ARRIVES))[0] is True


# --- Access lost --------------------------------------------------------------------------------


async def test_leaving_a_group_drops_the_subscription_to_its_room(tabs, member, group_manager, private_group,
                                                                   private_room):
    from workgroups import services as workgroup_services
    from workgroups.models import Membership

    await db(Membership.objects.create)(workgroup=private_group, user=member, role="member")
    leaver = await tabs(member)
    stayer = await tabs(group_manager)
    await follow(leaver, private_room)
    await follow(stayer, private_room)
    group = f"chatroom.{private_room.pk}"

    await db(workgroup_services.membership_leave)(actor=await db(User.objects.get)(pk=member.pk),
                                                  workgroup=private_group)
    assert await leaver.receive_json_from(timeout=ARRIVES) == {
        "type": "session.unsubscribed", "id": None, "data": {"group": group}}

    message = await db(say)(group_manager, private_room, "Après son départ")
    # The manager is told of the departure (notification) and sees the message; the leaver sees nothing.
    event = await receive_until(stayer, "chat.message", allowed_before={"notification.new"})
    assert event["id"] == message.pk
    await assert_nothing_before_barrier(leaver, member.pk)
    await assert_alive(leaver)
    assert (await subscribe(leaver, group))["type"] == "session.denied"
    await refused(leaver, "chat.send", "denied", room=private_room.pk, body="Je reviens")
    await refused(leaver, "chat.typing", "denied", room=private_room.pk, typing=True)


async def test_a_group_made_private_drops_the_outsiders_following_its_room(tabs, member, colleague, group_manager,
                                                                          public_group, public_room):
    """`colleague` reads the public group's room without being in the group; it goes private."""
    from workgroups import services as workgroup_services

    outsider_tab = await tabs(colleague)
    member_tab = await tabs(member)
    await follow(outsider_tab, public_room)
    await follow(member_tab, public_room)
    group = f"chatroom.{public_room.pk}"

    await db(workgroup_services.workgroup_update)(
        actor=await db(User.objects.get)(pk=group_manager.pk), workgroup=public_group, visibility="private")
    event = await receive_until(outsider_tab, "session.unsubscribed", allowed_before={"notification.new"})
    assert event == {"type": "session.unsubscribed", "id": None, "data": {"group": group}}

    message = await db(say)(group_manager, public_room, "Entre nous désormais")
    event = await receive_until(member_tab, "chat.message", allowed_before={"notification.new"})
    assert event["id"] == message.pk
    await assert_nothing_before_barrier(outsider_tab, colleague.pk)
    await assert_alive(outsider_tab)
    assert (await subscribe(outsider_tab, group))["type"] == "session.denied"


async def test_a_coordinator_whose_role_is_removed_stops_following_a_secret_room(tabs, secret_room):
    former = await db(CoordinatorFactory)(display_name="Paul Durand")
    actor = await db(CoordinatorFactory)(display_name="Claire Dumas")
    ws = await tabs(former)
    await follow(ws, secret_room)

    await db(member_services.member_set_roles)(actor=actor, member=former, is_coordinator=False,
                                               referent_territories=[], site_editor=False)
    event = await receive_until(ws, "session.unsubscribed", allowed_before={"notification.new"})
    assert event["data"] == {"group": f"chatroom.{secret_room.pk}"}
    assert (await subscribe(ws, f"chatroom.{secret_room.pk}"))["type"] == "session.denied"


async def test_an_account_deactivated_by_a_save_loses_its_sockets(tabs, member, colleague, network_room):
    """As Wagtail's user editor does: the user saved with is_active unticked."""
    ws = await tabs(member)
    await follow(ws, network_room)

    def deactivate():
        user = User.objects.get(pk=member.pk)
        user.is_active = False
        user.save()

    await db(deactivate)()
    await assert_closed_with(ws, CLOSE_UNAUTHORIZED)
