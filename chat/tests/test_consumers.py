"""The chat over the desk websocket (/ws/), through the whole ASGI stack of extranet.asgi.

Every chat action (chat.send, chat.edit, chat.delete, chat.react, chat.read, chat.catch_up,
chat.typing, chat.presence) is tried allowed, denied and invalid, as a browser tab sends it
(real session cookie, AllowedHostsOriginValidator, AuthMiddlewareStack). Refusals are
`session.error` with data {error, action, reason, ref} and the socket stays open.

The fixtures (rooms, people, an empty cache) come from chat/tests/conftest.py; the socket
helpers from extranet/tests/test_consumers.py.
"""

import json
import logging
from datetime import timedelta

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from chat import permissions, registrations, selectors, services
from chat.models import Connection, Message, Preference, Presence, Reaction, RoomMember
from extranet.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED, MAX_FRAME_BYTES
from extranet.models import Activity
from extranet.testing.factories import CoordinatorFactory, PendingUserFactory
from extranet.tests.test_consumers import (
    ARRIVES,
    NOTHING,
    assert_accepted_then_closed_with,
    assert_closed_with,
    communicator,
    open_ready,
    session_cookie,
)
from members import services as member_services
from members.models import User

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

db = database_sync_to_async
PONG = {"type": "session.pong", "id": None, "data": {}}


# --- Helpers ----------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def tabs():
    """tabs(user, cookie=None): an open socket of `user`, past session.ready; all closed afterwards."""
    opened = []

    async def open_tab(user, cookie=None):
        cookie = cookie or await db(session_cookie)(user)
        ws = await open_ready(cookie)
        opened.append(ws)
        return ws

    yield open_tab
    for ws in opened:
        if not ws.future.done():
            await ws.disconnect(timeout=ARRIVES)


def translated(text):
    """What the member reads: the message in the site's language (the tabs send no language cookie)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


async def subscribe(ws, group):
    await ws.send_json_to({"action": "subscribe", "group": group})
    return await ws.receive_json_from(timeout=ARRIVES)


async def follow(ws, room):
    reply = await subscribe(ws, f"chatroom.{room.pk}")
    assert reply == {"type": "session.subscribed", "id": None, "data": {"group": f"chatroom.{room.pk}"}}


async def until_pong(ws):
    """Ping, and return what arrived before the pong (the direct replies to the frames sent before)."""
    await ws.send_json_to({"action": "ping"})
    seen = []
    while True:
        event = await ws.receive_json_from(timeout=ARRIVES)
        if event == PONG:
            return seen
        seen.append(event)


async def assert_alive(ws):
    """Nothing arrived, and the socket still answers a ping."""
    assert await ws.receive_nothing(timeout=NOTHING)
    assert await until_pong(ws) == []


async def receive_types(ws, count):
    """`count` events, as {type: event} (each type once): for replies whose order is not fixed."""
    events = [await ws.receive_json_from(timeout=ARRIVES) for _ in range(count)]
    by_type = {event["type"]: event for event in events}
    assert len(by_type) == count, events
    return by_type


async def receive_until(ws, event_type, allowed_before=()):
    """The first event of `event_type`; only events of `allowed_before` types may come first."""
    while True:
        event = await ws.receive_json_from(timeout=ARRIVES)
        if event["type"] == event_type:
            return event
        assert event["type"] in allowed_before, event


async def refused(ws, action, reason, **content):
    """Send `action` and return the refusal's message, after checking the rest of the envelope."""
    ref = f"ref-{action}"
    await ws.send_json_to({"action": action, "ref": ref, **content})
    reply = await ws.receive_json_from(timeout=ARRIVES)
    assert reply["type"] == "session.error", reply
    assert reply["id"] is None
    assert set(reply["data"]) == {"error", "action", "reason", "ref"}
    assert (reply["data"]["action"], reply["data"]["reason"], reply["data"]["ref"]) == (action, reason, ref)
    assert isinstance(reply["data"]["error"], str) and reply["data"]["error"].strip()
    return reply["data"]["error"]


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
    assert await bystander.receive_nothing(timeout=NOTHING)
    assert await db(Message.objects.filter(room=network_room).count)() == 1


