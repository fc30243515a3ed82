"""The public side of the workshops (/ateliers/): the agenda and its filters, the RSS and
iCalendar feeds, a workshop's page (slug, 404, 410 when cancelled, nearby when full), the
venue page's section, registration without an account (form, honeypot, rate limit) and the
personal link (its state in words, its buttons, never an action on a GET).

`booking` (another slice) is replaced by fakes that build the state with factories, so that
these tests pass whatever its state; `test_public_booking.py` runs the real one."""

import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from extranet.testing.factories import (
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.pages import soup, text_of
from extranet.testing.shared import building, shared_transaction
from workshops import booking, public
from workshops.models import Registration, Session
from workshops.public_forms import RATE_LIMIT

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
AGENDA = "/ateliers/"
NBSP = "\u00a0"
DAYS_FR = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
             "novembre", "décembre"]
EVERYDAY = "Maîtrise des outils numériques du quotidien"
PAPERWORK = "Aide aux démarches administratives"


def day(days):
    return timezone.localdate() + timedelta(days=days)


def at(days, hour, minute=0):
    return datetime.combine(day(days), time(hour, minute), PARIS)


def french_day(days):
    value = day(days)
    return f"{DAYS_FR[value.weekday()]} {value.day} {MONTHS_FR[value.month - 1]}"


def session_at(workshop, venue, days, hour=14, minute=0, **kwargs):
    return SessionFactory(workshop=workshop, venue=venue, start=at(days, hour, minute),
                          end=at(days, hour + 2, minute), **kwargs)


def visitor(session, **kwargs):
    kwargs.setdefault("name", "Anne Le Gall")
    return RegistrationFactory(session=session, user=None, kind="visitor", **kwargs)


def build():
    finistere = TerritoryFactory(name="Finistère")
    idf = TerritoryFactory(name="Île-de-France")
    brest = VenueFactory(name="Médiathèque de Brest", city="Brest", postal_code="29200", territory=finistere,
                         latitude=Decimal("48.390400"), longitude=Decimal("-4.486100"))
    quimper = VenueFactory(name="EPN de Quimper", city="Quimper", postal_code="29000", territory=finistere,
                           latitude=Decimal("47.996000"), longitude=Decimal("-4.102400"))
    paris = VenueFactory(name="La Base Paris", city="Paris", postal_code="75011", territory=idf,
                         latitude=Decimal("48.856600"), longitude=Decimal("2.352200"))
    tablet = WorkshopFactory(title="Tablette pour débuter", audience="public", status="scheduled",
                             themes=[EVERYDAY], publics=["Seniors"], summary="Les premiers gestes.",
                             description="Apprendre **les gestes** de base.", prerequisites="Aucun.",
                             to_bring="Votre tablette chargée.", duration_minutes=120, territory=finistere)
    papers = WorkshopFactory(title="Démarches en ligne", audience="public", status="accepted",
                             themes=[PAPERWORK], publics=["Jeunes"], territory=idf, level="intermediate")
    staff = WorkshopFactory(title="Atelier entre animateurs", audience="staff", status="accepted")
    proposed = WorkshopFactory(title="Proposition publique", audience="public", status="proposed")
    refused = WorkshopFactory(title="Refusé public", audience="public", status="refused")
    cancelled = WorkshopFactory(title="Atelier annulé", audience="public", status="cancelled",
                                status_reason="L'animatrice est malade.")
    data = {"finistere": finistere, "idf": idf, "brest": brest, "quimper": quimper, "paris": paris,
            "tablet": tablet, "papers": papers, "staff": staff, "proposed": proposed, "refused": refused,
            "cancelled": cancelled}
    data["brest_full"] = session_at(tablet, brest, 3, capacity=2)
    visitor(data["brest_full"], email="anne@exemple.test")
    visitor(data["brest_full"], name="Yann Kerouac", phone="06 12 34 56 78")
    visitor(data["brest_full"], name="Soazig", status="waiting", waiting_since=timezone.now())
    data["paris_tablet"] = session_at(tablet, paris, 4, 14, 30, capacity=8)
    data["quimper"] = session_at(tablet, quimper, 5, 10, capacity=10)
    visitor(data["quimper"], status="unconfirmed")
    data["online"] = session_at(papers, None, 6, 18, online_url="https://visio.exemple.test/x")
    data["paris_papers"] = session_at(papers, paris, 10, 9)
    data["staff_session"] = session_at(staff, brest, 3, 9)
    data["past"] = session_at(tablet, brest, -2, 10)
    data["cancelled_session"] = session_at(tablet, quimper, 8, 10, status="cancelled", cancel_reason="Travaux.")
    data["cancelled_workshop_session"] = session_at(cancelled, brest, 7, 10, status="cancelled")
    data["cycle"] = SessionFactory(workshop=papers, venue=paris, capacity=5, dates=[
        (at(12, 9), at(12, 11)), (at(19, 9), at(19, 11)), (at(26, 9), at(26, 11))])
    return data


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build()
        yield data


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    return client


