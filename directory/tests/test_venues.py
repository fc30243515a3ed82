"""Local admins keep the venues of their territories up to date (service and views)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from directory import selectors, services
from directory.models import Venue
from extranet.models import Activity
from extranet.testing.factories import UserFactory, VenueFactory


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_local_admin_updates_a_venue_of_their_territory(referent, venue):
    before = venue.updated_at
    updated = services.venue_update(actor=referent, venue=venue, data={"phone": " 05 65 22 33 44 ", "city": "Limogne"})
    venue.refresh_from_db()
    assert venue.phone == "05 65 22 33 44"
    assert venue.city == "Limogne"
    assert venue.updated_at > before
    assert updated.pk == venue.pk
    assert Activity.objects.filter(verb="venue.updated", target_id=str(venue.pk), actor=referent).count() == 1


def test_a_coordinator_updates_any_venue(coordinator, venue):
    services.venue_update(actor=coordinator, venue=venue, data={"summary": "Ouvert le samedi."})
    assert Venue.objects.get(pk=venue.pk).summary == "Ouvert le samedi."


@pytest.mark.parametrize("who", ["member", "referent_elsewhere", "pending_user"])
def test_others_cannot_update_a_venue(request, who, venue, other_territory):
    if who == "referent_elsewhere":
        actor = UserFactory(territory=other_territory, referent_of=[other_territory])
    else:
        actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.venue_update(actor=actor, venue=venue, data={"name": "Piraté"})
    assert Venue.objects.get(pk=venue.pk).name == "EPM de Limogne"


@pytest.mark.parametrize(
    "data",
    [{"name": ""}, {"postal_code": "460001"}, {"email": "pas-une-adresse"}, {"territory": None}],
    ids=["blank name", "postal code too long", "bad e-mail", "field not editable"],
)
def test_invalid_data_is_refused_and_nothing_changes(referent, venue, data):
    with pytest.raises(ValidationError):
        services.venue_update(actor=referent, venue=venue, data=data)
    fresh = Venue.objects.get(pk=venue.pk)
    assert (fresh.name, fresh.postal_code, fresh.email) == ("EPM de Limogne", "46000", "")
    assert venue.name == "EPM de Limogne"  # the caller's object is untouched too


def test_the_list_shows_only_the_venues_of_my_territories(referent, venue, other_territory):
    elsewhere = VenueFactory(territory=other_territory, name="Cyber-base d'ailleurs")
    assert list(selectors.venues_editable_by(user=referent)) == [venue]
    client = Client()
    client.force_login(referent)
    page = client.get(reverse("directory:venues")).content.decode()
    assert "EPM de Limogne" in page
    assert elsewhere.name not in page
    assert client.get(reverse("directory:venue-edit", args=[elsewhere.pk])).status_code == 404


def test_editing_through_the_form(referent, venue):
    client = Client()
    client.force_login(referent)
    url = reverse("directory:venue-edit", args=[venue.pk])
    data = {"name": "EPM de Limogne-en-Quercy", "address": "Place du Marché", "postal_code": "46260",
            "city": "Limogne-en-Quercy", "website": "www.limogne.fr"}
    response = client.post(url, data)
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.name == "EPM de Limogne-en-Quercy"
    assert venue.website == "https://www.limogne.fr"


def test_a_bad_form_keeps_what_was_typed_and_says_why(referent, venue):
    client = Client()
    client.force_login(referent)
    url = reverse("directory:venue-edit", args=[venue.pk])
    response = client.post(url, {"name": "Nouveau nom", "address": "", "postal_code": "46000", "city": "Cahors"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Nouveau nom"' in body
    assert 'class="errorlist"' in body
    assert Venue.objects.get(pk=venue.pk).name == "EPM de Limogne"


def test_the_venue_list_query_count_is_flat(referent, venue, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(referent)
    url = reverse("directory:venues")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    VenueFactory.create_batch(25, territory=venue.territory)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.content.decode().count("/modifier/") == 26
    assert len(large) == len(small)
    with django_assert_max_num_queries(8):
        client.get(url)
