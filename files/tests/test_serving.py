"""files.serving.blob_response: the three ways out (django, x-accel, redirect), the headers, and
that the site's middleware (CSP, X-Frame-Options, gzip) leaves them as they are."""

import gzip

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.http import Http404, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path

from files import content
from files.serving import blob_response
from files.tests.test_content import SVG_WITH_SCRIPT, image_bytes, pdf_bytes

PNG = image_bytes("PNG")
PDF = pdf_bytes()
SANDBOX = "default-src 'none'; sandbox"


@pytest.fixture
def blob():
    """Three stored blobs: a PNG, a PDF, an SVG with a script."""
    storage = storages["files"]
    for kind in ("png", "pdf", "svg"):  # left by an interrupted run: the names must stay these
        content.delete_blob(f"2026/12/test-serving.{kind}")
    names = {
        "png": storage.save("2026/12/test-serving.png", ContentFile(PNG)),
        "pdf": storage.save("2026/12/test-serving.pdf", ContentFile(PDF)),
        "svg": storage.save("2026/12/test-serving.svg", ContentFile(SVG_WITH_SCRIPT)),
    }
    yield names
    for name in names.values():
        content.delete_blob(name)


def serve(blob_name, name, content_type, inline=False):
    return blob_response(RequestFactory().get("/"), blob_name=blob_name, name=name, content_type=content_type,
                         inline=inline)


def body(response):
    data = b"".join(response.streaming_content)
    response.file_to_stream.close()  # (response.close() would send request_finished: database access)
    return data


# --- FILES_SERVE = "django" -----------------------------------------------------------------


