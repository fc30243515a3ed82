"""The waiting list (offers, accept, decline, expire) and renewals (lending.reservations)."""

from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import override

from core.models import Notification
from directory.models import Venue
from extranet.testing import assertions
from extranet.testing.factories import CoordinatorFactory, ItemFactory, UserFactory, VenueFactory, reservation_make
from extranet.testing.shared import building, shared_transaction
from lending import reservations as services
from lending.models import Booking, Item, Reservation
from members.models import User

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
D = TODAY + timedelta(days=20)


def days(n):
    return D + timedelta(days=n)


def state():
    return {
        "reservations": sorted(Reservation.objects.values_list("pk", "status", "return_date", "renewals",
                                                               "offer_expires_at")),
        "bookings": sorted(Booking.objects.values_list("pk", "blocked_start", "blocked_end", "holds")),
        "notifications": assertions.notifications(),
    }


refused = partial(assertions.refused, state)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            figeac, gourdon, cahors = (VenueFactory(name=name) for name in
                                       ("Médiathèque de Figeac", "EPN de Gourdon", "Tiers-lieu de Cahors"))
            data = {
                "figeac": figeac.pk, "gourdon": gourdon.pk, "cahors": cahors.pk,
                "manager": UserFactory(venues=[figeac]).pk,
                "borrower": UserFactory(venues=[gourdon]).pk,
                "second": UserFactory(venues=[cahors]).pk,
                "third": UserFactory(venues=[cahors]).pk,
                "coordinator": CoordinatorFactory().pk,
                "projector": ItemFactory(name="Vidéoprojecteur Epson", owner_venue=figeac, buffer_after=1).pk,
            }
        yield data


class World:
    def __init__(self, ids):
        self.figeac, self.gourdon, self.cahors = (Venue.objects.get(pk=ids[k]) for k in ("figeac", "gourdon", "cahors"))
        for key in ("manager", "borrower", "second", "third", "coordinator"):
            setattr(self, key, User.objects.get(pk=ids[key]))
        self.projector = Item.objects.get(pk=ids["projector"])


@pytest.fixture
def w(world):
    return World(world)


def ask(w, who, venue, start, end, **kwargs):
    return services.reservation_request(actor=who, item=w.projector, venue=venue, pickup_date=days(start),
                                        return_date=days(end), **kwargs)


def reload(reservation):
    return Reservation.objects.get(pk=reservation.pk)


def holders(w):
    return sorted(Booking.objects.filter(item=w.projector, holds=True).values_list("reservation_id", flat=True))


@pytest.fixture
def queue(w):
    """One pending request from D to D+2, then two waiting for D+1..D+3, the older first."""
    first = ask(w, w.borrower, w.gourdon, 0, 2)
    second = ask(w, w.second, w.cahors, 1, 3, wait=True)
    third = ask(w, w.third, w.cahors, 1, 3, wait=True)
    Notification.objects.all().delete()
    return first, second, third


# --- Offers --------------------------------------------------------------------------------


def test_a_cancellation_offers_the_slot_to_the_oldest_waiting(w, queue):
    first, second, third = queue
    before = timezone.now()
    services.reservation_cancel(actor=w.borrower, reservation=first)
    second, third = reload(second), reload(third)
    assert (second.status, third.status) == ("offered", "waiting")
    assert holders(w) == [second.pk]
    hours = second.offer_expires_at - before
    assert timedelta(hours=47, minutes=59) < hours <= timedelta(hours=48, seconds=5)
    assert (w.second.pk, "lending.offered") in assertions.notifications()
    assert (w.third.pk, "lending.offered") not in assertions.notifications()


