"""The links of the footer every page shows: legal notice, accessibility, personal data, contact.

The editors choose the pages in the `FooterPages` site setting (/cms/settings/). Reading
them costs one query, for every site at once, kept in the cache; the request then only
picks its site in Python, so a page costs no query once the cache is warm. Publishing,
unpublishing or moving a page, or saving the setting or a site, reads them again at once
(and after the commit, for the other processes), so that pages keep their query count;
deleting a page empties the cache. A page left empty, or not live, is not linked.

Works without a request (the 500 page: no query at all then).
"""

from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished, post_page_move

if TYPE_CHECKING:
    from django.http import HttpRequest
    from wagtail.models import Page, Site

CACHE_KEY = "website:footer-pages"
CACHE_SECONDS = 3600
LINKS = ("legal_notice", "accessibility", "personal_data", "contact")
REQUEST_ATTRIBUTE = "_maillage_footer_pages"


def _page_url(page: "Page", root_path: str) -> str | None:
    """The page's path on its site ("/mentions-legales/"), None outside the site's tree."""
    if not page.live or not page.url_path.startswith(root_path):
        return None
    return "/" + page.url_path[len(root_path):]


def _load() -> dict[int, dict[str, Any]]:
    """{site: {...}} for every site that has the setting: one query."""
    from website.models import FooterPages

    rows = FooterPages.objects.select_related("site__root_page", *LINKS)
    sites: dict[int, dict[str, Any]] = {}
    for row in rows:
        site = row.site
        root_path = site.root_page.url_path
        links: dict[str, dict[str, str]] = {}
        for name in LINKS:
            page = getattr(row, name)
            url = _page_url(page, root_path) if page is not None else None
            if url:
                links[name] = {"title": page.title, "url": url}
        sites[site.pk] = {
            "hostname": site.hostname,
            "port": site.port,
            "default": site.is_default_site,
            "links": links,
            "compliance": row.accessibility_compliance,
        }
    return sites


def _site_of(sites: dict[int, dict[str, Any]], request: "HttpRequest") -> dict[str, Any] | None:
    """Wagtail's rule (`Site.find_for_request`) on the cached sites: the host and port, then
    the host alone when one site has it, then the default site."""
    try:
        hostname = request.get_host().split(":")[0].lower()
    except Exception:  # DisallowedHost: the default site
        hostname = ""
    raw_port = request.get_port()
    port: int | None
    try:
        port = int(raw_port)
    except (TypeError, ValueError):
        port = None
    same_host = [s for s in sites.values() if s["hostname"] == hostname]
    for site in same_host:
        if site["port"] == port:
            return site
    if len(same_host) == 1:
        return same_host[0]
    return next((s for s in sites.values() if s["default"]), None)


def footer_pages(request: "HttpRequest | None") -> dict[str, Any] | None:
    """{"links": {name: {"title", "url"}}, "compliance": "partial"} for the request's site, or
    None (no request, no setting)."""
    if request is None:
        return None
    if hasattr(request, REQUEST_ATTRIBUTE):
        return getattr(request, REQUEST_ATTRIBUTE)
    sites = cache.get(CACHE_KEY)
    if sites is None:
        sites = _load()
        cache.set(CACHE_KEY, sites, CACHE_SECONDS)
    site = _site_of(sites, request) if sites else None
    setattr(request, REQUEST_ATTRIBUTE, site)
    return site


def site_map(site: "Site | None") -> list[dict[str, Any]]:
    """The live public pages of `site`'s tree as nested nodes {"page", "children"}, home first:
    one query. News articles are left out: the news index lists them by date."""
    from website.models import NewsPage

    if site is None:
        return []
    pages = (
        site.root_page.get_descendants(inclusive=True)
        .live()
        .public()
        .not_type(NewsPage)
        .order_by("path")
    )
    roots: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for page in pages:
        node = {"page": page, "children": []}
        while stack and not page.path.startswith(stack[-1]["page"].path):
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(node)
        stack.append(node)
    return roots


def forget(**kwargs: Any) -> None:
    cache.delete(CACHE_KEY)


def refresh(**kwargs: Any) -> None:
    """Read the pages again now and once the transaction is committed."""

    def load() -> None:
        cache.set(CACHE_KEY, _load(), CACHE_SECONDS)

    load()
    transaction.on_commit(load)


page_published.connect(refresh, dispatch_uid="website-footer-published")
page_unpublished.connect(refresh, dispatch_uid="website-footer-unpublished")
post_page_move.connect(refresh, dispatch_uid="website-footer-moved")
post_save.connect(refresh, sender="website.FooterPages", dispatch_uid="website-footer-setting")
post_delete.connect(forget, sender="website.FooterPages", dispatch_uid="website-footer-setting-deleted")


@receiver(post_delete, dispatch_uid="website-footer-page-deleted")
def _page_deleted(sender: type, instance: object, **kwargs: Any) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page):
        forget()


@receiver(post_save, sender="wagtailcore.Site", dispatch_uid="website-footer-site")
def _site_saved(**kwargs: Any) -> None:
    refresh()
