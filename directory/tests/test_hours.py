"""Opening hours (directory.hours): OSM syntax validated, told in words, evaluated in the venue's time zone.

Sentences are checked on the English source strings (`translation.override("en")`): the
French ones come from locale/ and are the translators' to word. Weekday and month names
are compared case-insensitively (English capitalises them, French does not).
"""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from directory import hours
from directory.models import Venue
from extranet.testing.factories import VenueFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
WEEKDAYS = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off"
REUNION = (-21.115, 55.536)  # Saint-Denis-ish: UTC+4 all year
GUADELOUPE = (16.241, -61.533)  # Pointe-à-Pitre: UTC-4 all year


def at(*args, zone=PARIS):
    return datetime.datetime(*args, tzinfo=zone)


# 2026-12-21 is a Monday; 2026-12-25 (Friday) is Christmas, a French public holiday.
MONDAY = (2026, 12, 21)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def status_text(value, now, *coordinates):
    return hours.status(value, *coordinates, now=now).text


# --- Status sentences ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected", "is_open"),
    [
        (at(*MONDAY, 10, 0), "Open now, closes at 12:00", True),
        (at(*MONDAY, 11, 59), "Open now, closes at 12:00", True),
        (at(*MONDAY, 12, 0), "Closed, opens at 14:00", False),
        (at(*MONDAY, 15, 0), "Open now, closes at 18:30", True),
        (at(*MONDAY, 8, 0), "Closed, opens at 9:00", False),
        (at(*MONDAY, 19, 0), "Closed, opens tomorrow at 9:00", False),
        (at(2026, 12, 26, 9, 0), "Open now, closes at 12:00", True),  # Saturday
        (at(2026, 12, 26, 13, 0), "Closed, opens monday at 9:00", False),  # Saturday afternoon
        (at(2026, 12, 27, 13, 0), "Closed, opens tomorrow at 9:00", False),  # Sunday
    ],
)
def test_status_says_whether_open_and_the_next_change(now, expected, is_open):
    result = hours.status(WEEKDAYS, now=now)
    assert result.text.lower() == expected.lower()
    assert result.is_open is is_open
    assert result.known is True


def test_a_public_holiday_is_closed_with_ph_off():
    christmas_morning = at(2026, 12, 25, 10, 0)
    assert hours.is_open(WEEKDAYS, now=christmas_morning) is False
    assert status_text(WEEKDAYS, christmas_morning) == "Closed, opens tomorrow at 8:30"
    # The day before, the evening: the next opening skips the holiday.
    assert status_text(WEEKDAYS, at(2026, 12, 24, 19, 0)).lower() == "closed, opens saturday at 8:30"
    # Without PH off, Christmas is an ordinary Friday.
    assert hours.is_open("Mo-Fr 09:00-12:00", now=christmas_morning) is True
    # New Year's Day too (a Friday in 2027).
    assert hours.is_open(WEEKDAYS, now=at(2027, 1, 1, 10, 0)) is False


def test_next_week_and_further_are_said_with_the_day():
    # Monday only: on Tuesday it opens "monday" (within a week), on Monday afternoon
    # next Monday is seven days away: the date is given.
    assert status_text("Mo 10:00-12:00", at(2026, 12, 22, 13, 0)).lower() == "closed, opens monday at 10:00"
    assert status_text("Mo 10:00-12:00", at(*MONDAY, 13, 0)).lower() == "closed, opens monday 28 december at 10:00"
    assert status_text("Su 10:00-12:00", at(*MONDAY, 12, 0)).lower() == "closed, opens sunday at 10:00"


def test_around_the_clock_and_overnight():
    result = hours.status("24/7", now=at(*MONDAY, 3, 0))
    assert (result.is_open, result.text) == (True, "Open now, around the clock")
    assert status_text("Mo-Su 22:00-02:00", at(*MONDAY, 23, 0)) == "Open now, closes tomorrow at 2:00"
    assert status_text("Mo-Su 22:00-02:00", at(*MONDAY, 1, 0)) == "Open now, closes at 2:00"


