"""The chat's room list (previews, times, unread, avatars, presence), its one date format
(clock times, day separators) and the one "Actions" control per message, through the
selectors and the pages, without JavaScript. chat.js draws live messages with the same
rules: chat/tests/test_browser.py compares a live message with the same one reloaded.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from chat import dates, selectors, services
from chat.models import Message, Presence, Room
from extranet.testing.pages import english_client, soup, text_of

PARIS = ZoneInfo("Europe/Paris")


def at(*args):
    return dt.datetime(*args, tzinfo=PARIS)


def put(room, author, body, html, created_at):
    """A message stored as it is (its HTML given), the room's last message following."""
    message = Message.objects.create(room=room, author=author, body=body, html=html, created_at=created_at)
    Room.objects.filter(pk=room.pk).update(last_message_id=message.pk, last_message_at=created_at)
    return message


# --- Previews -------------------------------------------------------------------------------------


def test_a_preview_is_the_plain_text_of_the_message():
    html = "<p>Le <strong>câble</strong> &amp; l&#x27;adaptateur</p>\n<p>sont   <a href=\"/x\">là</a></p>"
    assert selectors.preview_text(html) == "Le câble & l'adaptateur sont là"


def test_a_long_preview_is_cut_at_80_characters_with_an_ellipsis():
    html = "<p>" + "abcdefghij " * 10 + "</p>"
    preview = selectors.preview_text(html)
    assert preview == "abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij abcdefghij ab…"
    assert len(preview) == 80


