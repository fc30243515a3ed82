"""The site search (/recherche/): pages of the site and venues of the directory."""

from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from extranet.testing.factories import VenueFactory
from extranet.testing.pages import soup, text_of
from website.tests import builders
from website.views import SEARCH_PER_PAGE

pytestmark = pytest.mark.django_db

URL = "/recherche/"


def query_of(href):
    assert href.startswith("?")
    return parse_qs(href[1:])


def result_titles(page, section_id):
    section = page.find("section", attrs={"aria-labelledby": section_id})
    return [text_of(a) for a in section.select(".result-list > li > a")]


def test_the_route():
    assert reverse("site-search") == URL


def test_without_words_only_the_form(client, home):
    response = client.get(URL)
    assert response.status_code == 200
    page = soup(response)
    assert len(page.find_all("h1")) == 1
    field = page.find("input", attrs={"name": "q"})
    assert page.find("label", attrs={"for": field["id"]}) is not None
    assert page.select(".search-results") == []


def test_finds_pages_and_venues(client, home, territory):
    index = builders.add_news_index(home)
    builders.add_news(index, "Ateliers tablettes pour les seniors", intro="Six séances à Gramat.")
    builders.add_news(index, "Rencontre des animateurs").unpublish()
    builders.add_standard(home, "Mentions légales", slug="mentions-legales")
    VenueFactory(territory=territory, name="Médiathèque de Gramat-le-Vieux", city="Gramat-le-Vieux")
    VenueFactory(territory=territory, name="EPM de Limogne", city="Limogne-en-Quercy")

    page = soup(client.get(URL, {"q": "tablettes"}))
    assert result_titles(page, "page-results-title") == ["Ateliers tablettes pour les seniors"]
    assert result_titles(page, "venue-results-title") == []

    page = soup(client.get(URL, {"q": "gramat"}))
    assert "Médiathèque de Gramat-le-Vieux" in result_titles(page, "venue-results-title")
    assert "EPM de Limogne" not in result_titles(page, "venue-results-title")
    link = page.find("a", string="Médiathèque de Gramat-le-Vieux")
    assert link["href"].startswith("/annuaire/")

    # Unpublished pages are not found.
    page = soup(client.get(URL, {"q": "animateurs"}))
    assert "Rencontre des animateurs" not in result_titles(page, "page-results-title")


def test_a_five_thousand_character_query_gives_a_normal_page(client, home):
    response = client.get(URL, {"q": "tablette " * 600 + "\x00"})
    assert response.status_code == 200
    field = soup(response).find("input", attrs={"name": "q"})
    assert len(field["value"]) <= 100 and "\x00" not in field["value"]


def test_the_query_is_escaped(client, home):
    query = '<script>alert("x")</script>'
    html = client.get(URL, {"q": query}).content.decode()
    assert query not in html
    assert "&lt;script&gt;" in html


def test_both_lists_are_paginated_separately(client, home, territory):
    index = builders.add_news_index(home)
    for number in range(SEARCH_PER_PAGE + 2):
        builders.add_news(index, f"Atelier numéro {number}", slug=f"atelier-{number}")
    for number in range(SEARCH_PER_PAGE + 1):
        VenueFactory(territory=territory, name=f"Atelier numérique {number:02d}")

    page = soup(client.get(URL, {"q": "atelier"}))
    assert len(result_titles(page, "page-results-title")) == SEARCH_PER_PAGE
    assert len(result_titles(page, "venue-results-title")) == SEARCH_PER_PAGE
    next_links = [query_of(a["href"]) for a in page.select('.pagination a[rel="next"]')]
    assert next_links == [{"q": ["atelier"], "page": ["2"]}, {"q": ["atelier"], "vpage": ["2"]}]

    page = soup(client.get(URL, {"q": "atelier", "vpage": 2}))
    assert len(result_titles(page, "page-results-title")) == SEARCH_PER_PAGE
    assert result_titles(page, "venue-results-title") == [f"Atelier numérique {SEARCH_PER_PAGE:02d}"]
    # The pages list keeps the venues where they are.
    assert query_of(page.select('.pagination a[rel="next"]')[0]["href"]) == {
        "q": ["atelier"],
        "page": ["2"],
        "vpage": ["2"],
    }


def test_the_header_search_form(client, home):
    page = soup(client.get("/"))
    form = page.select_one("header form[role=search]")
    assert form["action"] == URL and form["method"] == "get"
    field = form.find("input", attrs={"name": "q"})
    label = form.find("label", attrs={"for": field["id"]})
    assert label is not None and text_of(label)