def test_never_open_empty_and_unreadable_hours():
    assert hours.status("Mo-Su off", now=at(*MONDAY, 10, 0)) == hours.Status(False, True, "Closed")
    assert hours.status("", now=at(*MONDAY, 10, 0)) == hours.Status(False, False, "Opening hours not given")
    assert hours.status(None, now=at(*MONDAY, 10, 0)).text == "Opening hours not given"
    assert hours.status("Lu-Ve 9h-12h", now=at(*MONDAY, 10, 0)) == hours.Status(
        False, False, "Opening hours unreadable"
    )
    assert hours.is_open("Lu-Ve 9h-12h", now=at(*MONDAY, 10, 0)) is False


def test_a_comment_without_hours_is_skipped_to_the_next_real_opening():
    value = 'Mo 10:00-12:00 unknown "sur rendez-vous"; Tu 10:00-12:00'
    assert status_text(value, at(*MONDAY, 9, 0)) == "Closed, opens tomorrow at 10:00"


# --- Overseas: the venue's own time zone ----------------------------------------------------------


def test_a_venue_in_la_reunion_is_evaluated_in_its_time_zone():
    assert hours.zone_for(*REUNION).key == "Indian/Reunion"
    value = "Mo-Fr 08:00-12:00"
    # 06:00 in Paris is 09:00 in Saint-Denis: open there, not in Cahors.
    assert hours.is_open(value, *REUNION, now=at(*MONDAY, 6, 0)) is True
    assert hours.is_open(value, now=at(*MONDAY, 6, 0)) is False
    assert status_text(value, at(*MONDAY, 6, 0), *REUNION) == "Open now, closes at 12:00"
    # 10:00 in Paris is 13:00 there: closed until tomorrow, local time.
    assert status_text(value, at(*MONDAY, 10, 0), *REUNION) == "Closed, opens tomorrow at 8:00"
    # Its week starts on its own date: 22:00 Monday in Paris is already Tuesday there.
    days = hours.week(value, *REUNION, now=at(*MONDAY, 22, 0))
    assert days[0].date == datetime.date(2026, 12, 22) and days[0].is_today


def test_a_venue_in_guadeloupe_is_behind_paris():
    assert hours.zone_for(*GUADELOUPE).key == "America/Guadeloupe"
    # 13:00 in Paris is 08:00 in Pointe-à-Pitre.
    assert status_text("Mo-Fr 08:00-17:00", at(*MONDAY, 13, 0), *GUADELOUPE) == "Open now, closes at 17:00"
    assert status_text("Mo-Fr 08:00-17:00", at(*MONDAY, 12, 0), *GUADELOUPE) == "Closed, opens at 8:00"


def test_metropolitan_and_unknown_coordinates_are_paris():
    assert hours.zone_for() == PARIS
    assert hours.zone_for(44.45, 1.44) == PARIS
    assert hours.zone_for("44.450000", "1.440000") == PARIS  # DecimalField values as strings


def test_a_naive_now_is_read_as_paris_time():
    assert hours.is_open("Mo 09:00-10:00", now=datetime.datetime(*MONDAY, 9, 30)) is True


# --- The week table ------------------------------------------------------------------------------


def test_week_gives_seven_days_from_today_with_ranges_in_words():
    days = hours.week(WEEKDAYS, now=at(*MONDAY, 10, 0))
    assert [day.date.day for day in days] == [21, 22, 23, 24, 25, 26, 27]
    assert [day.is_today for day in days] == [True] + [False] * 6
    assert days[0].name.lower() == "monday 21 december"
    assert days[0].ranges == ["9:00 to 12:00", "14:00 to 18:30"]
    assert days[4].ranges == []  # Christmas
    assert days[5].ranges == ["8:30 to 12:00"]
    assert days[6].ranges == []
    assert hours.week("24/7", now=at(*MONDAY, 10, 0))[0].ranges == ["all day"]
    assert hours.week("Mo-Su 22:00-02:00", now=at(*MONDAY, 10, 0))[0].ranges == ["0:00 to 2:00", "22:00 to midnight"]
    assert hours.week('Mo 10:00-12:00 unknown "sur rdv"', now=at(*MONDAY, 8, 0))[0].ranges == [
        "10:00 to 12:00 (sur rdv)"
    ]
    assert hours.week("Mo 10:00-12:00 unknown", now=at(*MONDAY, 8, 0))[0].ranges == [
        "10:00 to 12:00 (to be confirmed)"
    ]
    assert hours.week("", now=at(*MONDAY, 10, 0)) == []
    assert hours.week("n'importe quoi", now=at(*MONDAY, 10, 0)) == []


