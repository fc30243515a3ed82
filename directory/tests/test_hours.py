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


# --- The per-day editor: rows <-> OSM value (directory.hours + directory.forms.HoursField) ------


def rows(**days):
    """A Schedule from keyword days: rows(Mo=[("09:00", "12:00")], holidays="off")."""
    holidays = days.pop("holidays", hours.PH_SAME)
    holiday_ranges = days.pop("holiday_ranges", [])
    return hours.Schedule(days=days, holidays=holidays, holiday_ranges=holiday_ranges)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (rows(Mo=[("09:00", "12:00"), ("14:00", "18:00")], We=[("09:00", "12:00"), ("14:00", "18:00")],
              holidays="off"), "Mo,We 09:00-12:00,14:00-18:00; PH off"),
        (rows(Mo=[("09:00", "12:00")], Tu=[("09:00", "12:00")], We=[("09:00", "12:00")],
              Th=[("09:00", "12:00")], Fr=[("09:00", "12:00")], Sa=[("10:00", "12:00")]),
         "Mo-Fr 09:00-12:00; Sa 10:00-12:00"),
        # Ranges typed out of order come out in order; Tuesday and Thursday share theirs.
        (rows(Tu=[("14:00", "18:00")], Th=[("14:00", "18:00")], We=[("14:00", "19:00"), ("10:00", "12:00")],
              holidays="off"), "Tu,Th 14:00-18:00; We 10:00-12:00,14:00-19:00; PH off"),
        (rows(Sa=[("09:00", "24:00")], holidays="hours", holiday_ranges=[("10:00", "12:00")]),
         "Sa 09:00-24:00; PH 10:00-12:00"),
        (rows(), ""),
        (rows(holidays="off"), ""),  # closed every day is "not given", not "PH off" alone
    ],
)
def test_rows_make_the_osm_value(schedule, expected):
    assert hours.value_from_schedule(schedule) == expected


def test_a_value_reads_back_into_rows():
    schedule = hours.schedule_from_value("Mo-Fr 09:00-12:00,14:00-18:30; We off; Sa 08:30-12:00; PH off")
    assert schedule.days == {
        "Mo": [("09:00", "12:00"), ("14:00", "18:30")],
        "Tu": [("09:00", "12:00"), ("14:00", "18:30")],
        "We": [],
        "Th": [("09:00", "12:00"), ("14:00", "18:30")],
        "Fr": [("09:00", "12:00"), ("14:00", "18:30")],
        "Sa": [("08:30", "12:00")],
        "Su": [],
    }
    assert schedule.holidays == "off"


def test_a_day_span_may_wrap_around_the_week():
    assert hours.schedule_from_value("Sa-Mo 10:00-12:00").days["Su"] == [("10:00", "12:00")]
    assert hours.schedule_from_value("Sa-Mo 10:00-12:00").days["Tu"] == []


@pytest.mark.parametrize(
    "value",
    [
        "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off",
        "Tu,Th 14:00-18:00; We 10:00-12:00,14:00-19:00; Sa 10:00-13:00; PH off",
        "Mo-Fr 08:30-12:30,13:30-17:00; PH off",
        "Mo-Sa 10:00-19:00; PH off",
    ],
)
def test_the_demo_values_round_trip_through_the_rows(value):
    assert hours.value_from_schedule(hours.schedule_from_value(value)) == value


@pytest.mark.parametrize(
    "value",
    [
        'We 13:30-18:00; Sa 09:00-12:00 "sur rendez-vous"; PH off',  # a demo value with a comment
        "24/7",
        "Jan-Mar Mo 09:00-12:00",
        "Mo 22:00-02:00",
        "Mo[1] 09:00-12:00",
    ],
)
def test_values_richer_than_rows_are_not_turned_into_rows(value):
    assert hours.schedule_from_value(value) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lundi 9h-12h", "Mo 09:00-12:00"),
        ("Lundi 9h-12h", "Mo 09:00-12:00"),
        ("du lundi au vendredi 9h-12h et 14h-18h30; samedi 9 h 30 - 12 h; jours fériés fermé",
         "Mo-Fr 09:00-12:00,14:00-18:30; Sa 09:30-12:00; PH off"),
        ("mardi, jeudi 14h-18h", "Tu,Th 14:00-18:00"),
        ("lun-mer 9h30-12h, 14h-17h", "Mo-We 09:30-12:00,14:00-17:00"),
        ("mercredi 14:00 à 18:00", "We 14:00-18:00"),
    ],
)
def test_french_text_becomes_the_osm_value(text, expected):
    assert hours.value_from_french(text) == expected


