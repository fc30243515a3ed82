"""Reservation services (lending.reservations): requests, kits, buffers, approval, refusal,
cancellation; each allowed, denied and invalid case, and what they save and tell.

The venues and people are built once for the module (`world`); each test gets them reloaded
(`w`) and runs in a savepoint: what it writes is gone for the next."""

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
from extranet.testing.factories import (
    CoordinatorFactory,
    ItemFactory,
    KitFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from extranet.testing.shared import building, shared_transaction
from lending import availability
from lending import reservations as services
from lending.models import Booking, Item, Kit, Reservation
from members.models import User

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
D = TODAY + timedelta(days=20)  # a pick-up day well ahead


def days(n):
    return D + timedelta(days=n)

def period(start, end):
    """A loan's dates as the English messages write them (lending/tests/test_dates.py pins the rule)."""
    if start == end:
        return f"on {start.day} {start:%B %Y}"
    if start.year != end.year:
        return f"from {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    if start.month != end.month:
        return f"from {start.day} {start:%B} to {end.day} {end:%B %Y}"
    return f"from {start.day} to {end.day} {end:%B %Y}"



def state():
    return {
        "reservations": sorted(Reservation.objects.values_list("pk", "status", "pickup_date", "return_date",
                                                               "renewals", "refusal_reason", "cancel_reason")),
        "bookings": sorted(Booking.objects.values_list("pk", "item_id", "blocked_start", "blocked_end", "holds")),
        "notifications": assertions.notifications(),
        "items": sorted(Item.objects.values_list("pk", "status")),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            figeac = VenueFactory(name="Médiathèque de Figeac")
            gourdon = VenueFactory(name="EPN de Gourdon")
            cahors = VenueFactory(name="Tiers-lieu de Cahors")
            data = {
                "figeac": figeac.pk, "gourdon": gourdon.pk, "cahors": cahors.pk,
                "manager": UserFactory(display_name="Marie Gestion", venues=[figeac]).pk,
                "borrower": UserFactory(display_name="Bruno Prêt", venues=[gourdon]).pk,
                "colleague": UserFactory(display_name="Chloé Collègue", venues=[gourdon]).pk,
                "outsider": UserFactory(display_name="Octave Ailleurs", venues=[cahors]).pk,
                "coordinator": CoordinatorFactory(display_name="Céline Coord").pk,
                "projector": ItemFactory(name="Vidéoprojecteur Epson", owner_venue=figeac).pk,
                "tablet": ItemFactory(name="Tablette Samsung", owner_venue=figeac, buffer_before=1,
                                      buffer_after=2).pk,
            }
        yield data


class World:
    def __init__(self, ids):
        self.figeac, self.gourdon, self.cahors = (Venue.objects.get(pk=ids[k]) for k in ("figeac", "gourdon", "cahors"))
        for key in ("manager", "borrower", "colleague", "outsider", "coordinator"):
            setattr(self, key, User.objects.get(pk=ids[key]))
        self.projector = Item.objects.get(pk=ids["projector"])
        self.tablet = Item.objects.get(pk=ids["tablet"])


@pytest.fixture
def w(world):
    return World(world)


def ask(w, *, who=None, item=None, kit=None, venue=None, start=0, end=2, **kwargs):
    if item is None and kit is None:
        item = w.projector
    return services.reservation_request(actor=who or w.borrower, item=item, kit=kit, venue=venue or w.gourdon,
                                        pickup_date=days(start), return_date=days(end), **kwargs)


def holding(item):
    return sorted(Booking.objects.filter(item=item, holds=True).values_list("blocked_start", "blocked_end"))


# --- Requesting ----------------------------------------------------------------------------


def test_a_request_is_pending_holds_its_days_and_tells_the_managers(w):
    reservation = ask(w, purpose="Atelier visio")
    assert (reservation.status, reservation.requester, reservation.venue, reservation.purpose) == (
        "pending", w.borrower, w.gourdon, "Atelier visio")
    assert holding(w.projector) == [(days(0), days(3))]
    assert assertions.notifications() == [(w.manager.pk, "lending.requested")]
    assert reservation.decided_at is None


def test_an_item_approving_automatically_is_approved_at_once_and_nobody_is_told(w):
    Item.objects.filter(pk=w.projector.pk).update(auto_approve=True)
    w.projector.refresh_from_db()
    reservation = ask(w)
    assert reservation.status == "approved"
    assert reservation.decided_at is not None and reservation.decided_by is None
    assert assertions.notifications() == []


def test_buffers_are_held_around_the_loan(w):
    ask(w, item=w.tablet, start=0, end=2)
    # One day before, two after: [D-1, D+5).
    assert holding(w.tablet) == [(days(-1), days(5))]


def test_buffers_keep_the_next_request_off(w):
    ask(w, item=w.tablet, start=0, end=2)  # holds D-1 .. D+4
    # Starting D+5 needs D+4 free (buffer before): taken.
    with override("en"), refused(availability.Unavailable, "No longer available for these dates. « Tablette "
                                 f"Samsung » is booked {period(days(0), days(2))} for EPN de "
                                 "Gourdon."):
        ask(w, who=w.coordinator, item=w.tablet, venue=w.cahors, start=5, end=6)
    # Starting D+6: free.
    assert ask(w, who=w.coordinator, item=w.tablet, venue=w.cahors, start=6, end=6).status == "pending"


def test_a_taken_slot_is_refused_with_the_next_free_dates(w):
    ask(w, start=0, end=2)
    with pytest.raises(availability.Unavailable) as excinfo:
        ask(w, who=w.coordinator, venue=w.cahors, start=1, end=3)
    assert excinfo.value.suggestions == [(days(3), days(5)), (days(6), days(8)), (days(9), days(11))]


def test_a_request_on_the_waiting_list_holds_nothing(w):
    first = ask(w, start=0, end=2)
    waiting = ask(w, who=w.coordinator, venue=w.cahors, start=1, end=3, wait=True)
    assert waiting.status == "waiting" and waiting.waiting_since is not None
    assert list(waiting.bookings.values_list("blocked_start", "blocked_end", "holds")) == [(days(1), days(4), False)]
    assert holding(w.projector) == [(days(0), days(3))]
    assert services.waiting_position(waiting) == 1
    assert first.status == "pending"


def test_wait_on_free_dates_is_a_normal_request(w):
    assert ask(w, wait=True).status == "pending"


@pytest.mark.parametrize(("start", "end", "field", "message"), [
    (2, 1, "return_date", "The return date must be on or after the pick-up date."),
    (0, 90, "return_date", "A loan lasts at most 90 days, pick-up and return days included."),
])
def test_bad_dates_are_refused(w, start, end, field, message):
    with override("en"), refused(ValidationError, message, field):
        ask(w, start=start, end=end)


def test_a_period_in_the_past_is_refused(w):
    with override("en"), refused(ValidationError, "The pick-up date is in the past.", "pickup_date"):
        services.reservation_request(actor=w.borrower, item=w.projector, venue=w.gourdon,
                                     pickup_date=TODAY - timedelta(days=1), return_date=TODAY + timedelta(days=1))


@override_settings(LENDING_MAX_ADVANCE_DAYS=30)
def test_too_far_ahead_is_refused(w):
    last = TODAY + timedelta(days=30)
    with override("en"), refused(ValidationError, f"Equipment is booked at most 30 days ahead: choose a pick-up date "
                                 f"until {last.day} {last:%B %Y}.", "pickup_date"):
        services.reservation_request(actor=w.borrower, item=w.projector, venue=w.gourdon,
                                     pickup_date=last + timedelta(days=1), return_date=last + timedelta(days=2))


def test_an_item_in_repair_cannot_be_booked(w):
    Item.objects.filter(pk=w.projector.pk).update(status=Item.Status.REPAIR)
    with override("en"), refused(ValidationError, "« Vidéoprojecteur Epson » is in repair: it cannot be booked "
                                 "until it is back."):
        ask(w)


def test_the_item_status_is_read_again_under_the_lock(w):
    stale = Item.objects.get(pk=w.projector.pk)  # read while in service
    Item.objects.filter(pk=w.projector.pk).update(status=Item.Status.REPAIR)
    with override("en"), refused(ValidationError, "« Vidéoprojecteur Epson » is in repair: it cannot be booked "
                                 "until it is back."):
        ask(w, item=stale)


def test_borrowing_for_a_venue_not_ones_own_is_denied(w):
    with override("en"), refused(PermissionDenied, "You may borrow only for a venue you work in or administer."):
        ask(w, venue=w.cahors)


def test_a_pending_member_cannot_borrow(w):
    User.objects.filter(pk=w.borrower.pk).update(status=User.Status.PENDING)
    pending = User.objects.get(pk=w.borrower.pk)
    with override("en"), refused(PermissionDenied, "Only members of the network may borrow equipment."):
        ask(w, who=pending)


def test_a_session_must_be_within_the_loan_and_not_cancelled(w):
    session = SessionFactory(venue=w.gourdon, start=timezone.make_aware(
        timezone.datetime.combine(days(5), timezone.datetime.min.time().replace(hour=10))))
    with override("en"), refused(ValidationError, f"The workshop session takes place on {days(5).day} "
                                 f"{days(5):%B %Y}: the loan must include that day.", "session"):
        ask(w, start=0, end=2, session=session)
    reservation = ask(w, start=4, end=6, session=session)
    assert reservation.session == session
    session.status = "cancelled"
    session.save()
    with override("en"), refused(ValidationError, "This workshop session is cancelled.", "session"):
        ask(w, start=10, end=12, session=session)


# --- Kits ----------------------------------------------------------------------------------


def kit_of(w, *items, **fields):
    return KitFactory(name="Kit visio", owner_venue=w.figeac, items=list(items), **fields)


def test_a_kit_books_all_its_items(w):
    kit = kit_of(w, w.projector, w.tablet)
    reservation = ask(w, kit=kit, start=0, end=1)
    assert reservation.kit == kit and reservation.item is None
    assert holding(w.projector) == [(days(0), days(2))]
    assert holding(w.tablet) == [(days(-1), days(4))]  # its own buffers


def test_one_item_taken_makes_the_kit_unavailable(w):
    kit = kit_of(w, w.projector, w.tablet)
    reservation_make(item=w.tablet, venue=w.cahors, pickup=days(1), return_date=days(1))  # approved elsewhere
    with override("en"), refused(availability.Unavailable, "No longer available for these dates. « Tablette "
                                 f"Samsung » is booked {period(days(1), days(1))} for Tiers-lieu "
                                 "de Cahors."):
        ask(w, kit=kit, start=0, end=2)
    # The projector alone stays free.
    assert ask(w, start=0, end=2).status == "pending"


def test_a_kit_with_an_item_in_repair_cannot_be_booked(w):
    kit = kit_of(w, w.projector, w.tablet)
    Item.objects.filter(pk=w.tablet.pk).update(status=Item.Status.REPAIR)
    with override("en"), refused(ValidationError, "« Tablette Samsung » is in repair: it cannot be booked until "
                                 "it is back."):
        ask(w, kit=Kit.objects.get(pk=kit.pk))


def test_a_kit_approving_automatically(w):
    kit = kit_of(w, w.projector, auto_approve=True)
    assert ask(w, kit=kit).status == "approved"


# --- Approving and refusing ----------------------------------------------------------------


def test_the_manager_approves_and_the_borrowers_are_told(w):
    reservation = ask(w)
    Notification.objects.all().delete()
    done = services.reservation_approve(actor=w.manager, reservation=reservation)
    assert (done.status, done.decided_by) == ("approved", w.manager)
    assert Reservation.objects.get(pk=reservation.pk).status == "approved"
    assert assertions.notifications() == sorted([(w.borrower.pk, "lending.approved"),
                                                 (w.colleague.pk, "lending.approved")])


def test_approving_twice_reads_already_answered(w):
    reservation = ask(w)
    services.reservation_approve(actor=w.manager, reservation=reservation)
    stale = Reservation.objects.get(pk=reservation.pk)
    stale.status = "pending"  # as read before the other manager answered
    with override("en"), refused(ValidationError, "This request has already been answered (Approved)."):
        services.reservation_approve(actor=w.coordinator, reservation=stale)


def test_only_the_managers_approve(w):
    reservation = ask(w)
    for someone in (w.borrower, w.outsider):
        with override("en"), refused(PermissionDenied, "Only the managers of this equipment approve or refuse its "
                                     "loans."):
            services.reservation_approve(actor=someone, reservation=reservation)


def test_approving_when_the_item_went_to_repair_is_refused_with_the_reason(w):
    reservation = ask(w)
    Item.objects.filter(pk=w.projector.pk).update(status=Item.Status.REPAIR)
    with override("en"), refused(ValidationError, "Cannot be approved: « Vidéoprojecteur Epson » is in repair: it "
                                 "cannot be booked until it is back."):
        services.reservation_approve(actor=w.manager, reservation=reservation)


def test_approving_a_waiting_request_whose_days_are_taken_is_refused_with_the_reason(w):
    ask(w, start=0, end=2)
    waiting = ask(w, who=w.coordinator, venue=w.cahors, start=1, end=3, wait=True)
    with override("en"), refused(ValidationError, f"Cannot be approved: « Vidéoprojecteur Epson » is booked "
                                 f"{period(days(0), days(2))} for EPN de Gourdon."):
        services.reservation_approve(actor=w.manager, reservation=waiting)


def test_approving_a_waiting_request_whose_days_are_free_holds_them(w):
    reservation = reservation_make(item=w.projector, venue=w.cahors, pickup=days(0), return_date=days(2),
                                   status="waiting", waiting_since=timezone.now())
    done = services.reservation_approve(actor=w.manager, reservation=reservation)
    assert done.status == "approved"
    assert holding(w.projector) == [(days(0), days(3))]


def test_refusing_needs_a_reason_and_releases_the_days(w):
    reservation = ask(w)
    with override("en"), refused(ValidationError, "Say why the request is refused: the borrower will read it.",
                                 "reason"):
        services.reservation_refuse(actor=w.manager, reservation=reservation, reason="  ")
    Notification.objects.all().delete()
    done = services.reservation_refuse(actor=w.manager, reservation=reservation, reason="Utilisé ici ce jour-là.")
    assert (done.status, done.refusal_reason, done.decided_by) == ("refused", "Utilisé ici ce jour-là.", w.manager)
    assert holding(w.projector) == []
    assert assertions.notifications() == sorted([(w.borrower.pk, "lending.refused"),
                                                 (w.colleague.pk, "lending.refused")])


def test_only_the_managers_refuse(w):
    reservation = ask(w)
    with override("en"), refused(PermissionDenied, "Only the managers of this equipment approve or refuse its loans."):
        services.reservation_refuse(actor=w.borrower, reservation=reservation, reason="Non.")


# --- Cancelling ----------------------------------------------------------------------------


def test_the_borrower_cancels_and_the_managers_are_told(w):
    reservation = ask(w)
    Notification.objects.all().delete()
    done = services.reservation_cancel(actor=w.borrower, reservation=reservation, reason="Atelier reporté")
    assert (done.status, done.cancelled_by, done.cancel_reason) == ("cancelled", w.borrower, "Atelier reporté")
    assert holding(w.projector) == []
    assert assertions.notifications() == [(w.manager.pk, "lending.cancelled_by_borrower")]


def test_a_manager_cancels_and_the_borrowers_are_told(w):
    reservation = ask(w)
    services.reservation_approve(actor=w.manager, reservation=reservation)
    Notification.objects.all().delete()
    services.reservation_cancel(actor=w.manager, reservation=reservation)
    assert assertions.notifications() == sorted([(w.borrower.pk, "lending.cancelled_by_owner"),
                                                 (w.colleague.pk, "lending.cancelled_by_owner")])


def test_cancelling_is_denied_to_others_and_refused_once_over(w):
    reservation = ask(w)
    with override("en"), refused(PermissionDenied, "Only the borrower and the managers of this equipment may cancel "
                                 "this reservation."):
        services.reservation_cancel(actor=w.outsider, reservation=reservation)
    services.reservation_cancel(actor=w.borrower, reservation=reservation)
    with override("en"), refused(ValidationError, "This reservation is already over (Cancelled)."):
        services.reservation_cancel(actor=w.borrower, reservation=Reservation.objects.get(pk=reservation.pk))
    handed = reservation_make(item=w.tablet, venue=w.gourdon, requester=w.borrower, status="out")
    with override("en"), refused(ValidationError, "The equipment has been handed over: record its return instead."):
        services.reservation_cancel(actor=w.borrower, reservation=handed)


def test_two_holding_bookings_never_overlap_in_the_database(w):
    """The database itself refuses an overlap (PostgreSQL); on SQLite `hold` checks."""
    ask(w, start=0, end=2)
    other = Reservation.objects.create(item=w.projector, requester=w.coordinator, venue=w.cahors,
                                       pickup_date=days(1), return_date=days(1))
    with pytest.raises(availability.Unavailable):
        availability.hold(other, availability.lock_items([w.projector]))
    assert holding(w.projector) == [(days(0), days(3))]

