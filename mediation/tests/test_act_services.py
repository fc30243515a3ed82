"""Activity record services (mediation.activity): who records, changes and deletes a record,
and every value refused, with nothing saved."""

from datetime import date, timedelta
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from extranet.testing import assertions
from extranet.testing.factories import (
    ActivityRecordFactory,
    CoordinatorFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
)
from mediation import activity, coop
from mediation.models import ActivityBeneficiary, ActivityRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    return {
        "records": sorted(ActivityRecord.objects.values_list(
            "pk", "kind", "date", "duration_minutes", "place_type", "venue_id", "commune", "themes", "participants",
            "title", "autonomy", "level", "updated_at")),
        "people": sorted(ActivityBeneficiary.objects.values_list("record_id", "first_name", "gender", "age_bracket")),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)


@pytest.fixture
def people():
    territory = TerritoryFactory(name="Lot")
    venue = VenueFactory(name="Médiathèque de Figeac", territory=territory, city="Figeac")
    other_venue = VenueFactory(name="Espace de Gourdon", territory=TerritoryFactory(name="Bouriane"))
    animator = UserFactory(territory=territory)
    animator.venues.add(venue)
    return {"territory": territory, "venue": venue, "other_venue": other_venue, "animator": animator}


def individual(**changes):
    data = {"kind": coop.Kind.INDIVIDUAL, "date": timezone.localdate(), "duration_minutes": 30,
            "place_type": coop.PlaceType.VENUE, "themes": [coop.Theme.EMAIL]}
    data.update(changes)
    return data


def collective(**changes):
    data = {"kind": coop.Kind.COLLECTIVE, "date": timezone.localdate(), "duration_minutes": 120,
            "place_type": coop.PlaceType.VENUE, "themes": [coop.Theme.SECURITY], "title": "Arnaques en ligne",
            "participants": 8, "level": coop.Level.BEGINNER}
    data.update(changes)
    return data


# --- Create: allowed ---------------------------------------------------------------------------


def test_individual_at_my_only_venue_by_default(people):
    record = activity.record_create(actor=people["animator"], **individual(autonomy=coop.Autonomy.PARTLY))
    record.refresh_from_db()
    assert record.venue == people["venue"]
    assert record.territory == people["territory"]
    assert record.source == "manual"
    assert record.recorded_by == people["animator"]
    assert record.participants == 1
    assert record.autonomy == "PartiellementAutonome"
    assert record.themes == ["Email"]
    assert record.beneficiaries.count() == 0


def test_individual_with_the_person_described(people):
    record = activity.record_create(actor=people["animator"], **individual(beneficiaries=[{
        "first_name": "Josette", "gender": coop.Gender.FEMALE, "age_bracket": coop.AgeBracket.AGE_70,
        "situation": coop.Situation.RETIRED, "commune": "Figeac", "commune_insee": "46102"}]))
    person = record.beneficiaries.get()
    assert (person.first_name, person.gender, person.age_bracket, person.situation, person.commune_insee) == (
        "Josette", "Feminin", "SoixanteDixPlus", "Retraite", "46102")


def test_individual_ignores_the_collective_fields(people):
    record = activity.record_create(actor=people["animator"], **individual(
        title="Ignored", participants=7, level=coop.Level.ADVANCED))
    assert (record.title, record.participants, record.level) == ("", 1, "")


def test_collective_at_home_elsewhere_and_remote(people):
    record = activity.record_create(actor=people["animator"], **collective(
        place_type=coop.PlaceType.OTHER, commune="Cajarc", commune_insee="46042", autonomy=coop.Autonomy.AUTONOMOUS))
    assert (record.venue, record.commune, record.commune_insee, record.autonomy) == (None, "Cajarc", "46042", "")
    # No venue: the actor's territory.
    assert record.territory == people["territory"]
    remote = activity.record_create(actor=people["animator"], **collective(
        place_type=coop.PlaceType.REMOTE, commune="Ignored"))
    assert (remote.venue, remote.commune) == (None, "")
    home = activity.record_create(actor=people["animator"], **individual(
        place_type=coop.PlaceType.HOME, commune="Corse", commune_insee="2a004"))
    assert home.commune_insee == "2A004"


def test_procedures_with_paperwork_and_limits(people):
    record = activity.record_create(actor=people["animator"], **individual(
        themes=[coop.Theme.PAPERWORK, coop.Theme.WELFARE], duration_minutes=600,
        date=timezone.localdate() - timedelta(days=300)))
    assert record.themes == ["AideAuxDemarchesAdministratives", "SocialSante"]
    assert activity.record_create(actor=people["animator"], **collective(participants=500)).participants == 500


