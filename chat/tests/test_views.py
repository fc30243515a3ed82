"""Chat pages through HTTP, without JavaScript: what each person sees and can do, bad
input, query counts.

Pages are read in English (language cookie), so messages are compared with their source;
one test reads the default language (French) where the translation exists.
Fixtures (rooms, groups, people): chat/tests/conftest.py.
"""

import json
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chat import permissions, selectors, services
from chat.models import Attachment, Message, Preference, Reaction, Room, RoomMember
from core.models import Activity
from extranet.testing.assertions import png
from extranet.testing.factories import MembershipFactory, UserFactory, WorkgroupFactory
from extranet.testing.pages import english_client, messages_of, soup, text_of

READ_ONLY = "You can read this room; only the members of the space write in it."
EMPTY = "The message is empty."
EMPTY_FR = "Le message est vide."
TOO_LONG = ("The message has 10\u202f001 characters; the limit is 10\u202f000. Split it, or attach a "
            "document.")
TOO_QUICK = ("You are sending messages too quickly: wait a few seconds. This message was not sent; "
             "it is still in the box.")
NOT_WRITE = "You cannot write in this room."
REPLY_GONE = "The message you are replying to is no longer in this room."
MALFORMED_ID = "This message's identifier is malformed: reload the page."
NO_EDIT = "This message can no longer be edited (your own messages, for 15 minutes)."
DELETED = "This message was deleted."
MARKED_READ = "The room is marked read."
BAD_UP_TO = "This message number is not valid."
BAD_EMOJI = "Choose one of the reactions offered."
TOO_MANY_PEOPLE = "A conversation has at most 10 people, you included."
GONE_PEOPLE = "Some of the people chosen can no longer be written to."
NOBODY = "Choose at least one person to write to."
PREFERENCES_SAVED = "Your chat preferences are saved."


# --- Helpers ------------------------------------------------------------------------------------


