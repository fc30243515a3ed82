"""The chat across server processes: two daphne workers behind a proxy, sharing Redis.

With REDIS_URL (CI runs the suite a second time with it), two real daphne processes serve
the test database for the whole module. Members whose sockets are held by different
processes chat with each other (the message goes through channels-redis and is stored
once), see each other's presence, and a tab whose process restarts reconnects to another
one and catches up on what it missed. Without REDIS_URL the module is skipped (with the
reason printed): the in-memory layer only works inside one process.

The helpers (`DaphneServer`, `WebsocketClient`, `session_cookie`) come from
extranet/testing/servers.py; the rooms and people from chat/tests/conftest.py.
"""

import asyncio
import contextlib

import pytest
from django.conf import settings
from django.urls import reverse

from chat.models import Connection, Message, Presence
from extranet.testing.servers import (
    DaphneServer,
    WebsocketClient,
    WebsocketClosed,
    requires_redis,
    session_cookie,
)

pytestmark = [pytest.mark.multiprocess, requires_redis, pytest.mark.django_db(transaction=True)]

SCENARIO_TIMEOUT = 60


# --- Helpers ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def servers(django_db_setup):
    """Two daphne processes on the test database, for the whole module (the tables are
    emptied between tests, the processes stay)."""
    pair = [DaphneServer("daphne-chat-1"), DaphneServer("daphne-chat-2")]
    try:
        for server in pair:
            server.start()
        for server in pair:
            server.health = server.wait_ready()
            assert server.health["channel_layer_backend"] == "RedisChannelLayer", server.health
        assert pair[0].process.pid != pair[1].process.pid
        yield pair
    finally:
        for server in pair:
            server.stop()


def cookie_of(user):
    return {settings.SESSION_COOKIE_NAME: session_cookie(user)}


def run(scenario, *servers):
    """Run the coroutine `scenario` (bounded); on failure, show what the servers logged."""
    try:
        return asyncio.run(asyncio.wait_for(scenario, timeout=SCENARIO_TIMEOUT))
    except Exception as exc:
        logs = "\n".join(f"--- {server.name} ---\n{log_of(server)}" for server in servers)
        raise AssertionError(f"{exc!r}\nServer logs:\n{logs}") from exc


def log_of(server):
    try:
        return server.output()
    except (OSError, ValueError):  # stopped already: its log is gone
        return "(stopped)"


async def close(*clients):
    """Close sockets, whatever state they are in (some were closed by the test or the server)."""
    for client in clients:
        with contextlib.suppress(Exception):
            await client.close()


async def open_ready(server, cookie, user):
    """A socket of `user` on `server`, past session.ready."""
    client = await WebsocketClient.connect(server.port, cookies=cookie)
    ready = await client.receive_json()
    assert ready["type"] == "session.ready", ready
    assert ready["data"]["user"] == user.pk
    return client


async def subscribe(client, group):
    await client.send_json({"action": "subscribe", "group": group})
    reply = await client.receive_json()
    assert reply == {"type": "session.subscribed", "id": None, "data": {"group": group}}


async def send(client, room, body, client_id):
    await client.send_json({"action": "chat.send", "room": room.pk, "body": body, "client_id": client_id,
                            "ref": f"ref-{client_id}"})


def assert_sent(events, room, client_id):
    """The writer's replies: chat.sent (stored, with its client_id) and the message as everyone sees it."""
    message = events["chat.message"]
    assert events["chat.sent"] == {"type": "chat.sent", "id": message["id"],
                                   "data": {"room": room.pk, "client_id": client_id}}
    return message


def assert_message(event, room, author, body):
    assert event["type"] == "chat.message", event
    data = event["data"]
    assert data["id"] == event["id"]
    assert data["room"] == room.pk
    assert (data["author"]["id"], data["author"]["name"]) == (author.pk, author.display_name)
    assert data["body"] == body
    assert not data["deleted"] and not data["edited"]


def stored(room):
    return list(Message.objects.filter(room=room).order_by("pk").values_list("pk", "author_id", "body", "client_id"))


# --- A message crosses processes -------------------------------------------------------------


def test_members_on_two_processes_chat_with_each_other(servers, member, colleague, network_room):
    server_1, server_2 = servers
    cookie_a, cookie_b = cookie_of(member), cookie_of(colleague)
    group = f"chatroom.{network_room.pk}"

    async def scenario():
        a = await open_ready(server_1, cookie_a, member)
        b = await open_ready(server_2, cookie_b, colleague)
        try:
            await subscribe(a, group)
            await subscribe(b, group)

            await send(a, network_room, "Bonjour **Inès**, tu me lis depuis l'autre serveur ?", "mp-a-0001")
            received = (await b.receive_types("chat.message"))["chat.message"]
            assert_message(received, network_room, member, "Bonjour **Inès**, tu me lis depuis l'autre serveur ?")
            assert "<strong>Inès</strong>" in received["data"]["html"]
            own = assert_sent(await a.receive_types("chat.sent", "chat.message"), network_room, "mp-a-0001")
            assert own == received  # the same event on both processes

            await send(b, network_room, "Oui, 5 sur 5 !", "mp-b-0001")
            reply = (await a.receive_types("chat.message"))["chat.message"]
            assert_message(reply, network_room, colleague, "Oui, 5 sur 5 !")
            assert assert_sent(await b.receive_types("chat.sent", "chat.message"), network_room, "mp-b-0001") == reply
            assert reply["id"] > received["id"]
            return received["id"], reply["id"]
        finally:
            await close(a, b)

    first, second = run(scenario(), server_1, server_2)
    # Stored once each, by the process of its writer, with its author.
    assert stored(network_room) == [
        (first, member.pk, "Bonjour **Inès**, tu me lis depuis l'autre serveur ?", "mp-a-0001"),
        (second, colleague.pk, "Oui, 5 sur 5 !", "mp-b-0001"),
    ]


