"""Chat services: for each one, what is allowed, what is denied, what is invalid.

Allowed: what is saved. Denied: PermissionDenied with a clear message. Invalid:
ValidationError on the right field. After a refusal nothing is half-saved (`refused`
compares every chat table, the notifications, the activity log and the uploaded files
before and after).
"""

import re
from datetime import timedelta
from functools import partial

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from chat import services
from chat.models import Attachment, Connection, Message, Preference, Presence, Reaction, Room, RoomMember
from core import markdown, realtime, uploads
from core.models import Activity, Notification
from extranet.testing import assertions
from extranet.testing.assertions import media_files, notifications, png
from extranet.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")

NOT_WRITE = "You cannot write in this room."
EMPTY = "The message is empty."
REPLY_GONE = "The message you are replying to is no longer in this room."
MALFORMED_ID = "This message's identifier is malformed: reload the page."
USED_ID = "This message's identifier is already used: reload the page."
TOO_QUICK = ("You are sending messages too quickly: wait a few seconds. This message was not sent; "
             "it is still in the box.")
EDIT_LATE = "A message can be edited during 15 minutes after it is sent."
EDIT_OTHERS = "You can only edit your own messages."
DELETE_OTHERS = "You can only delete your own messages."
NOT_REACT = "You cannot react in this room."
BAD_EMOJI = "Choose one of the reactions offered."
NOT_READ = "You cannot read this room."
BAD_UP_TO = "This message number is not valid."
NOBODY = "Choose at least one person to write to."
TOO_MANY_PEOPLE = "A conversation has at most 10 people, you included."
ACCEPTED = "csv, docx, gif, jpeg, jpg, odp, ods, odt, pdf, png, pptx, txt, webp, xlsx, zip"
NNBSP = "\u202f"


# --- Helpers ------------------------------------------------------------------------------------


def state():
    """Every chat table, the notifications, the activity log and the uploaded files."""
    return {
        "rooms": list(Room.objects.order_by("pk").values()),
        "members": list(RoomMember.objects.order_by("pk").values()),
        "messages": list(Message.objects.order_by("pk").values()),
        "reactions": list(Reaction.objects.order_by("pk").values()),
        "attachments": list(Attachment.objects.order_by("pk").values()),
        "preferences": list(Preference.objects.order_by("pk").values()),
        "presences": list(Presence.objects.order_by("pk").values()),
        "connections": list(Connection.objects.order_by("pk").values()),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "recipient_id", "verb")),
        "activities": list(Activity.objects.order_by("pk").values_list("pk", "verb")),
        "files": media_files(),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)


def text_file(name="notes.txt", content=b"Ordre du jour\n"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


def send(actor, room, body="Bonjour à tous", **kwargs):
    return services.message_send(actor=actor, room=room, body=body, **kwargs)


def fresh(message):
    return Message.objects.select_related("room__space").get(pk=message.pk)


def age(message, minutes):
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))
    return fresh(message)


def last_read(user, room):
    return RoomMember.objects.filter(user=user, room=room).values_list("last_read_id", flat=True).first()


def mention(user):
    return f"@**{user.display_name}**"


# --- message_send: who may write -------------------------------------------------------------------


def test_a_member_writes_in_the_network_room(member, network_room):
    message = send(member, network_room, "Bonjour **à tous**")

    stored = Message.objects.get()
    assert (stored.pk, stored.room_id, stored.author_id, stored.body) == (
        message.pk, network_room.pk, member.pk, "Bonjour **à tous**")
    assert stored.html == "<p>Bonjour <strong>à tous</strong></p>\n"
    room = Room.objects.get(pk=network_room.pk)
    assert (room.last_message_id, room.last_message_at) == (stored.pk, stored.created_at)
    assert last_read(member, network_room) == stored.pk  # one's own message is read


def test_the_members_of_a_territory_write_in_its_room(member, referent, territory_room):
    send(member, territory_room, "Réunion jeudi")
    send(referent, territory_room, "Entendu")
    assert list(Message.objects.values_list("author_id", flat=True)) == [member.pk, referent.pk]


def test_someone_of_another_territory_cannot_write_in_a_territory_room(outsider, territory_room):
    with refused(PermissionDenied, NOT_WRITE):
        send(outsider, territory_room)


def test_a_pending_member_cannot_write_anywhere(pending_user, network_room, territory_room):
    for room in (network_room, territory_room):
        with refused(PermissionDenied, NOT_WRITE):
            send(pending_user, room)


def test_a_deactivated_member_cannot_write(member, network_room):
    member.is_active = False
    member.save()
    with refused(PermissionDenied, NOT_WRITE):
        send(member, network_room)


def test_the_members_of_a_private_group_write_in_its_room(group_manager, group_member, private_room):
    send(group_member, private_room, "Première réunion")
    send(group_manager, private_room, "Bienvenue")
    assert Message.objects.filter(room=private_room).count() == 2


def test_someone_outside_a_private_or_secret_group_cannot_write_in_its_room(member, private_room, secret_room):
    for room in (private_room, secret_room):
        with refused(PermissionDenied, NOT_WRITE):
            send(member, room)


def test_a_coordinator_reads_a_private_group_room_but_does_not_write_there(coordinator, private_room):
    # Space.can_view: coordinators read every group's content; Space.can_post (workgroups'
    # can_post): only the group's members write.
    from chat import permissions

    assert permissions.can_read_room(coordinator, private_room)
    with refused(PermissionDenied, NOT_WRITE):
        send(coordinator, private_room)