def room_url(room, **params):
    url = reverse("chat:room", args=[room.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def send_url(room):
    return reverse("chat:send", args=[room.pk])


def send(actor, room, body="Bonjour à tous", **kwargs):
    return services.message_send(actor=actor, room=room, body=body, **kwargs)


def bulk_messages(room, author, count, prefix="Message"):
    """`count` messages of `author` in `room` at once (no rate limit), oldest first; the room's
    last message follows."""
    now = timezone.now()
    Message.objects.bulk_create([
        Message(room=room, author=author, body=f"{prefix} {i}", html=f"<p>{prefix} {i}</p>", created_at=now)
        for i in range(count)
    ])
    last = Message.objects.filter(room=room).order_by("-id").first()
    Room.objects.filter(pk=room.pk).update(last_message_id=last.pk, last_message_at=last.created_at)
    return list(Message.objects.filter(room=room).order_by("id"))


def shown_ids(response):
    return [int(li["data-message"]) for li in soup(response).select("[data-chat-messages] [data-message]")]


def last_read(user, room):
    return RoomMember.objects.filter(user=user, room=room).values_list("last_read_id", flat=True).first()


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


# --- Index ----------------------------------------------------------------------------------------


def test_the_index_lists_my_rooms_with_their_unread_counts_and_not_the_others(
        member, colleague, group_member, network_room, territory_room, public_room, private_room, direct_room):
    bulk_messages(network_room, colleague, 3)
    bulk_messages(territory_room, colleague, 1)
    bulk_messages(direct_room, colleague, 2)
    bulk_messages(private_room, group_member, 4, prefix="Coulisses")
    theirs = services.direct_room_open(actor=colleague, others=[group_member])
    bulk_messages(theirs, group_member, 1)
    page = soup(english_client(member).get(reverse("chat:index")))
    links = {int(a["data-room-link"]): text_of(a.select_one(".chat-room-item__name"))
             for a in page.select("[data-room-link]")}
    assert links == {network_room.pk: "Whole network", territory_room.pk: "Pays des Causses",
                     public_room.pk: "Fablab ouvert", direct_room.pk: "Inès Garcia"}
    badges = {int(b["data-room-unread"]): (b.contents[0].strip(), b.has_attr("hidden"))
              for b in page.select("[data-room-unread]")}
    assert badges == {network_room.pk: ("3", False), territory_room.pk: ("1", False),
                      public_room.pk: ("0", True), direct_room.pk: ("2", False)}
    direct = [text_of(a.select_one(".chat-room-item__name"))
              for a in page.select("#direct-rooms + ul [data-room-link]")]
    assert direct == ["Inès Garcia"]


def test_unread_counts_json_gives_my_rooms_only(member, colleague, group_member, network_room, private_room,
                                                direct_room):
    bulk_messages(network_room, colleague, 2)
    bulk_messages(direct_room, colleague, 1)
    bulk_messages(private_room, group_member, 5)
    data = english_client(member).get(reverse("chat:unread-counts")).json()
    assert data["rooms"][str(network_room.pk)] == 2
    assert data["rooms"][str(direct_room.pk)] == 1
    assert str(private_room.pk) not in data["rooms"]
    assert data["total"] == 3


# --- The room page --------------------------------------------------------------------------------


def test_the_room_shows_the_latest_50_and_older_pages_by_link(member, colleague, network_room):
    messages = bulk_messages(network_room, colleague, 60)
    client = english_client(member)
    response = client.get(room_url(network_room))
    assert shown_ids(response) == [m.pk for m in messages[10:]]
    older = soup(response).select_one("a[data-chat-older]")
    assert older is not None and older["href"] == f"?avant={messages[10].pk}"
    assert "Older messages" in text_of(older)
    response = client.get(room_url(network_room) + older["href"])
    assert response.status_code == 200
    assert shown_ids(response) == [m.pk for m in messages[:10]]
    page = soup(response)
    assert page.select_one("a[data-chat-older]") is None
    assert page.find("a", string="Newer messages") is not None


def test_around_a_message_shows_the_page_around_it(member, colleague, network_room):
    messages = bulk_messages(network_room, colleague, 120)
    target = messages[60]
    response = english_client(member).get(room_url(network_room, autour=target.pk))
    ids = shown_ids(response)
    assert target.pk in ids and len(ids) == 50
    assert ids == [m.pk for m in messages[35:85]]  # 25 before it, and it with the 24 after it
    assert soup(response).find("a", string="The latest messages") is not None


def test_an_older_page_does_not_mark_the_room_read_the_latest_does(member, colleague, network_room):
    messages = bulk_messages(network_room, colleague, 60)
    client = english_client(member)
    client.get(room_url(network_room, avant=messages[10].pk))
    assert not last_read(member, network_room)
    client.get(room_url(network_room))
    assert last_read(member, network_room) == messages[-1].pk


def test_the_latest_page_reached_by_a_message_link_marks_the_room_read(member, colleague, network_room):
    """Mentions, notifications and search results link to ?autour=<id>: when that page is the
    latest one, the member has seen everything."""
    messages = bulk_messages(network_room, colleague, 5)
    response = english_client(member).get(selectors.message_url(messages[-1]))
    assert shown_ids(response) == [m.pk for m in messages]
    assert soup(response).select_one("[data-chat-room]")["data-latest"] == "1"
    assert last_read(member, network_room) == messages[-1].pk


def test_the_new_messages_divider_comes_before_the_first_unread(member, colleague, network_room):
    messages = bulk_messages(network_room, colleague, 8)
    RoomMember.objects.create(room=network_room, user=member, last_read_id=messages[4].pk)
    page = soup(english_client(member).get(room_url(network_room)))
    dividers = page.select("[data-chat-divider]")
    assert len(dividers) == 1 and text_of(dividers[0]) == "New messages"
    assert dividers[0].find_parent("li")["data-message"] == str(messages[5].pk)
    assert last_read(member, network_room) == messages[-1].pk


def test_my_own_messages_are_never_new(member, colleague, network_room):
    bulk_messages(network_room, member, 3)
    page = soup(english_client(member).get(room_url(network_room)))
    assert page.select("[data-chat-divider]") == []


def test_a_coordinator_reads_a_private_group_room_without_a_composer(coordinator, group_member, private_room):
    message = send(group_member, private_room, "Réunion jeudi")
    response = english_client(coordinator).get(room_url(private_room))
    assert response.status_code == 200
    page = soup(response)
    assert shown_ids(response) == [message.pk]
    assert page.select_one("#ecrire") is None and page.select_one("textarea") is None
    assert READ_ONLY in text_of(page.select_one(".chat-room .message--info"))
    assert page.select_one("[data-chat-room]")["data-can-write"] == "0"
    assert page.select_one("[data-chat-room]")["data-can-moderate"] == "1"
    assert not page.select(f"#message-{message.pk} [data-reply]")


def test_a_member_reads_a_public_group_they_are_not_in_without_a_composer(colleague, group_manager, public_room):
    send(group_manager, public_room, "Bienvenue")
    page = soup(english_client(colleague).get(room_url(public_room)))
    assert page.select_one("#ecrire") is None
    assert READ_ONLY in text_of(page.select_one(".chat-room .message--info"))
    # ...and the room is not among theirs.
    assert not page.select(f'.chat-rooms [data-room-link="{public_room.pk}"]')


def test_a_group_member_gets_the_composer(group_member, private_room):
    page = soup(english_client(group_member).get(room_url(private_room)))
    assert page.select_one("form#ecrire textarea[name=body]") is not None


def test_a_private_or_secret_group_room_is_a_404_for_outsiders(member, group_member, private_room, secret_room):
    for room in (private_room, secret_room):
        message = send(group_member, room, "Entre nous")
        client = english_client(member)
        for url in (room_url(room), reverse("chat:messages", args=[room.pk]),
                    reverse("chat:mentions", args=[room.pk]) + "?q=You",
                    reverse("chat:message-edit", args=[message.pk]),
                    reverse("chat:message-delete", args=[message.pk]),
                    reverse("chat:space", args=[room.space_id])):
            assert client.get(url).status_code == 404, url
        assert client.post(send_url(room), {"body": "Intrus", "client_id": "x1"}).status_code == 404
        assert client.post(reverse("chat:reaction", args=[message.pk]), {"emoji": "👍"}).status_code == 404
        assert client.post(reverse("chat:mark-read", args=[room.pk])).status_code == 404
    assert Message.objects.filter(author=member).count() == 0
    assert not Reaction.objects.exists()
    assert not RoomMember.objects.filter(user=member).exists()


def test_someone_else_s_direct_conversation_is_a_404(coordinator, colleague, direct_room):
    send(colleague, direct_room, "Privé")
    assert english_client(coordinator).get(room_url(direct_room)).status_code == 404


def test_a_room_that_does_not_exist_is_a_404(member):
    assert english_client(member).get("/bureau/discussions/salon/999999/").status_code == 404


def test_a_deleted_message_shows_deleted_and_not_its_body(member, colleague, network_room):
    message = send(colleague, network_room, "Texte à faire disparaître")
    services.message_delete(actor=colleague, message=message)
    response = english_client(member).get(room_url(network_room))
    item = soup(response).select_one(f"#message-{message.pk}")
    assert DELETED in text_of(item)
    assert "Texte à faire disparaître" not in response.content.decode()
    assert item.select("[data-delete], [data-edit], [data-reply]") == []


def test_bodies_are_escaped_in_the_room_and_the_search(member, colleague, network_room):
    payload = '<img src=x onerror="alert(1)">'
    send(colleague, network_room, f"Bonjour {payload}")
    client = english_client(member)
    for url in (room_url(network_room), reverse("chat:search") + "?q=Bonjour"):
        page = soup(client.get(url))
        assert all(not tag.get("onerror") for tag in page.find_all(True)), url


# --- Sending with the form --------------------------------------------------------------------------


def test_sending_with_the_form_stores_the_message_and_goes_to_it(member, network_room):
    response = english_client(member).post(send_url(network_room), {"body": "Bonjour **à tous**",
                                                                    "client_id": "form-1"})
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bureau/discussions/salon/{network_room.pk}/#message-{message.pk}"
    assert (message.room, message.author, message.body) == (network_room, member, "Bonjour **à tous**")
    assert "<strong>à tous</strong>" in message.html
    assert last_read(member, network_room) == message.pk


def test_the_same_post_twice_makes_one_message(member, network_room):
    client = english_client(member)
    data = {"body": "Une seule fois", "client_id": "same-client-id"}
    first = client.post(send_url(network_room), data)
    second = client.post(send_url(network_room), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Message.objects.count() == 1


def test_an_empty_message_is_refused_in_french_with_the_form(member, network_room):
    client = Client()
    client.force_login(member)  # the default language: French
    response = client.post(send_url(network_room), {"body": "   ", "client_id": "vide"})
    assert response.status_code == 400
    composer = soup(response).select_one("form#ecrire")
    assert composer is not None
    assert [text_of(p) for p in composer.select(".field__error")] == [EMPTY_FR]
    assert not Message.objects.exists()


def test_a_message_of_10001_characters_is_refused_and_the_text_is_kept(member, network_room):
    body = "a" * 10_001
    response = english_client(member).post(send_url(network_room), {"body": body, "client_id": "long"})
    assert response.status_code == 400
    composer = soup(response).select_one("form#ecrire")
    assert [p.get_text().strip() for p in composer.select(".field__error")] == [TOO_LONG]
    assert composer.select_one("textarea[name=body]").get_text().strip() == body
    assert not Message.objects.exists()


def test_a_message_of_10000_characters_is_accepted(member, network_room):
    response = english_client(member).post(send_url(network_room), {"body": "a" * 10_000, "client_id": "max"})
    assert response.status_code == 302
    assert len(Message.objects.get().body) == 10_000


def test_the_rate_limit_refuses_the_next_message_and_keeps_its_text(member, network_room):
    client = english_client(member)
    for n in range(services.RATE_LIMIT):
        assert client.post(send_url(network_room), {"body": f"Message {n}", "client_id": f"r{n}"}).status_code == 302
    response = client.post(send_url(network_room), {"body": "Un de trop", "client_id": "r-last"})
    assert response.status_code == 400
    composer = soup(response).select_one("form#ecrire")
    assert TOO_QUICK in text_of(composer.select_one(".message--error"))
    assert composer.select_one("textarea[name=body]").get_text().strip() == "Un de trop"
    assert composer.select_one("input[name=client_id]")["value"] == "r-last"
    assert Message.objects.count() == services.RATE_LIMIT


def test_a_file_is_stored_and_served_to_the_room_only(member, group_member, group_manager, private_room):
    image = png("photo de l'atelier.png")
    content = image.read()
    image.seek(0)
    response = english_client(group_member).post(send_url(private_room),
                                                 {"body": "", "client_id": "file-1", "files": [image]})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.message.author == group_member and attachment.is_image
    assert attachment.content_type == "image/png" and attachment.size == len(content)
    url = reverse("chat:attachment", args=[attachment.pk, attachment.stored_name])
    page = soup(english_client(group_manager).get(room_url(private_room)))
    assert page.select_one(f'#message-{attachment.message_id} img.chat-image')["src"] == url
    served = english_client(group_manager).get(url)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == content
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert english_client(member).get(url).status_code == 404


def test_the_file_of_a_deleted_message_is_a_404(group_member, private_room):
    message = send(group_member, private_room, "Pièce jointe", files=[png()])
    attachment = message.attachments.get()
    url = reverse("chat:attachment", args=[attachment.pk, attachment.stored_name])
    services.message_delete(actor=group_member, message=message)
    assert english_client(group_member).get(url).status_code == 404


def test_a_fake_image_is_refused_and_the_text_is_kept(member, network_room):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.png", b"not a png at all", content_type="image/png")
    response = english_client(member).post(send_url(network_room),
                                           {"body": "Voici la photo", "client_id": "fake", "files": [fake]})
    assert response.status_code == 400
    composer = soup(response).select_one("form#ecrire")
    assert "is not really a .png file" in text_of(composer)
    assert composer.select_one("textarea[name=body]").get_text().strip() == "Voici la photo"
    assert not Message.objects.exists() and not Attachment.objects.exists()


def test_send_answers_json_when_asked(member, coordinator, network_room, private_room):
    client = english_client(member)
    response = client.post(send_url(network_room), {"body": "En JSON", "client_id": "json-1"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == {"id": Message.objects.get().pk}
    response = client.post(send_url(network_room), {"body": "", "client_id": "json-2"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and response.json() == {"error": EMPTY}
    response = english_client(coordinator).post(send_url(private_room), {"body": "Non", "client_id": "json-3"},
                                                HTTP_ACCEPT="application/json")
    assert response.status_code == 403 and response.json() == {"error": NOT_WRITE}
    assert Message.objects.count() == 1


def test_a_reader_who_may_not_write_gets_a_403_on_send(coordinator, private_room):
    response = english_client(coordinator).post(send_url(private_room), {"body": "Non", "client_id": "no"})
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_send_is_post_only(member, network_room):
    assert english_client(member).get(send_url(network_room)).status_code == 405


# --- Replies --------------------------------------------------------------------------------------


def test_reply_prefills_the_form_and_is_stored_as_a_reply(member, colleague, network_room):
    original = send(colleague, network_room, "Qui vient samedi ?")
    client = english_client(member)
    page = soup(client.get(room_url(network_room, repondre=original.pk)))
    composer = page.select_one("form#ecrire")
    assert composer.select_one("input[name=reply_to]")["value"] == str(original.pk)
    assert "Replying to Inès Garcia" in text_of(composer.select_one("[data-chat-replying]"))
    client_id = composer.select_one("input[name=client_id]")["value"]
    response = client.post(send_url(network_room), {"body": "Moi !", "reply_to": original.pk,
                                                    "client_id": client_id})
    assert response.status_code == 302
    reply = Message.objects.get(body="Moi !")
    assert reply.reply_to == original
    item = soup(client.get(room_url(network_room))).select_one(f"#message-{reply.pk} .chat-reply")
    assert "In reply to Inès Garcia" in text_of(item) and "Qui vient samedi ?" in text_of(item)


def test_a_reply_to_a_message_deleted_meanwhile_is_refused_with_a_visible_message(member, colleague,
                                                                                   network_room):
    original = send(colleague, network_room, "Qui vient ?")
    services.message_delete(actor=colleague, message=original)
    response = english_client(member).post(send_url(network_room), {"body": "Moi", "reply_to": original.pk,
                                                                    "client_id": "late-reply"})
    assert response.status_code == 400
    composer = soup(response).select_one("form#ecrire")
    assert composer.select_one("textarea[name=body]").get_text().strip() == "Moi"
    assert not Message.objects.filter(body="Moi").exists()
    # The person must be told why nothing was sent.
    assert REPLY_GONE in text_of(composer), text_of(composer)


def test_a_malformed_client_id_is_refused_with_a_visible_message(member, network_room):
    response = english_client(member).post(send_url(network_room), {"body": "Salut", "client_id": "pas valide !"})
    assert response.status_code == 400
    composer = soup(response).select_one("form#ecrire")
    assert composer.select_one("textarea[name=body]").get_text().strip() == "Salut"
    assert not Message.objects.exists()
    assert MALFORMED_ID in text_of(composer), text_of(composer)


def test_reply_to_a_message_of_another_room_is_not_prefilled(member, colleague, network_room, territory_room):
    elsewhere = send(colleague, territory_room, "Ailleurs")
    page = soup(english_client(member).get(room_url(network_room, repondre=elsewhere.pk)))
    assert page.select_one("form#ecrire input[name=reply_to]").get("value") in (None, "")
    assert page.select_one("[data-chat-replying]").has_attr("hidden")


# --- Edit -----------------------------------------------------------------------------------------


def edit_url(message):
    return reverse("chat:message-edit", args=[message.pk])


def test_the_author_edits_their_message_within_the_window(member, network_room):
    message = send(member, network_room, "Premiere version")
    client = english_client(member)
    response = client.get(edit_url(message))
    assert response.status_code == 200
    assert soup(response).select_one("textarea[name=body]").get_text().strip() == "Premiere version"
    response = client.post(edit_url(message), {"body": "Première *version*"})
    assert response.status_code == 302
    assert response["Location"] == selectors.message_url(message)
    message.refresh_from_db()
    assert message.body == "Première *version*" and "<em>version</em>" in message.html
    assert message.edited_at is not None
    item = soup(client.get(room_url(network_room))).select_one(f"#message-{message.pk}")
    assert "(edited)" in text_of(item.select_one("[data-edited]"))


def test_an_empty_edit_is_refused(member, network_room):
    message = send(member, network_room, "Ne pas vider")
    response = english_client(member).post(edit_url(message), {"body": "  "})
    assert response.status_code == 400
    assert [text_of(p) for p in soup(response).select("form[data-chat-editor] .errorlist li")] == [
        "This field is required."]
    message.refresh_from_db()
    assert message.body == "Ne pas vider" and message.edited_at is None


def test_someone_else_s_message_cannot_be_edited(member, colleague, network_room):
    message = send(colleague, network_room, "Mon texte")
    client = english_client(member)
    for method in (client.get, client.post):
        response = method(edit_url(message), {"body": "Vandalisé"} if method == client.post else None)
        assert response.status_code == 302
        assert response["Location"] == selectors.message_url(message)
    followed = client.get(edit_url(message), follow=True)
    assert NO_EDIT in messages_of(followed)
    message.refresh_from_db()
    assert message.body == "Mon texte" and message.edited_at is None


def test_my_message_cannot_be_edited_after_the_window(member, network_room):
    message = send(member, network_room, "Trop tard")
    Message.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - permissions.EDIT_WINDOW - timedelta(minutes=1))
    client = english_client(member)
    response = client.post(edit_url(message), {"body": "Corrigé"}, follow=True)
    assert response.redirect_chain[0] == (selectors.message_url(message), 302)
    assert NO_EDIT in messages_of(response)
    message.refresh_from_db()
    assert message.body == "Trop tard" and message.edited_at is None
    item = soup(client.get(room_url(network_room))).select_one(f"#message-{message.pk}")
    assert item.select("[data-edit]") == [] and item.select("[data-delete]")


# --- Delete ---------------------------------------------------------------------------------------


def delete_url(message):
    return reverse("chat:message-delete", args=[message.pk])


def test_the_author_deletes_their_message_after_a_confirmation(member, network_room):
    message = send(member, network_room, "À supprimer")
    client = english_client(member)
    response = client.get(delete_url(message))
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.select_one("h1")) == "Delete the message"
    assert "À supprimer" in text_of(page.select_one(".post-body"))
    message.refresh_from_db()
    assert message.deleted_at is None  # the GET only asks
    response = client.post(delete_url(message))
    assert response.status_code == 302 and response["Location"] == room_url(network_room)
    message.refresh_from_db()
    assert message.deleted_at is not None and message.deleted_by == member
    assert message.body == "À supprimer"  # kept, but no longer shown
    assert not Activity.objects.filter(verb="chat.message_removed").exists()


def test_a_plain_member_cannot_delete_someone_else_s_message(member, colleague, network_room):
    message = send(colleague, network_room, "Le mien")
    client = english_client(member)
    assert client.get(delete_url(message)).status_code == 403
    assert client.post(delete_url(message)).status_code == 403
    message.refresh_from_db()
    assert message.deleted_at is None
    item = soup(client.get(room_url(network_room))).select_one(f"#message-{message.pk}")
    assert item.select("[data-delete]") == []


def test_the_space_s_moderator_deletes_a_message_and_it_is_logged(group_manager, group_member, private_room):
    message = send(group_member, private_room, "Hors sujet")
    client = english_client(group_manager)
    item = soup(client.get(room_url(private_room))).select_one(f"#message-{message.pk}")
    assert item.select_one("[data-delete]")["href"] == delete_url(message)
    assert client.get(delete_url(message)).status_code == 200
    assert client.post(delete_url(message)).status_code == 302
    message.refresh_from_db()
    assert message.deleted_at is not None and message.deleted_by == group_manager
    assert Activity.objects.filter(verb="chat.message_removed", actor=group_manager).count() == 1


def test_a_coordinator_moderates_the_network_room(coordinator, member, network_room):
    message = send(member, network_room, "À retirer")
    assert english_client(coordinator).post(delete_url(message)).status_code == 302
    message.refresh_from_db()
    assert message.deleted_by == coordinator


# --- Reactions and read state ----------------------------------------------------------------------


def test_a_reaction_toggles(member, colleague, network_room):
    message = send(colleague, network_room, "Bravo à tous")
    client = english_client(member)
    url = reverse("chat:reaction", args=[message.pk])
    response = client.post(url, {"emoji": "👍"})
    assert response.status_code == 302 and response["Location"] == selectors.message_url(message)
    assert list(Reaction.objects.values_list("message_id", "user_id", "emoji")) == [(message.pk, member.pk, "👍")]
    button = soup(client.get(room_url(network_room))).select_one(f"#message-{message.pk} .chat-reaction--mine")
    assert button["data-emoji"] == "👍" and button["aria-pressed"] == "true"
    client.post(url, {"emoji": "👍"})
    assert not Reaction.objects.exists()


def test_an_unknown_reaction_is_refused_with_a_message(member, colleague, network_room):
    message = send(colleague, network_room, "Bravo")
    response = english_client(member).post(reverse("chat:reaction", args=[message.pk]), {"emoji": "💩"},
                                           follow=True)
    assert BAD_EMOJI in messages_of(response)
    assert not Reaction.objects.exists()


def test_a_reader_who_may_not_write_cannot_react(coordinator, group_member, private_room):
    message = send(group_member, private_room, "Bravo")
    assert english_client(coordinator).post(reverse("chat:reaction", args=[message.pk]),
                                            {"emoji": "👍"}).status_code == 403
    assert not Reaction.objects.exists()


def test_mark_read_marks_the_whole_room(member, colleague, network_room):
    messages = bulk_messages(network_room, colleague, 5)
    response = english_client(member).post(reverse("chat:mark-read", args=[network_room.pk]), follow=True)
    assert response.redirect_chain == [(room_url(network_room), 302)]
    assert MARKED_READ in messages_of(response)
    assert last_read(member, network_room) == messages[-1].pk
    data = english_client(member).get(reverse("chat:unread-counts")).json()
    assert data["rooms"][str(network_room.pk)] == 0


def test_mark_read_up_to_a_message_and_never_backwards(member, colleague, network_room):
    messages = bulk_messages(network_room, colleague, 5)
    client = english_client(member)
    url = reverse("chat:mark-read", args=[network_room.pk])
    client.post(url, {"up_to": messages[2].pk}, HTTP_ACCEPT="application/json")
    assert last_read(member, network_room) == messages[2].pk
    assert client.post(url, {"up_to": messages[0].pk}, HTTP_ACCEPT="application/json").json() == {"ok": True}
    assert last_read(member, network_room) == messages[2].pk


def test_mark_read_with_a_bad_number_says_so_and_does_not_claim_success(member, colleague, network_room):
    bulk_messages(network_room, colleague, 3)
    client = english_client(member)
    response = client.post(reverse("chat:mark-read", args=[network_room.pk]), {"up_to": "abc"})
    assert response.status_code == 302
    assert not last_read(member, network_room)
    flashes = messages_of(client.get(response["Location"]))
    assert BAD_UP_TO in flashes
    assert MARKED_READ not in flashes, flashes


# --- JSON: history pages and mentions -----------------------------------------------------------------


def test_messages_json_pages_backwards_and_forwards(member, colleague, network_room):
    messages = bulk_messages(network_room, colleague, 60)
    client = english_client(member)
    url = reverse("chat:messages", args=[network_room.pk])
    data = client.get(url).json()
    assert [m["id"] for m in data["messages"]] == [m.pk for m in messages[10:]] and data["has_more"] is True
    data = client.get(url, {"before": messages[10].pk}).json()
    assert [m["id"] for m in data["messages"]] == [m.pk for m in messages[:10]] and data["has_more"] is False
    data = client.get(url, {"after": messages[54].pk}).json()
    assert [m["id"] for m in data["messages"]] == [m.pk for m in messages[55:]] and data["has_more"] is False
    first = data["messages"][0]
    assert first["author"] == {"id": colleague.pk, "name": "Inès Garcia",
                               "url": reverse("members:profile", args=[colleague.pk])}
    assert first["html"] == "<p>Message 55</p>" and first["deleted"] is False


def test_messages_json_hides_a_deleted_message_s_body_and_files(member, colleague, network_room):
    message = send(colleague, network_room, "Parti", files=[png()])
    services.message_delete(actor=colleague, message=message)
    data = english_client(member).get(reverse("chat:messages", args=[network_room.pk])).json()
    assert data["messages"] == [dict(data["messages"][0], html="", deleted=True, reactions=[], attachments=[])]
    assert "Parti" not in json.dumps(data)


def test_mentions_lists_the_people_of_the_room(member, colleague, group_manager, group_member, private_room,
                                               direct_room):
    client = english_client(group_member)
    results = client.get(reverse("chat:mentions", args=[private_room.pk]), {"q": "Ali"}).json()["results"]
    assert results == [{"pk": group_manager.pk, "display_name": "Aline Roux"}]
    # Not someone outside the group, even of the network.
    assert client.get(reverse("chat:mentions", args=[private_room.pk]), {"q": "Inès"}).json() == {"results": []}
    results = english_client(member).get(reverse("chat:mentions", args=[direct_room.pk]), {"q": "in"}).json()
    assert results == {"results": [{"pk": colleague.pk, "display_name": "Inès Garcia"}]}


# --- Direct conversations -----------------------------------------------------------------------------


def test_a_member_finds_people_and_opens_a_conversation(member, colleague, pending_user):
    client = english_client(member)
    page = soup(client.get(reverse("chat:direct-new"), {"q": "Inè"}))
    boxes = page.select("input[name=members]")
    assert [(b["value"], text_of(page.select_one(f'label[for="{b["id"]}"]'))) for b in boxes] == [
        (str(colleague.pk), "Inès Garcia")]
    assert soup(client.get(reverse("chat:direct-new"), {"q": "Romain"})).select("input[name=members]") == []
    response = client.post(reverse("chat:direct-new"), {"members": [colleague.pk]})
    room = Room.objects.get(kind=Room.Kind.DIRECT)
    assert response.status_code == 302 and response["Location"] == room_url(room)
    assert sorted(RoomMember.objects.filter(room=room, is_participant=True).values_list("user_id", flat=True)) == \
        sorted([member.pk, colleague.pk])
    again = english_client(colleague).post(reverse("chat:direct-new"), {"members": [member.pk]})
    assert again["Location"] == room_url(room)
    assert Room.objects.filter(kind=Room.Kind.DIRECT).count() == 1


def test_a_conversation_has_at_most_ten_people(member, territory):
    others = [UserFactory(territory=territory, display_name=f"Personne {n}") for n in range(10)]
    response = english_client(member).post(reverse("chat:direct-new"), {"members": [u.pk for u in others]})
    assert response.status_code == 400
    assert TOO_MANY_PEOPLE in text_of(soup(response).select_one("[role=alert]"))
    assert not Room.objects.filter(kind=Room.Kind.DIRECT).exists()
    # Nine others and oneself: ten.
    assert english_client(member).post(reverse("chat:direct-new"),
                                       {"members": [u.pk for u in others[:9]]}).status_code == 302


def test_a_pending_member_cannot_be_written_to(member, pending_user):
    response = english_client(member).post(reverse("chat:direct-new"), {"members": [pending_user.pk]})
    assert response.status_code == 400
    assert GONE_PEOPLE in text_of(soup(response).select_one("[role=alert]"))
    assert not Room.objects.filter(kind=Room.Kind.DIRECT).exists()


def test_direct_new_ignores_bad_ids(member):
    response = english_client(member).post(reverse("chat:direct-new"), {"members": ["abc", "-3"]})
    assert response.status_code == 400
    assert text_of(soup(response).select_one("[role=alert]")) == NOBODY
    assert not Room.objects.filter(kind=Room.Kind.DIRECT).exists()


def test_direct_candidates_json_lists_approved_members_but_me(member, colleague, pending_user):
    client = english_client(member)
    url = reverse("chat:direct-candidates")
    assert client.get(url, {"q": "Garcia"}).json() == {"results": [{"pk": colleague.pk,
                                                                    "display_name": "Inès Garcia"}]}
    assert client.get(url, {"q": "Karim"}).json() == {"results": []}
    assert client.get(url, {"q": "Romain"}).json() == {"results": []}
    assert client.get(url).json() == {"results": []}


# --- Search and preferences ------------------------------------------------------------------------------


def test_search_finds_my_messages_and_never_a_private_group_s(member, colleague, group_member, network_room,
                                                              private_room, direct_room):
    send(member, network_room, "Atelier tablette samedi")
    send(colleague, direct_room, "Atelier tablette dimanche")
    send(group_member, private_room, "Atelier tablette secret")
    deleted = send(colleague, network_room, "Atelier tablette effacé")
    services.message_delete(actor=colleague, message=deleted)
    page = soup(english_client(member).get(reverse("chat:search"), {"q": "tablette"}))
    found = [text_of(li.select("p")[1]) for li in page.select(".search-results li.card")]
    assert sorted(found) == ["Atelier tablette dimanche", "Atelier tablette samedi"]
    assert text_of(page.select_one("main h2")) == "2 messages"
    inside = soup(english_client(group_member).get(reverse("chat:search"), {"q": "secret"}))
    assert [text_of(li.select("p")[1]) for li in inside.select(".search-results li.card")] == [
        "Atelier tablette secret"]


def test_search_results_link_to_the_message_in_its_room(member, network_room):
    message = send(member, network_room, "Lien direct")
    page = soup(english_client(member).get(reverse("chat:search"), {"q": "Lien"}))
    link = page.select_one(".search-results li.card a")
    assert link["href"] == selectors.message_url(message)


def test_search_without_a_query_lists_nothing(member):
    page = soup(english_client(member).get(reverse("chat:search")))
    assert page.select(".search-results") == []


def test_preferences_are_saved(member):
    client = english_client(member)
    page = soup(client.get(reverse("chat:preferences")))
    assert page.select_one("input[name=share_presence]").has_attr("checked")  # the default: share
    response = client.post(reverse("chat:preferences"), {"share_presence": "on"}, follow=True)
    assert response.redirect_chain == [(reverse("chat:preferences"), 302)]
    assert PREFERENCES_SAVED in messages_of(response)
    assert Preference.objects.filter(user=member).values_list("share_presence", "share_typing").get() == (True, False)
    page = soup(client.get(reverse("chat:preferences")))
    assert not page.select_one("input[name=share_typing]").has_attr("checked")


# --- The desk: dashboard widget and the group's page ---------------------------------------------------


def test_the_dashboard_widget_shows_an_unread_room(member, colleague, network_room, territory_room):
    bulk_messages(territory_room, colleague, 2)
    client = english_client(member)
    widget = soup(client.get("/bureau/")).select_one("#widget-chat-unread").find_parent("section")
    assert text_of(widget.select_one("h2")) == "Discussions"
    links = [(a["href"], text_of(a)) for a in widget.select("li a")]
    assert links == [(f"{room_url(territory_room)}#nouveaux", "Pays des Causses")]
    assert "2 unread" in text_of(widget)
    client.get(room_url(territory_room))
    widget = soup(client.get("/bureau/")).select_one("#widget-chat-unread").find_parent("section")
    assert widget.select("li a") == [] and "No unread message." in text_of(widget)


def test_the_group_page_links_to_its_room(group_member, private_group, private_room):
    page = soup(english_client(group_member).get(reverse("workgroups:detail", args=[private_group.pk])))
    link = page.find("a", string="Chat")
    assert link is not None and link["href"] == reverse("chat:space", args=[private_group.space.pk])
    response = english_client(group_member).get(link["href"])
    assert response.status_code == 302 and response["Location"] == room_url(private_room)


def test_the_space_link_leads_to_the_room_made_with_the_space_and_makes_nothing(group_member, private_group,
                                                                               private_room):
    rooms = Room.objects.count()
    response = english_client(group_member).get(reverse("chat:space", args=[private_group.space.pk]))
    assert response["Location"] == room_url(private_room)
    assert private_room.space_id == private_group.space.pk
    assert Room.objects.count() == rooms


# --- Bad input ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["avant=abc", "autour=-5", "avant=", "autour=1e5", "repondre=abc", "apres=x",
                                   "avant=99999999999999999999999", "autour=9999999999999999999"])
def test_bad_paging_parameters_of_the_room_are_ignored(member, colleague, network_room, query):
    messages = bulk_messages(network_room, colleague, 3)
    response = english_client(member).get(f"{room_url(network_room)}?{query}")
    assert response.status_code == 200
    assert shown_ids(response) == [m.pk for m in messages]


@pytest.mark.parametrize("query", ["before=xyz", "after=xyz", "before=-1", "after=", "before=1.5"])
def test_bad_paging_parameters_of_messages_json_are_ignored(member, colleague, network_room, query):
    messages = bulk_messages(network_room, colleague, 3)
    response = english_client(member).get(f"{reverse('chat:messages', args=[network_room.pk])}?{query}")
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["messages"]] == [m.pk for m in messages]


def test_bad_form_input_never_breaks_the_send_view(member, network_room):
    client = english_client(member)
    response = client.post(send_url(network_room), {"body": "Salut", "client_id": "pas valide !"})
    assert response.status_code == 400
    assert text_of(soup(response).select_one("form#ecrire [role=alert]")) == MALFORMED_ID
    response = client.post(send_url(network_room), {"body": "Salut", "client_id": "ok-1", "reply_to": "abc"})
    assert response.status_code == 400
    assert text_of(soup(response).select_one("form#ecrire [role=alert]")) == "Enter a whole number."
    response = client.post(send_url(network_room), {"body": "Salut", "client_id": "ok-2", "reply_to": "999999"})
    assert response.status_code == 400  # a reply to nothing is refused, not quietly made a plain message
    assert text_of(soup(response).select_one("form#ecrire [role=alert]")) == REPLY_GONE
    assert not Message.objects.exists()


# --- Query counts ----------------------------------------------------------------------------------------
# Measured, then pinned; each must stay the same when the data grows.

# session, user; the room and its participants; marking it read (last message, read row,
# update, read row again, unread count, in a savepoint: 7); the page of messages with their
# files and reactions (3); the sidebar's rooms (their last message in subqueries), participants,
# unread counts and the presence of the direct rooms' other members (4); who is online, the
# preferences; the desk's shell (local admin territories, unread notifications).
ROOM_QUERIES = 22
# session, user; the rooms (with their last message), their participants, their unread counts,
# the presence of the direct rooms' other members; the desk's shell (2).
INDEX_QUERIES = 8
# session, user; the room and its participants; the messages, their files, their reactions.
MESSAGES_JSON_QUERIES = 7


def _rich_messages(room, author, others, count):
    """`count` messages, some with reactions, files and replies."""
    messages = bulk_messages(room, author, count)[-count:]
    reactions, attachments = [], []
    for i, message in enumerate(messages):
        if i % 3 == 0:
            reactions += [Reaction(message=message, user=user, emoji=emoji)
                          for user in others for emoji in ("👍", "🎉")]
        if i % 4 == 0:
            attachments.append(Attachment(message=message, file=f"chat/test/{i}.png", name=f"image {i}.png",
                                          stored_name=f"{i}.png", size=100, content_type="image/png",
                                          is_image=True))
            attachments.append(Attachment(message=message, file=f"chat/test/{i}.pdf", name=f"doc {i}.pdf",
                                          stored_name=f"{i}.pdf", size=100, content_type="application/pdf"))
    Reaction.objects.bulk_create(reactions)
    Attachment.objects.bulk_create(attachments)
    for i, message in enumerate(messages):
        if i % 5 == 1:
            Message.objects.filter(pk=message.pk).update(reply_to=messages[i - 1])
    return messages


def _more_rooms(member, territory, count):
    """`count` more rooms of `member`: half direct conversations, half groups they belong to."""
    for _n in range(count // 2):
        other = UserFactory(territory=territory)
        room = services.direct_room_open(actor=member, others=[other])
        bulk_messages(room, other, 2)
    for _n in range(count - count // 2):
        group = WorkgroupFactory(visibility="private", join_policy="request")
        MembershipFactory(workgroup=group, user=member)
        bulk_messages(services.room_for_space(group.space), UserFactory(territory=territory), 2)


def _unread_again(member, room):
    RoomMember.objects.filter(user=member, room=room).update(last_read_id=0)


def test_the_room_page_keeps_its_query_count_from_10_to_200_messages_and_3_to_30_rooms(
        member, colleague, people, territory, network_room, territory_room, direct_room):
    # 3 rooms: the network, the territory, the direct conversation.
    _rich_messages(network_room, colleague, [member, *people], 10)
    client = english_client(member)
    client.get(room_url(network_room))  # warm the per-process caches, and the read row
    _unread_again(member, network_room)
    small, response = count_queries(client, room_url(network_room))
    assert len(shown_ids(response)) == 10
    assert len(soup(response).select(".chat-rooms [data-room-link]")) == 3
    _rich_messages(network_room, colleague, [member, *people], 190)
    _more_rooms(member, territory, 27)
    _unread_again(member, network_room)
    large, response = count_queries(client, room_url(network_room))
    page = soup(response)
    assert len(shown_ids(response)) == 50
    assert len(page.select(".chat-rooms [data-room-link]")) == 30
    assert page.select(".chat-reaction--mine") and page.select("img.chat-image") and page.select(".chat-reply")
    assert small == large, f"{small} queries with 10 messages and 3 rooms, {large} with 200 and 30: an N+1?"
    assert large == ROOM_QUERIES, large


def test_the_index_keeps_its_query_count_from_3_to_30_rooms(member, territory, network_room, territory_room,
                                                            direct_room, colleague):
    bulk_messages(direct_room, colleague, 2)
    client = english_client(member)
    client.get(reverse("chat:index"))
    small, response = count_queries(client, reverse("chat:index"))
    assert len(soup(response).select("[data-room-link]")) == 3
    _more_rooms(member, territory, 27)
    large, response = count_queries(client, reverse("chat:index"))
    assert len(soup(response).select("[data-room-link]")) == 30
    # The 27 new rooms and the direct one show their last message ("Message 1"); the network
    # and the territory have none. The 14 direct conversations show their other member's presence.
    assert len([p for p in soup(response).select("[data-room-preview]") if "Message 1" in text_of(p)]) == 28
    assert len(soup(response).select("[data-presence-user]")) == 14
    assert small == large, f"{small} queries with 3 rooms, {large} with 30: an N+1?"
    assert large == INDEX_QUERIES, large


def test_messages_json_keeps_its_query_count_from_10_to_200_messages(member, colleague, people, network_room):
    _rich_messages(network_room, colleague, [member, *people], 10)
    client = english_client(member)
    url = reverse("chat:messages", args=[network_room.pk])
    client.get(url)
    small, response = count_queries(client, url)
    assert len(response.json()["messages"]) == 10
    _rich_messages(network_room, colleague, [member, *people], 190)
    large, response = count_queries(client, url)
    data = response.json()
    assert len(data["messages"]) == 50
    assert any(m["reactions"] for m in data["messages"]) and any(m["attachments"] for m in data["messages"])
    assert any(m["reply_to"] for m in data["messages"])
    assert small == large, f"{small} queries with 10 messages, {large} with 200: an N+1?"
    assert large == MESSAGES_JSON_QUERIES, large


def test_newer_pages_follow_the_room_even_when_other_rooms_took_the_ids_between(
        member, colleague, network_room, territory_room):
    """Ids are shared by every room: 'Newer messages' must reach the latest page, never loop."""
    for _ in range(3):  # 3 x 40 of ours, with 100 of another room's between each batch
        bulk_messages(network_room, colleague, 40)
        bulk_messages(territory_room, colleague, 100, prefix="Ailleurs")
    ours = list(Message.objects.filter(room=network_room).order_by("id"))
    assert len(ours) == 120 and ours[40].pk - ours[39].pk > 100
    client = english_client(member)
    page = soup(client.get(room_url(network_room, autour=ours[0].pk)))
    seen = [int(li["data-message"]) for li in page.select("[data-chat-messages] [data-message]")]
    assert seen[0] == ours[0].pk
    visits = 0
    while (link := page.find("a", string="Newer messages")) is not None:
        visits += 1
        assert visits < 5, "the newer link goes round in circles"
        page = soup(client.get(room_url(network_room) + link["href"]))
        shown = [int(li["data-message"]) for li in page.select("[data-chat-messages] [data-message]")]
        assert shown and shown[0] > seen[-1]
        seen += shown
    assert seen == [m.pk for m in ours]
    assert page.select_one("[data-chat-room]")["data-latest"] == "1"
    assert last_read(member, network_room) == ours[-1].pk


@pytest.mark.parametrize("name", ["chat:mentions", "chat:direct-candidates", "chat:direct-new"])
def test_a_nul_character_in_a_name_search_is_ignored(member, colleague, territory, network_room, name):
    """PostgreSQL refuses NUL in a query: the search must not fail on it, and searches the
    whole name around it (Inès Garcia; not Ingrid Blanc, whom "In" alone would find)."""
    UserFactory(territory=territory, display_name="Ingrid Blanc")
    url = reverse(name, args=[network_room.pk]) if name == "chat:mentions" else reverse(name)
    response = english_client(member).get(url, {"q": "In\x00ès"})
    assert response.status_code == 200
    if name == "chat:direct-new":
        page = soup(response)
        found = [(box["value"], text_of(page.select_one(f'label[for="{box["id"]}"]')))
                 for box in page.select("input[name=members]")]
        assert found == [(str(colleague.pk), "Inès Garcia")]
    else:
        assert response.json() == {"results": [{"pk": colleague.pk, "display_name": "Inès Garcia"}]}


def test_edits_deletions_and_reactions_are_rate_limited_with_a_message(member, network_room, settings):
    message = send(member, network_room, "Une idée")
    client = english_client(member)
    url = reverse("chat:reaction", args=[message.pk])
    for _ in range(services.ACTION_RATE_LIMIT):
        client.post(url, {"emoji": "👍"})
    response = client.post(url, {"emoji": "👍"}, follow=True)
    assert "You are doing that too quickly: wait a minute, then try again." in messages_of(response)
    # The limit counted actions, not reactions: an even number of toggles left none.
    assert not message.reactions.exists()
    response = client.post(reverse("chat:message-delete", args=[message.pk]), follow=True)
    assert "You are doing that too quickly: wait a minute, then try again." in messages_of(response)
    message.refresh_from_db()
    assert message.deleted_at is None


@pytest.mark.parametrize("status", ["pending", "refused"])
def test_the_room_of_a_group_not_approved_is_neither_listed_nor_searched(member, territory, network_room, status):
    """Its members belong to it, but nobody may read it yet: listing it would lead to a 404."""
    group = WorkgroupFactory(name="Atelier en attente", territory=territory, status=status, created_by=member,
                             managers=[member])
    room = services.room_for_space(group.space)
    Message.objects.create(room=room, author=member, body="banc d'essai", html="<p>banc d'essai</p>")
    client = english_client(member)
    page = soup(client.get(reverse("chat:index")))
    listed = {int(a["data-room-link"]) for a in page.select("[data-room-link]")}
    assert network_room.pk in listed and room.pk not in listed
    assert client.get(room_url(room)).status_code == 404
    results = soup(client.get(reverse("chat:search"), {"q": "banc"}))
    assert "banc d" not in text_of(results.select_one("main"))


@pytest.mark.parametrize("where", ["another room", "nowhere"])
def test_a_reply_to_a_message_of_another_room_or_none_is_refused_not_dropped(member, colleague, network_room,
                                                                             territory_room, where):
    reply_to = send(colleague, territory_room, "Ailleurs").pk if where == "another room" else 10 ** 9
    response = english_client(member).post(send_url(network_room), {"body": "Réponse", "reply_to": reply_to,
                                                                    "client_id": "reply-elsewhere"})
    assert response.status_code == 400
    assert REPLY_GONE in text_of(soup(response).select_one("form#ecrire"))
    assert not Message.objects.filter(body="Réponse").exists()


# --- The rules' answers, as data attributes for chat.js --------------------------------------------


def answers_of(page, message):
    """(data-can-edit, data-can-delete, data-edit-until as a moment) of a message's item."""
    item = page.select_one(f"#message-{message.pk}")
    until = item.get("data-edit-until")
    return item.get("data-can-edit"), item.get("data-can-delete"), until and datetime.fromisoformat(until)


def test_each_message_carries_the_server_s_answers_for_its_reader(member, colleague, coordinator, network_room):
    mine = send(member, network_room, "Le mien, récent")
    old = send(member, network_room, "Le mien, ancien")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    theirs = send(colleague, network_room, "Le sien")
    gone = send(colleague, network_room, "Retiré")
    services.message_delete(actor=colleague, message=gone.pk)
    mine, old, theirs = (Message.objects.get(pk=m.pk) for m in (mine, old, theirs))

    page = soup(english_client(member).get(room_url(network_room)))
    room = page.select_one("[data-chat-room]")
    assert not room.has_attr("data-edit-window")  # the window is the server's: no copy in the page
    assert (room["data-can-write"], room["data-can-moderate"]) == ("1", "0")
    assert answers_of(page, mine) == ("1", "1", mine.created_at + timedelta(minutes=15))
    assert answers_of(page, old) == ("0", "1", old.created_at + timedelta(minutes=15))
    assert answers_of(page, theirs) == ("0", "0", theirs.created_at + timedelta(minutes=15))
    assert answers_of(page, gone) == ("0", "0", None)
    # The links follow the same answers.
    assert page.select_one(f"#message-{mine.pk} [data-edit]") and page.select_one(f"#message-{mine.pk} [data-delete]")
    assert page.select(f"#message-{theirs.pk} [data-edit], #message-{theirs.pk} [data-delete]") == []

    # The coordinator moderates the network's room: every live message may be deleted, none edited.
    page = soup(english_client(coordinator).get(room_url(network_room)))
    assert page.select_one("[data-chat-room]")["data-can-moderate"] == "1"
    assert [answers_of(page, m)[:2] for m in (mine, old, theirs, gone)] == [
        ("0", "1"), ("0", "1"), ("0", "1"), ("0", "0")]


def test_a_reader_who_may_not_write_may_edit_nothing(coordinator, group_member, private_room):
    message = send(group_member, private_room, "Entre nous")
    page = soup(english_client(coordinator).get(room_url(private_room)))
    assert page.select_one("[data-chat-room]")["data-can-write"] == "0"
    assert answers_of(page, message)[:2] == ("0", "1")  # a coordinator moderates every group


def test_the_payload_carries_the_edit_deadline_the_server_computed(member, colleague, network_room):
    message = Message.objects.get(pk=send(member, network_room, "Bientôt figé").pk)
    gone = send(colleague, network_room, "Retiré")
    services.message_delete(actor=colleague, message=gone.pk)
    data = english_client(member).get(reverse("chat:messages", args=[network_room.pk])).json()
    by_id = {m["id"]: m for m in data["messages"]}
    assert by_id[message.pk]["edit_until"] == (message.created_at + timedelta(minutes=15)).isoformat()
    assert by_id[message.pk]["author"]["id"] == member.pk
    assert by_id[gone.pk]["edit_until"] is None


def test_an_edit_refused_over_json_says_the_rule_s_reason(member, colleague, network_room):
    theirs = send(colleague, network_room, "Le sien")
    late = send(member, network_room, "Trop tard")
    Message.objects.filter(pk=late.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    client = english_client(member)
    for message, reason in ((theirs, "You can only edit your own messages."),
                            (late, "A message can be edited during 15 minutes after it is sent.")):
        response = client.post(edit_url(message), {"body": "Changé"}, HTTP_ACCEPT="application/json")
        assert response.status_code == 403 and response.json() == {"error": reason}
    assert set(Message.objects.values_list("body", flat=True)) == {"Le sien", "Trop tard"}


def test_deleting_someone_else_s_message_is_refused_with_the_rule_s_reason(member, colleague, network_room):
    message = send(colleague, network_room, "Le mien")
    response = english_client(member).post(delete_url(message))
    assert response.status_code == 403
    assert "You can only delete your own messages." in response.content.decode()
