"""Venue upkeep, wiki-style: create, edit, restore; who may; what is refused; revisions."""

import datetime
import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from core.models import Activity
from directory import services
from directory.models import Venue, VenueRevision
from extranet.testing import concurrency
from extranet.testing.factories import PendingUserFactory, TerritoryFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db

BASE = {
    "name": "Espace numérique de Figeac",
    "address": "2 rue de la Monnaie",
    "postal_code": "46100",
    "city": "Figeac",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def animator(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Inès Carrère")


@pytest.fixture
def elsewhere_admin(other_territory):
    return UserFactory(territory=other_territory, referent_of=[other_territory], display_name="Paul Vern")


def counts():
    return Venue.objects.count(), VenueRevision.objects.count(), Activity.objects.count()


# --- Create -----------------------------------------------------------------------------------


def test_a_local_admin_adds_a_venue_and_its_first_revision_holds_every_field(referent, territory):
    data = dict(
        BASE,
        services=["Aide aux démarches administratives"],
        fees=["Gratuit"],
        phone="05 65 34 00 00",
        opening_hours="Mo-Fr 09:00-12:00",
        latitude=decimal.Decimal("44.608"),
        longitude=decimal.Decimal("2.031"),
    )
    venue = services.venue_create(actor=referent, territory=territory, data=data)

    venue = Venue.objects.get(pk=venue.pk)
    assert venue.slug == "espace-numerique-de-figeac-figeac"
    assert venue.identifier.startswith("lieu-") and len(venue.identifier) == 21
    assert venue.phone == "+33565340000"  # the schema's international format
    assert venue.services == ["Aide aux démarches administratives"]
    assert venue.search_text == "espace numerique de figeac figeac 46100 2 rue de la monnaie"
    [revision] = venue.revisions.all()
    assert (revision.kind, revision.author) == (VenueRevision.Kind.CREATED, referent)
    assert revision.data["fees"] == ["Gratuit"]
    assert revision.data["latitude"] == "44.608000"
    changed = {change["field"] for change in revision.changes}
    assert {"name", "services", "fees", "phone", "territory", "latitude"} <= changed
    assert Activity.objects.filter(verb="venue.created", actor=referent, target_id=str(venue.pk)).count() == 1


def test_two_venues_of_the_same_name_get_distinct_slugs(coordinator, territory):
    first = services.venue_create(actor=coordinator, territory=territory, data=BASE)
    second = services.venue_create(actor=coordinator, territory=territory, data=BASE)
    assert (first.slug, second.slug) == ("espace-numerique-de-figeac-figeac", "espace-numerique-de-figeac-figeac-2")


@pytest.mark.parametrize("who", ["member", "pending_user", "elsewhere_admin", "animator"])
def test_only_local_admins_of_the_territory_add_venues(request, who, territory):
    actor = request.getfixturevalue(who)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.venue_create(actor=actor, territory=territory, data=BASE)
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"postal_code": "4600"}, "postal_code", "A postal code has five digits, for example 46000."),
        ({"services": ["Cours de cuisine"]}, "services", "Unknown value: « Cours de cuisine »."),
        ({"opening_hours": "Lu-Ve 9h-12h"}, "opening_hours", "These opening hours cannot be read: « Lu-Ve 9h-12h »."),
        (
            {"latitude": decimal.Decimal("40.7"), "longitude": decimal.Decimal("-74.0")},
            "latitude",
            "These coordinates (40.7, -74.0) are outside France and its overseas territories.",
        ),
        (
            {"latitude": decimal.Decimal("1.44"), "longitude": decimal.Decimal("44.45")},
            "latitude",
            "Latitude and longitude seem swapped",
        ),
        ({"latitude": decimal.Decimal("44.45")}, "longitude", "Give both latitude and longitude, or neither."),
        (
            {"emails": ["contact@epn.fr", "pas-une-adresse"]},
            "emails",
            "« pas-une-adresse » is not a valid e-mail address.",
        ),
        ({"websites": ["javascript:alert(1)"]}, "websites", "« javascript:alert(1) » is not a web address"),
        ({"typology": ["ASSO", "<b>"]}, "typology", "« <b> » is not a structure type code"),
        ({"phone": "12"}, "phone", "Write the number in international format"),
        ({"pivot": "12-34"}, "pivot", "A SIRET or RNA number has 9 to 14 letters or digits."),
        ({"insee_code": "20000"}, "insee_code", "An INSEE code has five characters"),
        ({"summary": "x" * 281}, "summary", "at most 280 characters"),
        ({"name": ""}, "name", "This field cannot be blank."),
    ],
    ids=[
        "postcode",
        "service",
        "hours",
        "outside",
        "swapped",
        "half",
        "email",
        "url",
        "typology",
        "phone",
        "pivot",
        "insee",
        "summary",
        "name",
    ],
)
def test_invalid_records_are_refused_field_by_field_and_nothing_is_saved(referent, territory, data, field, message):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.venue_create(actor=referent, territory=territory, data=dict(BASE, **data))
    assert field in caught.value.message_dict
    assert any(message in text for text in caught.value.message_dict[field]), caught.value.message_dict
    assert counts() == before


