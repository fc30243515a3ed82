"""Server processes for the tests that need a real server: the browser tests and the
multi-process realtime tests.

`DaphneServer` runs `python -m daphne extranet.asgi:application` in a subprocess on the test
database (a file on SQLite, test_<name> on PostgreSQL) with the test settings
(extranet.testing.settings: the same password hasher and, under pytest-xdist, the same
cache and channel prefixes as the worker that started it). `WebsocketClient` is just
enough of an RFC 6455 client to talk to it; `HttpSession` a logged-in browser-like session.
"""

import asyncio
import base64
import hashlib
import http.client
import json
import os
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

BASE_DIR = Path(settings.BASE_DIR)
STARTUP_TIMEOUT = 60
EVENT_TIMEOUT = 10
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

requires_redis = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"),
    reason="REDIS_URL is not set: the two-process test needs channels-redis (CI runs it with REDIS_URL)",
)


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
    # The test settings (the fast password hasher the factories used, the worker's prefixes).
    env["DJANGO_SETTINGS_MODULE"] = "extranet.testing.settings"
    # A server lives for the whole run of a worker: its logins all come from 127.0.0.1 and its
    # cache is out of the tests' reach (extranet.testing.settings turns its rate limits off).
    env["MAILLAGE_TEST_SERVER"] = "1"
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

    def wait_ready(self, timeout=STARTUP_TIMEOUT, port_attempts=3):
        """The /healthz answer, once the server is up. A port taken between `free_port` and the
        server's bind (another test process may have picked it too) means another port."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                if port_attempts > 1 and "Address already in use" in self.output():
                    port_attempts -= 1
                    self.port = free_port()
                    self.url = f"http://127.0.0.1:{self.port}"
                    self.log.truncate(0)
                    self.start()
                    continue
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

    async def _events(self, timeout, expected, seen):
        """The next events, each within what is left of `timeout` (TimeoutError naming
        `expected` and what was `seen` when it runs out)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            remaining = deadline - asyncio.get_running_loop().time()
            try:
                if remaining <= 0:
                    raise TimeoutError
                yield await self.receive_json(timeout=remaining)
            except TimeoutError:
                raise TimeoutError(f"expected {expected} within {timeout} s; received {seen}") from None

    async def receive_until(self, event_type, timeout=EVENT_TIMEOUT):
        """Events received until (and with) the first of `event_type`, within `timeout`."""
        seen = []
        async for event in self._events(timeout, event_type, seen):
            seen.append(event)
            if event.get("type") == event_type:
                return seen

    async def receive_types(self, *types, timeout=EVENT_TIMEOUT):
        """The next events until one of each of `types` arrived, as {type: event}; nothing else may come."""
        seen = {}
        async for event in self._events(timeout, types, seen):
            assert event["type"] in types and event["type"] not in seen, (event, seen)
            seen[event["type"]] = event
            if set(seen) == set(types):
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