def session_ids(page):
    return [int(node["id"].removeprefix("session-")) for node in page.select(".ws-public__results .ws-public-session")]


# --- The agenda -------------------------------------------------------------------------------


def test_agenda_lists_upcoming_public_sessions_by_start(english, world):
    page = soup(english.get(AGENDA))
    assert session_ids(page) == [world[key].pk for key in (
        "brest_full", "paris_tablet", "quimper", "online", "paris_papers", "cycle")]
    assert text_of(page.select_one("#resultats")) == "6 sessions to come"


@pytest.mark.parametrize(("query", "expected"), [
    ("lieu=mediatheque-de-brest", ["brest_full"]),
    ("territoire=finistere", ["brest_full", "quimper"]),
    # An online session counts in its workshop's territory.
    ("territoire=ile-de-france", ["paris_tablet", "online", "paris_papers", "cycle"]),
    (f"theme={PAPERWORK}", ["online", "paris_papers", "cycle"]),
    ("public=Seniors", ["brest_full", "paris_tablet", "quimper"]),
    ("du={d4}&au={d5}", ["paris_tablet", "quimper"]),
    ("du={d6}", ["online", "paris_papers", "cycle"]),
    # Unknown values are ignored: the agenda always answers.
    ("lieu=nulle-part&theme=Cuisine&du=hier", ["brest_full", "paris_tablet", "quimper", "online", "paris_papers",
                                               "cycle"]),
])
def test_agenda_filters(english, world, query, expected):
    query = query.format(d4=day(4).isoformat(), d5=day(5).isoformat(), d6=day(6).isoformat())
    response = english.get(f"{AGENDA}?{query}")
    assert response.status_code == 200
    assert session_ids(soup(response)) == [world[key].pk for key in expected]


def test_venue_choices_are_the_venues_with_public_sessions(english, world):
    page = soup(english.get(AGENDA))
    options = [text_of(node) for node in page.select("select[name=lieu] option")]
    assert options == ["All venues", "EPN de Quimper (Quimper)", "La Base Paris (Paris)",
                       "Médiathèque de Brest (Brest)"]
    assert "---------" not in page.text


def test_empty_parameters_redirect_without_them(english, world):
    response = english.get(f"{AGENDA}?lieu=&theme=&public=Seniors")
    assert response.status_code == 302
    assert response["Location"] == f"{AGENDA}?public=Seniors"
    assert english.get(f"{AGENDA}?lieu=&du=")["Location"] == AGENDA


def test_agenda_lines_in_french(french, world):
    page = soup(french.get(AGENDA))
    headings = [text_of(node) for node in page.select(".ws-public__day h3")]
    assert headings[0] == french_day(3).capitalize()
    first = page.select_one(f"#session-{world['brest_full'].pk}")
    assert first.select_one(".ws-public-session__when").get_text().strip() == f"14{NBSP}h{NBSP}– 16{NBSP}h"
    assert first.select_one(".ws-public-session__place").get_text().strip() == "Médiathèque de Brest, Brest"
    assert first.select_one(".ws-public-session__place a")["href"] == "/annuaire/mediatheque-de-brest/"
    assert "Complet (liste d’attente)" in text_of(first)
    paris = page.select_one(f"#session-{world['paris_tablet'].pk}")
    expected = f"14{NBSP}h{NBSP}30{NBSP}– 16{NBSP}h{NBSP}30"
    assert paris.select_one(".ws-public-session__when").get_text().strip() == expected