def test_the_offer_never_lasts_after_the_pickup(w):
    ask(w, w.borrower, w.gourdon, -18, -17)  # D-18 = TODAY+2
    waiting = services.reservation_request(actor=w.second, item=w.projector, venue=w.cahors,
                                           pickup_date=TODAY + timedelta(days=1),
                                           return_date=TODAY + timedelta(days=3), wait=True)
    first = Reservation.objects.get(status="pending")
    services.reservation_cancel(actor=w.borrower, reservation=first)
    waiting = reload(waiting)
    assert waiting.status == "offered"
    pickup_start = timezone.make_aware(timezone.datetime.combine(TODAY + timedelta(days=1),
                                                                 timezone.datetime.min.time()))
    assert waiting.offer_expires_at == pickup_start  # sooner than 48 hours from now


def test_accepting_makes_it_a_pending_request(w, queue):
    first, second, _third = queue
    services.reservation_cancel(actor=w.borrower, reservation=first)
    Notification.objects.all().delete()
    done = services.offer_answer(actor=w.second, reservation=reload(second), accept=True)
    assert done.status == "pending"
    assert holders(w) == [second.pk]
    assert assertions.notifications() == [(w.manager.pk, "lending.requested")]


def test_accepting_with_automatic_approval_approves(w, queue):
    first, second, _third = queue
    Item.objects.filter(pk=w.projector.pk).update(auto_approve=True)
    services.reservation_cancel(actor=w.borrower, reservation=first)
    assert services.offer_answer(actor=w.second, reservation=reload(second), accept=True).status == "approved"


def test_declining_passes_the_offer_to_the_next(w, queue):
    first, second, third = queue
    services.reservation_cancel(actor=w.borrower, reservation=first)
    done = services.offer_answer(actor=w.second, reservation=reload(second), accept=False)
    assert (done.status, done.cancelled_by) == ("cancelled", w.second)
    assert reload(third).status == "offered"
    assert holders(w) == [third.pk]


def test_only_the_requester_answers_and_only_an_open_offer(w, queue):
    first, second, third = queue
    with override("en"), refused(ValidationError, "This offer is no longer open."):
        services.offer_answer(actor=w.second, reservation=second, accept=True)
    services.reservation_cancel(actor=w.borrower, reservation=first)
    with override("en"), refused(PermissionDenied, "Only the person who asked may answer this offer."):
        services.offer_answer(actor=w.third, reservation=reload(second), accept=True)


def test_an_expired_offer_answered_expires_and_passes_on(w, queue):
    first, second, third = queue
    services.reservation_cancel(actor=w.borrower, reservation=first)
    Reservation.objects.filter(pk=second.pk).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    stale = reload(second)
    stale.offer_expires_at = timezone.now() + timedelta(hours=1)  # as read before it expired
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.offer_answer(actor=w.second, reservation=stale, accept=True)
    assert excinfo.value.messages == ["This offer has expired."]
    assert (reload(second).status, reload(third).status) == ("expired", "offered")


def test_offers_expire_and_the_next_one_is_offered(w, queue):
    first, second, third = queue
    services.reservation_cancel(actor=w.borrower, reservation=first)
    later = timezone.now() + timedelta(hours=49)
    assert services.offers_expire(now=later) == 1
    assert (reload(second).status, reload(third).status) == ("expired", "offered")
    assert holders(w) == [third.pk]
    assert services.offers_expire(now=later) == 0  # nothing more is due yet


def test_waiting_requests_whose_pickup_passed_expire(w):
    stale = reservation_make(item=w.projector, venue=w.cahors, requester=w.second, status="waiting",
                             pickup=TODAY - timedelta(days=1), return_date=TODAY + timedelta(days=1),
                             waiting_since=timezone.now() - timedelta(days=5))
    assert services.offers_expire() == 1
    assert reload(stale).status == "expired"


def test_a_refusal_offers_the_slot_too(w, queue):
    first, second, _third = queue
    services.reservation_refuse(actor=w.manager, reservation=first, reason="Réservé pour nous.")
    assert reload(second).status == "offered"


