"""The desk websocket (/ws/) through the whole ASGI stack of extranet.asgi.

Every test goes through AllowedHostsOriginValidator and AuthMiddlewareStack with a real
session cookie, so what is checked is what a browser tab gets. The database work runs
in sync fixtures (committed: `transaction=True`) or through `database_sync_to_async`,
because the consumer reads the session and the user from another thread.

Nothing is waited for a fixed time: replies to a socket's own frames come before the pong
of a later ping (`until_pong`, `assert_alive`), and what must not arrive through the
channel layer is checked with a barrier sent to the user's group afterwards
(`assert_nothing_before_barrier`); see extranet/testing/sockets.py. How a handler's
refusal becomes a reason and a message is tested without a socket in
test_realtime_actions.py.
"""

import asyncio

import pytest
import pytest_asyncio
from asgiref.sync import async_to_sync, sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse

from core import realtime
from core.models import Notification
from core.services import notification_mark_read, notify
from extranet.consumers import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED, MAX_SUBSCRIPTIONS
from extranet.testing.factories import PendingUserFactory, UserFactory
from extranet.testing.sockets import (
    ARRIVES,
    SITE_HOST,
    Tabs,
    assert_accepted_then_closed_with,
    assert_alive,
    assert_closed_with,
    assert_nothing_before_barrier,
    assert_refused_at_handshake,
    disconnect,
    events_before_barrier,
    group_event,
    logged_in_client,
    session_cookie,
)
from members.models import User

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def colleague(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Nadia Ferrand")


@pytest.fixture
def member_cookie(member):
    return session_cookie(member)


@pytest_asyncio.fixture
async def tabs():
    """Opens sockets (tabs(user), tabs.ready(cookie), tabs.communicator(...)); all closed afterwards."""
    async with Tabs() as opened:
        yield opened


@pytest_asyncio.fixture
async def socket(tabs, member_cookie):
    """An accepted socket of `member`, past its session.ready; disconnected afterwards."""
    return await tabs.ready(member_cookie)


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


async def assert_alive_for(ws, user_id):
    """Nothing came through the channel layer (a barrier arrives first), and the socket answers a ping."""
    await assert_nothing_before_barrier(ws, user_id)
    await assert_alive(ws)


# --- Who may connect --------------------------------------------------------------------


async def test_anonymous_visitor_is_accepted_then_closed_with_4401(tabs):
    await assert_accepted_then_closed_with(tabs.communicator(), CLOSE_UNAUTHORIZED)


async def test_a_forged_session_cookie_counts_as_anonymous(tabs):
    await assert_accepted_then_closed_with(tabs.communicator("not-a-real-session-key"), CLOSE_UNAUTHORIZED)


@pytest.mark.parametrize("status", [User.Status.PENDING, User.Status.REFUSED])
async def test_pending_or_refused_member_is_accepted_then_closed_with_4403(tabs, territory, status):
    user = await database_sync_to_async(PendingUserFactory)(territory=territory, status=status)
    cookie = await database_sync_to_async(session_cookie)(user)
    await assert_accepted_then_closed_with(tabs.communicator(cookie), CLOSE_FORBIDDEN)


async def test_deactivated_account_is_accepted_then_closed_with_4401(tabs, member, member_cookie):
    await database_sync_to_async(User.objects.filter(pk=member.pk).update)(is_active=False)
    await assert_accepted_then_closed_with(tabs.communicator(member_cookie), CLOSE_UNAUTHORIZED)


async def test_a_refused_socket_ignores_what_it_is_sent(tabs):
    ws = tabs.communicator()
    await assert_accepted_then_closed_with(ws, CLOSE_UNAUTHORIZED)
    await ws.send_json_to({"action": "subscribe", "group": "testkind.2"})
    await ws.send_to(bytes_data=b"\x00")
    # A refused socket answers no ping either. The consumer takes the next input only once
    # it has handled the previous one: when it has taken a third input queued after the two
    # frames, both are handled, and nothing may have been sent.
    await ws.send_input({"type": "websocket.disconnect", "code": 1000})
    async with asyncio.timeout(ARRIVES):
        while not ws.input_queue.empty():
            await asyncio.sleep(0)
    assert await ws.receive_nothing(timeout=0)


@pytest.mark.parametrize(
    "origin",
    [(b"origin", b"http://evil.example"), (b"origin", f"http://{SITE_HOST}.evil.example".encode())],
    ids=["other-site", "look-alike"],
)
async def test_another_origin_is_refused_even_with_a_valid_session(tabs, member_cookie, origin):
    ws = tabs.communicator(member_cookie, origin=origin)
    await assert_refused_at_handshake(ws)


async def test_no_origin_header_is_refused(tabs, member_cookie):
    ws = tabs.communicator(member_cookie, origin=None)
    await assert_refused_at_handshake(ws)


async def test_approved_member_is_accepted_and_told_the_session_is_ready(tabs, member, member_cookie):
    ws = tabs.communicator(member_cookie)
    connected, _subprotocol = await ws.connect(timeout=ARRIVES)
    assert connected is True
    ready = await ws.receive_json_from(timeout=ARRIVES)
    assert ready == {"type": "session.ready", "id": None, "data": {"user": member.pk, "unread": 0}}
    # Nothing else: neither in reply to the connection nor through the member's group.
    await assert_alive_for(ws, member.pk)


async def test_session_ready_carries_the_current_unread_count(tabs, member, member_cookie, colleague):
    def two_unread_one_read():
        first = notify(recipient=member, verb="member.joined_venue", target=colleague)
        for verb in ("member.roles_changed", "member.joined_venue"):
            notify(recipient=member, verb=verb, target=colleague)
        notification_mark_read(actor=member, notification=first)
        notify(recipient=colleague, verb="member.roles_changed", target=colleague)  # someone else's

    await database_sync_to_async(two_unread_one_read)()
    ws = tabs.communicator(member_cookie)
    assert (await ws.connect(timeout=ARRIVES))[0]
    ready = await ws.receive_json_from(timeout=ARRIVES)
    assert ready == {"type": "session.ready", "id": None, "data": {"user": member.pk, "unread": 2}}


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
    await assert_nothing_before_barrier(socket, member.pk)
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
    await assert_nothing_before_barrier(socket, member.pk)
    assert await database_sync_to_async(Notification.objects.filter(recipient=member).count)() == 0

    kept = await database_sync_to_async(notify)(recipient=member, verb="member.joined_venue", target=colleague)
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"], event["data"]["unread"]) == ("notification.new", kept.pk, 1)


async def test_event_is_sent_only_when_the_outer_transaction_commits(socket, member, colleague):
    before_commit = []

    def notify_in_a_longer_transaction():
        try:
            with transaction.atomic():
                notification = notify(recipient=member, verb="member.joined_venue", target=colleague)
                # notify's own atomic block is done, the outer one is not: nothing is pushed yet.
                # Pushed already, the event would be in the socket's channel before this barrier
                # (async_to_sync runs it on the test's loop, where the socket lives).
                before_commit.append(async_to_sync(events_before_barrier)(socket, member.pk))
            return notification
        finally:
            connection.close()

    # In a thread of its own, with its own connection and transaction, as a request would be.
    notification = await sync_to_async(notify_in_a_longer_transaction, thread_sensitive=False)()
    assert before_commit == [[]]
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert (event["type"], event["id"]) == ("notification.new", notification.pk)


# --- Client actions and subscriptions ---------------------------------------------------------


async def test_ping_and_unknown_action(socket):
    await socket.send_json_to({"action": "ping"})
    assert await socket.receive_json_from(timeout=ARRIVES) == {"type": "session.pong", "id": None, "data": {}}
    await socket.send_json_to({"action": "explode"})
    reply = await socket.receive_json_from(timeout=ARRIVES)
    assert reply == {"type": "session.error", "id": None, "data": {"error": "unknown action"}}
    await socket.send_json_to(["not", "an", "object"])
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.error"
    await socket.send_json_to({"action": ["ping"]})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.error"


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        ({"bytes_data": b'{"action": "ping"}'}, "text frames only"),
        ({"bytes_data": b"\xff\x00"}, "text frames only"),
        ({"text_data": "{not json"}, "invalid JSON"),
        ({"text": ""}, "invalid JSON"),
        ({"text_data": "NaN-ish [1,"}, "invalid JSON"),
    ],
    ids=["binary-json", "binary", "broken-json", "empty", "truncated"],
)
async def test_binary_or_non_json_frames_answer_an_error_and_the_socket_lives_on(socket, frame, error):
    # send_input: WebsocketCommunicator.send_to refuses an empty text frame.
    await socket.send_input({"type": "websocket.receive", **{key.removesuffix("_data"): v for key, v in frame.items()}})
    reply = await socket.receive_json_from(timeout=ARRIVES)
    assert reply == {"type": "session.error", "id": None, "data": {"error": error}}
    await assert_alive(socket)