def test_agenda_places_and_level(english, world):
    page = soup(english.get(AGENDA))
    full = text_of(page.select_one(f"#session-{world['brest_full'].pk}"))
    assert "Full (waiting list)" in full and "Beginner" in full
    # The unconfirmed visitor holds no place.
    assert "10 places left" in text_of(page.select_one(f"#session-{world['quimper'].pk}"))
    assert "a cycle of 3 meetings" in text_of(page.select_one(f"#session-{world['cycle'].pk}"))
    link = page.select_one(f"#session-{world['brest_full'].pk} .ws-public-session__title a")
    assert link["href"] == f"/ateliers/{world['tablet'].pk}-tablette-pour-debuter/"


def test_feed_links_keep_the_filters(english, world):
    page = soup(english.get(f"{AGENDA}?public=Seniors"))
    links = [node["href"] for node in page.select(".ws-public__feeds a")]
    assert any(href.startswith("webcal://") and href.endswith("/ateliers/ateliers.ics?public=Seniors")
               for href in links)
    assert any(href.endswith("/ateliers/flux.rss?public=Seniors") for href in links)


def test_nothing_matches(english, world):
    page = soup(english.get(f"{AGENDA}?du={day(400).isoformat()}"))
    assert text_of(page.select_one("#resultats")) == "0 sessions to come"
    assert "No workshop to come matches these filters" in text_of(page.select_one(".empty"))


def test_agenda_is_paginated(english, world):
    for index in range(21):
        session_at(world["papers"], world["paris"], 30 + index, 9)
    page = soup(english.get(AGENDA))
    assert len(session_ids(page)) == 20
    assert page.select_one(".pagination a[rel=next]")["href"] == "?page=2"
    assert len(session_ids(soup(english.get(f"{AGENDA}?page=2")))) == 7


# --- Feeds --------------------------------------------------------------------------------------


def test_rss_feed(client, world):
    response = client.get(f"{AGENDA}flux.rss?public=Seniors")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = ET.fromstring(response.content).find("channel")
    items = channel.findall("item")
    assert [item.findtext("title").split(" (")[0] for item in items] == ["Tablette pour débuter"] * 3
    assert items[0].findtext("link").endswith(
        f"/ateliers/{world['tablet'].pk}-tablette-pour-debuter/#session-{world['brest_full'].pk}")
    assert french_day(3) in items[0].findtext("title")


def test_ics_feed(client, world):
    response = client.get(f"{AGENDA}ateliers.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    host = public.uid_host()
    brest = world["brest_full"]
    brest_date = brest.dates.get()
    uid = f"workshop-session-{brest.pk}-{brest_date.pk}@{host}"
    assert uid in events
    event = events[uid]
    assert event.decoded("DTSTART") == at(3, 14)
    assert str(event["DTSTART"].params["TZID"]) == "Europe/Paris"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["SUMMARY"]) == "Tablette pour débuter"
    # A cycle: one VEVENT per date.
    cycle_uids = [f"workshop-session-{world['cycle'].pk}-{each.pk}@{host}" for each in world["cycle"].dates.all()]
    assert all(uid in events for uid in cycle_uids)
    # Cancelled sessions (and those of a cancelled workshop) are struck, not dropped.
    for key in ("cancelled_session", "cancelled_workshop_session"):
        session = world[key]
        cancelled = events[f"workshop-session-{session.pk}-{session.dates.get().pk}@{host}"]
        assert str(cancelled["STATUS"]) == "CANCELLED"
    # Never a staff workshop.
    assert not any("Atelier entre animateurs" in str(event["SUMMARY"]) for event in events.values())
    # The same data gives the same UIDs.
    again = icalendar.Calendar.from_ical(client.get(f"{AGENDA}ateliers.ics").content)
    assert {str(event["UID"]) for event in again.walk("VEVENT")} == set(events)