def test_nothing_is_offered_when_the_freed_days_do_not_fit(w):
    first = ask(w, w.borrower, w.gourdon, 0, 2)
    ask(w, w.coordinator, w.figeac, 4, 5)  # D+4..D+5 stays booked
    waiting = ask(w, w.second, w.cahors, 2, 4, wait=True)  # needs both periods free
    services.reservation_cancel(actor=w.borrower, reservation=first)
    assert reload(waiting).status == "waiting"
    assert services.offer_freed([w.projector]) == 0


# --- Renewal -------------------------------------------------------------------------------


def approved(w, start, end, who=None, venue=None):
    reservation = ask(w, who or w.borrower, venue or w.gourdon, start, end)
    return services.reservation_approve(actor=w.manager, reservation=reservation)


def test_renewing_when_nothing_is_booked_after(w):
    loan = approved(w, 0, 2)
    Notification.objects.all().delete()
    done = services.reservation_renew(actor=w.borrower, reservation=loan, return_date=days(6))
    assert (done.return_date, done.renewals) == (days(6), 1)
    assert sorted(Booking.objects.filter(reservation=loan).values_list("blocked_start", "blocked_end")) == [
        (days(0), days(8))]  # one day kept after
    assert assertions.notifications() == [(w.manager.pk, "lending.renewed")]


def test_renewing_into_a_booking_says_who_and_the_latest_date(w):
    loan = approved(w, 0, 2)
    ask(w, w.second, w.cahors, 8, 9)  # pending from D+8: the latest return keeps D+7 free (buffer after)
    with override("en"), refused(ValidationError, f"Booked from {days(8).day} {days(8):%B %Y} by Tiers-lieu de "
                                 f"Cahors: the latest possible return date is {days(6).day} {days(6):%B %Y}.",
                                 "return_date"):
        services.reservation_renew(actor=w.borrower, reservation=loan, return_date=days(10))
    assert services.reservation_renew(actor=w.borrower, reservation=loan, return_date=days(6)).return_date == days(6)


def test_renewing_when_the_next_booking_follows_at_once(w):
    loan = approved(w, 0, 2)
    ask(w, w.second, w.cahors, 4, 5)
    with override("en"), refused(ValidationError, f"Booked from {days(4).day} {days(4):%B %Y} by Tiers-lieu de "
                                 "Cahors: this loan cannot be extended.", "return_date"):
        services.reservation_renew(actor=w.borrower, reservation=loan, return_date=days(5))


@pytest.mark.parametrize(("end", "message"), [
    (2, "Choose a return date after {day}."),
    (1, "Choose a return date after {day}."),
    (95, "A loan lasts at most 90 days, pick-up and return days included."),
])
def test_renewing_to_a_bad_date(w, end, message):
    loan = approved(w, 0, 2)
    with override("en"), refused(ValidationError, message.format(day=f"{days(2).day} {days(2):%B %Y}"),
                                 "return_date"):
        services.reservation_renew(actor=w.borrower, reservation=loan, return_date=days(end))


@override_settings(LENDING_MAX_RENEWALS=1)
def test_renewing_too_often_and_by_others(w):
    loan = approved(w, 0, 2)
    with override("en"), refused(PermissionDenied, "Only the borrower and the managers of this equipment may extend "
                                 "this loan."):
        services.reservation_renew(actor=w.second, reservation=loan, return_date=days(4))
    loan = services.reservation_renew(actor=w.manager, reservation=loan, return_date=days(4))
    with override("en"), refused(ValidationError, "This loan has already been extended 1 times, the most allowed."):
        services.reservation_renew(actor=w.borrower, reservation=loan, return_date=days(5))


def test_a_pending_request_cannot_be_renewed(w):
    pending = ask(w, w.borrower, w.gourdon, 0, 2)
    with override("en"), refused(ValidationError, "Only an approved or current loan can be extended."):
        services.reservation_renew(actor=w.borrower, reservation=pending, return_date=days(4))
