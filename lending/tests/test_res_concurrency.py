"""Never double-booked, under real parallel requests (threads, each its own connection and
test client), on SQLite (IMMEDIATE transactions) and PostgreSQL (row locks, the exclusion
constraint): of twenty requests for one slot exactly one holds, the others read "no longer
available" with the next free dates; fifty times over, then not one overlap in the table.
And of two managers approving one request at once, one approves."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import ItemFactory, UserFactory, VenueFactory
from extranet.testing.pages import soup
from lending import reservations as services
from lending.availability import Unavailable
from lending.models import Booking, Item, Reservation
from members.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20
REPEAT = 50
# Several races (one item each, twenty requests for it) run at once: SQLite's waiting writers
# poll its lock (sleeps of up to 100 ms), so more of them keep it busy and the fifty races
# stay short; on PostgreSQL, two at once keep under its 100 connections.
AT_ONCE = {"sqlite": 5, "postgresql": 2}

OVERLAPS = """
SELECT COUNT(*) FROM lending_booking a
JOIN lending_booking b ON a.item_id = b.item_id AND a.id < b.id
WHERE a.holds AND b.holds AND a.blocked_start < b.blocked_end AND b.blocked_start < a.blocked_end
"""


def overlaps():
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS)
        return cursor.fetchone()[0]


def _world():
    owner = VenueFactory(name="Médiathèque de Figeac")
    venues = [VenueFactory() for _ in range(PARALLEL)]
    users = [UserFactory(venues=[venue]) for venue in venues]
    return owner, venues, users


def test_twenty_requests_for_one_slot_fifty_times_one_wins_each_time():
    """Through the service: each time one reservation holds, nineteen read Unavailable with
    the next free periods; at the end, not one overlap of holding bookings in the table."""
    owner, venues, users = _world()
    today = timezone.localdate()
    pickup, back = today + timedelta(days=10), today + timedelta(days=12)
    # Blocked [D-1, D+5) with the buffers (one day before, two after): the next pick-up
    # keeping its day before free is D+6, then every three days.
    expected = [(pickup + timedelta(days=d), back + timedelta(days=d)) for d in (6, 9, 12)]
    at_once = AT_ONCE.get(connection.vendor, 1)
    assert REPEAT % at_once == 0
    for repetition in range(0, REPEAT, at_once):
        items = [ItemFactory(owner_venue=owner, buffer_before=1, buffer_after=2) for _ in range(at_once)]

        def attempt(index, item_id):
            def prepare():  # the thread's own copy of the item, loaded before the barrier
                return Item.objects.get(pk=item_id)

            def act(thing):
                return services.reservation_request(actor=users[index], item=thing, venue=venues[index],
                                                    pickup_date=pickup, return_date=back)

            return {"prepare": prepare, "act": act}

        results = run_together([attempt(index, item.pk) for item in items for index in range(PARALLEL)],
                               language="en")
        assert outcomes(results) == ["invalid"] * (PARALLEL - 1) * at_once + ["ok"] * at_once, repetition
        for outcome, value in results:
            if outcome == "invalid":
                assert isinstance(value, Unavailable), value
                assert value.messages[0].startswith("No longer available for these dates."), value.messages
                assert value.suggestions == expected, repetition
        for item in items:
            assert list(Reservation.objects.filter(item=item).values_list("status", flat=True)) == ["pending"]
            assert Booking.objects.filter(item=item, holds=True).count() == 1
    assert Reservation.objects.count() == REPEAT
    assert Booking.objects.filter(holds=True).count() == REPEAT
    assert overlaps() == 0


def test_twenty_posts_of_the_form_for_one_slot():
    """The same race through the page, each thread its own test client: one is sent on to
    its reservation, nineteen see "no longer available" with the next dates to pick."""
    owner, venues, users = _world()
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        clients.append(client)
    today = timezone.localdate()
    pickup, back = today + timedelta(days=10), today + timedelta(days=12)
    item = ItemFactory(owner_venue=owner, buffer_before=1, buffer_after=2)
    url = reverse("materiel:reserve-item", args=[item.pk])

    def attempt(index):
        return clients[index].post(url, {"venue": venues[index].pk, "pickup_date": pickup.isoformat(),
                                         "return_date": back.isoformat()})

    results = run_together([lambda index=index: attempt(index) for index in range(PARALLEL)])
    assert outcomes(results) == ["ok"] * PARALLEL
    responses = [value for _outcome, value in results]
    assert sorted(r.status_code for r in responses) == [200] * (PARALLEL - 1) + [302]
    reservation = Reservation.objects.get(item=item)
    expected = [f"{pickup + timedelta(days=d)}_{back + timedelta(days=d)}" for d in (6, 9, 12)]
    for response in responses:
        if response.status_code == 302:
            assert response["Location"] == reservation.get_absolute_url()
            continue
        box = soup(response).select_one(".res-unavailable")
        assert box.select_one("h2").text == "No longer available for these dates"
        assert [b["value"] for b in box.select("button[name=use_dates]")] == expected
    assert overlaps() == 0


def test_two_managers_approving_one_request_at_once_approve_it_once():
    owner, borrowing = VenueFactory(name="Médiathèque de Figeac"), VenueFactory(name="EPN de Gourdon")
    first, second = UserFactory(venues=[owner]), UserFactory(venues=[owner])
    borrower = UserFactory(venues=[borrowing])
    item = ItemFactory(owner_venue=owner)
    today = timezone.localdate()
    reservation = services.reservation_request(actor=borrower, item=item, venue=borrowing,
                                               pickup_date=today + timedelta(days=3),
                                               return_date=today + timedelta(days=4))

    def attempt(manager_id):
        def prepare():
            return User.objects.get(pk=manager_id), Reservation.objects.get(pk=reservation.pk)

        def act(prepared):
            manager, row = prepared
            return services.reservation_approve(actor=manager, reservation=row)

        return {"prepare": prepare, "act": act}

    results = run_together([attempt(first.pk), attempt(second.pk)], language="en")
    assert outcomes(results) == ["invalid", "ok"]
    refusal = next(value for outcome, value in results if outcome == "invalid")
    assert refusal.messages == ["This request has already been answered (Approved)."]
    row = Reservation.objects.get(pk=reservation.pk)
    assert row.status == "approved" and row.decided_by_id in (first.pk, second.pk)
    from core.models import Notification

    assert list(Notification.objects.filter(verb="lending.approved").values_list("recipient_id", flat=True)) == [
        borrower.pk]
