"""Deleting a territory (members.services.territory_delete, behind Wagtail's delete view):
an empty territory goes with its space, its forum and its room; anything else is refused
with the reason and nothing is deleted."""

from functools import partial

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from chat.models import Room
from core.models import Activity, Space
from extranet.testing import assertions
from extranet.testing.factories import UserFactory, VenueFactory, WorkgroupFactory
from extranet.testing.pages import soup, text_of
from members import services
from members.models import Territory
from members.tests.test_territory_update import admin_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    return {
        "territories": sorted(Territory.objects.values_list("pk", "space_id")),
        "spaces": sorted(Space.objects.values_list("pk", "kind")),
        "rooms": sorted(Room.objects.values_list("pk", "space_id")),
    }


refused = partial(assertions.refused, state)
IN_USE = "This territory still has members, venues or groups: move them to another territory first."


@pytest.fixture
def empty(coordinator):
    return services.territory_create(actor=coordinator, name="Causse de Gramat", slug="causse-de-gramat")


def test_an_empty_territory_goes_with_its_space_and_room(coordinator, empty):
    space_pk = empty.space.pk
    services.territory_delete(actor=coordinator, territory=empty)
    assert not Territory.objects.filter(pk=empty.pk).exists()
    assert not Space.objects.filter(pk=space_pk).exists()
    assert not Room.objects.filter(space_id=space_pk).exists()
    activity = Activity.objects.get(verb="territory.deleted")
    assert (activity.actor, activity.target_label, activity.space) == (coordinator, "Causse de Gramat", None)


@pytest.mark.parametrize("who", ["anonymous", "member", "local_admin"])
def test_only_coordinators_delete_a_territory(who, empty):
    actor = {"anonymous": AnonymousUser(), "member": UserFactory(territory=empty),
             "local_admin": UserFactory(territory=empty, referent_of=[empty])}[who]
    with refused(PermissionDenied, "Only coordinators delete territories."):
        services.territory_delete(actor=actor, territory=empty)


@pytest.mark.parametrize("content", ["member", "venue", "workgroup"])
def test_a_territory_with_members_venues_or_groups_is_kept(coordinator, empty, content):
    {"member": lambda: UserFactory(territory=empty), "venue": lambda: VenueFactory(territory=empty),
     "workgroup": lambda: WorkgroupFactory(territory=empty)}[content]()
    with refused(ValidationError, IN_USE):
        services.territory_delete(actor=coordinator, territory=empty)


def test_the_admin_delete_goes_through_the_service(empty):
    superuser = UserFactory(is_superuser=True)  # Wagtail's delete permission: superusers only
    space_pk = empty.space.pk
    response = admin_client(superuser).post(reverse("territories:delete", args=[empty.pk]))
    assert response.status_code == 302
    assert not Space.objects.filter(pk=space_pk).exists()
    assert Activity.objects.filter(verb="territory.deleted", actor=superuser).count() == 1


def test_the_admin_delete_of_a_territory_in_use_deletes_nothing_and_says_why(territory, member):
    superuser = UserFactory(is_superuser=True)
    with assertions.nothing_saved(state):
        response = admin_client(superuser).post(reverse("territories:delete", args=[territory.pk]), follow=True)
    assert response.status_code == 200
    assert IN_USE in text_of(soup(response).select_one("main"))
