"""lending/demo.py: the demo's equipment and loans (seeded once for the module)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from directory import demo as directory_demo
from extranet.testing.shared import building, shared_transaction
from lending import demo as lending_demo
from lending import permissions
from lending.models import Accessory, AccessoryCheck, Booking, Item, ItemEvent, Kit, Reservation
from members import demo as members_demo
from workshops import demo as workshops_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

Status = Reservation.Status
MODELS = (Item, Accessory, Kit, Reservation, Booking, AccessoryCheck, ItemEvent)


def quiet(_line: str) -> None:
    pass


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            members_demo.seed(make_venues=directory_demo.seed_venues, log=quiet)
            workshops_demo.seed(log=quiet)
            made = lending_demo.seed(log=quiet)
        yield made


def test_seeding_twice_doubles_nothing(demo):
    assert demo == 18
    before = counts()
    assert before["Item"] == 15 and before["Kit"] == 2 and before["Reservation"] == 18
    assert lending_demo.seed(log=quiet) == 0
    assert counts() == before


def test_every_status_is_shown():
    statuses = set(Reservation.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    today = timezone.localdate()
    out = list(Reservation.objects.filter(status=Status.OUT))
    assert any(r.is_overdue(today) for r in out) and any(not r.is_overdue(today) for r in out)
    assert Reservation.objects.filter(status=Status.APPROVED, pickup_date__gt=today).count() >= 3
    assert Reservation.objects.filter(status=Status.RETURNED).exclude(damage_note="").count() == 1
    assert AccessoryCheck.objects.filter(moment="back", present=False).count() == 1
    assert Reservation.objects.filter(kit__isnull=False).count() >= 3


def test_the_waiting_list_story():
    """The cancelled screen's days went to the request waiting for them; the tablets' request
    waits behind an approved loan; the micros' request, never freed, expired."""
    now = timezone.now()
    offered = Reservation.objects.get(status=Status.OFFERED)
    cancelled = Reservation.objects.get(status=Status.CANCELLED)
    assert offered.item_id == cancelled.item_id and offered.pickup_date == cancelled.pickup_date
    assert offered.offer_expires_at > now and offered.waiting_since < now
    assert offered.bookings.get().holds and not cancelled.bookings.get().holds
    waiting = Reservation.objects.get(status=Status.WAITING)
    assert waiting.waiting_since is not None
    assert Reservation.objects.filter(item=waiting.item, status=Status.APPROVED,
                                      pickup_date=waiting.pickup_date).exists()
    expired = Reservation.objects.get(status=Status.EXPIRED)
    assert expired.pickup_date < timezone.localdate()


def test_history_and_notifications_are_dated_as_the_loans():
    for reservation in Reservation.objects.filter(status=Status.RETURNED).prefetch_related("events"):
        kinds = sorted(event.kind for event in reservation.events.all())
        things = 1 if reservation.item_id else reservation.kit.items.count()
        assert kinds.count("handed_over") == kinds.count("returned") == things, reservation.purpose
        assert reservation.returned_at.date() == reservation.return_date
    from core.models import Notification

    asked = Notification.objects.filter(verb="lending.requested", recipient__email="coordination@maillage.test")
    assert asked.filter(read_at__isnull=True).count() >= 2  # the pending requests, unread
    old = Notification.objects.filter(verb__startswith="lending.", created_at__lt=timezone.now() - timedelta(days=4))
    assert old.exists() and not old.filter(read_at__isnull=True).exists()


def test_a_loan_for_a_demo_workshop_session_on_its_day():
    reservation = Reservation.objects.select_related("session").get(session__isnull=False)
    day = timezone.localtime(reservation.session.start).date()
    assert reservation.pickup_date == day == reservation.return_date
    assert reservation.status == Status.APPROVED


def test_the_catalogue_is_varied():
    assert Item.objects.filter(status=Item.Status.REPAIR).count() == 1
    assert Item.objects.filter(may_leave_venue=False).count() == 1
    assert Item.objects.filter(auto_approve=True).count() == 3
    assert Item.objects.filter(buffer_before__gt=0).count() == 3
    assert Item.objects.filter(owner_venue__isnull=False).count() == 5
    for kit in Kit.objects.prefetch_related("items"):
        assert {item.owner_venue_id for item in kit.items.all()} == {kit.owner_venue_id}, kit
        assert kit.items.count() == 3


def test_no_two_holding_bookings_of_one_item_overlap():
    rows = sorted(Booking.objects.filter(holds=True).values_list("item_id", "blocked_start", "blocked_end"))
    assert len(rows) >= 10
    for (item, start, end), (next_item, next_start, _next_end) in zip(rows, rows[1:], strict=False):
        assert start < end
        if item == next_item:
            assert end <= next_start, (item, start, end, next_start)


def test_every_reservation_s_bookings_follow_its_status_and_dates():
    for reservation in Reservation.objects.select_related("item", "kit").prefetch_related(
            "bookings__item", "kit__items"):
        things = [reservation.item] if reservation.item_id else list(reservation.kit.items.all())
        bookings = {b.item_id: b for b in reservation.bookings.all()}
        assert set(bookings) == {thing.pk for thing in things}, reservation.purpose
        for thing in things:
            booking = bookings[thing.pk]
            assert booking.holds is reservation.is_holding, reservation.purpose
            assert (booking.blocked_start, booking.blocked_end) == thing.blocked_range(
                reservation.pickup_date, reservation.return_date)


def test_the_rules_would_have_allowed_each_request():
    """Each requester may borrow for the venue and the item may go there; each decider manages it."""
    for reservation in Reservation.objects.select_related("requester", "venue", "item__owner_venue",
                                                          "kit__owner_venue", "decided_by"):
        assert permissions.may_borrow_for(reservation.requester, reservation.venue), reservation.purpose
        subject = reservation.subject
        if reservation.decided_by is not None:
            assert permissions.is_manager(reservation.decided_by, subject), reservation.purpose
        elif reservation.status in (Status.APPROVED, Status.OUT, Status.RETURNED):
            assert subject.auto_approve, reservation.purpose
        assert reservation.created_at < timezone.now() - timedelta(hours=12)
        if reservation.item_id and not reservation.item.may_leave_venue:
            assert reservation.venue_id == reservation.item.home_venue_id
    assert not Reservation.objects.filter(item__status=Item.Status.REPAIR, status__in=Reservation.OPEN).exists()
