"""The public resource library (/ressources/): visitors see the published public resources only,
with their licence and authors (names only); anything else is a 404, also its files."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from extranet.testing.assertions import png
from extranet.testing.factories import ResourceFactory, ResourceTagFactory, UserFactory, resource_file_make
from extranet.testing.pages import measure_queries, queries_flat, soup
from resources.models import Resource, ResourceFile

pytestmark = pytest.mark.django_db

INDEX = "/ressources/"


@pytest.fixture
def visitor() -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def public(**kwargs) -> Resource:
    kwargs.setdefault("visibility", "public")
    return ResourceFactory(**kwargs)


def titles(page) -> list[str]:
    return [heading.get_text(strip=True) for heading in page.select(".resources-public__list h3")]


def test_the_list_shows_public_published_resources_only(visitor):
    public(title="Fiche A publique")
    ResourceFactory(title="Fiche B des membres")
    public(title="Fiche C en brouillon", status="draft", published_at=None)
    response = visitor.get(INDEX)
    assert response.status_code == 200
    assert titles(soup(response)) == ["Fiche A publique"]
    assert reverse("public-resources:index") == INDEX


def test_the_list_filters_by_words_theme_public_and_licence(visitor):
    email = ResourceTagFactory(kind="theme", name="Messagerie")
    seniors = ResourceTagFactory(kind="public", name="Seniors")
    first = public(title="Créer son adresse", licence="cc-by-4.0", search_text="créer son adresse e-mail")
    first.tags.set([email, seniors])
    second = public(title="Les démarches", search_text="les démarches en ligne")
    second.tags.set([email])
    public(title="La tablette", search_text="la tablette")
    assert titles(soup(visitor.get(INDEX, {"theme": "messagerie"}))) == ["Les démarches", "Créer son adresse"]
    assert titles(soup(visitor.get(INDEX, {"theme": "messagerie", "public": "seniors"}))) == ["Créer son adresse"]
    assert titles(soup(visitor.get(INDEX, {"q": "démarches"}))) == ["Les démarches"]
    assert titles(soup(visitor.get(INDEX, {"licence": "cc-by-4.0"}))) == ["Créer son adresse"]


def test_a_bad_filter_is_a_message_not_an_error(visitor):
    public(title="Une fiche")
    response = visitor.get(INDEX, {"theme": "<inconnu>", "licence": "x" * 500, "page": "abc"})
    assert response.status_code == 200
    page = soup(response)
    assert titles(page) == ["Une fiche"]  # bad values are ignored
    error = page.select_one("#id_theme-error")
    assert error is not None and "Select a valid choice" in error.get_text()
    assert page.select_one("#id_theme")["aria-describedby"] == "id_theme-error"


def test_a_members_only_theme_is_not_offered(visitor):
    ResourceTagFactory(kind="theme", name="Interne").resources.add(ResourceFactory())
    ResourceTagFactory(kind="theme", name="Ouvert").resources.add(public())
    options = [option.get_text() for option in soup(visitor.get(INDEX)).select("#id_theme option")]
    assert options == ["Every theme", "Ouvert"]


def test_the_list_is_paginated_by_20(visitor):
    for number in range(21):
        public(title=f"Fiche {number:02d}")
    first = soup(visitor.get(INDEX))
    assert len(titles(first)) == 20
    assert len(titles(soup(visitor.get(INDEX, {"page": 2})))) == 1


def test_the_list_costs_the_same_queries_with_ten_times_the_resources(visitor):
    theme = ResourceTagFactory(kind="theme", name="Messagerie")

    def grow(factor):
        for _ in range(2 * factor):
            resource = public(authors=[UserFactory(), UserFactory()])
            resource.tags.add(theme)

    queries, page = queries_flat(visitor, INDEX, grow)
    assert len(titles(page)) == 20
    # the tags offered, the count, the page, its tags, its authors, the site's menu
    assert queries == measure_queries(visitor, INDEX)[0]
    assert queries == 6


def test_the_page_shows_licence_authors_and_json_ld(visitor):
    claire = UserFactory(display_name="Claire Dumas")
    karim = UserFactory(display_name="Karim Benali")
    resource = public(title="Repérer un faux message", authors=[claire, karim], licence="etalab-2.0",
                      body_html="<p>Les cinq indices.</p>")
    theme = ResourceTagFactory(kind="theme", name="Sécurité numérique")
    resource.tags.add(theme)
    response = visitor.get(resource.get_public_url())
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text(strip=True) == "Repérer un faux message"
    assert "Claire Dumas, Karim Benali" in page.get_text()
    # Names only: no link to a member's profile for visitors.
    assert not page.select(f'a[href="{reverse("members:profile", args=[claire.pk])}"]')
    licence = page.select_one('a[rel="license"]')
    assert licence["href"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert licence.get_text() == "Licence Ouverte / Etalab 2.0"
    assert "you may reuse it, citing its authors" in page.get_text()
    assert page.select_one('link[rel="canonical"]')["href"].endswith(resource.get_public_url())
    data = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert data["@type"] == "CreativeWork"
    assert data["license"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    assert data["author"] == [{"@type": "Person", "name": "Claire Dumas"}, {"@type": "Person", "name": "Karim Benali"}]
    assert page.select_one(f'a.tag[href="{INDEX}?theme=securite-numerique"]') is not None


def test_without_licence_all_rights_are_reserved(visitor):
    resource = public(licence="none")
    page = soup(visitor.get(resource.get_public_url()))
    assert "All rights reserved" in page.get_text()
    assert page.select_one('a[rel="license"]') is None


@pytest.mark.parametrize("kwargs", [
    {"visibility": "members"},
    {"visibility": "public", "status": "draft", "published_at": None},
    {"visibility": "members", "status": "draft", "published_at": None},
], ids=["members-only", "public-draft", "members-draft"])
def test_what_is_not_public_is_missing(visitor, kwargs):
    resource = ResourceFactory(**kwargs)
    file = resource_file_make(resource=resource)
    assert visitor.get(resource.get_public_url()).status_code == 404
    assert visitor.get(reverse("public-resources:file", args=[resource.pk, file.pk])).status_code == 404
    assert visitor.get(reverse("public-resources:file-thumbnail", args=[resource.pk, file.pk])).status_code == 404
    # A member, too, reads it at the desk, not on the public site.
    member = Client()
    member.force_login(UserFactory())
    assert member.get(resource.get_public_url()).status_code == 404


def test_a_wrong_slug_redirects_permanently(visitor):
    resource = public(title="Créer son adresse e-mail", slug="creer-son-adresse-e-mail")
    response = visitor.get(f"/ressources/{resource.pk}/ancien-titre/")
    assert response.status_code == 301
    assert response["Location"] == f"/ressources/{resource.pk}/creer-son-adresse-e-mail/"
    assert visitor.get("/ressources/999999/creer-son-adresse-e-mail/").status_code == 404


def test_a_view_is_counted_for_visitors_not_for_authors(visitor):
    author = UserFactory()
    resource = public(authors=[author], created_by=author)
    visitor.get(resource.get_public_url())
    resource.refresh_from_db()
    assert resource.views == 1
    client = Client()
    client.force_login(author)
    client.get(resource.get_public_url())
    resource.refresh_from_db()
    assert resource.views == 1


def test_a_public_file_downloads_and_counts(visitor):
    resource = public()
    file = resource_file_make(resource=resource, name="fiche pratique.pdf", content=b"%PDF-1.4\n%demo\n")
    response = visitor.get(reverse("public-resources:file", args=[resource.pk, file.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == b"%PDF-1.4\n%demo\n"
    assert "attachment" in response["Content-Disposition"]
    file.refresh_from_db()
    resource.refresh_from_db()
    assert (file.downloads, resource.downloads) == (1, 1)


def test_another_resources_file_is_missing(visitor):
    resource = public()
    other = ResourceFactory()  # members only
    file = resource_file_make(resource=other)
    assert visitor.get(reverse("public-resources:file", args=[resource.pk, file.pk])).status_code == 404
    assert visitor.get(reverse("public-resources:file", args=[other.pk, file.pk])).status_code == 404
    assert ResourceFile.objects.get(pk=file.pk).downloads == 0


def test_thumbnails(visitor):
    from django.core.files.base import ContentFile

    resource = public()
    without = resource_file_make(resource=resource)
    image = resource_file_make(resource=resource, name="schema.png", content=png().read(), content_type="image/png",
                               is_image=True)
    image.thumbnail.save("vignette.png", ContentFile(png().read()), save=True)
    assert visitor.get(reverse("public-resources:file-thumbnail", args=[resource.pk, without.pk])).status_code == 404
    response = visitor.get(reverse("public-resources:file-thumbnail", args=[resource.pk, image.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    page = soup(visitor.get(resource.get_public_url()))
    assert page.select_one(f'img[src="{reverse("public-resources:file-thumbnail", args=[resource.pk, image.pk])}"]')


def test_a_kit_shows_its_steps_and_equipment_without_reservation(visitor):
    from extranet.testing.factories import ItemFactory
    from resources.models import KitStep

    resource = public(title="Atelier e-mail")
    KitStep.objects.create(resource=resource, position=0, title="Accueil", duration_minutes=10)
    KitStep.objects.create(resource=resource, position=1, title="Créer le compte", duration_minutes=40,
                           body_html="<p>Pas à pas.</p>")
    item = ItemFactory(name="Valise de 8 tablettes")
    resource.equipment_items.add(item)
    page = soup(visitor.get(resource.get_public_url()))
    assert [h.get_text(" ", strip=True) for h in page.select(".resource-steps h3")] == [
        "Accueil (10 min)", "Créer le compte (40 min)"]
    assert "Valise de 8 tablettes" in page.select_one("#resource-equipment").parent.get_text()
    assert not page.select('a[href^="/bureau/materiel/"]')
