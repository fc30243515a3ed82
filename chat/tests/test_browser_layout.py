"""The chat's layout in Debian's Chromium against a real daphne (fixtures:
extranet/testing/browser.py): the pane of fixed height that scrolls while the composer stays
in view (1280 and 320 px), the room list as a drawer at 320 px, the focus in the composer when
a room opens, the "Actions" menu by keyboard, the live announcement carrying the message's
text, and a live message's time written exactly as after a reload."""

import re

import pytest
from django.utils import timezone

from chat import services
from chat.models import Message, Room
from core.models import Space
from extranet.testing.browser import NARROW, WAIT_MS, in_thread, log_in, scroll_width
from extranet.testing.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 720}
CLOCK = re.compile(r"^\d{1,2}\u00a0h\u00a0\d{2}$")  # "12 h 30", as |clock writes it in French


@pytest.fixture
def colleagues(territory, venue):
    lea = UserFactory(email="lea@exemple.test", territory=territory, venues=[venue], display_name="Léa Fournier")
    thomas = UserFactory(email="thomas@exemple.test", territory=territory, venues=[venue],
                         display_name="Thomas Vidal")
    room = in_thread(lambda: services.room_for_space(Space.objects.get(territory=territory)))
    return lea, thomas, room


def fill_room(room, author, count):
    def make():
        now = timezone.now()
        Message.objects.bulk_create([
            Message(room=room, author=author, body=f"Message numéro {i}", html=f"<p>Message numéro {i}</p>",
                    created_at=now) for i in range(count)])
        last = Message.objects.filter(room=room).order_by("-id").first()
        Room.objects.filter(pk=room.pk).update(last_message_id=last.pk, last_message_at=last.created_at)
    in_thread(make)


def open_room(context, user, room):
    from playwright.sync_api import expect

    page = log_in(context, user)
    page.goto(f"/bureau/discussions/salon/{room.pk}/")
    expect(page.locator("html")).to_have_attribute("data-realtime", "connected", timeout=WAIT_MS)
    return page


def in_view(page, selector):
    """Whether the element is wholly inside the window."""
    return page.evaluate("""(selector) => {
        const box = document.querySelector(selector).getBoundingClientRect();
        return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
    }""", selector)


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "320"])
def test_the_pane_scrolls_inside_while_the_composer_stays_in_view(new_context, colleagues, viewport):
    from playwright.sync_api import expect

    lea, thomas, room = colleagues
    fill_room(room, thomas, 40)
    in_thread(lambda: services.room_mark_read(actor=lea, room=room.pk, up_to=None))  # all read: opens at the end
    page = open_room(new_context(viewport=viewport), lea, room)
    scroller = page.locator("[data-chat-scroll]")
    # Opened at the latest message (read: no divider), the composer in view and focused.
    expect(page.locator(".chat-messages [data-message]").last).to_contain_text("Message numéro 39")
    expect(page.locator("#ecrire textarea[name=body]")).to_be_focused()
    # Waited for: at 320 px the window scrolls once the pane is placed.
    expect(page.locator("#ecrire textarea[name=body]")).to_be_in_viewport(ratio=1)
    expect(page.locator("#ecrire button[type=submit]")).to_be_in_viewport(ratio=1)
    sizes = scroller.evaluate("n => [n.scrollHeight, n.clientHeight, n.scrollTop]")
    assert sizes[0] > sizes[1] * 2, f"the pane does not scroll inside: {sizes}"
    assert sizes[2] + sizes[1] >= sizes[0] - 2, f"not opened at the latest message: {sizes}"
    # Scrolled back to the first messages: the composer does not move.
    # (Measured against the pane's bottom edge: at 320 px the window itself may still be
    # settling its scroll, which moves both alike.)
    below_pane = "n => n.getBoundingClientRect().top - document.querySelector('[data-chat-scroll]')" \
                 ".getBoundingClientRect().bottom"
    composer_offset = page.locator("#ecrire").evaluate(below_pane)
    scroller.evaluate("n => { n.scrollTop = 0; }")
    expect(page.get_by_text("Message numéro 0", exact=True)).to_be_in_viewport()
    assert page.locator("#ecrire").evaluate(below_pane) == composer_offset
    expect(page.locator("#ecrire textarea[name=body]")).to_be_in_viewport(ratio=1)
    assert scroll_width(page) <= viewport["width"]


