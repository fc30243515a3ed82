"""Customising the dashboard in Debian's Chromium against a real daphne (server and browser
fixtures: extranet/testing/browser.py).

With JavaScript: the "Move up"/"Move down" buttons, pressed from the keyboard, move the row
in place, keep the focus, announce the move in the live region and save; a row dragged
by its handle does the same. Without JavaScript: each button reloads the page on the
moved row, with the focus on it. At 320 px nothing scrolls sideways.
"""

import re
import time

import pytest
from django.utils import translation

from core import dashboard
from extranet import selectors
from extranet.testing import browser
from extranet.testing.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


CUSTOMIZE = "/bureau/tableau-de-bord/personnaliser/"
# The server runs the same apps: its widgets, in their default order (five or more).
DEFAULT = dashboard.default_order()
TOTAL = len(DEFAULT)


def position(index):
    """The announcement's "position <index> of <total>", in any language."""
    return re.compile(rf"\b{index}\b.*\b{TOTAL}\b")


def moved(order, key, index):
    order = [k for k in order if k != key]
    order.insert(index, key)
    return order


def title(key):
    with translation.override("fr"):
        return str(dashboard.WIDGETS[key].title)


@pytest.fixture
def animatrice(territory, venue):
    return UserFactory(email="animatrice@exemple.test", territory=territory, venues=[venue],
                       display_name="Amélie Vidal")


def saved_order(user):
    return [widget.key for widget, _shown in selectors.dashboard_layout_for(user=user)]


def wait_for_saved(user, expected, page):
    deadline = time.monotonic() + browser.WAIT_MS / 1000
    while saved_order(user) != expected:
        assert time.monotonic() < deadline, f"the server kept {saved_order(user)}, not {expected}"
        page.wait_for_timeout(50)


def rows(page):
    return page.locator("ol[data-layout-list] > li").evaluate_all("(items) => items.map((li) => li.dataset.key)")


def focused(page):
    return page.evaluate("document.activeElement && document.activeElement.value")


def test_keyboard_reordering_moves_in_place_announces_and_saves(new_context, animatrice):
    from playwright.sync_api import expect

    page = browser.log_in(new_context(), animatrice)
    page.get_by_role("link", name=re.compile(r"^(Personnaliser mon tableau de bord|Customise my dashboard)$")).click()
    page.wait_for_url(re.compile(re.escape(CUSTOMIZE) + "$"))
    expect(page.locator("form[data-dashboard-layout]")).to_have_attribute("data-enhanced", "")
    page.evaluate("window.__sameDocument = 'yes'")
    live = page.locator("[data-dashboard-announcer]")

    # From the first row's checkbox, Tab to the "Move up" button of the second row (the
    # first row's "Move up" is disabled, so not focusable), press Enter.
    first, second = DEFAULT[0], DEFAULT[1]
    move_up = page.locator(f"#ligne-{second} button[data-move='up']")
    page.locator(f"#afficher-{first}").focus()
    page.keyboard.press("Tab")  # "Move down" of the first row
    page.keyboard.press("Tab")  # the second row's checkbox
    page.keyboard.press("Tab")
    assert focused(page) == f"up:{second}"
    page.keyboard.press("Enter")

    expected = moved(DEFAULT, second, 0)
    expect(page.locator("ol[data-layout-list] > li").first).to_have_attribute("data-key", second)
    assert rows(page) == expected
    expect(live).to_have_text(position(1))
    expect(live).to_contain_text(title(second))
    # At the top, "Move up" is disabled: the focus went to "Move down" of the same row.
    expect(move_up).to_be_disabled()
    assert focused(page) == f"down:{second}"
    wait_for_saved(animatrice, expected, page)

    # Space on the focused "Move down": back to the second place.
    page.keyboard.press("Space")
    expect(page.locator("ol[data-layout-list] > li").first).to_have_attribute("data-key", first)
    expect(live).to_have_text(position(2))
    assert focused(page) == f"down:{second}"
    wait_for_saved(animatrice, DEFAULT, page)
    assert page.evaluate("window.__sameDocument") == "yes", "the page was reloaded"

    # The dashboard follows.
    page.goto("/bureau/")
    keys = page.locator("main section.widget").evaluate_all(
        "(sections) => sections.map((s) => s.getAttribute('aria-labelledby'))"
    )
    assert keys == [f"widget-{key}" for key in DEFAULT]


