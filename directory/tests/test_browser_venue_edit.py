"""The venue form in Debian's Chromium against a real daphne, at 1280 and 320 px: the
opening hours editor (add a range by keyboard, save, reload) and the pin of the map
(dragging it writes the latitude and longitude).

Map tiles are the outside world: requests leaving the test server get a blank PNG (tiles)
or are refused, so no network is used.
"""

import re

import pytest
from playwright.sync_api import expect

from directory.models import Venue
from extranet.testing.browser import NARROW, log_in, offline, scroll_width
from extranet.testing.factories import UserFactory, VenueFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1280, "height": 900}




@pytest.fixture
def animator(territory):
    venue = VenueFactory(territory=territory, name="EPM de Limogne", latitude="44.447500", longitude="1.441900",
                         opening_hours="Mo 09:00-12:00; PH off")
    return UserFactory(territory=territory, venues=[venue], display_name="Inès Carrère"), venue


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "320"])
def test_adding_a_range_by_keyboard_saves_it_and_the_form_shows_it_again(new_context, server, animator, viewport):
    user, venue = animator
    context = new_context(viewport=viewport)
    offline(context, server)
    page = log_in(context, user)
    page.goto(f"/bureau/lieux/{venue.pk}/modifier/")
    monday = page.locator("[data-hours-day=Mo]")
    # Enhanced: no spare empty range any more, an "add" button instead.
    expect(monday.locator("input[name=opening_hours__Mo__start]")).to_have_count(1)
    add = monday.locator("[data-hours-add]")
    add.focus()
    page.keyboard.press("Enter")
    starts = monday.locator("input[name=opening_hours__Mo__start]")
    expect(starts).to_have_count(2)
    expect(starts.nth(1)).to_be_focused()
    starts.nth(1).fill("14:00")
    ends = monday.locator("input[name=opening_hours__Mo__end]")
    ends.nth(1).fill("18:00")
    ends.nth(1).press("Enter")  # the form's default button saves (not "find the coordinates")
    page.wait_for_url(re.compile(rf"/bureau/lieux/{venue.pk}/historique/$"))
    assert Venue.objects.get(pk=venue.pk).opening_hours == "Mo 09:00-12:00,14:00-18:00; PH off"
    page.goto(f"/bureau/lieux/{venue.pk}/modifier/")
    expect(page.locator("input[name=opening_hours__Mo__start]")).to_have_count(2)
    expect(page.locator("input[name=opening_hours__Mo__start]").nth(1)).to_have_value("14:00")
    expect(page.locator("input[name=opening_hours__Mo__end]").nth(1)).to_have_value("18:00")
    assert scroll_width(page) <= viewport["width"]


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "320"])
def test_dragging_the_pin_writes_the_coordinates(new_context, server, animator, viewport):
    user, venue = animator
    context = new_context(viewport=viewport)
    offline(context, server)
    page = log_in(context, user)
    page.goto(f"/bureau/lieux/{venue.pk}/modifier/")
    pin = page.locator("#venue-pin-map .leaflet-marker-icon")
    expect(pin).to_be_visible()
    pin.scroll_into_view_if_needed()
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] - 4
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y + 15, steps=5)
    page.mouse.move(x + 60, y + 40, steps=5)
    page.mouse.up()
    latitude, longitude = page.locator("#id_latitude"), page.locator("#id_longitude")
    expect(latitude).not_to_have_value("44.447500")
    # Down and to the right: further south, further east.
    assert float(latitude.input_value()) < 44.4475
    assert float(longitude.input_value()) > 1.4419
    expect(page.locator("[data-locate-status]")).to_contain_text(latitude.input_value())
    page.locator("[data-save]").click()
    page.wait_for_url(re.compile(rf"/bureau/lieux/{venue.pk}/historique/$"))
    assert f"{Venue.objects.get(pk=venue.pk).latitude:.6f}" != "44.447500"


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280", "320"])
def test_without_javascript_a_day_is_opened_in_the_spare_range(new_context, server, animator, viewport):
    user, venue = animator
    context = new_context(viewport=viewport, java_script_enabled=False)
    offline(context, server)
    page = log_in(context, user)
    page.goto(f"/bureau/lieux/{venue.pk}/modifier/")
    expect(page.locator("[data-venue-pin]")).to_be_hidden()
    tuesday = page.locator("[data-hours-day=Tu]")
    tuesday.locator("input[name=opening_hours__Tu__closed]").uncheck()
    tuesday.locator("input[name=opening_hours__Tu__start]").fill("10:00")
    tuesday.locator("input[name=opening_hours__Tu__end]").fill("12:30")
    page.locator("[data-save]").click()
    page.wait_for_url(re.compile(rf"/bureau/lieux/{venue.pk}/historique/$"))
    assert Venue.objects.get(pk=venue.pk).opening_hours == "Mo 09:00-12:00; Tu 10:00-12:30; PH off"
    assert scroll_width(page) <= viewport["width"]
