"""Capacity, offers and reminders hold under real parallel requests (threads, own connections),
on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import RegistrationFactory, SessionFactory, UserFactory, WorkshopFactory
from extranet.testing.pages import english_client
from members.models import User
from workshops import booking
from workshops.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)


def test_twenty_members_register_at_once_to_five_places():
    session = SessionFactory(capacity=5, workshop=WorkshopFactory(status="scheduled"))
    members = UserFactory.create_batch(20, verified=False)
    url = reverse("workshops:register", args=[session.pk])

    def attempt(user_id):
        def prepare() -> Client:  # logged in on the thread's own connection, before the barrier
            return english_client(User.objects.get(pk=user_id))

        def act(client: Client):
            response = client.post(url)
            assert response.status_code == 302, response.status_code
            return [str(message) for message in response.wsgi_request._messages]

        return {"prepare": prepare, "act": act}

    results = run_together([attempt(member.pk) for member in members], language="en")
    assert [r for r in results if r[0] != "ok"] == []
    said = sorted(tuple(messages) for _ok, messages in results)
    assert said == ([("This session is full: you are on its waiting list.",)] * 15
                    + [("You are registered.",)] * 5)
    rows = list(Registration.objects.filter(session=session))
    assert sorted(row.status for row in rows) == ["confirmed"] * 5 + ["waiting"] * 15
    assert len({row.user_id for row in rows}) == 20
    # The order of the commits (the row lock serialises them; the ids follow it): the five
    # confirmed committed first, and the waiting list's order is the order of the commits.
    by_commit = sorted(rows, key=lambda row: row.pk)
    assert [row.status for row in by_commit] == ["confirmed"] * 5 + ["waiting"] * 15
    waiting = [row for row in by_commit if row.status == "waiting"]
    assert [row.pk for row in booking_order(session)] == [row.pk for row in waiting]
    assert all(a.waiting_since <= b.waiting_since for a, b in zip(waiting, waiting[1:], strict=False))


def booking_order(session):
    return Registration.objects.filter(session=session, status="waiting").order_by("waiting_since", "pk")


def test_one_offer_accepted_twice_at_once_is_one_registration():
    session = SessionFactory(capacity=1, workshop=WorkshopFactory(status="scheduled", audience="public"))
    bruno = UserFactory(verified=False)
    registration = RegistrationFactory(
        session=session, user=bruno, status="offered", waiting_since=timezone.now() - timedelta(hours=1),
        offer_expires_at=timezone.now() + timedelta(hours=20))

    def by_account():
        return booking.offer_accept(actor=User.objects.get(pk=bruno.pk),
                                    registration=Registration.objects.get(pk=registration.pk))

    def by_link():
        return booking.offer_accept(actor=None, registration=Registration.objects.get(pk=registration.pk),
                                    by_token=True)

    results = run_together([by_account, by_link, by_account], language="en")
    assert outcomes(results) == ["ok", "ok", "ok"]
    assert {value.pk for _ok, value in results} == {registration.pk}
    assert {value.status for _ok, value in results} == {"confirmed"}
    assert list(Registration.objects.filter(session=session).values_list("status", flat=True)) == ["confirmed"]
    assert bruno.notifications.filter(verb="workshops.registered").count() == 1


def test_two_reminder_runs_at_once_send_once():
    now = timezone.now()
    session = SessionFactory(capacity=5, start=now + timedelta(hours=30), end=now + timedelta(hours=32),
                             workshop=WorkshopFactory(status="scheduled", audience="public"))
    for index in range(3):
        RegistrationFactory(session=session, user=None, kind="visitor", name=f"Visiteur {index}",
                            email=f"visiteur{index}@exemple.test")

    results = run_together([lambda: booking.reminders_send(now=now)] * 2)
    assert outcomes(results) == ["ok", "ok"]
    assert sorted(value for _ok, value in results) in ([0, 3], [1, 2])  # split, never doubled
    assert sum(value for _ok, value in results) == 3
    assert sorted(message.to[0] for message in mail.outbox) == [
        "visiteur0@exemple.test", "visiteur1@exemple.test", "visiteur2@exemple.test"]
