"""The desk's session page and registration pages (workshops.booking_views)."""

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from extranet.testing.shared import building, shared_transaction
from workshops import booking_views
from workshops.models import Registration

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            venue = VenueFactory(name="Médiathèque de Figeac", city="Figeac")
            people = {
                "alice": UserFactory(display_name="Alice Martin"),
                "bruno": UserFactory(display_name="Bruno Petit"),
                "chloe": UserFactory(display_name="Chloé Durand"),
                "pending": PendingUserFactory(display_name="Paul En-attente"),
                "animator": UserFactory(display_name="Anne Animatrice"),
                "coordinator": CoordinatorFactory(display_name="Corinne Coordinatrice"),
                "venue": venue,
            }
        yield people


def a_session(world, *, capacity=3, audience="staff", **kwargs):
    workshop = kwargs.pop("workshop", None) or WorkshopFactory(
        audience=audience, status="scheduled", title="Tablette pour débuter", summary="Prendre en main sa tablette.")
    kwargs.setdefault("venue", world["venue"])
    return SessionFactory(capacity=capacity, workshop=workshop, animators=[world["animator"]], **kwargs)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return soup(response)


def test_date_texts_in_french():
    start = datetime(2027, 1, 12, 14, 0, tzinfo=PARIS)
    with translation.override("fr"):
        assert booking_views.date_text(start, start + timedelta(hours=2), "Europe/Paris") == \
            "mardi 12 janvier, 14\u00a0h – 16\u00a0h"
        assert booking_views.date_text(start, start + timedelta(hours=2, minutes=30), "UTC") == \
            "mardi 12 janvier, 13\u00a0h – 15\u00a0h\u00a030"
    with translation.override("en"):
        assert booking_views.moment_text(start, "Europe/Paris") == "Tuesday 12 January at 2 p.m."


def test_places_texts(world):
    session = a_session(world, capacity=3)
    RegistrationFactory(session=session, user=world["alice"])
    with translation.override("en"):
        session.taken, session.waiting = 1, 0
        assert booking_views.places_text(session) == "2 places left"
        session.taken = 2
        assert booking_views.places_text(session) == "1 place left"
        session.taken, session.waiting = 3, 2
        assert booking_views.places_text(session) == "Full · 2 people on the waiting list"
        session.waiting = 0
        assert booking_views.places_text(session) == "Full"


# --- The session page ------------------------------------------------------------------------


def test_the_session_page_of_a_member_with_a_free_place(world):
    session = a_session(world, capacity=3)
    RegistrationFactory(session=session, user=world["bruno"])
    html = page(english_client(world["alice"]), session.get_absolute_url())
    assert text_of(html.h1) == "Tablette pour débuter"
    assert html.select_one(f'a[href="{reverse("workshops:workshop", args=[session.workshop.pk])}"]') is not None
    assert "Médiathèque de Figeac" in text_of(html.select_one(".booking-facts"))
    assert html.select_one(f'a[href="{world["venue"].get_absolute_url()}"]') is not None
    assert "Anne Animatrice" in text_of(html.select_one(".booking-facts"))
    assert text_of(html.select_one(".booking-places")) == "2 places left"
    form = html.select_one(".booking-own form")
    assert form["action"] == reverse("workshops:register", args=[session.pk])
    assert text_of(form.button) == "Register"
    assert html.select_one(".booking-hosts") is None


def test_a_cycle_lists_its_dates(world):
    first = datetime.combine(timezone.localdate() + timedelta(days=7), datetime.min.time(), PARIS).replace(hour=14)
    dates = [(first + timedelta(days=7 * week), first + timedelta(days=7 * week, hours=2)) for week in range(3)]
    session = a_session(world, dates=dates, title="Tablette, 3 séances")
    html = page(english_client(world["alice"]), session.get_absolute_url())
    assert len(html.select(".booking-dates li")) == 3


def test_a_full_session_offers_the_waiting_list_and_the_sessions_nearby(world, monkeypatch):
    session = a_session(world, capacity=1)
    other = a_session(world, workshop=session.workshop, venue=VenueFactory(name="Espace de Cahors", city="Cahors"))
    RegistrationFactory(session=session, user=world["bruno"])
    RegistrationFactory(session=session, user=world["chloe"], status="waiting", waiting_since=timezone.now())
    from workshops import nearby

    monkeypatch.setattr(nearby, "nearby_sessions", lambda found, **kwargs: [(other, 12.4)])
    html = page(english_client(world["alice"]), session.get_absolute_url())
    assert text_of(html.select_one(".booking-places")) == "Full · 1 person on the waiting list"
    assert text_of(html.select_one(".booking-own form button")) == "Join the waiting list"
    nearby_items = html.select(".booking-nearby li")
    assert len(nearby_items) == 1
    assert "Espace de Cahors" in text_of(nearby_items[0]) and "12.4 km" in text_of(nearby_items[0])
    assert nearby_items[0].a["href"] == other.get_absolute_url()


