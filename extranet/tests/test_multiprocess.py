"""Realtime across server processes: what several daphne workers behind a proxy do.

With REDIS_URL (CI runs the suite a second time with it), two real daphne processes serve
the test database: a member holds a websocket on process A while an HTTP request served
by process B approves a newcomer of the same venue; the notification must reach the
socket held by A through channels-redis. Without REDIS_URL that part is skipped (with the
reason printed), and the tests check that the in-memory layer refuses several workers.

The helpers (`DaphneServer`, `WebsocketClient`) live in extranet/testing/servers.py.
"""

import asyncio
import os
import re
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core.models import Notification
from extranet.testing.factories import CoordinatorFactory, PendingUserFactory, UserFactory
from extranet.testing.servers import (
    BASE_DIR,
    DaphneServer,
    HttpSession,
    WebsocketClient,
    WebsocketClosed,
    free_port,
    requires_redis,
    session_cookie,
)
from extranet.workers import check_worker_count
from members.models import User

pytestmark = pytest.mark.multiprocess

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Longer than channels-redis's blocking read (brpop_timeout = 5 s) and redis-py's default socket timeout.
IDLE_SECONDS = 8


# --- Without Redis: one process only -------------------------------------------------------


def test_in_memory_layer_refuses_several_workers():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        check_worker_count(2, IN_MEMORY)
    # One worker is fine with the in-memory layer.
    check_worker_count(1, IN_MEMORY)


def test_configured_layer_matches_redis_url():
    if settings.REDIS_URL:
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
        check_worker_count(2, settings.CHANNEL_LAYERS)  # shared through Redis: allowed
    else:
        assert settings.CHANNEL_LAYERS == IN_MEMORY
        with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
            check_worker_count(2, settings.CHANNEL_LAYERS)


def test_serve_with_two_workers_and_no_redis_exits_with_the_reason(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "WEB_CONCURRENCY"}}
    env.update({"DEBUG": "1", "MAILLAGE_ENV_FILE": os.devnull, "MAILLAGE_VAR_DIR": str(tmp_path)})
    env.pop("DATABASE_URL", None)  # the check runs before any database access
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--workers", "2", "--port", str(free_port())],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("`manage.py serve --workers 2` started servers with the in-memory layer instead of refusing")
    assert process.returncode != 0
    assert "REDIS_URL" in stderr
    assert "Maillage: http" not in stdout  # no server was announced


# --- Real daphne processes -------------------------------------------------------------------


@pytest.fixture
def start_servers(transactional_db):
    """start_servers(n): n daphne processes on the test database, healthy; killed afterwards."""
    started = []

    def start(count):
        servers = [DaphneServer(f"daphne-{chr(ord('A') + i)}") for i in range(count)]
        started.extend(servers)
        for server in servers:
            server.start()
        for server in servers:
            server.health = server.wait_ready()
        return servers

    try:
        yield start
    finally:
        for server in started:
            server.stop()