async def test_send_to_a_room_one_is_not_in_is_denied_logged_and_the_socket_goes_on(
        tabs, member, group_member, network_room, private_room, caplog):
    caplog.set_level(logging.WARNING, logger="extranet.consumers")
    insider = await tabs(group_member)
    await follow(insider, private_room)
    ws = await tabs(member)
    assert await subscribe(ws, f"chatroom.{private_room.pk}") == {
        "type": "session.denied", "id": None, "data": {"group": f"chatroom.{private_room.pk}"}}

    error = await refused(ws, "chat.send", "denied", room=private_room.pk, body="Je m'invite", client_id="x1")
    assert error == translated("You are not in this room.")
    assert await db(Message.objects.count)() == 0
    assert await insider.receive_nothing(timeout=NOTHING)
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


async def test_send_where_one_may_read_but_not_write_is_denied(tabs, coordinator, private_room):
    """A coordinator reads every group's room, but writes only in the groups they belong to."""
    ws = await tabs(coordinator)
    await follow(ws, private_room)
    error = await refused(ws, "chat.send", "denied", room=private_room.pk, body="Modération")
    assert error == translated("You cannot write in this room.")
    assert await db(Message.objects.count)() == 0


async def test_send_to_an_unknown_room_is_denied(tabs, member, network_room):
    ws = await tabs(member)
    await refused(ws, "chat.send", "denied", room=network_room.pk + 1000, body="Il y a quelqu'un ?")
    assert await db(Message.objects.count)() == 0


@pytest.mark.parametrize("room", ["1", -1, True, False, None, 1.0, [1], {"id": 1}, 2 ** 63],
                         ids=["string", "negative", "true", "false", "null", "float", "list", "object", "huge"])
async def test_send_with_a_malformed_room_is_invalid(tabs, member, network_room, room):
    ws = await tabs(member)
    error = await refused(ws, "chat.send", "invalid", room=room, body="Bonjour")
    assert "room" in error
    assert await db(Message.objects.count)() == 0
    await assert_alive(ws)


async def test_a_100_kb_body_is_invalid_with_the_limit_in_the_message(tabs, member, colleague, network_room):
    reader = await tabs(colleague)
    await follow(reader, network_room)
    ws = await tabs(member)
    error = await refused(ws, "chat.send", "invalid", room=network_room.pk, body="a" * 100_000, client_id="big")
    assert f"{services.BODY_MAX:,}".replace(",", "\u202f") in error  # 10 000
    assert "100\u202f000" in error
    assert await db(Message.objects.count)() == 0
    assert await reader.receive_nothing(timeout=NOTHING)


@pytest.mark.parametrize(("content", "field"), [
    ({"body": ""}, "body"), ({"body": "  \n "}, "body"), ({"body": 12}, "body"),
    ({"body": "Bonjour", "client_id": "pas un identifiant"}, "client_id"),
    ({"body": "Bonjour", "client_id": 7}, "client_id"),
    ({"body": "Bonjour", "reply_to": "3"}, "reply_to"),
], ids=["empty", "blank", "not-text", "bad-client-id", "client-id-not-text", "reply-to-not-an-id"])
async def test_send_with_a_bad_field_is_invalid(tabs, member, network_room, content, field):
    ws = await tabs(member)
    await refused(ws, "chat.send", "invalid", room=network_room.pk, **content)
    assert await db(Message.objects.count)() == 0


async def test_replying_to_a_message_of_another_room_is_invalid(tabs, member, group_member, network_room,
                                                                private_room):
    elsewhere = await db(say)(group_member, private_room, "Dans le groupe")
    ws = await tabs(member)
    await refused(ws, "chat.send", "invalid", room=network_room.pk, body="Réponse", reply_to=elsewhere.pk)
    assert await db(Message.objects.filter(room=network_room).count)() == 0


