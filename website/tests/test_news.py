"""News: the index (tags, pagination), the article page, the RSS and Atom feeds."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from django.utils.translation import gettext

from extranet.testing.pages import measure_queries, queries_flat, soup, text_of
from website.models import NEWS_PER_PAGE
from website.tests import builders

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def index(home):
    return builders.add_news_index(home, intro="<p>La vie du réseau.</p>")


def add_many(index, count, start=date(2024, 1, 1), **kwargs):
    return [
        builders.add_news(index, f"Actualité {number}", date=start + timedelta(days=number), **kwargs)
        for number in range(count)
    ]


def test_a_news_item_in_french_with_its_tags_and_author(client, index):
    image = builders.make_image("Atelier tablettes")
    news = builders.add_news(
        index,
        "Des ateliers tablettes",
        date=date(2025, 3, 4),
        author_name="Hélène Morel",
        intro="Six séances pour apprivoiser la tablette.",
        lead_image=image,
        tags=["ateliers", "seniors"],
        body=[("heading", "Où s'inscrire ?"), ("paragraph", "<p>À la médiathèque.</p>")],
    )
    response = client.get(news.url)
    assert response.status_code == 200
    page = soup(response)
    assert len(page.find_all("h1")) == 1 and text_of(page.h1) == "Des ateliers tablettes"
    time = page.find("time")
    assert time["datetime"] == "2025-03-04" and text_of(time) == "4 mars 2025"
    assert gettext("by %(author)s") % {"author": "Hélène Morel"} in text_of(page.find(class_="article__meta"))
    assert page.find("img", alt="Atelier tablettes (photo)") is not None
    assert text_of(page.find(class_="lead")) == "Six séances pour apprivoiser la tablette."
    assert page.find("h2", string="Où s'inscrire ?") is not None
    tag_links = [(text_of(a), a["href"]) for a in page.select("a.tag")]
    assert tag_links == [("ateliers", "/actualites/?tag=ateliers"), ("seniors", "/actualites/?tag=seniors")]
    # The feeds are announced in the head.
    alternates = {link["type"]: link["href"] for link in page.find_all("link", rel="alternate")}
    assert alternates == {
        "application/rss+xml": "/actualites/flux/rss/",
        "application/atom+xml": "/actualites/flux/atom/",
    }


def test_the_index_lists_live_news_newest_first(client, index):
    builders.add_news(index, "Ancienne", date=date(2024, 1, 5))
    builders.add_news(index, "Récente", date=date(2025, 2, 12))
    draft = builders.add_news(index, "Brouillon", date=date(2025, 3, 1))
    draft.unpublish()

    page = soup(client.get(index.url))
    titles = [text_of(h) for h in page.select(".news-card__title")]
    assert titles == ["Récente", "Ancienne"]
    assert [text_of(t) for t in page.select(".news-card time")] == ["12 février 2025", "5 janvier 2024"]
    assert len(page.find_all("h1")) == 1
    assert "La vie du réseau." in text_of(page.find(class_="lead"))


def test_the_index_filters_by_tag(client, index):
    builders.add_news(index, "Tablettes", tags=["ateliers", "seniors"])
    builders.add_news(index, "Bilan", tags=["bilan"])
    builders.add_news(index, "Sans étiquette")

    page = soup(client.get(index.url, {"tag": "ateliers"}))
    assert [text_of(h) for h in page.select(".news-card__title")] == ["Tablettes"]
    current = page.select_one('.tag-filter a[aria-current="page"]')
    assert text_of(current) == "ateliers"
    # Every tag used is offered, by name.
    assert [text_of(a) for a in page.select(".tag-filter li a")][1:] == ["ateliers", "bilan", "seniors"]

    page = soup(client.get(index.url, {"tag": "inconnue"}))
    assert page.select(".news-card") == []
    assert page.select_one(".empty") is not None

    # A long or odd tag gives an ordinary page.
    response = client.get(index.url, {"tag": "x" * 5000 + "\x00"})
    assert response.status_code == 200
    assert soup(response).select(".news-card") == []

    page = soup(client.get(index.url))
    assert len(page.select(".news-card")) == 3


def test_the_index_paginates_ten_per_page(client, index):
    add_many(index, NEWS_PER_PAGE + 3)

    first = soup(client.get(index.url))
    assert len(first.select(".news-card")) == NEWS_PER_PAGE
    assert text_of(first.select_one(".news-card__title")) == f"Actualité {NEWS_PER_PAGE + 2}"
    next_link = first.select_one('.pagination a[rel="next"]')
    assert next_link["href"] == "?page=2"

    second = soup(client.get(index.url, {"page": 2}))
    assert [text_of(h) for h in second.select(".news-card__title")] == ["Actualité 2", "Actualité 1", "Actualité 0"]
    assert second.select_one('.pagination a[rel="prev"]')["href"] == "?"
    assert second.find("link", rel="canonical")["href"].endswith("/actualites/?page=2")

    # Junk page numbers fall back on a real page.
    assert soup(client.get(index.url, {"page": "abc"})).select(".news-card")
    assert len(soup(client.get(index.url, {"page": "999"})).select(".news-card")) == 3


def test_pagination_keeps_the_tag(client, index):
    add_many(index, NEWS_PER_PAGE + 1, tags=["ateliers"])
    page = soup(client.get(index.url, {"tag": "ateliers"}))
    assert page.select_one('.pagination a[rel="next"]')["href"] == "?tag=ateliers&page=2"
    page = soup(client.get(index.url, {"tag": "ateliers", "page": 2}))
    assert len(page.select(".news-card")) == 1


def test_rss_feed(client, index):
    builders.add_news(index, "Ancienne", date=date(2024, 1, 5), intro="Un <b>vieux</b> texte.", tags=["bilan"])
    builders.add_news(index, "Récente", date=date(2025, 2, 12), author_name="Claire Dumas")
    builders.add_news(index, "Brouillon", date=date(2025, 3, 1)).unpublish()

    response = client.get("/actualites/flux/rss/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    assert channel.findtext("title") == "Actualités"
    assert channel.findtext("link") == "http://localhost/actualites/"
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Récente", "Ancienne"]
    assert items[0].findtext("link") == "http://localhost/actualites/actualite-2/"
    assert items[0].findtext("pubDate").startswith("Wed, 12 Feb 2025")
    assert items[1].findtext("description") == "Un <b>vieux</b> texte."  # text, escaped in the XML
    assert [c.text for c in items[1].findall("category")] == ["bilan"]


def test_atom_feed(client, index):
    builders.add_news(index, "Ancienne", date=date(2024, 1, 5))
    builders.add_news(index, "Récente", date=date(2025, 2, 12), author_name="Claire Dumas")

    response = client.get("/actualites/flux/atom/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/actualites/flux/atom/"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Récente", "Ancienne"]
    assert entries[0].find(f"{ATOM}link").get("href") == "http://localhost/actualites/actualite-2/"
    assert entries[0].find(f"{ATOM}author").findtext(f"{ATOM}name") == "Claire Dumas"
    assert entries[1].find(f"{ATOM}author") is None
    assert feed.findtext(f"{ATOM}updated").startswith("20")


def test_feeds_hold_the_twenty_latest(client, index):
    add_many(index, 22)
    channel = ET.fromstring(client.get("/actualites/flux/rss/").content).find("channel")
    titles = [item.findtext("title") for item in channel.findall("item")]
    assert len(titles) == 20 and titles[0] == "Actualité 21" and "Actualité 1" not in titles


def test_news_index_query_count_is_pinned_and_flat(client, index, django_assert_max_num_queries):
    image = builders.make_image()

    def grow(factor):
        for _ in range(factor):
            builders.add_news(index, "Avec image", lead_image=image, tags=["ateliers", "seniors"])

    queries, page = queries_flat(client, index.url, grow)
    assert len(page.select(".news-card")) == NEWS_PER_PAGE
    assert len(page.select(".news-card img")) == NEWS_PER_PAGE
    # Site and page routing, view restrictions (6), the count, the menu, the breadcrumb,
    # the tags, the news with their images (4 with renditions and tags), public() (2).
    assert queries == 14
    with django_assert_max_num_queries(14):
        client.get(index.url)
    # A tag filter costs the same.
    tagged = index.url + "?tag=ateliers"
    client.get(tagged)
    assert measure_queries(client, tagged)[0] == queries