def test_a_coordinator_writes_in_any_territory_room(coordinator, territory_room):
    send(coordinator, territory_room, "La coordination passe le bonjour")
    assert Message.objects.filter(room=territory_room, author=coordinator).count() == 1


def test_a_reader_of_a_public_group_who_is_not_in_it_cannot_write(colleague, member, public_room):
    send(member, public_room, "Je suis du groupe")
    with refused(PermissionDenied, NOT_WRITE):
        send(colleague, public_room)


def test_nobody_writes_in_an_archived_group(member, public_group, public_room):
    public_group.archived_at = timezone.now()
    public_group.save()
    room = Room.objects.select_related("space__workgroup").get(pk=public_room.pk)
    with refused(PermissionDenied, NOT_WRITE):
        send(member, room)


def test_only_participants_write_in_a_direct_room(member, colleague, coordinator, outsider, direct_room):
    send(member, direct_room, "Salut")
    send(colleague, direct_room, "Salut !")
    for intruder in (coordinator, outsider):
        with refused(PermissionDenied, NOT_WRITE):
            send(intruder, direct_room)


# --- message_send: what is refused ------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\n\n  \n", "\x00", None])
def test_an_empty_message_is_refused(member, network_room, body):
    with refused(ValidationError, EMPTY, "body"):
        send(member, network_room, body)


def test_a_message_of_ten_thousand_characters_passes_and_one_more_is_refused(member, network_room):
    send(member, network_room, "a" * 10_000)
    assert len(Message.objects.get().body) == 10_000
    with refused(ValidationError, f"The message has 10{NNBSP}001 characters; the limit is 10{NNBSP}000. "
                                  "Split it, or attach a document.", "body"):
        send(member, network_room, "b" * 10_001)


def test_a_hundred_kilobytes_message_is_refused(member, network_room):
    with refused(ValidationError, f"The message has 100{NNBSP}000 characters; the limit is 10{NNBSP}000. "
                                  "Split it, or attach a document.", "body"):
        send(member, network_room, "x" * 100_000)


def test_a_reply_to_a_message_of_the_same_room_is_kept(member, colleague, network_room):
    first = send(colleague, network_room, "Qui vient ?")
    answer = send(member, network_room, "Moi", reply_to=first)
    assert fresh(answer).reply_to_id == first.pk


def test_a_reply_to_a_message_of_another_room_is_refused(member, network_room, territory_room):
    elsewhere = send(member, territory_room, "Ailleurs")
    with refused(ValidationError, REPLY_GONE, "reply_to"):
        send(member, network_room, "Réponse", reply_to=elsewhere)


def test_a_reply_to_a_deleted_message_is_refused(member, colleague, network_room):
    first = send(colleague, network_room, "Oups")
    services.message_delete(actor=colleague, message=fresh(first))
    with refused(ValidationError, REPLY_GONE, "reply_to"):
        send(member, network_room, "Réponse", reply_to=fresh(first))


def test_files_are_stored_with_the_message(member, network_room):
    message = send(member, network_room, "", files=[png("Capture écran.png"), text_file("ordre du jour.txt")])
    attachments = list(Attachment.objects.filter(message=message).order_by("pk"))
    assert [(a.name, a.content_type, a.is_image) for a in attachments] == [
        ("Capture écran.png", "image/png", True), ("ordre du jour.txt", "text/plain", False)]
    assert attachments[1].size == len(b"Ordre du jour\n")
    assert len(media_files()) == 2
    assert fresh(message).body == ""


def test_a_file_of_a_refused_type_is_refused_and_nothing_stored(member, network_room):
    upload = SimpleUploadedFile("outil.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with refused(ValidationError, f"« outil.exe »: this type of file is not accepted (accepted: {ACCEPTED}).",
                 "attachments"):
        send(member, network_room, "Voici l'outil", files=[upload])


def test_a_file_too_big_is_refused_and_nothing_stored(member, network_room):
    big = text_file("gros.txt", b"a" * (10 * 1024 * 1024 + 1))
    with refused(ValidationError, "« gros.txt » is larger than 10 MB.", "attachments"):
        send(member, network_room, "Le fichier", files=[png(), big])


def test_a_fake_png_is_refused_and_nothing_stored(member, network_room):
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    with refused(ValidationError, "« photo.png » is not really a .png file.", "attachments"):
        send(member, network_room, "La photo", files=[fake])


def test_more_than_five_files_are_refused(member, network_room):
    with refused(ValidationError, "At most 5 files per message.", "attachments"):
        send(member, network_room, "Tout", files=[text_file(f"f{i}.txt") for i in range(6)])


@pytest.mark.parametrize("client_id", ["avec espace", "a" * 65, "é", "x;drop", "../etc", "<script>"])
def test_a_malformed_client_id_is_refused(member, network_room, client_id):
    with refused(ValidationError, MALFORMED_ID, "client_id"):
        send(member, network_room, client_id=client_id)


def test_the_same_client_id_twice_is_one_message(member, network_room):
    first = send(member, network_room, "Une fois", client_id="tab1-0001")
    with nothing_saved():
        again = send(member, network_room, "Une fois", client_id="tab1-0001")
    assert again.pk == first.pk
    assert Message.objects.count() == 1


def test_a_client_id_is_per_author(member, colleague, network_room):
    send(member, network_room, "Moi", client_id="same-id")
    send(colleague, network_room, "Moi aussi", client_id="same-id")
    assert Message.objects.count() == 2


def test_a_client_id_already_used_in_another_room_is_refused(member, network_room, territory_room):
    send(member, network_room, "Ici", client_id="abc_123")
    with refused(ValidationError, USED_ID, "client_id"):
        send(member, territory_room, "Là", client_id="abc_123")