async def test_a_flood_stores_exactly_the_rate_limit_and_refuses_the_rest(tabs, member, network_room):
    ws = await tabs(member)
    total = services.RATE_LIMIT + 5
    for n in range(total):
        await ws.send_json_to({"action": "chat.send", "room": network_room.pk, "body": f"Message {n}",
                               "client_id": f"flood-{n}", "ref": f"f{n}"})
    replies = [await ws.receive_json_from(timeout=ARRIVES) for _ in range(total)]
    sent = [reply for reply in replies if reply["type"] == "chat.sent"]
    refusals = [reply for reply in replies if reply["type"] == "session.error"]
    assert len(sent) == services.RATE_LIMIT
    assert [reply["data"]["client_id"] for reply in sent] == [f"flood-{n}" for n in range(services.RATE_LIMIT)]
    assert len(refusals) == 5
    expected = translated("You are sending messages too quickly: wait a few seconds. This message was not sent; "
                          "it is still in the box.")
    for n, reply in zip(range(services.RATE_LIMIT, total), refusals, strict=True):
        assert reply["data"] == {"error": expected, "action": "chat.send", "reason": "rate_limited", "ref": f"f{n}"}
    assert await db(Message.objects.filter(author=member).count)() == services.RATE_LIMIT
    await assert_alive(ws)


async def test_the_same_client_id_twice_makes_one_message(tabs, member, colleague, network_room):
    reader = await tabs(colleague)
    await follow(reader, network_room)
    ws = await tabs(member)
    frame = {"action": "chat.send", "room": network_room.pk, "body": "Une seule fois", "client_id": "retry-42"}
    await ws.send_json_to(frame)
    await ws.send_json_to(frame)
    first = await ws.receive_json_from(timeout=ARRIVES)
    second = await ws.receive_json_from(timeout=ARRIVES)
    assert first["type"] == second["type"] == "chat.sent"
    assert first == second
    assert await db(lambda: list(Message.objects.values_list("pk", flat=True)))() == [first["id"]]
    event = await reader.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"]) == ("chat.message", first["id"])
    assert await reader.receive_nothing(timeout=NOTHING)  # published once


# --- chat.edit --------------------------------------------------------------------------------


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


async def test_editing_someone_elses_message_is_denied(tabs, member, colleague, network_room):
    message = await db(say)(colleague, network_room, "Mon message")
    reader = await tabs(colleague)
    await follow(reader, network_room)
    ws = await tabs(member)
    error = await refused(ws, "chat.edit", "denied", message=message.pk, body="Le sien")
    assert error == translated("You can only edit your own messages.")
    row = await db(Message.objects.get)(pk=message.pk)
    assert (row.body, row.edited_at) == ("Mon message", None)
    assert await reader.receive_nothing(timeout=NOTHING)


