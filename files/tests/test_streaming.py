"""Uploads stream: the limiting upload handler, and a 200 MB file parsed, checked and stored
under a memory bound (tracemalloc), its body generated lazily so that the test itself never
holds it either."""

import hashlib
import io
import json
import os
import random
import shutil
import struct
import tracemalloc
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.urls import reverse

from extranet.testing.factories import drive_of, root_of
from files import content, permissions
from files.models import FileVersion
from files.uploadhandler import LimitedUploadHandler, limit_uploads, upload_too_large

BOUNDARY = "----maillage-boundary-7MA4YWxkTrZu0gW"
BLOCK = 64 * 1024
MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
_BASE = random.Random(19).randbytes(BLOCK)


def video_blocks(size):
    """The bytes of a fake MP4 of `size` bytes, 64 KiB at a time, each block different."""
    sent = 0
    index = 0
    while sent < size:
        block = MP4_HEAD + _BASE[len(MP4_HEAD):] if index == 0 else struct.pack(">Q", index) + _BASE[8:]
        block = block[: size - sent]
        sent += len(block)
        index += 1
        yield block


def multipart(fields, files):
    """(content length, generator of the body's pieces) of a multipart/form-data body.

    fields: [(name, value)]; files: [(field name, file name, content type, size, blocks())]."""
    pieces = []  # (bytes) or (size, callable giving the blocks)
    for name, value in fields:
        pieces.append((f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").encode())
    for field, file_name, content_type, size, blocks in files:
        pieces.append((f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; "
                       f"filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n").encode())
        pieces.append((size, blocks))
        pieces.append(b"\r\n")
    pieces.append(f"--{BOUNDARY}--\r\n".encode())
    length = sum(piece[0] if isinstance(piece, tuple) else len(piece) for piece in pieces)

    def generate():
        for piece in pieces:
            if isinstance(piece, tuple):
                yield from piece[1]()
            else:
                yield piece

    return length, generate()


class LazyInput(io.RawIOBase):
    """A wsgi.input reading from a generator: never more than one block held."""

    def __init__(self, pieces):
        self.pieces = pieces
        self.pending = b""

    def readable(self):
        return True

    def read(self, size=-1):
        if size is None or size < 0:
            raise AssertionError("the whole body was asked for")
        while len(self.pending) < size:
            piece = next(self.pieces, None)
            if piece is None:
                break
            self.pending += piece
        data, self.pending = self.pending[:size], self.pending[size:]
        return data

    def readline(self, size=-1):  # Django reads a multipart body with read() only
        raise AssertionError("readline")


def wsgi_environ(length, pieces, path="/", **extra):
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": LazyInput(pieces),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(length),
        **extra,
    }


def small_file(size, fill=b"a"):
    return lambda: iter([fill * size])


# --- The handler ----------------------------------------------------------------------------


def test_a_file_over_the_limit_stops_the_upload_and_leaves_nothing_on_disk():
    length, pieces = multipart(
        [("csrfmiddlewaretoken", "jeton")],
        [("files", "petit.txt", "text/plain", 100, small_file(100)),
         ("files", "../gros.txt", "text/plain", 10_000, small_file(10_000)),
         ("files", "apres.txt", "text/plain", 10, small_file(10))],
    )
    request = WSGIRequest(wsgi_environ(length, pieces))
    limit_uploads(request, max_bytes=4096)
    handler = request.upload_handlers[0]
    assert isinstance(handler, LimitedUploadHandler)
    assert request.POST["csrfmiddlewaretoken"] == "jeton"  # the fields before it are kept
    assert [f.name for f in request.FILES.getlist("files")] == ["petit.txt"]
    assert upload_too_large(request) == "gros.txt"
    assert handler.file.closed
    assert not os.path.exists(handler.file.file.name)
    assert request.META["wsgi.input"].read(10) == b""  # the rest of the body was read (and thrown away)


def test_files_under_the_limit_go_to_disk_each_counted_alone():
    length, pieces = multipart(
        [("titre", "Été")],
        [("files", "un.txt", "text/plain", 4096, small_file(4096, b"u")),
         ("files", "deux.txt", "text/plain", 4000, small_file(4000, b"d"))],
    )
    request = WSGIRequest(wsgi_environ(length, pieces))
    limit_uploads(request, max_bytes=4096)
    files = request.FILES.getlist("files")
    assert upload_too_large(request) is None
    assert request.POST["titre"] == "Été"
    assert [(f.name, f.size) for f in files] == [("un.txt", 4096), ("deux.txt", 4000)]
    assert all(isinstance(f, TemporaryUploadedFile) for f in files)  # on disk, even small ones
    assert files[1].read() == b"d" * 4000
    for file in files:
        file.close()


def test_no_file_too_large_before_parsing():
    length, pieces = multipart([("a", "b")], [])
    request = WSGIRequest(wsgi_environ(length, pieces))
    limit_uploads(request, max_bytes=10)
    assert upload_too_large(request) is None
    assert request.POST["a"] == "b"


# --- 200 MB ---------------------------------------------------------------------------------

SIZE = 200 * 1024 * 1024
MEMORY_BOUND = 40 * 1024 * 1024


@pytest.fixture
def upload_temp_dir(settings):
    """Temporary upload files next to the private storage (on disk: /tmp may be in memory, and
    on the same file system the storage moves them with a rename)."""
    folder = Path(settings.PRIVATE_FILES_ROOT) / "_uploads"
    folder.mkdir(parents=True, exist_ok=True)
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    yield folder
    leftovers = list(folder.iterdir())
    shutil.rmtree(folder, ignore_errors=True)
    assert leftovers == []  # every temporary file went away (moved into the storage, or deleted)


def expected_digest(size):
    digest = hashlib.sha256()
    for block in video_blocks(size):
        digest.update(block)
    return digest.hexdigest()


def test_a_200_mb_upload_is_parsed_checked_and_stored_under_40_mb_of_memory(upload_temp_dir):
    expected = expected_digest(SIZE)
    length, pieces = multipart(
        [("csrfmiddlewaretoken", "jeton"), ("description", "Formation tablette")],
        [("files", "formation.mp4", "video/mp4", SIZE, lambda: video_blocks(SIZE))],
    )
    assert length > SIZE
    blob = None
    tracemalloc.start()
    try:
        request = WSGIRequest(wsgi_environ(length, pieces))
        limit_uploads(request, max_bytes=SIZE)
        upload = request.FILES["files"]
        checked = content.check_upload(upload, max_size=SIZE)
        blob = content.store(checked)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        assert upload_too_large(request) is None
        assert request.POST["description"] == "Formation tablette"
        assert (checked.name, checked.content_type) == ("formation.mp4", "video/mp4")
        assert peak < MEMORY_BOUND, f"peak {peak / 1024 / 1024:.1f} MB"
        assert blob.size == SIZE == storages["files"].size(blob.name)
        assert blob.sha256 == expected
        with storages["files"].open(blob.name, "rb") as stored:
            stored.seek(SIZE - BLOCK)
            assert stored.read() == struct.pack(">Q", SIZE // BLOCK - 1) + _BASE[8:]
    finally:
        upload.close()
        if blob is not None:
            content.delete_blob(blob.name)


# --- 200 MB through the whole site ----------------------------------------------------------


@pytest.fixture
def no_connection_closing():
    """What Django's test client does around a request: the request_started/finished signals
    must not close the database connection of the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_a_200_mb_upload_through_the_site_into_a_space_folder(client, member, territory, no_connection_closing,
                                                              upload_temp_dir):
    folder = root_of(drive_of(territory.space))
    assert permissions.can_write_drive(member, folder.drive)
    client.force_login(member)
    secret = _get_new_csrf_string()  # the cookie's secret; the same 32 characters are a valid form token
    cookies = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; " \
              f"{settings.CSRF_COOKIE_NAME}={secret}"
    expected = expected_digest(SIZE)
    length, pieces = multipart(
        [("csrfmiddlewaretoken", secret)],
        [("files", "formation.mp4", "video/mp4", SIZE, lambda: video_blocks(SIZE))],
    )
    environ = wsgi_environ(length, pieces, path=reverse("fichiers:upload", args=[folder.pk]),
                           HTTP_COOKIE=cookies, HTTP_ACCEPT="application/json")
    statuses = []
    version = None
    tracemalloc.start()
    try:
        response = WSGIHandler()(environ, lambda status, headers, exc_info=None: statuses.append(status))
        answer = b"".join(response)
        response.close()
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        assert statuses == ["200 OK"], answer
        version = FileVersion.objects.select_related("file").get(file__folder=folder, file__name="formation.mp4")
        assert json.loads(answer) == {"ok": True, "files": [{
            "id": version.file_id, "name": "formation.mp4", "version": 1, "size": SIZE,
            "url": f"/bureau/fichiers/{version.file_id}/"}]}
        assert (version.size, version.content_type, version.sha256) == (SIZE, "video/mp4", expected)
        assert storages["files"].size(version.blob.name) == SIZE
        assert peak < MEMORY_BOUND, f"peak {peak / 1024 / 1024:.1f} MB"
    finally:
        for blob in FileVersion.objects.filter(file__folder=folder).values_list("blob", "thumbnail"):
            for name in blob:
                content.delete_blob(name)