def test_the_member_sees_their_place_on_the_waiting_list_and_can_leave_it(world):
    session = a_session(world, capacity=1)
    RegistrationFactory(session=session, user=world["bruno"])
    RegistrationFactory(session=session, user=world["chloe"], status="waiting", waiting_since=timezone.now())
    RegistrationFactory(session=session, user=world["alice"], status="waiting",
                        waiting_since=timezone.now() + timedelta(seconds=1))
    html = page(english_client(world["alice"]), session.get_absolute_url())
    own = text_of(html.select_one(".booking-own"))
    assert "You are on the waiting list, in position 2." in own
    assert html.select_one(".booking-own form")["action"] == reverse("workshops:unregister", args=[session.pk])
    assert "Leave the waiting list" in own


def test_an_offered_place_shows_accept_and_decline(world):
    session = a_session(world, capacity=1)
    until = datetime.combine(timezone.localdate() + timedelta(days=2), datetime.min.time(), PARIS).replace(hour=9)
    RegistrationFactory(session=session, user=world["alice"], status="offered", offer_expires_at=until)
    html = page(english_client(world["alice"]), session.get_absolute_url())
    buttons = [text_of(button) for button in html.select(".booking-own button")]
    assert buttons[0].startswith("Accept the place (until ")
    assert buttons[1:] == ["Decline", "Unregister"]
    assert [field["value"] for field in html.select('.booking-own input[name="answer"]')] == ["accept", "decline"]


def test_a_closed_session_says_why(world):
    session = a_session(world, registration_deadline=timezone.now() - timedelta(hours=1))
    html = page(english_client(world["alice"]), session.get_absolute_url())
    assert html.select_one(".booking-own form") is None
    assert text_of(html.select_one(".booking-own p")) == "Registrations for this session are closed."


def test_hosts_see_their_links(world):
    session = a_session(world)
    html = page(english_client(world["animator"]), session.get_absolute_url())
    hrefs = [link["href"] for link in html.select(".booking-hosts a")]
    date = session.dates.get()
    assert hrefs == [
        reverse("workshops:registrations", args=[session.pk]),
        reverse("workshops:register-on-site", args=[session.pk]),
        reverse("workshops:attendance", args=[session.pk, date.pk]),
        reverse("workshops:results", args=[session.workshop.pk]),
    ]