@pytest.mark.parametrize("group", [12, ["testkind.2"], {"testkind": 2}, None, True])
async def test_subscribe_with_a_group_that_is_not_a_string_is_an_error(socket, test_kind, group):
    await socket.send_json_to({"action": "subscribe", "group": group})
    reply = await socket.receive_json_from(timeout=ARRIVES)
    assert reply == {"type": "session.error", "id": None, "data": {"error": "invalid group"}}
    assert test_kind == []
    await assert_alive(socket)


@pytest.mark.parametrize("group", [{"testkind": 2}, ["testkind.2"], 12, None, "testkind.abc", "testkind.\u0664"])
async def test_unsubscribe_with_an_invalid_group_is_an_error_not_a_crash(socket, group):
    await socket.send_json_to({"action": "unsubscribe", "group": group})
    reply = await socket.receive_json_from(timeout=ARRIVES)
    assert reply == {"type": "session.error", "id": None, "data": {"error": "invalid group"}}
    await assert_alive(socket)


async def test_unsubscribe_from_a_group_not_joined_is_an_error(socket, test_kind):
    await socket.send_json_to({"action": "unsubscribe", "group": "testkind.8"})
    reply = await socket.receive_json_from(timeout=ARRIVES)
    assert reply == {"type": "session.error", "id": None, "data": {"error": "not subscribed", "group": "testkind.8"}}
    await assert_alive(socket)


