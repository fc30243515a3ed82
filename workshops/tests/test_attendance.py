"""Attendance services and figures (workshops.attendance): who may record a sheet, what is
refused, the no-shows counted per person, and the figures checked against numbers computed by
hand."""

from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.shared import building, shared_transaction
from workshops import attendance
from workshops.models import Attendance, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    return {
        "attendance": sorted(Attendance.objects.values_list(
            "registration_id", "date_id", "status", "reason", "recorded_by_id", "recorded_at")),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)

NOT_HOST = "The list of people registered is seen by the session's animators and the coordination."


def _past(days, hour=10):
    start = (timezone.now() - timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=2)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A held session at a venue of a territory (its animator, the venue's animator, a
    coordinator, a local admin of the territory, a plain member, another venue's animator),
    three confirmed registrations (a member, a visitor, a person registered at the venue), a
    cancelled one, and a registration to another session; an upcoming session."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            territory = TerritoryFactory(name="Lot")
            venue = VenueFactory(territory=territory, name="Médiathèque de Cahors")
            other_venue = VenueFactory(name="Espace de Figeac")
            animator = UserFactory(display_name="Anim Session")
            workshop = WorkshopFactory(territory=territory, status="scheduled")
            session = SessionFactory(workshop=workshop, venue=venue, dates=[_past(2)], animators=[animator])
            upcoming = SessionFactory(workshop=workshop, venue=venue, animators=[animator])
            other = SessionFactory(workshop=workshop, venue=venue, dates=[_past(3)], animators=[animator])
            data = {
                "territory": territory, "venue": venue, "workshop": workshop,
                "session": session, "date": session.dates.get(),
                "upcoming": upcoming, "upcoming_date": upcoming.dates.get(),
                "other": other,
                "animator": animator,
                "venue_animator": UserFactory(venues=[venue]),
                "coordinator": CoordinatorFactory(),
                "local_admin": UserFactory(referent_of=[territory]),
                "member": UserFactory(),
                "other_animator": UserFactory(venues=[other_venue]),
                "alice": RegistrationFactory(session=session),
                "bob": RegistrationFactory(session=session, user=None, kind="visitor", name="Bob Visiteur",
                                           email="bob@exemple.test"),
                "carla": RegistrationFactory(session=session, user=None, kind="on_site", name="Carla",
                                             phone="06 12 34 56 78"),
                "cancelled": RegistrationFactory(session=session, status="cancelled",
                                                 user=UserFactory(display_name="Claude Parti")),
                "elsewhere": RegistrationFactory(session=other),
                "future": RegistrationFactory(session=upcoming),
            }
        yield data


def _rows(date):
    return {row.registration_id: (row.status, row.reason)
            for row in Attendance.objects.filter(date=date)}


# --- attendance_record: allowed --------------------------------------------------------------


@pytest.mark.parametrize("who", ["animator", "venue_animator", "coordinator", "local_admin"])
def test_record_allowed(world, who):
    actor = world[who]
    alice, bob, carla = world["alice"], world["bob"], world["carla"]
    changed = attendance.attendance_record(actor=actor, date=world["date"], marks={
        alice.pk: ("present", "ignored for someone present"),
        bob.pk: ("no_show", ""),
        carla.pk: ("excused", "  Train en retard  "),
    })
    assert changed == 3
    assert _rows(world["date"]) == {
        alice.pk: ("present", ""),
        bob.pk: ("no_show", ""),
        carla.pk: ("excused", "Train en retard"),
    }
    assert set(Attendance.objects.values_list("recorded_by_id", flat=True)) == {actor.pk}


def test_record_again_replaces_and_counts_only_changes(world):
    date, alice, bob = world["date"], world["alice"], world["bob"]
    attendance.attendance_record(actor=world["animator"], date=date,
                                 marks={alice.pk: ("present", ""), bob.pk: ("present", "")})
    kept = Attendance.objects.get(registration=alice)
    changed = attendance.attendance_record(actor=world["coordinator"], date=date, marks={
        alice.pk: ("present", ""), bob.pk: ("excused", "Malade"),
    })
    assert changed == 1
    assert _rows(date) == {alice.pk: ("present", ""), bob.pk: ("excused", "Malade")}
    assert Attendance.objects.count() == 2
    # The unchanged row keeps who recorded it and when; the changed one says who changed it.
    assert Attendance.objects.get(registration=alice).recorded_by_id == world["animator"].pk
    assert Attendance.objects.get(registration=alice).recorded_at == kept.recorded_at
    assert Attendance.objects.get(registration=bob).recorded_by_id == world["coordinator"].pk


def test_record_accepts_a_status_alone_and_nothing_to_do(world):
    date, alice = world["date"], world["alice"]
    assert attendance.attendance_record(actor=world["animator"], date=date, marks={}) == 0
    assert attendance.attendance_record(actor=world["animator"], date=date, marks={alice.pk: "no_show"}) == 1
    assert _rows(date) == {alice.pk: ("no_show", "")}


def test_record_long_after_the_session(world):
    """A paper sheet typed in weeks later."""
    old = SessionFactory(workshop=world["workshop"], venue=world["venue"], dates=[_past(40)],
                         animators=[world["animator"]])
    registration = RegistrationFactory(session=old)
    assert attendance.attendance_record(actor=world["animator"], date=old.dates.get(),
                                        marks={registration.pk: ("present", "")}) == 1


# --- attendance_record: denied ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "other_animator"])
def test_record_denied(world, who):
    with refused(PermissionDenied, NOT_HOST):
        attendance.attendance_record(actor=world[who], date=world["date"],
                                     marks={world["alice"].pk: ("present", "")})


def test_record_denied_to_a_pending_member(world):
    from extranet.testing.factories import PendingUserFactory

    with refused(PermissionDenied, NOT_HOST):
        attendance.attendance_record(actor=PendingUserFactory(), date=world["date"],
                                     marks={world["alice"].pk: ("present", "")})


# --- attendance_record: invalid --------------------------------------------------------------


def test_record_refuses_another_sessions_registration(world):
    with refused(ValidationError, "This person is not registered to this session."):
        attendance.attendance_record(actor=world["animator"], date=world["date"], marks={
            world["alice"].pk: ("present", ""),  # valid, yet not saved either
            world["elsewhere"].pk: ("present", ""),
        })


def test_record_refuses_an_unknown_registration(world):
    with refused(ValidationError, "This person is not registered to this session."):
        attendance.attendance_record(actor=world["animator"], date=world["date"], marks={999999: ("present", "")})


def test_record_refuses_a_cancelled_registration(world):
    cancelled = world["cancelled"]
    with refused(ValidationError, "Claude Parti is not registered (anymore): no attendance for them."):
        attendance.attendance_record(actor=world["animator"], date=world["date"], marks={
            world["alice"].pk: ("present", ""), cancelled.pk: ("no_show", ""),
        })


@pytest.mark.parametrize("status", ["late", "", "PRESENT"])
def test_record_refuses_an_unknown_status(world, status):
    with refused(ValidationError, "Choose present, excused absence or no-show."):
        attendance.attendance_record(actor=world["animator"], date=world["date"],
                                     marks={world["alice"].pk: (status, "")})


def test_record_refuses_a_reason_too_long(world):
    with refused(ValidationError, "Write the reason in at most 300 characters."):
        attendance.attendance_record(actor=world["animator"], date=world["date"],
                                     marks={world["bob"].pk: ("excused", "x" * 301)})
    # 300 is allowed.
    assert attendance.attendance_record(actor=world["animator"], date=world["date"],
                                        marks={world["bob"].pk: ("excused", "x" * 300)}) == 1


def test_record_refused_before_the_start(world):
    with refused(ValidationError, "The attendance sheet is filled in once the session has started."):
        attendance.attendance_record(actor=world["animator"], date=world["upcoming_date"],
                                     marks={world["future"].pk: ("present", "")})


def test_record_refused_for_a_cancelled_session(world):
    session = world["session"]
    session.status = "cancelled"
    session.save(update_fields=["status"])
    with refused(ValidationError, "This session is cancelled."):
        attendance.attendance_record(actor=world["animator"], date=world["date"],
                                     marks={world["alice"].pk: ("present", "")})
    session.status = "scheduled"


# --- no_show_counts --------------------------------------------------------------------------


def _mark(registration, status, date=None):
    return Attendance.objects.create(registration=registration, date=date or registration.session.dates.first(),
                                     status=status)


def _held(workshop, days):
    return SessionFactory(workshop=workshop, dates=[_past(days)])


def test_no_show_counts_per_person(django_assert_num_queries):
    workshop = WorkshopFactory()
    s1, s2, s3, s4 = (_held(workshop, days) for days in (30, 20, 10, 5))
    today = SessionFactory(workshop=workshop, dates=[_past(1)])

    # A member: 2 no-shows, 1 excused absence, 1 present → 2.
    member = UserFactory(email="bob@exemple.test")
    _mark(RegistrationFactory(session=s1, user=member), "no_show")
    _mark(RegistrationFactory(session=s2, user=member), "no_show")
    _mark(RegistrationFactory(session=s3, user=member), "excused")
    _mark(RegistrationFactory(session=s4, user=member), "present")
    member_today = RegistrationFactory(session=today, user=member)

    # A visitor known by their e-mail address, in any case, across two sessions → 2.
    visitor = partial(RegistrationFactory, user=None, kind="visitor")
    _mark(visitor(session=s1, name="Alice", email="Alice@Exemple.test"), "no_show")
    _mark(visitor(session=s2, name="Alice M.", email="alice@exemple.test"), "no_show")
    _mark(visitor(session=s3, name="Alice", email="alice@exemple.test"), "excused")
    alice_today = visitor(session=today, name="Alice", email="ALICE@exemple.test")

    # Someone else with the member's address is not the member (and the member is not them).
    _mark(visitor(session=s3, name="Homonyme", email="bob@exemple.test"), "no_show")
    bob_visitor_today = visitor(session=today, name="Homonyme", email="Bob@exemple.test")

    # A person registered at the venue, known by their phone written another way → 1.
    on_site = partial(RegistrationFactory, user=None, kind="on_site")
    _mark(on_site(session=s1, name="Carla", phone="06 12 34 56 78"), "no_show")
    _mark(on_site(session=s2, name="Carla", phone="06.12.34.56.78"), "present")
    carla_today = on_site(session=today, name="Carla", phone="0612345678")

    # Nobody to tell who they are (a purged registration): never anyone's no-shows.
    _mark(on_site(session=s1, name=""), "no_show")
    nobody_today = on_site(session=today, name="Sans coordonnées")

    # Someone new → 0.
    new_today = RegistrationFactory(session=today)

    registrations = [member_today, alice_today, bob_visitor_today, carla_today, nobody_today, new_today]
    with django_assert_num_queries(1):
        counts = attendance.no_show_counts(registrations)
    assert counts == {
        member_today.pk: 2,
        alice_today.pk: 2,
        bob_visitor_today.pk: 1,
        carla_today.pk: 1,
        nobody_today.pk: 0,
        new_today.pk: 0,
    }


def test_no_show_counts_dates_of_a_cycle_and_this_session(django_assert_num_queries):
    """Each missed date is one no-show, the session's own dates included."""
    workshop = WorkshopFactory()
    cycle = SessionFactory(workshop=workshop, dates=[_past(21), _past(14), _past(7)])
    first, second, third = cycle.dates.order_by("start")
    registration = RegistrationFactory(session=cycle)
    _mark(registration, "no_show", first)
    _mark(registration, "present", second)
    _mark(registration, "no_show", third)
    with django_assert_num_queries(1):
        assert attendance.no_show_counts([registration]) == {registration.pk: 2}


def test_no_show_counts_of_nothing_asks_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert attendance.no_show_counts([]) == {}
        nobody = Registration(pk=7, kind="on_site", name="X")
        assert attendance.no_show_counts([nobody]) == {7: 0}


# --- attendance_summary, attendance_counts, attendees ---------------------------------------


@pytest.fixture
def cycle():
    """A cycle of two dates, four confirmed registrations and a cancelled one:
    date 1: 3 present, 1 no-show; date 2: 2 present, 1 excused, 1 not recorded."""
    session = SessionFactory(dates=[_past(14), _past(7)])
    first, second = session.dates.order_by("start")
    a, b, c, d = (RegistrationFactory(session=session) for _ in range(4))
    cancelled = RegistrationFactory(session=session, status="cancelled")
    for registration, status in ((a, "present"), (b, "present"), (c, "present"), (d, "no_show")):
        _mark(registration, status, first)
    for registration, status in ((a, "present"), (b, "excused"), (c, "present")):
        _mark(registration, status, second)
    # Recorded before the person cancelled: left out of every figure.
    _mark(cancelled, "present", first)
    return {"session": session, "first": first, "second": second, "people": (a, b, c, d), "cancelled": cancelled}


def test_attendance_summary_by_hand(cycle, django_assert_num_queries):
    with django_assert_num_queries(3):
        summary = attendance.attendance_summary(cycle["session"])
    assert summary["registered"] == 4
    first, second = summary["dates"]
    assert first == {"date": cycle["first"], "registered": 4, "present": 3, "excused": 0, "no_show": 1,
                     "not_recorded": 0, "rate": 0.75, "rate_percent": 75}
    assert second == {"date": cycle["second"], "registered": 4, "present": 2, "excused": 1, "no_show": 0,
                      "not_recorded": 1, "rate": 0.5, "rate_percent": 50}
    # Over the session: 2 dates × 4 people = 8; 5 present of 8 = 62.5 %, shown as 63.
    assert summary["total"] == {"date": None, "registered": 8, "present": 5, "excused": 1, "no_show": 1,
                                "not_recorded": 1, "rate": 0.625, "rate_percent": 63}


def test_attendance_summary_of_an_empty_session():
    session = SessionFactory()
    summary = attendance.attendance_summary(session)
    assert summary["registered"] == 0
    assert summary["dates"][0]["rate"] is None
    assert summary["dates"][0]["rate_percent"] is None
    assert summary["total"]["not_recorded"] == 0


def test_attendance_counts_in_one_query(cycle, django_assert_num_queries):
    other = SessionFactory(dates=[_past(3)])
    _mark(RegistrationFactory(session=other), "excused")
    _mark(RegistrationFactory(session=other), "no_show")
    empty = SessionFactory()
    with django_assert_num_queries(1):
        counts = attendance.attendance_counts([cycle["session"], other, empty])
    assert counts == {
        cycle["session"].pk: {"present": 5, "excused": 1, "no_show": 1, "recorded": 7},
        other.pk: {"present": 0, "excused": 1, "no_show": 1, "recorded": 2},
        empty.pk: {"present": 0, "excused": 0, "no_show": 0, "recorded": 0},
    }


def test_attendees_are_present_at_least_once(cycle):
    a, b, c, d = cycle["people"]
    # b: present then excused → an attendee; d: only a no-show → not.
    assert list(attendance.attendees(cycle["session"])) == [a, b, c]
    lonely = SessionFactory(dates=[_past(2)])
    absent = RegistrationFactory(session=lonely)
    _mark(absent, "excused")
    assert list(attendance.attendees(lonely)) == []