def test_ics_feed_filtered_and_session_ics(client, world):
    calendar = icalendar.Calendar.from_ical(client.get(f"{AGENDA}ateliers.ics?lieu=epn-de-quimper").content)
    assert {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")} == {"Tablette pour débuter"}
    response = client.get(f"/ateliers/sessions/{world['cycle'].pk}/session.ics")
    assert response.status_code == 200
    events = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert [event.decoded("DTSTART") for event in events] == [at(12, 9), at(19, 9), at(26, 9)]
    assert client.get(f"/ateliers/sessions/{world['staff_session'].pk}/session.ics").status_code == 404


# --- A workshop's page ------------------------------------------------------------------------


def test_workshop_page(english, world):
    tablet = world["tablet"]
    response = english.get(f"/ateliers/{tablet.pk}-tablette-pour-debuter/")
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.h1) == "Tablette pour débuter"
    assert page.select_one(".prose strong").text == "les gestes"
    text = text_of(page)
    for expected in ("Beginner", "2 h", EVERYDAY, "Seniors", "Aucun.", "Votre tablette chargée."):
        assert expected in text
    rows = [int(node["id"].removeprefix("session-")) for node in page.select(".ws-public-session")]
    assert rows == [world["brest_full"].pk, world["paris_tablet"].pk, world["quimper"].pk]
    assert page.select_one(f"#session-{world['paris_tablet'].pk} a.button")["href"] == \
        f"/ateliers/sessions/{world['paris_tablet'].pk}/inscription/"


def test_full_session_shows_the_nearby_ones(english, world):
    page = soup(english.get(world["tablet"].get_public_url()))
    full = page.select_one(f"#session-{world['brest_full'].pk}")
    assert "Full" in text_of(full.select_one(".ws-public-session__facts"))
    nearby = [text_of(node) for node in full.select(".ws-public-nearby li")]
    assert len(nearby) == 2
    assert "EPN de Quimper" in nearby[0] and "(52.3 km away)" in nearby[0]
    assert "La Base Paris" in nearby[1] and "(505.1 km away)" in nearby[1]
    assert text_of(full.select_one("a.button")) == "Join the waiting list"