def test_too_many_messages_at_once_are_refused_with_a_clear_message(member, network_room):
    for number in range(services.RATE_LIMIT):
        send(member, network_room, f"Message {number}")
    assert Message.objects.count() == 20
    with refused(realtime.RateLimited, TOO_QUICK):
        send(member, network_room, "Un de trop")
    assert Message.objects.count() == 20


def test_the_rate_limit_is_per_member(member, colleague, network_room):
    for number in range(services.RATE_LIMIT):
        send(member, network_room, f"Message {number}")
    send(colleague, network_room, "Moi je peux encore")
    assert Message.objects.filter(author=colleague).count() == 1


# --- Mentions and direct-message notifications -------------------------------------------------------


def test_a_mentioned_member_who_may_read_the_room_is_notified(member, colleague, network_room):
    message = send(member, network_room, f"Tu viens {mention(colleague)} ?")
    assert notifications() == [(colleague.pk, "chat.mentioned")]
    notification = Notification.objects.get()
    assert notification.actor_id == member.pk
    assert notification.url == f"/bureau/discussions/salon/{network_room.pk}/?autour={message.pk}#message-{message.pk}"
    profile = reverse("members:profile", args=[colleague.pk])
    assert fresh(message).html == (f'<p>Tu viens <a href="{profile}" rel="nofollow ugc noopener">@Inès Garcia</a>'
                                   " ?</p>\n")


def test_a_mentioned_member_outside_a_private_group_is_not_notified(group_member, member, private_room):
    send(group_member, private_room, f"Il faudrait demander à {mention(member)}")
    assert notifications() == []


def test_a_mentioned_member_outside_a_territory_is_not_notified(member, outsider, territory_room):
    send(member, territory_room, f"Et {mention(outsider)} ?")
    assert notifications() == []


def test_mentioning_oneself_notifies_nobody(member, network_room):
    send(member, network_room, f"Note pour {mention(member)}")
    assert notifications() == []


def test_a_member_mentioned_twice_in_one_message_is_notified_once(member, colleague, network_room):
    send(member, network_room, f"{mention(colleague)} et encore {mention(colleague)}")
    assert notifications() == [(colleague.pk, "chat.mentioned")]


def test_a_direct_message_notifies_once_until_read(member, colleague, direct_room):
    send(member, direct_room, "Coucou")
    assert notifications() == [(colleague.pk, "chat.direct_message")]
    send(member, direct_room, "Tu es là ?")
    assert notifications() == [(colleague.pk, "chat.direct_message")]  # not read yet: no second one
    services.room_mark_read(actor=colleague, room=direct_room)
    send(member, direct_room, "Et maintenant ?")
    assert notifications() == [(colleague.pk, "chat.direct_message")] * 2


def test_a_group_direct_message_notifies_every_other_participant(member, colleague, people):
    room = services.direct_room_open(actor=member, others=[colleague, people[0]])
    send(member, room, "Bonjour à vous deux")
    assert notifications() == sorted([(colleague.pk, "chat.direct_message"), (people[0].pk, "chat.direct_message")])


def test_an_answer_in_a_direct_room_notifies_the_first_sender(member, colleague, direct_room):
    send(member, direct_room, "Coucou")
    services.room_mark_read(actor=colleague, room=direct_room)
    send(colleague, direct_room, "Salut")
    assert notifications() == sorted([(colleague.pk, "chat.direct_message"), (member.pk, "chat.direct_message")])


# --- message_edit ---------------------------------------------------------------------------------


def test_one_edits_ones_message_within_the_window(member, network_room):
    message = send(member, network_room, "Réunion lundi")
    edited = services.message_edit(actor=member, message=fresh(message), body="Réunion *mardi*")
    stored = fresh(message)
    assert (stored.body, stored.html) == ("Réunion *mardi*", "<p>Réunion <em>mardi</em></p>\n")
    assert stored.edited_at is not None and edited.pk == message.pk


def test_an_edit_just_before_the_end_of_the_window_passes(member, network_room):
    message = age(send(member, network_room, "Avant"), 14)
    services.message_edit(actor=member, message=message, body="Après")
    assert fresh(message).body == "Après"


def test_after_the_window_an_edit_is_refused(member, network_room):
    message = age(send(member, network_room, "Avant"), 16)
    with refused(PermissionDenied, EDIT_LATE):
        services.message_edit(actor=member, message=message, body="Après")


def test_one_cannot_edit_someone_elses_message(member, colleague, coordinator, network_room):
    message = send(colleague, network_room, "À moi")
    for actor in (member, coordinator):
        with refused(PermissionDenied, EDIT_OTHERS):
            services.message_edit(actor=actor, message=fresh(message), body="Modifié")


def test_a_deleted_message_cannot_be_edited(member, network_room):
    message = send(member, network_room, "Supprimé")
    services.message_delete(actor=member, message=fresh(message))
    with refused(PermissionDenied, EDIT_OTHERS):
        services.message_edit(actor=member, message=fresh(message), body="Revenu")


def test_one_who_may_no_longer_write_cannot_edit(territory, group_manager, private_group, private_room):
    former = UserFactory(territory=territory, display_name="Paul Ancien")
    MembershipFactory(workgroup=private_group, user=former)
    message = send(former, private_room, "J'y étais")
    private_group.memberships.filter(user=former).delete()
    former = type(former).objects.get(pk=former.pk)
    # Their own message, in the window: the reason is that they may no longer write there,
    # not the 15 minutes.
    with refused(PermissionDenied, NOT_WRITE):
        services.message_edit(actor=former, message=fresh(message), body="Plus là")