async def test_editing_after_the_edit_window_is_denied(tabs, member, network_room):
    message = await db(say)(member, network_room, "Trop tard")
    long_ago = timezone.now() - permissions.EDIT_WINDOW - timedelta(minutes=1)
    await db(Message.objects.filter(pk=message.pk).update)(created_at=long_ago)
    ws = await tabs(member)
    error = await refused(ws, "chat.edit", "denied", message=message.pk, body="Corrigé")
    assert str(permissions.EDIT_WINDOW.seconds // 60) in error
    row = await db(Message.objects.get)(pk=message.pk)
    assert (row.body, row.edited_at) == ("Trop tard", None)


async def test_editing_a_message_of_a_room_one_cannot_read_is_denied(tabs, member, group_member, private_room):
    message = await db(say)(group_member, private_room, "Entre nous")
    ws = await tabs(member)
    await refused(ws, "chat.edit", "denied", message=message.pk, body="Vu")
    await refused(ws, "chat.edit", "denied", message=message.pk + 1000, body="Inconnu")


@pytest.mark.parametrize(("field", "value"), [("message", "1"), ("message", None), ("message", True),
                                              ("body", ""), ("body", ["texte"])])
async def test_editing_with_a_bad_field_is_invalid(tabs, member, network_room, field, value):
    message = await db(say)(member, network_room, "Original")
    ws = await tabs(member)
    content = {"message": message.pk, "body": "Nouveau", field: value}
    await refused(ws, "chat.edit", "invalid", **content)
    assert (await db(Message.objects.get)(pk=message.pk)).body == "Original"


# --- chat.delete ------------------------------------------------------------------------------


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


async def test_a_plain_member_cannot_delete_someone_elses_message(tabs, member, colleague, network_room):
    message = await db(say)(colleague, network_room, "Le mien")
    reader = await tabs(colleague)
    await follow(reader, network_room)
    ws = await tabs(member)
    await refused(ws, "chat.delete", "denied", message=message.pk)
    assert (await db(Message.objects.get)(pk=message.pk)).deleted_at is None
    assert await reader.receive_nothing(timeout=NOTHING)


async def test_the_spaces_moderator_deletes_someone_elses_message(tabs, member, coordinator, network_room):
    """The network's moderators are the coordinators; the removal is logged in the activity."""
    message = await db(say)(member, network_room, "Hors sujet")
    reader = await tabs(member)
    await follow(reader, network_room)
    ws = await tabs(coordinator)
    assert await ok(ws, "chat.delete", message=message.pk) == []
    event = await reader.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"], event["data"]["deleted"]) == ("chat.message_updated", message.pk, True)
    row = await db(Message.objects.get)(pk=message.pk)
    assert row.deleted_by_id == coordinator.pk
    assert await db(Activity.objects.filter(verb="chat.message_removed", actor=coordinator).count)() == 1


async def test_a_group_manager_deletes_a_message_of_the_groups_room(tabs, group_manager, group_member,
                                                                     private_room):
    message = await db(say)(group_member, private_room, "À modérer")
    ws = await tabs(group_manager)
    assert await ok(ws, "chat.delete", message=message.pk) == []
    assert (await db(Message.objects.get)(pk=message.pk)).deleted_by_id == group_manager.pk


@pytest.mark.parametrize("value", ["12", -3, False, None])
async def test_deleting_with_a_malformed_message_id_is_invalid(tabs, member, value):
    ws = await tabs(member)
    await refused(ws, "chat.delete", "invalid", message=value)


# --- chat.react -------------------------------------------------------------------------------


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


@pytest.mark.parametrize("emoji", ["💩", "", 1, None, "👍👍"])
async def test_a_reaction_not_offered_is_invalid(tabs, member, network_room, emoji):
    message = await db(say)(member, network_room, "Réagissez")
    ws = await tabs(member)
    await refused(ws, "chat.react", "invalid", message=message.pk, emoji=emoji)
    assert await db(Reaction.objects.count)() == 0


async def test_reacting_in_a_room_one_cannot_read_or_to_a_deleted_message_is_denied(
        tabs, member, group_member, network_room, private_room):
    private = await db(say)(group_member, private_room, "Entre nous")
    deleted = await db(say)(member, network_room, "Retiré")
    await db(services.message_delete)(actor=member, message=deleted)
    ws = await tabs(member)
    await refused(ws, "chat.react", "denied", message=private.pk, emoji="👍")
    await refused(ws, "chat.react", "denied", message=deleted.pk, emoji="👍")
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

    # Never backwards, and nothing to say when nothing changed.
    await tab_1.send_json_to({"action": "chat.read", "room": network_room.pk, "up_to": first.pk})
    assert await until_pong(tab_1) == []
    assert await tab_2.receive_nothing(timeout=NOTHING)
    assert (await db(RoomMember.objects.get)(room=network_room, user=member)).last_read_id == second.pk
    assert await other.receive_nothing(timeout=NOTHING)


async def test_reading_a_room_one_is_not_in_is_denied(tabs, member, group_member, private_room):
    message = await db(say)(group_member, private_room, "Entre nous")
    ws = await tabs(member)
    await refused(ws, "chat.read", "denied", room=private_room.pk, up_to=message.pk)
    assert not await db(RoomMember.objects.filter(room=private_room, user=member).exists)()


@pytest.mark.parametrize("content", [{}, {"up_to": "5"}, {"up_to": -1}, {"up_to": None}],
                         ids=["missing", "string", "negative", "null"])
async def test_reading_with_a_bad_up_to_is_invalid(tabs, member, network_room, content):
    ws = await tabs(member)
    await refused(ws, "chat.read", "invalid", room=network_room.pk, **content)
    await assert_alive(ws)


# --- chat.typing ------------------------------------------------------------------------------


async def test_typing_is_announced_to_the_room_throttled(tabs, member, colleague, network_room):
    observer = await tabs(colleague)
    await follow(observer, network_room)
    typer = await tabs(member)
    await follow(typer, network_room)
    announced = {"type": "chat.typing", "id": member.pk,
                 "data": {"room": network_room.pk, "user": member.pk, "name": "Karim Benali", "typing": True}}

    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": True})
    assert await observer.receive_json_from(timeout=ARRIVES) == announced
    # A second "typing" at once (within TYPING_THROTTLE) is not announced again.
    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": True})
    await until_pong(typer)
    assert await observer.receive_nothing(timeout=NOTHING)
    # Stopping is announced at once, and typing again after stopping too.
    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": False})
    stopped = await observer.receive_json_from(timeout=ARRIVES)
    assert stopped == {**announced, "data": {**announced["data"], "typing": False}}
    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": True})
    assert await observer.receive_json_from(timeout=ARRIVES) == announced
    assert registrations.TYPING_THROTTLE > 1  # what makes the second frame fall in the window


async def test_typing_needs_the_room_opened_on_that_socket(tabs, member, colleague, network_room):
    observer = await tabs(colleague)
    await follow(observer, network_room)
    typer = await tabs(member)
    error = await refused(typer, "chat.typing", "denied", room=network_room.pk, typing=True)
    assert error == translated("Open the room before typing in it.")
    assert await observer.receive_nothing(timeout=NOTHING)


async def test_typing_where_one_may_not_write_is_denied(tabs, coordinator, group_member, private_room):
    observer = await tabs(group_member)
    await follow(observer, private_room)
    reader = await tabs(coordinator)  # reads every group's room, writes only in their own
    await follow(reader, private_room)
    await refused(reader, "chat.typing", "denied", room=private_room.pk, typing=True)
    assert await observer.receive_nothing(timeout=NOTHING)


async def test_typing_is_not_shared_by_who_turned_it_off(tabs, member, colleague, network_room):
    await db(Preference.objects.create)(user=member, share_typing=False)
    observer = await tabs(colleague)
    await follow(observer, network_room)
    typer = await tabs(member)
    await follow(typer, network_room)
    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": True})
    assert await until_pong(typer) == []
    assert await observer.receive_nothing(timeout=NOTHING)
    # The preference is read each time: shared again, the next announcement goes out.
    await db(Preference.objects.filter(user=member).update)(share_typing=True)
    await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": False})
    event = await observer.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["data"]["user"], event["data"]["typing"]) == ("chat.typing", member.pk, False)


