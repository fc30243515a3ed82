"""Recurrence as the form shows it: Repeat -> RRULE (accepted by recurrence.validate_rule),
RRULE -> Repeat, and the rule in French."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from calendar_app import recurrence
from calendar_app.rules import Repeat, build_rule, describe, monthly_weekday_code, nth_weekday, repeat_of

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 10 February 2026, 10 h in Paris: the second Tuesday of February.
START = datetime(2026, 2, 10, 10, 0, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


# --- build_rule ----------------------------------------------------------------------------


@pytest.mark.parametrize(("repeat", "expected"), [
    (Repeat(), ""),
    (Repeat(frequency="daily"), "FREQ=DAILY"),
    (Repeat(frequency="daily", interval=3), "FREQ=DAILY;INTERVAL=3"),
    (Repeat(frequency="weekly"), "FREQ=WEEKLY;BYDAY=TU"),  # the start's weekday by default
    (Repeat(frequency="weekly", interval=2, weekdays=[3, 0]), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
    (Repeat(frequency="monthly_date"), "FREQ=MONTHLY;BYMONTHDAY=10"),
    (Repeat(frequency="monthly_weekday"), "FREQ=MONTHLY;BYDAY=2TU"),
    (Repeat(frequency="yearly"), "FREQ=YEARLY"),
    (Repeat(frequency="weekly", end="count", count=10), "FREQ=WEEKLY;BYDAY=TU;COUNT=10"),
    # 30 June 2027 included, in Paris (summer time, UTC+2): 23 h 59 min 59 s is 21:59:59 UTC.
    (Repeat(frequency="monthly_weekday", end="until", until=date(2027, 6, 30)),
     "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270630T215959Z"),
    # In winter (UTC+1).
    (Repeat(frequency="daily", end="until", until=date(2026, 2, 20)), "FREQ=DAILY;UNTIL=20260220T225959Z"),
])
def test_build_rule(repeat, expected):
    rule = build_rule(repeat, START)
    assert rule == expected
    if rule:
        recurrence.validate_rule(rule, START, "Europe/Paris")  # the calendar accepts it


@pytest.mark.parametrize(("start", "last", "expected"), [
    (datetime(2026, 3, 3, 10, tzinfo=PARIS), False, "1TU"),  # first Tuesday
    (datetime(2026, 3, 17, 10, tzinfo=PARIS), False, "3TU"),
    (datetime(2026, 3, 31, 10, tzinfo=PARIS), False, "-1TU"),  # the 5th Tuesday: "the last"
    (datetime(2026, 2, 24, 10, tzinfo=PARIS), False, "4TU"),  # 4th and last of February: the 4th...
    (datetime(2026, 2, 24, 10, tzinfo=PARIS), True, "-1TU"),  # ...unless the last is asked
    (datetime(2026, 3, 24, 10, tzinfo=PARIS), True, "4TU"),  # not the last of March: stays the 4th
])
def test_monthly_weekday_from_the_start(start, last, expected):
    assert build_rule(Repeat(frequency="monthly_weekday", last_weekday=last), start) == f"FREQ=MONTHLY;BYDAY={expected}"
    assert monthly_weekday_code(start.date(), last) == expected


def test_nth_weekday():
    assert nth_weekday(date(2026, 2, 10)) == (2, False)
    assert nth_weekday(date(2026, 2, 24)) == (4, True)
    assert nth_weekday(date(2026, 3, 31)) == (5, True)


def test_build_rule_until_in_the_events_zone():
    noumea = datetime(2026, 2, 10, 10, 0, tzinfo=ZoneInfo("Pacific/Noumea"))  # UTC+11
    rule = build_rule(Repeat(frequency="weekly", end="until", until=date(2026, 3, 31)), noumea)
    assert rule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260331T125959Z"


@pytest.mark.parametrize(("repeat", "message"), [
    (Repeat(frequency="daily", interval=0), "The interval must be a whole number between 1 and 99."),
    (Repeat(frequency="daily", interval=100), "The interval must be a whole number between 1 and 99."),
    (Repeat(frequency="daily", end="count", count=0), "The number of occurrences must be between 1 and 1000."),
    (Repeat(frequency="daily", end="count", count=1001),
     "The number of occurrences must be between 1 and 1000."),
    (Repeat(frequency="daily", end="count"), "The number of occurrences must be between 1 and 1000."),
    (Repeat(frequency="daily", end="until"), "Give the date of the last occurrence."),
    (Repeat(frequency="daily", end="until", until=date(2026, 2, 9)),
     "The recurrence ends before the event starts."),
    (Repeat(frequency="hourly"), "Choose how the event repeats."),
    (Repeat(frequency="weekly", weekdays=[7]), "Choose days of the week."),
    (Repeat(frequency="daily", end="sometime"), "Choose when the recurrence ends."),
])
def test_build_rule_refusals(repeat, message):
    # Compared with the msgids: some are shared with recurrence.validate_rule's.
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        build_rule(repeat, START)
    assert caught.value.messages == [message]


def test_build_rule_until_the_start_day_is_allowed():
    rule = build_rule(Repeat(frequency="daily", end="until", until=date(2026, 2, 10)), START)
    assert rule == "FREQ=DAILY;UNTIL=20260210T225959Z"
    recurrence.validate_rule(rule, START, "Europe/Paris")


def test_build_rule_custom_is_not_built():
    with pytest.raises(ValueError):
        build_rule(Repeat(frequency="custom"), START)


# --- repeat_of -----------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "expected"), [
    ("", Repeat()),
    ("FREQ=DAILY", Repeat(frequency="daily")),
    ("FREQ=DAILY;INTERVAL=3;COUNT=5", Repeat(frequency="daily", interval=3, end="count", count=5)),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO,TH", Repeat(frequency="weekly", weekdays=[0, 3])),
    ("FREQ=WEEKLY", Repeat(frequency="weekly", weekdays=[1])),
    ("FREQ=WEEKLY;INTERVAL=2;WKST=MO;BYDAY=TH,MO", Repeat(frequency="weekly", interval=2, weekdays=[0, 3])),
    ("FREQ=MONTHLY;BYMONTHDAY=10", Repeat(frequency="monthly_date")),
    ("FREQ=MONTHLY", Repeat(frequency="monthly_date")),
    ("FREQ=MONTHLY;BYDAY=2TU", Repeat(frequency="monthly_weekday")),
    ("FREQ=YEARLY", Repeat(frequency="yearly")),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=10", Repeat(frequency="yearly")),
    ("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270630T215959Z",
     Repeat(frequency="monthly_weekday", end="until", until=date(2027, 6, 30))),
    ("FREQ=DAILY;UNTIL=20270630", Repeat(frequency="daily", end="until", until=date(2027, 6, 30))),
    # Custom: what the form cannot show.
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", Repeat(frequency="custom")),
    ("FREQ=MONTHLY;BYDAY=3TU", Repeat(frequency="custom")),  # not the start's Tuesday
    ("FREQ=MONTHLY;BYDAY=2WE", Repeat(frequency="custom")),
    ("FREQ=MONTHLY;BYMONTHDAY=14", Repeat(frequency="custom")),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15", Repeat(frequency="custom")),
    ("FREQ=DAILY;BYMONTH=7,8", Repeat(frequency="custom")),
    ("FREQ=WEEKLY;BYDAY=1MO", Repeat(frequency="custom")),
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", Repeat(frequency="custom")),
    ("FREQ=WEEKLY;WKST=SU;BYDAY=TU", Repeat(frequency="custom")),
    ("FREQ=HOURLY", Repeat(frequency="custom")),
    ("not a rule", Repeat(frequency="custom")),
])
def test_repeat_of(rule, expected):
    assert repeat_of(rule, START) == expected


def test_repeat_of_last_weekday():
    fourth_and_last = datetime(2026, 2, 24, 10, tzinfo=PARIS)
    assert repeat_of("FREQ=MONTHLY;BYDAY=-1TU", fourth_and_last) == Repeat(frequency="monthly_weekday",
                                                                           last_weekday=True)
    assert repeat_of("FREQ=MONTHLY;BYDAY=4TU", fourth_and_last) == Repeat(frequency="monthly_weekday")
    fifth = datetime(2026, 3, 31, 10, tzinfo=PARIS)
    assert repeat_of("FREQ=MONTHLY;BYDAY=-1TU", fifth) == Repeat(frequency="monthly_weekday")
    assert repeat_of("FREQ=MONTHLY;BYDAY=-1TU", START) == Repeat(frequency="custom")  # 10 Feb is not the last


@pytest.mark.parametrize("repeat", [
    Repeat(frequency="daily", interval=2, end="count", count=7),
    Repeat(frequency="weekly", weekdays=[0, 2, 4], end="until", until=date(2026, 12, 31)),
    Repeat(frequency="monthly_date", interval=3),
    Repeat(frequency="monthly_weekday", end="until", until=date(2027, 6, 30)),
    Repeat(frequency="yearly", end="count", count=5),
])
def test_round_trip(repeat):
    assert repeat_of(build_rule(repeat, START), START) == repeat


# --- describe ------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "start", "expected"), [
    ("", START, ""),
    ("FREQ=DAILY", START, "Tous les jours"),
    ("FREQ=DAILY;INTERVAL=3", START, "Tous les 3 jours"),
    ("FREQ=WEEKLY;BYDAY=TU", START, "Toutes les semaines le mardi"),
    ("FREQ=WEEKLY", START, "Toutes les semaines le mardi"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", START, "Toutes les 2 semaines le lundi et le jeudi"),
    ("FREQ=WEEKLY;BYDAY=MO,WE,FR", START, "Toutes les semaines le lundi, le mercredi et le vendredi"),
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", START, "Toutes les semaines du lundi au vendredi"),
    ("FREQ=MONTHLY;BYDAY=2TU", START, "Tous les mois le deuxième mardi"),
    ("FREQ=MONTHLY;BYDAY=1MO", START, "Tous les mois le premier lundi"),
    ("FREQ=MONTHLY;BYDAY=-1TU", START, "Tous les mois le dernier mardi"),
    ("FREQ=MONTHLY;BYDAY=-2FR", START, "Tous les mois l'avant-dernier vendredi"),
    ("FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO,3MO", START, "Tous les 2 mois le premier lundi et le troisième lundi"),
    ("FREQ=MONTHLY;BYMONTHDAY=10", START, "Tous les mois le 10"),
    ("FREQ=MONTHLY;BYMONTHDAY=1", START, "Tous les mois le 1er"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15", START, "Tous les mois le 1er et le 15"),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", START, "Tous les mois le dernier jour"),
    ("FREQ=MONTHLY", START, "Tous les mois le 10"),
    ("FREQ=YEARLY", datetime(2026, 7, 14, 21, 0, tzinfo=PARIS), "Tous les ans le 14 juillet"),
    ("FREQ=YEARLY;INTERVAL=2", datetime(2026, 5, 1, 9, 0, tzinfo=PARIS), "Tous les 2 ans le 1er mai"),
    ("FREQ=YEARLY;BYMONTH=7;BYMONTHDAY=14", START, "Tous les ans le 14 juillet"),
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", START, "Tous les ans le dernier dimanche de mars"),
    ("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20270630T215959Z", START,
     "Tous les mois le deuxième mardi, jusqu'au 30 juin 2027"),
    ("FREQ=DAILY;UNTIL=20260501T215959Z", START, "Tous les jours, jusqu'au 1er mai 2026"),
    ("FREQ=WEEKLY;BYDAY=TU;COUNT=10", START, "Toutes les semaines le mardi, 10 fois"),
    ("FREQ=DAILY;COUNT=1", START, "Tous les jours, 1 fois"),
    # Imported rules the sentence cannot say: a generic one, with what is known.
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", START, "Tous les mois, selon une règle personnalisée"),
    ("FREQ=DAILY;BYMONTH=7,8;COUNT=20", START, "Tous les jours, selon une règle personnalisée, 20 fois"),
    ("FREQ=HOURLY", START, "Se répète selon une règle personnalisée"),
    ("nonsense", START, "Se répète selon une règle personnalisée"),
])
def test_describe(rule, start, expected):
    assert describe(rule, start) == expected


def test_describe_until_in_the_events_zone():
    # 30 June 2027 at 12:59:59 UTC is the last second of 30 June in Nouméa (UTC+11)...
    noumea = datetime(2026, 2, 10, 10, 0, tzinfo=ZoneInfo("Pacific/Noumea"))
    assert describe("FREQ=DAILY;UNTIL=20270630T125959Z", noumea) == "Tous les jours, jusqu'au 30 juin 2027"
    # ...and already 30 June, 14 h 59 in Paris: the day is the event's zone's.
    assert describe("FREQ=DAILY;UNTIL=20270630T125959Z", START) == "Tous les jours, jusqu'au 30 juin 2027"
    assert describe("FREQ=DAILY;UNTIL=20270630T225959Z", START) == "Tous les jours, jusqu'au 1er juillet 2027"
