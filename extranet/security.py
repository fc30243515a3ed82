"""The Content-Security-Policy of every response, and the compression of pages.

The policy itself is `CONTENT_SECURITY_POLICY` in the settings (django-csp 4): everything
from the site only, no inline script or style, no plug-in, no framing. Two sources depend
on other settings and are added here, per response, from their current values (so that a
test overriding MAP_TILE_URL sees the header follow):

- `img-src`: the origin of the map's tile server (`MAP_TILE_URL`);
- `connect-src`: the site's own websocket (`ws:`/`wss:` of `BASE_URL`). CSP level 3 lets
  `'self'` match same-origin websockets already (Chromium, Firefox); older Safari does not,
  hence the explicit origin.

Wagtail's admin (/cms/) needs a relaxation, on its own paths only (`ADMIN_REPLACEMENTS`),
found by opening its pages in Chromium and collecting `securitypolicyviolation` events
(Wagtail 8.0):

- `script-src 'unsafe-inline'`: its form widgets start themselves with inline scripts
  (`<script>initDateChooser("id_date", ...)</script>` for every date field and list
  filter, `<script>new ImageChooser("id_lead_image", ...)</script>` for the image,
  page and document choosers); blocked, the page editor cannot choose an image or a
  date. The focal-point editor (Jcrop) sets inline event handlers. Wagtail prints no
  nonce, and the scripts carry field ids, so hashes would not hold.
- `style-src 'unsafe-inline'`: its editor's bundle (vendor.js: Draftail, tooltips)
  inserts `<style>` elements.
- `frame-ancestors 'self'`: the editor shows the live preview of a page
  (/cms/pages/<id>/edit/preview/) in a same-origin frame. Wagtail renders a preview
  through the middleware again, with a dummy request for the page's own URL
  (`request.is_dummy`): that response gets the site's strict policy with only
  `frame-ancestors 'self'` (`PREVIEW_REPLACEMENTS`).

Still no `'unsafe-eval'`, no other origin, no plug-in. The admin is for signed-in editors
only (DeskAccessMiddleware, Wagtail's permissions). Everywhere else the policy is strict.

The compression (`TextGZipMiddleware`) is Django's GZipMiddleware limited to text
responses (pages, JSON, CSV, feeds): uploaded images and PDFs are already compressed,
and static files never reach it (WhiteNoise answers before it, with its own
precompressed files). The BREACH question is answered in docs/deployment.md.
"""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.middleware.gzip import GZipMiddleware

# Directives replaced on Wagtail's admin only (why: the module's docstring).
ADMIN_PREFIX = "/cms/"
ADMIN_REPLACEMENTS: dict[str, list[str]] = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "frame-ancestors": ["'self'"],
}
# Wagtail's previews (a dummy request for the page's URL): the site's policy, framed by the editor.
PREVIEW_REPLACEMENTS: dict[str, list[str]] = {"frame-ancestors": ["'self'"]}


def tile_origin(tile_url):
    """The origin ("https://tiles.example.org") of a {z}/{x}/{y} tile URL, or None.

    A `{s}` subdomain placeholder becomes the wildcard `*.` (CSP host syntax); a URL on the
    site itself (a path, or no host) needs nothing beyond 'self'."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}.", "__subdomain__."))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].replace("__subdomain__.", "*.")
    return f"{parts.scheme}://{host}"


def websocket_origin(base_url):
    """The websocket origin of the site ("wss://maillage.example.org"), or None."""
    parts = urlsplit(base_url or "")
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def derived_sources():
    """The sources that follow other settings: {directive: [source, ...]}."""
    sources = {}
    tiles = tile_origin(getattr(settings, "MAP_TILE_URL", ""))
    if tiles:
        sources["img-src"] = [tiles]
    socket = websocket_origin(getattr(settings, "BASE_URL", ""))
    if socket:
        sources["connect-src"] = [socket]
    return sources


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the sources derived from MAP_TILE_URL and BASE_URL.

    A view's own `@csp_update` / `@csp_replace` still applies on top (django-csp merges
    `update` into the policy)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        update = {key: list(values) for key, values in derived_sources().items()}
        for key, values in (parts.update or {}).items():
            extra = [values] if isinstance(values, str) else list(values or [])
            update[key] = [*update.get(key, []), *extra]
        replace = dict(parts.replace or {})
        if request.path_info.startswith(ADMIN_PREFIX):
            replace = {**ADMIN_REPLACEMENTS, **replace}
        elif getattr(request, "is_dummy", False):
            replace = {**PREVIEW_REPLACEMENTS, **replace}
        return PolicyParts(parts.config, update or None, replace or None, parts.nonce)


COMPRESSIBLE_TYPES = (
    "text/",
    "application/json",
    "application/ld+json",
    "application/xml",
    "application/rss+xml",
    "application/atom+xml",
    "application/javascript",
    "application/manifest+json",
    "image/svg+xml",
)


class TextGZipMiddleware(GZipMiddleware):
    """GZipMiddleware for text responses only (with its Heal-The-Breach padding)."""

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not content_type.startswith(COMPRESSIBLE_TYPES):
            return response
        return super().process_response(request, response)
