"""The calendar source of loans: who sees which reservation (borrowing side, managers,
coordinators, nobody else), how it reads (all-day from pick-up to return, pending, offered
and overdue marks), in the month and week views and in the "Mon agenda" feed; one query;
its version."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from calendar_app import feeds, registry
from core import roles
from extranet.testing.factories import (
    CoordinatorFactory,
    ItemFactory,
    KitFactory,
    PendingUserFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from extranet.testing.pages import english_client, soup, text_of
from extranet.testing.shared import building, shared_transaction
from lending import agenda
from lending.models import Reservation

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# March 2031: no other loan falls in it.
START = datetime(2031, 3, 1, tzinfo=PARIS)
END = datetime(2031, 4, 1, tzinfo=PARIS)


def march(day_number):
    return date(2031, 3, day_number)


def build():
    owner = VenueFactory(name="Fablab du Causse")
    borrowing = VenueFactory(name="Médiathèque du Lot")
    elsewhere = VenueFactory(name="Maison France services")
    people = {
        "requester": UserFactory(venues=[borrowing]),
        "colleague": UserFactory(venues=[borrowing]),
        "manager": UserFactory(venues=[owner]),
        "local_admin": UserFactory(),
        "coordinator": CoordinatorFactory(),
        "outsider": UserFactory(),
        "pending": PendingUserFactory(venues=[borrowing]),
    }
    people["local_admin"].referent_territories.add(owner.territory)
    requester, other = people["requester"], UserFactory(venues=[elsewhere])

    def lend(name, pickup, return_date, status="approved", venue=borrowing, who=requester, **item_fields):
        item = ItemFactory(name=name, **{"owner_venue": owner, **item_fields})
        return reservation_make(item=item, venue=venue, requester=who, pickup=pickup, return_date=return_date,
                                status=status)

    loans = {
        "approved": lend("Vidéoprojecteur A", march(10), march(12), home_venue=owner),
        "pending": lend("Tablette P", march(15), march(16), status="pending"),
        "offered": lend("Robot O", march(20), march(20), status="offered"),
        "out": lend("Caméra S", date(2031, 2, 27), march(1), status="out"),
        # Outside the window (the end is exclusive: the 28th's item ends at midnight on 1 March).
        "before": lend("Avant", date(2031, 2, 25), date(2031, 2, 28)),
        "after": lend("Après", date(2031, 4, 1), date(2031, 4, 2)),
        "centre": lend("Casque VR", march(18), march(19), venue=elsewhere, who=other, owner_venue=None),
    }
    for status in ("waiting", "refused", "cancelled", "returned", "expired"):
        loans[status] = lend(f"Statut {status}", march(10), march(12), status=status)
    kit = KitFactory(name="Kit visio", owner_venue=owner)
    loans["kit"] = reservation_make(kit=kit, venue=elsewhere, requester=other, pickup=march(5), return_date=march(6))
    return {**people, "loans": loans, "owner": owner, "borrowing": borrowing}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build()
        yield data


def read(user, start=START, end=END):
    with translation.override("en"):
        return agenda.items(user, start, end)


def titles(user, start=START, end=END):
    return [item.title for item in read(user, start, end)]


BORROWER_SEES = [
    "Loan: Caméra S for Médiathèque du Lot",
    "Loan: Vidéoprojecteur A for Médiathèque du Lot",
    "Loan: Tablette P for Médiathèque du Lot (awaiting approval)",
    "Loan: Robot O for Médiathèque du Lot (slot offered)",
]


def test_the_requester_and_the_venues_colleagues_see_its_loans(world):
    assert titles(world["requester"]) == BORROWER_SEES
    assert titles(world["colleague"]) == BORROWER_SEES
    assert {(item.calendar_label, item.color) for item in read(world["colleague"])} == {
        ("Equipment · borrowed", "orange")}


def test_the_managers_see_the_loans_of_their_equipment(world):
    expected = [
        "Loan: Caméra S for Médiathèque du Lot",
        "Loan: Kit visio for Maison France services",
        "Loan: Vidéoprojecteur A for Médiathèque du Lot",
        "Loan: Tablette P for Médiathèque du Lot (awaiting approval)",
        "Loan: Robot O for Médiathèque du Lot (slot offered)",
    ]
    assert titles(world["manager"]) == expected
    assert titles(world["local_admin"]) == expected
    assert {(item.calendar_label, item.color) for item in read(world["manager"])} == {("Equipment · lent", "brown")}


def test_the_coordinators_see_every_loan(world):
    assert titles(world["coordinator"]) == [
        "Loan: Caméra S for Médiathèque du Lot",
        "Loan: Kit visio for Maison France services",
        "Loan: Vidéoprojecteur A for Médiathèque du Lot",
        "Loan: Tablette P for Médiathèque du Lot (awaiting approval)",
        "Loan: Casque VR for Maison France services",
        "Loan: Robot O for Médiathèque du Lot (slot offered)",
    ]


def test_others_and_members_not_approved_see_nothing(world):
    assert read(world["outsider"]) == []
    assert read(world["pending"]) == []


def test_an_item_is_all_day_from_pickup_to_the_midnight_after_the_return(world):
    reservation = world["loans"]["approved"]
    [item] = [item for item in read(world["requester"]) if "Vidéoprojecteur A" in item.title]
    assert (item.start, item.end, item.all_day) == (datetime(2031, 3, 10, tzinfo=PARIS),
                                                    datetime(2031, 3, 13, tzinfo=PARIS), True)
    assert item.url == f"/bureau/materiel/reservations/{reservation.pk}/"
    assert (item.source, item.key, item.uid) == ("lending", f"lending-reservation-{reservation.pk}",
                                                 f"lending-reservation-{reservation.pk}")
    assert item.location == "Fablab du Causse"
    assert item.description == "Approved"
    assert not item.cancelled
    [pending] = [item for item in read(world["requester"]) if "Tablette P" in item.title]
    assert pending.location == "Resource centre"  # no home venue: kept at the resource centre


def test_a_short_window_holds_only_what_overlaps_it(world):
    # 12 March, all day: the loan of the 10th to the 12th, nothing else.
    assert titles(world["requester"], datetime(2031, 3, 12, tzinfo=PARIS), datetime(2031, 3, 13, tzinfo=PARIS)) == [
        "Loan: Vidéoprojecteur A for Médiathèque du Lot"]
    # 13 March: the loan ended the evening before.
    assert titles(world["requester"], datetime(2031, 3, 13, tzinfo=PARIS), datetime(2031, 3, 14, tzinfo=PARIS)) == []


def test_an_overdue_loan_keeps_its_dates_and_says_so(world):
    today = timezone.localdate()
    late = reservation_make(item=ItemFactory(name="Enceinte", owner_venue=world["owner"]), venue=world["borrowing"],
                            requester=world["requester"], pickup=today - timedelta(days=5),
                            return_date=today - timedelta(days=1), status="out")
    start = datetime.combine(today - timedelta(days=7), datetime.min.time(), PARIS)
    [item] = read(world["manager"], start, start + timedelta(days=14))
    assert item.title == "Loan: Enceinte for Médiathèque du Lot (overdue)"
    assert item.end == datetime.combine(late.return_date + timedelta(days=1), datetime.min.time(), PARIS)


def test_items_cost_one_query_whatever_the_data(world):
    manager = world["manager"]
    with roles.scope():
        read(manager)  # the member's roles, read once per request
        with CaptureQueriesContext(connection) as small:
            assert len(read(manager)) == 5
        for number in range(10):
            reservation_make(item=ItemFactory(owner_venue=world["owner"], home_venue=world["owner"]),
                             venue=world["borrowing"], requester=world["requester"], pickup=march(3 + number),
                             return_date=march(4 + number))
            reservation_make(kit=KitFactory(owner_venue=world["owner"]), venue=world["borrowing"],
                             requester=world["requester"], pickup=march(3 + number), return_date=march(4 + number))
        with CaptureQueriesContext(connection) as large:
            assert len(read(manager)) == 25
        with CaptureQueriesContext(connection) as versions:
            agenda.version(manager)
    assert len(small) == len(large) == 1
    assert len(versions) == 1


def test_version_changes_with_the_members_loans_only(world):
    member = world["colleague"]
    first = agenda.version(member)
    assert first == agenda.version(member) and len(first) == 16
    reservation_make(venue=VenueFactory(), pickup=march(22), return_date=march(23))  # someone else's
    assert agenda.version(member) == first
    added = reservation_make(venue=world["borrowing"], requester=world["requester"], pickup=march(22),
                             return_date=march(23), status="pending")
    with_new = agenda.version(member)
    assert with_new != first
    Reservation.objects.filter(pk=added.pk).update(status="approved")  # answered (no updated_at bump)
    approved = agenda.version(member)
    assert approved not in (first, with_new)
    Reservation.objects.filter(pk=added.pk).update(status="cancelled")
    assert agenda.version(member) not in (approved, with_new)
    assert agenda.version(world["pending"]) == "-"


def test_version_changes_when_the_member_joins_a_venue(world):
    member = world["outsider"]
    before = agenda.version(member)
    member.venues.add(world["borrowing"])
    assert agenda.version(member) != before
    assert len(read(member)) == 4


# --- In the calendar's pages and the feed ---------------------------------------------------


def test_the_loan_is_in_the_month_and_week_views(world):
    client = english_client(world["requester"])
    page = soup(client.get(reverse("calendar:month", args=[2031, 3])))
    title = "Loan: Vidéoprojecteur A for Médiathèque du Lot"
    for day_number in (10, 11, 12):
        assert title in text_of(page.select_one(f"#jour-2031-03-{day_number:02d}"))
    assert title not in text_of(page.select_one("#jour-2031-03-13"))
    link = page.select_one("#jour-2031-03-10 a.cal-item")
    assert link["href"] == world["loans"]["approved"].get_absolute_url()
    week = soup(client.get(reverse("calendar:week", args=[2031, 3, 10])))
    assert title in text_of(week.select_one("#jour-2031-03-11"))
    assert "Equipment · borrowed" in text_of(week.select_one("#jour-2031-03-11"))
    assert "lending" in registry.SOURCES


def test_the_loan_is_in_the_borrowers_feed(client, world):
    today = timezone.localdate()
    reservation = reservation_make(item=ItemFactory(name="Vidéoprojecteur F", owner_venue=world["owner"]),
                                   venue=world["borrowing"], requester=world["requester"],
                                   pickup=today + timedelta(days=7), return_date=today + timedelta(days=9))
    token = feeds.feed_token_get_or_create(actor=world["colleague"])
    response = client.get(reverse("agenda:private-feed", args=[token.token]))
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    [event] = [event for event in events if str(event["UID"]) == f"lending-reservation-{reservation.pk}"]
    # Written in the site's language (French once the catalogue is compiled).
    assert str(event["SUMMARY"]) in {"Loan: Vidéoprojecteur F for Médiathèque du Lot",
                                     "Prêt\u00a0: Vidéoprojecteur F pour Médiathèque du Lot"}
    assert event["DTSTART"].dt == today + timedelta(days=7)
    assert event["DTEND"].dt == today + timedelta(days=10)  # exclusive: the day after the return
    assert str(event["URL"]).endswith(f"/bureau/materiel/reservations/{reservation.pk}/")
    # Someone else's feed does not hold it.
    other = feeds.feed_token_get_or_create(actor=world["outsider"])
    read_other = icalendar.Calendar.from_ical(client.get(reverse("agenda:private-feed", args=[other.token])).content)
    assert [e for e in read_other.walk("VEVENT") if str(e["UID"]).startswith("lending-")] == []