def test_an_edit_to_an_empty_body_is_refused(member, network_room):
    message = send(member, network_room, "Quelque chose")
    with refused(ValidationError, EMPTY, "body"):
        services.message_edit(actor=member, message=fresh(message), body="  \n ")


def test_an_edit_too_long_is_refused(member, network_room):
    message = send(member, network_room, "Court")
    with refused(ValidationError, f"The message has 10{NNBSP}001 characters; the limit is 10{NNBSP}000. "
                                  "Split it, or attach a document.", "body"):
        services.message_edit(actor=member, message=fresh(message), body="z" * 10_001)


def test_a_message_with_files_may_be_edited_to_no_text(member, network_room):
    message = send(member, network_room, "La photo", files=[png()])
    services.message_edit(actor=member, message=fresh(message), body="")
    assert fresh(message).body == ""


def test_the_same_body_changes_nothing(member, network_room):
    message = send(member, network_room, "Pareil")
    with nothing_saved():
        services.message_edit(actor=member, message=fresh(message), body="Pareil")
    assert fresh(message).edited_at is None


def test_new_mentions_of_an_edit_are_notified_once(member, colleague, people, network_room):
    message = send(member, network_room, f"Bonjour {mention(colleague)}")
    assert notifications() == [(colleague.pk, "chat.mentioned")]
    services.message_edit(actor=member, message=fresh(message),
                          body=f"Bonjour {mention(colleague)} et {mention(people[0])}")
    assert notifications() == sorted([(colleague.pk, "chat.mentioned"), (people[0].pk, "chat.mentioned")])
    services.message_edit(actor=member, message=fresh(message),
                          body=f"Re-bonjour {mention(colleague)} et {mention(people[0])}")
    assert notifications() == sorted([(colleague.pk, "chat.mentioned"), (people[0].pk, "chat.mentioned")])


def test_a_mention_added_by_edit_in_a_private_room_is_not_leaked(group_member, member, private_room):
    message = send(group_member, private_room, "Bonjour")
    services.message_edit(actor=group_member, message=fresh(message), body=f"Bonjour {mention(member)}")
    assert notifications() == []


# --- message_delete --------------------------------------------------------------------------------


def test_one_deletes_ones_own_message_at_any_time(member, network_room):
    message = age(send(member, network_room, "Vieux message"), 60 * 24 * 30)
    services.message_delete(actor=member, message=message)
    stored = fresh(message)
    assert stored.deleted_at is not None and stored.deleted_by_id == member.pk
    assert Activity.objects.filter(verb="chat.message_removed").count() == 0


def test_a_coordinator_removes_a_message_of_the_network_room_and_it_is_logged(member, coordinator, network_room):
    message = send(member, network_room, "Hors sujet")
    services.message_delete(actor=coordinator, message=fresh(message))
    stored = fresh(message)
    assert (stored.deleted_by_id, stored.deleted_at is not None) == (coordinator.pk, True)
    activity = Activity.objects.get()
    assert (activity.verb, activity.actor_id, activity.space_id) == (
        "chat.message_removed", coordinator.pk, network_room.space_id)
    assert activity.data == {"author": "Karim Benali", "message": message.pk}


def test_a_local_admin_removes_a_message_of_their_territory_room(member, referent, territory_room):
    message = send(member, territory_room, "Hors sujet")
    services.message_delete(actor=referent, message=fresh(message))
    assert fresh(message).deleted_by_id == referent.pk
    assert list(Activity.objects.values_list("verb", "actor_id")) == [("chat.message_removed", referent.pk)]


def test_a_group_manager_removes_a_message_of_the_group_room(group_manager, group_member, private_room):
    message = send(group_member, private_room, "Hors sujet")
    services.message_delete(actor=group_manager, message=fresh(message))
    assert fresh(message).deleted_by_id == group_manager.pk


def test_a_plain_member_cannot_delete_someone_elses_message(member, colleague, network_room):
    message = send(colleague, network_room, "Le mien")
    with refused(PermissionDenied, DELETE_OTHERS):
        services.message_delete(actor=member, message=fresh(message))


def test_nobody_moderates_a_direct_room(member, colleague, coordinator, direct_room):
    message = send(member, direct_room, "Entre nous")
    for actor in (colleague, coordinator):
        with refused(PermissionDenied, DELETE_OTHERS):
            services.message_delete(actor=actor, message=fresh(message))


def test_a_deleted_message_cannot_be_deleted_again(member, coordinator, network_room):
    message = send(member, network_room, "Une fois")
    services.message_delete(actor=member, message=fresh(message))
    with refused(PermissionDenied, DELETE_OTHERS):
        services.message_delete(actor=coordinator, message=fresh(message))


# --- reaction_toggle -------------------------------------------------------------------------------


def test_a_reaction_is_added_then_taken_back(member, colleague, network_room):
    message = send(colleague, network_room, "Bravo à tous")
    assert services.reaction_toggle(actor=member, message=fresh(message), emoji="👍") is True
    assert list(Reaction.objects.values_list("message_id", "user_id", "emoji")) == [(message.pk, member.pk, "👍")]
    assert services.reaction_toggle(actor=member, message=fresh(message), emoji="🎉") is True
    assert Reaction.objects.count() == 2
    assert services.reaction_toggle(actor=member, message=fresh(message), emoji="👍") is False
    assert list(Reaction.objects.values_list("emoji", flat=True)) == ["🎉"]