# --- Presence crosses processes --------------------------------------------------------------


def shown(user, status):
    return {"type": "chat.presence", "id": user.pk, "data": {
        "user": user.pk, "status": status, "name": user.display_name,
        "url": reverse("members:profile", args=[user.pk])}}


def test_presence_reported_on_one_process_is_seen_on_the_other(servers, member, colleague):
    server_1, server_2 = servers
    cookie_a, cookie_b = cookie_of(member), cookie_of(colleague)

    async def scenario():
        observer = await open_ready(server_2, cookie_b, colleague)
        a = await open_ready(server_1, cookie_a, member)
        try:
            await subscribe(observer, "chatpresence.0")
            await a.send_json({"action": "chat.presence", "active": True})
            assert (await observer.receive_types("chat.presence"))["chat.presence"] == shown(member, "online")
            await a.send_json({"action": "chat.presence", "active": False})
            assert (await observer.receive_types("chat.presence"))["chat.presence"] == shown(member, "away")
            await a.close()  # the tab is closed: process 1 forgets the socket
            assert (await observer.receive_types("chat.presence"))["chat.presence"] == shown(member, "offline")
            # Nothing else was said: the observer's next event is the answer to its ping.
            await observer.send_json({"action": "ping"})
            assert await observer.receive_json() == {"type": "session.pong", "id": None, "data": {}}
        finally:
            await close(a, observer)

    run(scenario(), server_1, server_2)
    assert Presence.objects.get(user=member).status == Presence.Status.OFFLINE
    assert not Connection.objects.filter(user=member).exists()


# --- Catching up after the process restarts ------------------------------------------------------


def test_a_tab_whose_process_restarts_catches_up_on_another_process(servers, member, colleague, network_room):
    """B's process stops (a deploy) while A, on another process, goes on writing; B's tab
    reconnects to the remaining process, asks chat.catch_up after the last message it saw,
    and gets exactly what it missed; then it follows the room live again."""
    server_1, server_2 = servers
    doomed = DaphneServer("daphne-chat-restarting").start()
    cookie_a, cookie_b = cookie_of(member), cookie_of(colleague)
    group = f"chatroom.{network_room.pk}"
    missed_bodies = ["Pendant ton absence (1)", "Pendant ton absence (2)"]

    async def scenario():
        a = await open_ready(server_1, cookie_a, member)
        b = await open_ready(doomed, cookie_b, colleague)
        try:
            await subscribe(a, group)
            await subscribe(b, group)
            await send(a, network_room, "Vu en direct", "mp-a-seen")
            last_seen = (await b.receive_types("chat.message"))["chat.message"]
            assert_message(last_seen, network_room, member, "Vu en direct")
            assert_sent(await a.receive_types("chat.sent", "chat.message"), network_room, "mp-a-seen")

            await asyncio.to_thread(doomed.stop)  # SIGTERM, as a restart does
            with pytest.raises((WebsocketClosed, asyncio.IncompleteReadError, ConnectionError)):
                await b.receive_json()  # the tab sees its socket go
            await close(b)

            missed = []
            for n, body in enumerate(missed_bodies):
                await send(a, network_room, body, f"mp-a-missed-{n}")
                missed.append(assert_sent(await a.receive_types("chat.sent", "chat.message"), network_room,
                                          f"mp-a-missed-{n}"))

            b = await open_ready(server_2, cookie_b, colleague)  # the other process
            await subscribe(b, group)
            await b.send_json({"action": "chat.catch_up", "room": network_room.pk, "after": last_seen["id"]})
            history = (await b.receive_types("chat.history"))["chat.history"]
            assert (history["id"], history["data"]["room"]) == (network_room.pk, network_room.pk)
            assert history["data"]["messages"] == [event["data"] for event in missed]
            assert (history["data"]["changed"], history["data"]["has_more"]) == ([], False)

            # And live again, from process 1 to process 2.
            await send(a, network_room, "Te revoilà", "mp-a-back")
            assert_message((await b.receive_types("chat.message"))["chat.message"], network_room, member,
                           "Te revoilà")
            return last_seen["id"], [event["id"] for event in missed]
        finally:
            await close(a, b)

    try:
        doomed.wait_ready()
        seen_id, missed_ids = run(scenario(), server_1, server_2, doomed)
    finally:
        doomed.stop()
    rows = stored(network_room)
    assert [row[:3] for row in rows[:3]] == [
        (seen_id, member.pk, "Vu en direct"),
        (missed_ids[0], member.pk, missed_bodies[0]),
        (missed_ids[1], member.pk, missed_bodies[1]),
    ]
    assert [row[1:3] for row in rows[3:]] == [(member.pk, "Te revoilà")]