@pytest.mark.parametrize("text", ["Lu 9h", "lundi", "lundi 12h-9h", "tous les jours sauf lundi 9h-12h", "9h-12h"])
def test_french_text_not_understood_is_none(text):
    assert hours.value_from_french(text) is None


def test_range_errors_name_the_end_before_the_start_and_overlaps():
    assert hours.range_errors([("14:00", "12:00")]) == ["the range 14:00 – 12:00 ends before it starts"]
    assert hours.range_errors([("09:00", "12:00"), ("11:00", "14:00")]) == [
        "the ranges 09:00 – 12:00 and 11:00 – 14:00 overlap"
    ]
    assert hours.range_errors([("09:00", "12:00"), ("12:00", "14:00")]) == []


# The form field, through posted data as the browser sends it (no JavaScript needed).


def editor_post(initial="", raw=None, holidays="off", **days):
    """The POST of the hours widget: opening_hours__Mo__start/end repeated, __closed, __PH."""
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data["opening_hours__editor"] = "1"
    data["opening_hours__initial"] = initial
    data["opening_hours"] = initial if raw is None else raw
    data["opening_hours__PH"] = holidays
    for code in ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"):
        ranges = days.get(code)
        if ranges == "closed" or not ranges:
            data["opening_hours__" + code + "__closed"] = "1"
            ranges = [("", "")]
        for start, end in ranges:
            data.appendlist(f"opening_hours__{code}__start", start)
            data.appendlist(f"opening_hours__{code}__end", end)
    return data


def clean_hours(data):
    from directory.forms import HoursField
    from directory.widgets import HoursWidget

    return HoursField().clean(HoursWidget().value_from_datadict(data, {}, "opening_hours"))


def test_the_field_makes_the_value_from_the_day_rows():
    two_ranges = [("09:00", "12:00"), ("14:00", "18:00")]
    data = editor_post(Mo=two_ranges + [("", "")], We=two_ranges)
    assert clean_hours(data) == "Mo,We 09:00-12:00,14:00-18:00; PH off"


def test_the_field_takes_the_raw_value_when_it_was_changed():
    data = editor_post(initial="Mo 09:00-12:00", raw="lundi 10h-12h", Mo=[("09:00", "12:00")])
    assert clean_hours(data) == "Mo 10:00-12:00"


def test_the_field_keeps_an_advanced_value_while_the_rows_are_left_empty():
    value = 'We 13:30-18:00; Sa 09:00-12:00 "sur rendez-vous"; PH off'
    assert clean_hours(editor_post(initial=value)) == value


def test_midnight_as_an_end_is_24_00():
    assert clean_hours(editor_post(Fr=[("18:00", "00:00")])) == "Fr 18:00-24:00; PH off"


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ({"Mo": [("14:00", "12:00")]}, "Monday: the range 14:00 – 12:00 ends before it starts."),
        ({"Tu": [("09:00", "12:00"), ("11:00", "13:00")]},
         "Tuesday: the ranges 09:00 – 12:00 and 11:00 – 13:00 overlap."),
        ({"We": [("09:00", "")]}, "Wednesday: give the start and the end of each range, as 09:00 and 12:00."),
    ],
)
def test_the_field_refuses_bad_rows_with_a_message_naming_the_day(days, message):
    with pytest.raises(ValidationError) as error:
        clean_hours(editor_post(**days))
    assert error.value.messages == [message]


def test_a_closed_day_with_times_is_refused():
    data = editor_post(Th=[("09:00", "12:00")])
    data["opening_hours__Th__closed"] = "1"
    with pytest.raises(ValidationError) as error:
        clean_hours(data)
    assert error.value.messages == ["Thursday: untick « Closed » or empty its ranges."]


def test_unreadable_raw_text_names_the_expected_forms():
    with pytest.raises(ValidationError) as error:
        clean_hours(editor_post(raw="le matin"))
    assert error.value.messages == [
        "These opening hours cannot be read: « le matin ». Fill in the days above, or write for example "
        "« du lundi au vendredi 9h-12h et 14h-18h » or, in the OpenStreetMap format, "
        "« Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00 »."
    ]
