"""Nearby instead of full: the other open sessions of the same workshop with free places,
nearest venue first (Brest → Quimper 52.3 km → Paris 505.1 km), then those without
coordinates and online ones, by date; a fixed number of queries."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from extranet.testing.factories import (
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.shared import building, shared_transaction
from workshops import selectors
from workshops.nearby import nearby_sessions

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def at(days, hour):
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour), PARIS)


def session_at(workshop, venue, days, hour=14, **kwargs):
    return SessionFactory(workshop=workshop, venue=venue, start=at(days, hour), end=at(days, hour + 2), **kwargs)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            territory = TerritoryFactory(name="Finistère")
            brest = VenueFactory(name="Médiathèque de Brest", city="Brest", territory=territory,
                                 latitude=Decimal("48.390400"), longitude=Decimal("-4.486100"))
            quimper = VenueFactory(name="EPN de Quimper", city="Quimper", territory=territory,
                                   latitude=Decimal("47.996000"), longitude=Decimal("-4.102400"))
            paris = VenueFactory(name="La Base Paris", city="Paris", territory=territory,
                                 latitude=Decimal("48.856600"), longitude=Decimal("2.352200"))
            nowhere = VenueFactory(name="Salle sans adresse", city="Morlaix", territory=territory)
            workshop = WorkshopFactory(title="Tablette pour débuter", audience="public", status="scheduled")
            data = {"workshop": workshop, "brest": brest, "nowhere": nowhere}
            data["full"] = session_at(workshop, brest, 3, capacity=1)
            RegistrationFactory(session=data["full"], user=None, kind="visitor", name="Anne", email="anne@ex.test")
            # Paris comes first by date, Quimper is nearer.
            data["paris"] = session_at(workshop, paris, 4)
            data["quimper"] = session_at(workshop, quimper, 9)
            data["unplaced"] = session_at(workshop, nowhere, 5)
            data["online"] = session_at(workshop, None, 6, online_url="https://visio.exemple.test/a")
            # Not proposed: full, cancelled, past, closed for registration, another workshop.
            data["other_full"] = session_at(workshop, quimper, 7, capacity=1)
            RegistrationFactory(session=data["other_full"], user=None, kind="visitor", name="Bob", status="offered")
            session_at(workshop, quimper, 8, status="cancelled")
            session_at(workshop, quimper, -2)
            session_at(workshop, quimper, 10, registration_deadline=timezone.now() - timedelta(hours=1))
            session_at(WorkshopFactory(audience="public"), quimper, 3)
            yield data


def labels(pairs):
    return [(session.venue.city if session.venue else "online", km) for session, km in pairs]


def test_nearest_first_then_unplaced_by_date(world):
    found = nearby_sessions(world["full"])
    assert [(city, km is None) for city, km in labels(found)] == [
        ("Quimper", False), ("Paris", False), ("Morlaix", True), ("online", True)]
    quimper_km, paris_km = found[0][1], found[1][1]
    assert abs(quimper_km - 52.3) <= 0.5  # Brest → Quimper
    assert abs(paris_km - 505.1) <= 0.5  # Brest → Paris
    assert quimper_km == round(quimper_km, 1)


def test_limit(world):
    assert labels(nearby_sessions(world["full"], limit=2))[0][0] == "Quimper"
    assert len(nearby_sessions(world["full"], limit=2)) == 2


def test_without_coordinates_by_date(world):
    # From the venue without coordinates: every other open session by date, km None.
    found = nearby_sessions(world["unplaced"])
    assert [session.pk for session, _km in found] == [
        world["paris"].pk, world["online"].pk, world["quimper"].pk]
    assert {km for _session, km in found} == {None}


def test_places_left_counts_offers(world):
    other_full = selectors.sessions().get(pk=world["other_full"].pk)
    assert selectors.places_left(other_full) == 0
    assert other_full.pk not in [session.pk for session, _km in nearby_sessions(world["full"], limit=20)]


def test_fixed_number_of_queries(world, django_assert_max_num_queries):
    session = selectors.sessions().get(pk=world["full"].pk)
    with django_assert_max_num_queries(3):  # the sessions, their animators, their dates
        nearby_sessions(session)
