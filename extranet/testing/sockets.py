"""Websocket test helpers: sockets through the whole ASGI stack of extranet.asgi, barriers
instead of fixed waits, and realtime actions run as the consumer runs them in an ordinary
rolled-back test.

Sockets (async tests marked `django_db(transaction=True)`: the consumer reads the session
and the user from another thread, so they must be committed):

    @pytest_asyncio.fixture
    async def tabs():
        async with Tabs() as opened:   # every socket it opened is disconnected at the end
            yield opened

    ws = await tabs(user)              # a tab past session.ready (tabs(user, cookie): same browser)
    ws = tabs.communicator(cookie)     # not connected yet (handshake tests)

Proving that nothing (else) arrived, without waiting a fixed time:

- `until_pong(ws)`: the consumer handles the frames of one socket one after the other, so
  the direct replies to the frames a socket sent (chat.sent, chat.ok, session.error...)
  come before the pong of a later ping. It does not order what comes through the channel
  layer (a group's event may be forwarded after the pong).
- `assert_nothing_before_barrier(ws, user_id)`: for what comes through the channel layer.
  Once the cause is done (the action acknowledged, the service returned: its on-commit
  `group_send` has completed), a sentinel is sent to `user.<id>`, which the consumer
  forwards as it is. The channel layer keeps the order of the messages of one channel
  (in-memory and channels-redis), so receiving the sentinel first proves nothing else was
  sent to that socket before.

Actions as plain functions (sync tests with the `db` fixture): `run_action` builds nothing
the consumer would not: a `realtime.Socket`, the handler registered for the name, the
consumer's `_run_action` (refusals become (reason, message)), the on-commit callbacks run
(pytest-django's `django_capture_on_commit_callbacks(execute=True)`), and what was
published is read back from the real channel layer by a `Listener` joined to the groups.
"""

import asyncio
import uuid
from dataclasses import dataclass, field

from asgiref.sync import async_to_sync
from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.layers import channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from core import realtime
from extranet.asgi import application
from extranet.consumers import _run_action

# AllowedHostsOriginValidator keeps the ALLOWED_HOSTS it saw when extranet.asgi was imported
# (at collection, before the test environment appends "testserver"): speak as one of them.
SITE_HOST = next(
    (host for host in settings.ALLOWED_HOSTS if host not in {"*", "testserver"} and not host.startswith(".")),
    "localhost",
)
ORIGIN = (b"origin", f"http://{SITE_HOST}".encode())
HOST = (b"host", SITE_HOST.encode())
# Generous for what must arrive (the Redis layer is slower than the in-memory one). What
# must not arrive is proven by order (until_pong, barriers), never by waiting.
ARRIVES = 5
PONG = {"type": "session.pong", "id": None, "data": {}}
BARRIER_TYPE = "test.barrier"  # never a declared event type: only tests send it


# --- Opening sockets ------------------------------------------------------------------------


def logged_in_client(user):
    client = Client()
    client.force_login(user)
    return client


def session_cookie(user):
    """A new session of `user` (a browser of their own), as the value of the session cookie."""
    return logged_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value


def communicator(cookie=None, origin=ORIGIN):
    """A socket to /ws/ as a tab of the site sends it (Host, Origin, the session cookie)."""
    headers = [HOST]
    if origin is not None:
        headers.append(origin)
    if cookie is not None:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/", headers=headers)


async def connect_ready(ws):
    """Connect `ws` and read its session.ready."""
    connected, _code = await ws.connect(timeout=ARRIVES)
    assert connected
    ready = await ws.receive_json_from(timeout=ARRIVES)
    assert ready["type"] == "session.ready", ready
    return ws


def fresh_channel_layer():
    """Forget the process's channel layer: the next get_channel_layer() builds a new one.

    Each test runs in an event loop of its own, while channels-redis keeps asyncio locks on
    the layer; a lock waited on in one test's loop and left so (a receive cancelled while it
    waited) fails the next test's receive with "bound to a different event loop". A layer
    per test, as a layer per server process. Only when no socket of the test is open.
    """
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)


