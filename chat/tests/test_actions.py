"""The chat's socket actions (chat/registrations.py) as plain functions: what each allows,
denies or finds invalid, what it stores, what it sends back and what it publishes.

Each action runs as the consumer runs it (extranet/testing/sockets.py `run_action`): the
handler registered for the name, with a `realtime.Socket` of the member, through the
consumer's `_run_action` (a refusal becomes (reason, message), in the site's language as
for a tab without the language cookie), its on-commit callbacks run, and what it published
read back from the configured channel layer. Ordinary rolled-back tests: what only a
socket proves (frames, the session.error envelope and its ref, fan-out to tabs, presence
across tabs, catch-up after a reconnect) is in test_consumers.py.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from chat import permissions, registrations, selectors, services
from chat.models import Connection, Message, Preference, Presence, Reaction, RoomMember
from core import realtime
from core.models import Activity
from extranet.consumers import _check_fresh
from extranet.testing.sockets import Listener, action_socket, run_action, translated
from members.models import User

pytestmark = pytest.mark.django_db

PRESENCE = services.PRESENCE_GROUP


def group(room):
    return services.room_group(room.pk)


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """act(user or socket, action, listen=[groups], **frame) -> ActionOutcome."""

    def run(who, action, listen=(), **content):
        socket = who if isinstance(who, realtime.Socket) else action_socket(who)
        return run_action(django_capture_on_commit_callbacks, socket, action, content, listen=listen)

    return run


def refused(outcome, reason):
    """The refusal's message, after checking that nothing is sent back but the refusal."""
    assert outcome.events == []
    assert outcome.reason == reason, outcome.refusal
    assert isinstance(outcome.message, str) and outcome.message.strip()
    return outcome.message


def ok_answer(action, ref=None):
    return {"type": "chat.ok", "id": None, "data": {"action": action, "ref": ref}}


def payload_of(pk):
    return selectors.message_payload(selectors.message_with_related(pk))


def say(author, room, body, **kwargs):
    return services.message_send(actor=User.objects.get(pk=author.pk), room=room, body=body, **kwargs)


def may_follow(user, kind, object_id):
    """The consumer's answer to {"action": "subscribe", "group": "<kind>.<id>"} (the user as stored now)."""
    return _check_fresh(realtime.SUBSCRIPTIONS[kind], user.pk, object_id)


# --- chat.send --------------------------------------------------------------------------------


def test_send_stores_the_message_answers_chat_sent_and_publishes_it_to_the_room(act, member, network_room):
    outcome = act(member, "chat.send", listen=[group(network_room)], room=network_room.pk, body="Bonjour **à tous**",
                  client_id="tab-1_0001", ref="r1")
    assert outcome.refusal is None
    message = Message.objects.get()
    assert (message.room_id, message.author_id, message.body) == (network_room.pk, member.pk, "Bonjour **à tous**")
    assert outcome.events == [{"type": "chat.sent", "id": message.pk,
                               "data": {"room": network_room.pk, "client_id": "tab-1_0001"}}]
    assert outcome.published[group(network_room)] == [
        {"type": "chat.message", "id": message.pk, "data": payload_of(message.pk)}]


def test_send_to_a_room_one_is_not_in_is_denied(act, member, private_room):
    outcome = act(member, "chat.send", listen=[group(private_room)], room=private_room.pk, body="Je m'invite",
                  client_id="x1")
    assert refused(outcome, "denied") == translated("You are not in this room.")
    assert Message.objects.count() == 0
    assert outcome.published[group(private_room)] == []
    assert not may_follow(member, "chatroom", private_room.pk)


def test_send_where_one_may_read_but_not_write_is_denied(act, coordinator, private_room):
    """A coordinator reads every group's room, but writes only in the groups they belong to."""
    assert may_follow(coordinator, "chatroom", private_room.pk)
    outcome = act(action_socket(coordinator, follows=[group(private_room)]), "chat.send", room=private_room.pk,
                  body="Modération")
    assert refused(outcome, "denied") == translated("You cannot write in this room.")
    assert Message.objects.count() == 0


def test_send_to_an_unknown_room_is_denied(act, member, network_room):
    refused(act(member, "chat.send", room=network_room.pk + 1000, body="Il y a quelqu'un ?"), "denied")
    assert Message.objects.count() == 0


@pytest.mark.parametrize("room", ["1", -1, True, False, None, 1.0, [1], {"id": 1}, 2 ** 63],
                         ids=["string", "negative", "true", "false", "null", "float", "list", "object", "huge"])
