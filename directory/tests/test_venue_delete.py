"""Deleting a venue: `directory.services.venue_delete`, and Wagtail's delete view going through it.

Allowed: the local admins of its territory and coordinators. Denied: everyone else, its
animators included. Invalid: a venue already gone. A refusal or a failure half-way
leaves the venue, its revisions, the activity log and Wagtail's history as they were.
"""

from datetime import timedelta
from functools import partial

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from core.activity import render_activity
from core.models import Activity, Space
from directory import services
from directory.models import Venue, VenueRevision
from directory.tests.test_admin_import import client_for
from extranet.testing import assertions
from extranet.testing.factories import PendingUserFactory, UserFactory, VenueFactory, grant_admin
from members.models import Invitation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    """What a deletion may touch: the venues, their revisions and members, the logs."""
    return {
        "venues": sorted(Venue.objects.values_list("pk", "name", "territory_id")),
        "revisions": sorted(VenueRevision.objects.values_list("pk", "venue_id")),
        "attachments": sorted(Venue.members.through.objects.values_list("user_id", "venue_id")),
        "activities": sorted(Activity.objects.values_list("pk", "verb", "target_id")),
        "wagtail_log": sorted(ModelLogEntry.objects.values_list("pk", "action", "object_id")),
    }


refused = partial(assertions.refused, state)


@pytest.fixture
def edited_venue(referent, venue):
    """The conftest venue with a revision of its own (made by the service), and an animator."""
    services.venue_update(actor=referent, venue=venue, data={"phone": "05 65 24 32 10"})
    return Venue.objects.get(pk=venue.pk)


@pytest.fixture
def animator(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Inès Carrère")


# --- Allowed ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["referent", "coordinator"])
def test_the_local_admin_or_a_coordinator_deletes_a_venue_and_the_activity_keeps_its_record(
    request, who, territory, edited_venue, animator
):
    actor = request.getfixturevalue(who)
    identifier, pk = edited_venue.identifier, edited_venue.pk
    assert services.venue_delete(actor=actor, venue=edited_venue) is None

    assert not Venue.objects.filter(pk=pk).exists()
    assert not VenueRevision.objects.filter(venue_id=pk).exists()  # they belong to the venue
    assert list(animator.venues.all()) == []  # the people who worked there no longer do
    activity = Activity.objects.get(verb="venue.deleted")
    assert (activity.actor, activity.target_id, activity.target_label) == (actor, str(pk), "EPM de Limogne (Cahors)")
    assert activity.space == Space.objects.get(territory=territory)  # the territory's log
    assert activity.url == ""  # no link to a page that is gone
    assert activity.data["identifier"] == identifier
    record = activity.data["record"]
    assert (record["name"], record["phone"], record["territory"]) == ("EPM de Limogne", "+33565243210", territory.pk)
    assert render_activity(activity) == f"{actor.display_name} deleted the venue EPM de Limogne (Cahors)"


def test_an_invitation_to_the_deleted_venue_keeps_its_territory(referent, territory, venue):
    invitation = Invitation.objects.create(
        email="nouvelle@exemple.test", territory=territory, venue=venue, invited_by=referent,
        token_hash="x" * 64, expires_at=timezone.now() + timedelta(days=7),
    )
    services.venue_delete(actor=referent, venue=venue)
    invitation.refresh_from_db()
    assert (invitation.territory, invitation.venue) == (territory, None)


# --- Denied -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["animator", "member", "pending_animator", "elsewhere_admin", "editor", "anonymous"])
def test_others_cannot_delete_a_venue(request, who, territory, other_territory, edited_venue):
    if who == "pending_animator":
        actor = PendingUserFactory(territory=territory, venues=[edited_venue])
    elif who == "elsewhere_admin":
        actor = UserFactory(territory=other_territory, referent_of=[other_territory])
    elif who == "anonymous":
        actor = AnonymousUser()
    else:
        actor = request.getfixturevalue(who)
    with refused(PermissionDenied, "You cannot delete this venue."):
        services.venue_delete(actor=actor, venue=edited_venue)


def test_a_venue_moved_meanwhile_to_another_territory_is_refused_to_the_former_local_admin(
    referent, venue, other_territory
):
    stale = Venue.objects.get(pk=venue.pk)
    Venue.objects.filter(pk=venue.pk).update(territory=other_territory)
    with refused(PermissionDenied, "You cannot delete this venue."):
        services.venue_delete(actor=referent, venue=stale)


# --- Invalid ------------------------------------------------------------------------------------


def test_a_venue_already_deleted_is_invalid_and_nothing_is_recorded(referent, coordinator, venue):
    stale = Venue.objects.get(pk=venue.pk)
    services.venue_delete(actor=coordinator, venue=venue)
    with refused(ValidationError, "This venue no longer exists."):
        services.venue_delete(actor=referent, venue=stale)
    assert Activity.objects.filter(verb="venue.deleted").count() == 1


def test_a_failure_half_way_deletes_nothing_and_records_nothing(referent, edited_venue, monkeypatch):
    def broken_delete(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Venue, "delete", broken_delete)
    with assertions.nothing_saved(state), pytest.raises(RuntimeError):
        services.venue_delete(actor=referent, venue=edited_venue)


# --- Through Wagtail's admin (/cms/) --------------------------------------------------------------


def delete_url(venue):
    return reverse("venues:delete", args=[venue.pk])


def test_deleting_in_the_admin_goes_through_the_service(coordinator, territory, edited_venue):
    client = client_for(coordinator)
    pk = edited_venue.pk
    assert client.get(delete_url(edited_venue)).status_code == 200  # the confirmation page
    response = client.post(delete_url(edited_venue))
    assert (response.status_code, response["Location"]) == (302, reverse("venues:index"))
    assert not Venue.objects.filter(pk=pk).exists()
    activity = Activity.objects.get(verb="venue.deleted")
    assert (activity.actor, activity.target_id) == (coordinator, str(pk))
    assert activity.space == Space.objects.get(territory=territory)
    assert activity.data["record"]["phone"] == "+33565243210"
    # Wagtail's own history of the object still records the deletion, once.
    assert ModelLogEntry.objects.filter(object_id=str(pk), action="wagtail.delete").count() == 1


def test_the_service_refusal_of_a_delete_in_the_admin_deletes_nothing_and_says_why(territory, other_territory):
    """Django permissions open the delete view; the service still asks who may delete."""
    user = UserFactory(territory=territory, referent_of=[territory])
    grant_admin(user, model_permissions=[("directory", "_venue")])
    elsewhere = VenueFactory(territory=other_territory, name="Cyber-base d'ailleurs")
    client = client_for(user)

    with assertions.nothing_saved(state):
        response = client.post(delete_url(elsewhere))
    assert (response.status_code, response["Location"]) == (302, reverse("venues:index"))
    assert [str(message) for message in get_messages(response.wsgi_request)] == ["You cannot delete this venue."]
    assert Venue.objects.filter(pk=elsewhere.pk).exists()

    # Their own territory's venue: deleted, through the service.
    mine = VenueFactory(territory=territory, name="EPM de chez moi")
    assert client.post(delete_url(mine)).status_code == 302
    assert not Venue.objects.filter(pk=mine.pk).exists()
    assert Activity.objects.filter(verb="venue.deleted", actor=user, target_id=str(mine.pk)).exists()


def test_a_plain_member_cannot_reach_the_delete_view(member_client, venue):
    response = member_client.post(delete_url(venue))
    assert response.status_code in (302, 403)
    assert Venue.objects.filter(pk=venue.pk).exists()
    assert not Activity.objects.filter(verb="venue.deleted").exists()