def test_day_names_follow_the_language_of_the_page():
    with translation.override("fr"):
        days = hours.week(WEEKDAYS, now=at(*MONDAY, 10, 0))
        text = hours.status("Mo 10:00-12:00", now=at(*MONDAY, 13, 0)).text
    assert days[0].name == "lundi 21 décembre"
    assert "lundi 28 décembre" in text


# --- Validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["Mo-Fr 09:00-12:00", WEEKDAYS, "24/7", "Mo-Fr 9:00-12:00", 'Mo 10:00-12:00 "sur rendez-vous"', "", "  "],
)
def test_valid_opening_hours_pass(value):
    hours.validate_opening_hours(value)


@pytest.mark.parametrize(
    "value",
    ["Lu-Ve 9h-12h", "Mo-Fr 25:00-26:00", "sur rendez-vous", "du lundi au vendredi", "Mo-Fr 09:00-", "Xx 10:00-12:00"],
)
def test_unreadable_opening_hours_are_refused_with_an_example(value):
    with pytest.raises(ValidationError) as caught:
        hours.validate_opening_hours(value)
    error = caught.value.error_list[0]
    assert error.code == "invalid"
    message = caught.value.messages[0]
    assert f"« {value} »" in message
    assert "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00" in message
    assert "OpenStreetMap" in message


def test_too_long_opening_hours_are_refused():
    with pytest.raises(ValidationError) as caught:
        hours.validate_opening_hours("Mo 10:00-11:00; " * 40)
    assert caught.value.error_list[0].code == "too_long"
    assert caught.value.messages == ["Opening hours are limited to 500 characters."]


def test_the_venue_model_validates_its_opening_hours(territory):
    venue = VenueFactory.build(territory=territory, opening_hours="Lu-Ve 9h-12h")
    with pytest.raises(ValidationError) as caught:
        venue.full_clean()
    assert "opening_hours" in caught.value.message_dict


# --- open_ids: the "open now" filter -----------------------------------------------------------


def test_open_ids_keeps_the_rows_open_at_now():
    rows = [
        (1, "24/7", None, None),
        (2, "Mo 10:00-12:00", None, None),  # Monday morning: open
        (3, "Tu 10:00-12:00", None, None),
        (4, "", None, None),
        (5, "garbage", None, None),
        (6, "Mo-Fr 12:00-17:00", *REUNION),  # 13:00 there
        (7, "Mo-Fr 08:00-12:00", *REUNION),  # closed there
        (8, None, None, None),
    ]
    assert hours.open_ids(rows, now=at(*MONDAY, 10, 0)) == [1, 2, 6]
    assert hours.open_ids([], now=at(*MONDAY, 10, 0)) == []


def test_open_ids_over_venue_rows_is_one_query(territory, django_assert_num_queries):
    VenueFactory(territory=territory, name="Ouvert", opening_hours="24/7")
    VenueFactory(territory=territory, name="Fermé", opening_hours="Tu 10:00-12:00")
    VenueFactory(territory=territory, name="Sans horaires")
    with django_assert_num_queries(1):
        rows = Venue.objects.values_list("id", "opening_hours", "latitude", "longitude")
        ids = hours.open_ids(rows, now=at(*MONDAY, 10, 0))
    assert list(Venue.objects.filter(pk__in=ids).values_list("name", flat=True)) == ["Ouvert"]


def test_format_time():
    assert hours.format_time(datetime.time(9, 0)) == "9:00"
    assert hours.format_time(datetime.time(18, 30)) == "18:30"
    assert hours.format_time(datetime.time(8, 5)) == "8:05"
