"""Uploads that stream to disk and stop at a size limit.

`limit_uploads(request, max_bytes=...)` replaces the request's upload handlers with one
`LimitedUploadHandler`: every file of the multipart body goes, chunk by chunk, to a
temporary file on disk (Django's `TemporaryFileUploadHandler`, even a small one), so a
200 MB upload never sits in memory. The bytes of each file are counted as they come; when a
file passes `max_bytes` its temporary file is deleted and the parsing stops
(`StopUpload(connection_reset=False)`: Django reads the rest of the body and throws it away,
so that the browser gets our answer); `upload_too_large(request)` then gives its name, and
the view refuses the whole upload with a French message.

Django's rule when changing upload handlers: they must be set before `request.POST` or
`request.FILES` is read, and `CsrfViewMiddleware` reads `request.POST` of every POST before
the view runs. So the view is `@csrf_exempt` (the middleware leaves it alone), installs
the handler, and calls an inner view decorated with `@csrf_protect`, which does the CSRF
check (reading the body through our handler)::

    @csrf_exempt
    def upload(request, pk):
        limit_uploads(request, max_bytes=settings.FILES_MAX_SIZE)
        return _upload(request, pk)

    @csrf_protect
    def _upload(request, pk):
        if upload_too_large(request): ...   # after request.POST / FILES were read

With `StopUpload` the fields after the too large file are lost: templates should put the
`{% csrf_token %}` first in the form (Django's usual place) or send the X-CSRFToken header
(XHR), so that the CSRF check still finds its token.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest

_ATTRIBUTE = "_files_upload_too_large"


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Django's temporary-file handler, stopping the upload when a file passes `max_bytes`."""

    def __init__(self, request: HttpRequest | None = None, *, max_bytes: int) -> None:
        super().__init__(request)
        self.max_bytes = max_bytes
        self.received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.max_bytes:
            if self.request is not None:
                setattr(self.request, _ATTRIBUTE, self._shown_name())
            file = getattr(self, "file", None)
            if file is not None:
                file.close()  # a TemporaryUploadedFile deletes itself when closed
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)

    def _shown_name(self) -> str:
        from django.core.exceptions import ValidationError

        from files.content import clean_name

        try:
            return clean_name(self.file_name or "")
        except ValidationError:
            return "?"


def limit_uploads(request: HttpRequest, *, max_bytes: int) -> None:
    """Make the request's files stream to disk and stop at `max_bytes` a file.

    Call it before anything reads `request.POST` / `request.FILES` (see the module's
    docstring for the csrf_exempt / csrf_protect rule)."""
    request.upload_handlers = [LimitedUploadHandler(request, max_bytes=max_bytes)]


def upload_too_large(request: HttpRequest) -> str | None:
    """The (cleaned) name of the file that `limit_uploads` stopped for its size, or None.

    Meaningful once the body was parsed (`request.POST` or `request.FILES` read)."""
    return getattr(request, _ATTRIBUTE, None)
