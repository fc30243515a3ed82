"""The public resources are in sitemap.xml and the site map page (website.sitemaps registry)."""

import pytest

from extranet.testing.factories import ResourceFactory
from website.tests.test_seo import sitemap_entries

pytestmark = pytest.mark.django_db


def test_sitemap_lists_public_published_resources_only(client):
    public = ResourceFactory(title="Créer son adresse e-mail", slug="creer-son-adresse-e-mail", visibility="public")
    members_only = ResourceFactory(title="Fiche interne", slug="fiche-interne", visibility="members")
    draft = ResourceFactory(title="Brouillon public", slug="brouillon-public", visibility="public", status="draft")

    entries = sitemap_entries(client)

    assert f"http://localhost/ressources/{public.pk}/creer-son-adresse-e-mail/" in entries
    assert not any(f"/ressources/{members_only.pk}/" in url for url in entries)
    assert not any(f"/ressources/{draft.pk}/" in url for url in entries)
    assert "http://localhost/" in entries  # the pages are still there


def test_site_map_page_links_the_public_library(client):
    response = client.get("/plan-du-site/")
    assert response.status_code == 200
    assert 'href="/ressources/"' in response.content.decode()