@pytest.mark.parametrize("emoji", ["💩", "", "👍👍", "<script>", "thumbs up", None])
def test_an_unknown_emoji_is_refused(member, network_room, emoji):
    message = send(member, network_room, "Salut")
    with refused(ValidationError, BAD_EMOJI, "emoji"):
        services.reaction_toggle(actor=member, message=fresh(message), emoji=emoji)


def test_a_reader_who_may_not_write_cannot_react(coordinator, group_member, private_room):
    message = send(group_member, private_room, "Salut")
    with refused(PermissionDenied, NOT_REACT):
        services.reaction_toggle(actor=coordinator, message=fresh(message), emoji="👍")


def test_an_outsider_cannot_react(member, group_member, private_room):
    message = send(group_member, private_room, "Salut")
    with refused(PermissionDenied, NOT_REACT):
        services.reaction_toggle(actor=member, message=fresh(message), emoji="👍")


def test_one_cannot_react_to_a_deleted_message(member, colleague, network_room):
    message = send(colleague, network_room, "Effacé")
    services.message_delete(actor=colleague, message=fresh(message))
    with refused(PermissionDenied, NOT_REACT):
        services.reaction_toggle(actor=member, message=fresh(message), emoji="👍")


# --- room_mark_read -------------------------------------------------------------------------------


def test_marking_read_goes_forward_and_never_backwards(member, colleague, network_room):
    messages = [send(colleague, network_room, f"Message {i}") for i in range(3)]
    assert services.room_mark_read(actor=member, room=network_room, up_to=messages[1].pk) is True
    assert last_read(member, network_room) == messages[1].pk
    assert services.room_mark_read(actor=member, room=network_room, up_to=messages[0].pk) is False
    assert last_read(member, network_room) == messages[1].pk
    assert services.room_mark_read(actor=member, room=network_room) is True
    assert last_read(member, network_room) == messages[2].pk


def test_marking_read_is_capped_at_the_last_message(member, colleague, network_room):
    last = [send(colleague, network_room, f"Message {i}") for i in range(2)][-1]
    services.room_mark_read(actor=member, room=network_room, up_to=last.pk + 1000)
    assert last_read(member, network_room) == last.pk


def test_marking_read_accepts_a_number_as_text(member, colleague, network_room):
    first = send(colleague, network_room, "Un")
    send(colleague, network_room, "Deux")
    services.room_mark_read(actor=member, room=network_room, up_to=str(first.pk))
    assert last_read(member, network_room) == first.pk


@pytest.mark.parametrize("up_to", ["abc", "1.5", "", [], "-1", -5])
def test_a_malformed_up_to_is_refused(member, colleague, network_room, up_to):
    send(colleague, network_room, "Un")
    with refused(ValidationError, BAD_UP_TO, "up_to"):
        services.room_mark_read(actor=member, room=network_room, up_to=up_to)


def test_one_cannot_mark_read_a_room_one_cannot_read(member, outsider, group_member, private_room, direct_room):
    send(group_member, private_room, "Entre nous")
    with refused(PermissionDenied, NOT_READ):
        services.room_mark_read(actor=member, room=private_room)
    send(member, direct_room, "Entre nous deux")
    with refused(PermissionDenied, NOT_READ):
        services.room_mark_read(actor=outsider, room=direct_room)


# --- direct_room_open -----------------------------------------------------------------------------


def participants(room):
    return set(RoomMember.objects.filter(room=room, is_participant=True).values_list("user_id", flat=True))


def test_a_direct_room_between_two_members(member, colleague):
    room = services.direct_room_open(actor=member, others=[colleague])
    assert (room.kind, room.space_id, room.created_by_id) == ("direct", None, member.pk)
    assert room.direct_key == "-".join(str(pk) for pk in sorted([member.pk, colleague.pk]))
    assert participants(room) == {member.pk, colleague.pk}


def test_the_same_people_in_another_order_find_the_same_room(member, colleague, people):
    room = services.direct_room_open(actor=member, others=[colleague, people[0], people[1]])
    with nothing_saved():
        again = services.direct_room_open(actor=people[1], others=[people[0], member, colleague, colleague])
        also = services.direct_room_open(actor=colleague, others=[people[1], member, people[0]])
    assert again.pk == room.pk == also.pk
    assert Room.objects.filter(kind="direct").count() == 1
    one_to_one = services.direct_room_open(actor=colleague, others=[member])
    assert one_to_one.pk != room.pk
    assert services.direct_room_open(actor=member, others=[colleague]).pk == one_to_one.pk


def test_the_actor_listed_among_the_others_counts_once(member, colleague):
    room = services.direct_room_open(actor=member, others=[member, colleague])
    assert participants(room) == {member.pk, colleague.pk}


def test_a_direct_room_holds_up_to_ten_people_the_actor_included(member, territory):
    others = [UserFactory(territory=territory) for _ in range(10)]
    room = services.direct_room_open(actor=member, others=others[:9])
    assert participants(room) == {member.pk, *(u.pk for u in others[:9])}
    with refused(ValidationError, TOO_MANY_PEOPLE, "members"):
        services.direct_room_open(actor=member, others=others)


def test_nobody_to_write_to_is_refused(member):
    for others in ([], [member], [None]):
        with refused(ValidationError, NOBODY, "members"):
            services.direct_room_open(actor=member, others=others)


def test_a_pending_or_deactivated_member_is_refused_by_name(member, colleague, pending_user, territory):
    gone = UserFactory(territory=territory, display_name="Julie Partie", is_active=False)
    with refused(ValidationError, "You cannot write to: Romain Espitalier.", "members"):
        services.direct_room_open(actor=member, others=[colleague, pending_user])
    with refused(ValidationError, "You cannot write to: Julie Partie.", "members"):
        services.direct_room_open(actor=member, others=[gone])


