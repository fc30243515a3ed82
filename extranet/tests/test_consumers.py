"""The desk websocket (/ws/) through the whole ASGI stack of extranet.asgi.

Every test goes through AllowedHostsOriginValidator and AuthMiddlewareStack with a real
session cookie, so what is checked is what a browser tab gets. The database work runs
in sync fixtures (committed: `transaction=True`) or through `database_sync_to_async`,
because the consumer reads the session and the user from another thread.
"""

import time

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from extranet import realtime
from extranet.asgi import application
from extranet.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED
from extranet.models import Notification
from extranet.services import notification_mark_read, notify
from extranet.testing.factories import PendingUserFactory, UserFactory
from members.models import User

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

# AllowedHostsOriginValidator keeps the ALLOWED_HOSTS it saw when extranet.asgi was imported
# (at collection, before the test environment appends "testserver"): speak as one of them.
SITE_HOST = next(
    (host for host in settings.ALLOWED_HOSTS if host not in {"*", "testserver"} and not host.startswith(".")),
    "localhost",
)
ORIGIN = (b"origin", f"http://{SITE_HOST}".encode())
HOST = (b"host", SITE_HOST.encode())
# Generous for what must arrive (the Redis layer is slower than the in-memory one),
# short for what must not.
ARRIVES = 5
NOTHING = 0.5


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def communicator(cookie=None, origin=ORIGIN):
    headers = [HOST]
    if origin is not None:
        headers.append(origin)
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/", headers=headers)