class Tabs:
    """Opens sockets and, at the end, disconnects every one still running.

    A socket left running when the test's event loop closes is cancelled there, its
    channel-layer receive in flight (with Redis, such a cancellation can be lost: see
    `disconnect`): every socket a test opens goes through here. The test gets a channel
    layer of its own (`fresh_channel_layer`).
    """

    def __init__(self):
        self.opened = []

    async def __aenter__(self):
        fresh_channel_layer()
        return self

    async def __aexit__(self, *exc_info):
        try:
            await self.close_all()
        finally:
            fresh_channel_layer()

    def communicator(self, cookie=None, origin=ORIGIN):
        """A socket not connected yet, disconnected at the end."""
        ws = communicator(cookie, origin=origin)
        self.opened.append(ws)
        return ws

    async def ready(self, cookie):
        """A tab of the browser whose session cookie is `cookie`, past session.ready."""
        return await connect_ready(self.communicator(cookie))

    async def __call__(self, user, cookie=None):
        """A tab of `user` past session.ready: in a new browser session, or in the one of `cookie`."""
        cookie = cookie or await database_sync_to_async(session_cookie)(user)
        return await self.ready(cookie)

    async def close_all(self):
        errors = []
        for ws in self.opened:
            if ws._future is None or ws.future.done():  # never started, or already over
                continue
            try:
                await disconnect(ws)
            except BaseException as error:  # close the others, then report
                errors.append(error)
        self.opened = []
        if errors:
            raise errors[0]


async def disconnect(ws, code=1000, look_every=0.05):
    """Close `ws` as the browser does; return once its consumer has ended (disconnect hooks run).

    The consumer ends by cancelling its channel-layer receive. With channels-redis that
    cancellation can be lost (redis-py sends each command under `asyncio.wait_for`, which on
    Python 3.11 can swallow a cancellation that arrives as the command completes): the
    receive then goes on blocking in BZPOPMIN, 5 s at a time, and a consumer left so at the
    end of the test's event loop can hang it. A receive whose cancellation is pending is
    cancelled again (looked for every `look_every` seconds: how often, nothing is asserted
    from it); the consumer itself is never cancelled while it may be running its hooks.
    """
    await ws.send_input({"type": "websocket.disconnect", "code": code})
    layer_receive = type(get_channel_layer()).receive.__code__
    try:
        async with asyncio.timeout(ARRIVES):
            while not ws.future.done():
                await asyncio.wait([ws.future], timeout=look_every)
                for task in asyncio.all_tasks():
                    code_of = getattr(task.get_coro(), "cr_code", None)
                    if code_of is layer_receive and task.cancelling() and not task.done():
                        task.cancel()
    finally:
        if not ws.future.done():  # stuck: do not leave it to the end of the event loop
            ws.future.cancel()
            await asyncio.wait([ws.future], timeout=ARRIVES)
    if not ws.future.cancelled():
        ws.future.result()  # what the consumer raised, if anything


async def assert_accepted_then_closed_with(ws, code):
    """Accepted (so that the browser can see a close code), then closed with `code`."""
    connected, _subprotocol = await ws.connect(timeout=ARRIVES)
    assert connected is True
    assert await ws.receive_output(timeout=ARRIVES) == {"type": "websocket.close", "code": code}


async def assert_refused_at_handshake(ws):
    """Refused before it is accepted (the browser sees an HTTP 403 and code 1006)."""
    connected, _code = await ws.connect(timeout=ARRIVES)
    assert connected is False


async def assert_closed_with(ws, code):
    """An accepted socket is closed by the server with `code`, with nothing sent before."""
    assert await ws.receive_output(timeout=ARRIVES) == {"type": "websocket.close", "code": code}


# --- Frames and replies ---------------------------------------------------------------------


async def subscribe(ws, group):
    await ws.send_json_to({"action": "subscribe", "group": group})
    return await ws.receive_json_from(timeout=ARRIVES)


async def until_pong(ws):
    """Ping, and return what arrived before the pong: the direct replies to the frames sent before.

    The consumer handles a socket's frames one at a time, so when the pong comes, every
    earlier frame was handled (its action's handler has returned) and its replies are here.
    """
    await ws.send_json_to({"action": "ping"})
    seen = []
    while True:
        event = await ws.receive_json_from(timeout=ARRIVES)
        if event == PONG:
            return seen
        seen.append(event)


async def assert_alive(ws):
    """No reply is pending to the frames the socket sent, and it still answers a ping."""
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


