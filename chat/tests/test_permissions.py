"""Each chat rule (chat/permissions.py) as a Decision: allowed, or refused with exactly the
reason the member reads (English source; one French check per new message).

The people and rooms are chat/tests/conftest.py's: `member` (Karim Benali) and `colleague`
(Inès Garcia) in `territory`; `outsider` elsewhere; `group_manager` and `group_member` in
`private_group`; the `coordinator` reads every group's room but writes only in their own.
"""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from chat import permissions, services
from chat.models import Message
from core.permissions import ALLOWED, Decision

pytestmark = pytest.mark.usefixtures("english")

NOT_READ = "You cannot read this room."
NOT_WRITE = "You cannot write in this room."
NOT_MODERATOR = "You do not moderate this room."
EDIT_OTHERS = "You can only edit your own messages."
EDIT_LATE = "A message can be edited during 15 minutes after it is sent."
DELETE_OTHERS = "You can only delete your own messages."
NOT_REACT = "You cannot react in this room."
DIRECT_PENDING = "Only approved members can send direct messages."
PREFERENCES_PENDING = "Only approved members have chat preferences."


def refused(reason):
    return Decision(False, reason)


def send(actor, room, body="Bonjour"):
    return services.message_send(actor=actor, room=room.pk, body=body)


def fresh(message):
    return Message.objects.select_related("room__space").get(pk=message.pk)


def aged(message, delta):
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - delta)
    return fresh(message)


# --- Rooms --------------------------------------------------------------------------------------


def test_reading_a_room(member, coordinator, outsider, pending_user, network_room, territory_room, private_room,
                        direct_room):
    assert permissions.can_read_room(member, network_room) == ALLOWED
    assert permissions.can_read_room(member, territory_room) == ALLOWED
    assert permissions.can_read_room(member, direct_room) == ALLOWED
    assert permissions.can_read_room(coordinator, private_room) == ALLOWED
    assert permissions.can_read_room(member, private_room) == refused(NOT_READ)
    assert permissions.can_read_room(outsider, territory_room) == refused(NOT_READ)
    assert permissions.can_read_room(coordinator, direct_room) == refused(NOT_READ)
    assert permissions.can_read_room(pending_user, network_room) == refused(NOT_READ)
    assert permissions.can_read_room(member, None) == refused(NOT_READ)


def test_writing_in_a_room(member, coordinator, outsider, group_member, pending_user, network_room, territory_room,
                           private_room, direct_room):
    assert permissions.can_write(member, network_room) == ALLOWED
    assert permissions.can_write(member, direct_room) == ALLOWED
    assert permissions.can_write(group_member, private_room) == ALLOWED
    assert permissions.can_write(coordinator, private_room) == refused(NOT_WRITE)  # reads, does not write
    assert permissions.can_write(outsider, territory_room) == refused(NOT_WRITE)
    assert permissions.can_write(pending_user, network_room) == refused(NOT_WRITE)
    assert permissions.can_write(member, None) == refused(NOT_WRITE)


def test_moderating_a_room(member, coordinator, referent, group_manager, group_member, network_room, territory_room,
                           private_room, direct_room):
    assert permissions.can_moderate(coordinator, network_room) == ALLOWED
    assert permissions.can_moderate(referent, territory_room) == ALLOWED
    assert permissions.can_moderate(group_manager, private_room) == ALLOWED
    assert permissions.can_moderate(member, network_room) == refused(NOT_MODERATOR)
    assert permissions.can_moderate(group_member, private_room) == refused(NOT_MODERATOR)
    assert permissions.can_moderate(member, direct_room) == refused(NOT_MODERATOR)  # nobody moderates it
    assert permissions.can_moderate(coordinator, direct_room) == refused(NOT_MODERATOR)


def test_the_new_reason_is_translated(member, network_room):
    with translation.override("fr"):
        assert permissions.can_moderate(member, network_room) == refused("Vous ne modérez pas ce salon.")
        assert permissions.can_read_room(member, None) == refused("Vous ne pouvez pas lire ce salon.")


# --- Editing --------------------------------------------------------------------------------------


def test_the_edit_deadline_is_fifteen_minutes_after_the_message(member, network_room):
    message = fresh(send(member, network_room))
    assert permissions.edit_deadline(message) == message.created_at + timedelta(minutes=15)


def test_the_author_edits_until_the_deadline_and_not_after(member, network_room):
    message = fresh(send(member, network_room))
    deadline = message.created_at + timedelta(minutes=15)
    assert permissions.can_edit_message(member, message) == ALLOWED
    assert permissions.can_edit_message(member, message, now=deadline) == ALLOWED
    assert permissions.can_edit_message(member, message, now=deadline + timedelta(microseconds=1)) == refused(
        EDIT_LATE)
    assert permissions.can_edit_message(member, aged(message, timedelta(minutes=16))) == refused(EDIT_LATE)


def test_only_the_author_edits(member, colleague, coordinator, network_room):
    message = fresh(send(colleague, network_room))
    for user in (member, coordinator, None):
        assert permissions.can_edit_message(user, message) == refused(EDIT_OTHERS)
    assert permissions.can_edit_message(member, None) == refused(EDIT_OTHERS)


