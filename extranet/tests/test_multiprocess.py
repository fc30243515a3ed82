"""Realtime across server processes: what several daphne workers behind a proxy do.

With REDIS_URL (CI runs the suite a second time with it), two real daphne processes serve
the test database: a member holds a websocket on process A while an HTTP request served
by process B approves a newcomer of the same venue; the notification must reach the
socket held by A through channels-redis. Without REDIS_URL that part is skipped (with the
reason printed), and the tests check that the in-memory layer refuses several workers.

The helpers (`DaphneServer`, `WebsocketClient`) serve the browser tests too.
"""

import asyncio
import base64
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client

from extranet.models import Notification
from extranet.testing.factories import CoordinatorFactory, PendingUserFactory, UserFactory
from extranet.workers import check_worker_count
from members.models import User

BASE_DIR = Path(settings.BASE_DIR)
IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
STARTUP_TIMEOUT = 60
EVENT_TIMEOUT = 10
# Longer than channels-redis's blocking read (brpop_timeout = 5 s) and redis-py's default socket timeout.
IDLE_SECONDS = 8
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


# --- Helpers: a daphne process on the test database --------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_database_url():
    """DATABASE_URL of the database the tests use (test_<name> on PostgreSQL, a file on SQLite)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if connection.is_in_memory_db():
            raise ImproperlyConfigured("A server process cannot share an in-memory SQLite database.")
        return f"sqlite:///{Path(name).resolve()}"
    if connection.vendor == "postgresql":
        user = quote(db.get("USER") or "", safe="")
        password = quote(db.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = db.get("HOST") or "127.0.0.1"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{credentials}{host}{port}/{quote(db['NAME'], safe='')}"
    raise ImproperlyConfigured(f"No server process for the {connection.vendor} database backend.")


def server_environment(**extra):
    env = {
        **os.environ,
        "DATABASE_URL": server_database_url(),
        "DEBUG": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Sessions made by the test process must be valid in the server process.
        "SECRET_KEY": settings.SECRET_KEY,
        "WEB_CONCURRENCY": "1",
        "MAILLAGE_ENV_FILE": os.devnull,
        "EMAIL_URL": "console:",
        "HTTPS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # Set for the test process (Playwright); a server must not hide sync ORM calls in async code.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra)
    return env


class DaphneServer:
    """`python -m daphne ... extranet.asgi:application` in a subprocess; stop() kills it."""

    def __init__(self, name="daphne", env=None):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env or server_environment()
        self.log = tempfile.NamedTemporaryFile(prefix=f"maillage-{name}-", suffix=".log", delete=False)
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "extranet.asgi:application"],
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def wait_ready(self, timeout=STARTUP_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.output()}")
            try:
                status, body = http_get(self.port, "/healthz", timeout=2)
            except OSError:
                time.sleep(0.1)
                continue
            if status == 200:
                return json.loads(body)
            raise RuntimeError(f"{self.name} is unhealthy ({status}): {body}\n{self.output()}")
        raise TimeoutError(f"{self.name} did not answer within {timeout} s:\n{self.output()}")

    def output(self):
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-6000:]

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def http_get(port, path, cookies=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Cookie": cookie_header(cookies)} if cookies else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def cookie_header(cookies):
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


class HttpSession:
    """A logged-in browser-like session against one server: cookies and the CSRF token."""

    def __init__(self, port, session_key):
        self.port = port
        self.cookies = {settings.SESSION_COOKIE_NAME: session_key}

    def request(self, method, path, form=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Cookie": cookie_header(self.cookies)}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, text
        finally:
            conn.close()


# --- Helpers: a small websocket client (RFC 6455), asyncio only ----------------------------


class WebsocketClosed(Exception):
    def __init__(self, code):
        super().__init__(f"websocket closed with code {code}")
        self.code = code


class WebsocketClient:
    """Just enough of a client: handshake, masked text frames out, text/ping/close in."""

    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer

    @classmethod
    async def connect(cls, port, path="/ws/", origin=None, cookies=None, timeout=10):
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            f"Origin: {origin or f'http://127.0.0.1:{port}'}",
        ]
        if cookies:
            lines.append(f"Cookie: {cookie_header(cookies)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in header_lines if ": " in line)
        headers = {name.lower(): value for name, value in headers.items()}
        if status_line.split(" ")[1] != "101":
            writer.close()
            raise ConnectionRefusedError(f"handshake refused: {status_line}")
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            writer.close()
            raise ConnectionError("bad Sec-WebSocket-Accept")
        return cls(reader, writer)

    def _send_frame(self, opcode, payload):
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        self.writer.write(header + mask + masked)

    async def send_json(self, data):
        self._send_frame(0x1, json.dumps(data).encode())
        await self.writer.drain()

    async def _read_frame(self):
        first, second = await self.reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", await self.reader.readexactly(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
        mask = await self.reader.readexactly(4) if second & 0x80 else None
        payload = await self.reader.readexactly(length)
        if mask:
            payload = bytes(byte ^ mask[i % 4] for i, byte in enumerate(payload))
        return bool(first & 0x80), first & 0x0F, payload

    async def _receive_message(self):
        parts = []
        while True:
            fin, opcode, payload = await self._read_frame()
            if opcode == 0x8:  # close
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                raise WebsocketClosed(code)
            if opcode == 0x9:  # ping
                self._send_frame(0xA, payload)
                await self.writer.drain()
                continue
            if opcode == 0xA:  # pong
                continue
            parts.append(payload)
            if fin:
                return b"".join(parts).decode()

    async def receive_json(self, timeout=EVENT_TIMEOUT):
        return json.loads(await asyncio.wait_for(self._receive_message(), timeout))

    async def receive_until(self, event_type, timeout=EVENT_TIMEOUT):
        """Events received until (and with) the first of `event_type`, within `timeout`."""
        seen = []
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"no {event_type} within {timeout} s; received {seen}")
            try:
                event = await self.receive_json(timeout=remaining)
            except TimeoutError:
                raise TimeoutError(f"no {event_type} within {timeout} s; received {seen}") from None
            seen.append(event)
            if event.get("type") == event_type:
                return seen

    async def close(self):
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
            await asyncio.wait_for(self.writer.drain(), 2)
        except (TimeoutError, OSError):
            pass
        self.writer.close()
        try:
            await asyncio.wait_for(self.writer.wait_closed(), 2)
        except (TimeoutError, OSError):
            pass


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


requires_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: the two-process test needs channels-redis (CI runs it with REDIS_URL)",
)


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