def test_the_room_opens_at_the_first_unread_message(new_context, colleagues):
    from playwright.sync_api import expect

    lea, thomas, room = colleagues
    fill_room(room, thomas, 30)
    first_unread = in_thread(lambda: Message.objects.filter(room=room).order_by("id")[10].pk)
    in_thread(lambda: services.room_mark_read(actor=lea, room=room.pk, up_to=first_unread - 1))
    page = open_room(new_context(), lea, room)
    expect(page.locator("[data-chat-divider]")).to_be_in_viewport()
    expect(page.locator(f"#message-{first_unread}")).to_be_in_viewport()
    expect(page.get_by_text("Message numéro 29", exact=True)).not_to_be_in_viewport()


def test_the_index_without_a_room_leaves_the_focus_alone(new_context, colleagues):
    lea, _thomas, _room = colleagues
    page = log_in(new_context(), lea)
    page.goto("/bureau/discussions/")
    page.locator("[data-room-link]").first.wait_for()
    assert page.evaluate("document.activeElement === document.body")


def test_the_room_list_is_a_drawer_at_320_px(new_context, colleagues):
    from playwright.sync_api import expect

    lea, _thomas, room = colleagues
    page = open_room(new_context(viewport=NARROW), lea, room)
    toggle = page.locator("button[aria-controls=chat-rooms]")
    drawer = page.locator("#chat-rooms")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(drawer).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(drawer).to_be_visible()
    expect(drawer.locator("[aria-current=page]")).to_be_focused()  # the open room, in the list
    assert scroll_width(page) <= NARROW["width"]
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    # Opened again, another room is chosen from it.
    toggle.click()
    expect(drawer).to_be_visible()
    drawer.locator("[data-room-link]:not([aria-current])").first.click()
    page.wait_for_url(re.compile(r"/salon/\d+/$"))
    assert not page.url.endswith(f"/salon/{room.pk}/")


def test_at_1280_px_the_room_list_is_a_sidebar(new_context, colleagues):
    from playwright.sync_api import expect

    lea, _thomas, room = colleagues
    page = open_room(new_context(viewport=WIDE), lea, room)
    expect(page.locator("#chat-rooms")).to_be_visible()
    expect(page.locator("button[aria-controls=chat-rooms]")).to_be_hidden()


def test_without_javascript_the_room_list_is_a_page_at_320_px(new_context, colleagues):
    from playwright.sync_api import expect

    lea, thomas, room = colleagues
    fill_room(room, thomas, 40)
    context = new_context(viewport=NARROW, java_script_enabled=False)
    page = log_in(context, lea)
    page.goto(f"/bureau/discussions/salon/{room.pk}/")
    # The pane opens at its end, the latest message, here too.
    last_in_pane = page.locator("[data-chat-scroll]").evaluate("""pane => {
        const box = pane.getBoundingClientRect();
        const last = [...pane.querySelectorAll("[data-message]")].pop().getBoundingClientRect();
        return pane.scrollHeight > pane.clientHeight * 2 && last.bottom <= box.bottom + 1 && last.top >= box.top;
    }""")
    assert last_in_pane
    link = page.locator("a[data-chat-drawer-toggle]")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(r"/bureau/discussions/$"))
    expect(page.locator(f'[data-room-link="{room.pk}"]')).to_be_visible()