def test_wrong_slug_redirects_permanently(client, world):
    tablet = world["tablet"]
    response = client.get(f"/ateliers/{tablet.pk}-ancien-titre/")
    assert response.status_code == 301
    assert response["Location"] == f"/ateliers/{tablet.pk}-tablette-pour-debuter/"
    response = client.get(f"/ateliers/{tablet.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/ateliers/{tablet.pk}-tablette-pour-debuter/"


@pytest.mark.parametrize("key", ["staff", "proposed", "refused"])
def test_not_public_is_404(client, world, key):
    workshop = world[key]
    assert client.get(f"/ateliers/{workshop.pk}-{workshop.slug}/").status_code == 404
    assert client.get(f"/ateliers/{workshop.pk}/").status_code == 404


def test_unknown_workshop_is_404(client, world):
    assert client.get("/ateliers/999999-rien/").status_code == 404


def test_cancelled_workshop_says_so(english, world):
    cancelled = world["cancelled"]
    response = english.get(f"/ateliers/{cancelled.pk}-atelier-annule/")
    assert response.status_code == 410
    page = soup(response)
    assert "This workshop was cancelled" in text_of(page)
    assert "L'animatrice est malade." in text_of(page)
    assert page.select_one("main a[href='/ateliers/'], article a[href='/ateliers/']") is not None


# --- The venue page's section -----------------------------------------------------------------


def test_venue_page_lists_upcoming_public_workshops(english, world):
    page = soup(english.get("/annuaire/mediatheque-de-brest/"))
    section = page.select_one(".ws-public-venue")
    assert section is not None
    assert [text_of(node) for node in section.select(".ws-public-session__title")] == ["Tablette pour débuter"]
    assert section.select_one("a[href='/ateliers/?lieu=mediatheque-de-brest']") is not None


def test_venue_section_one_query_and_none_without_sessions(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        section = public.venue_section(world["paris"])
    assert [session.pk for session in section["sessions"]] == [
        world["paris_tablet"].pk, world["paris_papers"].pk, world["cycle"].pk]
    assert public.venue_section(VenueFactory(name="Salle vide")) is None


# --- Registration: the form ---------------------------------------------------------------------


def register_url(session):
    return f"/ateliers/sessions/{session.pk}/inscription/"


@pytest.fixture
def fake_booking(monkeypatch):
    """booking.register_visitor (and the personal link's actions), replaced by factories."""
    calls = []

    def register_visitor(*, session, name, email, phone, consent, note=""):
        calls.append(("register", name, email, phone, consent, note))
        full = Session.objects.filter(pk=session.pk).first().capacity <= session.registrations.filter(
            status__in=["confirmed", "offered"]).count()
        status = "waiting" if full else ("unconfirmed" if email else "confirmed")
        return visitor(session, name=name, email=email, phone=phone, note=note, status=status,
                       consent_at=timezone.now(), waiting_since=timezone.now() if full else None)

    def set_status(status):
        def action(*, registration, actor=None, by_token=False):
            calls.append((status, registration.pk, actor, by_token))
            registration.status = status
            registration.save(update_fields=["status"])
            return registration
        return action

    monkeypatch.setattr(booking, "register_visitor", register_visitor, raising=False)
    monkeypatch.setattr(booking, "registration_confirm", set_status("confirmed"), raising=False)
    monkeypatch.setattr(booking, "registration_cancel", set_status("cancelled"), raising=False)
    monkeypatch.setattr(booking, "offer_accept", set_status("confirmed"), raising=False)
    monkeypatch.setattr(booking, "offer_decline", set_status("declined"), raising=False)
    return calls


def form_data(**overrides):
    data = {"name": "Marie Tanguy", "email": "marie@exemple.test", "phone": "", "note": "", "consent": "on",
            "hp_website": ""}
    data.update(overrides)
    return data


def errors_of(response):
    return [text_of(node) for node in soup(response).select(".errorlist li")]


def test_register_form(english, world):
    response = english.get(register_url(world["paris_tablet"]))
    assert response.status_code == 200
    page = soup(response)
    names = [node["name"] for node in page.select("form.ws-public-register__form [name]")]
    assert names == ["csrfmiddlewaretoken", "name", "email", "phone", "note", "consent", "hp_website"]
    notice = text_of(page.select_one("#privacy-notice"))
    assert f"erased {settings.WORKSHOP_RETENTION_DAYS} days after the session" in notice
    consent = page.select_one("input[name=consent]").find_parent(class_="field")
    assert consent.select_one("a")["href"] in ("#privacy-notice",) or consent.select_one("a")["href"].startswith("/")
    assert page.select_one(".hp-field")["aria-hidden"] == "true"


def test_register_form_when_full_says_waiting_list_and_nearby(english, world):
    page = soup(english.get(register_url(world["brest_full"])))
    assert "by sending this form you join its waiting list" in text_of(page)
    assert [text_of(node).split(" · ")[1].split(" (")[0] for node in page.select(".ws-public-nearby li")] == [
        "EPN de Quimper, Quimper", "La Base Paris, Paris"]
    assert text_of(page.select_one("form.ws-public-register__form button")) == "Join the waiting list"


@pytest.mark.parametrize("key", ["past", "cancelled_session"])
def test_register_closed_sessions_say_why(english, world, key, fake_booking):
    response = english.get(register_url(world[key]))
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("form.ws-public-register__form") is None
    assert page.select_one(".message--warning").text in (
        "This session has already started.", "This session is cancelled.")
    assert english.post(register_url(world[key]), form_data()).status_code == 409
    assert fake_booking == []


@pytest.mark.parametrize("key", ["staff_session", "cancelled_workshop_session"])
def test_register_not_public_or_cancelled_workshop(client, world, key):
    status = client.get(register_url(world[key])).status_code
    assert status == (404 if key == "staff_session" else 200)


@pytest.mark.parametrize(("data", "expected"), [
    (form_data(name="  "), "Give your name."),
    (form_data(email="", phone=""), "Give an e-mail address or a phone number, so that we can reach you."),
    (form_data(email="pas-une-adresse"), "This e-mail address is not valid."),
    (form_data(email="", phone="abc"), "This phone number is not valid."),
    (form_data(consent=""), "Tick the box to agree: without it we cannot keep your registration."),
    (form_data(hp_website="http://spam.example"), "Your registration was not sent: a field meant to catch robots "
                                                   "was filled in (some browsers do it on their own). Check the form "
                                                   "and send it again."),
])
def test_register_invalid(english, world, fake_booking, data, expected):
    response = english.post(register_url(world["paris_tablet"]), data)
    assert response.status_code == 200
    assert expected in errors_of(response)
    assert fake_booking == []


def test_register_errors_in_french(french, world, fake_booking):
    from django.utils import translation

    from workshops.public_forms import RegistrationForm

    response = french.post(register_url(world["paris_tablet"]), form_data(email="", phone=""))
    with translation.override("fr"):
        form = RegistrationForm(form_data(email="", phone=""))
        form.is_valid()
        expected = form.non_field_errors()[0]
    assert expected in errors_of(response)


def test_rate_limit_per_address(english, world, fake_booking):
    url = register_url(world["paris_tablet"])
    for _index in range(RATE_LIMIT):
        assert "Too many" not in " ".join(errors_of(english.post(url, form_data(name="")))), _index
    response = english.post(url, form_data())
    assert any(error.startswith("Too many registrations were sent from your connection") for error in
               errors_of(response))
    assert fake_booking == []
    # Another address is not limited.
    other = Client(REMOTE_ADDR="10.1.2.3")
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert other.post(url, form_data()).status_code == 200
    assert len(fake_booking) == 1


def test_register_with_email(english, world, fake_booking):
    response = english.post(register_url(world["paris_tablet"]), form_data(note="Grand écran"))
    assert response.status_code == 200
    assert fake_booking == [("register", "Marie Tanguy", "marie@exemple.test", "", True, "Grand écran")]
    page = soup(response)
    assert "A confirmation e-mail was sent to marie@exemple.test" in text_of(page)
    registration = Registration.objects.get(email="marie@exemple.test")
    assert registration.token not in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"


def test_register_by_phone_shows_the_personal_link(english, world, fake_booking):
    response = english.post(register_url(world["paris_tablet"]), form_data(email="", phone="02 98 00 00 00"))
    registration = Registration.objects.get(phone="02 98 00 00 00")
    page = soup(response)
    assert "Keep this link to cancel" in text_of(page)
    assert page.select_one(".ws-public-link a")["href"].endswith(f"/ateliers/inscription/{registration.token}/")


def test_register_when_full_joins_the_waiting_list(english, world, fake_booking):
    response = english.post(register_url(world["brest_full"]), form_data())
    assert "you are in position 2 on its waiting list" in text_of(soup(response))


def test_service_refusal_is_a_form_error(english, world, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError("Registrations for this session are closed.")

    monkeypatch.setattr(booking, "register_visitor", refuse, raising=False)
    response = english.post(register_url(world["paris_tablet"]), form_data())
    assert response.status_code == 200
    assert "Registrations for this session are closed." in errors_of(response)


# --- The personal link --------------------------------------------------------------------------


def link(registration):
    return f"/ateliers/inscription/{registration.token}/"


def state_of(response):
    return text_of(soup(response).select_one(".ws-public-registration__state"))


def buttons_of(response):
    return [text_of(node) for node in soup(response).select(".ws-public-registration__actions button")]


@pytest.mark.parametrize(("status", "extra", "state", "buttons"), [
    ("unconfirmed", {}, "Your registration awaits your confirmation", ["Confirm my registration",
                                                                       "Cancel my registration"]),
    ("confirmed", {}, "You are registered. See you there!", ["Cancel my registration"]),
    ("waiting", {"waiting_since": "now"}, "You are on the waiting list, in position 2.", ["Leave the waiting list"]),
    ("offered", {"offer_expires_at": "later"}, "A place is offered to you until", ["Accept the place",
                                                                                    "Decline the place"]),
    ("offered", {"offer_expires_at": "past"}, "the offer has expired", ["Cancel my registration"]),
    ("cancelled", {}, "This registration is cancelled.", []),
    ("declined", {}, "You declined the place", []),
    ("expired", {}, "was not accepted in time", []),
])
def test_personal_link_states(english, world, status, extra, state, buttons):
    moments = {"now": timezone.now(), "later": timezone.now() + timedelta(hours=5),
               "past": timezone.now() - timedelta(hours=1)}
    registration = visitor(world["brest_full"], status=status, email="x@exemple.test",
                           **{key: moments[value] for key, value in extra.items()})
    response = english.get(link(registration))
    assert response.status_code == 200
    assert state in state_of(response)
    assert buttons_of(response) == buttons
    assert response["Referrer-Policy"] == "same-origin"
    assert soup(response).select_one("meta[name=robots]")["content"].startswith("noindex")
    registration.refresh_from_db()
    assert registration.status == status  # never an action on a GET


def test_personal_link_bad_token(client, world):
    assert client.get("/ateliers/inscription/12:forged/").status_code == 404
    assert client.get("/ateliers/inscription/nothing/").status_code == 404


@pytest.mark.parametrize(("status", "action", "after", "called"), [
    ("unconfirmed", "confirm", "confirmed", ("confirmed", None, False)),
    ("confirmed", "cancel", "cancelled", ("cancelled", None, True)),
    ("offered", "accept", "confirmed", ("confirmed", None, True)),
    ("offered", "decline", "declined", ("declined", None, True)),
])
def test_personal_link_actions(english, world, fake_booking, status, action, after, called):
    registration = visitor(world["paris_tablet"], status=status, email="y@exemple.test",
                           offer_expires_at=timezone.now() + timedelta(hours=3) if status == "offered" else None)
    response = english.post(link(registration), {"action": action})
    assert response.status_code == 302
    assert response["Location"] == link(registration)
    registration.refresh_from_db()
    assert registration.status == after
    kind, _pk, actor, by_token = fake_booking[0]
    assert (kind, actor, by_token) == called


def test_personal_link_refuses_an_action_not_offered(english, world, fake_booking):
    registration = visitor(world["paris_tablet"], status="confirmed", email="z@exemple.test")
    response = english.post(link(registration), {"action": "accept"}, follow=True)
    assert fake_booking == []
    assert "This action is no longer possible" in text_of(soup(response).select_one(".messages"))


def test_personal_link_after_the_session(english, world):
    registration = visitor(world["past"], status="confirmed", email="p@exemple.test")
    response = english.get(link(registration))
    assert "You were registered to this session." in state_of(response)
    assert buttons_of(response) == []


def test_ics_summer_time_in_paris(client, world):
    summer = datetime(timezone.localdate().year + 1, 7, 14, 14, 0, tzinfo=PARIS)
    session = SessionFactory(workshop=world["papers"], venue=world["paris"], start=summer,
                             end=summer + timedelta(hours=2))
    response = client.get(f"/ateliers/sessions/{session.pk}/session.ics")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == summer
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert "DTSTART;TZID=Europe/Paris:" + summer.strftime("%Y%m%d") + "T140000" in response.content.decode()


def test_personal_link_service_refusal_is_a_message(english, world, monkeypatch):
    registration = visitor(world["paris_tablet"], status="unconfirmed", email="w@exemple.test")

    def refuse(**kwargs):
        raise ValidationError("This registration was cancelled: register again if you wish.")

    monkeypatch.setattr(booking, "registration_confirm", refuse, raising=False)
    response = english.post(link(registration), {"action": "confirm"}, follow=True)
    assert "This registration was cancelled: register again if you wish." in text_of(
        soup(response).select_one(".messages"))
    registration.refresh_from_db()
    assert registration.status == "unconfirmed"


@pytest.mark.parametrize("path", ["ateliers.ics", "flux.rss"])
def test_feeds_answer_304_to_who_has_them(client, world, path):
    first = client.get(f"{AGENDA}{path}")
    assert first.status_code == 200 and first["ETag"]
    again = client.get(f"{AGENDA}{path}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_personal_link_posts_keep_the_csrf_check(world, fake_booking):
    # The page's own form (with its CSRF token) works; a form forged elsewhere, without it, does not.
    strict = Client(enforce_csrf_checks=True)
    registration = visitor(world["paris_tablet"], status="confirmed", email="o@exemple.test")
    forged = strict.post(link(registration), {"action": "cancel"}, HTTP_ORIGIN="https://ailleurs.example")
    assert forged.status_code == 403
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    page = strict.get(link(registration))
    token = page.cookies["csrftoken"].value
    response = strict.post(link(registration), {"action": "cancel", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"
