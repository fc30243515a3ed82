"""The error pages, in the site's style."""

import pytest
from bs4 import BeautifulSoup
from django.template import Context
from django.template.loader import get_template
from django.views import defaults

from extranet.testing.pages import soup, text_of
from website.tests import builders

pytestmark = pytest.mark.django_db


def test_404_page_is_styled(client, home):
    builders.add_standard(home, "Le programme", slug="le-programme", show_in_menus=True)
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    page = soup(response)
    assert page.find("link", rel="stylesheet", href="/static/css/website.css") is not None
    assert page.find("html")["lang"] == "fr"
    assert len(page.find_all("h1")) == 1
    assert page.select_one("main#main .error-box") is not None
    # The way back: the public menu, a search form and the home page.
    assert page.select_one('nav.public-nav a[href="/le-programme/"]') is not None
    form = page.select_one("main form[role=search]")
    assert form["action"] == "/recherche/"
    assert page.select_one('main a[href="/"]') is not None


def test_404_under_the_desk_is_styled_too(member_client):
    response = member_client.get("/bureau/nulle-part/")
    assert response.status_code == 404
    assert soup(response).select_one("main .error-box h1") is not None


def test_500_page_renders_without_request_nor_database(django_assert_num_queries):
    """Django renders 500.html with an empty context, perhaps with the database down."""
    with django_assert_num_queries(0):
        html = get_template("500.html").template.render(Context())
    page = BeautifulSoup(html, "html.parser")
    assert len(page.find_all("h1")) == 1
    assert page.find("link", rel="stylesheet", href="/static/css/website.css") is not None
    assert text_of(page.select_one(".error-box__code")) == "500"
    assert page.select_one('main a[href="/"]') is not None


def test_500_page_through_the_handler(rf):
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    page = soup(response)
    assert text_of(page.select_one(".error-box__code")) == "500"
    assert page.find("meta", attrs={"property": "og:title"}) is None