def test_a_pending_member_cannot_open_a_direct_room(pending_user, member):
    with refused(PermissionDenied, "Only approved members can send direct messages."):
        services.direct_room_open(actor=pending_user, others=[member])


# --- preference_set -------------------------------------------------------------------------------


def test_preferences_are_saved_and_changed(member):
    services.preference_set(actor=member, share_presence=False, share_typing=True)
    assert list(Preference.objects.values_list("user_id", "share_presence", "share_typing")) == [
        (member.pk, False, True)]
    services.preference_set(actor=member, share_presence=True, share_typing=False)
    assert list(Preference.objects.values_list("user_id", "share_presence", "share_typing")) == [
        (member.pk, True, False)]


def test_a_pending_member_has_no_preferences(pending_user):
    with refused(PermissionDenied, "Only approved members have chat preferences."):
        services.preference_set(actor=pending_user, share_presence=False, share_typing=False)


# --- Presence ---------------------------------------------------------------------------------------


def status_of(user):
    return Presence.objects.filter(user=user).values_list("status", flat=True).first()


def test_presence_follows_the_tabs(member):
    assert services.presence_report(user_id=member.pk, channel_name="tab-active", active=True) == "online"
    assert services.presence_report(user_id=member.pk, channel_name="tab-idle", active=False) == "online"
    assert status_of(member) == "online"
    assert services.presence_disconnect(user_id=member.pk, channel_name="tab-active") == "away"
    assert status_of(member) == "away"
    assert services.presence_disconnect(user_id=member.pk, channel_name="tab-idle") == "offline"
    assert status_of(member) == "offline"
    assert Connection.objects.count() == 0


def test_a_tab_going_idle_then_active_again(member):
    services.presence_report(user_id=member.pk, channel_name="tab", active=True)
    assert services.presence_report(user_id=member.pk, channel_name="tab", active=False) == "away"
    assert services.presence_report(user_id=member.pk, channel_name="tab", active=True) == "online"
    assert Connection.objects.filter(user=member).count() == 1


def test_a_second_disconnect_of_the_same_tab_changes_nothing(member):
    services.presence_report(user_id=member.pk, channel_name="tab", active=True)
    services.presence_disconnect(user_id=member.pk, channel_name="tab")
    assert services.presence_disconnect(user_id=member.pk, channel_name="tab") is None
    assert status_of(member) == "offline"


def test_one_who_does_not_share_presence_is_offline(member, colleague):
    services.presence_report(user_id=member.pk, channel_name="tab", active=True)
    services.preference_set(actor=member, share_presence=False, share_typing=True)
    assert status_of(member) == "offline"
    assert services.presence_report(user_id=member.pk, channel_name="tab2", active=True) == "offline"
    services.preference_set(actor=member, share_presence=True, share_typing=True)
    assert status_of(member) == "online"


def test_a_stale_connection_is_swept_and_the_member_goes_offline(member, colleague):
    services.presence_report(user_id=member.pk, channel_name="crashed", active=True)
    services.presence_report(user_id=colleague.pk, channel_name="alive", active=True)
    Connection.objects.filter(channel_name="crashed").update(
        seen_at=timezone.now() - timedelta(seconds=services.PRESENCE_STALE_SECONDS + 5))
    assert services.presence_sweep() == 1
    assert list(Connection.objects.values_list("channel_name", flat=True)) == ["alive"]
    assert (status_of(member), status_of(colleague)) == ("offline", "online")


def test_a_connection_seen_recently_is_not_swept(member):
    services.presence_report(user_id=member.pk, channel_name="tab", active=True)
    Connection.objects.update(seen_at=timezone.now() - timedelta(seconds=services.PRESENCE_STALE_SECONDS - 30))
    assert services.presence_sweep() == 0
    assert (Connection.objects.count(), status_of(member)) == (1, "online")


def test_a_status_stuck_without_connection_is_swept(member):
    Presence.objects.create(user=member, status="online")
    assert services.presence_sweep() == 1
    assert status_of(member) == "offline"


# --- XSS: what a message may hold once stored, and on the room page -----------------------------------


