"""A visitor registers on /ateliers/ and uses their personal link, through the real
`booking` services: the confirmation e-mail's link,
confirm, cancel; a phone-only registration; a full session's waiting list; an offered place."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from extranet.testing.factories import RegistrationFactory, SessionFactory, VenueFactory, WorkshopFactory
from extranet.testing.pages import soup, text_of
from workshops.models import Registration

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def at(days, hour):
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour), PARIS)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def session(db):
    workshop = WorkshopFactory(title="Smartphone pas à pas", audience="public", status="scheduled")
    return SessionFactory(workshop=workshop, venue=VenueFactory(name="EPN de Morlaix", city="Morlaix"),
                          start=at(5, 14), end=at(5, 16), capacity=2)


def form(**overrides):
    data = {"name": "Marie Tanguy", "email": "marie@exemple.test", "phone": "", "note": "", "consent": "on",
            "hp_website": ""}
    data.update(overrides)
    return data


def post(client, url, data, capture):
    with capture(execute=True):
        return client.post(url, data)


def test_visitor_registers_confirms_and_cancels(english, session, django_capture_on_commit_callbacks):
    url = f"/ateliers/sessions/{session.pk}/inscription/"
    response = post(english, url, form(), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "A confirmation e-mail was sent to marie@exemple.test" in text_of(soup(response))
    registration = Registration.objects.get(session=session)
    assert registration.status == "unconfirmed"
    assert registration.consent_at is not None
    assert len(mail.outbox) == 1 and registration.token in mail.outbox[0].body
    link = registration.get_token_url()

    page = english.get(link)
    assert "awaits your confirmation" in text_of(soup(page))
    registration.refresh_from_db()
    assert registration.status == "unconfirmed"  # a GET never acts

    response = post(english, link, {"action": "confirm"}, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    page = soup(english.get(link))
    assert "You are registered" in text_of(page.select_one(".ws-public-registration__state"))

    post(english, link, {"action": "cancel"}, django_capture_on_commit_callbacks)
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    page = soup(english.get(link))
    assert "This registration is cancelled." in text_of(page)
    assert page.select(".ws-public-registration__actions button") == []


def test_phone_only_shows_the_link(english, session, django_capture_on_commit_callbacks):
    response = post(english, f"/ateliers/sessions/{session.pk}/inscription/", form(email="", phone="06 11 22 33 44"),
                    django_capture_on_commit_callbacks)
    registration = Registration.objects.get(session=session)
    assert registration.status == "confirmed"
    assert soup(response).select_one(".ws-public-link a")["href"].endswith(registration.get_token_url())


def test_full_session_waiting_list_then_offer(english, session, django_capture_on_commit_callbacks):
    first = RegistrationFactory(session=session, user=None, kind="visitor", name="A", phone="0600000001")
    RegistrationFactory(session=session, user=None, kind="visitor", name="B", phone="0600000002")
    response = post(english, f"/ateliers/sessions/{session.pk}/inscription/", form(email="", phone="0600000003"),
                    django_capture_on_commit_callbacks)
    assert "position 1" in text_of(soup(response))
    waiting = Registration.objects.get(session=session, name="Marie Tanguy")
    assert waiting.status == "waiting"
    # The first one cancels by their link: the place is offered to the one waiting.
    post(english, first.get_token_url(), {"action": "cancel"}, django_capture_on_commit_callbacks)
    waiting.refresh_from_db()
    assert waiting.status == "offered"
    page = soup(english.get(waiting.get_token_url()))
    assert [text_of(node) for node in page.select(".ws-public-registration__actions button")] == [
        "Accept the place", "Decline the place"]
    post(english, waiting.get_token_url(), {"action": "accept"}, django_capture_on_commit_callbacks)
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"


def test_same_email_twice_is_one_registration(english, session, django_capture_on_commit_callbacks):
    url = f"/ateliers/sessions/{session.pk}/inscription/"
    post(english, url, form(), django_capture_on_commit_callbacks)
    post(english, url, form(), django_capture_on_commit_callbacks)
    assert Registration.objects.filter(session=session).count() == 1


def test_details_of_someone_registered_reveal_nothing_of_them(english, session, django_capture_on_commit_callbacks):
    """Typing someone else's phone or e-mail gives neither their link, nor their name, nor their address."""
    url = f"/ateliers/sessions/{session.pk}/inscription/"
    post(english, url, form(name="Victime Phone", email="", phone="06 12 34 56 78"), django_capture_on_commit_callbacks)
    victim = Registration.objects.get(name="Victime Phone")
    response = post(english, url, form(name="Quelqu'un d'autre", email="", phone="0612345678"),
                    django_capture_on_commit_callbacks)
    assert response.status_code == 200
    html = response.content.decode()
    assert victim.token not in html and "Victime" not in html
    assert "These details match a registration already made for this session" in text_of(soup(response))
    assert Registration.objects.filter(session=session).count() == 1
    assert Registration.objects.get(pk=victim.pk).status == "confirmed"


def test_an_e_mail_typed_again_resends_its_link_at_most_every_quarter_hour(
        english, session, django_capture_on_commit_callbacks):
    url = f"/ateliers/sessions/{session.pk}/inscription/"
    post(english, url, form(), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    for _attempt in range(3):
        response = post(english, url, form(name="Autre nom"), django_capture_on_commit_callbacks)
        assert "marie@exemple.test" not in response.content.decode()
    # The first repeat sends the link again to the address on file; the next ones, within 15 minutes, do not.
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == ["marie@exemple.test"]
