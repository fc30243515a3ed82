"""The home page: latest news, key figures, the map teaser, sections added by other apps."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from extranet.testing.factories import (
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkgroupFactory,
)
from extranet.testing.pages import queries_flat, soup, text_of
from website import home_sections, selectors
from website.tests import builders

pytestmark = pytest.mark.django_db


def figures_shown(page):
    section = page.find("section", attrs={"aria-labelledby": "figures-title"})
    return [text_of(number) for number in section.select(".key-figures__number")]


def test_key_figures_count_what_the_public_may_know(territory):
    other = TerritoryFactory(name="Vallée du Lys")
    VenueFactory(territory=territory)
    VenueFactory(territory=other)
    UserFactory(territory=territory)
    UserFactory(territory=territory)
    UserFactory(territory=territory, is_active=False)  # deactivated
    PendingUserFactory(territory=territory)  # not approved yet
    WorkgroupFactory()
    WorkgroupFactory(visibility="private", join_policy="request")
    WorkgroupFactory(visibility="secret")  # only its members know it exists
    WorkgroupFactory(archived_at=timezone.now())
    WorkgroupFactory(end_date=timezone.localdate() - timedelta(days=1))  # past its end: archived
    WorkgroupFactory(status="pending")  # waiting for approval

    assert selectors.network_figures() == {"venues": 2, "members": 2, "territories": 2, "workgroups": 2}


def test_key_figures_take_one_query(django_assert_num_queries, territory):
    VenueFactory(territory=territory)
    with django_assert_num_queries(1):
        figures = selectors.network_figures()
    assert figures == {"venues": 1, "members": 0, "territories": 1, "workgroups": 0}


def test_key_figures_of_an_empty_network(db):
    assert selectors.network_figures() == {"venues": 0, "members": 0, "territories": 0, "workgroups": 0}


def test_the_home_page_shows_the_figures_and_the_map_teaser(client, home, territory):
    for _ in range(3):
        VenueFactory(territory=territory)
    UserFactory(territory=territory)
    WorkgroupFactory()

    page = soup(client.get("/"))
    assert figures_shown(page) == ["3", "1", "1", "1"]
    teaser = page.find("section", attrs={"aria-labelledby": "map-teaser-title"})
    assert teaser.find("a", class_="button")["href"] == "/annuaire/"
    # The directory is in the public menu too.
    assert page.select_one('nav.public-nav a[href="/annuaire/"]') is not None


def test_the_home_page_shows_the_three_latest_news(client, home):
    index = builders.add_news_index(home)
    for number in range(5):
        builders.add_news(index, f"Actualité {number}", date=date(2025, 1, 1) + timedelta(days=number))
    builders.add_news(index, "Brouillon", date=date(2025, 6, 1)).unpublish()

    page = soup(client.get("/"))
    section = page.find("section", attrs={"aria-labelledby": "latest-news-title"})
    assert [text_of(h) for h in section.select(".news-card__title")] == ["Actualité 4", "Actualité 3", "Actualité 2"]
    assert [text_of(t) for t in section.select("time")] == ["5 janvier 2025", "4 janvier 2025", "3 janvier 2025"]
    assert section.find("a", href="/actualites/") is not None  # all the news
    assert page.find("link", rel="alternate", type="application/rss+xml")["href"] == "/actualites/flux/rss/"
    assert len(page.find_all("h1")) == 1


def test_without_news_no_news_section(client, home):
    page = soup(client.get("/"))
    assert page.find("section", attrs={"aria-labelledby": "latest-news-title"}) is None
    assert page.find("link", rel="alternate") is None


def test_other_apps_add_sections(client, home, settings, tmp_path):
    (tmp_path / "templates" / "workshops").mkdir(parents=True)
    (tmp_path / "templates" / "workshops" / "home.html").write_text(
        '<section aria-labelledby="workshops-title"><h2 id="workshops-title">Prochains ateliers</h2>'
        "<p>{{ workshops|join:', ' }}</p></section>"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path / "templates"]}]

    def workshops(request):
        return home_sections.HomeSection("workshops/home.html", {"workshops": ["Linux", "Scratch"]})

    def nothing(request):
        return None

    home_sections.register(workshops)
    home_sections.register(nothing)
    try:
        page = soup(client.get("/"))
    finally:
        home_sections.unregister(workshops)
        home_sections.unregister(nothing)
    section = page.find("section", attrs={"aria-labelledby": "workshops-title"})
    assert text_of(section) == "Prochains ateliers Linux, Scratch"
    # Unregistered: gone, and nothing in its place.
    assert soup(client.get("/")).find(id="workshops-title") is None


def test_the_public_menu(client, home):
    builders.add_news_index(home)  # in menus
    builders.add_standard(home, "Mentions légales", slug="mentions-legales")  # not in menus
    programme = builders.add_standard(home, "Le programme", slug="le-programme", show_in_menus=True)
    builders.add_standard(programme, "Nos partenaires", slug="partenaires", show_in_menus=True)

    page = soup(client.get("/le-programme/partenaires/"))
    links = [(text_of(a), a["href"], a.get("aria-current")) for a in page.select("nav.public-nav a")]
    assert links[:2] == [("Actualités", "/actualites/", None), ("Le programme", "/le-programme/", "true")]
    assert links[2:] == [("Agenda", "/agenda/", None), ("Annuaire des lieux", "/annuaire/", None)]


def test_home_page_query_count_is_pinned_and_flat(client, home, territory, django_assert_max_num_queries):
    index = builders.add_news_index(home)
    image = builders.make_image()

    def grow(factor):
        for _ in range(factor):
            builders.add_news(index, "Avec image", lead_image=image, tags=["ateliers"])
            builders.add_standard(home, "Page", slug=f"page-{home.get_children().count()}", show_in_menus=True)
            VenueFactory(territory=territory)
            UserFactory(territory=territory)

    queries, page = queries_flat(client, "/", grow)
    assert len(page.select(".news-card")) == 3
    # Site, page and its view restrictions (4), news with their images and renditions
    # (3), the news index (2), the key figures (1), the menu (1), the agenda's public
    # events (1; their exceptions, one more, only when one of them repeats).
    assert queries == 12
    with django_assert_max_num_queries(12):
        client.get("/")
