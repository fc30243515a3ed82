"""Collections through the client: saving into the favourites (made on first use) or a chosen
collection, making, sharing, changing, listing (only the resources the reader may see),
removing, deleting (never the favourites)."""

import pytest
from django.urls import reverse

from extranet.testing.factories import ResourceFactory, UserFactory
from extranet.testing.pages import english_client, messages_of, soup, text_of
from resources.models import Collection, CollectionItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(territory):
    return UserFactory(territory=territory, display_name="Chloé Martin")


@pytest.fixture
def resource(territory):
    return ResourceFactory(title="Créer son adresse e-mail")


def test_saving_goes_to_the_favourites_first(reader, resource):
    client = english_client(reader)
    page = soup(client.get(reverse("ressources:detail", args=[resource.pk])))
    assert [(o.get("value"), o.text) for o in page.select("#save-collection option")] == [("", "Favourites")]
    response = client.post(reverse("ressources:save", args=[resource.pk]), {"collection": ""}, follow=True)
    favourites = Collection.objects.get(owner=reader)
    assert favourites.is_default and favourites.name == "Favoris"
    assert list(favourites.resources.all()) == [resource]
    message = soup(response).select_one(".messages .message")
    assert message.get_text() == "« Créer son adresse e-mail » is saved in Favoris."
    assert message.select_one("a")["href"] == reverse("ressources:collection", args=[favourites.pk])
    page = soup(client.get(reverse("ressources:detail", args=[resource.pk])))
    assert text_of(page.select_one("#enregistrer p")) == "Already in: Favoris"
    assert [(o.get("value"), o.text) for o in page.select("#save-collection option")] == [
        (str(favourites.pk), "Favoris")]


def test_make_a_shared_collection_save_into_it_and_remove(reader, resource, territory):
    client = english_client(reader)
    refused = client.post(reverse("ressources:collection-create"), {"name": "", "description": "Pour les ateliers"})
    assert refused.status_code == 200 and Collection.objects.count() == 0
    assert soup(refused).select_one("#id_description").text.strip() == "Pour les ateliers"
    response = client.post(reverse("ressources:collection-create"),
                           {"name": "Ateliers seniors", "description": "Pour les ateliers", "is_shared": "on"})
    collection = Collection.objects.get(name="Ateliers seniors")
    assert response["Location"] == reverse("ressources:collection", args=[collection.pk])
    assert collection.is_shared and collection.owner == reader

    client.post(reverse("ressources:save", args=[resource.pk]), {"collection": str(collection.pk)})
    assert list(collection.resources.all()) == [resource]
    draft = ResourceFactory(title="Brouillon d'un autre", status="draft", published_at=None)
    CollectionItem.objects.create(collection=collection, resource=draft)  # since unpublished, say

    page = soup(client.get(reverse("ressources:collection", args=[collection.pk])))
    assert [text_of(h) for h in page.select(".res-card__title")] == ["Créer son adresse e-mail"]
    assert page.select_one(".res-card__remove button") is not None

    other = english_client(UserFactory(territory=territory))
    listing = soup(other.get(reverse("ressources:collections")))
    assert "Ateliers seniors" in text_of(listing.select_one("[aria-labelledby='shared-title']"))
    seen = soup(other.get(reverse("ressources:collection", args=[collection.pk])))
    assert [text_of(h) for h in seen.select(".res-card__title")] == ["Créer son adresse e-mail"]
    assert seen.select_one(".res-card__remove") is None  # not the owner
    assert other.post(reverse("ressources:collection-remove", args=[collection.pk, resource.pk])).status_code == 403
    assert collection.resources.count() == 2

    client.post(reverse("ressources:collection-remove", args=[collection.pk, resource.pk]))
    assert list(collection.resources.all()) == [draft]


def test_my_collections_favourites_first_with_counts(reader, resource):
    Collection.objects.create(owner=reader, name="Animations")
    favourites = Collection.objects.create(owner=reader, name="Favoris", is_default=True)
    CollectionItem.objects.create(collection=favourites, resource=resource)
    page = soup(english_client(reader).get(reverse("ressources:collections")))
    rows = [text_of(li) for li in page.select("ul.res-collections")[0].select("li")]
    assert rows[0].startswith("Favoris 1 resource") and rows[1].startswith("Animations 0 resources")


def test_edit_and_delete_a_collection_but_never_the_favourites(reader):
    collection = Collection.objects.create(owner=reader, name="Vrac")
    favourites = Collection.objects.create(owner=reader, name="Favoris", is_default=True)
    client = english_client(reader)
    client.post(reverse("ressources:collection-edit", args=[collection.pk]),
                {"name": "Numérique et emploi", "description": "", "is_shared": ""})
    collection.refresh_from_db()
    assert (collection.name, collection.is_shared) == ("Numérique et emploi", False)

    confirm = soup(client.get(reverse("ressources:collection-delete", args=[favourites.pk])))
    assert confirm.select_one("form button.button--danger") is None
    response = client.post(reverse("ressources:collection-delete", args=[favourites.pk]), follow=True)
    assert Collection.objects.filter(pk=favourites.pk).exists()
    assert len(messages_of(response)) == 1

    response = client.post(reverse("ressources:collection-delete", args=[collection.pk]))
    assert response["Location"] == reverse("ressources:collections")
    assert not Collection.objects.filter(pk=collection.pk).exists()


def test_a_private_collection_is_missing_for_others(reader, territory):
    collection = Collection.objects.create(owner=reader, name="Privée")
    other = english_client(UserFactory(territory=territory))
    for url in (reverse("ressources:collection", args=[collection.pk]),
                reverse("ressources:collection-edit", args=[collection.pk]),
                reverse("ressources:collection-delete", args=[collection.pk])):
        assert other.get(url).status_code == 404, url
    assert other.post(reverse("ressources:collection-remove", args=[collection.pk, 1])).status_code == 404


def test_saving_into_someone_elses_collection_is_refused(reader, resource, territory):
    theirs = Collection.objects.create(owner=UserFactory(territory=territory), name="Partagée", is_shared=True)
    response = english_client(reader).post(reverse("ressources:save", args=[resource.pk]),
                                           {"collection": str(theirs.pk)}, follow=True)
    assert messages_of(response) == ["Choose one of your collections."]
    assert theirs.resources.count() == 0