def test_a_deleted_message_is_not_edited(member, network_room):
    message = send(member, network_room)
    services.message_delete(actor=member, message=message.pk)
    assert permissions.can_edit_message(member, fresh(message)) == refused(EDIT_OTHERS)


def test_an_author_who_may_no_longer_write_is_told_so_not_the_window(group_manager, group_member, private_group,
                                                                    private_room):
    message = fresh(send(group_member, private_room))
    private_group.memberships.filter(user=group_member).delete()
    author = type(group_member).objects.get(pk=group_member.pk)
    assert permissions.can_edit_message(author, fresh(message)) == refused(NOT_WRITE)
    # Late as well: the room comes first.
    assert permissions.can_edit_message(author, aged(message, timedelta(hours=1))) == refused(NOT_WRITE)


def test_the_answer_for_the_room_given_by_the_caller_is_used(member, network_room):
    message = fresh(send(member, network_room))
    assert permissions.can_edit_message(member, message, may_write=refused(NOT_WRITE)) == refused(NOT_WRITE)
    assert permissions.can_edit_message(member, message, may_write=ALLOWED) == ALLOWED


def test_the_summary_of_the_edit_rule():
    assert permissions.edit_refused_summary() == (
        "This message can no longer be edited (your own messages, for 15 minutes).")


# --- Deleting -------------------------------------------------------------------------------------


def test_the_author_deletes_at_any_time(member, network_room, direct_room):
    for room in (network_room, direct_room):
        message = aged(send(member, room), timedelta(days=30))
        assert permissions.can_delete_message(member, message) == ALLOWED


def test_the_moderators_delete_others_messages(member, colleague, coordinator, referent, network_room,
                                               territory_room):
    assert permissions.can_delete_message(coordinator, fresh(send(member, network_room))) == ALLOWED
    assert permissions.can_delete_message(referent, fresh(send(member, territory_room))) == ALLOWED
    assert permissions.can_delete_message(colleague, fresh(send(member, network_room))) == refused(DELETE_OTHERS)


def test_nobody_deletes_another_s_message_of_a_direct_conversation(member, colleague, coordinator, direct_room):
    message = fresh(send(member, direct_room))
    for user in (colleague, coordinator):
        assert permissions.can_delete_message(user, message) == refused(DELETE_OTHERS)


def test_a_deleted_or_missing_message_is_not_deleted(member, coordinator, network_room):
    message = send(member, network_room)
    services.message_delete(actor=member, message=message.pk)
    for user in (member, coordinator):
        assert permissions.can_delete_message(user, fresh(message)) == refused(DELETE_OTHERS)
    assert permissions.can_delete_message(member, None) == refused(DELETE_OTHERS)


def test_an_author_who_no_longer_reads_the_room_cannot_delete(group_member, private_group, private_room):
    message = send(group_member, private_room)
    private_group.memberships.filter(user=group_member).delete()
    author = type(group_member).objects.get(pk=group_member.pk)
    assert permissions.can_delete_message(author, fresh(message)) == refused(DELETE_OTHERS)


def test_the_answers_for_the_room_given_by_the_caller_are_used(member, colleague, network_room):
    mine, theirs = fresh(send(member, network_room)), fresh(send(colleague, network_room))
    assert permissions.can_delete_message(member, mine, may_read=refused(NOT_READ)) == refused(DELETE_OTHERS)
    assert permissions.can_delete_message(member, theirs, may_moderate=ALLOWED) == ALLOWED


# --- Reacting, direct conversations, preferences -----------------------------------------------------


def test_reacting(member, colleague, coordinator, group_member, network_room, private_room):
    message = fresh(send(colleague, network_room))
    assert permissions.can_react(member, message) == ALLOWED
    assert permissions.can_react(coordinator, fresh(send(group_member, private_room))) == refused(NOT_REACT)
    services.message_delete(actor=colleague, message=message.pk)
    assert permissions.can_react(member, fresh(message)) == refused(NOT_REACT)
    assert permissions.can_react(member, None) == refused(NOT_REACT)


def test_opening_a_direct_conversation(member, pending_user):
    assert permissions.can_open_direct(member) == ALLOWED
    assert permissions.can_open_direct(pending_user) == refused(DIRECT_PENDING)


def test_writing_to_someone(member, colleague, people, pending_user):
    assert permissions.can_message(member, colleague) == ALLOWED
    assert permissions.can_message(member, colleague, *people) == ALLOWED
    assert permissions.can_message(member, member) == refused("You cannot write to: Karim Benali.")
    assert permissions.can_message(member, pending_user) == refused("You cannot write to: Romain Espitalier.")
    assert permissions.can_message(member, pending_user, colleague, member) == refused(
        "You cannot write to: Romain Espitalier, Karim Benali.")


def test_chat_preferences(member, pending_user):
    assert permissions.can_set_preferences(member) == ALLOWED
    assert permissions.can_set_preferences(pending_user) == refused(PREFERENCES_PENDING)


def test_a_refusal_raises_its_reason(member, network_room):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied) as raised:
        permissions.can_moderate(member, network_room).check()
    assert str(raised.value) == NOT_MODERATOR
    permissions.can_write(member, network_room).check()  # allowed: nothing raised
