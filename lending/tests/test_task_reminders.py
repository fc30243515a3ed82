"""The periodic work of equipment lending: pick-up and return reminders and overdue notices,
to the right people, once (also when two runs meet), nothing for what is over; the command."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import Notification
from extranet.testing.assertions import notifications
from extranet.testing.concurrency import run_together
from extranet.testing.factories import ItemFactory, KitFactory, UserFactory, VenueFactory, reservation_make
from lending import tasks
from lending.models import Reservation

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
# Monday 10 March 2031, 9 h in Paris: "today" for the tasks.
NOW = datetime(2031, 3, 10, 9, 0, tzinfo=PARIS)


def day(offset):
    return date(2031, 3, 10) + timedelta(days=offset)


@pytest.fixture(autouse=True)
def english(settings):
    # The tasks write in the site's language: English here, to read the source sentences.
    settings.LANGUAGE_CODE = "en"
    settings.LENDING_REMINDER_DAYS = 2


@pytest.fixture
def people(db):
    """A venue that owns equipment (an animator, its territory's local admin) and a borrowing
    venue (the member who asks, a colleague there)."""
    owner = VenueFactory(name="Fablab du Causse")
    owner_animator = UserFactory(venues=[owner])
    local_admin = UserFactory()
    local_admin.referent_territories.add(owner.territory)
    borrowing = VenueFactory(name="Médiathèque du Lot")
    requester = UserFactory(venues=[borrowing])
    colleague = UserFactory(venues=[borrowing])
    UserFactory()  # someone else, told nothing
    return {"owner": owner, "owner_animator": owner_animator, "local_admin": local_admin,
            "borrowing": borrowing, "requester": requester, "colleague": colleague}


def loan(people, name, pickup, return_date, status, **fields):
    item = ItemFactory(name=name, owner_venue=people["owner"])
    return reservation_make(item=item, venue=people["borrowing"], requester=people["requester"], pickup=pickup,
                            return_date=return_date, status=status, **fields)


def borrowers(people, verb):
    return [(people["requester"].pk, verb), (people["colleague"].pk, verb)]


def managers(people, verb):
    return [(people["owner_animator"].pk, verb), (people["local_admin"].pk, verb)]


def labels(verb):
    return sorted(set(Notification.objects.filter(verb=verb).values_list("target_label", flat=True)))


# --- Pick-up reminders ----------------------------------------------------------------------


def test_pickup_reminder_to_the_borrowing_side_once(people):
    reservation = loan(people, "Vidéoprojecteur 3", day(2), day(4), "approved")
    assert tasks.pickup_reminders_send(now=NOW) == 1
    assert notifications() == sorted(borrowers(people, "lending.pickup_reminder"))
    assert labels("lending.pickup_reminder") == [
        "Vidéoprojecteur 3 to pick up on Wednesday 12 March for Médiathèque du Lot"]
    note = Notification.objects.filter(recipient=people["requester"]).get()
    assert note.url == f"/bureau/materiel/reservations/{reservation.pk}/"
    reservation.refresh_from_db()
    assert reservation.pickup_reminded_at == NOW
    # Again, an hour later, or a day later: nothing more.
    assert tasks.pickup_reminders_send(now=NOW + timedelta(hours=1)) == 0
    assert tasks.pickup_reminders_send(now=NOW + timedelta(days=1)) == 0
    assert Notification.objects.count() == 2


def test_pickup_reminder_on_the_day_itself(people):
    loan(people, "Tablette 1", day(0), day(0), "approved")
    assert tasks.pickup_reminders_send(now=NOW) == 1
    assert labels("lending.pickup_reminder") == ["Tablette 1 to pick up on Monday 10 March for Médiathèque du Lot"]


def test_pickup_reminder_names_the_kit_and_the_year_when_another(people):
    kit = KitFactory(name="Kit visio", owner_venue=people["owner"])
    reservation_make(kit=kit, venue=people["borrowing"], requester=people["requester"], pickup=date(2032, 1, 1),
                     return_date=date(2032, 1, 2), status="approved")
    assert tasks.pickup_reminders_send(now=datetime(2031, 12, 30, 9, tzinfo=PARIS)) == 1
    assert labels("lending.pickup_reminder") == [
        "Kit visio to pick up on Thursday 1 January 2032 for Médiathèque du Lot"]
    assert tasks.return_reminders_send(now=datetime(2031, 12, 31, 9, tzinfo=PARIS)) == 0  # not handed over


def test_no_pickup_reminder_too_early_past_or_for_other_statuses(people):
    loan(people, "Trop tôt", day(3), day(5), "approved")
    loan(people, "Retrait passé", day(-1), day(2), "approved")
    for status in ("pending", "offered", "waiting", "refused", "cancelled", "expired", "out", "returned"):
        loan(people, f"Statut {status}", day(1), day(2), status)
    assert tasks.pickup_reminders_send(now=NOW) == 0
    assert notifications() == []
    assert not Reservation.objects.filter(pickup_reminded_at__isnull=False).exists()


def test_an_inactive_requester_is_not_told(people):
    people["requester"].is_active = False
    people["requester"].save()
    loan(people, "Vidéoprojecteur 4", day(1), day(2), "approved")
    assert tasks.pickup_reminders_send(now=NOW) == 1
    assert notifications() == [(people["colleague"].pk, "lending.pickup_reminder")]


# --- Return reminders -----------------------------------------------------------------------


def test_return_reminder_once_for_a_loan_handed_over(people):
    reservation = loan(people, "Robot Thymio", day(-3), day(1), "out")
    assert tasks.return_reminders_send(now=NOW) == 1
    assert notifications() == sorted(borrowers(people, "lending.return_reminder"))
    assert labels("lending.return_reminder") == ["Robot Thymio to return on Tuesday 11 March (Médiathèque du Lot)"]
    assert tasks.return_reminders_send(now=NOW + timedelta(days=1)) == 0
    reservation.refresh_from_db()
    assert reservation.return_reminded_at == NOW
    assert reservation.pickup_reminded_at is None and reservation.overdue_notified_at is None


def test_no_return_reminder_too_early_when_returned_cancelled_or_overdue(people):
    loan(people, "Trop tôt", day(-1), day(3), "out")
    loan(people, "Rendu", day(-3), day(1), "returned")
    loan(people, "Annulé", day(-3), day(1), "cancelled")
    loan(people, "Approuvé", day(0), day(1), "approved")
    loan(people, "En retard", day(-5), day(-1), "out")
    assert tasks.return_reminders_send(now=NOW) == 0
    assert notifications() == []


# --- Overdue notices ------------------------------------------------------------------------


def test_overdue_notice_to_the_borrowers_and_the_managers_once(people):
    reservation = loan(people, "Vidéoprojecteur 5", day(-6), day(-1), "out")
    assert tasks.overdue_notices_send(now=NOW) == 1
    assert notifications() == sorted(borrowers(people, "lending.overdue") + managers(people, "lending.overdue_owner"))
    assert labels("lending.overdue") == ["Vidéoprojecteur 5, to return on Sunday 9 March (Médiathèque du Lot)"]
    assert labels("lending.overdue_owner") == [
        "Médiathèque du Lot has not returned Vidéoprojecteur 5 (return planned on Sunday 9 March)"]
    assert tasks.overdue_notices_send(now=NOW + timedelta(days=1)) == 0
    assert Notification.objects.count() == 4
    reservation.refresh_from_db()
    assert reservation.overdue_notified_at == NOW


def test_overdue_resource_centre_equipment_goes_to_the_coordinators(people):
    from extranet.testing.factories import CoordinatorFactory

    coordinator = CoordinatorFactory()
    reservation_make(item=ItemFactory(name="Casque VR"), venue=people["borrowing"], requester=people["requester"],
                     pickup=day(-4), return_date=day(-2), status="out")
    assert tasks.overdue_notices_send(now=NOW) == 1
    assert notifications() == sorted(borrowers(people, "lending.overdue")
                                     + [(coordinator.pk, "lending.overdue_owner")])


def test_no_overdue_notice_on_the_return_day_or_when_returned_or_cancelled(people):
    loan(people, "Retour aujourd'hui", day(-3), day(0), "out")
    loan(people, "Rendu en retard", day(-6), day(-1), "returned")
    loan(people, "Annulé", day(-6), day(-1), "cancelled")
    loan(people, "Jamais retiré", day(-6), day(-1), "approved")
    assert tasks.overdue_notices_send(now=NOW) == 0
    assert notifications() == []


def test_several_loans_are_claimed_together(people):
    loan(people, "A", day(-6), day(-1), "out")
    loan(people, "B", day(-9), day(-2), "out")
    loan(people, "C", day(-9), day(-2), "out", overdue_notified_at=NOW - timedelta(days=1))  # already told
    assert tasks.overdue_notices_send(now=NOW) == 2
    assert labels("lending.overdue") == ["A, to return on Sunday 9 March (Médiathèque du Lot)",
                                         "B, to return on Saturday 8 March (Médiathèque du Lot)"]
    assert Notification.objects.count() == 8


# --- run and the command --------------------------------------------------------------------


def test_run_does_every_step_and_says_how_many(people):
    loan(people, "Retrait", day(1), day(2), "approved")
    loan(people, "Retour", day(-2), day(2), "out")
    loan(people, "Retard 1", day(-5), day(-2), "out")
    loan(people, "Retard 2", day(-5), day(-3), "out")
    assert tasks.run(now=NOW) == {"offers_expired": 0, "pickup_reminders": 1, "return_reminders": 1,
                                  "overdue_notices": 2}
    assert tasks.run(now=NOW) == {"offers_expired": 0, "pickup_reminders": 0, "return_reminders": 0,
                                  "overdue_notices": 0}


def test_the_command_prints_the_counts(people):
    today = timezone.localdate()
    loan(people, "Retard", today - timedelta(days=5), today - timedelta(days=1), "out")
    out = StringIO()
    call_command("run_lending_tasks", stdout=out)
    assert out.getvalue().splitlines() == ["offers expired: 0", "pickup reminders: 0", "return reminders: 0",
                                           "overdue notices: 1"]
    out = StringIO()
    call_command("run_lending_tasks", stdout=out)
    assert out.getvalue().splitlines()[-1] == "overdue notices: 0"


# --- Two runs at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_message_once(people):
    loan(people, "Retrait", day(1), day(2), "approved")
    loan(people, "Retour", day(-2), day(2), "out")
    loan(people, "Retard", day(-5), day(-2), "out")
    results = run_together([lambda: tasks.run(now=NOW), lambda: tasks.run(now=NOW)])
    assert [outcome for outcome, _value in results] == ["ok", "ok"], results
    totals = {key: sum(value[key] for _outcome, value in results) for key in results[0][1]}
    assert totals == {"offers_expired": 0, "pickup_reminders": 1, "return_reminders": 1, "overdue_notices": 1}
    assert notifications() == sorted(borrowers(people, "lending.pickup_reminder")
                                     + borrowers(people, "lending.return_reminder")
                                     + borrowers(people, "lending.overdue")
                                     + managers(people, "lending.overdue_owner"))
