"""The footer every page shows (legal notice, accessibility, personal data, contact, site map),
the setting the editors choose its pages with, the demo's pages, and the site map."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from wagtail.models import PageViewRestriction, Site

from extranet.testing.pages import english_client, soup, text_of
from website import footer
from website.demo import seed_public_site
from website.models import FooterPages, StandardPage
from website.tests import builders

pytestmark = pytest.mark.django_db

SITE_MAP = "/plan-du-site/"


def footer_links(response):
    """(text, href) of the footer's links, in order."""
    return [(text_of(a), a["href"]) for a in soup(response).select("footer .site-footer__nav a")]


@pytest.fixture
def legal_pages(home):
    """Three legal pages, a contact page and the setting that points at them."""
    pages = {
        "legal_notice": builders.add_standard(home, "Mentions légales", slug="mentions-legales"),
        "accessibility": builders.add_standard(home, "Déclaration d'accessibilité", slug="accessibilite"),
        "personal_data": builders.add_standard(home, "Données personnelles", slug="donnees-personnelles"),
        "contact": builders.add_contact(home),
    }
    setting = FooterPages.for_site(Site.objects.get(is_default_site=True))
    for name, page in pages.items():
        setattr(setting, name, page)
    setting.save()
    return pages


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


EXPECTED = [
    ("Legal notice", "/mentions-legales/"),
    ("Accessibility: partially compliant", "/accessibilite/"),
    ("Personal data", "/donnees-personnelles/"),
    ("Contact", "/contact/"),
    ("Site map", "/plan-du-site/"),
]


def test_the_home_page_footer_links_the_legal_pages(english, legal_pages):
    assert footer_links(english.get("/")) == EXPECTED


def test_a_desk_page_has_the_same_footer(legal_pages, member):
    assert footer_links(english_client(member).get("/bureau/")) == EXPECTED


def test_a_404_page_has_the_same_footer(english, legal_pages):
    response = english.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert footer_links(response) == EXPECTED


def test_the_language_switch_stays_in_the_footer(english, legal_pages):
    page = soup(english.get("/"))
    assert page.select_one("footer form.language-form select[name=language]") is not None


def test_the_footer_says_the_state_of_compliance_chosen(english, legal_pages):
    setting = FooterPages.objects.get()
    setting.accessibility_compliance = FooterPages.Compliance.NONE
    setting.save()
    assert ("Accessibility: not compliant", "/accessibilite/") in footer_links(english.get("/"))


def test_missing_or_unpublished_pages_are_not_linked(english, legal_pages):
    legal_pages["personal_data"].unpublish()
    setting = FooterPages.objects.get()
    setting.contact = None
    setting.save()
    assert footer_links(english.get("/")) == [
        ("Legal notice", "/mentions-legales/"),
        ("Accessibility: partially compliant", "/accessibilite/"),
        ("Site map", "/plan-du-site/"),
    ]


def test_without_the_setting_only_the_site_map_is_linked(english, home):
    assert footer_links(english.get("/")) == [("Site map", "/plan-du-site/")]


def test_a_moved_page_is_linked_at_its_new_address(english, home, legal_pages):
    about = builders.add_standard(home, "À propos", slug="a-propos")
    legal_pages["legal_notice"].move(about, pos="last-child")
    assert ("Legal notice", "/a-propos/mentions-legales/") in footer_links(english.get("/"))


def test_the_footer_costs_one_query_then_none(legal_pages, django_assert_num_queries):
    footer.forget()
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    with django_assert_num_queries(1):
        first = footer.footer_pages(request)
    assert first["links"]["legal_notice"] == {"title": "Mentions légales", "url": "/mentions-legales/"}
    assert first["compliance"] == "partial"
    with django_assert_num_queries(0):
        assert footer.footer_pages(RequestFactory().get("/a/", HTTP_HOST="localhost")) == first


def test_the_footer_without_a_request_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert footer.footer_pages(None) is None


# --- The demo ---------------------------------------------------------------------------------


