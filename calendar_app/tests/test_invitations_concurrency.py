"""The capacity of an event holds under real parallel requests (threads, own connections)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from calendar_app import invitations
from calendar_app.models import Attendee
from extranet.testing.concurrency import run_together
from extranet.testing.factories import EventFactory, UserFactory
from extranet.testing.pages import english_client
from members.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_yes_at_once_to_five_places():
    organiser = UserFactory(display_name="Odile Organisatrice")
    event = EventFactory(capacity=5, created_by=organiser)
    members = UserFactory.create_batch(20, verified=False)
    url = reverse("calendar:event-answer", args=[event.pk])

    def attempt(user_id):
        def prepare() -> Client:  # logged in on the thread's own connection, before the barrier
            return english_client(User.objects.get(pk=user_id))

        def act(client: Client):
            response = client.post(url, {"response": "yes", "reminder": ""})
            assert response.status_code == 302, response.status_code
            return [str(message) for message in response.wsgi_request._messages]

        return {"prepare": prepare, "act": act}

    results = run_together([attempt(member.pk) for member in members], language="en")
    assert [r for r in results if r[0] != "ok"] == []
    said = sorted(tuple(messages) for _ok, messages in results)
    assert said == [("Full: the 5 places are taken.",)] * 15 + [("Your answer is saved: Yes.",)] * 5
    assert Attendee.objects.filter(event=event, response="yes").count() == 5
    assert Attendee.objects.filter(event=event).count() == 5  # nothing saved for the refused
    # The organiser was told of each place taken, and only of those.
    assert organiser.notifications.filter(verb="calendar.answer_yes").count() == 5
    with translation.override("en"):
        assert invitations.panel(members[0], event)["places_text"] == "Full"
