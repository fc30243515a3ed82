"""The response that hands a stored file over, once a view has checked the permission.

`settings.FILES_SERVE` says how the bytes leave:

- "django": the application streams them (`FileResponse`, chunk by chunk from the storage);
- "x-accel": an empty response with `X-Accel-Redirect: FILES_ACCEL_PREFIX + blob name`;
  nginx sends the file from an `internal` location. nginx keeps Content-Type,
  Content-Disposition and Cache-Control of this response, but not the other headers: the
  internal location must repeat them, e.g.
  ``add_header X-Content-Type-Options nosniff always;``
  ``add_header Content-Security-Policy $upstream_http_content_security_policy always;``
  ``add_header X-Frame-Options $upstream_http_x_frame_options always;``
- "redirect": a 302 to the storage's own URL: with S3 and django-storages'
  `querystring_auth`, a signed URL that expires soon, asked to come back with our
  Content-Disposition and Content-Type (`parameters=`). (With the default private
  FileSystemStorage, whose `base_url` is None, that URL leads nowhere: this mode is for S3.)

Headers (django and x-accel): the content type stored, `Content-Disposition` (attachment, or
inline only for raster images and PDF; the name encoded as RFC 6266 says, `filename*=UTF-8''…`),
`X-Content-Type-Options: nosniff`, `Cache-Control: private, max-age=3600`, and a CSP:
`default-src 'none'; sandbox` (a file opened on its own cannot run anything nor reach the
site), except an inline PDF: `default-src 'none'; frame-ancestors 'self'`, so that the desk's
preview page can frame it (browsers' PDF viewers do not render in a sandbox) with
`X-Frame-Options: SAMEORIGIN`.

The site's CSP middleware (django-csp 4, `extranet.security.SiteCSPMiddleware`) only sets
its header when the response has none: the policy set here stays as it is (tested).
"""

from __future__ import annotations

import inspect
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.http import content_disposition_header

from files.content import RASTER_MIMES

INLINE_TYPES = RASTER_MIMES | {"application/pdf"}
CSP_SANDBOX = "default-src 'none'; sandbox"
CSP_PDF = "default-src 'none'; frame-ancestors 'self'"
CACHE_CONTROL = "private, max-age=3600"


def may_be_inline(content_type: str) -> bool:
    """Whether a file of this type may be shown in the browser (raster images and PDF only)."""
    return content_type in INLINE_TYPES


def _protect(response: HttpResponseBase, *, content_type: str, inline: bool) -> None:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = CACHE_CONTROL
    if inline and content_type == "application/pdf":
        response["Content-Security-Policy"] = CSP_PDF
        response["X-Frame-Options"] = "SAMEORIGIN"
    else:
        response["Content-Security-Policy"] = CSP_SANDBOX
        response["X-Frame-Options"] = "SAMEORIGIN" if inline else "DENY"


def _storage_url(storage: Storage, blob_name: str, *, disposition: str, content_type: str) -> str:
    """The storage's URL of a blob, with the response headers asked for when it takes `parameters`."""
    try:
        accepts = "parameters" in inspect.signature(storage.url).parameters
    except (TypeError, ValueError):
        accepts = False
    if accepts:
        parameters = {"ResponseContentDisposition": disposition, "ResponseContentType": content_type}
        url: str = storage.url(blob_name, parameters=parameters)  # type: ignore[call-arg]
        return url
    return storage.url(blob_name)


def blob_response(request: HttpRequest, *, blob_name: str, name: str, content_type: str,
                  inline: bool = False) -> HttpResponseBase:
    """Serve the blob `blob_name` of storages["files"] as the file `name` (after a permission check).

    `inline` is honoured only for raster images and PDF; everything else (SVG, text, ...) is
    an attachment."""
    inline = bool(inline) and may_be_inline(content_type)
    content_type = content_type or "application/octet-stream"
    disposition = content_disposition_header(not inline, name) or ("inline" if inline else "attachment")
    storage = storages["files"]
    mode = getattr(settings, "FILES_SERVE", "django")
    response: HttpResponseBase
    if mode == "redirect":
        response = HttpResponseRedirect(_storage_url(storage, blob_name, disposition=disposition,
                                                     content_type=content_type))
        response["X-Content-Type-Options"] = "nosniff"
        # The signed URL expires: the redirect itself must not be kept.
        response["Cache-Control"] = "private, no-store"
        return response
    if mode == "x-accel":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(f"{settings.FILES_ACCEL_PREFIX}{blob_name}")
        response["Content-Disposition"] = disposition
    else:
        try:
            stored = storage.open(blob_name, "rb")
        except FileNotFoundError:
            raise Http404 from None  # a blob lost on disk: not a server error
        response = FileResponse(stored, content_type=content_type)
        response["Content-Disposition"] = disposition
    _protect(response, content_type=content_type, inline=inline)
    return response
