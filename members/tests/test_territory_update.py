"""Editing a territory: `members.services.territory_update`, and Wagtail's edit view going through it.

Allowed: coordinators (superusers included). Denied: everyone else, local admins of the
territory included. Invalid: a blank, taken or malformed value, an unknown field; nothing
is saved, not even on the caller's object.
"""

from functools import partial

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from core.activity import render_activity
from core.models import Activity, Space
from extranet.testing import assertions
from extranet.testing.factories import UserFactory, grant_admin
from members import services
from members.models import Territory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    """What an edit may touch: the territories, the activity log, Wagtail's history."""
    return {
        "territories": sorted(Territory.objects.values_list("pk", "name", "slug", "kind", "description")),
        "activities": sorted(Activity.objects.values_list("pk", "verb", "target_id")),
        "wagtail_log": sorted(ModelLogEntry.objects.values_list("pk", "action", "object_id")),
    }


refused = partial(assertions.refused, state)


# --- Allowed ------------------------------------------------------------------------------------


def test_a_coordinator_edits_a_territory_and_the_activity_lists_the_changes(coordinator, territory):
    result = services.territory_update(
        actor=coordinator,
        territory=territory,
        data={
            "name": " Pays des Causses du Quercy ", "kind": "interco", "description": "Nord du Lot",
            "slug": "pays-des-causses",
        },
    )
    assert result is territory
    # The caller's object follows (values as saved: stripped).
    assert (territory.name, territory.kind, territory.description) == (
        "Pays des Causses du Quercy", "interco", "Nord du Lot",
    )
    fresh = Territory.objects.get(pk=territory.pk)
    assert (fresh.name, fresh.slug, fresh.kind, fresh.description) == (
        "Pays des Causses du Quercy", "pays-des-causses", "interco", "Nord du Lot",
    )
    activity = Activity.objects.get(verb="territory.updated")
    assert (activity.actor, activity.target_id, activity.target_label) == (
        coordinator, str(territory.pk), "Pays des Causses du Quercy",
    )
    assert activity.space == Space.objects.get(territory=territory)  # the territory's log
    assert activity.data["changes"] == [
        {"field": "name", "before": "Pays des Causses", "after": "Pays des Causses du Quercy"},
        {"field": "kind", "before": "pays", "after": "interco"},
        {"field": "description", "before": "", "after": "Nord du Lot"},
    ]
    assert render_activity(activity) == "Claire Dumas updated the territory Pays des Causses du Quercy"


def test_a_superuser_edits_a_territory(territory, other_territory):
    root = UserFactory(territory=other_territory, is_superuser=True)
    services.territory_update(actor=root, territory=territory, data={"description": "Causses"})
    assert Territory.objects.get(pk=territory.pk).description == "Causses"
    assert Activity.objects.filter(verb="territory.updated", actor=root).count() == 1


def test_a_new_case_of_its_own_name_is_not_a_taken_name(coordinator, territory):
    services.territory_update(actor=coordinator, territory=territory, data={"name": "PAYS DES CAUSSES"})
    assert Territory.objects.get(pk=territory.pk).name == "PAYS DES CAUSSES"


def test_an_edit_that_changes_nothing_records_nothing(coordinator, territory):
    with assertions.nothing_saved(state):
        services.territory_update(
            actor=coordinator, territory=territory, data={"name": "Pays des Causses ", "kind": territory.kind}
        )


# --- Denied -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["referent", "member", "editor", "pending_user", "anonymous"])
def test_only_coordinators_edit_territories(request, who, territory):
    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with refused(PermissionDenied, "Only coordinators edit territories."):
        services.territory_update(actor=actor, territory=territory, data={"name": "Piraté"})
    assert territory.name == "Pays des Causses"


def test_a_coordinator_no_longer_approved_or_active_cannot_edit(coordinator, territory):
    coordinator.is_active = False
    with refused(PermissionDenied, "Only coordinators edit territories."):
        services.territory_update(actor=coordinator, territory=territory, data={"name": "Piraté"})


# --- Invalid ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": None}, "name"),
        ({"name": "vallée du lys"}, "name"),  # another territory's, in another case
        ({"slug": "Pas un slug !"}, "slug"),
        ({"slug": "vallee-du-lys"}, "slug"),  # another territory's
        ({"slug": ""}, "slug"),
        ({"kind": "region"}, "kind"),
        ({"name": "x" * 151}, "name"),
    ],
)
def test_invalid_values_save_nothing_not_even_on_the_caller_s_object(
    coordinator, territory, other_territory, data, field
):
    with assertions.nothing_saved(state), pytest.raises(ValidationError) as caught:
        services.territory_update(actor=coordinator, territory=territory, data={"description": "Changée", **data})
    assert field in caught.value.message_dict, caught.value.messages
    assert (territory.name, territory.slug, territory.kind, territory.description) == (
        "Pays des Causses", "pays-des-causses", "pays", "",
    )


def test_an_unknown_field_is_refused(coordinator, territory):
    with refused(ValidationError, "Unknown territory fields: space"):
        services.territory_update(actor=coordinator, territory=territory, data={"name": "Autre", "space": None})


# --- Through Wagtail's admin (/cms/) --------------------------------------------------------------


def admin_client(user):
    """A client for `user`, whose Wagtail admin speaks English (the assertions read the source strings)."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client = Client()
    client.force_login(user)
    return client


def edit_url(territory):
    return reverse("territories:edit", args=[territory.pk])


FORM = {"name": "Pays des Causses du Quercy", "slug": "pays-des-causses", "kind": "interco", "description": " Lot "}


def test_editing_in_the_admin_goes_through_the_service(coordinator, territory):
    client = admin_client(coordinator)
    assert client.get(edit_url(territory)).status_code == 200
    response = client.post(edit_url(territory), FORM)
    assert response.status_code == 302
    fresh = Territory.objects.get(pk=territory.pk)
    assert (fresh.name, fresh.kind, fresh.description) == ("Pays des Causses du Quercy", "interco", "Lot")
    activity = Activity.objects.get(verb="territory.updated")
    assert (activity.actor, activity.target_id) == (coordinator, str(territory.pk))
    assert {change["field"] for change in activity.data["changes"]} == {"name", "kind", "description"}
    # Wagtail's own history of the object still records the edit, once.
    assert ModelLogEntry.objects.filter(object_id=str(territory.pk), action="wagtail.edit").count() == 1


def test_a_name_taken_in_another_case_comes_back_on_the_admin_form(coordinator, territory, other_territory):
    client = admin_client(coordinator)
    with assertions.nothing_saved(state):
        response = client.post(edit_url(territory), {**FORM, "name": "VALLÉE DU LYS"})
    assert response.status_code == 200
    assert "A territory with this name already exists." in response.content.decode()


def test_the_service_refusal_comes_back_on_the_admin_form(territory):
    """Django permissions open the edit view to a local admin; the service still says coordinators only."""
    user = UserFactory(territory=territory, referent_of=[territory])
    grant_admin(user, model_permissions=[("members", "_territory")])
    with assertions.nothing_saved(state):
        response = admin_client(user).post(edit_url(territory), FORM)
    assert response.status_code == 200
    assert "Only coordinators edit territories." in response.content.decode()


def test_plain_members_and_site_editors_cannot_reach_the_edit_view(member_client, editor, territory):
    with assertions.nothing_saved(state):
        response = member_client.post(edit_url(territory), FORM)
        assert response.status_code in (302, 403)
        response = admin_client(editor).post(edit_url(territory), FORM)
        assert response.status_code in (302, 403)