def test_coordinator_records_at_any_venue_local_admin_in_their_territory(people):
    coordinator = CoordinatorFactory()
    record = activity.record_create(actor=coordinator, **individual(venue=people["other_venue"]))
    assert record.venue == people["other_venue"]
    admin = UserFactory()
    admin.referent_territories.add(people["other_venue"].territory)
    assert activity.record_create(actor=admin, **individual(venue=people["other_venue"].pk)).venue_id == \
        people["other_venue"].pk


# --- Create: denied, invalid -------------------------------------------------------------------


def test_pending_member_refused(people):
    pending = UserFactory(status="pending")
    with refused(PermissionDenied, "Only members of the network record accompaniments."):
        activity.record_create(actor=pending, **individual(venue=people["venue"]))


YEAR_AGO = "Record accompaniments of the last twelve months only."


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"kind": "Groupe"}, "kind", "Choose individual or collective."),
    ({"date": None}, "date", "Give the date of the accompaniment."),
    ({"date": "2026-01-01"}, "date", "Give the date of the accompaniment."),
    ({"date": "tomorrow"}, "date", "Give the date of the accompaniment."),
    ({"duration_minutes": 0}, "duration_minutes", "Give a duration between 1 and 600 minutes."),
    ({"duration_minutes": 601}, "duration_minutes", "Give a duration between 1 and 600 minutes."),
    ({"duration_minutes": None}, "duration_minutes", "Give a duration between 1 and 600 minutes."),
    ({"duration_minutes": "abc"}, "duration_minutes", "Give a duration between 1 and 600 minutes."),
    ({"place_type": "Mairie"}, "place_type", "Choose where the accompaniment took place."),
    ({"place_type": coop.PlaceType.HOME}, "commune", "Give the commune."),
    ({"place_type": coop.PlaceType.OTHER, "commune": "x" * 101}, "commune",
     "Write the commune in at most 100 characters."),
    ({"place_type": coop.PlaceType.HOME, "commune": "Figeac", "commune_insee": "4610"}, "commune_insee",
     "Give the commune's INSEE code in 5 characters (e.g. 46042, 2A004)."),
    ({"place_type": coop.PlaceType.HOME, "commune": "Figeac", "commune_insee": "20123"}, "commune_insee",
     "Give the commune's INSEE code in 5 characters (e.g. 46042, 2A004)."),
    ({"themes": []}, "themes", "Choose at least one theme."),
    ({"themes": ["Email", "Cuisine"]}, "themes", "Choose the themes from the list."),
    ({"themes": [coop.Theme.HOUSING]}, "themes",
     "Tick “Help with administrative procedures” to choose a procedure."),
    ({"equipment": ["Minitel"]}, "equipment", "Choose the equipment from the list."),
    ({"autonomy": "Un peu"}, "autonomy", "Choose the person's autonomy from the list."),
    ({"beneficiaries": [{}, {}]}, "beneficiaries", "An individual accompaniment describes one person at most."),
    ({"beneficiaries": [{"first_name": "x" * 81}]}, "beneficiaries",
     "Write the first name in at most 80 characters."),
    ({"beneficiaries": [{"gender": "Autre"}]}, "beneficiaries", "Choose a gender from the list."),
    ({"beneficiaries": [{"age_bracket": "Vieux"}]}, "beneficiaries", "Choose an age bracket from the list."),
    ({"beneficiaries": [{"situation": "Rentier"}]}, "beneficiaries", "Choose a situation from the list."),
    ({"beneficiaries": [{"commune": "x" * 101}]}, "beneficiaries", "Write the commune in at most 100 characters."),
    ({"beneficiaries": [{"commune_insee": "ABCDE"}]}, "beneficiaries",
     "Give the commune's INSEE code in 5 characters (e.g. 46042, 2A004)."),
    ({"notes": "x" * 2001}, "notes", "Write the notes in at most 2000 characters."),
    ({"redirected_to": "x" * 201}, "redirected_to", "Write it in at most 200 characters."),
], ids=lambda value: str(value)[:40] if isinstance(value, str) else None)
def test_individual_invalid(people, changes, field, message):
    with refused(ValidationError, message, field):
        activity.record_create(actor=people["animator"], **individual(**changes))


def test_dates_out_of_range(people):
    today = timezone.localdate()
    with refused(ValidationError, "The date cannot be in the future.", "date"):
        activity.record_create(actor=people["animator"], **individual(date=today + timedelta(days=1)))
    with refused(ValidationError, YEAR_AGO, "date"):
        activity.record_create(actor=people["animator"], **individual(date=today - timedelta(days=400)))
    assert activity.one_year_before(date(2028, 2, 29)) == date(2027, 2, 28)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Give the workshop's title."),
    ({"title": "   "}, "title", "Give the workshop's title."),
    ({"title": "x" * 201}, "title", "Write the title in at most 200 characters."),
    ({"participants": 0}, "participants", "Give a number of participants between 1 and 500."),
    ({"participants": 501}, "participants", "Give a number of participants between 1 and 500."),
    ({"participants": None}, "participants", "Give a number of participants between 1 and 500."),
    ({"participants": 1, "beneficiaries": [{}, {}]}, "beneficiaries", "Describe at most as many people as took part."),
    ({"level": "Expert"}, "level", "Choose the level from the list."),
])
def test_collective_invalid(people, changes, field, message):
    with refused(ValidationError, message, field):
        activity.record_create(actor=people["animator"], **collective(**changes))