NASTY_NAMES = ['<img src=x onerror=alert("nom")>', '"><script>alert("nom")</script>', "Zoé <b onclick=alert(1)>"]

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.test/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<img src=`javascript:alert(1)`>",
    "<body onload=alert(1)>",
    "<div onmouseover=\"alert(1)\">survol</div>",
    "<a href=\"javascript:alert(1)\">clic</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">clic</a>",
    "<a href=\"  javascript:alert(1)\">clic</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">clic</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">clic</a>",
    "[clic](javascript:alert(1))",
    "[clic](JAVASCRIPT:alert(1))",
    "[clic](  javascript:alert(1)  )",
    "[clic](&#106;avascript:alert(1))",
    "[clic](&#x6A;avascript:alert(1))",
    "[clic](jav&#x09;ascript:alert(1))",
    "[clic](javascript&colon;alert(1))",
    "[clic](java\tscript:alert(1))",
    "[clic](vbscript:msgbox(1))",
    "[clic](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[clic](data:text/html,<script>alert(1)</script>)",
    "[clic](file:///etc/passwd)",
    "[clic](\"onmouseover=\"alert(1))",
    "[clic](http://exemple.test/\"onmouseover=\"alert(1))",
    "[clic](http://exemple.test/ \"titre\" onmouseover=alert(1))",
    "[clic][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<http://exemple.test/\"onmouseover=\"alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "![image](javascript:alert(1))",
    "![image](http://evil.test/pixel.png)",
    "![x\" onerror=\"alert(1)](http://evil.test/x.png)",
    "![image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[![image](http://evil.test/x.png)](javascript:alert(1))",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">clic</mi></math>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<p style=\"background:url(javascript:alert(1))\">style</p>",
    "<link rel=stylesheet href=\"http://evil.test/x.css\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "```\"><script>alert(1)</script>\nx\n```",
    "> <img src=x onerror=alert(1)>",
    "* <a href=javascript:alert(1)>x</a>",
    "**<script>alert(1)</script>**",
    "<span class=\"mention\" onclick=\"alert(1)\">faux</span>",
    "<code class=\"language-js onmouseover=alert(1)\">x</code>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "@**<script>alert(1)</script>**",
    "@**<img src=x onerror=alert(1)>|12**",
    "@**\"><svg onload=alert(1)>**",
    "http://exemple.test/<script>alert(1)</script>",
    "www.exemple.test/\"onmouseover=\"alert(1)",
    "mailto:x@exemple.test?body=<script>alert(1)</script>",
    "[ok](mailto:\"onmouseover=alert(1)@exemple.test)",
    "\x00<script>alert(1)</script>",
    "<scr\x00ipt>alert(1)</script>",
    "<a href=\"//evil.test\" target=_blank onclick=alert(1)>x</a>",
]
# A URL's scheme as browsers parse it (WHATWG URL: a letter, then letters, digits, "+", "-", ".");
# without one, the URL is relative.
SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def assert_safe_message_html(html):
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name in markdown.MESSAGE_TAGS, (tag.name, html)
        allowed = set(markdown.MESSAGE_ATTRIBUTES.get(tag.name, ())) | ({"rel"} if tag.name == "a" else set())
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), html
            assert name in allowed, (tag.name, name, html)
            if name == "rel":
                assert value == ["nofollow", "ugc", "noopener"], html
            if name == "class":
                assert value == ["mention"] or (
                    tag.name == "code" and len(value) == 1 and re.fullmatch(r"language-[A-Za-z0-9_+-]+", value[0])
                ), html
        if tag.name == "a" and tag.has_attr("href"):
            href = "".join(ch for ch in tag["href"] if ch > " ")  # browsers drop tabs, newlines, spaces
            scheme = SCHEME_RE.match(href)
            assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), (tag["href"], html)
    assert soup.find("img") is None
    assert "<script" not in html.lower() and "<img" not in html.lower()


def assert_safe_page(content):
    soup = BeautifulSoup(content, "html.parser")
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), (tag.name, name)
            text = " ".join(value) if isinstance(value, list) else value
            if name in ("href", "src", "action", "formaction", "data", "srcdoc"):
                assert not re.match(r"(?i)\s*(javascript|vbscript|data):", text), (tag.name, name, text)
        assert tag.name not in ("iframe", "object", "embed", "svg", "math", "base", "style", "form") or \
            (tag.name == "form" and "alert" not in (tag.get("action") or "")), tag.name
        if tag.name == "script":
            assert tag.get("src") or tag.get("type") == "application/json", tag
            assert "alert" not in tag.get_text(), tag
    for body in soup.select("[data-body]"):
        assert_safe_message_html(body.decode_contents())
    return soup


@pytest.fixture
def no_rate_limit(monkeypatch):
    monkeypatch.setattr(services, "RATE_LIMIT", 100_000)


@pytest.fixture
def nasty_people(territory):
    return [UserFactory(territory=territory, display_name=name) for name in NASTY_NAMES]


def test_the_xss_corpus_is_large_enough():
    assert len(set(XSS_PAYLOADS)) >= 50


def test_no_payload_survives_in_a_stored_message(member, network_room, nasty_people, no_rate_limit):
    bodies = XSS_PAYLOADS + [f"Bonjour {mention(user)} <script>alert(2)</script>" for user in nasty_people]
    for body in bodies:
        message = send(member, network_room, body)
        assert_safe_message_html(fresh(message).html)
    # The mentions of members with markup in their name are linked, with the name as text.
    for user in nasty_people:
        html = Message.objects.filter(body__contains=user.display_name).get().html
        link = BeautifulSoup(html, "html.parser").find("a", href=reverse("members:profile", args=[user.pk]))
        assert link is not None and link.get_text() == f"@{user.display_name}"


def test_an_edit_cannot_bring_a_payload_in(member, network_room, no_rate_limit):
    message = send(member, network_room, "Sage")
    for body in XSS_PAYLOADS[:20]:
        services.message_edit(actor=member, message=fresh(message), body=body)
        assert_safe_message_html(fresh(message).html)


def test_the_room_pages_show_no_payload(client, member, colleague, network_room, territory_room, public_room,
                                        nasty_people, no_rate_limit):
    rooms = [network_room, territory_room, public_room]
    for index, body in enumerate(XSS_PAYLOADS):
        send(member, rooms[index % 3], body)
    for user in nasty_people:  # authors and mentions with markup in their names, replies quoting payloads
        first = send(user, network_room, f"{mention(member)} <img src=x onerror=alert(3)>")
        send(member, network_room, f"Réponse à {mention(user)}", reply_to=first)
    client.force_login(member)
    for room in rooms:
        response = client.get(f"/bureau/discussions/salon/{room.pk}/")
        assert response.status_code == 200
        soup = assert_safe_page(response.content.decode())
        shown = len(soup.select("[data-body]"))
        assert shown == Message.objects.filter(room=room).count() == len(soup.select("[data-message]"))
    page = client.get(f"/bureau/discussions/salon/{network_room.pk}/").content.decode()
    for name in NASTY_NAMES:
        assert name not in page
        assert escape(name) in page


