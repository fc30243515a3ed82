"""The review's fixes: renewals due for a new reminder and overdue notice, accessories that never
left, the order of the locks, repairs refusing offers and renewals, the waiting list after a
repair, bad input answered (never a 500), loan periods in words, kits with waiting requests,
the kit list and its retired items."""

from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core.models import Notification
from directory.models import Venue
from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    ItemFactory,
    KitFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from extranet.testing.pages import english_client, soup, text_of
from extranet.testing.shared import building, shared_transaction
from lending import availability, catalogue, handover, tasks
from lending import reservations as services
from lending.models import AccessoryCheck, Booking, Item, ItemEvent, Reservation
from members.models import User

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = timezone.localdate()


def days(n):
    return TODAY + timedelta(days=n)


def at(day, hour=10):
    return datetime.combine(day, time(hour), tzinfo=PARIS)


def state():
    return {
        "reservations": sorted(Reservation.objects.values_list("pk", "status", "return_date", "renewals")),
        "bookings": sorted(Booking.objects.values_list("pk", "blocked_start", "blocked_end", "holds")),
        "checks": AccessoryCheck.objects.count(),
        "notifications": assertions.notifications(),
    }


refused = partial(assertions.refused, state)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            figeac, gourdon = VenueFactory(name="Médiathèque de Figeac"), VenueFactory(name="EPN de Gourdon")
            data = {
                "figeac": figeac.pk, "gourdon": gourdon.pk,
                "manager": UserFactory(venues=[figeac]).pk,
                "colleague": UserFactory(venues=[figeac]).pk,
                "borrower": UserFactory(venues=[gourdon]).pk,
                "coordinator": CoordinatorFactory().pk,
            }
        yield data


class World:
    def __init__(self, ids):
        self.figeac, self.gourdon = (Venue.objects.get(pk=ids[key]) for key in ("figeac", "gourdon"))
        for key in ("manager", "colleague", "borrower", "coordinator"):
            setattr(self, key, User.objects.get(pk=ids[key]))

    def item(self, name="Vidéoprojecteur 3", **fields):
        return ItemFactory(name=name, owner_venue=self.figeac, **fields)

    def loan(self, item=None, kit=None, pickup=None, return_date=None, status="approved", **fields):
        return reservation_make(item=item, kit=kit, venue=self.gourdon, requester=self.borrower,
                                pickup=pickup or days(10), return_date=return_date or days(12), status=status,
                                **fields)


@pytest.fixture
def w(world):
    return World(world)


def reload(reservation):
    return Reservation.objects.get(pk=reservation.pk)


# --- 1. A renewal is due for its own reminder and overdue notice ------------------------------


def test_a_renewed_loan_gets_a_new_overdue_notice_and_return_reminder(w, settings):
    settings.LENDING_REMINDER_DAYS = 2
    loan = w.loan(w.item(), pickup=days(-5), return_date=days(-1), status="out")
    assert tasks.overdue_notices_send(now=at(TODAY)) == 1
    assert reload(loan).overdue_notified_at is not None
    Reservation.objects.filter(pk=loan.pk).update(return_reminded_at=at(days(-3)))
    renewed = services.reservation_renew(actor=w.manager, reservation=reload(loan), return_date=days(4))
    assert (renewed.return_reminded_at, renewed.overdue_notified_at) == (None, None)
    assert (reload(loan).return_reminded_at, reload(loan).overdue_notified_at) == (None, None)
    Notification.objects.all().delete()
    assert tasks.return_reminders_send(now=at(days(2))) == 1  # for the new date
    assert tasks.overdue_notices_send(now=at(days(3))) == 0  # not late yet
    assert tasks.overdue_notices_send(now=at(days(5))) == 1  # late again: told again
    assert {verb for _pk, verb in assertions.notifications()} == {
        "lending.return_reminder", "lending.overdue", "lending.overdue_owner"}


# --- 2. Accessories absent at the hand-over are not missing at the return ---------------------