@pytest.mark.parametrize("room", ["1", -1, True, None])
async def test_typing_with_a_malformed_room_is_invalid(tabs, member, room):
    ws = await tabs(member)
    await refused(ws, "chat.typing", "invalid", room=room, typing=True)


@pytest.mark.parametrize("flag", ["false", "no", 0.5, [False]])
async def test_typing_with_a_flag_that_is_not_a_boolean_is_invalid(tabs, member, colleague, network_room, flag):
    """`"typing": "false"` must not announce that the member is typing."""
    observer = await tabs(colleague)
    await follow(observer, network_room)
    typer = await tabs(member)
    await follow(typer, network_room)
    await refused(typer, "chat.typing", "invalid", room=network_room.pk, typing=flag)
    assert await observer.receive_nothing(timeout=NOTHING)


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
    assert await observer.receive_nothing(timeout=NOTHING)
    assert await db(Connection.objects.filter(user=member).count)() == 2
    assert await db(status_of)(member) == "online"

    await active_tab.disconnect(timeout=ARRIVES)
    assert (await presence_events(observer))["data"] == shown(member, "away")
    await idle_tab.disconnect(timeout=ARRIVES)
    assert (await presence_events(observer))["data"] == shown(member, "offline")
    assert await db(Connection.objects.filter(user=member).count)() == 0
    assert await db(status_of)(member) == "offline"


