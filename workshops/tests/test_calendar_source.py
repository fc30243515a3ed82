"""The calendar source of workshop sessions: which dates a member has on their agenda, how
they read (titles, labels, times in the session's zone, places), in the agenda and the
private feed, in one query; and its version."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from calendar_app import feeds, registry, selectors
from extranet.testing.factories import (
    PendingUserFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from workshops import agenda
from workshops.models import Registration

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
REUNION = ZoneInfo("Indian/Reunion")
# A window in March 2031 (no factory-made session falls in it).
START = datetime(2031, 3, 1, tzinfo=PARIS)
END = datetime(2031, 4, 1, tzinfo=PARIS)


def at(day, hour, minute=0, tz=PARIS):
    return datetime(2031, 3, day, hour, minute, tzinfo=tz)


def read(user, start=START, end=END):
    with translation.override("en"):
        return agenda.items(user, start, end)


def summary(item):
    return (item.title, item.calendar_label, item.start, item.end, item.cancelled)


@pytest.fixture
def venue(db):
    return VenueFactory(name="Médiathèque du Lot", city="Cahors")


def public_session(venue, **fields):
    workshop = WorkshopFactory(title="Premiers pas sur tablette", audience="public", status="scheduled",
                               summary="Allumer, toucher, installer une application.")
    return SessionFactory(workshop=workshop, venue=venue, start=at(10, 14), end=at(10, 16), **fields)


def test_a_registered_member_sees_the_session(venue):
    member = UserFactory()
    session = public_session(venue)
    RegistrationFactory(session=session, user=member)
    [item] = read(member)
    assert summary(item) == ("Premiers pas sur tablette", "Workshop · registered", at(10, 14), at(10, 16), False)
    assert item.start.tzinfo.key == "Europe/Paris"
    date = session.dates.get()
    assert item.url == f"/bureau/ateliers/sessions/{session.pk}/"
    assert item.location == "Médiathèque du Lot, Cahors"
    assert item.uid == f"workshop-session-{session.pk}-{date.pk}"
    assert item.key == f"workshops-date-{date.pk}"
    assert (item.source, item.color) == ("workshops", "green")
    assert item.description == "Allumer, toucher, installer une application."


def test_an_offered_place_is_on_the_agenda_a_waiting_one_is_not(venue):
    offered, waiting = UserFactory(), UserFactory()
    session = public_session(venue)
    RegistrationFactory(session=session, user=offered, status="offered",
                        offer_expires_at=timezone.now() + timedelta(hours=24))
    RegistrationFactory(session=session, user=waiting, status="waiting", waiting_since=timezone.now())
    assert [item.calendar_label for item in read(offered)] == ["Workshop · registered"]
    assert read(waiting) == []


def test_a_registration_the_member_cancelled_gives_nothing(venue):
    member = UserFactory()
    session = public_session(venue)
    RegistrationFactory(session=session, user=member, status="cancelled", cancelled_at=timezone.now())
    assert read(member) == []


def test_a_visitor_registration_is_nobodys_agenda(venue):
    member = UserFactory()
    RegistrationFactory(session=public_session(venue), user=None, kind="visitor", name="Anne", email="a@b.test")
    assert read(member) == []


def test_a_cancelled_session_stays_marked_cancelled_for_those_in_it(venue):
    kept, cancelled_with_it, left_before = UserFactory(), UserFactory(), UserFactory()
    session = public_session(venue, status="cancelled", cancel_reason="Salle indisponible")
    now = timezone.now()
    session.updated_at = now
    session.save()
    RegistrationFactory(session=session, user=kept)  # the service left it as it was
    RegistrationFactory(session=session, user=cancelled_with_it, status="cancelled", cancelled_at=now)
    RegistrationFactory(session=session, user=left_before, status="cancelled", cancelled_at=now - timedelta(days=3))
    for member in (kept, cancelled_with_it):
        assert [summary(item) for item in read(member)] == [
            ("Premiers pas sur tablette", "Workshop · registered", at(10, 14), at(10, 16), True)]
    assert read(left_before) == []


def test_an_animator_sees_the_sessions_they_lead(venue):
    animator = UserFactory()
    session = public_session(venue, animators=[animator])
    [item] = read(animator)
    assert summary(item) == ("Premiers pas sur tablette", "Workshop · you lead it", at(10, 14), at(10, 16), False)
    assert item.color == "purple"
    # Leading it counts first, even when also registered.
    RegistrationFactory(session=session, user=animator)
    assert [item.calendar_label for item in read(animator)] == ["Workshop · you lead it"]


def test_a_cancelled_session_stays_marked_cancelled_for_its_animators(venue):
    animator = UserFactory()
    public_session(venue, animators=[animator], status="cancelled")
    assert [summary(item) for item in read(animator)] == [
        ("Premiers pas sur tablette", "Workshop · you lead it", at(10, 14), at(10, 16), True)]


def test_every_member_sees_the_network_workshops_but_not_the_cancelled_ones():
    member = UserFactory()
    workshop = WorkshopFactory(title="Animer un atelier CV", audience="staff", status="scheduled")
    SessionFactory(workshop=workshop, title="", start=at(12, 9, 30), end=at(12, 12), online_url="https://visio.test/cv")
    SessionFactory(workshop=workshop, start=at(13, 9), end=at(13, 12), status="cancelled")
    proposed = WorkshopFactory(title="Une proposition", audience="staff", status="proposed")
    SessionFactory(workshop=proposed, start=at(14, 9), end=at(14, 12))
    items = read(member)
    assert [summary(item) for item in items] == [
        ("Animer un atelier CV", "Network workshop", at(12, 9, 30), at(12, 12), False)]
    assert (items[0].location, items[0].color) == ("Online", "teal")


def test_a_pending_member_sees_nothing():
    pending = PendingUserFactory()
    SessionFactory(workshop=WorkshopFactory(audience="staff"), start=at(12, 9), end=at(12, 12))
    assert read(pending) == []


def test_a_cycle_gives_one_item_per_date_in_the_window(venue):
    member = UserFactory()
    workshop = WorkshopFactory(title="Tablette pour les seniors", audience="public", status="scheduled")
    session = SessionFactory(workshop=workshop, venue=venue, title="Tablette, 3 séances",
                             dates=[(at(3, 10), at(3, 12)), (at(10, 10), at(10, 12)), (at(17, 10), at(17, 12))])
    RegistrationFactory(session=session, user=member)
    assert [summary(item) for item in read(member)] == [
        ("Tablette, 3 séances (session 1 of 3)", "Workshop · registered", at(3, 10), at(3, 12), False),
        ("Tablette, 3 séances (session 2 of 3)", "Workshop · registered", at(10, 10), at(10, 12), False),
        ("Tablette, 3 séances (session 3 of 3)", "Workshop · registered", at(17, 10), at(17, 12), False),
    ]
    # A window holding the last two dates only (the numbers still count from the first).
    assert [item.title for item in read(member, at(5, 0), at(20, 0))] == [
        "Tablette, 3 séances (session 2 of 3)", "Tablette, 3 séances (session 3 of 3)"]
    assert len({item.uid for item in read(member)}) == 3


def test_a_session_outside_the_window_gives_nothing(venue):
    member = UserFactory()
    RegistrationFactory(session=public_session(venue), user=member)
    assert read(member, at(11, 0), at(20, 0)) == []
    assert read(member, at(1, 0), at(10, 14)) == []  # ends where the session starts
    assert len(read(member, at(10, 15), at(10, 15, 30))) == 1  # under way


def test_times_are_in_the_sessions_zone():
    member = UserFactory()
    workshop = WorkshopFactory(title="Démarches CAF", audience="public", status="scheduled")
    session = SessionFactory(workshop=workshop, tz="Indian/Reunion", location="Salle 2",
                             start=at(10, 9, tz=REUNION), end=at(10, 11, tz=REUNION))
    RegistrationFactory(session=session, user=member)
    [item] = read(member)
    assert item.start.tzinfo.key == "Indian/Reunion"
    assert (item.start.hour, item.end.hour) == (9, 11)
    assert item.location == "Salle 2"


def _many(member, venue, count):
    for i in range(count):
        cycle = SessionFactory(workshop=WorkshopFactory(audience="public", status="scheduled"), venue=venue,
                               dates=[(at(2 + i, 9), at(2 + i, 10)), (at(3 + i, 9), at(3 + i, 10))],
                               animators=[UserFactory()])
        RegistrationFactory(session=cycle, user=member)
        SessionFactory(workshop=WorkshopFactory(audience="staff"), start=at(4 + i, 14), end=at(4 + i, 15),
                       animators=[member])


def test_items_cost_one_query_whatever_the_data(venue):
    member = UserFactory()
    _many(member, venue, 1)
    with CaptureQueriesContext(connection) as small:
        assert len(read(member)) == 3
    _many(member, venue, 10)
    with CaptureQueriesContext(connection) as large:
        assert len(read(member)) == 3 + 30
    assert len(small) == len(large) == 1


def test_the_items_are_in_the_agenda_and_the_private_feed(client, venue):
    member = UserFactory()
    RegistrationFactory(session=public_session(venue), user=member)
    assert "workshops" in registry.SOURCES
    found = [item for item in selectors.agenda_items(member, START, END) if item.source == "workshops"]
    assert [item.title for item in found] == ["Premiers pas sur tablette"]

    token = feeds.feed_token_get_or_create(actor=member)
    # The feed's window is around today: a session next week.
    soon = SessionFactory(workshop=WorkshopFactory(title="Atelier de la semaine", audience="public",
                                                   status="scheduled"), venue=venue)
    RegistrationFactory(session=soon, user=member)
    response = client.get(reverse("agenda:private-feed", args=[token.token]))
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    [event] = [event for event in events if str(event["SUMMARY"]) == "Atelier de la semaine"]
    assert str(event["UID"]) == f"workshop-session-{soon.pk}-{soon.dates.get().pk}"
    assert str(event["LOCATION"]) == "Médiathèque du Lot, Cahors"
    assert str(event["URL"]).endswith(f"/bureau/ateliers/sessions/{soon.pk}/")


# --- version ----------------------------------------------------------------------------------


def test_version_changes_with_a_registration_added_or_cancelled_and_not_otherwise(venue):
    member, other = UserFactory(), UserFactory()
    session = public_session(venue)
    first = agenda.version(member)
    assert first == agenda.version(member)
    assert len(first) == 16
    RegistrationFactory(session=session, user=other)  # someone else's
    assert agenda.version(member) == first
    registration = RegistrationFactory(session=session, user=member)
    registered = agenda.version(member)
    assert registered != first
    assert agenda.version(member) == registered
    Registration.objects.filter(pk=registration.pk).update(status="cancelled", cancelled_at=timezone.now())
    cancelled = agenda.version(member)
    assert cancelled not in (first, registered)


def test_version_changes_when_a_session_changes_or_a_network_session_appears(venue):
    member = UserFactory()
    session = public_session(venue, animators=[member])
    first = agenda.version(member)
    session.updated_at = timezone.now() + timedelta(seconds=1)
    session.save()
    moved = agenda.version(member)
    assert moved != first
    SessionFactory(workshop=WorkshopFactory(audience="staff"))
    assert agenda.version(member) != moved


def test_version_is_one_query(venue):
    member = UserFactory()
    _many(member, venue, 3)
    with CaptureQueriesContext(connection) as queries:
        agenda.version(member)
    assert len(queries) == 1
