"""What the library registers with the rest of the product: the navigation entry, the
notification and activity verbs, and (on import of each module) the dashboard widget
"Ressources récentes", the workshop page's section (its kit) and the resource links."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import NavEntry, register_nav

register_nav(NavEntry(key="resources", label=_("Resources"), url_name="ressources:index", order=32))

# Each of these registers, on import, its verbs, widget or section.
from resources import sections, verbs, widgets  # noqa: E402, F401

# The public resources in sitemap.xml.
from website.sitemaps import SiteSitemap, register_sitemap  # noqa: E402


class ResourceSitemap(SiteSitemap):
    def items(self):
        from resources.models import Resource
        from resources.permissions import public_q

        return Resource.objects.filter(public_q()).only("pk", "slug", "updated_at").order_by("pk")

    def location(self, resource):
        return resource.get_public_url()

    def lastmod(self, resource):
        return resource.updated_at


register_sitemap("resources", ResourceSitemap)
