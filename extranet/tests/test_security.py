"""The security headers and defaults of issue 14: the Content-Security-Policy of every
response, the language cookie, compression, no third-party call, icons, the Site record
and the deploy check; and a deeply nested websocket frame (the one transactional test,
at the end).

The policy as a browser enforces it (no violation on the real pages) is proved in
test_csp_browser.py; here, the header each kind of page carries.
"""

import gzip
import json

import pytest
from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import checks
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from extranet.checks import check_base_url
from extranet.consumers import MAX_FRAME_BYTES
from extranet.security import TextGZipMiddleware, tile_origin, websocket_origin
from extranet.testing.pages import soup
from extranet.testing.sockets import ARRIVES, PONG, Tabs, assert_alive
from website.tests import builders

IGN_TILES = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png"
    "&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)


def policy(response):
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_strict(directives):
    """No inline script or style, no eval: what the issue asks of every page."""
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["font-src"] == ["'self'"]
    for sources in directives.values():
        assert "'unsafe-inline'" not in sources
        assert "'unsafe-eval'" not in sources


# --- Content-Security-Policy -----------------------------------------------------------


@pytest.fixture
def news(db):
    from website.models import HomePage

    index = builders.add_news_index(HomePage.objects.get())
    return builders.add_news(index, "Des ateliers pour les seniors", slug="ateliers-seniors")


@pytest.mark.parametrize("url", ["/", "/annuaire/", "/compte/login/", "/no-such-page/"])
def test_public_pages_carry_the_strict_policy(client, db, url):
    response = client.get(url)
    directives = policy(response)
    assert_strict(directives)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:", "blob:", "https://tile.openstreetmap.org"]
    assert directives["connect-src"] == ["'self'", "ws://127.0.0.1:8000"]


def test_a_news_page_carries_the_strict_policy(client, news):
    response = client.get("/actualites/ateliers-seniors/")
    assert response.status_code == 200
    assert_strict(policy(response))


def test_the_desk_carries_the_strict_policy(member_client):
    response = member_client.get("/bureau/")
    assert response.status_code == 200
    directives = policy(response)
    assert_strict(directives)
    assert directives["frame-ancestors"] == ["'none'"]


