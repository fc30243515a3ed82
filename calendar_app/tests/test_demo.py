"""`seed_demo` also fills the calendar, relative to today, idempotently."""

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from calendar_app import demo as calendar_demo
from calendar_app import selectors
from calendar_app.models import Attendee, Calendar, Event

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def seed_demo():
    call_command("seed_demo", stdout=io.StringIO())


def counts():
    return (Event.objects.count(), Event.objects.filter(series__isnull=False).count(), Attendee.objects.count(),
            Calendar.objects.filter(owner__isnull=False).count())


def paris(event):
    return event.start.astimezone(PARIS), event.end.astimezone(PARIS)


def test_seeding_twice_creates_every_row_once():
    seed_demo()
    first = counts()
    # 8 masters and single events, 2 exceptions; 5 answers; the animateur's own calendar.
    assert first == (10, 2, 5, 1)
    assert sorted(Event.objects.filter(series__isnull=True).values_list("uid", flat=True)) == [
        "demo-fete-de-l-internet@maillage", "demo-formation-demarches@maillage",
        "demo-permanence-visio@maillage", "demo-preparer-atelier-tablettes@maillage",
        "demo-rendez-vous-mairie@maillage", "demo-reunion-du-reseau@maillage",
        "demo-reunion-groupe-demarches@maillage", "demo-webinaire-identite-numerique@maillage",
    ]
    seed_demo()
    assert counts() == first
    assert calendar_demo.seed(log=lambda message: None) == 0


def test_the_demo_events_are_where_and_when_they_should_be():
    seed_demo()
    # Placed again from a known day, Thursday 3 December 2026.
    Event.objects.filter(uid__startswith="demo-").delete()
    assert calendar_demo.seed(log=lambda message: None, today=date(2026, 12, 3)) == 10

    meeting = Event.objects.get(uid="demo-reunion-du-reseau@maillage", series__isnull=True)
    assert meeting.calendar.space.kind == "network"
    assert meeting.rrule == "FREQ=MONTHLY;BYDAY=2TU"
    assert meeting.category.name == "Réunion"
    assert paris(meeting) == (datetime(2026, 9, 8, 14, tzinfo=PARIS), datetime(2026, 9, 8, 16, 30, tzinfo=PARIS))
    assert meeting.last_end is None
    moved, cancelled = meeting.overrides.order_by("recurrence_id")
    assert moved.recurrence_id == datetime(2026, 12, 8, 14, tzinfo=PARIS)
    assert paris(moved) == (datetime(2026, 12, 10, 14, tzinfo=PARIS), datetime(2026, 12, 10, 16, 30, tzinfo=PARIS))
    assert moved.status == "confirmed"
    assert cancelled.recurrence_id == datetime(2027, 1, 12, 14, tzinfo=PARIS)
    assert cancelled.status == "cancelled"
    # Expanded: December shows the meeting on Thursday the 10th, January's is cancelled.
    items = selectors.expand([meeting], datetime(2026, 12, 1, tzinfo=PARIS), datetime(2027, 2, 1, tzinfo=PARIS))
    assert [(item.start, item.cancelled) for item in items] == [
        (datetime(2026, 12, 10, 14, tzinfo=PARIS), False), (datetime(2027, 1, 12, 14, tzinfo=PARIS), True)]

    party = Event.objects.get(uid="demo-fete-de-l-internet@maillage")
    assert (party.visibility, party.venue.name) == ("public", "Médiathèque municipale de Saint-Aurèle")
    assert paris(party)[0] == datetime(2026, 12, 19, 10, tzinfo=PARIS)
    assert [item.title for item in selectors.public_events(
        start=datetime(2026, 12, 19, tzinfo=PARIS), end=datetime(2026, 12, 20, tzinfo=PARIS))] == [
        "Fête de l’Internet"]

    desk = Event.objects.get(uid="demo-permanence-visio@maillage")
    assert desk.calendar.space.territory.slug == "pays-des-causses"
    assert (desk.rrule, desk.category.name) == ("FREQ=WEEKLY;BYDAY=WE", "Permanence")
    assert paris(desk)[0] == datetime(2026, 11, 11, 10, tzinfo=PARIS)
    assert desk.online_url.startswith("https://")

    group_meeting = Event.objects.get(uid="demo-reunion-groupe-demarches@maillage")
    assert group_meeting.calendar.space.workgroup.name == "Accompagnement aux démarches en ligne"

    training = Event.objects.get(uid="demo-formation-demarches@maillage")
    assert (training.all_day, training.capacity, training.category.name) == (True, 12, "Formation")
    assert paris(training) == (datetime(2026, 12, 28, tzinfo=PARIS), datetime(2026, 12, 30, tzinfo=PARIS))
    answers = sorted(training.attendees.values_list("user__email", "response"))
    assert answers == [
        ("amelie.faure@maillage.test", "yes"), ("animateur@maillage.test", "yes"),
        ("animatrice@maillage.test", "maybe"), ("jeanne.roux@maillage.test", "yes"),
        ("thomas.vidal@maillage.test", "no"),
    ]

    online = Event.objects.get(uid="demo-webinaire-identite-numerique@maillage")
    assert online.online_url == "https://visio.exemple.fr/identite-numerique"

    personal = Event.objects.filter(calendar__owner__email="animateur@maillage.test")
    assert sorted(personal.values_list("title", flat=True)) == ["Préparer l’atelier tablettes",
                                                                 "Rendez-vous à la mairie"]
    # Every demo event is in the future or recurring: the demo looks alive.
    assert all(event.rrule or event.start > datetime(2026, 12, 3, tzinfo=PARIS) + timedelta(hours=24)
               for event in Event.objects.filter(series__isnull=True))
