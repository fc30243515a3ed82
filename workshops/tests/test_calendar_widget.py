"""The dashboard widget "Mes ateliers": what it lists, on the dashboard, in two queries."""

from datetime import datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from extranet.testing.factories import (
    PendingUserFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.pages import english_client, soup, text_of
from workshops import widgets
from workshops.models import Attendance, EvaluationDone, Registration

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def day(days, hour=10):
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour), PARIS)


def session(title, days, **fields):
    workshop = WorkshopFactory(title=title, audience="public", status="scheduled")
    return SessionFactory(workshop=workshop, start=day(days), end=day(days, 12), **fields)


def context(user):
    return widgets.my_workshops(SimpleNamespace(user=user))


def titles(rows):
    return [(getattr(row, "session", row)).workshop.title for row in rows]


def test_the_next_three_registered_sessions_in_order():
    member = UserFactory()
    for title, days in (("Quatrième", 9), ("Premier", 2), ("Troisième", 6), ("Deuxième", 4)):
        RegistrationFactory(session=session(title, days), user=member)
    RegistrationFactory(session=session("Annulée par moi", 3), user=member, status="cancelled")
    RegistrationFactory(session=session("Passée", -3), user=member, status="waiting")
    RegistrationFactory(session=session("Séance annulée", 5, status="cancelled"), user=member)
    found = context(member)
    assert titles(found["registered"]) == ["Premier", "Deuxième", "Troisième"]
    assert found["more_registered"] is True
    assert found["empty"] is False


def test_the_sessions_the_member_leads_with_their_places():
    animator = UserFactory()
    led = session("Je l'anime", 3, animators=[animator], capacity=8)
    RegistrationFactory.create_batch(2, session=led)
    RegistrationFactory(session=led, status="waiting")
    session("Finie", -2, animators=[animator])
    session("Pas la mienne", 4)
    found = context(animator)
    assert titles(found["led"]) == ["Je l'anime"]
    assert (found["led"][0].taken, found["led"][0].capacity) == (2, 8)


def test_offers_with_their_deadline_and_waiting_list_positions():
    member = UserFactory()
    expires = timezone.now() + timedelta(hours=20)
    RegistrationFactory(session=session("Une place pour moi", 5), user=member, status="offered",
                        offer_expires_at=expires)
    full = session("Complet", 6, capacity=1)
    RegistrationFactory(session=full)
    now = timezone.now()
    RegistrationFactory(session=full, status="waiting", waiting_since=now - timedelta(hours=3))
    RegistrationFactory(session=full, status="waiting", waiting_since=now - timedelta(hours=2))
    RegistrationFactory(session=full, user=member, status="waiting", waiting_since=now - timedelta(hours=1))
    RegistrationFactory(session=full, status="waiting", waiting_since=now)
    found = context(member)
    assert titles(found["offers"]) == ["Une place pour moi"]
    assert found["offers"][0].offer_expires_at == expires
    assert [(r.session.workshop.title, r.position) for r in found["waiting"]] == [("Complet", 3)]
    assert found["registered"] == []


def test_evaluations_to_fill_in():
    member = UserFactory()
    attended = RegistrationFactory(session=session("J'y étais", -2), user=member)
    missed = RegistrationFactory(session=session("Pas venu", -3), user=member)
    answered = RegistrationFactory(session=session("Déjà répondu", -4), user=member)
    RegistrationFactory(session=session("Il y a longtemps", -60), user=member)
    RegistrationFactory(session=session("Non noté", -1), user=member)  # no attendance recorded
    for registration, status in ((attended, "present"), (missed, "no_show"), (answered, "present")):
        Attendance.objects.create(registration=registration, date=registration.session.dates.get(), status=status)
    EvaluationDone.objects.create(registration=answered)
    assert sorted(titles(context(member)["to_evaluate"])) == ["J'y étais", "Non noté"]


def test_nothing_says_so_and_a_pending_member_gets_no_widget():
    member = UserFactory()
    assert context(member)["empty"] is True
    assert context(PendingUserFactory()) is None


def _grow(member, factor):
    venue = VenueFactory()
    for i in range(factor):
        RegistrationFactory(session=session(f"Inscrit {i}", 2 + i, venue=venue), user=member)
        RegistrationFactory(session=session(f"Offert {i}", 3 + i), user=member, status="offered",
                            offer_expires_at=timezone.now() + timedelta(hours=5))
        waiting = session(f"Attente {i}", 4 + i, capacity=1)
        RegistrationFactory(session=waiting)
        RegistrationFactory(session=waiting, user=member, status="waiting", waiting_since=timezone.now())
        led = session(f"Animé {i}", 5 + i, animators=[member])
        RegistrationFactory.create_batch(2, session=led)
        past = RegistrationFactory(session=session(f"Passé {i}", -1 - i), user=member)
        Attendance.objects.create(registration=past, date=past.session.dates.get(), status="present")


def test_the_widget_costs_two_queries_whatever_the_data():
    member = UserFactory()
    _grow(member, 1)
    with CaptureQueriesContext(connection) as small:
        context(member)
    _grow(member, 9)
    with CaptureQueriesContext(connection) as large:
        found = context(member)
    assert len(small) == len(large) == 2
    assert (len(found["registered"]), len(found["led"]), len(found["offers"]), len(found["waiting"]),
            len(found["to_evaluate"])) == (3, 3, 10, 10, 10)


def test_the_widget_on_the_dashboard():
    member = UserFactory()
    RegistrationFactory(session=session("Premiers pas sur tablette", 2, venue=VenueFactory(name="Médiathèque")),
                        user=member)
    RegistrationFactory(session=session("Une place pour moi", 5), user=member, status="offered",
                        offer_expires_at=day(1, 18))
    response = english_client(member).get("/bureau/")
    assert response.status_code == 200
    widget = soup(response).select_one("#widget-my-workshops").find_parent("section")
    text = text_of(widget)
    assert "Premiers pas sur tablette" in text
    assert "Médiathèque" in text
    tomorrow = day(1)
    assert f"answer until {tomorrow:%A} {tomorrow.day} {tomorrow:%B} at 6 p.m." in text  # English formats
    assert widget.find("a", href="/bureau/ateliers/")
    offer = Registration.objects.get(user=member, status="offered")
    assert widget.find("a", string="Une place pour moi")["href"] == f"/bureau/ateliers/sessions/{offer.session_id}/"