def test_markup_in_a_preview_is_never_html():
    # Whatever the stored HTML, the preview is text: the template escapes it.
    assert selectors.preview_text("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == "<script>alert(1)</script>"


def test_the_room_list_gives_each_room_its_preview_author_and_presence(member, colleague, network_room,
                                                                       territory_room, direct_room, public_room):
    put(network_room, colleague, "Réunion lundi", "<p>Réunion <em>lundi</em></p>", timezone.now())
    put(territory_room, member, "J'y serai", "<p>J'y serai</p>", timezone.now())
    gone = put(direct_room, colleague, "Oups", "<p>Oups</p>", timezone.now())
    Message.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    Presence.objects.update_or_create(user=colleague, defaults={"status": "online"})

    rooms = {room.pk: room for room in selectors.room_list_for(member)}

    network = rooms[network_room.pk]
    assert (network.preview_author, network.preview, network.preview_deleted) == ("Inès Garcia", "Réunion lundi",
                                                                                  False)
    assert network.other is None and network.presence is None
    mine = rooms[territory_room.pk]
    assert (mine.preview_mine, mine.preview_author, mine.preview) == (True, "", "J'y serai")
    direct = rooms[direct_room.pk]
    assert (direct.preview_deleted, direct.preview) == (True, "")
    assert direct.other == colleague and direct.presence == "online"
    empty = rooms[public_room.pk]
    assert (empty.preview, empty.preview_author, empty.preview_deleted, empty.preview_mine) == ("", "", False, False)


def test_the_index_shows_previews_times_avatars_and_presence(member, colleague, network_room, direct_room):
    put(network_room, colleague, "Qui a la clé ?", "<p>Qui a la <strong>clé</strong> ?</p>", timezone.now())
    put(direct_room, colleague, "Merci", "<p>Merci</p>", timezone.now())
    Presence.objects.update_or_create(user=colleague, defaults={"status": "away"})
    page = soup(english_client(member).get(reverse("chat:index")))

    network = page.select_one(f'[data-room-link="{network_room.pk}"]')
    assert text_of(network.select_one("[data-room-preview]")) == "Inès Garcia: Qui a la clé ?"
    time = network.select_one("time[data-relative]")
    assert text_of(time) == "just now"
    direct = page.select_one(f'[data-room-link="{direct_room.pk}"]')
    assert text_of(direct.select_one(".avatar--initials")) == "IG"
    assert direct.select_one(f'.presence--away[data-presence-user="{colleague.pk}"]') is not None
    assert text_of(direct.select_one("[data-presence-text]")) == "(away)"
    badge = page.select_one(f'[data-room-unread="{direct_room.pk}"]')
    assert badge.contents[0].strip() == "1" and not badge.has_attr("hidden")


def test_a_deleted_last_message_previews_as_deleted_and_hides_its_text(member, colleague, network_room):
    message = put(network_room, colleague, "Mot de passe : 1234", "<p>Mot de passe : 1234</p>", timezone.now())
    services.message_delete(actor=colleague, message=message.pk)
    response = english_client(member).get(reverse("chat:index"))
    preview = soup(response).select_one(f'[data-room-preview="{network_room.pk}"]')
    assert text_of(preview) == "Message deleted"
    assert "1234" not in response.content.decode()


# --- Dates -----------------------------------------------------------------------------------------


def test_day_labels_say_today_yesterday_then_the_day(english):
    today = dt.date(2026, 12, 3)
    assert dates.day_label(dt.date(2026, 12, 3), today) == "Today"
    assert dates.day_label(dt.date(2026, 12, 2), today) == "Yesterday"
    assert dates.day_label(dt.date(2026, 12, 1), today) == "Tuesday 1 December"
    assert dates.day_label(dt.date(2025, 12, 30), today) == "Tuesday 30 December 2025"


def test_day_labels_in_french_have_lower_case_names():
    with translation.override("fr"):
        assert dates.day_label(dt.date(2026, 12, 1), dt.date(2026, 12, 3)) == "mardi 1 décembre"
        assert dates.day_label(dt.date(2025, 3, 7), dt.date(2026, 12, 3)) == "vendredi 7 mars 2025"


def test_mark_days_labels_the_first_message_of_each_day_in_the_site_zone():
    class Item:
        def __init__(self, created_at):
            self.created_at = created_at

    # 23:30 in Paris is still the 1st, though it is the 1st at 22:30 UTC... and 00:10 the 2nd.
    items = [Item(at(2025, 12, 1, 9, 0)), Item(at(2025, 12, 1, 23, 30)), Item(at(2025, 12, 2, 0, 10))]
    with translation.override("fr"):
        dates.mark_days(items)
    assert [(i.day, i.day_label) for i in items] == [("2025-12-01", "lundi 1 décembre 2025"), ("2025-12-01", ""),
                                                     ("2025-12-02", "mardi 2 décembre 2025")]


def test_the_room_shows_clock_times_and_day_separators(member, colleague, network_room):
    yesterday = timezone.localtime() - dt.timedelta(days=1)
    first = put(network_room, colleague, "Hier", "<p>Hier</p>", yesterday.replace(hour=7, minute=5))
    second = put(network_room, colleague, "Aujourd'hui", "<p>Aujourd'hui</p>",
                 timezone.localtime().replace(hour=0, minute=1))
    page = soup(english_client(member).get(reverse("chat:room", args=[network_room.pk])))
    days = [text_of(day) for day in page.select("[data-chat-messages] > li.chat-day")]
    assert days == ["Yesterday", "Today"]
    assert text_of(page.select_one(f"#message-{first.pk} time")) == "7:05 a.m."
    client = Client()  # the default language: French
    client.force_login(member)
    french = soup(client.get(reverse("chat:room", args=[network_room.pk])))
    assert french.select_one(f"#message-{first.pk} time").get_text() == "7\u00a0h\u00a005"
    assert french.select_one(f"#message-{second.pk} time").get_text() == "0\u00a0h\u00a001"
    room = french.select_one("[data-chat-room]")
    assert (room["data-time-format"], room["data-time-zone"]) == ("G\u00a0\\h\u00a0i", "Europe/Paris")


# --- One control per message ----------------------------------------------------------------------------


def actions_of(page, message):
    item = page.select_one(f"#message-{message.pk}")
    links = [text_of(a) for a in item.select(".chat-actions__menu a")]
    return item, links, item.select(".chat-actions__menu [data-react]")


def test_each_message_has_one_actions_control_holding_what_may_be_done(member, colleague, network_room, english):
    mine = services.message_send(actor=member, room=network_room.pk, body="Le mien")
    theirs = services.message_send(actor=colleague, room=network_room.pk, body="Le sien")
    page = soup(english_client(member).get(reverse("chat:room", args=[network_room.pk])))

    item, links, reactions = actions_of(page, mine)
    assert [text_of(s) for s in item.select("summary .visually-hidden")] == ["Actions"]
    assert len(item.select("summary")) == 1
    assert links == ["Reply", "Copy the link", "Profile of Karim Benali", "Edit", "Delete"]
    assert len(reactions) == 7
    # Outside the menu, the message has no link or button of its own (its reactions aside).
    outside = [n for n in item.select("a, button, summary") if not n.find_parent(class_="chat-actions")]
    assert outside == []
    assert (item["data-can-edit"], item["data-can-delete"]) == ("1", "1")

    item, links, reactions = actions_of(page, theirs)
    assert links == ["Reply", "Copy the link", "Profile of Inès Garcia"]
    assert (item["data-can-edit"], item["data-can-delete"]) == ("0", "0")
    link = item.select_one("[data-copy-link]")["href"]
    assert link == f"/bureau/discussions/salon/{network_room.pk}/?autour={theirs.pk}#message-{theirs.pk}"


def test_a_reader_who_may_not_write_gets_no_reply_nor_reactions(colleague, group_manager, public_room, english):
    # Inès is not in the public group: she reads its room, she does not write in it.
    message = services.message_send(actor=group_manager, room=public_room.pk, body="Bienvenue")
    response = english_client(colleague).get(reverse("chat:room", args=[public_room.pk]))
    item, links, reactions = actions_of(soup(response), message)
    assert links == ["Copy the link", "Profile of Aline Roux"] and reactions == []