async def test_group_names_are_rebuilt_from_the_parsed_id(socket, test_kind, member):
    """`testkind.004` joins `testkind.4`, the group events are sent to, and leaves it the same way."""
    await socket.send_json_to({"action": "subscribe", "group": "testkind.004"})
    assert await socket.receive_json_from(timeout=ARRIVES) == {
        "type": "session.subscribed", "id": None, "data": {"group": "testkind.004"},
    }
    assert test_kind == [(member.pk, 4)]
    await group_event("testkind.4", data={"unread": 4})
    assert (await socket.receive_json_from(timeout=ARRIVES))["data"] == {"unread": 4}

    await socket.send_json_to({"action": "unsubscribe", "group": "testkind.4"})
    await assert_alive(socket)  # the unsubscribe is handled (it has no reply)
    await group_event("testkind.4", data={"unread": 44})
    await assert_nothing_before_barrier(socket, member.pk)


async def test_subscriptions_per_socket_are_capped(socket, test_kind, member):
    even_ids = [2 * i for i in range(MAX_SUBSCRIPTIONS)]
    for object_id in even_ids:
        await socket.send_json_to({"action": "subscribe", "group": f"testkind.{object_id}"})
    replies = [await socket.receive_json_from(timeout=ARRIVES) for _ in even_ids]
    assert {reply["type"] for reply in replies} == {"session.subscribed"}

    over = f"testkind.{2 * MAX_SUBSCRIPTIONS}"
    await socket.send_json_to({"action": "subscribe", "group": over})
    assert await socket.receive_json_from(timeout=ARRIVES) == {
        "type": "session.error", "id": None, "data": {"error": "too many subscriptions", "group": over},
    }
    assert len(test_kind) == MAX_SUBSCRIPTIONS  # refused before any check
    await group_event(over, data={"unread": 1})
    await assert_nothing_before_barrier(socket, member.pk)

    # Subscribing again to a group already joined is not a new one; leaving one frees a place.
    await socket.send_json_to({"action": "subscribe", "group": "testkind.0"})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.subscribed"
    await socket.send_json_to({"action": "unsubscribe", "group": "testkind.0"})
    await socket.send_json_to({"action": "subscribe", "group": over})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.subscribed"


async def test_subscription_checks_see_the_user_as_stored_now(socket, member):
    """Not the user loaded at connect: roles, names and status may have changed since."""
    seen = []

    def check(user, object_id):
        seen.append(user.display_name)
        return user.display_name == "Renamed"

    realtime.register_subscription("freshkind", check)
    try:
        await socket.send_json_to({"action": "subscribe", "group": "freshkind.1"})
        assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.denied"
        await database_sync_to_async(User.objects.filter(pk=member.pk).update)(display_name="Renamed")
        await socket.send_json_to({"action": "subscribe", "group": "freshkind.1"})
        assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.subscribed"
        assert seen == [member.display_name, "Renamed"]

        # Deactivated or no longer approved since connect: denied without asking the check.
        await database_sync_to_async(User.objects.filter(pk=member.pk).update)(is_active=False)
        await socket.send_json_to({"action": "subscribe", "group": "freshkind.2"})
        assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.denied"
        await database_sync_to_async(User.objects.filter(pk=member.pk).update)(
            is_active=True, status=User.Status.REFUSED
        )
        await socket.send_json_to({"action": "subscribe", "group": "freshkind.3"})
        assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.denied"
        assert len(seen) == 2
    finally:
        realtime.SUBSCRIPTIONS.pop("freshkind", None)


