"""core.realtime and the consumer's action runner as plain functions (no socket).

How a handler's refusal becomes what the socket is told (`extranet.consumers._run_action`:
reason and message, in the page's language), that publishing waits for the commit, and the
declarations the consumer relies on. What only a socket proves (frames, subscriptions,
close codes) is in test_consumers.py.
"""

import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from core import realtime
from extranet.testing.sockets import Listener, action_socket, run_action

GROUP = "testgroup.1"


@pytest.fixture
def test_action():
    """Register `testapp.act`, whose handler does what the test puts in `behaviour`."""
    behaviour = {}

    def handler(socket, content):
        return behaviour["do"](socket, content)

    previous = realtime.ACTIONS.get("testapp.act")
    realtime.register_action("testapp.act", handler)
    yield behaviour
    if previous is None:
        realtime.ACTIONS.pop("testapp.act", None)
    else:
        realtime.ACTIONS["testapp.act"] = previous


def act(capture, **content):
    return run_action(capture, action_socket(7), "testapp.act", content, listen=[GROUP])


def test_every_session_event_type_is_declared():
    for event_type in ("session.ready", "session.pong", "session.subscribed", "session.denied", "session.error"):
        assert event_type in realtime.EVENT_TYPES
    # The internal control message is not a browser event.
    assert realtime.SESSION_CLOSE not in realtime.EVENT_TYPES


def test_close_user_sockets_refuses_other_codes():
    with pytest.raises(ValueError):
        realtime.close_user_sockets(1, code=1000)


@pytest.mark.parametrize("name", ["chat", "Chat.send", "chat.send2", "chat.send.now", ".send", "chat-x.send"])
def test_action_names_look_like_app_verb(name):
    with pytest.raises(ValueError):
        realtime.register_action(name, lambda socket, content: [])
    assert name not in realtime.ACTIONS


@pytest.mark.parametrize(("error", "reason", "message"), [
    (PermissionDenied("Pas ici."), "denied", "Pas ici."),
    (ValidationError(["Trop long.", "Vide."]), "invalid", "Trop long. Vide."),
    (ValidationError({"body": "Trop long."}), "invalid", "Trop long."),
    (realtime.RateLimited("Doucement."), "rate_limited", "Doucement."),
], ids=["denied", "invalid", "invalid-dict", "rate-limited"])
def test_a_refusal_becomes_a_reason_and_its_message(django_capture_on_commit_callbacks, test_action, error, reason,
                                                    message):
    def refuse(socket, content):
        raise error

    test_action["do"] = refuse
    outcome = act(django_capture_on_commit_callbacks)
    assert (outcome.events, outcome.refusal) == ([], (reason, message))


def test_a_denial_without_a_message_says_so_in_the_pages_language(django_capture_on_commit_callbacks, test_action):
    def refuse(socket, content):
        raise PermissionDenied

    test_action["do"] = refuse
    for language in ("en", "fr"):
        outcome = run_action(django_capture_on_commit_callbacks, action_socket(7), "testapp.act", {},
                             language=language)
        with translation.override(language):
            assert outcome.refusal == ("denied", gettext("You may not do that."))
    assert outcome.message != "You may not do that."  # French differs from the source


def test_a_bug_in_a_handler_is_a_failure_logged_not_an_exception(django_capture_on_commit_callbacks, test_action,
                                                                  caplog):
    def crash(socket, content):
        raise ZeroDivisionError

    test_action["do"] = crash
    caplog.set_level(logging.ERROR, logger="extranet.consumers")
    outcome = run_action(django_capture_on_commit_callbacks, action_socket(7), "testapp.act", {}, language="en")
    assert outcome.refusal == ("failed", "That did not work because of an error on our side: try again.")
    [record] = [r for r in caplog.records if r.name == "extranet.consumers"]
    assert "testapp.act" in record.getMessage() and "user 7" in record.getMessage()
    assert record.exc_info[0] is ZeroDivisionError


def test_the_handler_gets_the_socket_and_the_frame_in_the_pages_language(django_capture_on_commit_callbacks,
                                                                         test_action):
    seen = []

    def answer(socket, content):
        seen.append((socket.user_id, socket.follows("room.3"), socket.follows("room.4"), content,
                     translation.get_language()))
        return None  # nothing to send back

    test_action["do"] = answer
    socket = action_socket(7, follows=["room.3"])
    outcome = run_action(django_capture_on_commit_callbacks, socket, "testapp.act", {"ref": "r1"}, language="en")
    assert (outcome.events, outcome.refusal) == ([], None)
    assert seen == [(7, True, False, {"action": "testapp.act", "ref": "r1"}, "en")]


@pytest.mark.django_db
def test_what_a_handler_publishes_is_sent_on_commit_and_a_refusal_rolls_it_back(django_capture_on_commit_callbacks,
                                                                                test_action):
    def publish_then(refuse):
        def handler(socket, content):
            with transaction.atomic():
                realtime.publish(GROUP, "notification.read", None, {"unread": content["n"]})
                if refuse:
                    raise PermissionDenied("Non.")
            return [realtime.envelope("session.pong")]
        return handler

    test_action["do"] = publish_then(refuse=False)
    outcome = act(django_capture_on_commit_callbacks, n=3)
    assert outcome.events == [{"type": "session.pong", "id": None, "data": {}}]
    assert outcome.published == {GROUP: [{"type": "notification.read", "id": None, "data": {"unread": 3}}]}

    test_action["do"] = publish_then(refuse=True)
    outcome = act(django_capture_on_commit_callbacks, n=4)
    assert outcome.refusal == ("denied", "Non.")
    assert outcome.published == {GROUP: []}


@pytest.mark.django_db
def test_a_listener_hears_its_groups_only_in_order(django_capture_on_commit_callbacks):
    with Listener(GROUP, "testgroup.2") as listener:
        with django_capture_on_commit_callbacks(execute=True):
            for n in range(3):
                realtime.publish(GROUP, "notification.read", None, {"unread": n})
            realtime.publish("testgroup.3", "notification.read", None, {"unread": 9})
            assert listener.take(GROUP) == []  # not before the commit
        assert [event["data"]["unread"] for event in listener.take(GROUP)] == [0, 1, 2]
        assert listener.take(GROUP) == listener.take("testgroup.2") == []