@pytest.fixture
def handed(w):
    """An item with a charger and a remote, handed over with the charger only."""
    item = w.item(accessories=["Chargeur", "Télécommande"])
    loan = w.loan(item, pickup=TODAY, return_date=days(2))
    charger, remote = item.accessories.all()
    handover.hand_over(actor=w.manager, reservation=loan, handed_to="Jeanne Martin", conditions={item.pk: "good"},
                       accessories_present={charger.pk})
    Notification.objects.all().delete()
    return item, reload(loan), charger, remote


def test_the_return_checks_only_what_left(w, handed):
    item, loan, charger, _remote = handed
    done = handover.take_back(actor=w.manager, reservation=loan, conditions={item.pk: "good"},
                              accessories_present={charger.pk})
    assert done.status == "returned"
    assert done.missing_accessories == [] and done.missing_note == ""
    assert sorted(AccessoryCheck.objects.values_list("accessory__name", "moment", "present")) == [
        ("Chargeur", "back", True), ("Chargeur", "out", True), ("Télécommande", "out", False)]
    assert list(ItemEvent.objects.filter(kind="returned").values_list("note", flat=True)) == [""]
    assert assertions.notifications() == []  # no lending.damaged (to the colleague)


def test_the_charger_not_given_back_is_still_missing(w, handed):
    item, loan, _charger, _remote = handed
    done = handover.take_back(actor=w.manager, reservation=loan, conditions={item.pk: "good"},
                              accessories_present=set())
    assert done.missing_note == "Missing accessory: Chargeur."
    assert assertions.notifications() == [(w.colleague.pk, "lending.damaged")]


def test_an_accessory_that_never_left_cannot_be_ticked_back(w, handed):
    item, loan, charger, remote = handed
    with refused(ValidationError, "An accessory ticked is not one of this loan's equipment.", "accessories"):
        handover.take_back(actor=w.manager, reservation=loan, conditions={item.pk: "good"},
                           accessories_present={charger.pk, remote.pk})


def test_the_return_page_shows_what_was_not_handed_over(w, handed):
    item, loan, charger, remote = handed
    page = soup(english_client(w.manager).get(reverse("materiel:take-back", args=[loan.pk])))
    boxes = [box["value"] for box in page.select(f"input[name=accessories_{item.pk}]")]
    assert boxes == [str(charger.pk)]
    assert "Not handed over (nothing to give back): Télécommande" in text_of(page)


# --- 3. The items' rows are locked before the reservation's -----------------------------------


def test_hand_over_and_take_back_lock_the_items_first(w, monkeypatch):
    calls = []
    lock_items, lock = availability.lock_items, handover._lock
    monkeypatch.setattr(availability, "lock_items", lambda items: calls.append("items") or lock_items(items))
    monkeypatch.setattr(handover, "_lock", lambda reservation: calls.append("reservation") or lock(reservation))
    first, second = w.item(), w.item("Micro")
    kit = KitFactory(owner_venue=w.figeac, items=[first, second])
    loan = w.loan(kit=kit, pickup=TODAY, return_date=days(1))
    handover.hand_over(actor=w.manager, reservation=loan, handed_to="Paul", conditions={first.pk: "good",
                       second.pk: "good"}, accessories_present=set())
    assert calls[:2] == ["items", "reservation"]
    calls.clear()
    handover.take_back(actor=w.manager, reservation=reload(loan), conditions={first.pk: "good", second.pk: "good"},
                       accessories_present=set())
    assert calls[:2] == ["items", "reservation"]