@pytest.mark.parametrize(
    "group",
    [
        "nosuchkind.1", "user.1", "testkind", "testkind.abc", "testkind.-2", "",
        "testkind.2\n", " testkind.2", "TestKind.2", "testkind.2.2", "testkind.+2",
        "testkind.\u0664",  # ARABIC-INDIC DIGIT FOUR: a digit for str.isdigit, not for the ASCII pattern
        "testkind.\uff14",  # FULLWIDTH DIGIT FOUR
        "testkind." + "2" * 19,  # more than 18 digits
        "t\u00e9stkind.2",
        "testkind." + "0" * 90 + "2",  # over the length limit
    ],
)
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
    await assert_nothing_before_barrier(socket, member.pk)
    await group_event("testkind.4", data={"unread": 40})
    event = await socket.receive_json_from(timeout=ARRIVES)
    assert event == {"type": "notification.read", "id": None, "data": {"unread": 40}}


async def test_unsubscribe_stops_the_group_events(socket, test_kind, member):
    await socket.send_json_to({"action": "subscribe", "group": "testkind.2"})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.subscribed"
    await socket.send_json_to({"action": "unsubscribe", "group": "testkind.2"})
    # Unsubscribing sends no reply; a ping afterwards proves the action was processed.
    await socket.send_json_to({"action": "ping"})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.pong"
    await group_event("testkind.2", data={"unread": 20})
    await assert_nothing_before_barrier(socket, member.pk)


async def test_disconnect_leaves_the_personal_group(tabs, member, member_cookie, colleague):
    ws = await tabs.ready(member_cookie)
    await disconnect(ws)
    other = await tabs.ready(member_cookie)
    await database_sync_to_async(notify)(recipient=member, verb="member.joined_venue", target=colleague)
    # Exactly one copy arrives on the live socket; the closed one no longer counts.
    event = await other.receive_json_from(timeout=ARRIVES)
    assert event["type"] == "notification.new"
    await assert_nothing_before_barrier(other, member.pk)


# --- Closing sockets: logout, refused or deactivated accounts ---------------------------------


async def test_logging_out_closes_the_sockets_of_that_session_only(tabs, member, colleague):
    browser_a = await database_sync_to_async(logged_in_client)(member)
    cookie_a = browser_a.cookies[settings.SESSION_COOKIE_NAME].value
    cookie_b = await database_sync_to_async(session_cookie)(member)
    colleague_cookie = await database_sync_to_async(session_cookie)(colleague)
    tab_a1, tab_a2, tab_b, other = [await tabs.ready(c) for c in (cookie_a, cookie_a, cookie_b, colleague_cookie)]

    # allauth's logout view, as the button of base.html posts it.
    response = await database_sync_to_async(browser_a.post)(reverse("account_logout"))
    assert response.status_code == 302
    await assert_closed_with(tab_a1, CLOSE_UNAUTHORIZED)
    await assert_closed_with(tab_a2, CLOSE_UNAUTHORIZED)
    for closed in (tab_a1, tab_a2):  # as the browser does once the server closed them
        await disconnect(closed)
    # Another browser of the same member, and another member, stay connected (the barrier
    # comes after the session.close message in tab_b's channel: tab_b has handled it).
    await assert_alive_for(tab_b, member.pk)
    await assert_alive_for(other, colleague.pk)
    await database_sync_to_async(notify)(recipient=member, verb="member.roles_changed", target=member)
    assert (await tab_b.receive_json_from(timeout=ARRIVES))["type"] == "notification.new"

    # The logged-out cookie no longer opens a socket.
    await assert_accepted_then_closed_with(tabs.communicator(cookie_a), CLOSE_UNAUTHORIZED)


async def test_close_user_sockets_closes_every_socket_of_that_user(tabs, member, colleague):
    mine = [await tabs(member) for _ in range(2)]  # two browsers
    other = await tabs(colleague)
    await database_sync_to_async(realtime.close_user_sockets)(member.pk)
    for ws in mine:
        await assert_closed_with(ws, CLOSE_UNAUTHORIZED)
    await assert_alive_for(other, colleague.pk)


