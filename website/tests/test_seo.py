"""robots.txt, sitemap.xml, and the metadata of the pages (description, canonical link,
OpenGraph, Twitter card)."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.utils import timezone

from extranet.testing.factories import VenueFactory
from extranet.testing.pages import soup
from website.tests import builders

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def meta(page, key):
    tag = page.find("meta", attrs={"property": key}) or page.find("meta", attrs={"name": key})
    return tag["content"] if tag is not None else None


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert {line for line in lines if line.startswith("Disallow")} == {
        "Disallow: /bureau/",
        "Disallow: /cms/",
        "Disallow: /compte/",
        "Disallow: /invitation/",
    }
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert client.post("/robots.txt").status_code == 405


def sitemap_entries(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    return {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod") for url in root.findall(f"{SITEMAP}url")}


def test_sitemap_lists_live_public_pages(client, home):
    index = builders.add_news_index(home)
    builders.add_news(index, "Publiée", slug="publiee")
    builders.add_news(index, "Retirée", slug="retiree").unpublish()
    builders.add_standard(home, "Mentions légales", slug="mentions-legales")

    entries = sitemap_entries(client)
    assert set(entries) == {
        "http://localhost/",
        "http://localhost/actualites/",
        "http://localhost/actualites/publiee/",
        "http://localhost/mentions-legales/",
    }
    assert all(entries.values())  # every page has a lastmod


def test_sitemap_lists_the_venues(client, home, territory):
    updated = timezone.make_aware(timezone.datetime(2025, 2, 3, 10, 0))
    venue = VenueFactory(territory=territory, name="EPM de Limogne", updated_at=updated)

    entries = sitemap_entries(client)
    location = f"http://localhost{venue.get_absolute_url()}"
    assert location in entries
    assert entries[location].startswith("2025-02-03")
    assert "http://localhost/" in entries  # the pages are still there


def test_home_page_metadata(client, home):
    home.search_description = "Le réseau des lieux d'accès public à Internet."
    home.save_revision().publish()
    page = soup(client.get("/"))
    assert page.find("link", rel="canonical")["href"] == "http://localhost/"
    assert meta(page, "description") == "Le réseau des lieux d'accès public à Internet."
    assert meta(page, "og:title") == "Accueil"
    assert meta(page, "og:description") == "Le réseau des lieux d'accès public à Internet."
    assert meta(page, "og:type") == "website"
    assert meta(page, "og:url") == "http://localhost/"
    assert meta(page, "og:site_name") == "Maillage"
    assert meta(page, "og:locale") == "fr_FR"
    assert meta(page, "og:image") is None
    assert meta(page, "twitter:card") == "summary"


def test_news_metadata_with_its_image(client, home):
    index = builders.add_news_index(home)
    image = builders.make_image("Atelier tablettes")
    news = builders.add_news(
        index,
        "Des ateliers tablettes",
        slug="ateliers",
        date=date(2025, 3, 4),
        intro="Six séances  pour\napprivoiser la tablette.",
        lead_image=image,
        seo_title="Ateliers tablettes pour les seniors",
    )
    page = soup(client.get(news.url))
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:title") == "Ateliers tablettes pour les seniors"
    assert page.title.string.startswith("Ateliers tablettes pour les seniors")
    # No search description: the intro, whitespace collapsed.
    assert meta(page, "og:description") == "Six séances pour apprivoiser la tablette."
    assert meta(page, "description") == "Six séances pour apprivoiser la tablette."
    assert meta(page, "og:url") == "http://localhost/actualites/ateliers/"
    assert page.find("link", rel="canonical")["href"] == "http://localhost/actualites/ateliers/"
    assert meta(page, "og:image").startswith("http://localhost/media/images/")
    assert (meta(page, "og:image:width"), meta(page, "og:image:height")) == ("1200", "630")
    assert meta(page, "og:image:alt") == "Atelier tablettes (photo)"
    assert meta(page, "article:published_time") == "2025-03-04"
    assert meta(page, "twitter:card") == "summary_large_image"
    assert meta(page, "twitter:image") == meta(page, "og:image")


def test_a_long_description_is_cut(client, home):
    page = builders.add_standard(home, search_description="mot " * 200)
    description = meta(soup(client.get(page.url)), "og:description")
    assert 150 < len(description) <= 200 and description.endswith("…")


def test_metadata_is_escaped(client, home):
    page = builders.add_standard(home, title='Le "programme" <b>', search_description='<script>x</script> "q"')
    html = client.get(page.url).content.decode()
    assert "<script>x</script>" not in html
    assert '<meta property="og:title" content="Le &quot;programme&quot; &lt;b&gt;">' in html


def test_no_page_metadata_outside_the_page_tree(client):
    page = soup(client.get("/recherche/"))
    assert meta(page, "og:title") is None and page.find("link", rel="canonical") is None