def test_overseas_coordinates_are_in_france(referent, territory):
    venue = services.venue_create(
        actor=referent,
        territory=territory,
        data=dict(
            BASE,
            postal_code="97400",
            city="Saint-Denis",
            latitude=decimal.Decimal("-20.88"),
            longitude=decimal.Decimal("55.45"),
            phone="+262262000000",
        ),
    )
    assert venue.has_location


def test_an_unknown_field_is_refused(referent, territory):
    with pytest.raises(ValidationError, match="Unknown venue fields: search_text"):
        services.venue_create(actor=referent, territory=territory, data=dict(BASE, search_text="x"))


# --- Update -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["animator", "referent", "coordinator"])
def test_the_venue_s_animators_its_local_admins_and_coordinators_edit_it(request, who, venue):
    actor = request.getfixturevalue(who)
    before = venue.updated_at
    updated = services.venue_update(
        actor=actor, venue=venue, data={"summary": "Ouvert le samedi.", "fees": ["Gratuit"]}
    )
    fresh = Venue.objects.get(pk=venue.pk)
    assert (fresh.summary, fresh.fees) == ("Ouvert le samedi.", ["Gratuit"])
    assert fresh.updated_at > before and updated.updated_at == fresh.updated_at
    [revision] = fresh.revisions.all()
    assert (revision.kind, revision.author_id) == (VenueRevision.Kind.EDITED, actor.pk)
    assert revision.changes == [
        {"field": "summary", "before": "", "after": "Ouvert le samedi."},
        {"field": "fees", "before": [], "after": ["Gratuit"]},
    ]
    assert Activity.objects.filter(verb="venue.updated", actor=actor).count() == 1


@pytest.mark.parametrize("who", ["member_elsewhere", "pending_user", "elsewhere_admin", "anonymous"])
def test_others_cannot_edit_a_venue(request, who, venue, territory):
    from django.contrib.auth.models import AnonymousUser

    if who == "member_elsewhere":
        actor = UserFactory(territory=territory, venues=[VenueFactory(territory=territory)])
    elif who == "anonymous":
        actor = AnonymousUser()
    else:
        actor = request.getfixturevalue(who)
    before = counts()
    with pytest.raises(PermissionDenied):
        services.venue_update(actor=actor, venue=venue, data={"name": "Piraté"})
    assert Venue.objects.get(pk=venue.pk).name == "EPM de Limogne"
    assert counts() == before


def test_a_pending_animator_of_the_venue_cannot_edit_it(territory, venue):
    pending = PendingUserFactory(territory=territory, venues=[venue])
    with pytest.raises(PermissionDenied):
        services.venue_update(actor=pending, venue=venue, data={"name": "Piraté"})


def test_invalid_data_changes_nothing_not_even_the_caller_s_object(animator, venue):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        services.venue_update(actor=animator, venue=venue, data={"name": "Nouveau", "postal_code": "460001"})
    assert list(caught.value.message_dict) == ["postal_code"]
    assert Venue.objects.get(pk=venue.pk).name == "EPM de Limogne"
    assert venue.name == "EPM de Limogne"
    assert counts() == before


def test_an_edit_that_changes_nothing_records_nothing(animator, venue):
    before_date = Venue.objects.get(pk=venue.pk).updated_at
    services.venue_update(actor=animator, venue=venue, data={"name": " EPM de Limogne ", "services": []})
    assert Venue.objects.get(pk=venue.pk).updated_at == before_date
    assert VenueRevision.objects.count() == 0


def test_the_slug_stays_when_the_name_changes(animator, venue):
    slug = venue.slug
    services.venue_update(actor=animator, venue=venue, data={"name": "Tiers-lieu de Limogne"})
    assert Venue.objects.get(pk=venue.pk).slug == slug


