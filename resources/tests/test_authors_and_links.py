"""An author who left keeps their credit through edits; unlinking a kit from the workshop's page
goes back to that page."""

import pytest
from django.urls import reverse

from extranet.testing.factories import CoordinatorFactory, ResourceFactory, UserFactory, WorkshopFactory
from extranet.testing.pages import english_client
from resources import services
from resources.models import ResourceAuthor, WorkshopKit

pytestmark = pytest.mark.django_db


def test_an_author_who_left_stays_an_author_when_the_resource_is_edited():
    jeanne, karim = UserFactory(display_name="Jeanne"), UserFactory(display_name="Karim")
    resource = ResourceFactory(created_by=jeanne, authors=[jeanne, karim])
    karim.status = "refused"  # no longer an approved member
    karim.save(update_fields=["status"])

    services.resource_update(actor=jeanne, resource_id=resource.pk, title="Nouveau titre",
                             author_ids=[jeanne.pk, karim.pk])

    resource.refresh_from_db()
    assert resource.title == "Nouveau titre"
    assert list(ResourceAuthor.objects.filter(resource=resource).values_list("user_id", flat=True)) == [
        jeanne.pk, karim.pk]


def test_a_member_who_left_cannot_be_added_as_a_new_author():
    jeanne, gone = UserFactory(), UserFactory(display_name="Paul")
    resource = ResourceFactory(created_by=jeanne)
    gone.status = "refused"
    gone.save(update_fields=["status"])

    with pytest.raises(Exception) as refused:
        services.resource_update(actor=jeanne, resource_id=resource.pk, title=resource.title,
                                 author_ids=[jeanne.pk, gone.pk])

    assert "author_ids" in refused.value.message_dict
    assert list(ResourceAuthor.objects.filter(resource=resource).values_list("user_id", flat=True)) == [jeanne.pk]


def test_unlinking_from_the_workshop_page_goes_back_to_it_and_elsewhere_is_refused():
    coordinator = CoordinatorFactory()
    workshop = WorkshopFactory(status="scheduled")
    resource = ResourceFactory()
    WorkshopKit.objects.create(workshop=workshop, resource=resource, added_by=coordinator)
    client = english_client(coordinator)
    url = reverse("ressources:workshop-unlink", args=[resource.pk, workshop.pk])

    response = client.post(url, {"next": f"/bureau/ateliers/{workshop.pk}/"})

    assert response.status_code == 302
    assert response["Location"] == f"/bureau/ateliers/{workshop.pk}/"
    assert not WorkshopKit.objects.filter(workshop=workshop).exists()
    # Another site is never a destination.
    WorkshopKit.objects.create(workshop=workshop, resource=resource, added_by=coordinator)
    response = client.post(url, {"next": "https://ailleurs.example/"})
    assert response["Location"] == f"/bureau/ressources/{resource.pk}/#ateliers"
