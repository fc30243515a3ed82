"""The sitemap: the live public pages (Wagtail), the public pages of the venues, and the
sections apps above the website register (`register_sitemap(key, SitemapClass)`, a subclass of
`SiteSitemap` taking the request: the public resources)."""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from wagtail.contrib.sitemaps import Sitemap as PageSitemap
from wagtail.models import Site


def site_root_url(request):
    """The address of the Wagtail site answering `request` (the default site when no
    hostname matches; hostname and port are set at /cms/settings/sites/), e.g.
    https://maillage.example.org."""
    return Site.find_for_request(request).root_url


class SiteSitemap(Sitemap):
    """A sitemap section at the same address as the pages of the site."""

    def __init__(self, request):
        self.request = request
        self._root = urlsplit(site_root_url(request))

    def get_protocol(self, protocol=None):
        return self._root.scheme

    def get_domain(self, site=None):
        return self._root.netloc


class VenueSitemap(SiteSitemap):
    """The directory's venue pages."""

    def items(self):
        from directory.selectors import venues_public

        return venues_public()

    def location(self, venue):
        return venue.get_absolute_url()

    def lastmod(self, venue):
        return venue.updated_at


EXTRA_SITEMAPS: dict[str, type[SiteSitemap]] = {}


def register_sitemap(key, sitemap_class):
    EXTRA_SITEMAPS[key] = sitemap_class


def sitemaps_for(request):
    sections = {"pages": PageSitemap(request), "venues": VenueSitemap(request)}
    sections.update({key: cls(request) for key, cls in EXTRA_SITEMAPS.items()})
    return sections
