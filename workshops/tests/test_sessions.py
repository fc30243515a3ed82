"""Scheduling sessions (workshops.sessions): create, update, cancel, conflicts."""

from datetime import datetime, timedelta
from functools import partial
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.models import Activity
from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.shared import building, shared_transaction
from workshops import sessions
from workshops.models import Registration, Session, SessionDate, Workshop

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(day, hour, minute=0, tz=PARIS):
    """An aware datetime: `day` ("2030-01-15") at `hour`:`minute` in `tz`."""
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=tz)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    return {
        "sessions": sorted(Session.objects.values_list("pk", "status", "capacity", "venue_id", "start", "end",
                                                       "title", "online_url", "registration_deadline")),
        "dates": sorted(SessionDate.objects.values_list("session_id", "start", "end")),
        "animators": sorted(Session.animators.through.objects.values_list("session_id", "user_id")),
        "workshops": sorted(Workshop.objects.values_list("pk", "status")),
        "registrations": sorted(Registration.objects.values_list("pk", "status")),
        "notifications": assertions.notifications(),
        "activity": sorted(Activity.objects.values_list("verb", "target_id")),
        "mail": len(mail.outbox),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)


def build():
    lot = TerritoryFactory(name="Lot")
    gers = TerritoryFactory(name="Gers")
    proposer = UserFactory(display_name="Paul Proposeur", territory=lot)
    return {
        "lot": lot, "gers": gers, "proposer": proposer,
        "coordinator": CoordinatorFactory(display_name="Claire Coordinatrice"),
        "local_admin": UserFactory(display_name="Lina Locale", referent_of=[lot], territory=lot),
        "other_admin": UserFactory(display_name="Gaston Gers", referent_of=[gers], territory=gers),
        "member": UserFactory(display_name="Marc Membre", territory=lot),
        "lucie": UserFactory(display_name="Lucie Martin", territory=lot),
        "venue": VenueFactory(name="Médiathèque", city="Cahors", territory=lot),
        "workshop": WorkshopFactory(title="Tablette débutants", territory=lot, proposed_by=proposer),
    }


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    """The members, venues and workshop of the module, built once (each test rolls back)."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build()
        yield {key: (type(item), item.pk) for key, item in data.items()}


@pytest.fixture
def world(shared, db):
    """Fresh copies of the shared objects (a test may change them)."""
    return {key: model.objects.get(pk=pk) for key, (model, pk) in shared.items()}


def create(world, actor=None, **kwargs):
    args = {"workshop": world["workshop"], "dates": [(at("2030-01-15", 14), at("2030-01-15", 16))],
            "venue": world["venue"], "capacity": 8, "animators": [world["lucie"]]}
    args.update(kwargs)
    return sessions.session_create(actor=actor or world["coordinator"], **args)


# --- session_create ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "local_admin"])
def test_create_allowed(world, who):
    session = create(world, actor=world[who], title="")
    session.refresh_from_db()
    assert (session.capacity, session.venue_id, session.tz, session.status) == (
        8, world["venue"].pk, "Europe/Paris", "scheduled")
    assert (session.start, session.end) == (at("2030-01-15", 14), at("2030-01-15", 16))
    assert list(session.dates.values_list("start", "end")) == [(at("2030-01-15", 14), at("2030-01-15", 16))]
    assert list(session.animators.all()) == [world["lucie"]]
    assert session.created_by == world[who]
    world["workshop"].refresh_from_db()
    assert world["workshop"].status == "scheduled"
    assert sorted(assertions.notifications()) == sorted([
        (world["lucie"].pk, "workshops.animator_assigned"), (world["proposer"].pk, "workshops.scheduled")])
    activity = Activity.objects.get(verb="workshops.session_scheduled")
    assert activity.space == world["lot"].space
    assert activity.actor == world[who]


def test_create_a_cycle_without_territory_goes_to_the_network_space(world):
    workshop = WorkshopFactory(territory=None, proposed_by=world["proposer"])
    dates = [(at("2030-01-22", 14), at("2030-01-22", 16)), (at("2030-01-15", 14), at("2030-01-15", 16))]
    session = create(world, workshop=workshop, dates=dates, title="Tablette, 2 séances", animators=[])
    assert list(session.dates.values_list("start", flat=True)) == [at("2030-01-15", 14), at("2030-01-22", 14)]
    assert (session.start, session.end, session.title) == (
        at("2030-01-15", 14), at("2030-01-22", 16), "Tablette, 2 séances")
    assert Activity.objects.get(verb="workshops.session_scheduled").space.kind == "network"
    assert assertions.notifications() == [(world["proposer"].pk, "workshops.scheduled")]


def test_create_online_only_in_paris(world):
    session = create(world, venue=None, online_url="https://visio.exemple.test/atelier")
    assert (session.venue_id, session.tz, session.online_url) == (None, "Europe/Paris",
                                                                  "https://visio.exemple.test/atelier")


def test_create_an_overseas_venue_takes_its_zone(world):
    venue = VenueFactory(name="Cyberbase", postal_code="97200", city="Fort-de-France", territory=world["lot"])
    session = create(world, venue=venue, dates=[(at("2030-01-15", 9, tz=ZoneInfo("America/Martinique")),
                                                 at("2030-01-15", 11, tz=ZoneInfo("America/Martinique")))])
    assert session.tz == "America/Martinique"


def test_create_a_held_workshop_is_scheduled_again(world):
    workshop = WorkshopFactory(territory=world["lot"], status="held")
    create(world, workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.status == "scheduled"


@pytest.mark.parametrize("who, message", [
    ("other_admin", "Only the coordination and the local admins of its territory schedule sessions."),
    ("proposer", "Only the coordination and the local admins of its territory schedule sessions."),
    ("member", "Only the coordination and the local admins of its territory schedule sessions."),
])
def test_create_denied(world, who, message):
    with refused(PermissionDenied, message):
        create(world, actor=world[who])


def test_create_refused_for_a_proposal(world):
    workshop = WorkshopFactory(territory=world["lot"], status="proposed")
    with refused(ValidationError, "Only an accepted workshop can get sessions."):
        create(world, workshop=workshop)


def test_create_the_proposer_who_animates_is_told_once(world):
    create(world, animators=[world["proposer"]])
    assert assertions.notifications() == [(world["proposer"].pk, "workshops.animator_assigned")]


NOW = timezone.now()


@pytest.mark.parametrize("kwargs, field, message", [
    ({"dates": []}, "dates", "Give at least one date."),
    ({"dates": [(at("2030-01-15", 16), at("2030-01-15", 14))]}, "dates",
     "Tuesday 15 January 2030: the end must come after the start."),
    ({"dates": [(at("2030-01-15", 16), at("2030-01-15", 16))]}, "dates",
     "Tuesday 15 January 2030: the end must come after the start."),
    ({"dates": [(at("2030-01-15", 20), at("2030-01-16", 9))]}, "dates",
     "Tuesday 15 January 2030: a date ends on the same day or lasts at most 12 hours."),
    ({"dates": [(at("2030-01-15", 14), at("2030-01-15", 16)), (at("2030-01-15", 15), at("2030-01-15", 17))]},
     "dates", "Two dates of the session overlap: on Tuesday 15 January 2030 from 2 p.m. to 4 p.m. "
              "and on Tuesday 15 January 2030 from 3 p.m. to 5 p.m.."),
    ({"venue": None}, "venue", "Choose a venue of the directory, or give an online meeting link."),
    ({"venue": None, "online_url": "ftp://exemple.test/x"}, "online_url",
     "Give a web address starting with https:// (or http://)."),
    ({"online_url": "pas une adresse"}, "online_url", "Give a web address starting with https:// (or http://)."),
    ({"capacity": 0}, "capacity", "The number of places is between 1 and 1,000."),
    ({"capacity": 1001}, "capacity", "The number of places is between 1 and 1,000."),
    ({"capacity": None}, "capacity", "The number of places is between 1 and 1,000."),
    ({"registration_deadline": at("2030-01-15", 15)}, "registration_deadline",
     "Registrations must close before the first date."),
    ({"registration_deadline": NOW - timedelta(hours=1)}, "registration_deadline",
     "The registration deadline cannot be in the past."),
])
def test_create_invalid(world, kwargs, field, message):
    with refused(ValidationError, message, field):
        create(world, **kwargs)


def test_create_in_the_past_refused(world):
    with refused(ValidationError, "Tuesday 14 January 2020 is in the past: a session cannot be scheduled in the past.",
                 "dates"):
        create(world, dates=[(at("2020-01-14", 14), at("2020-01-14", 16))])


def test_create_a_pending_animator_refused(world):
    pending = PendingUserFactory(display_name="Pierre Pendant")
    with refused(ValidationError, "Pierre Pendant is not an approved member of the network: choose another animator.",
                 "animators"):
        create(world, animators=[pending])


def test_create_several_errors_at_once(world):
    with nothing_saved(), pytest.raises(ValidationError) as excinfo:
        create(world, dates=[], venue=None, capacity=0)
    assert sorted(excinfo.value.message_dict) == ["capacity", "dates", "venue"]


def test_create_accepts_a_deadline_before_the_start(world):
    session = create(world, registration_deadline=at("2030-01-14", 18))
    assert session.closes_at == at("2030-01-14", 18)


def test_create_capacity_bounds(world):
    assert create(world, capacity=1, animators=[]).capacity == 1
    assert create(world, capacity=1000, dates=[(at("2030-02-15", 14), at("2030-02-15", 16))],
                  animators=[]).capacity == 1000


def test_create_a_long_day_on_the_same_day(world):
    session = create(world, dates=[(at("2030-01-15", 8), at("2030-01-15", 22))])
    assert session.end - session.start == timedelta(hours=14)


def test_create_overnight_within_twelve_hours(world):
    session = create(world, dates=[(at("2030-01-15", 20), at("2030-01-16", 2))])
    assert session.end == at("2030-01-16", 2)


# --- Conflicts --------------------------------------------------------------------------------


def test_conflict_animator_twice(world):
    other = SessionFactory(workshop=WorkshopFactory(title="Smartphone"), venue=None,
                           dates=[(at("2030-01-15", 15), at("2030-01-15", 17))], animators=[world["lucie"]])
    with refused(ValidationError, "Lucie Martin already leads “Smartphone” on Tuesday 15 January 2030 "
                                  "from 3 p.m. to 5 p.m..") as excinfo:
        create(world)
    assert excinfo.value.code == "conflict"
    assert [item.session for item in excinfo.value.conflicts] == [other]


def test_conflict_venue_twice_names_the_cycle(world):
    SessionFactory(workshop=WorkshopFactory(title="Smartphone"), venue=world["venue"], title="Smartphone, cycle",
                   dates=[(at("2030-01-15", 13), at("2030-01-15", 15))])
    with refused(ValidationError, "The venue Médiathèque already hosts “Smartphone, cycle” "
                                  "on Tuesday 15 January 2030 from 1 p.m. to 3 p.m.."):
        create(world, animators=[])


def test_conflict_both_confirmed(world):
    SessionFactory(workshop=WorkshopFactory(title="Smartphone"), venue=world["venue"],
                   dates=[(at("2030-01-15", 13), at("2030-01-15", 15))], animators=[world["lucie"]])
    with pytest.raises(ValidationError) as excinfo:
        create(world)
    assert excinfo.value.messages == [
        "The venue Médiathèque already hosts “Smartphone” on Tuesday 15 January 2030 from 1 p.m. to 3 p.m..",
        "Lucie Martin already leads “Smartphone” on Tuesday 15 January 2030 from 1 p.m. to 3 p.m..",
    ]
    session = create(world, confirm_conflicts=True)
    assert session.pk is not None


def test_conflict_a_cancelled_session_never_conflicts(world):
    SessionFactory(venue=world["venue"], status="cancelled", animators=[world["lucie"]],
                   dates=[(at("2030-01-15", 13), at("2030-01-15", 15))])
    assert create(world).pk is not None


def test_conflict_touching_times_do_not_conflict(world):
    SessionFactory(venue=world["venue"], animators=[world["lucie"]],
                   dates=[(at("2030-01-15", 16), at("2030-01-15", 18))])
    SessionFactory(venue=world["venue"], animators=[world["lucie"]],
                   dates=[(at("2030-01-15", 12), at("2030-01-15", 14))])
    assert create(world).pk is not None


def test_conflict_one_date_of_a_cycle(world):
    cycle = SessionFactory(venue=world["venue"], dates=[(at("2030-01-08", 14), at("2030-01-08", 16)),
                                                        (at("2030-01-15", 15), at("2030-01-15", 16))])
    found = sessions.conflicts(dates=[(at("2030-01-15", 14), at("2030-01-15", 16))], venue=world["venue"],
                               animators=[])
    assert [(item.session, item.date.start) for item in found] == [(cycle, at("2030-01-15", 15))]


def test_conflict_other_venue_other_animator_none(world):
    SessionFactory(venue=VenueFactory(territory=world["lot"]), animators=[world["member"]],
                   dates=[(at("2030-01-15", 14), at("2030-01-15", 16))])
    assert sessions.conflicts(dates=[(at("2030-01-15", 14), at("2030-01-15", 16))], venue=world["venue"],
                              animators=[world["lucie"]]) == []


def test_conflicts_fixed_number_of_queries(world):
    def grow(count):
        for index in range(count):
            SessionFactory(venue=world["venue"], animators=[world["lucie"], UserFactory()],
                           dates=[(at("2030-01-15", 14, index % 60), at("2030-01-15", 16))])

    grow(1)
    dates = [(at("2030-01-15", 14), at("2030-01-15", 16))]
    with CaptureQueriesContext(connection) as small:
        assert len(sessions.conflicts(dates=dates, venue=world["venue"], animators=[world["lucie"]])) == 2
    grow(9)
    with CaptureQueriesContext(connection) as large:
        assert len(sessions.conflicts(dates=dates, venue=world["venue"], animators=[world["lucie"]])) == 20
    assert len(small.captured_queries) == len(large.captured_queries) == 2


# --- session_update ---------------------------------------------------------------------------


@pytest.fixture
def scheduled(world):
    return SessionFactory(workshop=world["workshop"], venue=world["venue"], capacity=10, animators=[world["lucie"]],
                          dates=[(at("2030-01-15", 14), at("2030-01-15", 16))])


def update(world, session, actor=None, **kwargs):
    return sessions.session_update(actor=actor or world["coordinator"], session=session, **kwargs)


@pytest.mark.parametrize("who", ["coordinator", "local_admin"])
def test_update_allowed(world, scheduled, who):
    update(world, scheduled, actor=world[who], title="Tablette (suite)", location="Salle 2")
    scheduled.refresh_from_db()
    assert (scheduled.title, scheduled.location) == ("Tablette (suite)", "Salle 2")


@pytest.mark.parametrize("who", ["other_admin", "proposer", "member", "lucie"])
def test_update_denied(world, scheduled, who):
    with refused(PermissionDenied, "Only the coordination and the local admins of its territory change a session."):
        update(world, scheduled, actor=world[who], capacity=12)


def test_update_a_cancelled_session_refused(world, scheduled):
    Session.objects.filter(pk=scheduled.pk).update(status="cancelled")
    scheduled.refresh_from_db()
    with refused(ValidationError, "This session is cancelled."):
        update(world, scheduled, capacity=12)


def test_update_capacity_lowering_below_the_registered_refused(world, scheduled):
    RegistrationFactory.create_batch(4, session=scheduled)
    RegistrationFactory(session=scheduled, status="offered")
    RegistrationFactory(session=scheduled, status="waiting")
    with refused(ValidationError, "5 people are already registered: the capacity cannot go below 5.", "capacity"):
        update(world, scheduled, capacity=4)
    assert update(world, scheduled, capacity=5).capacity == 5


def test_update_capacity_raising_offers_the_places(world, scheduled):
    from workshops import booking

    with mock.patch.object(booking, "places_changed", create=True, return_value=2) as places_changed:
        update(world, scheduled, capacity=12)
    places_changed.assert_called_once()
    assert places_changed.call_args.kwargs["session"].pk == scheduled.pk
    with mock.patch.object(booking, "places_changed", create=True, return_value=0) as places_changed:
        update(world, scheduled, capacity=11)
    places_changed.assert_not_called()


def test_update_invalid(world, scheduled):
    with refused(ValidationError, "The number of places is between 1 and 1,000.", "capacity"):
        update(world, scheduled, capacity=0)
    with refused(ValidationError, "Give at least one date.", "dates"):
        update(world, scheduled, dates=[])
    with refused(ValidationError, "Choose a venue of the directory, or give an online meeting link.", "venue"):
        update(world, scheduled, venue=None)


def test_update_the_session_itself_never_conflicts(world, scheduled):
    changed = update(world, scheduled, dates=[(at("2030-01-15", 15), at("2030-01-15", 17))])
    assert (changed.start, changed.end) == (at("2030-01-15", 15), at("2030-01-15", 17))
    assert list(scheduled.dates.values_list("start", "end")) == [(at("2030-01-15", 15), at("2030-01-15", 17))]


def test_update_conflict_with_another_session(world, scheduled):
    SessionFactory(workshop=WorkshopFactory(title="Smartphone"), venue=None, animators=[world["lucie"]],
                   dates=[(at("2030-01-22", 14), at("2030-01-22", 16))])
    with refused(ValidationError, "Lucie Martin already leads “Smartphone” on Tuesday 22 January 2030 "
                                  "from 2 p.m. to 4 p.m.."):
        update(world, scheduled, dates=[(at("2030-01-22", 14), at("2030-01-22", 16))])
    update(world, scheduled, dates=[(at("2030-01-22", 14), at("2030-01-22", 16))], confirm_conflicts=True)


def test_update_a_cycle_keeps_the_unchanged_dates(world):
    cycle = SessionFactory(workshop=world["workshop"], venue=world["venue"],
                           dates=[(at("2030-01-08", 14), at("2030-01-08", 16)),
                                  (at("2030-01-15", 14), at("2030-01-15", 16)),
                                  (at("2030-01-22", 14), at("2030-01-22", 16))])
    first, second, third = cycle.dates.order_by("start")
    update(world, cycle, dates=[(at("2030-01-08", 14), at("2030-01-08", 16)),
                                (at("2030-01-29", 14), at("2030-01-29", 16))])
    rows = list(cycle.dates.order_by("start").values_list("pk", "start"))
    assert rows[0] == (first.pk, at("2030-01-08", 14))
    assert rows[1][1] == at("2030-01-29", 14)
    assert len(rows) == 2
    cycle.refresh_from_db()
    assert (cycle.start, cycle.end) == (at("2030-01-08", 14), at("2030-01-29", 16))


def test_update_dates_tell_members_and_visitors(world, scheduled, django_capture_on_commit_callbacks):
    member = RegistrationFactory(session=scheduled, user=world["member"])
    visitor = RegistrationFactory(session=scheduled, user=None, kind="visitor", name="Vera Visiteuse",
                                  email="vera@exemple.test")
    RegistrationFactory(session=scheduled, user=UserFactory(), status="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        update(world, scheduled, dates=[(at("2030-01-16", 14), at("2030-01-16", 16))])
    assert assertions.notifications() == [(member.user_id, "workshops.session_changed")]
    mails = [message for message in mail.outbox if message.to == ["vera@exemple.test"]]
    assert len(mails) == 1
    assert visitor.get_token_url() in mails[0].body
    assert "mercredi 16 janvier 2030" in mails[0].body  # the e-mails are in French


def test_update_capacity_only_tells_nobody(world, scheduled):
    RegistrationFactory(session=scheduled, user=world["member"])
    update(world, scheduled, capacity=9)
    assert assertions.notifications() == []


def test_update_new_animator_told(world, scheduled):
    update(world, scheduled, animators=[world["lucie"], world["member"]])
    assert assertions.notifications() == [(world["member"].pk, "workshops.animator_assigned")]
    assert set(scheduled.animators.all()) == {world["lucie"], world["member"]}


# --- session_cancel ---------------------------------------------------------------------------


def cancel(world, session, actor=None, reason="L'animatrice est malade."):
    return sessions.session_cancel(actor=actor or world["coordinator"], session=session, reason=reason)


@pytest.mark.parametrize("who", ["coordinator", "local_admin"])
def test_cancel_allowed(world, scheduled, who):
    cancel(world, scheduled, actor=world[who])
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.cancel_reason) == ("cancelled", "L'animatrice est malade.")


@pytest.mark.parametrize("who", ["other_admin", "proposer", "member", "lucie"])
def test_cancel_denied(world, scheduled, who):
    with refused(PermissionDenied, "Only the coordination and the local admins of its territory change a session."):
        cancel(world, scheduled, actor=world[who])


def test_cancel_invalid(world, scheduled):
    with refused(ValidationError, "Give the reason: it is sent to the people registered.", "reason"):
        cancel(world, scheduled, reason="  ")
    cancel(world, scheduled)
    scheduled.refresh_from_db()
    with refused(ValidationError, "This session is cancelled."):
        cancel(world, scheduled)


def test_cancel_tells_members_and_visitors(world, django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(title="Démarches en ligne", audience="public", territory=world["lot"])
    session = SessionFactory(workshop=workshop, venue=world["venue"],
                             dates=[(at("2030-01-15", 14), at("2030-01-15", 16))])
    member = RegistrationFactory(session=session, user=world["member"])
    waiting = RegistrationFactory(session=session, user=world["lucie"], status="waiting")
    visitor = RegistrationFactory(session=session, user=None, kind="visitor", name="Vera Visiteuse",
                                  email="vera@exemple.test", status="confirmed")
    on_site = RegistrationFactory(session=session, user=None, kind="on_site", name="Odile", phone="0600000000")
    gone = RegistrationFactory(session=session, user=UserFactory(), status="cancelled")
    SessionFactory(workshop=workshop, venue=world["venue"], dates=[(at("2030-01-22", 14), at("2030-01-22", 16))])
    with django_capture_on_commit_callbacks(execute=True):
        cancel(world, session)
    assert assertions.notifications() == sorted([(world["member"].pk, "workshops.session_cancelled"),
                                                 (world["lucie"].pk, "workshops.session_cancelled")])
    for row in (member, waiting, visitor, on_site):
        row.refresh_from_db()
        assert row.status == "cancelled"
        assert row.cancelled_at is not None
    gone.refresh_from_db()
    assert gone.cancelled_at is None
    mails = [message for message in mail.outbox if message.to == ["vera@exemple.test"]]
    assert len(mails) == 1
    body = mails[0].body
    assert visitor.get_token_url() in body
    assert "L'animatrice est malade." in body
    assert workshop.get_public_url() in body
    assert "mardi 15 janvier 2030" in body


def test_cancel_a_staff_workshop_mail_has_no_public_link(world, django_capture_on_commit_callbacks):
    session = SessionFactory(workshop=world["workshop"], venue=world["venue"])
    RegistrationFactory(session=session, user=None, kind="visitor", name="Vera", email="vera@exemple.test")
    with django_capture_on_commit_callbacks(execute=True):
        cancel(world, session)
    assert world["workshop"].get_public_url() not in mail.outbox[0].body


def test_cancel_a_public_workshop_being_cancelled_mail_has_no_link(world, django_capture_on_commit_callbacks):
    workshop = WorkshopFactory(audience="public", territory=world["lot"])
    first, second = (SessionFactory(workshop=workshop, venue=world["venue"],
                                    dates=[(start, start + timedelta(hours=2))])
                     for start in (at("2030-01-15", 14), at("2030-01-22", 14)))
    RegistrationFactory(session=first, user=None, kind="visitor", name="Vera", email="vera@exemple.test")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # As workshops.services.workshop_cancel does: each session, then the workshop.
        cancel(world, first)
        cancel(world, second)
        Workshop.objects.filter(pk=workshop.pk).update(status="cancelled")
    assert len(mail.outbox) == 1
    assert workshop.get_public_url() not in mail.outbox[0].body


def test_cancel_works_for_a_workshop_being_cancelled(world, scheduled):
    Workshop.objects.filter(pk=world["workshop"].pk).update(status="cancelled")
    scheduled.refresh_from_db()
    cancel(world, scheduled, actor=world["local_admin"])
    scheduled.refresh_from_db()
    assert scheduled.status == "cancelled"


def test_update_a_started_cycle_keeps_its_past_date(world):
    past = at("2020-01-07", 14)
    cycle = SessionFactory(workshop=world["workshop"], venue=world["venue"],
                           dates=[(past, past + timedelta(hours=2)), (at("2030-01-15", 14), at("2030-01-15", 16))])
    update(world, cycle, dates=[(past, past + timedelta(hours=2)), (at("2030-01-15", 15), at("2030-01-15", 17))],
           capacity=12)
    assert list(cycle.dates.values_list("start", flat=True)) == [past, at("2030-01-15", 15)]
    earlier = at("2020-01-06", 14)
    with refused(ValidationError, "Monday 6 January 2020 is in the past: a session cannot be scheduled in the past.",
                 "dates"):
        update(world, cycle, dates=[(earlier, earlier + timedelta(hours=2)),
                                    (at("2030-01-15", 15), at("2030-01-15", 17))])


def test_update_moving_the_start_resets_the_reminders(world, scheduled):
    """A session moved after its 48 h reminder went out gets one before its new date."""
    reminded = RegistrationFactory(session=scheduled, reminder_sent_at=timezone.now())
    update(world, scheduled, dates=[(at("2030-01-16", 14), at("2030-01-16", 16))])
    reminded.refresh_from_db()
    assert reminded.reminder_sent_at is None


def test_update_without_moving_the_start_keeps_the_reminders(world, scheduled):
    sent = timezone.now()
    reminded = RegistrationFactory(session=scheduled, reminder_sent_at=sent)
    update(world, scheduled, capacity=scheduled.capacity + 1)
    reminded.refresh_from_db()
    assert reminded.reminder_sent_at == sent