def test_send_with_a_malformed_room_is_invalid(act, member, network_room, room):
    error = refused(act(member, "chat.send", room=room, body="Bonjour"), "invalid")
    assert "room" in error
    assert Message.objects.count() == 0


def test_a_100_kb_body_is_invalid_with_the_limit_in_the_message(act, member, network_room):
    outcome = act(member, "chat.send", listen=[group(network_room)], room=network_room.pk, body="a" * 100_000,
                  client_id="big")
    assert refused(outcome, "invalid") == ("Le message compte 100\u202f000 caractères\u00a0; "
                                           "la limite est de 10\u202f000. Découpez-le, ou joignez un document.")
    assert Message.objects.count() == 0
    assert outcome.published[group(network_room)] == []


@pytest.mark.parametrize(("content", "field"), [
    ({"body": ""}, "body"), ({"body": "  \n "}, "body"), ({"body": 12}, "body"),
    ({"body": "Bonjour", "client_id": "pas un identifiant"}, "client_id"),
    ({"body": "Bonjour", "client_id": 7}, "client_id"),
    ({"body": "Bonjour", "reply_to": "3"}, "reply_to"),
], ids=["empty", "blank", "not-text", "bad-client-id", "client-id-not-text", "reply-to-not-an-id"])
def test_send_with_a_bad_field_is_invalid(act, member, network_room, content, field):
    refused(act(member, "chat.send", room=network_room.pk, **content), "invalid")
    assert Message.objects.count() == 0


def test_replying_to_a_message_of_another_room_is_invalid(act, member, group_member, network_room, private_room):
    elsewhere = say(group_member, private_room, "Dans le groupe")
    refused(act(member, "chat.send", room=network_room.pk, body="Réponse", reply_to=elsewhere.pk), "invalid")
    assert Message.objects.filter(room=network_room).count() == 0


def test_a_flood_stores_exactly_the_rate_limit_and_refuses_the_rest(act, member, network_room):
    total = services.RATE_LIMIT + 5
    outcomes = [act(member, "chat.send", room=network_room.pk, body=f"Message {n}", client_id=f"flood-{n}",
                    ref=f"f{n}") for n in range(total)]
    sent = [event for outcome in outcomes for event in outcome.events if event["type"] == "chat.sent"]
    assert [event["data"]["client_id"] for event in sent] == [f"flood-{n}" for n in range(services.RATE_LIMIT)]
    assert all(outcome.refusal is None for outcome in outcomes[:services.RATE_LIMIT])
    expected = translated("You are sending messages too quickly: wait a few seconds. This message was not sent; "
                          "it is still in the box.")
    assert [outcome.refusal for outcome in outcomes[services.RATE_LIMIT:]] == [("rate_limited", expected)] * 5
    assert [outcome.events for outcome in outcomes[services.RATE_LIMIT:]] == [[]] * 5
    assert Message.objects.filter(author=member).count() == services.RATE_LIMIT


def test_the_same_client_id_twice_makes_one_message(act, member, network_room):
    frame = {"room": network_room.pk, "body": "Une seule fois", "client_id": "retry-42"}
    first = act(member, "chat.send", listen=[group(network_room)], **frame)
    second = act(member, "chat.send", listen=[group(network_room)], **frame)
    assert first.events == second.events
    [sent] = first.events
    assert sent["type"] == "chat.sent"
    assert list(Message.objects.values_list("pk", flat=True)) == [sent["id"]]
    # Published once: by the send that stored it.
    assert [(event["type"], event["id"]) for event in first.published[group(network_room)]] == [
        ("chat.message", sent["id"])]
    assert second.published[group(network_room)] == []


# --- chat.edit --------------------------------------------------------------------------------


def test_editing_ones_own_message_publishes_it_edited(act, member, network_room):
    message = say(member, network_room, "Rendez-vous à 10 h")
    outcome = act(member, "chat.edit", listen=[group(network_room)], message=message.pk, body="Rendez-vous à *11 h*",
                  ref="e1")
    assert (outcome.events, outcome.refusal) == ([ok_answer("chat.edit", "e1")], None)
    [event] = outcome.published[group(network_room)]
    assert (event["type"], event["id"], event["data"]["edited"]) == ("chat.message_updated", message.pk, True)
    assert event["data"] == payload_of(message.pk)