async def test_close_user_sockets_can_say_forbidden_and_waits_for_the_commit(tabs, member):
    ws = await tabs(member)

    class Abort(Exception):
        pass

    def refuse_then_roll_back():
        with transaction.atomic():
            realtime.close_user_sockets(member.pk, code=CLOSE_FORBIDDEN)
            raise Abort

    def refuse_in_a_transaction():
        try:
            with transaction.atomic():
                realtime.close_user_sockets(member.pk, code=CLOSE_FORBIDDEN)
                # Not sent before the commit: sent already, session.close would come before this
                # barrier and close the socket (receiving the barrier would then fail).
                before_commit.append(async_to_sync(events_before_barrier)(ws, member.pk))
        finally:
            connection.close()

    before_commit = []
    with pytest.raises(Abort):
        await database_sync_to_async(refuse_then_roll_back)()
    await assert_alive_for(ws, member.pk)
    await sync_to_async(refuse_in_a_transaction, thread_sensitive=False)()
    assert before_commit == [[]]
    await assert_closed_with(ws, CLOSE_FORBIDDEN)


# --- Access lost: subscriptions re-checked (workgroups) ----------------------------------


async def test_removed_from_a_group_the_socket_drops_its_subscription(socket, member, colleague):
    """A member removed from a private group stops receiving its events at once."""
    from workgroups import services as workgroup_services

    def make_group():
        group = workgroup_services.workgroup_create(
            actor=colleague, name="Cercle privé", purpose="Oui.", visibility="private", join_policy="request")
        request = workgroup_services.join_request_create(actor=member, workgroup=group)
        workgroup_services.join_request_accept(actor=colleague, join_request=request)
        return group

    group = await database_sync_to_async(make_group)()
    accepted = await socket.receive_json_from(timeout=ARRIVES)  # "your request is accepted"
    assert accepted["type"] == "notification.new" and accepted["data"]["url"] == group.get_absolute_url()
    name = f"workgroup.{group.pk}"
    await socket.send_json_to({"action": "subscribe", "group": name})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.subscribed"
    await group_event(name, data={"unread": 3})
    assert (await socket.receive_json_from(timeout=ARRIVES))["data"] == {"unread": 3}

    await database_sync_to_async(workgroup_services.membership_remove)(
        actor=colleague, workgroup=group, member=member)
    events = [await socket.receive_json_from(timeout=ARRIVES) for _ in range(2)]
    types = sorted(event["type"] for event in events)
    assert types == ["notification.new", "session.unsubscribed"]
    dropped = next(e for e in events if e["type"] == "session.unsubscribed")
    assert dropped["data"] == {"group": name}
    await group_event(name, data={"unread": 4})
    await assert_alive_for(socket, member.pk)
    # And it cannot come back.
    await socket.send_json_to({"action": "subscribe", "group": name})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.denied"


async def test_a_recheck_keeps_the_subscriptions_still_allowed(socket, member, test_kind):
    await socket.send_json_to({"action": "subscribe", "group": "testkind.2"})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.subscribed"
    await get_channel_layer().group_send(realtime.user_group(member.pk), {"type": realtime.SESSION_RECHECK})
    await assert_alive_for(socket, member.pk)  # the recheck came first in the channel: handled, nothing said
    await group_event("testkind.2", data={"unread": 2})
    assert (await socket.receive_json_from(timeout=ARRIVES))["data"] == {"unread": 2}


async def test_a_public_group_made_private_drops_the_non_members_subscriptions(socket, member, colleague):
    from workgroups import services as workgroup_services

    group = await database_sync_to_async(workgroup_services.workgroup_create)(
        actor=colleague, name="Ouvert à tous", purpose="Oui.", visibility="public", join_policy="open")
    name = f"workgroup.{group.pk}"
    await socket.send_json_to({"action": "subscribe", "group": name})
    assert (await socket.receive_json_from(timeout=ARRIVES))["type"] == "session.subscribed"

    await database_sync_to_async(workgroup_services.workgroup_update)(
        actor=colleague, workgroup=group, visibility="private", join_policy="request")
    assert await socket.receive_json_from(timeout=ARRIVES) == {
        "type": "session.unsubscribed", "id": None, "data": {"group": name}}
    await group_event(name, data={"unread": 9})
    await assert_alive_for(socket, member.pk)