def test_wagtails_admin_alone_has_its_documented_relaxation(editor):
    """/cms/ only: inline scripts and styles (Wagtail's widgets, Draftail), framing by itself
    (the preview panel); never eval, never another origin (extranet/security.py says why)."""
    client = Client()
    client.force_login(editor)
    response = client.get("/cms/")
    assert response.status_code == 200
    directives = policy(response)
    assert directives["script-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]
    assert directives["frame-ancestors"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["connect-src"] == ["'self'", "ws://127.0.0.1:8000"]
    assert all("'unsafe-eval'" not in sources for sources in directives.values())


def test_wagtails_preview_of_a_page_is_strict_but_may_be_framed_by_the_editor(editor, news):
    # What the editor's preview panel frames: the page rendered through the middleware with
    # a dummy request for its own URL (the policy is set there, the outer /cms/ response keeps it).
    request = RequestFactory().get(f"/cms/pages/{news.pk}/edit/preview/")
    request.user = editor
    response = news.make_preview_request(original_request=request)
    assert response.status_code == 200
    assert b"Des ateliers pour les seniors" in response.content
    directives = policy(response)
    assert_strict(directives)
    assert directives["frame-ancestors"] == ["'self'"]


def test_static_files_and_json_carry_it_too(client, db):
    assert policy(client.get("/static/css/maillage.css"))["script-src"] == ["'self'"]
    assert policy(client.get("/healthz"))["default-src"] == ["'self'"]


def test_the_tile_server_of_the_setting_is_allowed_for_images(client, db):
    with override_settings(MAP_TILE_URL=IGN_TILES):
        directives = policy(client.get("/annuaire/"))
    assert directives["img-src"] == ["'self'", "data:", "blob:", "https://data.geopf.fr"]


def test_the_sites_websocket_follows_base_url(client, db):
    with override_settings(BASE_URL="https://maillage.example.org"):
        directives = policy(client.get("/"))
    assert directives["connect-src"] == ["'self'", "wss://maillage.example.org"]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        (IGN_TILES, "https://data.geopf.fr"),
        ("http://127.0.0.1:8080/tiles/{z}/{x}/{y}.png", "http://127.0.0.1:8080"),
        ("/tuiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
    ids=["osm", "subdomains", "ign", "port", "same-site", "empty"],
)
def test_tile_origin(url, origin):
    assert tile_origin(url) == origin


@pytest.mark.parametrize(
    ("base_url", "origin"),
    [
        ("https://maillage.example.org", "wss://maillage.example.org"),
        ("http://127.0.0.1:8000", "ws://127.0.0.1:8000"),
        ("not a url", None),
    ],
    ids=["https", "http", "broken"],
)
def test_websocket_origin(base_url, origin):
    assert websocket_origin(base_url) == origin


def test_pages_have_no_inline_script_or_style(client, news):
    """What the policy would block, absent from the HTML itself (JSON data blocks allowed)."""
    for url in ["/", "/annuaire/", "/actualites/ateliers-seniors/", "/actualites/"]:
        page = soup(client.get(url))
        for script in page.select("script"):
            assert script.get("src") or script.get("type") in ("application/json", "application/ld+json"), url
        assert page.select("style") == [], url
        assert page.select("[style]") == [], url
        handlers = [name for node in page.find_all(True) for name in node.attrs if name.startswith("on")]
        assert handlers == [], url


def test_the_avatar_has_its_size_as_a_class_not_a_style(member_client, member):
    response = member_client.get(f"/bureau/membres/{member.pk}/")
    avatar = soup(response).select_one(".avatar--initials")
    assert avatar is not None
    assert avatar.get("style") is None
    assert "avatar--96" in avatar["class"]


# --- Language cookie ----------------------------------------------------------------------


def test_the_language_cookie_is_lax_and_secure_under_https(db):
    client = Client()
    with override_settings(LANGUAGE_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True, SESSION_COOKIE_SECURE=True):
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
    assert response.status_code == 302
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en"
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert "Secure" in cookie.output()
    assert "SameSite=Lax" in cookie.output()


def test_the_language_cookie_settings():
    # The test settings run in DEBUG without HTTPS: not Secure, still Lax.
    assert settings.LANGUAGE_COOKIE_SAMESITE == "Lax"
    assert settings.LANGUAGE_COOKIE_SECURE is settings.HTTPS is False


# --- Compression ----------------------------------------------------------------------------


def test_a_page_is_gzipped_when_the_client_accepts_it(client, db):
    response = client.get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert html.startswith("<!DOCTYPE html>")
    assert "Maillage" in html


def test_a_page_is_plain_when_the_client_does_not_accept_gzip(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    assert "Accept-Encoding" in response["Vary"]
    assert response.content.decode().startswith("<!DOCTYPE html>")


def test_json_is_gzipped_too(client, territory):
    from directory.models import Venue
    from extranet.testing.factories import VenueFactory

    for number in range(6):  # enough points for the answer to pass GZipMiddleware's 200 bytes
        VenueFactory(territory=territory, name=f"Médiathèque {number}", latitude=44.4 + number / 100, longitude=1.44)
    response = client.get("/annuaire/carte.json", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Encoding"] == "gzip"
    data = json.loads(gzip.decompress(response.content))
    assert data["count"] == Venue.objects.count() == 6


def test_only_text_is_compressed_not_images():
    image = HttpResponse(b"\x89PNG" + b"\x00" * 500, content_type="image/png")
    page = HttpResponse(b"<p>" + b"x" * 500 + b"</p>", content_type="text/html; charset=utf-8")
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    middleware = TextGZipMiddleware(lambda request: None)
    assert not middleware.process_response(request, image).has_header("Content-Encoding")
    assert middleware.process_response(request, page)["Content-Encoding"] == "gzip"


# --- No third-party call by default -------------------------------------------------------------


def test_wagtails_avatars_do_not_call_gravatar(editor):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    client = Client()
    client.force_login(editor)
    response = client.get("/cms/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "gravatar" not in html.lower()
    avatars = [img["src"] for img in soup(response).select(".avatar img")]
    assert avatars != []
    assert all(src.startswith("/static/wagtailadmin/images/default-user-avatar.png") for src in avatars), avatars


# --- Icons ---------------------------------------------------------------------------------


def test_the_head_links_the_icons_and_the_manifest(client, db):
    page = soup(client.get("/"))
    links = {(link["rel"][0], link.get("type", "")): link["href"] for link in page.select("head link[rel]")}
    assert links[("icon", "image/svg+xml")] == "/static/img/favicon.svg"
    assert links[("icon", "image/png")] == "/static/img/favicon-32.png"
    assert links[("apple-touch-icon", "")] == "/static/img/apple-touch-icon.png"
    assert links[("manifest", "")] == "/static/img/maillage.webmanifest"
    for href in links.values():
        assert client.get(href).status_code == 200, href


def test_the_manifest_names_maillage_in_french(client, db):
    response = client.get("/static/img/maillage.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(b"".join(response.streaming_content))
    assert manifest["name"] == "Maillage"
    assert manifest["lang"] == "fr"
    assert [icon["sizes"] for icon in manifest["icons"]] == ["192x192", "512x512", "any"]
    for icon in manifest["icons"]:
        assert client.get(f"/static/img/{icon['src']}").status_code == 200


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/favicon.ico", "image/x-icon"), ("/apple-touch-icon.png", "image/png")],
)
def test_the_icons_browsers_ask_for_at_the_root_answer(client, db, path, content_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type


# --- The Site record and the deploy check -------------------------------------------------------


def test_the_site_is_named_maillage_and_points_at_base_url(db):
    # Made by extranet.0009 when the test database was migrated (BASE_URL's default there).
    site = Site.objects.get(pk=settings.SITE_ID)
    assert site.name == "Maillage"
    assert site.domain == "127.0.0.1:8000"


def test_the_site_migration_follows_base_url_and_goes_back_to_example_com(db):
    from importlib import import_module

    migration = import_module("extranet.migrations.0009_site_named_maillage")
    editor = connection.schema_editor()
    with override_settings(BASE_URL="https://maillage.example.org"):
        migration.name_the_site(global_apps, editor)
    site = Site.objects.get(pk=settings.SITE_ID)
    assert (site.name, site.domain) == ("Maillage", "maillage.example.org")

    migration.restore_example_com(global_apps, editor)
    site.refresh_from_db()
    assert (site.name, site.domain) == ("example.com", "example.com")


def test_the_site_migration_creates_the_site_on_a_new_database(db):
    from importlib import import_module

    migration = import_module("extranet.migrations.0009_site_named_maillage")
    Site.objects.all().delete()
    with override_settings(BASE_URL="https://reseau.example.org:8443"):
        migration.name_the_site(global_apps, connection.schema_editor())
    assert list(Site.objects.values_list("pk", "name", "domain")) == [(1, "Maillage", "reseau.example.org:8443")]


def test_deploy_check_warns_about_the_default_base_url():
    with override_settings(BASE_URL="http://127.0.0.1:8000"):
        warnings = check_base_url()
    assert [warning.id for warning in warnings] == ["maillage.W001"]
    assert warnings[0].level == checks.WARNING
    with override_settings(BASE_URL="https://maillage.example.org"):
        assert check_base_url() == []


def test_the_check_is_registered_for_deploy_only():
    with override_settings(BASE_URL="http://127.0.0.1:8000"):
        deploy = checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
        everyday = checks.run_checks(include_deployment_checks=False)
    assert "maillage.W001" in [message.id for message in deploy]
    assert "maillage.W001" not in [message.id for message in everyday]


# --- Websocket: a deeply nested frame (transactional, the socket end to end) -----------------


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_deeply_nested_json_is_an_error_and_the_socket_lives_on(member, caplog):
    frame = "[" * 100_000 + "]" * 100_000  # deeper than the parser's stack, under the frame limit
    assert len(frame.encode()) < MAX_FRAME_BYTES
    async with Tabs() as tabs:
        socket = await tabs(member)
        with caplog.at_level("WARNING"):
            await socket.send_to(text_data=frame)
            reply = await socket.receive_json_from(timeout=ARRIVES)
            assert reply == {"type": "session.error", "id": None, "data": {"error": "invalid JSON"}}
            # Still open, and answering: nothing else pending, then a ping gets its pong.
            await assert_alive(socket)
            await socket.send_json_to({"action": "ping"})
            assert await socket.receive_json_from(timeout=ARRIVES) == PONG
    assert [record.getMessage() for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")] == []
    assert "RecursionError" not in caplog.text


def test_every_avatar_size_the_templates_ask_for_has_its_css_rule():
    """includes/avatar.html sizes by class: a size without its rule would fall back to 40 px."""
    import re
    from pathlib import Path

    root = Path(settings.BASE_DIR)
    sizes = set()
    for template in (root / "templates").rglob("*.html"):
        for call in re.findall(r'include "includes/avatar\.html"[^%]*', template.read_text()):
            sizes.update(re.findall(r"size=(\d+)", call))
    css = (root / "static" / "css" / "maillage.css").read_text()
    assert sizes, "no caller of includes/avatar.html found"
    missing = sorted(size for size in sizes if f".avatar--{size} {{ --size: {size}px; }}" not in css)
    assert missing == []