async def test_presence_is_not_shared_by_who_turned_it_off(tabs, member, colleague):
    await db(Preference.objects.create)(user=member, share_presence=False)
    observer = await tabs(colleague)
    await subscribe(observer, "chatpresence.0")
    ws = await tabs(member)
    await ws.send_json_to({"action": "chat.presence", "active": True})
    assert await until_pong(ws) == []
    assert await observer.receive_nothing(timeout=NOTHING)
    assert await db(status_of)(member) in (None, "offline")


async def test_turning_presence_off_shows_the_member_offline(tabs, member, colleague):
    observer = await tabs(colleague)
    await subscribe(observer, "chatpresence.0")
    ws = await tabs(member)
    await ws.send_json_to({"action": "chat.presence", "active": True})
    assert (await presence_events(observer))["data"] == shown(member, "online")
    await db(services.preference_set)(actor=member, share_presence=False, share_typing=True)
    assert (await presence_events(observer))["data"] == shown(member, "offline")
    assert await db(status_of)(member) == "offline"


async def test_presence_of_a_deactivated_account_is_denied(tabs, member, colleague):
    observer = await tabs(colleague)
    await subscribe(observer, "chatpresence.0")
    ws = await tabs(member)
    await db(User.objects.filter(pk=member.pk).update)(is_active=False)
    await refused(ws, "chat.presence", "denied", active=True)
    assert await observer.receive_nothing(timeout=NOTHING)
    assert not await db(Connection.objects.filter(user=member).exists)()


@pytest.mark.parametrize("group", ["chatpresence.1", "chatpresence.12"])
async def test_only_presence_group_zero_may_be_followed(tabs, member, group):
    ws = await tabs(member)
    assert await subscribe(ws, group) == {"type": "session.denied", "id": None, "data": {"group": group}}


@pytest.mark.parametrize("flag", ["false", "no", 0.5, [False]])
async def test_presence_with_a_flag_that_is_not_a_boolean_is_invalid(tabs, member, colleague, flag):
    """`"active": "false"` must not show the member online."""
    observer = await tabs(colleague)
    await subscribe(observer, "chatpresence.0")
    ws = await tabs(member)
    await refused(ws, "chat.presence", "invalid", active=flag)
    assert await observer.receive_nothing(timeout=NOTHING)
    assert not await db(Connection.objects.filter(user=member).exists)()


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
    await ws.disconnect(timeout=ARRIVES)
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


async def test_catch_up_says_when_there_is_more_than_one_batch(tabs, member, colleague, network_room):
    def many():
        Message.objects.bulk_create([
            Message(room=network_room, author=colleague, body=f"n{n}", html=f"<p>n{n}</p>")
            for n in range(selectors.CATCH_UP_MAX + 1)])
        return list(Message.objects.filter(room=network_room).order_by("id").values_list("pk", flat=True))

    ids = await db(many)()
    ws = await tabs(member)
    await ws.send_json_to({"action": "chat.catch_up", "room": network_room.pk, "after": 0})
    data = (await ws.receive_json_from(timeout=ARRIVES))["data"]
    assert [m["id"] for m in data["messages"]] == ids[:selectors.CATCH_UP_MAX]
    assert (data["has_more"], data["changed"]) == (True, [])

    await ws.send_json_to({"action": "chat.catch_up", "room": network_room.pk, "after": ids[-2]})
    data = (await ws.receive_json_from(timeout=ARRIVES))["data"]
    assert ([m["id"] for m in data["messages"]], data["has_more"]) == ([ids[-1]], False)