def test_the_items_lock_comes_before_the_reservation_lock_in_sql(w):
    """On PostgreSQL, the statements themselves: the items' FOR UPDATE before the reservation's."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: Django writes no FOR UPDATE there (CI checks this on PostgreSQL)")
    item = w.item()
    loan = w.loan(item, pickup=TODAY, return_date=days(1))
    with CaptureQueriesContext(connection) as ctx:
        handover.hand_over(actor=w.manager, reservation=loan, handed_to="Paul", conditions={item.pk: "good"},
                           accessories_present=set())
    locks = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
    assert 'FROM "lending_item"' in locks[0]
    assert 'FROM "lending_reservation"' in locks[1]


# --- 4. An item in repair refuses an accepted offer and a renewal ----------------------------


def test_accepting_an_offer_of_an_item_in_repair_is_refused(w):
    item = w.item(auto_approve=True)
    offered = w.loan(item, status="offered", offer_expires_at=timezone.now() + timedelta(hours=5))
    Item.objects.filter(pk=item.pk).update(status="repair")
    with refused(ValidationError, "Cannot be accepted: « Vidéoprojecteur 3 » is in repair: it cannot be booked "
                 "until it is back."):
        services.offer_answer(actor=w.borrower, reservation=offered, accept=True)
    assert reload(offered).status == "offered"


def test_renewing_a_loan_of_an_item_in_repair_is_refused(w):
    item = w.item()
    loan = w.loan(item)
    Item.objects.filter(pk=item.pk).update(status="repair")
    with refused(ValidationError, "Cannot be extended: « Vidéoprojecteur 3 » is in repair: it cannot be booked "
                 "until it is back.", "return_date"):
        services.reservation_renew(actor=w.borrower, reservation=loan, return_date=days(13))


# --- 5. Back from repair, the waiting list moves ----------------------------------------------


def test_the_end_of_a_repair_offers_the_days_to_the_waiting_list(w):
    item = w.item(status="repair")
    waiting = w.loan(item, status="waiting", waiting_since=timezone.now())
    catalogue.item_end_repair(actor=w.manager, item=item, condition="good")
    waiting = reload(waiting)
    assert waiting.status == "offered"
    assert list(Booking.objects.filter(reservation=waiting).values_list("holds", flat=True)) == [True]
    assert assertions.notifications() == [(w.borrower.pk, "lending.offered")]


# --- 6. Bad input: a clear answer, never a 500 ------------------------------------------------


def test_a_month_out_of_range_shows_this_month(w):
    item = w.item()
    kit = KitFactory(owner_venue=w.figeac, items=[item, w.item("Micro")])
    client = english_client(w.borrower)
    this_month = f"?mois={TODAY:%Y-%m}"
    for url in (reverse("materiel:item", args=[item.pk]), reverse("materiel:kit", args=[kit.pk])):
        for month in ("9999-12", "2101-01", "1999-12", "0001-01"):
            response = client.get(f"{url}?mois={month}")
            assert response.status_code == 200, (url, month)
            assert soup(response).select_one(f'a[href="{this_month}"]') is None  # this month shown
    assert english_client(w.borrower).get(f"{reverse('materiel:item', args=[item.pk])}?mois=2100-12").status_code \
        == 200


@pytest.mark.parametrize("start, end", [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02"),
                                         ("1999-12-31", "2000-01-02"), ("2100-12-30", "2101-01-01")])
def test_catalogue_dates_out_of_range_are_refused(w, start, end):
    w.item()
    response = english_client(w.borrower).get(reverse("materiel:index"), {"du": start, "au": end})
    assert response.status_code == 200
    assert "Choose days between 2000 and 2100." in text_of(soup(response))


def test_catalogue_dates_at_the_bounds_are_searched(w):
    w.item()
    response = english_client(w.borrower).get(reverse("materiel:index"), {"du": "2100-12-30", "au": "2100-12-31"})
    assert response.status_code == 200
    assert "Choose days between 2000 and 2100." not in text_of(soup(response))


def test_a_session_number_in_other_digits_is_ignored(w):
    item = w.item()
    for value in ("²", "٣", "¹²"):
        response = english_client(w.borrower).get(reverse("materiel:reserve-item", args=[item.pk]),
                                                  {"seance": value})
        assert response.status_code == 200, value


def test_a_category_number_in_other_digits_is_a_404(w):
    client = english_client(w.coordinator)
    for action in ("rename", "delete"):
        response = client.post(reverse("materiel:categories"), {"action": action, "category": "²", "name": "X"})
        assert response.status_code == 404


# --- 7. Loan periods in words ------------------------------------------------------------------


def test_a_reservation_reads_with_its_period_in_words(w):
    item = w.item()
    loan = w.loan(item, pickup=date(2026, 12, 17), return_date=date(2026, 12, 19))
    assert str(loan) == "Vidéoprojecteur 3, from 17 to 19 December 2026"
    with translation.override("fr"):
        assert str(loan) == "Vidéoprojecteur 3, du 17 au 19 décembre 2026"


def test_notifications_are_labelled_with_the_period(w):
    item = w.item()
    loan = w.loan(item, pickup=date(2031, 3, 12), return_date=date(2031, 3, 12))
    services.reservation_renew(actor=w.borrower, reservation=loan, return_date=date(2031, 3, 14))
    assert set(Notification.objects.values_list("target_label", flat=True)) == {
        "Vidéoprojecteur 3, from 12 to 14 March 2031"}


def test_retire_names_the_loans_to_come_with_their_period(w):
    item = w.item()
    w.loan(item, pickup=date(2031, 3, 30), return_date=date(2031, 4, 2))
    with refused(ValidationError, "A loan to come holds this equipment: EPN de Gourdon, from 30 March to "
                 "2 April 2031. Cancel it first."):
        catalogue.item_retire(actor=w.manager, item=item, note="Trop vieux")


# --- 8. A kit's items do not change under waiting requests ------------------------------------


@pytest.mark.parametrize("status", ["waiting", "offered"])
def test_a_waiting_request_of_a_kit_keeps_its_items(w, status):
    first, second, third = w.item("A"), w.item("B"), w.item("C")
    kit = KitFactory(owner_venue=w.figeac, items=[first, second])
    w.loan(kit=kit, pickup=date(2031, 3, 12), return_date=date(2031, 3, 13), status=status,
           waiting_since=timezone.now())
    with refused(ValidationError, "Loans of this kit are to come (EPN de Gourdon, from 12 to 13 March 2031): its "
                 "items cannot change, nor can it be withdrawn, before they are over."):
        catalogue.kit_update(actor=w.manager, kit=kit, items=[first, second, third])


# --- 9. The kit list: a retired item the reader cannot see still blocks the kit ---------------


def test_the_kit_list_says_a_kit_with_a_retired_item_cannot_be_booked(w):
    camera, micro = w.item("Caméra"), w.item("Micro")
    kit = KitFactory(owner_venue=w.figeac, items=[camera, micro])
    client = english_client(w.borrower)
    assert "Cannot be booked at the moment" not in text_of(soup(client.get(reverse("materiel:kits"))))
    Item.objects.filter(pk=micro.pk).update(status="retired")
    card = soup(client.get(reverse("materiel:kits"))).select_one(f'a[href="{kit.get_absolute_url()}"]')
    text = " ".join(text_of(card.find_parent("li")).split())
    assert "Cannot be booked at the moment 1 item not lent any more" in text
    assert "Micro" not in text  # hidden from a member who does not manage it
    # Its manager sees it named.
    page = soup(english_client(w.manager).get(reverse("materiel:kits")))
    text = " ".join(text_of(page.select_one(f'a[href="{kit.get_absolute_url()}"]').find_parent("li")).split())
    assert "Cannot be booked at the moment Micro (retired)" in text


def test_the_pages_answer_a_refused_renewal_and_offer_of_an_item_in_repair(w):
    item = w.item(auto_approve=True)
    loan = w.loan(item)
    offered = w.loan(w.item("Micro"), status="offered", offer_expires_at=timezone.now() + timedelta(hours=5))
    Item.objects.filter(owner_venue=w.figeac).update(status="repair")
    client = english_client(w.borrower)
    response = client.post(reverse("materiel:renew", args=[loan.pk]), {"return_date": days(13).isoformat()})
    assert response.status_code == 200
    assert ("Cannot be extended: « Vidéoprojecteur 3 » is in repair: it cannot be booked until it is back."
            in text_of(soup(response)))
    response = client.post(reverse("materiel:offer", args=[offered.pk]), {"answer": "accept"})
    assert response.status_code in (302, 409), response.status_code
    assert reload(offered).status == "offered"


def test_the_reserve_page_with_far_dates_answers(w):
    item = w.item()
    response = english_client(w.borrower).get(reverse("materiel:reserve-item", args=[item.pk]),
                                              {"du": "9999-12-31", "au": "9999-12-31"})
    assert response.status_code == 200
