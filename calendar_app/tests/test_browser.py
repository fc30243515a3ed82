"""The journey of a weekly event, in Debian's Chromium against a real daphne (see
extranet/testing/browser.py for the server and browser fixtures).

A member creates a weekly event through the form, moves one occurrence ("This occurrence")
and cancels another; the month view shows the moved one on its new day and the cancelled
one struck through, and the member's private feed holds the rule, an EXDATE and a
RECURRENCE-ID (parsed by icalendar, an independent parser). With and without JavaScript
(the form and the month grid work without it).

The pages are asked in English (the source strings, through the language cookie), so that
the labels the test looks for do not depend on the translations of the day.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from calendar_app import services
from calendar_app.models import Event, FeedToken
from extranet.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")
TITLE = "Atelier tablettes du mardi"


def _day_cell(page, day_text):
    """The month grid's cell of the day whose full name is `day_text` ("Tuesday 12 January")."""
    return page.get_by_role("cell").filter(has=page.get_by_text(day_text, exact=True))


def _occurrence_dates(values):
    """The datetimes of an EXDATE property (one or several)."""
    values = values if isinstance(values, list) else [values]
    return [moment.dt for value in values for moment in value.dts]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_weekly_event_with_a_moved_and_a_cancelled_date(new_context, server, member, javascript):
    import icalendar
    from playwright.sync_api import expect

    personal = services.personal_calendar(member)
    token = FeedToken.objects.create(user=member).token
    context = new_context(java_script_enabled=javascript)
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": server.url}])
    page = log_in(context, member)

    # (a) A weekly event on Tuesdays from 5 January 2027, 18 h - 19 h 30, in the personal calendar.
    page.goto("/bureau/agenda/evenements/nouveau/")
    page.get_by_label(re.compile(r"^Title")).fill(TITLE)
    page.get_by_label(re.compile(r"^Calendar")).select_option(str(personal.pk))
    page.get_by_label(re.compile(r"^Date")).fill("2027-01-05")
    page.get_by_label(re.compile(r"^Start time")).fill("18:00")
    page.get_by_label(re.compile(r"^End time")).fill("19:30")
    page.get_by_label(re.compile(r"^Repeat\b")).select_option("weekly")
    page.get_by_role("button", name="Add the event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    master = Event.objects.get(title=TITLE, series__isnull=True)
    assert (master.calendar_id, master.rrule) == (personal.pk, "FREQ=WEEKLY;BYDAY=TU")

    # (b) The date of 12 January, opened from the month view, moves to Thursday 14 January.
    page.goto("/bureau/agenda/mois/2027/1/")
    _day_cell(page, "Tuesday 12 January").get_by_role("link", name=re.compile(TITLE)).click()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("This occurrence", exact=True).check()
    page.get_by_label(re.compile(r"^Date")).fill("2027-01-14")
    page.get_by_label(re.compile(r"^End date")).fill("2027-01-14")
    page.get_by_role("button", name="Save the changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text(re.compile(r"Thursday 14 January 2027"))).to_be_visible()

    # (c) The date of 19 January is cancelled.
    page.goto("/bureau/agenda/mois/2027/1/")
    _day_cell(page, "Tuesday 19 January").get_by_role("link", name=re.compile(TITLE)).click()
    page.get_by_role("link", name="Cancel this date").click()
    page.get_by_role("button", name="Cancel this date").click()
    expect(page.get_by_text("This date is cancelled.")).to_be_visible()

    moved, cancelled = master.overrides.order_by("recurrence_id")
    assert (moved.recurrence_id, moved.start, moved.status) == (
        datetime(2027, 1, 12, 18, tzinfo=PARIS), datetime(2027, 1, 14, 18, tzinfo=PARIS), "confirmed")
    assert (cancelled.recurrence_id, cancelled.status) == (datetime(2027, 1, 19, 18, tzinfo=PARIS), "cancelled")

    # (d) The month view: the moved date on Thursday the 14th (not on the 12th), the
    # cancelled one struck through; the other Tuesdays as they were.
    page.goto("/bureau/agenda/mois/2027/1/")
    expect(_day_cell(page, "Thursday 14 January").get_by_role("link", name=re.compile(TITLE))).to_have_count(1)
    expect(_day_cell(page, "Tuesday 12 January").get_by_role("link", name=re.compile(TITLE))).to_have_count(0)
    expect(_day_cell(page, "Tuesday 19 January").locator("s")).to_have_text(TITLE)
    for day in ("Tuesday 5 January", "Tuesday 26 January"):
        cell = _day_cell(page, day)
        expect(cell.get_by_role("link", name=re.compile(TITLE))).to_have_count(1)
        expect(cell.locator("s")).to_have_count(0)

    # (e) The member's private feed: the rule, the cancelled date as an EXDATE, the moved
    # one as a RECURRENCE-ID with its new start.
    response = page.request.get(f"/agenda/flux/{token}.ics")
    assert response.status == 200
    feed = icalendar.Calendar.from_ical(response.body())
    components = [c for c in feed.walk("VEVENT") if str(c["UID"]) == master.uid]
    series = [c for c in components if "RRULE" in c]
    assert len(series) == 1
    assert series[0]["RRULE"]["FREQ"] == ["WEEKLY"]
    assert series[0]["RRULE"]["BYDAY"] == ["TU"]
    assert series[0]["DTSTART"].dt == datetime(2027, 1, 5, 18, tzinfo=PARIS)
    assert _occurrence_dates(series[0].get("EXDATE", [])) == [datetime(2027, 1, 19, 18, tzinfo=PARIS)]
    exceptions = [c for c in components if "RECURRENCE-ID" in c and str(c.get("STATUS", "")).upper() != "CANCELLED"]
    assert [(c["RECURRENCE-ID"].dt, c["DTSTART"].dt, c["DTEND"].dt) for c in exceptions] == [
        (datetime(2027, 1, 12, 18, tzinfo=PARIS), datetime(2027, 1, 14, 18, tzinfo=PARIS),
         datetime(2027, 1, 14, 19, 30, tzinfo=PARIS))]