def translated(text):
    """What the member reads: `text` in the site's language (a tab with no language cookie)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(text)


# --- Through the channel layer: events and barriers -------------------------------------------


async def group_event(group, event_type="notification.read", data=None):
    """Send an event to a group the way realtime.send_now does, from async code."""
    await get_channel_layer().group_send(
        group, {"type": "realtime.event", "event": realtime.envelope(event_type, None, data or {})}
    )


def _barrier_event():
    return {"type": BARRIER_TYPE, "id": None, "data": {"token": uuid.uuid4().hex}}


async def send_barrier(user_id):
    """Send a sentinel event to every socket of `user_id` (group user.<id>); return it."""
    barrier = _barrier_event()
    await get_channel_layer().group_send(realtime.user_group(user_id), {"type": "realtime.event", "event": barrier})
    return barrier


async def events_before(ws, barrier):
    """What `ws` received before `barrier` (sent with send_barrier), in order."""
    seen = []
    while True:
        event = await ws.receive_json_from(timeout=ARRIVES)
        if event == barrier:
            return seen
        assert event.get("type") != BARRIER_TYPE, f"another barrier came first: {event}"
        seen.append(event)


async def events_before_barrier(ws, user_id):
    """Everything sent to `ws` (a socket of `user_id`, their only one) until now, in order.

    Call it once what was to be sent is sent (the action acknowledged, the service returned).
    """
    return await events_before(ws, await send_barrier(user_id))


async def assert_nothing_before_barrier(ws, user_id, *more_tabs):
    """Nothing was sent to `ws` (nor to `more_tabs`) until now: a barrier arrives first.

    `ws` and `more_tabs` must be every open socket of `user_id`: each of them gets the barrier.
    """
    barrier = await send_barrier(user_id)
    for tab in (ws, *more_tabs):
        assert await events_before(tab, barrier) == []


# --- Actions as plain functions ------------------------------------------------------------


class Listener:
    """Test channels joined to groups of the configured channel layer, as a socket's would be.

    `take(group)` returns what was sent to the group since the last take, in order
    (realtime events unwrapped to the envelope a browser gets; control messages such as
    session.recheck as they are). It sends a sentinel to its own channel and reads up to
    it: what was sent before is all there, without waiting.
    """

    def __init__(self, *groups):
        self.layer = get_channel_layer()
        self.channels = {group: f"testlistener.{uuid.uuid4().hex}" for group in dict.fromkeys(groups)}

    def __enter__(self):
        for group, channel in self.channels.items():
            async_to_sync(self.layer.group_add)(group, channel)
        return self

    def __exit__(self, *exc_info):
        for group, channel in self.channels.items():
            async_to_sync(self.layer.group_discard)(group, channel)

    def take(self, group):
        return async_to_sync(self._drain)(self.channels[group])

    def take_all(self):
        return {group: self.take(group) for group in self.channels}

    async def _drain(self, channel):
        sentinel = {"type": BARRIER_TYPE, "token": uuid.uuid4().hex}
        await self.layer.send(channel, sentinel)
        received = []
        async with asyncio.timeout(ARRIVES):
            while (message := await self.layer.receive(channel)) != sentinel:
                if message.get("type") == BARRIER_TYPE:
                    # An earlier take's sentinel: channels-redis acknowledges a message it
                    # delivered in a task that the end of async_to_sync's loop may cancel,
                    # and then delivers it again. Only the last message of a take (its
                    # sentinel) can be left unacknowledged so.
                    continue
                received.append(message["event"] if message.get("type") == "realtime.event" else message)
        return received


def action_socket(user, *, follows=(), state=None, channel_name=None):
    """What the consumer hands to an action handler for a socket of `user` (a user or an id).

    `follows`: the groups the socket subscribed to; `state`: the dict the consumer keeps for
    the life of the socket (reuse the Socket to send it several frames). Each socket gets
    a channel name of its own, like a tab.
    """
    user_id = getattr(user, "pk", user)
    channel_name = channel_name or f"specific.test!{uuid.uuid4().hex[:16]}"
    return realtime.Socket(user_id, channel_name, set(follows), {} if state is None else state)


@dataclass
class ActionOutcome:
    events: list  # what the consumer sends back to the socket that asked
    refusal: tuple | None  # (reason, message) that the consumer sends as session.error
    published: dict = field(default_factory=dict)  # group listened to -> what was sent to it, in order

    @property
    def reason(self):
        return self.refusal[0] if self.refusal else None

    @property
    def message(self):
        return self.refusal[1] if self.refusal else None


def run_action(capture_on_commit_callbacks, socket, name, content, *, listen=(), language=None):
    """Run the action `name` for `socket` as the consumer does, its on-commit callbacks included.

    `capture_on_commit_callbacks`: pytest-django's `django_capture_on_commit_callbacks`
    fixture. `content` is the frame without its "action" key. `listen`: groups whose
    events are returned in `published`. `language`: the page's (default: the site's, as for
    a tab without the language cookie).
    """
    frame = {"action": name, **content}
    with Listener(*listen) as listener:
        with capture_on_commit_callbacks(execute=True):
            events, refusal = _run_action(realtime.ACTIONS[name], socket, frame, language or settings.LANGUAGE_CODE)
        published = listener.take_all()
    return ActionOutcome(events, refusal, published)