def test_the_actions_menu_works_by_keyboard(new_context, colleagues):
    from playwright.sync_api import expect

    lea, thomas, room = colleagues
    in_thread(lambda: services.message_send(actor=thomas, room=room.pk, body="Le sien"))
    mine = in_thread(lambda: services.message_send(actor=lea, room=room.pk, body="Le mien, à corriger"))
    page = open_room(new_context(), lea, room)
    message = page.locator(f"#message-{mine.pk}")
    # One control per message in the tab order.
    assert page.locator("[data-message] a:visible, [data-message] button:visible").count() == 2
    button = message.get_by_role("button", name="Actions")
    expect(button).to_have_attribute("aria-haspopup", "menu")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    menu = message.get_by_role("menu")
    expect(menu.get_by_role("menuitem", name="Répondre")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(menu.get_by_role("menuitem").nth(1)).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # wraps round to the last item
    expect(menu.get_by_role("menuitem").last).to_be_focused()
    page.keyboard.press("Home")
    expect(menu.get_by_role("menuitem").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_be_focused()
    # ArrowDown opens it too; "Modifier" is reached with the arrows and Enter edits in place.
    page.keyboard.press("ArrowDown")
    edit = menu.get_by_role("menuitem", name="Modifier")
    for _step in range(6):
        if edit.evaluate("n => n === document.activeElement"):
            break
        page.keyboard.press("ArrowDown")
    expect(edit).to_be_focused()
    page.keyboard.press("Enter")
    expect(menu).to_be_hidden()
    expect(message.locator("[data-edit-form] textarea")).to_be_focused()
    expect(message.locator("[data-edit-form] textarea")).to_have_value("Le mien, à corriger")
    # Another's message offers neither edit nor delete.
    theirs = page.locator(".chat-messages [data-message]").first
    theirs.get_by_role("button", name="Actions").click()
    expect(theirs.get_by_role("menuitem", name="Modifier")).to_have_count(0)
    expect(theirs.get_by_role("menuitem", name="Supprimer")).to_have_count(0)


def test_a_new_message_is_announced_with_its_text_and_its_time_reads_as_after_a_reload(new_context, colleagues):
    from playwright.sync_api import expect

    from chat.tests.test_browser import open_room_subscribed

    lea, thomas, room = colleagues
    lea_page = open_room_subscribed(new_context(), lea, room)
    thomas_page = open_room_subscribed(new_context(), thomas, room)
    long_text = "Bonjour à tous, " + "la réunion de jeudi est déplacée " * 8
    box = thomas_page.locator("#ecrire textarea[name=body]")
    box.fill("Bonjour à **tous**")
    box.press("Enter")
    live = lea_page.locator("[data-chat-live]")
    # "Thomas Vidal : Bonjour à tous" once the French catalogue is compiled (a no-break space before ":").
    expect(live).to_have_text(re.compile(r"^Thomas Vidal\u00a0?: Bonjour à tous$"), timeout=WAIT_MS)
    expect(box).to_have_value("", timeout=WAIT_MS)
    box.fill(long_text)
    box.press("Enter")
    expected = (long_text[:139].rstrip() + "…")
    expect(live).to_have_text(re.compile(r"^Thomas Vidal\u00a0?: " + re.escape(expected) + "$"), timeout=WAIT_MS)
    # Her own message is not announced to her.
    lea_box = lea_page.locator("#ecrire textarea[name=body]")
    lea_box.fill("Merci Thomas")
    lea_box.press("Enter")
    expect(lea_page.locator(".chat-messages [data-message]").last).to_contain_text("Merci Thomas", timeout=WAIT_MS)
    expect(live).to_have_text(re.compile(r"réunion de jeudi"))

    # The time of a message received live reads as it does once the page is reloaded.
    received = lea_page.locator(".chat-messages [data-message]").first
    message_id = received.get_attribute("data-message")
    live_time = received.locator("time").inner_text()
    live_day = lea_page.locator(".chat-messages > li.chat-day").all_inner_texts()
    assert CLOCK.match(live_time), live_time
    lea_page.reload()
    reloaded = lea_page.locator(f"#message-{message_id} time")
    expect(reloaded).to_have_text(live_time)
    assert lea_page.locator(".chat-messages > li.chat-day").all_inner_texts() == live_day
    # The room list's preview follows, as plain text.
    expect(lea_page.locator(f'[data-room-preview="{room.pk}"]')).to_contain_text("Merci Thomas")