def test_drag_and_drop_by_the_handle(new_context, animatrice):
    from playwright.sync_api import expect

    # Tall enough for the whole list: the hand drags from the last row to the first without
    # scrolling (the mouse cannot press outside the viewport).
    page = browser.log_in(new_context(viewport={"width": 1280, "height": 1600}), animatrice)
    page.goto(CUSTOMIZE)
    expect(page.locator("form[data-dashboard-layout]")).to_have_attribute("data-enhanced", "")
    first, last = DEFAULT[0], DEFAULT[-1]
    handle = page.locator(f"#ligne-{last} [data-drag-handle]")
    expect(handle).to_be_visible()
    start = handle.bounding_box()
    target = page.locator(f"#ligne-{first}").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    for step in range(1, 11):  # several moves, as a hand would
        y = start["y"] + (target["y"] + 4 - start["y"]) * step / 10
        page.mouse.move(start["x"] + start["width"] / 2, y)
    page.mouse.up()

    expected = moved(DEFAULT, last, 0)
    expect(page.locator("ol[data-layout-list] > li").first).to_have_attribute("data-key", last)
    assert rows(page) == expected
    expect(page.locator("[data-dashboard-announcer]")).to_have_text(position(1))
    expect(page.locator(f"#ligne-{last} button[data-move='up']")).to_be_disabled()
    expect(page.locator(f"#ligne-{expected[-1]} button[data-move='down']")).to_be_disabled()
    wait_for_saved(animatrice, expected, page)


def test_without_javascript_each_move_reloads_on_the_moved_row(new_context, animatrice):
    from playwright.sync_api import expect

    page = browser.log_in(new_context(java_script_enabled=False), animatrice)
    page.goto(CUSTOMIZE)
    expect(page.locator("[data-drag-handle]").first).to_be_hidden()
    key = DEFAULT[2]
    page.locator(f"#ligne-{key} button[data-move='down']").click()
    page.wait_for_url(re.compile(rf"\?deplace={key}&sens=bas$"))

    assert rows(page) == moved(DEFAULT, key, 3)
    assert focused(page) == f"down:{key}"  # autofocus, no script needed
    expect(page.get_by_role("status")).to_contain_text(position(4))
    assert saved_order(animatrice) == moved(DEFAULT, key, 3)

    page.locator(f"#afficher-{DEFAULT[0]}").uncheck()
    page.get_by_role("button", name=re.compile(r"^(Enregistrer|Save)$")).click()
    page.wait_for_url(re.compile(re.escape(CUSTOMIZE) + "$"))
    page.goto("/bureau/")
    expect(page.locator(f"#widget-{DEFAULT[0]}")).to_have_count(0)
    expect(page.locator(f"#widget-{key}")).to_have_count(1)


def test_customisation_and_activity_fit_a_320px_screen(new_context, animatrice):
    page = browser.log_in(new_context(viewport=browser.NARROW), animatrice)
    for url in (CUSTOMIZE, "/bureau/activite/", "/bureau/"):
        page.goto(url)
        assert page.locator("h1").first.is_visible()
        assert browser.scroll_width(page) <= browser.NARROW["width"], f"{url} scrolls sideways at 320 px"


def test_when_the_session_has_ended_a_move_says_visibly_that_it_is_not_saved(new_context, animatrice):
    from playwright.sync_api import expect

    context = new_context()
    page = browser.log_in(context, animatrice)
    page.goto(CUSTOMIZE)
    expect(page.locator("form[data-dashboard-layout]")).to_have_attribute("data-enhanced", "")
    status = page.locator("[data-dashboard-status]")
    expect(status).to_be_hidden()
    context.clear_cookies()  # logged out elsewhere, or the session expired

    page.locator(f"#ligne-{DEFAULT[0]} button[data-move='down']").click()

    expect(status).to_be_visible()
    expect(status).to_have_text(re.compile(r"(session|Session)"))
    assert rows(page)[1] == DEFAULT[0]  # moved on screen...
    assert saved_order(animatrice) == DEFAULT  # ...but not saved, and the page says so
