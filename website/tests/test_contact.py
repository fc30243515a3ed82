"""The contact form: stored submissions, e-mail, and the spam checks (honeypot, minimum
fill time, rate limit), each refusal keeping what was typed."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.utils.html import escape
from wagtail.contrib.forms.models import FormSubmission

from extranet.testing.pages import soup, text_of
from website import spam
from website.tests import builders

pytestmark = pytest.mark.django_db

MESSAGE = "Bonjour,\nje voudrais ouvrir un atelier dans ma commune."


@pytest.fixture
def contact(home):
    return builders.add_contact(home, to_address="coordination@exemple.test", subject="Message du site")


def old_enough():
    """The stamp of a form displayed ten seconds ago."""
    return spam.timestamp_token(time.time() - 10)


def form_data(**overrides):
    data = {
        "nom": "Léa Fournier",
        "adresse_electronique": "lea@exemple.test",
        "message": MESSAGE,
        spam.HONEYPOT_FIELD: "",
        spam.TIMESTAMP_FIELD: old_enough(),
    }
    data.update(overrides)
    return data


def non_field_errors(response):
    return [text_of(li) for li in soup(response).select(".form-errors li")]


def words(message):
    """A message as text_of reads it: whitespace (the French non-breaking spaces too) collapsed."""
    return " ".join(str(message).split())


def assert_typed_values_kept(response, data):
    page = soup(response)
    assert page.find("input", attrs={"name": "nom"})["value"] == data["nom"]
    assert page.find("input", attrs={"name": "adresse_electronique"})["value"] == data["adresse_electronique"]
    assert page.find("textarea", attrs={"name": "message"}).text.strip() == data["message"].strip()


def test_the_form_as_shown(client, contact):
    response = client.get(contact.url)
    assert response.status_code == 200
    page = soup(response)
    assert len(page.find_all("h1")) == 1
    for name in ("nom", "adresse_electronique", "message"):
        field = page.find(attrs={"name": name})
        assert page.find("label", attrs={"for": field["id"]}) is not None, name
    assert page.find("input", attrs={"name": "nom"})["autocomplete"] == "name"
    assert page.find("input", attrs={"name": "adresse_electronique"})["autocomplete"] == "email"
    # The honeypot: labelled, hidden from assistive technologies, out of the tab order.
    trap = page.find("input", attrs={"name": spam.HONEYPOT_FIELD})
    wrapper = trap.find_parent("div")
    assert wrapper["aria-hidden"] == "true" and "hp-field" in wrapper["class"]
    assert trap["tabindex"] == "-1" and trap["autocomplete"] == "off"
    assert text_of(wrapper.find("label", attrs={"for": trap["id"]})) == str(spam.HONEYPOT_LABEL)
    # The display time, signed.
    stamp = page.find("input", attrs={"name": spam.TIMESTAMP_FIELD})
    assert stamp["type"] == "hidden" and spam.timestamp_problem(stamp["value"]) == "too_fast"
    assert spam.timestamp_problem(stamp["value"], now=time.time() + 5) is None


def test_a_valid_message_is_stored_e_mailed_and_thanked(client, contact, outbox):
    response = client.post(contact.url, form_data())
    assert response.status_code == 200
    submission = FormSubmission.objects.get(page=contact)
    assert submission.get_data()["message"] == MESSAGE
    # The spam fields are not part of the message.
    assert set(submission.form_data) == {"nom", "adresse_electronique", "message"}
    assert len(outbox) == 1
    assert outbox[0].to == ["coordination@exemple.test"] and outbox[0].subject == "Message du site"
    assert "Léa Fournier" in outbox[0].body and spam.HONEYPOT_FIELD not in outbox[0].body
    page = soup(response)
    assert "Merci pour votre message." in text_of(page.find(class_="message--success"))
    assert "je voudrais ouvrir un atelier" in text_of(page.find(class_="summary"))


def test_no_e_mail_without_a_recipient(client, home, outbox):
    contact = builders.add_contact(home)
    assert client.post(contact.url, form_data()).status_code == 200
    assert FormSubmission.objects.filter(page=contact).count() == 1
    assert outbox == []


def test_a_mail_server_failure_loses_nothing(client, contact, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr("wagtail.contrib.forms.models.send_mail", broken)
    response = client.post(contact.url, form_data())
    assert response.status_code == 200
    assert FormSubmission.objects.filter(page=contact).count() == 1
    assert "could not be sent" in caplog.text


def test_html_in_the_fields_is_shown_as_text(client, contact):
    script = '<script>alert("x")</script><b>gras</b>'
    response = client.post(contact.url, form_data(nom=script, message=script))
    html = response.content.decode()
    assert script not in html
    assert escape(script) in html

    admin = get_user_model().objects.create_superuser(
        email="admin@exemple.test", password="un-mot-de-passe-solide-42", display_name="Admin"
    )
    client.force_login(admin)
    html = client.get(f"/cms/forms/submissions/{contact.pk}/").content.decode()
    assert "alert(" in html  # the submission is listed...
    assert script not in html  # ...escaped


def test_bad_input_keeps_what_was_typed(client, contact):
    data = form_data(adresse_electronique="pas-une-adresse")
    response = client.post(contact.url, data)
    assert response.status_code == 200
    assert FormSubmission.objects.count() == 0
    assert soup(response).select_one(".field--error #id_adresse_electronique") is not None
    assert_typed_values_kept(response, data)


def test_a_filled_honeypot_is_refused(client, contact, outbox):
    data = form_data(**{spam.HONEYPOT_FIELD: "https://pilules.example"})
    response = client.post(contact.url, data)
    assert response.status_code == 200
    assert FormSubmission.objects.count() == 0 and outbox == []
    assert non_field_errors(response) == [words(spam.MESSAGES["honeypot"])]
    assert_typed_values_kept(response, data)
    # Shown again empty: sending again works.
    page = soup(response)
    assert page.find("input", attrs={"name": spam.HONEYPOT_FIELD}).get("value", "") == ""
    resend = {field["name"]: field.get("value", "") for field in page.select("form.contact-form input")}
    resend["message"] = page.find("textarea", attrs={"name": "message"}).text
    resend[spam.TIMESTAMP_FIELD] = old_enough()
    assert client.post(contact.url, resend).status_code == 200
    assert FormSubmission.objects.count() == 1


def test_a_form_sent_back_too_fast_is_refused(client, contact):
    page = soup(client.get(contact.url))
    stamp = page.find("input", attrs={"name": spam.TIMESTAMP_FIELD})["value"]
    data = form_data(**{spam.TIMESTAMP_FIELD: stamp})
    response = client.post(contact.url, data)
    assert response.status_code == 200
    assert FormSubmission.objects.count() == 0
    assert non_field_errors(response) == [words(spam.MESSAGES["too_fast"])]
    assert_typed_values_kept(response, data)
    # The same stamp is kept: once the minimum time has passed, the same form goes through.
    assert soup(response).find("input", attrs={"name": spam.TIMESTAMP_FIELD})["value"] == stamp
    assert spam.timestamp_problem(stamp, now=time.time() + spam.MIN_FILL_SECONDS) is None


FORGED_STAMPS = {
    "missing": lambda: "",
    "not-signed": lambda: "forgé",
    # A real stamp of 10 s ago with its signature altered (built at run time, so that the test
    # ids stay the same in every process of a parallel run).
    "bad-signature": lambda: spam.timestamp_token(time.time() - 10)[:-2] + "xx",
    "malformed": lambda: "ImhlbGxvIg:1tAAAA:bad",
}


@pytest.mark.parametrize("kind", list(FORGED_STAMPS))
def test_a_missing_or_forged_stamp_is_refused_and_renewed(client, contact, kind):
    stamp = FORGED_STAMPS[kind]()
    data = form_data(**{spam.TIMESTAMP_FIELD: stamp})
    response = client.post(contact.url, data)
    assert FormSubmission.objects.count() == 0
    assert non_field_errors(response) == [words(spam.MESSAGES["expired"])]
    assert_typed_values_kept(response, data)
    renewed = soup(response).find("input", attrs={"name": spam.TIMESTAMP_FIELD})["value"]
    assert spam.timestamp_problem(renewed, now=time.time() + 5) is None


def test_a_day_old_stamp_is_refused(contact, monkeypatch):
    stamp = spam.timestamp_token()
    later = time.time() + spam.MAX_FORM_AGE + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert spam.timestamp_problem(stamp) == "expired"


def test_posts_are_limited_per_address(client, contact, outbox):
    for number in range(spam.RATE_LIMIT):
        response = client.post(contact.url, form_data(message=f"Message {number}"))
        assert response.status_code == 200 and not non_field_errors(response), number
    data = form_data(message="Un de trop")
    response = client.post(contact.url, data)
    assert response.status_code == 429
    assert non_field_errors(response) == [words(spam.MESSAGES["rate_limited"])]
    assert_typed_values_kept(response, data)
    assert FormSubmission.objects.count() == spam.RATE_LIMIT
    assert len(outbox) == spam.RATE_LIMIT
    # Another address is not affected.
    response = client.post(contact.url, form_data(), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200 and not non_field_errors(response)
    assert FormSubmission.objects.count() == spam.RATE_LIMIT + 1


def test_refused_posts_count_towards_the_limit(client, contact):
    for _ in range(spam.RATE_LIMIT):
        client.post(contact.url, form_data(**{spam.HONEYPOT_FIELD: "robot"}))
    response = client.post(contact.url, form_data())
    assert response.status_code == 429
    assert FormSubmission.objects.count() == 0
