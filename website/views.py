"""Views of the public site outside the page tree: robots.txt, sitemap.xml, the search."""

from django.contrib.sitemaps.views import sitemap as django_sitemap
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.models import Site

from members.forms import clean_search_text
from website import selectors
from website.sitemaps import site_root_url, sitemaps_for

SEARCH_PER_PAGE = 20
# Parts of the site that are not for search engines: the desk, the editors' interface,
# the accounts and the invitation links.
ROBOTS_DISALLOW = ["/bureau/", "/cms/", "/compte/", "/invitation/"]


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW), ""]
    lines.append(f"Sitemap: {site_root_url(request)}{reverse('sitemap')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_GET
def sitemap(request):
    return django_sitemap(request, sitemaps=sitemaps_for(request))


@require_GET
def site_map(request):
    """Plan du site: the live public pages of the tree, the directory of venues and the desk."""
    from website import footer

    site = Site.find_for_request(request)
    return render(request, "website/site_map.html", {"tree": footer.site_map(site)})


@require_GET
def site_search(request):
    """Pages of the site and venues of the directory matching `q`, in two paginated lists
    (`page` and `vpage`). Long or odd input is cut, never refused; no `q`, just the form."""
    from directory.selectors import venues_public

    query = clean_search_text(request.GET.get("q"))
    context = {"query": query}
    if query:
        pages = Paginator(selectors.pages_matching(query, site=Site.find_for_request(request)), SEARCH_PER_PAGE)
        venues = Paginator(venues_public(text=query), SEARCH_PER_PAGE)
        context["pages"] = pages = pages.get_page(request.GET.get("page", "")[:10])
        context["venues"] = venues = venues.get_page(request.GET.get("vpage", "")[:10])
        # Each list's links keep the other list where it is.
        context["search_params"] = {
            "q": query,
            "page": pages.number if pages.number > 1 else None,
            "vpage": venues.number if venues.number > 1 else None,
        }
    return render(request, "website/search.html", context)