def test_attachment_names_with_payloads_are_stored_cleaned_and_shown_escaped(client, member, network_room,
                                                                            no_rate_limit):
    names = {
        '"><img src=x onerror=alert(1)>.txt': 'img src=x onerror=alert(1).txt',
        "<script>alert(1)</script>.txt": "script.txt",
        "javascript:alert(1).txt": "javascriptalert(1).txt",
        "..\\..\\evil<b>.txt": "evilb.txt",
        "nom\x00\x1b[31mrouge.txt": "nom[31mrouge.txt",
        "a\"onmouseover=\"alert(1).png": "aonmouseover=alert(1).png",
        "   .txt": "fichier.txt",
        "'`|*?.txt": "fichier.txt",
    }
    stored = []
    for original in names:
        upload = png(original) if original.endswith(".png") else text_file(original)
        stored.append(send(member, network_room, "Pièce jointe", files=[upload]))
    got = [Attachment.objects.get(message=message).name for message in stored]
    assert got == list(names.values())
    assert got == [uploads.clean_file_name(name) for name in names]
    for name in got:
        assert not set(name) & set("<>\"'`\\/:*?|") and all(ch >= " " for ch in name)
    client.force_login(member)
    content = client.get(f"/bureau/discussions/salon/{network_room.pk}/").content.decode()
    assert_safe_page(content)
    soup = BeautifulSoup(content, "html.parser")
    assert soup.select("img[onerror]") == []
    shown = {a.get_text() for a in soup.select(".chat-attachments a[download]")}
    shown |= {img["alt"] for img in soup.select(".chat-attachments img")}
    assert shown == set(names.values())


# --- What the adapters receive: ids and raw input ----------------------------------------------------
# Views and socket handlers hand the services ids (a model instance is accepted too, as
# above); the services fetch, lock and decide themselves.


def test_a_message_is_sent_to_a_room_by_its_id_replying_to_a_message_by_its_id(member, colleague, network_room):
    first = send(colleague, network_room, "Qui vient ?")
    answer = services.message_send(actor=member, room=network_room.pk, body="Moi", reply_to=first.pk)
    assert (fresh(answer).room_id, fresh(answer).reply_to_id) == (network_room.pk, first.pk)


@pytest.mark.parametrize("where", ["another room", "deleted", "nowhere", "zero"])
def test_a_reply_to_an_id_one_may_not_reply_to_is_refused(member, colleague, network_room, territory_room, where):
    reply_to = {
        "another room": lambda: send(colleague, territory_room, "Ailleurs").pk,
        "deleted": lambda: services.message_delete(actor=colleague, message=send(colleague, network_room).pk).pk,
        "nowhere": lambda: 10 ** 9,
        "zero": lambda: 0,
    }[where]()
    with refused(ValidationError, REPLY_GONE, "reply_to"):
        services.message_send(actor=member, room=network_room.pk, body="Réponse", reply_to=reply_to)


def test_a_room_that_does_not_exist_is_refused_as_any_room_one_may_not_write_in(member, network_room):
    with refused(PermissionDenied, NOT_WRITE):
        services.message_send(actor=member, room=network_room.pk + 1000, body="Il y a quelqu'un ?")
    with refused(PermissionDenied, NOT_READ):
        services.room_mark_read(actor=member, room=network_room.pk + 1000)


def test_messages_are_edited_deleted_and_reacted_to_by_their_id(member, colleague, network_room):
    message = send(member, network_room, "Avant")
    services.message_edit(actor=member, message=message.pk, body="Après")
    assert services.reaction_toggle(actor=colleague, message=message.pk, emoji="👍") is True
    services.message_delete(actor=member, message=message.pk)
    stored = fresh(message)
    assert (stored.body, stored.edited_at is not None, stored.deleted_by_id) == ("Après", True, member.pk)
    assert list(Reaction.objects.values_list("message_id", "user_id")) == [(message.pk, colleague.pk)]


def test_a_message_that_does_not_exist_is_refused_with_each_rule_s_reason(member, network_room):
    missing = send(member, network_room).pk + 1000
    with refused(PermissionDenied, EDIT_OTHERS):
        services.message_edit(actor=member, message=missing, body="Rien")
    with refused(PermissionDenied, DELETE_OTHERS):
        services.message_delete(actor=member, message=missing)
    with refused(PermissionDenied, NOT_REACT):
        services.reaction_toggle(actor=member, message=missing, emoji="👍")


def test_the_service_decides_on_the_message_as_stored_not_as_given(member, network_room):
    """A caller's copy of the message may be stale: the service reads it again."""
    message = send(member, network_room, "Là")
    stale = fresh(message)
    services.message_delete(actor=member, message=message.pk)
    with refused(PermissionDenied, EDIT_OTHERS):
        services.message_edit(actor=member, message=stale, body="Revenu")


def test_a_direct_conversation_is_opened_with_ids(member, colleague, people):
    room = services.direct_room_open(actor=member, others=[colleague.pk, people[0].pk, colleague.pk])
    assert sorted(RoomMember.objects.filter(room=room, is_participant=True).values_list("user_id", flat=True)) == \
        sorted([member.pk, colleague.pk, people[0].pk])
    assert services.direct_room_open(actor=colleague, others=[member.pk, people[0]]).pk == room.pk


def test_an_id_that_is_no_approved_member_s_is_refused(member, colleague, pending_user):
    for ids in ([pending_user.pk], [colleague.pk, 10 ** 9]):
        with refused(ValidationError, "Some of the people chosen can no longer be written to.", "members"):
            services.direct_room_open(actor=member, others=ids)
