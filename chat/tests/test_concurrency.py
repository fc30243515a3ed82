"""Real parallel sends, openings and presence reports: the database settles them, none is lost.

Each attempt runs in its own thread with its own database connection, released at a barrier
together (extranet.testing.concurrency). Runs on SQLite (IMMEDIATE transactions) and on
PostgreSQL (constraints and the member's presence row locked with SELECT ... FOR UPDATE).
"""

import pytest
from django.test import Client
from django.urls import reverse

from chat import services
from chat.models import Connection, Message, Presence, Room, RoomMember
from core import realtime
from extranet.testing import concurrency
from extranet.testing.concurrency import outcomes
from members.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(attempts):
    return concurrency.run_together(attempts, language="en")


def sending(user, room, body, client_id=""):
    return {
        "prepare": lambda: (User.objects.get(pk=user.pk), Room.objects.get(pk=room.pk)),
        "act": lambda p: services.message_send(actor=p[0], room=p[1], body=body, client_id=client_id),
    }


def test_the_same_message_sent_twice_at_once_is_stored_once(member, network_room):
    """A resend after a drop can cross the first attempt: one client_id, one message."""
    results = run_together([sending(member, network_room, "Tu es là ?", "retry-0001") for _ in range(3)])

    assert outcomes(results) == ["ok", "ok", "ok"]
    assert len({message.pk for _ok, message in results}) == 1
    assert list(Message.objects.values_list("author_id", "body", "client_id")) == [
        (member.pk, "Tu es là ?", "retry-0001")]
    network_room.refresh_from_db()
    assert network_room.last_message_id == results[0][1].pk


def test_a_form_posted_twice_at_once_makes_one_message(member, network_room):
    """The same form submitted twice (double click, no JavaScript): two real requests, one message."""
    url = reverse("chat:send", args=[network_room.pk])
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(member)
        clients.append(client)

    results = run_together([
        lambda client=client: client.post(url, {"body": "Une seule fois", "client_id": "form-0001"})
        for client in clients
    ])

    assert outcomes(results) == ["ok", "ok"]
    [message] = Message.objects.all()
    assert (message.author_id, message.body) == (member.pk, "Une seule fois")
    for _ok, response in results:
        assert response.status_code == 302
        assert response["Location"].endswith(f"#message-{message.pk}")


def test_members_writing_at_once_are_all_stored_and_the_room_points_at_the_last(
        member, colleague, people, network_room):
    writers = [member, colleague, *people]
    results = run_together([sending(user, network_room, f"Message de {user.display_name}") for user in writers])

    assert outcomes(results) == ["ok"] * len(writers)
    stored = list(Message.objects.filter(room=network_room).values_list("author_id", "body"))
    assert sorted(stored) == sorted((user.pk, f"Message de {user.display_name}") for user in writers)
    network_room.refresh_from_db()
    last = Message.objects.filter(room=network_room).order_by("-id").first()
    assert network_room.last_message_id == last.pk
    # Each writer has read up to (at least) their own message, never beyond the room.
    for user, (_ok, message) in zip(writers, results, strict=True):
        read = RoomMember.objects.get(room=network_room, user=user).last_read_id
        assert message.pk <= read <= last.pk


def test_a_flood_sent_at_once_stores_exactly_the_rate_limit(member, network_room):
    attempts = services.RATE_LIMIT + 5
    results = run_together([sending(member, network_room, f"Flot {n}", f"flood-{n:04d}") for n in range(attempts)])

    sent = [value for outcome, value in results if outcome == "ok"]
    refused = [value for outcome, value in results if outcome == "error"]
    assert len(sent) == services.RATE_LIMIT
    assert len(refused) == 5
    assert all(isinstance(error, realtime.RateLimited) for error in refused), refused
    assert Message.objects.filter(room=network_room).count() == services.RATE_LIMIT


def test_the_same_people_opening_a_conversation_at_once_get_one_room(member, colleague, people):
    """Each of three people opens the conversation with the two others at the same moment."""
    trio = [member, colleague, people[0]]

    def opening(user):
        others = [person.pk for person in trio if person.pk != user.pk]
        return {
            "prepare": lambda: (User.objects.get(pk=user.pk), list(User.objects.filter(pk__in=others))),
            "act": lambda p: services.direct_room_open(actor=p[0], others=p[1]),
        }

    results = run_together([opening(user) for user in trio])

    assert outcomes(results) == ["ok", "ok", "ok"]
    assert len({room.pk for _ok, room in results}) == 1
    [room] = Room.objects.filter(kind=Room.Kind.DIRECT)
    assert set(RoomMember.objects.filter(room=room, is_participant=True).values_list("user_id", flat=True)) == {
        user.pk for user in trio}


def status_of(user):
    return Presence.objects.filter(user=user).values_list("status", flat=True).first()


def test_tabs_reporting_at_once_leave_the_status_their_sockets_say(member):
    """One tab active and three idle, all at once: online, whichever order the locks give."""
    tabs = [f"tab-{n}" for n in range(4)]
    results = run_together([
        (lambda tab=tab, n=n: services.presence_report(user_id=member.pk, channel_name=tab, active=n == 0))
        for n, tab in enumerate(tabs)
    ])

    assert outcomes(results) == ["ok"] * 4
    assert Connection.objects.filter(user=member).count() == 4
    assert status_of(member) == Presence.Status.ONLINE
    assert Presence.objects.filter(user=member).count() == 1


def test_the_active_tab_closing_while_an_idle_one_reports_leaves_the_member_away(member):
    services.presence_report(user_id=member.pk, channel_name="active", active=True)
    services.presence_report(user_id=member.pk, channel_name="idle", active=False)
    assert status_of(member) == Presence.Status.ONLINE

    results = run_together([
        lambda: services.presence_disconnect(user_id=member.pk, channel_name="active"),
        lambda: services.presence_report(user_id=member.pk, channel_name="idle", active=False),
    ])

    assert outcomes(results) == ["ok", "ok"]
    assert list(Connection.objects.filter(user=member).values_list("channel_name", flat=True)) == ["idle"]
    assert status_of(member) == Presence.Status.AWAY


def test_every_tab_closing_at_once_leaves_the_member_offline(member):
    tabs = [f"tab-{n}" for n in range(4)]
    for n, tab in enumerate(tabs):
        services.presence_report(user_id=member.pk, channel_name=tab, active=n % 2 == 0)
    assert status_of(member) == Presence.Status.ONLINE

    results = run_together([
        (lambda tab=tab: services.presence_disconnect(user_id=member.pk, channel_name=tab)) for tab in tabs
    ])

    assert outcomes(results) == ["ok"] * 4
    assert not Connection.objects.filter(user=member).exists()
    assert status_of(member) == Presence.Status.OFFLINE
