"""Desk services: notifications (in-app, live, by e-mail, in digests) and the activity log."""

import asyncio
import smtplib
from datetime import UTC, datetime, timedelta

import pytest
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from core import realtime, selectors
from core.models import Activity, Notification, Space
from core.services import (
    activity_record,
    notification_digests_send,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
)
from extranet.testing.factories import UserFactory

DIGEST_TIME = datetime(2025, 3, 14, 6, 0, tzinfo=UTC)


@pytest.fixture
def newcomer(territory):
    """A target with a recognisable name."""
    return UserFactory(territory=territory, display_name="Amélie Faure")


@pytest.fixture
def daily_member(territory):
    return UserFactory(territory=territory, display_name="Lucas Bonnet", notification_email="daily")


# --- Realtime helpers: a test client listening on a user's group of the channel layer ----------


@pytest.fixture
def listen():
    layer = get_channel_layer()
    joined = []

    def subscribe(user):
        channel = _run(layer.new_channel())
        group = f"user.{user.pk}"
        _run(layer.group_add(group, channel))
        joined.append((group, channel))
        return channel

    yield subscribe
    for group, channel in joined:
        _run(layer.group_discard(group, channel))


# The listening side runs in one event loop for the whole module: channels-redis binds a
# channel's receive buffer to the loop that first waited on it.
_LOOP = asyncio.new_event_loop()


def _run(coroutine):
    return _LOOP.run_until_complete(coroutine)


def receive(channel, timeout=1.0):
    layer = get_channel_layer()

    async def _receive():
        return await asyncio.wait_for(layer.receive(channel), timeout)

    return _run(_receive())


def assert_nothing_received(channel):
    with pytest.raises(TimeoutError):
        receive(channel, timeout=0.05)