def test_an_image_inline_with_an_accented_name(blob, settings):
    settings.FILES_SERVE = "django"
    response = serve(blob["png"], "Été à Brest.png", "image/png", inline=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%C3%89t%C3%A9%20%C3%A0%20Brest.png"
    assert response["Content-Length"] == str(len(PNG))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["Content-Security-Policy"] == SANDBOX
    assert body(response) == PNG


def test_a_download_is_an_attachment(blob, settings):
    settings.FILES_SERVE = "django"
    response = serve(blob["png"], "photo.png", "image/png")
    assert response["Content-Disposition"] == 'attachment; filename="photo.png"'
    assert response["X-Frame-Options"] == "DENY"
    assert body(response) == PNG


def test_a_pdf_inline_may_be_framed_by_the_site(blob, settings):
    settings.FILES_SERVE = "django"
    response = serve(blob["pdf"], "guide.pdf", "application/pdf", inline=True)
    assert response["Content-Disposition"] == 'inline; filename="guide.pdf"'
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert body(response) == PDF


def test_a_pdf_as_a_download_is_sandboxed(blob, settings):
    settings.FILES_SERVE = "django"
    response = serve(blob["pdf"], "guide.pdf", "application/pdf")
    assert response["Content-Disposition"] == 'attachment; filename="guide.pdf"'
    assert response["Content-Security-Policy"] == SANDBOX
    body(response)


@pytest.mark.parametrize(("name", "content_type"), [
    ("dessin.svg", "image/svg+xml"),
    ("notes.txt", "text/plain"),
    ("page.html", "text/html"),
    ("film.mp4", "video/mp4"),
    ("budget.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
], ids=["svg", "text", "html", "video", "xlsx"])
def test_inline_is_refused_for_anything_but_raster_images_and_pdf(blob, settings, name, content_type):
    settings.FILES_SERVE = "django"
    response = serve(blob["svg"], name, content_type, inline=True)
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["Content-Type"] == content_type
    assert response["Content-Security-Policy"] == SANDBOX
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert body(response) == SVG_WITH_SCRIPT


def test_a_name_with_quotes_and_control_characters_cannot_break_the_header(blob, settings):
    settings.FILES_SERVE = "django"
    response = serve(blob["png"], 'a"b\r\nSet-Cookie: x.png', "image/png")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''a%22b%0D%0ASet-Cookie%3A%20x.png"
    assert "Set-Cookie" not in response
    body(response)


def test_a_lost_blob_answers_404(settings):
    settings.FILES_SERVE = "django"
    with pytest.raises(Http404):
        serve("2026/12/lost.png", "x.png", "image/png")


# --- FILES_SERVE = "x-accel" ----------------------------------------------------------------


def test_x_accel_hands_the_file_to_nginx(blob, settings):
    settings.FILES_SERVE = "x-accel"
    settings.FILES_ACCEL_PREFIX = "/_protected_files/"
    response = serve(blob["png"], "Été.png", "image/png", inline=True)
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == "/_protected_files/2026/12/test-serving.png"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == "inline; filename*=utf-8''%C3%89t%C3%A9.png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["Content-Security-Policy"] == SANDBOX


def test_x_accel_svg_is_an_attachment(settings):
    settings.FILES_SERVE = "x-accel"
    settings.FILES_ACCEL_PREFIX = "/interne/"
    response = serve("2026/12/x y.svg", "x.svg", "image/svg+xml", inline=True)
    assert response["X-Accel-Redirect"] == "/interne/2026/12/x%20y.svg"
    assert response["Content-Disposition"] == 'attachment; filename="x.svg"'
    assert response["Content-Security-Policy"] == SANDBOX


# --- FILES_SERVE = "redirect" ---------------------------------------------------------------


class SigningStorage(FileSystemStorage):
    """Like django-storages' S3 storage: `url(name, parameters=None, expire=None)`."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        query = "&".join(f"{key}={value}" for key, value in sorted((parameters or {}).items()))
        return f"https://s3.example.org/bucket/{name}?X-Amz-Signature=abc&{query}"


def storages_with(backend, options):
    return {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "files": {"BACKEND": backend, "OPTIONS": options},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


def test_redirect_to_a_signed_url_asking_for_our_headers(tmp_path):
    with override_settings(FILES_SERVE="redirect",
                           STORAGES=storages_with(f"{__name__}.SigningStorage", {"location": tmp_path})):
        response = serve("2026/12/abc.pdf", "Compte rendu.pdf", "application/pdf", inline=True)
    assert response.status_code == 302
    assert response["Location"] == (
        "https://s3.example.org/bucket/2026/12/abc.pdf?X-Amz-Signature=abc&"
        "ResponseContentDisposition=inline;%20filename=%22Compte%20rendu.pdf%22&ResponseContentType=application/pdf")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_redirect_svg_asks_for_an_attachment(tmp_path):
    with override_settings(FILES_SERVE="redirect",
                           STORAGES=storages_with(f"{__name__}.SigningStorage", {"location": tmp_path})):
        response = serve("2026/12/abc.svg", "x.svg", "image/svg+xml", inline=True)
    assert "ResponseContentDisposition=attachment;%20filename=%22x.svg%22&" in response["Location"]


def test_redirect_to_the_plain_url_of_a_storage_without_parameters(tmp_path):
    with override_settings(FILES_SERVE="redirect", STORAGES=storages_with(
            "django.core.files.storage.FileSystemStorage",
            {"location": tmp_path, "base_url": "https://fichiers.example.org/"})):
        response = serve("2026/12/abc.png", "x.png", "image/png")
    assert response.status_code == 302
    assert response["Location"] == "https://fichiers.example.org/2026/12/abc.png"


# --- Through the site's middleware ----------------------------------------------------------


def blob_view(request, kind, inline):
    names = {"png": ("photo.png", "image/png"), "pdf": ("guide.pdf", "application/pdf"),
             "svg": ("dessin.svg", "image/svg+xml")}
    name, content_type = names[kind]
    return blob_response(request, blob_name=f"2026/12/test-serving.{kind}", name=name, content_type=content_type,
                         inline=inline == "inline")


def page_view(request):
    return HttpResponse("<p>page</p>")


urlpatterns = [
    path("essai/<str:kind>/<str:inline>/", blob_view),
    path("essai/page/", page_view),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "inline", "csp", "frame"), [
    ("png", "inline", SANDBOX, "SAMEORIGIN"),
    ("pdf", "inline", "default-src 'none'; frame-ancestors 'self'", "SAMEORIGIN"),
    ("pdf", "attachment", SANDBOX, "DENY"),
    ("svg", "inline", SANDBOX, "DENY"),
], ids=["png", "pdf-inline", "pdf-attachment", "svg"])
def test_the_site_middleware_keeps_the_headers_set_here(client, blob, settings, kind, inline, csp, frame):
    settings.FILES_SERVE = "django"
    with override_settings(ROOT_URLCONF=__name__):
        page = client.get("/essai/page/")
        response = client.get(f"/essai/{kind}/{inline}/", HTTP_ACCEPT_ENCODING="gzip")
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]  # the site's policy, on a page
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == csp
    assert response["X-Frame-Options"] == frame
    assert response["X-Content-Type-Options"] == "nosniff"
    data = b"".join(response.streaming_content)
    response.close()
    if response.get("Content-Encoding") == "gzip":  # the site compresses SVG (text) for clients that accept it
        data = gzip.decompress(data)
    assert data == {"png": PNG, "pdf": PDF, "svg": SVG_WITH_SCRIPT}[kind]