def test_moving_a_venue_needs_rights_on_the_new_territory(referent, coordinator, venue, other_territory):
    with pytest.raises(PermissionDenied):
        services.venue_update(actor=referent, venue=venue, data={"territory": other_territory})
    assert Venue.objects.get(pk=venue.pk).territory_id == venue.territory_id
    services.venue_update(actor=coordinator, venue=venue, data={"territory": other_territory})
    revision = VenueRevision.objects.get()
    assert revision.changes == [{"field": "territory", "before": venue.territory.name, "after": other_territory.name}]
    assert revision.data["territory"] == other_territory.pk


def test_an_import_may_set_date_maj(venue):
    day = services.local_noon(datetime.date(2024, 4, 2))
    services.venue_update(
        actor=None, venue=venue, data={"summary": "Importé"}, updated_at=day, kind=VenueRevision.Kind.IMPORTED
    )
    fresh = Venue.objects.get(pk=venue.pk)
    assert timezone.localtime(fresh.updated_at).date() == datetime.date(2024, 4, 2)
    assert VenueRevision.objects.get().kind == VenueRevision.Kind.IMPORTED
    assert Activity.objects.filter(verb="venue.imported", actor=None).count() == 1


# --- Edit conflicts ---------------------------------------------------------------------------


def test_a_stale_edit_of_the_same_field_is_refused_and_names_who_saved(animator, referent, venue):
    base = services.venue_update(actor=referent, venue=venue, data={"summary": "v1"}).revisions.first().pk
    services.venue_update(actor=referent, venue=venue, data={"summary": "v2 by Marc"}, base_revision_id=base)
    with pytest.raises(services.EditConflict) as caught:
        services.venue_update(actor=animator, venue=venue, data={"summary": "v2 by Inès"}, base_revision_id=base)
    assert "Marc Delpech saved this venue while you were editing it" in caught.value.messages[0]
    assert "(Summary)" in caught.value.messages[0]
    assert Venue.objects.get(pk=venue.pk).summary == "v2 by Marc"


def test_a_stale_edit_of_other_fields_merges(animator, referent, venue):
    base = services.venue_update(actor=referent, venue=venue, data={"summary": "v1"}).revisions.first().pk
    services.venue_update(actor=referent, venue=venue, data={"summary": "v2"}, base_revision_id=base)
    services.venue_update(actor=animator, venue=venue, data={"phone": "+33565000000"}, base_revision_id=base)
    fresh = Venue.objects.get(pk=venue.pk)
    assert (fresh.summary, fresh.phone) == ("v2", "+33565000000")


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_field_at_once_one_wins_and_the_other_is_told(territory):
    venue = VenueFactory(territory=territory, name="EPM de Limogne")
    admin = UserFactory(territory=territory, referent_of=[territory], display_name="Marc Delpech")
    animator = UserFactory(territory=territory, venues=[venue], display_name="Inès Carrère")
    base = services.venue_update(actor=admin, venue=venue, data={"summary": "v1"}).revisions.first().pk

    def attempt(user_pk, text):
        from members.models import User

        return {
            "prepare": lambda: (User.objects.get(pk=user_pk), Venue.objects.get(pk=venue.pk)),
            "act": lambda p: services.venue_update(
                actor=p[0], venue=p[1], data={"summary": text}, base_revision_id=base
            ),
        }

    results = concurrency.run_together([attempt(admin.pk, "by Marc"), attempt(animator.pk, "by Inès")], language="en")
    assert concurrency.outcomes(results) == ["invalid", "ok"]
    [(_ok, winner)] = [r for r in results if r[0] == "ok"]
    assert Venue.objects.get(pk=venue.pk).summary == winner.summary
    assert VenueRevision.objects.filter(venue=venue).count() == 2


# --- Restore ----------------------------------------------------------------------------------