def test_editing_someone_elses_message_is_denied(act, member, colleague, network_room):
    message = say(colleague, network_room, "Mon message")
    outcome = act(member, "chat.edit", listen=[group(network_room)], message=message.pk, body="Le sien")
    assert refused(outcome, "denied") == translated("You can only edit your own messages.")
    message.refresh_from_db()
    assert (message.body, message.edited_at) == ("Mon message", None)
    assert outcome.published[group(network_room)] == []


def test_editing_after_the_edit_window_is_denied(act, member, network_room):
    message = say(member, network_room, "Trop tard")
    long_ago = timezone.now() - permissions.EDIT_WINDOW - timedelta(minutes=1)
    Message.objects.filter(pk=message.pk).update(created_at=long_ago)
    error = refused(act(member, "chat.edit", message=message.pk, body="Corrigé"), "denied")
    assert str(permissions.EDIT_WINDOW.seconds // 60) in error
    message.refresh_from_db()
    assert (message.body, message.edited_at) == ("Trop tard", None)


def test_editing_a_message_of_a_room_one_cannot_read_is_denied(act, member, group_member, private_room):
    message = say(group_member, private_room, "Entre nous")
    refused(act(member, "chat.edit", message=message.pk, body="Vu"), "denied")
    refused(act(member, "chat.edit", message=message.pk + 1000, body="Inconnu"), "denied")
    assert Message.objects.get(pk=message.pk).body == "Entre nous"


@pytest.mark.parametrize(("field", "value"), [("message", "1"), ("message", None), ("message", True),
                                              ("body", ""), ("body", ["texte"])])
def test_editing_with_a_bad_field_is_invalid(act, member, network_room, field, value):
    message = say(member, network_room, "Original")
    content = {"message": message.pk, "body": "Nouveau", field: value}
    refused(act(member, "chat.edit", **content), "invalid")
    assert Message.objects.get(pk=message.pk).body == "Original"


# --- chat.delete ------------------------------------------------------------------------------


def test_a_plain_member_cannot_delete_someone_elses_message(act, member, colleague, network_room):
    message = say(colleague, network_room, "Le mien")
    outcome = act(member, "chat.delete", listen=[group(network_room)], message=message.pk)
    refused(outcome, "denied")
    assert Message.objects.get(pk=message.pk).deleted_at is None
    assert outcome.published[group(network_room)] == []


def test_the_spaces_moderator_deletes_someone_elses_message(act, member, coordinator, network_room):
    """The network's moderators are the coordinators; the removal is logged in the activity."""
    message = say(member, network_room, "Hors sujet")
    outcome = act(coordinator, "chat.delete", listen=[group(network_room)], message=message.pk)
    assert (outcome.events, outcome.refusal) == ([ok_answer("chat.delete")], None)
    [event] = outcome.published[group(network_room)]
    assert (event["type"], event["id"], event["data"]["deleted"]) == ("chat.message_updated", message.pk, True)
    assert Message.objects.get(pk=message.pk).deleted_by_id == coordinator.pk
    assert Activity.objects.filter(verb="chat.message_removed", actor=coordinator).count() == 1


def test_a_group_manager_deletes_a_message_of_the_groups_room(act, group_manager, group_member, private_room):
    message = say(group_member, private_room, "À modérer")
    outcome = act(group_manager, "chat.delete", message=message.pk, ref="d1")
    assert (outcome.events, outcome.refusal) == ([ok_answer("chat.delete", "d1")], None)
    assert Message.objects.get(pk=message.pk).deleted_by_id == group_manager.pk


@pytest.mark.parametrize("value", ["12", -3, False, None])
def test_deleting_with_a_malformed_message_id_is_invalid(act, member, value):
    refused(act(member, "chat.delete", message=value), "invalid")


# --- chat.react -------------------------------------------------------------------------------


@pytest.mark.parametrize("emoji", ["💩", "", 1, None, "👍👍"])
def test_a_reaction_not_offered_is_invalid(act, member, network_room, emoji):
    message = say(member, network_room, "Réagissez")
    refused(act(member, "chat.react", message=message.pk, emoji=emoji), "invalid")
    assert Reaction.objects.count() == 0


def test_reacting_in_a_room_one_cannot_read_or_to_a_deleted_message_is_denied(act, member, group_member, network_room,
                                                                              private_room):
    private = say(group_member, private_room, "Entre nous")
    deleted = say(member, network_room, "Retiré")
    services.message_delete(actor=member, message=deleted)
    refused(act(member, "chat.react", message=private.pk, emoji="👍"), "denied")
    refused(act(member, "chat.react", message=deleted.pk, emoji="👍"), "denied")
    assert Reaction.objects.count() == 0


# --- chat.read --------------------------------------------------------------------------------


def test_reading_a_room_one_is_not_in_is_denied(act, member, group_member, private_room):
    message = say(group_member, private_room, "Entre nous")
    refused(act(member, "chat.read", room=private_room.pk, up_to=message.pk), "denied")
    assert not RoomMember.objects.filter(room=private_room, user=member).exists()


@pytest.mark.parametrize("content", [{}, {"up_to": "5"}, {"up_to": -1}, {"up_to": None}],
                         ids=["missing", "string", "negative", "null"])
def test_reading_with_a_bad_up_to_is_invalid(act, member, network_room, content):
    refused(act(member, "chat.read", room=network_room.pk, **content), "invalid")


# --- chat.typing ------------------------------------------------------------------------------


def typing_socket(user, room):
    """A socket of `user` that opened (subscribed to) `room`."""
    return action_socket(user, follows=[group(room)])


def test_typing_needs_the_room_opened_on_that_socket(act, member, network_room):
    outcome = act(member, "chat.typing", listen=[group(network_room)], room=network_room.pk, typing=True)
    assert refused(outcome, "denied") == translated("Open the room before typing in it.")
    assert outcome.published[group(network_room)] == []


def test_typing_where_one_may_not_write_is_denied(act, coordinator, private_room):
    assert may_follow(coordinator, "chatroom", private_room.pk)  # reads every group's room, writes only in their own
    outcome = act(typing_socket(coordinator, private_room), "chat.typing", listen=[group(private_room)],
                  room=private_room.pk, typing=True)
    refused(outcome, "denied")
    assert outcome.published[group(private_room)] == []


def test_typing_is_not_shared_by_who_turned_it_off(act, member, network_room):
    Preference.objects.create(user=member, share_typing=False)
    socket = typing_socket(member, network_room)
    outcome = act(socket, "chat.typing", listen=[group(network_room)], room=network_room.pk, typing=True)
    assert (outcome.events, outcome.refusal, outcome.published[group(network_room)]) == ([], None, [])
    # The preference is read each time: shared again, the next announcement goes out.
    Preference.objects.filter(user=member).update(share_typing=True)
    outcome = act(socket, "chat.typing", listen=[group(network_room)], room=network_room.pk, typing=False)
    [event] = outcome.published[group(network_room)]
    assert (event["type"], event["data"]["user"], event["data"]["typing"]) == ("chat.typing", member.pk, False)


@pytest.mark.parametrize("room", ["1", -1, True, None])
def test_typing_with_a_malformed_room_is_invalid(act, member, room):
    refused(act(member, "chat.typing", room=room, typing=True), "invalid")


@pytest.mark.parametrize("flag", ["false", "no", 0.5, [False]])
def test_typing_with_a_flag_that_is_not_a_boolean_is_invalid(act, member, network_room, flag):
    """`"typing": "false"` must not announce that the member is typing."""
    outcome = act(typing_socket(member, network_room), "chat.typing", listen=[group(network_room)],
                  room=network_room.pk, typing=flag)
    refused(outcome, "invalid")
    assert outcome.published[group(network_room)] == []


def test_typing_flipped_by_a_script_is_broadcast_at_most_the_budget(act, member, network_room):
    """true/false/true... resets the throttle each time: the per-minute budget still caps it."""
    socket = typing_socket(member, network_room)
    announced = []
    for n in range(registrations.TYPING_BUDGET + 10):
        outcome = act(socket, "chat.typing", listen=[group(network_room)], room=network_room.pk, typing=n % 2 == 0)
        assert (outcome.events, outcome.refusal) == ([], None)
        announced += outcome.published[group(network_room)]
    assert [event["data"]["typing"] for event in announced] == [
        n % 2 == 0 for n in range(registrations.TYPING_BUDGET)]


# --- chat.presence ----------------------------------------------------------------------------


def shown(user, status):
    """What observers are told: the member, the status, and how to name and link them."""
    return {"user": user.pk, "status": status, "name": user.display_name,
            "url": reverse("members:profile", args=[user.pk])}


def status_of(user):
    return Presence.objects.filter(user=user).values_list("status", flat=True).first()


def test_presence_is_not_shared_by_who_turned_it_off(act, member):
    Preference.objects.create(user=member, share_presence=False)
    outcome = act(member, "chat.presence", listen=[PRESENCE], active=True)
    assert (outcome.events, outcome.refusal, outcome.published[PRESENCE]) == ([], None, [])
    assert status_of(member) in (None, "offline")


def test_turning_presence_off_shows_the_member_offline(act, member, django_capture_on_commit_callbacks):
    outcome = act(member, "chat.presence", listen=[PRESENCE], active=True)
    assert outcome.published[PRESENCE] == [{"type": "chat.presence", "id": member.pk, "data": shown(member, "online")}]
    with Listener(PRESENCE) as listener:
        with django_capture_on_commit_callbacks(execute=True):
            services.preference_set(actor=member, share_presence=False, share_typing=True)
        assert listener.take(PRESENCE) == [
            {"type": "chat.presence", "id": member.pk, "data": shown(member, "offline")}]
    assert status_of(member) == "offline"


def test_presence_of_a_deactivated_account_is_denied(act, member):
    User.objects.filter(pk=member.pk).update(is_active=False)
    outcome = act(member, "chat.presence", listen=[PRESENCE], active=True)
    refused(outcome, "denied")
    assert outcome.published[PRESENCE] == []
    assert not Connection.objects.filter(user=member).exists()


@pytest.mark.parametrize("group_id", [1, 12])
def test_only_presence_group_zero_may_be_followed(member, group_id):
    assert may_follow(member, "chatpresence", 0)
    assert not may_follow(member, "chatpresence", group_id)


@pytest.mark.parametrize("flag", ["false", "no", 0.5, [False]])
def test_presence_with_a_flag_that_is_not_a_boolean_is_invalid(act, member, flag):
    """`"active": "false"` must not show the member online."""
    outcome = act(member, "chat.presence", listen=[PRESENCE], active=flag)
    refused(outcome, "invalid")
    assert outcome.published[PRESENCE] == []
    assert not Connection.objects.filter(user=member).exists()


def test_presence_flipped_by_a_script_is_broadcast_at_most_the_budget(act, member):
    socket = action_socket(member)
    statuses = []
    for n in range(registrations.PRESENCE_BUDGET + 10):
        outcome = act(socket, "chat.presence", listen=[PRESENCE], active=n % 2 == 0)
        assert (outcome.events, outcome.refusal) == ([], None)
        statuses += [event["data"]["status"] for event in outcome.published[PRESENCE]]
    assert statuses == ["online", "away"] * (registrations.PRESENCE_BUDGET // 2)


# --- chat.catch_up ----------------------------------------------------------------------------


def test_catch_up_says_when_there_is_more_than_one_batch(act, member, colleague, network_room):
    Message.objects.bulk_create([
        Message(room=network_room, author=colleague, body=f"n{n}", html=f"<p>n{n}</p>")
        for n in range(selectors.CATCH_UP_MAX + 1)])
    ids = list(Message.objects.filter(room=network_room).order_by("id").values_list("pk", flat=True))

    [history] = act(member, "chat.catch_up", room=network_room.pk, after=0).events
    assert (history["type"], history["id"]) == ("chat.history", network_room.pk)
    data = history["data"]
    assert [m["id"] for m in data["messages"]] == ids[:selectors.CATCH_UP_MAX]
    assert (data["has_more"], data["changed"]) == (True, [])

    [history] = act(member, "chat.catch_up", room=network_room.pk, after=ids[-2]).events
    data = history["data"]
    assert ([m["id"] for m in data["messages"]], data["has_more"]) == ([ids[-1]], False)


def test_catching_up_on_a_room_one_is_not_in_is_denied(act, member, group_member, private_room):
    say(group_member, private_room, "Entre nous")
    refused(act(member, "chat.catch_up", room=private_room.pk, after=0), "denied")


@pytest.mark.parametrize("content", [
    {}, {"after": "0"}, {"after": -1}, {"after": 0, "since": "hier"}, {"after": 0, "since": "2025-01-01T10:00:00"},
    {"after": 0, "since": 1735725600},
], ids=["no-after", "after-string", "after-negative", "since-not-a-date", "since-naive", "since-number"])
def test_catch_up_with_a_bad_field_is_invalid(act, member, network_room, content):
    refused(act(member, "chat.catch_up", room=network_room.pk, **content), "invalid")