class FailingForBoomBackend(LocmemBackend):
    """The mail server refuses every message to an address starting with "boom"."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.startswith("boom") for address in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)


# --- notify ----------------------------------------------------------------------------------------


def test_notify_creates_a_notification(member, referent, newcomer):
    notification = notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)

    saved = Notification.objects.get()
    assert saved == notification
    assert (saved.recipient, saved.actor, saved.verb) == (member, referent, "member.approved")
    assert saved.target == newcomer
    assert saved.target_label == "Amélie Faure"
    assert saved.url == reverse("members:profile", args=[newcomer.pk])
    assert saved.read_at is None and saved.emailed_at is None
    assert "Marc Delpech" in saved.text and "Amélie Faure" in saved.text


def test_notify_with_its_own_label_for_the_target(member, newcomer):
    notification = notify(recipient=member, verb="member.approved", target=newcomer,
                          target_label="Amélie, inscrite hier")
    assert (notification.target, notification.target_label) == (newcomer, "Amélie, inscrite hier")
    assert notification.url == reverse("members:profile", args=[newcomer.pk])


def test_notify_with_an_explicit_url_and_without_target(member):
    notification = notify(recipient=member, verb="member.roles_changed", url="/bureau/")
    assert (notification.target_type, notification.target_id, notification.target_label) == (None, "", "")
    assert notification.url == "/bureau/"


def test_notify_skips_the_actor_themself(member, newcomer):
    assert notify(recipient=member, verb="member.approved", target=newcomer, actor=member) is None
    assert not Notification.objects.exists()


def test_notify_skips_inactive_and_missing_recipients(territory, referent, newcomer):
    gone = UserFactory(territory=territory, is_active=False)
    assert notify(recipient=gone, verb="member.approved", target=newcomer, actor=referent) is None
    assert notify(recipient=None, verb="member.approved", target=newcomer, actor=referent) is None
    assert not Notification.objects.exists()


def test_notify_refuses_an_unregistered_verb(member, newcomer, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValueError, match="member.teleported"):
        notify(recipient=member, verb="member.teleported", target=newcomer)
    assert not Notification.objects.exists()
    assert outbox == []


def test_notify_emails_an_immediate_reader_once_committed(
    member, referent, newcomer, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        notification = notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
    assert outbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    [mail] = outbox
    assert mail.to == [member.email]
    assert mail.subject.startswith("[Maillage]")
    assert "Amélie Faure" in mail.subject
    assert "Amélie Faure" in mail.body
    assert settings.BASE_URL + reverse("members:profile", args=[newcomer.pk]) in mail.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


@pytest.mark.parametrize("frequency", ["daily", "never"])
def test_notify_does_not_email_other_readers(
    territory, referent, newcomer, frequency, outbox, django_capture_on_commit_callbacks
):
    reader = UserFactory(territory=territory, notification_email=frequency)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=reader, verb="member.approved", target=newcomer, actor=referent)
    assert outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_notify_survives_a_mail_server_failure(
    territory, referent, newcomer, settings, outbox, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForBoomBackend"
    reader = UserFactory(territory=territory, email="boom@exemple.test")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=reader, verb="member.approved", target=newcomer, actor=referent)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert "Could not e-mail notification" in caplog.text


def test_notify_publishes_a_live_event_once_committed(
    member, referent, newcomer, listen, django_capture_on_commit_callbacks
):
    channel = listen(member)
    with django_capture_on_commit_callbacks() as callbacks:
        notification = notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
    assert_nothing_received(channel)

    for callback in callbacks:
        callback()

    message = receive(channel)
    assert message["type"] == "realtime.event"
    event = message["event"]
    assert (event["type"], event["id"]) == ("notification.new", notification.pk)
    assert event["data"]["unread"] == 1
    assert "Amélie Faure" in event["data"]["text"]
    assert event["data"]["url"] == reverse("members:profile", args=[newcomer.pk])

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=member, verb="member.roles_changed", actor=referent)
    assert receive(channel)["event"]["data"]["unread"] == 2


def test_notify_publishes_only_to_the_recipient(member, referent, newcomer, listen, django_capture_on_commit_callbacks):
    bystander_channel = listen(referent)
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
    assert_nothing_received(bystander_channel)


def test_a_rolled_back_notification_is_neither_sent_nor_announced(
    member, referent, newcomer, listen, outbox, django_capture_on_commit_callbacks
):
    channel = listen(member)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
            raise RuntimeError("the surrounding service failed")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert outbox == []
    assert_nothing_received(channel)


# --- Reading notifications -------------------------------------------------------------------------


def test_notification_mark_read(member, referent, newcomer, listen, django_capture_on_commit_callbacks):
    first = notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
    notify(recipient=member, verb="member.roles_changed", actor=referent)
    channel = listen(member)

    with django_capture_on_commit_callbacks(execute=True):
        returned = notification_mark_read(actor=member, notification=first)

    assert returned.read_at is not None
    assert Notification.objects.get(pk=first.pk).is_read
    assert selectors.unread_notification_count(user=member) == 1
    event = receive(channel)["event"]
    assert (event["type"], event["data"]) == ("notification.read", {"unread": 1})


def test_notification_mark_read_keeps_the_first_reading_time(member, referent, newcomer):
    notification = notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
    notification_mark_read(actor=member, notification=notification)
    first_read = Notification.objects.get(pk=notification.pk).read_at
    notification_mark_read(actor=member, notification=notification)
    assert Notification.objects.get(pk=notification.pk).read_at == first_read


def test_notification_mark_read_of_someone_elses_notification_is_denied(member, referent, newcomer):
    notification = notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
    for intruder in (referent, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            notification_mark_read(actor=intruder, notification=notification)
    assert Notification.objects.get(pk=notification.pk).read_at is None


def test_notifications_mark_all_read(member, referent, newcomer, listen, django_capture_on_commit_callbacks):
    for _ in range(3):
        notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
    already_read = notify(recipient=member, verb="member.roles_changed", actor=referent)
    notification_mark_read(actor=member, notification=already_read)
    others = notify(recipient=referent, verb="member.approved", target=newcomer, actor=member)
    channel = listen(member)

    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_mark_all_read(actor=member) == 3

    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=others.pk).read_at is None
    assert receive(channel)["event"] == {"type": "notification.read", "id": None, "data": {"unread": 0}}
    assert notifications_mark_all_read(actor=member) == 0


def test_notifications_mark_all_read_is_denied_to_anonymous(member, referent, newcomer):
    notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
    with pytest.raises(PermissionDenied):
        notifications_mark_all_read(actor=AnonymousUser())
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_notification_selectors_only_show_ones_own(member, referent, newcomer):
    mine = notify(recipient=member, verb="member.approved", target=newcomer, actor=referent)
    read = notify(recipient=member, verb="member.roles_changed", actor=referent)
    notification_mark_read(actor=member, notification=read)
    theirs = notify(recipient=referent, verb="member.approved", target=newcomer, actor=member)

    assert set(selectors.notifications_for(user=member)) == {mine, read}
    assert list(selectors.notifications_for(user=member, unread_only=True)) == [mine]
    assert selectors.unread_notification_count(user=member) == 1
    assert selectors.notification_get_for_user(member, mine.pk) == mine
    with pytest.raises(Http404):
        selectors.notification_get_for_user(member, theirs.pk)


# --- Daily digests --------------------------------------------------------------------------------------


def make_notification(recipient, target_name, territory, **fields):
    target = UserFactory(territory=territory, display_name=target_name)
    notification = notify(recipient=recipient, verb="member.requested", target=target, actor=target)
    if fields:
        Notification.objects.filter(pk=notification.pk).update(**fields)
    return notification


def test_digest_groups_each_daily_readers_unread_notifications(territory, daily_member, member, outbox):
    other_daily = UserFactory(territory=territory, display_name="Inès Garcia", notification_email="daily")
    never = UserFactory(territory=territory, notification_email="never")
    gone = UserFactory(territory=territory, notification_email="daily", is_active=False)
    first = make_notification(daily_member, "Youssef Amrani", territory)
    second = make_notification(daily_member, "Hélène Morel", territory)
    read = make_notification(daily_member, "Paul Lacombe", territory, read_at=DIGEST_TIME - timedelta(hours=3))
    emailed = make_notification(daily_member, "Nadia Chérif", territory, emailed_at=DIGEST_TIME - timedelta(days=1))
    for_other = make_notification(other_daily, "Julien Castel", territory)
    immediate = make_notification(member, "Thomas Vidal", territory)  # its e-mail was never sent
    make_notification(never, "Jeanne Roux", territory)
    Notification.objects.create(recipient=gone, verb="member.roles_changed")

    assert notification_digests_send(now=DIGEST_TIME) == 2

    assert sorted(m.to[0] for m in outbox) == sorted([daily_member.email, other_daily.email])
    [digest] = [m for m in outbox if m.to == [daily_member.email]]
    assert "Lucas Bonnet" in digest.body
    assert digest.body.index("Youssef Amrani") < digest.body.index("Hélène Morel")
    assert "Paul Lacombe" not in digest.body and "Nadia Chérif" not in digest.body
    assert "Julien Castel" not in digest.body and "Thomas Vidal" not in digest.body
    assert "2" in digest.subject
    [other_digest] = [m for m in outbox if m.to == [other_daily.email]]
    assert "Julien Castel" in other_digest.body and "Youssef Amrani" not in other_digest.body

    emailed_at = dict(Notification.objects.values_list("pk", "emailed_at"))
    assert emailed_at[first.pk] == emailed_at[second.pk] == emailed_at[for_other.pk] == DIGEST_TIME
    assert emailed_at[read.pk] is None
    assert emailed_at[emailed.pk] == DIGEST_TIME - timedelta(days=1)
    assert emailed_at[immediate.pk] is None
    assert type(daily_member).objects.get(pk=daily_member.pk).last_digest_at == DIGEST_TIME
    assert type(member).objects.get(pk=member.pk).last_digest_at is None


def test_a_second_digest_run_sends_nothing_new(territory, daily_member, outbox):
    make_notification(daily_member, "Youssef Amrani", territory)
    assert notification_digests_send(now=DIGEST_TIME) == 1
    assert notification_digests_send(now=DIGEST_TIME + timedelta(minutes=5)) == 0
    assert len(outbox) == 1

    make_notification(daily_member, "Hélène Morel", territory)
    assert notification_digests_send(now=DIGEST_TIME + timedelta(days=1)) == 1
    assert len(outbox) == 2
    assert "Hélène Morel" in outbox[1].body and "Youssef Amrani" not in outbox[1].body


def test_no_digest_for_immediate_readers_nor_when_nothing_is_new(territory, member, daily_member, outbox):
    make_notification(member, "Youssef Amrani", territory)
    assert notification_digests_send(now=DIGEST_TIME) == 0
    assert outbox == []


def test_a_failed_digest_is_kept_for_next_time(territory, daily_member, settings, outbox, caplog):
    settings.EMAIL_BACKEND = f"{__name__}.FailingForBoomBackend"
    unlucky = UserFactory(territory=territory, email="boom@exemple.test", notification_email="daily")
    kept = make_notification(unlucky, "Youssef Amrani", territory)
    make_notification(daily_member, "Hélène Morel", territory)

    assert notification_digests_send(now=DIGEST_TIME) == 1

    assert [m.to for m in outbox] == [[daily_member.email]]
    assert Notification.objects.get(pk=kept.pk).emailed_at is None
    assert type(unlucky).objects.get(pk=unlucky.pk).last_digest_at is None
    assert "Could not send the digest" in caplog.text


# --- Activity log ------------------------------------------------------------------------------------------


def test_activity_record_with_a_target_and_a_space(member, newcomer, territory):
    space = Space.objects.get(territory=territory)
    activity = activity_record(actor=member, verb="forum.posted", target=newcomer, space=space, data={"n": 1})
    saved = Activity.objects.get(pk=activity.pk)
    assert (saved.actor, saved.verb, saved.space, saved.data) == (member, "forum.posted", space, {"n": 1})
    assert saved.target == newcomer
    assert saved.target_label == "Amélie Faure"
    assert str(saved) == "Karim Benali forum.posted Amélie Faure"


def test_activity_record_without_target(member):
    activity = activity_record(actor=member, verb="desk.visited")
    saved = Activity.objects.get(pk=activity.pk)
    assert (saved.target_type, saved.target_id, saved.target_label, saved.space, saved.data) == (
        None, "", "", None, {},
    )


def test_activity_record_cuts_a_long_label(member, territory):
    long_named = UserFactory(territory=territory, display_name="N" * 150)
    long_named.display_name = "N" * 300  # as a str() longer than the column
    activity = activity_record(actor=member, verb="desk.visited", target=long_named)
    assert Activity.objects.get(pk=activity.pk).target_label == "N" * 255


# --- Realtime envelopes ------------------------------------------------------------------------------------


def test_envelope_of_a_declared_type():
    assert realtime.envelope("notification.read", None, {"unread": 4}) == {
        "type": "notification.read", "id": None, "data": {"unread": 4},
    }
    assert realtime.envelope("notification.new", 7) == {"type": "notification.new", "id": 7, "data": {}}


@pytest.mark.parametrize("event_type", ["notification.deleted", "", "chat.unknown"])
def test_envelope_refuses_undeclared_types(event_type):
    with pytest.raises(ValueError, match="Undeclared"):
        realtime.envelope(event_type)


def test_publish_refuses_undeclared_types_before_scheduling_anything(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValueError):
        realtime.publish_to_user(1, "notification.exploded")
    assert callbacks == []


def test_a_registered_event_type_is_published(member, listen, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setitem(realtime.EVENT_TYPES, "test.pinged", "A test event.")
    channel = listen(member)
    with django_capture_on_commit_callbacks(execute=True):
        realtime.publish_to_user(member.pk, "test.pinged", 5, {"ok": True})
    assert receive(channel)["event"] == {"type": "test.pinged", "id": 5, "data": {"ok": True}}


def test_send_now_never_fails_the_caller(caplog):
    # An invalid group name makes the channel layer raise; the request must go on.
    realtime.send_now("not a valid group name!", realtime.envelope("notification.read"))
    assert "Could not publish realtime event notification.read" in caplog.text


@pytest.mark.parametrize("url", ["https://ailleurs.example/", "//ailleurs.example/x", "bureau/", "/" + "a" * 500])
def test_notify_refuses_a_link_off_the_site(member, url):
    with pytest.raises(ValueError):
        notify(recipient=member, verb="member.roles_changed", url=url)
    assert not Notification.objects.filter(recipient=member).exists()


def test_the_digest_leaves_out_notifications_older_than_a_week(daily_member, referent, outbox):
    old = notify(recipient=daily_member, verb="member.roles_changed", actor=referent)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    recent = notify(recipient=daily_member, verb="member.roles_changed", actor=referent)
    assert notification_digests_send() == 1
    assert len(outbox) == 1
    assert Notification.objects.get(pk=recent.pk).emailed_at is not None
    assert Notification.objects.get(pk=old.pk).emailed_at is None