def test_restoring_a_revision_brings_every_field_back_and_is_itself_a_revision(animator, referent, venue):
    services.venue_update(
        actor=animator, venue=venue, data={"summary": "v1", "services": ["Loisirs et créations numériques"]}
    )
    first = VenueRevision.objects.get()
    services.venue_update(
        actor=referent, venue=venue, data={"summary": "vandalisé", "services": [], "phone": "+33600000000"}
    )
    restored = services.venue_restore(actor=animator, venue=Venue.objects.get(pk=venue.pk), revision=first)
    assert (restored.summary, restored.services, restored.phone) == ("v1", ["Loisirs et créations numériques"], "")
    latest = VenueRevision.objects.first()
    assert (latest.kind, latest.restored_from, latest.author) == (VenueRevision.Kind.RESTORED, first, animator)
    assert latest.comment.startswith("Restored the version of ")
    assert {c["field"] for c in latest.changes} == {"summary", "services", "phone"}
    assert Activity.objects.filter(verb="venue.restored").count() == 1


def test_restore_is_refused_to_others_and_for_another_venue_s_revision(animator, member, venue, territory):
    services.venue_update(actor=animator, venue=venue, data={"summary": "v1"})
    revision = VenueRevision.objects.get()
    outsider = UserFactory(territory=territory)
    with pytest.raises(PermissionDenied):
        services.venue_restore(actor=outsider, venue=venue, revision=revision)
    other = VenueFactory(territory=territory)
    admin = UserFactory(territory=territory, referent_of=[territory])
    with pytest.raises(ValidationError, match="another venue"):
        services.venue_restore(actor=admin, venue=other, revision=revision)
    assert VenueRevision.objects.count() == 1


# --- Helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("05 65 34 00 00", "+33565340000"),
        ("05.65.34.00.00", "+33565340000"),
        ("0033 5 65 34 00 00", "+33565340000"),
        ("+262 262 00 00 00", "+262262000000"),
        ("appelez-nous", "appelez-nous"),
        ("", ""),
    ],
)
def test_phone_numbers_are_written_in_the_schema_s_format(typed, stored):
    assert services.normalize_phone(typed) == stored


def test_territory_of_a_new_venue_must_exist_for_the_admin(referent):
    unknown = TerritoryFactory()
    with pytest.raises(PermissionDenied):
        services.venue_create(actor=referent, territory=unknown, data=BASE)


# --- Issue 14: order-only list changes, labels people read ---------------------------------------


def test_reordering_a_list_is_not_a_change_but_changing_it_is(animator, venue):
    services.venue_update(actor=animator, venue=venue, data={"typology": ["TIERS_LIEUX", "ASSO"]})
    assert VenueRevision.objects.count() == 1
    services.venue_update(actor=animator, venue=venue, data={"typology": ["ASSO", "TIERS_LIEUX"]})
    assert VenueRevision.objects.count() == 1
    services.venue_update(actor=animator, venue=venue, data={"typology": ["ASSO"]})
    latest = VenueRevision.objects.first()
    assert latest.changes == [{"field": "typology", "before": ["TIERS_LIEUX", "ASSO"], "after": ["ASSO"]}]


def test_meaningful_changes_drops_recorded_reorderings_only():
    changes = [
        {"field": "services", "before": ["A", "B"], "after": ["B", "A"]},
        {"field": "fees", "before": ["Gratuit"], "after": ["Payant"]},
        {"field": "summary", "before": "a", "after": "b"},
    ]
    assert services.meaningful_changes(changes) == changes[1:]


def test_field_labels_are_capitalised():
    labels = services.field_labels()
    assert labels["typology"] == "Types of structure"
    assert labels["opening_hours"] == "Opening hours"
    assert labels["insee_code"] == "INSEE code"


def test_the_record_of_a_revision_shows_structure_types_by_label(animator, venue):
    services.venue_update(actor=animator, venue=venue, data={"typology": ["BIB", "COMMUNE", "XYZ"]})
    record = dict(services.revision_record(VenueRevision.objects.get()))
    assert record["Types of structure"] == "Bibliothèque, médiathèque, Commune, mairie, XYZ"


def test_structure_type_labels_for_the_public_pages():
    from directory import schema

    assert schema.structure_type_label("ASSO") == "Association"
    assert schema.structure_type_label("TIERS_LIEUX") == "Tiers-lieu, coworking"
    assert schema.structure_type_label("INCONNU") == "INCONNU"
    assert schema.structure_type_labels(["CCAS", "FRANCE_SERVICES"]) == [
        "Centre communal d'action sociale (CCAS)", "France services"]
    choices = schema.structure_type_choices(extra=["INCONNU", "ASSO"])
    assert choices[0] == ("ASSO", "Association")
    assert choices[-1] == ("INCONNU", "INCONNU")
    assert [code for code, _label in choices].count("ASSO") == 1
