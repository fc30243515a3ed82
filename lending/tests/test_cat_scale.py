"""The issue's test: the catalogue with 2,000 items and 20,000 past reservations answers
"available between two dates" with the same number of queries as with 20 items.

The world is built once for the module (`shared_transaction`): first 20 items with 200 past
loans, whose page is measured there and then (before anything grows), then grown to 2,000
items and 20,000 past loans (bulk_create) for the tests."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from extranet.testing.factories import EquipmentCategoryFactory, UserFactory, VenueFactory
from extranet.testing.pages import english_client, measure_queries, text_of
from extranet.testing.shared import building, shared_transaction
from lending import selectors
from lending.models import Booking, Item, Reservation

pytestmark = pytest.mark.django_db

PAST_PER_ITEM = 10


def _add(start, count, *, categories, venues, requester, window):
    """Items `start` to `start + count - 1`, each with 10 past loans (returned); every tenth
    item booked over the asked period (approved, holding)."""
    today = timezone.localdate()
    items = Item.objects.bulk_create([
        Item(name=f"Objet {n:04d}", inventory_number=f"SC-{n:05d}", category=categories[n % len(categories)],
             owner_venue=venues[n % len(venues)] if n % 3 else None,
             home_venue=venues[n % len(venues)] if n % 3 else None)
        for n in range(start, start + count)])
    reservations, periods = [], []
    for offset, item in enumerate(items):
        n = start + offset
        for k in range(PAST_PER_ITEM):
            pickup = today - timedelta(days=40 * (k + 1) + n % 7)
            reservations.append(Reservation(item=item, requester=requester, venue=venues[k % len(venues)],
                                            pickup_date=pickup, return_date=pickup + timedelta(days=3),
                                            status=Reservation.Status.RETURNED))
            periods.append((item, False))
        if n % 10 == 0:
            reservations.append(Reservation(item=item, requester=requester, venue=venues[0], pickup_date=window[0],
                                            return_date=window[1], status=Reservation.Status.APPROVED))
            periods.append((item, True))
    made = Reservation.objects.bulk_create(reservations, batch_size=2000)
    Booking.objects.bulk_create([
        Booking(reservation=reservation, item=item, blocked_start=reservation.pickup_date,
                blocked_end=reservation.return_date + timedelta(days=1), holds=holds)
        for reservation, (item, holds) in zip(made, periods, strict=True)], batch_size=2000)


@pytest.fixture(scope="module")
def scale(django_db_setup, django_db_blocker):
    today = timezone.localdate()
    window = (today + timedelta(days=30), today + timedelta(days=33))
    url = f"/bureau/materiel/?du={window[0].isoformat()}&au={window[1].isoformat()}"
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            categories = [EquipmentCategoryFactory(name=f"Catégorie échelle {n}") for n in range(5)]
            venues = [VenueFactory() for _ in range(10)]
            requester = UserFactory(venues=venues[:1])
            member = UserFactory()
            _add(0, 20, categories=categories, venues=venues, requester=requester, window=window)
        # Measured here, on the small world, before it grows (a warm-up request first).
        with django_db_blocker.unblock():
            client = english_client(member)
            client.get(url)
            small_queries, small_page = measure_queries(client, url)
            small_count = text_of(small_page.select_one(".results-count"))
        with building(django_db_blocker):
            _add(20, 1980, categories=categories, venues=venues, requester=requester, window=window)
        yield {"url": url, "member": member, "window": window, "small_queries": small_queries,
               "small_count": small_count}


def test_the_world_has_the_size_the_issue_names(scale):
    assert Item.objects.filter(inventory_number__startswith="SC-").count() == 2000
    assert Reservation.objects.filter(status=Reservation.Status.RETURNED, item__inventory_number__startswith="SC-") \
        .count() == 20000


def test_available_between_two_dates_costs_the_same_with_2000_items_and_20000_past_loans(scale):
    client = english_client(scale["member"])
    client.get(scale["url"])
    queries, page = measure_queries(client, scale["url"])
    assert queries == scale["small_queries"] == 14, (queries, scale["small_queries"])
    # 20 items, 2 booked over the period; then 2,000 items, 200 booked.
    assert scale["small_count"].startswith("18 items free from")
    assert text_of(page.select_one(".results-count")).startswith("1800 items free from")
    titles = [text_of(node) for node in page.select(".cat-card__title")]
    assert len(titles) == 25
    assert titles[:3] == ["Objet 0001", "Objet 0002", "Objet 0003"]  # 0000 is booked


def test_the_selector_answers_in_a_fixed_number_of_queries(scale):
    with CaptureQueriesContext(connection) as ctx:
        free = list(selectors.catalogue(scale["member"], q="Objet", available=scale["window"])
                    .values_list("inventory_number", flat=True))
    assert len(ctx.captured_queries) == 3  # the unavailable items (2), the items (roles are subqueries)
    assert len(free) == 1800
    assert "SC-00010" not in free and "SC-00011" in free
