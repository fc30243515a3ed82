"""The demo venues are valid national-schema records."""

import pytest

from directory import demo as directory_demo
from directory.models import Venue
from members import demo

pytestmark = pytest.mark.django_db


def test_the_demo_venues_are_complete_and_valid():
    demo.seed(make_venues=directory_demo.seed_venues, log=lambda *_: None)
    venues = list(Venue.objects.all())
    assert len(venues) == len(directory_demo.VENUES)
    for venue in venues:
        venue.full_clean()  # raises on any invalid field
    assert all(venue.opening_hours and venue.services and venue.phone.startswith("+33") for venue in venues)
    assert sum("visio" in venue.equipment for venue in venues) >= 3
    assert {"Gratuit"} <= {fee for venue in venues for fee in venue.fees}
