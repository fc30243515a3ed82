"""allauth's e-mails speak as Maillage (templates/account/email/): the Site record named by
extranet.0009, the product's voice, the link alone on its line, never "example.com"."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Causses-et-vallees-2024!"
CONFIRM_LINK = re.compile(r"^http://testserver/compte/confirm-email/[-:\w]+/$", re.MULTILINE)
RESET_LINK = re.compile(r"^http://testserver/compte/password/reset/key/[-\w]+/$", re.MULTILINE)


def sign_up(client, territory, venue, email="lea.fabre@exemple.test"):
    return client.post(
        "/compte/signup/",
        {
            "display_name": "Léa Fabre",
            "email": email,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "territory": territory.pk,
            "venue": venue.pk,
        },
    )


def test_the_signup_verification_email_names_maillage_and_carries_the_link(
    client, territory, venue, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, territory, venue)
    assert response.status_code == 302
    [message] = [m for m in outbox if m.to == ["lea.fabre@exemple.test"]]

    assert message.subject.startswith("[Maillage] ")
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    text = message.body
    assert "example.com" not in text
    assert "example.com" not in message.subject
    assert "Maillage" in text
    # The link alone on its line (mail clients make it clickable), and only once.
    assert len(CONFIRM_LINK.findall(text)) == 1
    # The signature, last.
    last_line = text.strip().splitlines()[-1]
    assert last_line in {"L’équipe Maillage", "The Maillage team"}


def test_the_french_verification_email(client, territory, venue, outbox, django_capture_on_commit_callbacks):
    """The default language: the French catalogue (English msgids where it still lacks them)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, territory, venue)
    [message] = outbox
    assert "Bonjour, c'est example.com" not in message.body
    assert "example.com" not in message.body
    assert message.body.startswith(("Bonjour,", "Hello,"))
    assert "Maillage" in message.body


def test_the_password_reset_email(member, outbox):
    client = Client()
    response = client.post("/compte/password/reset/", {"email": member.email})
    assert response.status_code == 302
    [message] = outbox
    assert message.subject.startswith("[Maillage] ")
    assert "example.com" not in message.body
    assert "Maillage" in message.body
    assert len(RESET_LINK.findall(message.body)) == 1


def test_a_second_address_confirmation_names_maillage(member, outbox):
    client = Client()
    client.force_login(member)
    response = client.post("/compte/email/", {"action_add": "", "email": "karim.pro@exemple.test"})
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=member, email="karim.pro@exemple.test", verified=False).exists()
    [message] = outbox
    assert "example.com" not in message.body
    assert "Maillage" in message.body
    assert len(CONFIRM_LINK.findall(message.body)) == 1


def test_every_account_email_template_renders_without_example_com(member, rf):
    """Each of the templates overridden, rendered the way allauth does, with its context."""
    from allauth.account.adapter import get_adapter
    from django.contrib.sites.models import Site
    from django.utils import timezone

    request = rf.get("/")
    request.user = member
    adapter = get_adapter(request)
    context = {
        "current_site": Site.objects.get_current(),
        "user": member,
        "email": member.email,
        "code": "ABC123",
        "activate_url": "http://testserver/compte/confirm-email/k/",
        "password_reset_url": "http://testserver/compte/password/reset/key/k/",
        "signup_url": "http://testserver/compte/signup/",
        "from_email": "old@exemple.test",
        "to_email": "new@exemple.test",
        "deleted_email": "old@exemple.test",
        "ip": "192.0.2.1",
        "user_agent": "Firefox",
        "timestamp": timezone.now(),
    }
    prefixes = [
        "account/email/email_confirmation_signup",
        "account/email/email_confirmation",
        "account/email/password_reset_key",
        "account/email/password_reset_code",
        "account/email/login_code",
        "account/email/unknown_account",
        "account/email/account_already_exists",
        "account/email/email_changed",
        "account/email/email_confirm",
        "account/email/email_deleted",
        "account/email/password_changed",
        "account/email/password_set",
        "account/email/password_reset",
    ]
    for prefix in prefixes:
        message = adapter.render_mail(prefix, member.email, context)
        assert "example.com" not in message.body, prefix
        assert "Maillage" in message.body, prefix
        assert message.subject.startswith("[Maillage] "), prefix
        assert "{%" not in message.body and "{{" not in message.body, prefix