@pytest.fixture
def colleague(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Nadia Ferrand")


@pytest.fixture
def member_cookie(member):
    return session_cookie(member)


@pytest_asyncio.fixture
async def socket(member_cookie):
    """An accepted socket of `member`, past its session.ready; disconnected afterwards."""
    ws = communicator(member_cookie)
    connected, _code = await ws.connect(timeout=ARRIVES)
    assert connected
    ready = await ws.receive_json_from(timeout=ARRIVES)
    assert ready["type"] == "session.ready"
    yield ws
    await ws.disconnect()


@pytest.fixture
def test_kind():
    """A subscription kind for these tests only: `testkind.<id>` allowed when id is even."""
    calls = []

    def check(user, object_id):
        calls.append((user.pk, object_id))
        return object_id % 2 == 0

    previous = realtime.SUBSCRIPTIONS.get("testkind")
    realtime.register_subscription("testkind", check)
    yield calls
    if previous is None:
        realtime.SUBSCRIPTIONS.pop("testkind", None)
    else:
        realtime.SUBSCRIPTIONS["testkind"] = previous


async def group_event(group, event_type="notification.read", data=None):
    """Send an event to a group the way realtime.send_now does, from async code."""
    await get_channel_layer().group_send(
        group, {"type": "realtime.event", "event": realtime.envelope(event_type, None, data or {})}
    )


# --- Who may connect --------------------------------------------------------------------


async def test_anonymous_visitor_is_closed_with_4401():
    ws = communicator()
    connected, code = await ws.connect(timeout=ARRIVES)
    assert (connected, code) == (False, CLOSE_UNAUTHORIZED)


async def test_a_forged_session_cookie_counts_as_anonymous():
    ws = communicator("not-a-real-session-key")
    connected, code = await ws.connect(timeout=ARRIVES)
    assert (connected, code) == (False, CLOSE_UNAUTHORIZED)


@pytest.mark.parametrize("status", [User.Status.PENDING, User.Status.REFUSED])
async def test_pending_or_refused_member_is_closed_with_4403(territory, status):
    user = await database_sync_to_async(PendingUserFactory)(territory=territory, status=status)
    cookie = await database_sync_to_async(session_cookie)(user)
    ws = communicator(cookie)
    connected, code = await ws.connect(timeout=ARRIVES)
    assert (connected, code) == (False, CLOSE_FORBIDDEN)


async def test_deactivated_account_is_closed_with_4401(member, member_cookie):
    await database_sync_to_async(User.objects.filter(pk=member.pk).update)(is_active=False)
    ws = communicator(member_cookie)
    connected, code = await ws.connect(timeout=ARRIVES)
    assert (connected, code) == (False, CLOSE_UNAUTHORIZED)


@pytest.mark.parametrize(
    "origin",
    [(b"origin", b"http://evil.example"), (b"origin", f"http://{SITE_HOST}.evil.example".encode())],
    ids=["other-site", "look-alike"],
)
async def test_another_origin_is_refused_even_with_a_valid_session(member_cookie, origin):
    ws = communicator(member_cookie, origin=origin)
    connected, _code = await ws.connect(timeout=ARRIVES)
    assert connected is False


async def test_no_origin_header_is_refused(member_cookie):
    ws = communicator(member_cookie, origin=None)
    connected, _code = await ws.connect(timeout=ARRIVES)
    assert connected is False


async def test_approved_member_is_accepted_and_told_the_session_is_ready(member, member_cookie):
    ws = communicator(member_cookie)
    connected, _subprotocol = await ws.connect(timeout=ARRIVES)
    try:
        assert connected is True
        ready = await ws.receive_json_from(timeout=ARRIVES)
        assert ready == {"type": "session.ready", "id": None, "data": {"user": member.pk}}
        assert await ws.receive_nothing(timeout=NOTHING)
    finally:
        await ws.disconnect()


# --- Notifications ------------------------------------------------------------------------


async def test_notification_for_the_member_arrives_with_the_unread_count(socket, member, colleague):
    notification = await database_sync_to_async(notify)(
        recipient=member, verb="member.joined_venue", target=colleague, actor=colleague
    )
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert event["type"] == "notification.new"
    assert event["id"] == notification.pk
    assert event["data"]["unread"] == 1
    text = await database_sync_to_async(lambda: notification.text)()
    assert event["data"]["text"] == text
    assert "Nadia Ferrand" in event["data"]["text"]
    assert event["data"]["created_at"] == notification.created_at.isoformat()

    second = await database_sync_to_async(notify)(
        recipient=member, verb="member.roles_changed", target=member, actor=colleague
    )
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"], event["data"]["unread"]) == ("notification.new", second.pk, 2)


async def test_marking_read_pushes_the_new_unread_count(socket, member, colleague):
    first = await database_sync_to_async(notify)(recipient=member, verb="member.joined_venue", target=colleague)
    await database_sync_to_async(notify)(recipient=member, verb="member.roles_changed", target=member)
    assert [(await socket.receive_json_from(timeout=ARRIVES))["data"]["unread"] for _ in range(2)] == [1, 2]

    await database_sync_to_async(notification_mark_read)(actor=member, notification=first)
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert event == {"type": "notification.read", "id": None, "data": {"unread": 1}}


async def test_event_for_another_user_does_not_arrive(socket, member, colleague):
    await database_sync_to_async(notify)(recipient=colleague, verb="member.roles_changed", target=colleague)
    assert await socket.receive_nothing(timeout=NOTHING)
    # The pipe works: the member's own notification is the next (and first) thing received.
    mine = await database_sync_to_async(notify)(recipient=member, verb="member.roles_changed", target=member)
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"]) == ("notification.new", mine.pk)


async def test_a_rollback_publishes_nothing(socket, member, colleague):
    class Abort(Exception):
        pass

    def notify_then_roll_back():
        with transaction.atomic():
            notify(recipient=member, verb="member.joined_venue", target=colleague)
            raise Abort

    with pytest.raises(Abort):
        await database_sync_to_async(notify_then_roll_back)()
    assert await socket.receive_nothing(timeout=NOTHING)
    assert await database_sync_to_async(Notification.objects.filter(recipient=member).count)() == 0

    kept = await database_sync_to_async(notify)(recipient=member, verb="member.joined_venue", target=colleague)
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"], event["data"]["unread"]) == ("notification.new", kept.pk, 1)


async def test_event_is_sent_only_when_the_outer_transaction_commits(socket, member, colleague):
    queued_inside = []

    def notify_in_a_longer_transaction():
        try:
            with transaction.atomic():
                notification = notify(recipient=member, verb="member.joined_venue", target=colleague)
                # notify's own atomic block is done, the outer one is not: nothing is pushed yet.
                time.sleep(NOTHING)
                queued_inside.append(socket.output_queue.qsize())
            return notification
        finally:
            connection.close()

    # Not in the thread-sensitive executor: the consumer needs that thread to deliver an
    # event, so an event sent too early would reach the socket while this one sleeps.
    notification = await sync_to_async(notify_in_a_longer_transaction, thread_sensitive=False)()
    assert queued_inside == [0]
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"]) == ("notification.new", notification.pk)


# --- Client actions and subscriptions ---------------------------------------------------------


async def test_ping_and_unknown_action(socket):
    await socket.send_json_to({"action": "ping"})
    assert await socket.receive_json_from(timeout=ARRIVES) == {"type": "session.pong", "id": None, "data": {}}
    await socket.send_json_to({"action": "explode"})
    reply = await socket.receive_json_from(timeout=ARRIVES)
    assert reply["type"] == "session.error"
    await socket.send_json_to(["not", "an", "object"])
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.error"


@pytest.mark.parametrize("group", ["nosuchkind.1", "user.1", "testkind", "testkind.abc", "testkind.-2", ""])
async def test_subscribing_to_an_unknown_kind_or_a_malformed_group_is_denied(socket, test_kind, group):
    await socket.send_json_to({"action": "subscribe", "group": group})
    reply = await socket.receive_json_from(timeout=ARRIVES)
    assert reply == {"type": "session.denied", "id": None, "data": {"group": group}}
    # A malformed id never reaches the check.
    assert test_kind == []


async def test_registered_kind_allows_and_denies_through_its_check(socket, member, test_kind):
    await socket.send_json_to({"action": "subscribe", "group": "testkind.4"})
    assert await socket.receive_json_from(timeout=ARRIVES) == {
        "type": "session.subscribed", "id": None, "data": {"group": "testkind.4"},
    }
    await socket.send_json_to({"action": "subscribe", "group": "testkind.7"})
    assert await socket.receive_json_from(timeout=ARRIVES) == {
        "type": "session.denied", "id": None, "data": {"group": "testkind.7"},
    }
    # The check was asked about this user and the integer ids.
    assert test_kind == [(member.pk, 4), (member.pk, 7)]

    # Events of the denied group do not arrive; those of the allowed one do.
    await group_event("testkind.7", data={"unread": 70})
    assert await socket.receive_nothing(timeout=NOTHING)
    await group_event("testkind.4", data={"unread": 40})
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert event == {"type": "notification.read", "id": None, "data": {"unread": 40}}


async def test_unsubscribe_stops_the_group_events(socket, test_kind):
    await socket.send_json_to({"action": "subscribe", "group": "testkind.2"})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.subscribed"
    await socket.send_json_to({"action": "unsubscribe", "group": "testkind.2"})
    # Unsubscribing sends no reply; a ping afterwards proves the action was processed.
    await socket.send_json_to({"action": "ping"})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.pong"
    await group_event("testkind.2", data={"unread": 20})
    assert await socket.receive_nothing(timeout=NOTHING)


async def test_disconnect_leaves_the_personal_group(member, member_cookie, colleague):
    ws = communicator(member_cookie)
    connected, _code = await ws.connect(timeout=ARRIVES)
    assert connected
    await ws.receive_json_from(timeout=ARRIVES)
    await ws.disconnect()
    other = communicator(member_cookie)
    assert (await other.connect(timeout=ARRIVES))[0]
    try:
        await other.receive_json_from(timeout=ARRIVES)
        await database_sync_to_async(notify)(recipient=member, verb="member.joined_venue", target=colleague)
        # Exactly one copy arrives on the live socket; the closed one no longer counts.
        event = await other.receive_json_from(timeout=ARRIVES)
        assert event["type"] == "notification.new"
        assert await other.receive_nothing(timeout=NOTHING)
    finally:
        await other.disconnect()
