"""`seed_demo` also makes the demo workshops, relative to today, idempotently; the
coordination's login sees them."""

import io
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from extranet.testing.shared import building, shared_transaction
from members.models import User
from workshops import agenda, demo, widgets
from workshops.models import (
    Answer,
    Attendance,
    Demand,
    DemandVote,
    EvaluationResponse,
    Registration,
    Session,
    SessionDate,
    Workshop,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The whole demo, seeded once for the module (seconds): each test runs in a savepoint."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            call_command("seed_demo", stdout=io.StringIO())
        yield


def counts():
    return tuple(model.objects.count() for model in (
        Workshop, Session, SessionDate, Registration, Attendance, EvaluationResponse, Answer, Demand, DemandVote))


def test_seeding_twice_creates_every_row_once(seeded):
    first = counts()
    # 7 workshops; 7 sessions (2 + 2 + 1 + 1 + 1), 12 dates (the cycle has 6); 8 + 9 + 6 + 6 + 3
    # registrations; 6 marks; 3 responses with 6 + 6 + 5 answers; 3 requests, 3 + 4 + 2 voices.
    assert first == (7, 7, 12, 32, 6, 3, 17, 3, 9)
    assert demo.seed(log=lambda message: None) == 0
    assert counts() == first


def test_every_state_is_there(seeded):
    Workshop.objects.all().delete()
    assert demo.seed(log=lambda message: None, today=date(2026, 12, 3)) == 7
    assert dict(Workshop.objects.values_list("title", "status")) == {
        "Accompagner les démarches ANTS": "proposed",
        "Réparer et réemployer les ordinateurs": "accepted",
        "Animer un atelier de montage vidéo": "scheduled",
        "Créer et utiliser son adresse e-mail": "scheduled",
        "La tablette pour les seniors": "scheduled",
        "Sécuriser ses comptes en ligne": "held",
        "Initiation à l’impression 3D": "cancelled",
    }
    cycle = Session.objects.get(title="Tablette, 6 séances")
    assert cycle.workshop.audience == "public"
    assert [d.start.astimezone(PARIS) for d in cycle.dates.all()] == [
        datetime(2026, 12, 8, 14, tzinfo=PARIS), datetime(2026, 12, 15, 14, tzinfo=PARIS),
        datetime(2026, 12, 22, 14, tzinfo=PARIS), datetime(2026, 12, 29, 14, tzinfo=PARIS),
        datetime(2027, 1, 5, 14, tzinfo=PARIS), datetime(2027, 1, 12, 14, tzinfo=PARIS)]
    full = Session.objects.get(workshop__title="Créer et utiliser son adresse e-mail", capacity=4)
    assert sorted(full.registrations.values_list("status", flat=True)) == [
        "cancelled", "confirmed", "confirmed", "confirmed", "offered", "waiting", "waiting"]
    assert full.venue.name == "Médiathèque municipale de Saint-Aurèle"
    held = Session.objects.get(workshop__title="Sécuriser ses comptes en ligne")
    assert sorted(Attendance.objects.filter(date__session=held).values_list("status", flat=True)) == [
        "excused", "no_show", "present", "present", "present", "present"]
    assert held.evaluations.count() == 3
    assert Session.objects.get(workshop__title="Initiation à l’impression 3D").status == "cancelled"
    assert dict(Demand.objects.values_list("title", "votes")) == {
        "Réemploi et reconditionnement des ordinateurs": 3,
        "Utiliser France Identité et l’identité numérique": 4,
        "Programmer avec Scratch pour les enfants": 2,
    }


def test_the_coordination_sees_it_in_the_agenda_and_the_widget(seeded):
    coordination = User.objects.get(email="coordination@maillage.test")
    today = datetime.now(PARIS).replace(hour=0, minute=0, second=0, microsecond=0)
    with translation.override("en"):
        items = agenda.items(coordination, today - timedelta(days=30), today + timedelta(days=90))
    labels = {(item.title, item.calendar_label, item.cancelled) for item in items}
    assert ("Animer un atelier de montage vidéo", "Workshop · registered", False) in labels
    assert ("Sécuriser ses comptes en ligne", "Workshop · registered", False) in labels
    assert ("Tablette, 6 séances (session 1 of 6)", "Workshop · registered", False) in labels
    assert ("Créer et utiliser son adresse e-mail", "Workshop · registered", False) in labels  # the offer
    assert ("Initiation à l’impression 3D", "Workshop · registered", True) in labels
    found = widgets.my_workshops(SimpleNamespace(user=coordination))
    assert [r.session.workshop.title for r in found["offers"]] == ["Créer et utiliser son adresse e-mail"]
    assert [r.session.workshop.title for r in found["to_evaluate"]] == ["Sécuriser ses comptes en ligne"]
    assert [r.session.workshop.title for r in found["registered"]] == [
        "La tablette pour les seniors", "Animer un atelier de montage vidéo"]