def csrf_token_of(html):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def approval_reaches_colleague(*, socket_server, http_server, territory, venue, other_territory):
    """A colleague's socket on `socket_server`; the coordinator approves through `http_server`.

    Returns the events the colleague's socket received up to the notification, and the
    people involved.
    """
    colleague = UserFactory(territory=territory, venues=[venue], display_name="Amélie Vidal")
    newcomer = PendingUserFactory(territory=territory, venues=[venue], display_name="Romain Espitalier")
    coordinator = CoordinatorFactory(territory=other_territory, display_name="Claire Dumas")
    bystander = UserFactory(territory=other_territory, display_name="Paul Rey")
    colleague_cookie = {settings.SESSION_COOKIE_NAME: session_cookie(colleague)}
    bystander_cookie = {settings.SESSION_COOKIE_NAME: session_cookie(bystander)}
    coordinator_http = HttpSession(http_server.port, session_cookie(coordinator))

    def approve():
        status, _headers, page = coordinator_http.request("GET", "/bureau/membres/demandes/")
        assert status == 200, page[:500]
        assert "Romain Espitalier" in page
        return coordinator_http.request(
            "POST",
            f"/bureau/membres/demandes/{newcomer.pk}/approuver/",
            form={"csrfmiddlewaretoken": csrf_token_of(page)},
        )

    async def scenario():
        colleague_socket = await WebsocketClient.connect(socket_server.port, cookies=colleague_cookie)
        bystander_socket = await WebsocketClient.connect(http_server.port, cookies=bystander_cookie)
        try:
            ready = await colleague_socket.receive_json()
            assert ready == {"type": "session.ready", "id": None, "data": {"user": colleague.pk, "unread": 0}}
            assert (await bystander_socket.receive_json())["type"] == "session.ready"

            # A real form post with its CSRF token, served by `http_server`.
            status, headers, body = await asyncio.to_thread(approve)
            assert status == 302, body[:500]
            assert headers["Location"].endswith("/bureau/membres/demandes/")

            events = await colleague_socket.receive_until("notification.new")
            # The bystander (not concerned) got nothing before the answer to its ping.
            await bystander_socket.send_json({"action": "ping"})
            assert (await bystander_socket.receive_json()) == {"type": "session.pong", "id": None, "data": {}}
            return events
        finally:
            await colleague_socket.close()
            await bystander_socket.close()

    try:
        events = asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    except Exception as exc:
        logs = "\n".join(f"--- {server.name} ---\n{server.output()}" for server in {socket_server, http_server})
        raise AssertionError(f"{exc!r}\nServer logs:\n{logs}") from exc

    newcomer.refresh_from_db()
    assert newcomer.status == User.Status.APPROVED
    notification = Notification.objects.get(recipient=colleague)
    assert notification.verb == "member.joined_venue"
    assert [event["type"] for event in events] == ["notification.new"]
    event = events[-1]
    assert event["id"] == notification.pk
    assert event["data"]["unread"] == 1
    assert "Romain Espitalier" in event["data"]["text"]
    assert not Notification.objects.filter(recipient=bystander).exists()


@pytest.mark.django_db(transaction=True)
def test_one_daphne_process_pushes_the_event_of_its_own_request(start_servers, territory, venue, other_territory):
    """The single-process path, with whatever layer is configured (in-memory without REDIS_URL)."""
    (server,) = start_servers(1)
    expected = "RedisChannelLayer" if settings.REDIS_URL else "InMemoryChannelLayer"
    assert server.health["channel_layer_backend"] == expected
    approval_reaches_colleague(
        socket_server=server, http_server=server, territory=territory, venue=venue, other_territory=other_territory
    )


@requires_redis
@pytest.mark.django_db(transaction=True)
def test_event_published_by_process_b_reaches_the_socket_held_by_process_a(
    start_servers, territory, venue, other_territory
):
    server_a, server_b = start_servers(2)
    assert server_a.health["channel_layer_backend"] == "RedisChannelLayer"
    assert server_b.health["channel_layer_backend"] == "RedisChannelLayer"
    approval_reaches_colleague(
        socket_server=server_a, http_server=server_b, territory=territory, venue=venue, other_territory=other_territory
    )


@pytest.mark.django_db(transaction=True)
def test_daphne_refuses_a_socket_from_another_origin(start_servers, member):
    (server,) = start_servers(1)
    cookie = {settings.SESSION_COOKIE_NAME: session_cookie(member)}

    async def attempt(origin):
        try:
            client = await WebsocketClient.connect(server.port, origin=origin, cookies=cookie)
        except ConnectionRefusedError as refused:
            return str(refused)
        try:
            return (await client.receive_json())["type"]
        except WebsocketClosed as closed:
            return f"closed {closed.code}"
        finally:
            await client.close()

    assert asyncio.run(attempt(f"http://127.0.0.1:{server.port}")) == "session.ready"
    assert asyncio.run(attempt("http://evil.example")).startswith("handshake refused: HTTP/1.1 403")


