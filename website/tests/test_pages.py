"""Public pages (Wagtail) and the admin viewsets for territories and venues."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page, Site

from website.models import HomePage, StandardPage, group_sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def home():
    # Created by the data migration website.0002_create_homepage.
    return HomePage.objects.get()


@pytest.fixture
def superuser():
    return get_user_model().objects.create_superuser(
        email="admin@exemple.test", password="un-mot-de-passe-solide-42", display_name="Admin"
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def add_standard_page(parent, **kwargs):
    page = StandardPage(**kwargs)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


# --- Data migration -------------------------------------------------------------------------


def test_migration_replaces_the_welcome_page_by_the_french_home_page(home):
    assert home.title == "Accueil"
    assert home.live
    assert "réseau" in home.intro or "espaces publics numériques" in home.intro
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port, site.root_page_id) == ("localhost", 80, home.pk)
    assert Page.objects.get(depth=1).numchild == Page.objects.filter(depth=2).count()
    # The tree is consistent, so editors can add pages under the home page.
    assert Page.find_problems() == ([], [], [], [], [])


# --- Home page ------------------------------------------------------------------------------


def test_home_page_as_anonymous(client, home):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert f'href="{reverse("account_signup")}"' in html
    assert f'href="{reverse("account_login")}"' in html
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert "espaces publics numériques" in html  # the intro written by the migration
    assert "css/maillage.css" in html


def test_home_page_query_count(client, home, django_assert_max_num_queries):
    add_standard_page(home, title="Le réseau", slug="le-reseau", show_in_menus=True)
    client.get("/")
    with django_assert_max_num_queries(11):  # 10, and the agenda section's public events (1)
        response = client.get("/")
    assert 'href="/le-reseau/"' in response.content.decode()


def test_home_page_sends_approved_members_to_their_desk(client, home, member):
    client.force_login(member)
    html = client.get("/").content.decode()
    assert f'href="{reverse("desk:home")}"' in html
    assert f'class="button" href="{reverse("account_signup")}"' not in html


def test_home_page_for_a_member_waiting_for_approval(pending_client, home):
    html = pending_client.get("/").content.decode()
    assert f'class="button" href="{reverse("desk:pending")}"' in html
    assert f'class="button" href="{reverse("desk:home")}"' not in html


def test_home_page_renders_body_sections(client, home):
    home.body = [
        ("paragraph", "<p>Avant le premier titre.</p>"),
        ("heading", "Nos ateliers"),
        ("paragraph", "<p>Des ateliers chaque mois.</p>"),
        ("heading", "Le prêt de matériel"),
        ("paragraph", "<p>Vidéoprojecteurs et caméras.</p>"),
    ]
    home.save_revision().publish()

    html = client.get("/").content.decode()
    assert "Avant le premier titre." in html
    assert '<section class="page-section prose" aria-labelledby="section-1">' in html
    assert '<h2 id="section-1">Nos ateliers</h2>' in html
    assert '<h2 id="section-2">Le prêt de matériel</h2>' in html
    assert "Vidéoprojecteurs et caméras." in html


def test_group_sections_splits_the_body_at_each_heading(home):
    home.body = [
        ("heading", "Un"),
        ("paragraph", "<p>a</p>"),
        ("paragraph", "<p>b</p>"),
        ("heading", "Deux"),
    ]
    sections = group_sections(home.body)
    assert [(s.heading, s.anchor, len(s.blocks)) for s in sections] == [
        ("Un", "section-1", 2),
        ("Deux", "section-2", 0),
    ]
    assert group_sections(HomePage().body) == []


# --- Standard pages -------------------------------------------------------------------------


def test_standard_page_under_the_home_page(client, home):
    page = add_standard_page(
        home,
        title="Le réseau",
        slug="le-reseau",
        body=[("heading", "Qui sommes-nous ?"), ("paragraph", "<p>Un réseau de lieux.</p>")],
    )
    child = add_standard_page(page, title="Nos partenaires", slug="partenaires")

    response = client.get("/le-reseau/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Le réseau</h1>" in html
    assert '<h2 id="section-1">Qui sommes-nous ?</h2>' in html
    assert "Un réseau de lieux." in html
    assert 'href="/le-reseau/partenaires/"' in html  # "In this section"
    assert 'lang="fr"' in html and 'class="skip-link"' in html

    response = client.get(child.url)
    assert response.status_code == 200
    assert 'aria-current="page">Nos partenaires<' in response.content.decode()


def test_page_types_are_constrained(home):
    assert HomePage.can_exist_under(Page.get_first_root_node())
    assert not HomePage.can_create_at(Page.get_first_root_node())  # max_count = 1
    assert StandardPage.can_create_at(home)
    assert StandardPage in home.specific_class.allowed_subpage_models()


# --- Wagtail admin viewsets -----------------------------------------------------------------

ADMIN_URL_NAMES = ["territories:index", "territories:add", "venues:index", "venues:add"]


@pytest.mark.parametrize("url_name", ADMIN_URL_NAMES)
def test_admin_viewsets_answer_for_a_superuser(admin_client, venue, url_name):
    response = admin_client.get(reverse(url_name))
    assert response.status_code == 200


def test_admin_edit_views_answer_for_a_superuser(admin_client, venue):
    assert admin_client.get(reverse("territories:edit", args=[venue.territory.pk])).status_code == 200
    assert admin_client.get(reverse("venues:edit", args=[venue.pk])).status_code == 200


def test_admin_listings_search_and_filter(admin_client, venue, other_territory):
    html = admin_client.get(reverse("territories:index"), {"q": "Causses"}).content.decode()
    assert "Pays des Causses" in html and "Vallée du Lys" not in html

    response = admin_client.get(reverse("venues:index"), {"territory": venue.territory.pk})
    assert response.status_code == 200
    assert "EPM de Limogne" in response.content.decode()
    response = admin_client.get(reverse("venues:index"), {"territory": other_territory.pk})
    assert "EPM de Limogne" not in response.content.decode()
    response = admin_client.get(reverse("venues:index"), {"q": "Cahors"})
    assert "EPM de Limogne" in response.content.decode()


def test_admin_creates_a_territory(admin_client):
    from members.models import Territory

    response = admin_client.post(
        reverse("territories:add"),
        {"name": "Causse de Limogne", "slug": "causse-de-limogne", "kind": "interco", "description": ""},
    )
    assert response.status_code == 302
    assert Territory.objects.filter(slug="causse-de-limogne", kind="interco").exists()


def test_admin_venue_listing_does_not_query_per_row(admin_client, django_assert_max_num_queries, territory):
    from extranet.testing.factories import TerritoryFactory, VenueFactory

    for _ in range(8):
        VenueFactory(territory=TerritoryFactory())
    admin_client.get(reverse("venues:index"))  # warm caches (site, permissions...)
    with django_assert_max_num_queries(12):  # 9 today, whatever the number of rows
        assert admin_client.get(reverse("venues:index")).status_code == 200


@pytest.mark.parametrize("url_name", ADMIN_URL_NAMES)
def test_admin_viewsets_redirect_anonymous_visitors_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("url_name", ADMIN_URL_NAMES)
def test_admin_viewsets_are_closed_to_plain_members(member_client, url_name):
    response = member_client.get(reverse(url_name))
    assert response.status_code in (302, 403)


def test_creating_a_territory_in_wagtail_goes_through_the_service(client, coordinator):
    from core.models import Activity, Space
    from members.models import Territory

    client.force_login(coordinator)
    url = reverse("territories:add")
    data = {"name": "Causse de Limogne", "slug": "causse-de-limogne", "kind": "interco", "description": " Ouest "}
    assert client.post(url, data).status_code == 302
    territory = Territory.objects.get(slug="causse-de-limogne")
    assert territory.description == "Ouest"
    assert Space.objects.filter(territory=territory).exists()
    assert Activity.objects.filter(verb="territory.created", actor=coordinator, target_id=str(territory.pk)).exists()

    # Same name with another case: the service refuses, the form says why, nothing is saved.
    response = client.post(url, {**data, "name": "CAUSSE DE LIMOGNE", "slug": "autre-slug"})
    assert response.status_code == 200
    assert "Un territoire porte déjà ce nom." in response.content.decode()
    assert not Territory.objects.filter(slug="autre-slug").exists()