def test_the_demo_creates_the_legal_pages_and_the_setting(home):
    seed_public_site(log=lambda line: None)
    setting = FooterPages.objects.get(site__is_default_site=True)
    chosen = (setting.legal_notice, setting.accessibility, setting.personal_data, setting.contact)
    assert [page.slug for page in chosen] == ["mentions-legales", "accessibilite", "donnees-personnelles", "contact"]
    assert setting.accessibility_compliance == "partial"
    accessibility = StandardPage.objects.get(slug="accessibilite")
    text = str(accessibility.body.get_prep_value())
    for words in ("partiellement conforme", "Pages vérifiées", "Contenus non accessibles",
                  "Défenseur des droits", "Retour d'information et contact"):
        assert words in text, words
    personal = str(StandardPage.objects.get(slug="donnees-personnelles").body.get_prep_value())
    for words in ("Responsable du traitement", "Durées de conservation", "Vos droits", "csrftoken",
                  "Aucune mesure d'audience"):
        assert words in personal, words
    # Run again: nothing created, an editor's choice kept.
    setting.legal_notice = accessibility
    setting.save()
    assert seed_public_site(log=lambda line: None) == 0
    setting.refresh_from_db()
    assert setting.legal_notice.slug == "accessibilite"


def test_the_demo_footer_links_on_the_home_page(english, home):
    seed_public_site(log=lambda line: None)
    assert footer_links(english.get("/")) == EXPECTED


# --- The site map -----------------------------------------------------------------------------


def test_the_site_map_lists_the_live_public_pages(english, home):
    news_index = builders.add_news_index(home)
    builders.add_news(news_index, "Un article du jour", slug="un-article")
    programme = builders.add_standard(home, "Le programme", slug="le-programme")
    builders.add_standard(programme, "Les ateliers", slug="les-ateliers")
    draft = builders.add_standard(home, "Brouillon", slug="brouillon")
    draft.unpublish()
    private = builders.add_standard(home, "Réservé", slug="reserve")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)

    response = english.get(SITE_MAP)
    assert response.status_code == 200
    page = soup(response)
    tree = page.select_one("#site-map-pages").find_parent("section")
    links = [(text_of(a), a["href"]) for a in tree.select("a")]
    assert links == [
        (home.title, "/"),
        ("Actualités", "/actualites/"),
        ("Le programme", "/le-programme/"),
        ("Les ateliers", "/le-programme/les-ateliers/"),
    ]
    # Nested as in the tree.
    programme_item = tree.select_one('a[href="/le-programme/"]').find_parent("li")
    assert text_of(programme_item.select_one(":scope > ul a")) == "Les ateliers"
    services = [a["href"] for a in page.select_one("#site-map-services").find_parent("section").select("a")]
    assert services == ["/annuaire/", "/ressources/", "/recherche/", "/bureau/", "/compte/signup/"]
    assert page.select_one('footer a[href="/plan-du-site/"]')["aria-current"] == "page"


def test_the_site_map_costs_the_same_with_more_pages(english, home, django_assert_max_num_queries):
    english.get(SITE_MAP)
    for number in range(10):
        builders.add_standard(home, f"Page {number}", slug=f"page-{number}")
    english.get(SITE_MAP)
    with django_assert_max_num_queries(8):
        response = english.get(SITE_MAP)
    assert len(soup(response).select("#site-map-pages ~ ul a")) == 11


# --- The editors choose the pages ---------------------------------------------------------------


def test_site_editors_choose_the_footer_pages_at_cms_settings(client, editor, member, legal_pages):
    url = f"/cms/settings/website/footerpages/{Site.objects.get(is_default_site=True).pk}/"
    client.force_login(editor)
    page = soup(client.get(url))
    assert page.select_one('select[name="accessibility_compliance"] option[selected]')["value"] == "partial"
    assert page.select_one('input[name="legal_notice"]')["value"] == str(legal_pages["legal_notice"].pk)
    client.force_login(member)
    assert client.get(url).status_code == 302  # no access to /cms/: back to the login