def test_a_proposal_is_not_found_by_a_member_nor_by_a_visitor(world):
    session = a_session(world, workshop=WorkshopFactory(status="proposed"))
    assert english_client(world["alice"]).get(session.get_absolute_url()).status_code == 404
    response = Client().get(session.get_absolute_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_the_session_page_queries_stay_flat(world):
    session = a_session(world, capacity=200)
    client = english_client(world["alice"])
    RegistrationFactory(session=session, user=world["alice"])

    def grow(factor):
        for _index in range(3 * factor):
            RegistrationFactory(session=session)
            RegistrationFactory(session=session, user=None, kind="visitor", name="Rose", email="r@exemple.test",
                                status="unconfirmed")

    queries, html = queries_flat(client, session.get_absolute_url(), grow)
    # + the equipment booked for the session (lending's section), the workshop's kits (resources')
    assert queries == 12
    assert text_of(html.select_one(".booking-places")) == "169 places left"


# --- One click: register, unregister, answer an offer ----------------------------------------


def test_register_in_one_click(world):
    session = a_session(world)
    client = english_client(world["alice"])
    response = client.post(reverse("workshops:register", args=[session.pk]))
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert Registration.objects.get(session=session).status == "confirmed"
    assert messages_of(client.get(response["Location"])) == ["You are registered."]


def test_a_get_redirects_and_saves_nothing(world):
    session = a_session(world)
    client = english_client(world["alice"])
    for name in ("workshops:register", "workshops:unregister", "workshops:offer"):
        response = client.get(reverse(name, args=[session.pk]))
        assert (response.status_code, response["Location"]) == (302, session.get_absolute_url())
    assert not Registration.objects.filter(session=session).exists()


def test_a_refused_registration_is_a_message(world):
    session = a_session(world, registration_deadline=timezone.now() - timedelta(hours=1))
    client = english_client(world["alice"])
    response = client.post(reverse("workshops:register", args=[session.pk]), follow=True)
    assert messages_of(response) == ["Registrations for this session are closed."]
    assert not Registration.objects.exists()


def test_a_pending_member_is_sent_to_the_waiting_page(world):
    session = a_session(world)
    response = english_client(world["pending"]).post(reverse("workshops:register", args=[session.pk]))
    assert response.status_code == 302 and response["Location"] == "/bureau/en-attente/"
    assert not Registration.objects.exists()


def test_unregister_frees_the_place_for_the_first_waiting(world):
    session = a_session(world, capacity=1)
    RegistrationFactory(session=session, user=world["alice"])
    bruno = RegistrationFactory(session=session, user=world["bruno"], status="waiting", waiting_since=timezone.now())
    client = english_client(world["alice"])
    response = client.post(reverse("workshops:unregister", args=[session.pk]), follow=True)
    assert messages_of(response) == ["Your registration is cancelled."]
    assert Registration.objects.get(pk=bruno.pk).status == "offered"
    response = client.post(reverse("workshops:unregister", args=[session.pk]), follow=True)
    assert messages_of(response) == ["You are not registered for this session."]


@pytest.mark.parametrize("answer, status, message", [
    ("accept", "confirmed", "The place is yours: you are registered."),
    ("decline", "declined", "You declined the place: it goes to the next person waiting."),
])
def test_answer_an_offer(world, answer, status, message):
    session = a_session(world, capacity=1)
    offer = RegistrationFactory(session=session, user=world["alice"], status="offered",
                                offer_expires_at=timezone.now() + timedelta(hours=3))
    response = english_client(world["alice"]).post(reverse("workshops:offer", args=[session.pk]),
                                                    {"answer": answer}, follow=True)
    assert messages_of(response) == [message]
    assert Registration.objects.get(pk=offer.pk).status == status


def test_an_expired_offer_is_refused_on_the_page(world):
    session = a_session(world, capacity=1)
    offer = RegistrationFactory(session=session, user=world["alice"], status="offered",
                                offer_expires_at=timezone.now() - timedelta(minutes=1))
    response = english_client(world["alice"]).post(reverse("workshops:offer", args=[session.pk]),
                                                    {"answer": "accept"}, follow=True)
    assert messages_of(response) == ["This offer has expired."]
    assert Registration.objects.get(pk=offer.pk).status == "expired"


# --- The registrations (hosts) ---------------------------------------------------------------


def filled(world, session):
    now = timezone.now()
    RegistrationFactory(session=session, user=world["alice"], note="Grand écran")
    RegistrationFactory(session=session, user=None, kind="on_site", name="Marcel Vieux", phone="05 65 11 22 33",
                        registered_by=world["animator"])
    RegistrationFactory(session=session, user=None, kind="visitor", name="Rose Lenoir", email="rose@exemple.test",
                        status="offered", offer_expires_at=now + timedelta(hours=5))
    RegistrationFactory(session=session, user=world["chloe"], status="waiting", waiting_since=now - timedelta(hours=1))
    RegistrationFactory(session=session, user=world["bruno"], status="waiting", waiting_since=now - timedelta(hours=2))
    RegistrationFactory(session=session, user=None, kind="visitor", name="Jean Dupont", email="jean@exemple.test",
                        status="unconfirmed")
    RegistrationFactory(session=session, user=None, kind="visitor", name="Lise Partie", email="lise@exemple.test",
                        status="cancelled")


def test_the_registrations_in_groups_with_the_waiting_list_in_order(world):
    session = a_session(world, capacity=3)
    filled(world, session)
    html = page(english_client(world["animator"]), reverse("workshops:registrations", args=[session.pk]))
    headings = [text_of(h2) for h2 in html.select(".booking-group h2")]
    assert headings == ["Registered (2)", "Place offered, awaiting an answer (1)", "Waiting list (2)",
                        "Awaiting e-mail confirmation (1)", "Cancelled (1)"]
    waiting_rows = html.select("#group-waiting ~ .table-wrap tbody tr")
    assert [text_of(row.th) for row in waiting_rows] == ["Bruno Petit", "Chloé Durand"]
    assert [text_of(row.td) for row in waiting_rows] == ["1", "2"]
    registered = text_of(html.select_one("#group-confirmed").find_parent("section"))
    assert "Grand écran" in registered and "05 65 11 22 33" in registered
    assert "Registered at the venue" in registered and "by Anne Animatrice" in registered
    cancel_links = html.select('a[href^="/bureau/ateliers/inscriptions/"]')
    assert len(cancel_links) == 6  # every live registration


def test_the_registrations_are_for_hosts_only(world):
    session = a_session(world)
    url = reverse("workshops:registrations", args=[session.pk])
    response = english_client(world["alice"]).get(url)
    assert response.status_code == 403
    assert english_client(world["coordinator"]).get(url).status_code == 200
    csv_url = reverse("workshops:registrations-csv", args=[session.pk])
    assert english_client(world["alice"]).get(csv_url).status_code == 403


def test_the_registrations_queries_stay_flat(world):
    session = a_session(world, capacity=500)
    client = english_client(world["animator"])

    def grow(factor):
        now = timezone.now()
        for index in range(factor):
            RegistrationFactory(session=session)
            RegistrationFactory(session=session, user=None, kind="on_site", name="Marcel",
                                phone=f"05 65 00 00 {index:02}", registered_by=world["animator"])
            RegistrationFactory(session=session, status="waiting", waiting_since=now)
            RegistrationFactory(session=session, user=None, kind="visitor", name="Rose", email=f"r{index}@exemple.test",
                                status="cancelled")

    queries, html = queries_flat(client, reverse("workshops:registrations", args=[session.pk]), grow)
    assert queries == 9
    assert len(html.select("tbody tr")) == 40


def test_the_registrations_as_csv(world):
    session = a_session(world, capacity=3)
    filled(world, session)
    response = english_client(world["animator"]).get(reverse("workshops:registrations-csv", args=[session.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows[0] == ["Status", "Position", "Name", "Kind", "E-mail address", "Phone", "Note", "Registered on",
                       "No-shows"]
    assert [(row[0], row[1], row[2]) for row in rows[1:]] == [
        ("Registered", "", "Alice Martin"), ("Registered", "", "Marcel Vieux"),
        ("Place offered", "", "Rose Lenoir"),
        ("On the waiting list", "1", "Bruno Petit"), ("On the waiting list", "2", "Chloé Durand"),
        ("Awaiting e-mail confirmation", "", "Jean Dupont"), ("Cancelled", "", "Lise Partie"),
    ]
    assert rows[1][4] == world["alice"].email and rows[1][6] == "Grand écran"


def test_register_a_person_at_the_venue(world):
    session = a_session(world, capacity=1)
    client = english_client(world["animator"])
    url = reverse("workshops:register-on-site", args=[session.pk])
    html = page(client, url)
    assert [field["name"] for field in html.select("form input:not([type=hidden]), form textarea")] == [
        "name", "phone", "email", "note"]
    response = client.post(url, {"name": "Marcel Vieux", "phone": "12", "email": "", "note": ""})
    assert response.status_code == 200
    assert ("Enter a phone number: 10 digits (06 12 34 56 78), "
            "or + and the country code (+262 692 12 34 56).") in text_of(soup(response))
    response = client.post(url, {"name": "Marcel Vieux", "phone": "0565112233", "email": "", "note": ""},
                           follow=True)
    assert messages_of(response) == ["Marcel Vieux is registered."]
    registration = Registration.objects.get(session=session)
    assert (registration.kind, registration.phone, registration.registered_by) == (
        "on_site", "05 65 11 22 33", world["animator"])
    response = client.post(url, {"name": "Léa Blanc", "phone": "", "email": "", "note": ""}, follow=True)
    assert messages_of(response) == ["Léa Blanc is on the waiting list."]


def test_a_member_cannot_register_others(world):
    session = a_session(world)
    url = reverse("workshops:register-on-site", args=[session.pk])
    assert english_client(world["alice"]).get(url).status_code == 403
    assert english_client(world["alice"]).post(url, {"name": "Marcel Vieux"}).status_code == 403
    assert not Registration.objects.exists()


def test_a_host_cancels_someone_after_confirming(world):
    session = a_session(world, capacity=1)
    alice = RegistrationFactory(session=session, user=world["alice"])
    bruno = RegistrationFactory(session=session, user=world["bruno"], status="waiting", waiting_since=timezone.now())
    client = english_client(world["animator"])
    url = reverse("workshops:registration-cancel", args=[alice.pk])
    html = page(client, url)
    assert "Alice Martin" in text_of(html.select_one("main") or html)
    assert Registration.objects.get(pk=alice.pk).status == "confirmed"
    response = client.post(url, follow=True)
    assert messages_of(response) == ["The registration of Alice Martin is cancelled."]
    assert Registration.objects.get(pk=alice.pk).status == "cancelled"
    assert Registration.objects.get(pk=bruno.pk).status == "offered"
    response = client.post(url, follow=True)
    assert messages_of(response) == ["This registration is already cancelled."]


def test_only_hosts_cancel_someone_else(world):
    session = a_session(world)
    alice = RegistrationFactory(session=session, user=world["alice"])
    response = english_client(world["bruno"]).post(reverse("workshops:registration-cancel", args=[alice.pk]))
    assert response.status_code == 404  # someone else's registration: no hint that it exists
    assert Registration.objects.get(pk=alice.pk).status == "confirmed"
    assert english_client(world["bruno"]).get(reverse("workshops:registration-cancel", args=[999999])).status_code \
        == 404
