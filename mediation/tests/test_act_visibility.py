"""records_visible_to(user) is exactly permissions.can_view_record, on a matrix of roles and
records; the list's scopes."""

import pytest

from extranet.testing.factories import (
    ActivityRecordFactory,
    CoordinatorFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
)
from extranet.testing.shared import building, shared_transaction
from mediation import permissions
from mediation.activity_selectors import RecordFilters, records_filtered, records_visible_to, scopes_for
from mediation.models import ActivityRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            lot, bouriane = TerritoryFactory(name="Lot"), TerritoryFactory(name="Bouriane")
            figeac = VenueFactory(name="Figeac", territory=lot)
            gourdon = VenueFactory(name="Gourdon", territory=bouriane)
            users = {
                "mediator": UserFactory(territory=lot),
                "animator": UserFactory(territory=lot),
                "admin": UserFactory(territory=lot),
                "coordinator": CoordinatorFactory(),
                "outsider": UserFactory(territory=lot),
                "pending": UserFactory(territory=lot, status="pending"),
                "partner": UserFactory(territory=None, status="partner"),
            }
            users["animator"].venues.add(figeac)
            users["admin"].referent_territories.add(lot)
            other = UserFactory()
            records = {
                "mine_at_figeac": ActivityRecordFactory(venue=figeac, recorded_by=users["mediator"]),
                "mine_remote": ActivityRecordFactory(venue=None, territory=None, place_type="ADistance",
                                                     recorded_by=users["mediator"]),
                "other_at_figeac": ActivityRecordFactory(venue=figeac, recorded_by=other),
                "other_in_lot": ActivityRecordFactory(venue=None, territory=lot, place_type="Domicile",
                                                      commune="Cajarc", recorded_by=other),
                "other_at_gourdon": ActivityRecordFactory(venue=gourdon, recorded_by=other),
                "orphan": ActivityRecordFactory(venue=None, territory=None, recorded_by=None),
            }
            users["pending_recorder"] = UserFactory(status="pending")
            records["by_pending"] = ActivityRecordFactory(venue=gourdon, recorded_by=users["pending_recorder"])
        yield {"users": users, "records": records, "figeac": figeac}


EXPECTED = {
    "mediator": {"mine_at_figeac", "mine_remote"},
    "animator": {"mine_at_figeac", "other_at_figeac"},
    "admin": {"mine_at_figeac", "other_at_figeac", "other_in_lot"},
    "coordinator": {"mine_at_figeac", "mine_remote", "other_at_figeac", "other_in_lot", "other_at_gourdon",
                    "orphan", "by_pending"},
    "outsider": set(),
    "pending": set(),
    "partner": set(),
    "pending_recorder": set(),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_selector_agrees_with_the_rule(world, who):
    user = world["users"][who]
    names = {record.pk: name for name, record in world["records"].items()}
    by_rule = {name for name, record in world["records"].items() if permissions.can_view_record(user, record)}
    by_query = {names[pk] for pk in records_visible_to(user).values_list("pk", flat=True)}
    assert by_query == by_rule == EXPECTED[who]


def test_scopes(world):
    users = world["users"]
    assert scopes_for(users["mediator"]) == ["mine"]
    assert scopes_for(users["animator"]) == ["mine", "venues"]
    assert scopes_for(users["admin"]) == ["mine", "territory"]
    assert scopes_for(users["coordinator"]) == ["mine", "all"]
    records = world["records"]

    def names(user, **filters):
        found = set(records_filtered(user, RecordFilters(**filters)).values_list("pk", flat=True))
        return {name for name, record in records.items() if record.pk in found}

    assert names(users["animator"]) == set()
    assert names(users["animator"], scope="venues") == {"mine_at_figeac", "other_at_figeac"}
    assert names(users["admin"], scope="territory") == {"mine_at_figeac", "other_at_figeac", "other_in_lot"}
    # A scope not offered reads as one's own.
    assert names(users["mediator"], scope="all") == {"mine_at_figeac", "mine_remote"}
    assert names(users["coordinator"], scope="all", venue_id=world["figeac"].pk) == {
        "mine_at_figeac", "other_at_figeac"}
    assert names(users["coordinator"], scope="all", kind="Collectif") == set()
    assert names(users["coordinator"], scope="all", theme="Sante") == set()
    assert len(names(users["coordinator"], scope="all", theme="Email")) == 7
    assert ActivityRecord.objects.count() == 7