@pytest.mark.django_db(transaction=True)
def test_an_idle_socket_stays_open(start_servers, member):
    """No event for longer than the layer's blocking read (channels-redis: 5 s): still open."""
    (server,) = start_servers(1)
    cookie = {settings.SESSION_COOKIE_NAME: session_cookie(member)}

    async def idle_then_ping():
        client = await WebsocketClient.connect(server.port, cookies=cookie)
        try:
            assert (await client.receive_json())["type"] == "session.ready"
            await asyncio.sleep(IDLE_SECONDS)
            await client.send_json({"action": "ping"})
            return await client.receive_json()
        finally:
            await client.close()

    try:
        reply = asyncio.run(asyncio.wait_for(idle_then_ping(), timeout=IDLE_SECONDS + 30))
    except (WebsocketClosed, ConnectionError, asyncio.IncompleteReadError) as lost:
        pytest.fail(f"the idle socket was lost ({lost!r}):\n{server.output()}")
    assert reply == {"type": "session.pong", "id": None, "data": {}}


@pytest.mark.django_db(transaction=True)
def test_daphne_closes_a_refused_socket_with_a_code_the_browser_sees(start_servers, territory):
    """Accepted then closed: a browser gets 4401/4403 (not 1006 after an HTTP 403) and stops retrying."""
    (server,) = start_servers(1)
    pending = PendingUserFactory(territory=territory)
    refused = PendingUserFactory(territory=territory, status=User.Status.REFUSED)

    async def close_code(cookies):
        client = await WebsocketClient.connect(server.port, cookies=cookies)  # the handshake succeeds
        try:
            event = await client.receive_json()
        except WebsocketClosed as closed:
            return closed.code
        finally:
            await client.close()
        return f"received {event}"

    name = settings.SESSION_COOKIE_NAME
    assert asyncio.run(close_code(None)) == 4401
    assert asyncio.run(close_code({name: "not-a-real-session-key"})) == 4401
    assert asyncio.run(close_code({name: session_cookie(pending)})) == 4403
    assert asyncio.run(close_code({name: session_cookie(refused)})) == 4403


def logout_closes_the_sockets_of_that_session(*, socket_server, http_server, member):
    """Two browsers of `member` hold sockets on `socket_server`; browser A logs out through `http_server`."""
    browser_a = HttpSession(http_server.port, session_cookie(member))
    browser_b_cookie = {settings.SESSION_COOKIE_NAME: session_cookie(member)}

    def log_out():
        status, _headers, page = browser_a.request("GET", "/bureau/")
        assert status == 200, page[:500]
        return browser_a.request("POST", "/compte/logout/", form={"csrfmiddlewaretoken": csrf_token_of(page)})

    async def scenario():
        socket_a = await WebsocketClient.connect(socket_server.port, cookies=dict(browser_a.cookies))
        socket_b = await WebsocketClient.connect(socket_server.port, cookies=browser_b_cookie)
        try:
            assert (await socket_a.receive_json())["type"] == "session.ready"
            assert (await socket_b.receive_json())["type"] == "session.ready"
            status, headers, body = await asyncio.to_thread(log_out)
            assert status == 302, body[:500]
            with pytest.raises(WebsocketClosed) as closed:
                await socket_a.receive_json()
            # Browser B (another session of the same member) is still connected.
            await socket_b.send_json({"action": "ping"})
            return closed.value.code, await socket_b.receive_json()
        finally:
            await socket_a.close()
            await socket_b.close()

    try:
        code, pong = asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    except Exception as exc:
        logs = "\n".join(f"--- {server.name} ---\n{server.output()}" for server in {socket_server, http_server})
        raise AssertionError(f"{exc!r}\nServer logs:\n{logs}") from exc
    assert code == 4401
    assert pong == {"type": "session.pong", "id": None, "data": {}}


@pytest.mark.django_db(transaction=True)
def test_logging_out_closes_the_socket_of_that_session(start_servers, member):
    (server,) = start_servers(1)
    logout_closes_the_sockets_of_that_session(socket_server=server, http_server=server, member=member)


@requires_redis
@pytest.mark.django_db(transaction=True)
def test_logging_out_on_process_b_closes_the_socket_held_by_process_a(start_servers, member):
    server_a, server_b = start_servers(2)
    logout_closes_the_sockets_of_that_session(socket_server=server_a, http_server=server_b, member=member)