def test_venue_needed_and_mine(people):
    with refused(ValidationError, "You record accompaniments only at the venues you work in.", "venue"):
        activity.record_create(actor=people["animator"], **individual(venue=people["other_venue"]))
    with refused(ValidationError, "Choose the venue.", "venue"):
        activity.record_create(actor=people["animator"], **individual(venue=999999))
    # Two venues: no default.
    people["animator"].venues.add(people["other_venue"])
    with refused(ValidationError, "Choose the venue.", "venue"):
        activity.record_create(actor=people["animator"], **individual())
    # No venue at all.
    with refused(ValidationError, "Choose the venue.", "venue"):
        activity.record_create(actor=UserFactory(), **individual())


def test_every_problem_at_once(people):
    with nothing_saved(), pytest.raises(ValidationError) as error:
        activity.record_create(actor=people["animator"], **collective(title="", participants=0, themes=[],
                                                                      duration_minutes=0))
    assert sorted(error.value.message_dict) == ["duration_minutes", "participants", "themes", "title"]


# --- Update, delete ----------------------------------------------------------------------------


def test_update_by_mediator_and_coordinator(people):
    record = activity.record_create(actor=people["animator"], **individual(beneficiaries=[{"first_name": "Ali"}]))
    activity.record_update(actor=people["animator"], record=record, duration_minutes=45,
                           themes=[coop.Theme.PAPERWORK, coop.Theme.TAXES])
    record.refresh_from_db()
    assert (record.duration_minutes, record.themes, record.venue) == (
        45, ["AideAuxDemarchesAdministratives", "ArgentImpots"], people["venue"])
    assert list(record.beneficiaries.values_list("first_name", flat=True)) == ["Ali"]
    activity.record_update(actor=CoordinatorFactory(), record=record, beneficiaries=[])
    assert record.beneficiaries.count() == 0
    with pytest.raises(TypeError):
        activity.record_update(actor=people["animator"], record=record, colour="red")


def test_update_refused(people):
    record = activity.record_create(actor=people["animator"], **individual())
    colleague = UserFactory()
    colleague.venues.add(people["venue"])  # sees it, may not change it
    with refused(PermissionDenied, "Only its mediator and the coordinators change this record."):
        activity.record_update(actor=colleague, record=record, duration_minutes=60)
    with refused(PermissionDenied, "Only its mediator and the coordinators change this record."):
        activity.record_delete(actor=UserFactory(), record=record)
    with refused(ValidationError, "Give a duration between 1 and 600 minutes.", "duration_minutes"):
        activity.record_update(actor=people["animator"], record=record, duration_minutes=0)


@pytest.mark.parametrize("source", ["workshop", "voucher"])
def test_records_from_a_source_refuse_change(people, source):
    record = ActivityRecordFactory(venue=people["venue"], recorded_by=people["animator"], source=source)
    message = "This record follows its session or its voucher: change it there."
    with refused(ValidationError, message):
        activity.record_update(actor=people["animator"], record=record, duration_minutes=60)
    with refused(ValidationError, message):
        activity.record_delete(actor=CoordinatorFactory(), record=record)


def test_delete(people):
    record = activity.record_create(actor=people["animator"], **individual(beneficiaries=[{"first_name": "Ali"}]))
    activity.record_delete(actor=people["animator"], record=record)
    assert not ActivityRecord.objects.exists()
    assert not ActivityBeneficiary.objects.exists()


def test_duration_text():
    assert [activity.duration_text(m) for m in (15, 60, 90, 125)] == [
        "15\u00a0min", "1\u00a0h", "1\u00a0h\u00a030", "2\u00a0h\u00a005"]


def test_update_keeps_a_venue_the_mediator_left(people):
    record = activity.record_create(actor=people["animator"], **individual())
    people["animator"].venues.add(people["other_venue"])
    people["animator"].venues.remove(people["venue"])
    animator = type(people["animator"]).objects.get(pk=people["animator"].pk)  # roles read afresh
    activity.record_update(actor=animator, record=record, duration_minutes=60)
    record.refresh_from_db()
    assert (record.venue, record.duration_minutes) == (people["venue"], 60)