async def test_catching_up_on_a_room_one_is_not_in_is_denied(tabs, member, group_member, private_room):
    await db(say)(group_member, private_room, "Entre nous")
    ws = await tabs(member)
    await refused(ws, "chat.catch_up", "denied", room=private_room.pk, after=0)


@pytest.mark.parametrize("content", [
    {}, {"after": "0"}, {"after": -1}, {"after": 0, "since": "hier"}, {"after": 0, "since": "2025-01-01T10:00:00"},
    {"after": 0, "since": 1735725600},
], ids=["no-after", "after-string", "after-negative", "since-not-a-date", "since-naive", "since-number"])
async def test_catch_up_with_a_bad_field_is_invalid(tabs, member, network_room, content):
    ws = await tabs(member)
    await refused(ws, "chat.catch_up", "invalid", room=network_room.pk, **content)
    await assert_alive(ws)


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


async def test_an_anonymous_socket_is_closed_with_4401():
    await assert_accepted_then_closed_with(communicator(), CLOSE_UNAUTHORIZED)


async def test_a_pending_member_is_closed_with_4403(territory):
    pending = await db(PendingUserFactory)(territory=territory)
    await assert_accepted_then_closed_with(communicator(await db(session_cookie)(pending)), CLOSE_FORBIDDEN)


async def test_a_socket_from_another_origin_is_refused_at_the_handshake(member, network_room):
    cookie = await db(session_cookie)(member)
    ws = communicator(cookie, origin=(b"origin", b"http://evil.example"))
    connected, _code = await ws.connect(timeout=ARRIVES)
    assert connected is False
    # And the same session from the site's origin is accepted (the refusal is the origin's).
    ws = communicator(cookie)
    assert (await ws.connect(timeout=ARRIVES))[0] is True
    await ws.disconnect(timeout=ARRIVES)


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


async def test_typing_flipped_by_a_script_is_broadcast_at_most_the_budget(tabs, member, colleague, network_room):
    """true/false/true... resets the throttle each time: the per-minute budget still caps it."""
    observer = await tabs(colleague)
    await follow(observer, network_room)
    typer = await tabs(member)
    await follow(typer, network_room)
    frames = registrations.TYPING_BUDGET + 10
    for n in range(frames):
        await typer.send_json_to({"action": "chat.typing", "room": network_room.pk, "typing": n % 2 == 0})
    echoed = await until_pong(typer)  # the typer follows the room too (its page ignores its own)
    assert [event["data"]["typing"] for event in echoed] == [n % 2 == 0 for n in range(registrations.TYPING_BUDGET)]
    received = []
    while not await observer.receive_nothing(timeout=NOTHING):
        received.append(await observer.receive_json_from(timeout=ARRIVES))
    assert [event["data"]["typing"] for event in received] == [n % 2 == 0 for n in range(registrations.TYPING_BUDGET)]


async def test_presence_flipped_by_a_script_is_broadcast_at_most_the_budget(tabs, member, colleague):
    observer = await tabs(colleague)
    await subscribe(observer, "chatpresence.0")
    ws = await tabs(member)
    for n in range(registrations.PRESENCE_BUDGET + 10):
        await ws.send_json_to({"action": "chat.presence", "active": n % 2 == 0})
    assert await until_pong(ws) == []
    received = []
    while not await observer.receive_nothing(timeout=NOTHING):
        received.append(await observer.receive_json_from(timeout=ARRIVES))
    statuses = [event["data"]["status"] for event in received]
    assert statuses == ["online", "away"] * (registrations.PRESENCE_BUDGET // 2)
