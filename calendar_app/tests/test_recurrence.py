"""calendar_app.recurrence (which rules are accepted, the occurrences in a window) and
selectors.expand (exceptions applied). Expected instants are written by hand.

2026 in Paris: summer time from Sunday 29 March (01:00 UTC), winter time from Sunday
25 October (01:00 UTC)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from calendar_app import recurrence, selectors
from calendar_app.models import Event

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def english():
    # The refusal reasons are compared with their msgids.
    with translation.override("en"):
        yield


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def event(start, end=None, *, rrule="", tz="Europe/Paris", all_day=False, **kwargs):
    """An unsaved event (recurrence reads its fields only)."""
    row = Event(title=kwargs.pop("title", "Réunion"), start=start, end=end or start + timedelta(hours=1),
                rrule=rrule, tz=tz, all_day=all_day, **kwargs)
    row.last_end = recurrence.last_end(row)
    return row


START = datetime(2026, 3, 17, 10, 0, tzinfo=PARIS)  # a Tuesday, winter time (09:00 UTC)


# --- validate_rule -------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "expected"), [
    ("FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU"),
    ("RRULE:freq=weekly;byday=tu", "FREQ=WEEKLY;BYDAY=TU"),
    ("COUNT=10;BYDAY=TU;FREQ=WEEKLY", "FREQ=WEEKLY;BYDAY=TU;COUNT=10"),
    ("FREQ=MONTHLY;BYDAY=3TU;INTERVAL=2", "FREQ=MONTHLY;INTERVAL=2;BYDAY=3TU"),
    ("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"),
    ("FREQ=DAILY;COUNT=1000", "FREQ=DAILY;COUNT=1000"),
    ("FREQ=DAILY;UNTIL=20260317T090000Z", "FREQ=DAILY;UNTIL=20260317T090000Z"),  # the start itself
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),  # leap years only
])
def test_validate_rule_accepts(rule, expected):
    assert recurrence.validate_rule(rule, START, "Europe/Paris") == expected


@pytest.mark.parametrize(("rule", "reason"), [
    ("FREQ=HOURLY", "Events can repeat every day, week, month or year, not more often (rule “HOURLY”)."),
    ("FREQ=MINUTELY;INTERVAL=5", "Events can repeat every day, week, month or year, not more often (rule “MINUTELY”)."),
    ("FREQ=SECONDLY", "Events can repeat every day, week, month or year, not more often (rule “SECONDLY”)."),
    ("FREQ=FORTNIGHTLY", "Events can repeat every day, week, month or year, not more often (rule “FORTNIGHTLY”)."),
    ("BYDAY=TU", "The recurrence rule has no frequency."),
    ("", "The recurrence rule has no frequency."),
    ("FREQ=DAILY;BYHOUR=10,14", "This recurrence rule uses parts the calendar does not handle: BYHOUR."),
    ("FREQ=YEARLY;BYWEEKNO=20;BYYEARDAY=1",
     "This recurrence rule uses parts the calendar does not handle: BYWEEKNO, BYYEARDAY."),
    ("FREQ=DAILY;X-NAME=1", "This recurrence rule uses parts the calendar does not handle: X-NAME."),
    ("FREQ=DAILY;COUNT=1001", "The number of occurrences must be between 1 and 1000."),
    ("FREQ=DAILY;COUNT=0", "The number of occurrences must be between 1 and 1000."),
    ("FREQ=DAILY;COUNT=-3", "The number of occurrences must be between 1 and 1000."),
    ("FREQ=DAILY;COUNT=ten", "The number of occurrences must be between 1 and 1000."),
    ("FREQ=DAILY;COUNT=5;UNTIL=20270101T000000Z",
     "A recurrence ends either after a number of times or on a date, not both."),
    ("FREQ=DAILY;INTERVAL=0", "The interval must be a whole number between 1 and 99."),
    ("FREQ=DAILY;INTERVAL=100", "The interval must be a whole number between 1 and 99."),
    ("FREQ=DAILY;UNTIL=20260317T085959Z", "The recurrence ends before the event starts."),
    ("FREQ=DAILY;UNTIL=20250101T000000Z", "The recurrence ends before the event starts."),
    ("FREQ=DAILY;FREQ=WEEKLY", "The recurrence rule gives FREQ twice."),
    ("FREQ=DAILY;BYDAY", "The recurrence rule cannot be read (“BYDAY”)."),
    # Impossible rules: refused at once, not searched until the year 9999.
    ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "This recurrence rule never gives a date "
                                           "(for example the 31st of a month of 30 days)."),
    ("FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31", "This recurrence rule never gives a date "
                                             "(for example the 31st of a month of 30 days)."),
    ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "This recurrence rule never gives a date "
                                            "(for example the 31st of a month of 30 days)."),
    ("FREQ=WEEKLY;INTERVAL=99;BYMONTH=11;BYMONTHDAY=31;COUNT=3", "This recurrence rule never gives a date "
                                                                 "(for example the 31st of a month of 30 days)."),
    # Every 4 years from 2026 on the 29th of February: 2026, 2030, 2034... are never leap years.
    ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "This recurrence rule never gives a date "
                                                       "(for example the 31st of a month of 30 days)."),
])
@pytest.mark.timeout(10)  # a hang guard: an impossible rule must not be searched for seconds
def test_validate_rule_refuses(rule, reason):
    with pytest.raises(recurrence.RuleError) as caught:
        recurrence.validate_rule(rule, START, "Europe/Paris")
    assert str(caught.value) == reason


@pytest.mark.parametrize(("rule", "start"), [
    # Every 7 days, on Tuesdays, from a Tuesday: every Tuesday.
    ("FREQ=DAILY;INTERVAL=7;BYDAY=TU", START),
    # Every 4 years on the 29th of February, from 29 February 2028: 2028, 2032, 2036...
    ("FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", datetime(2028, 2, 29, 10, 0, tzinfo=PARIS)),
])
def test_validate_rule_accepts_rules_whose_dates_depend_on_the_start(rule, start):
    """BUG in recurrence._feasible: the start is moved to the year 9999 - N, which changes its
    weekday and its place among leap years, so these rules (whose first dates are easy to
    list by hand, see above) are refused as "never gives a date". The fix (in the report)
    moves it by whole 400-year cycles instead, where the calendar repeats exactly."""
    assert recurrence.validate_rule(rule, start, "Europe/Paris") == rule


# --- occurrence_starts ---------------------------------------------------------------------


def starts_utc(row, window_start, window_end, **kwargs):
    return [moment.astimezone(UTC) for moment in recurrence.occurrence_starts(row, window_start, window_end, **kwargs)]


def test_weekly_at_10_stays_at_10_across_spring_forward():
    weekly = event(START, rrule="FREQ=WEEKLY")
    starts = recurrence.occurrence_starts(weekly, utc(2026, 3, 16), utc(2026, 4, 8))
    assert [moment.astimezone(UTC) for moment in starts] == [
        utc(2026, 3, 17, 9, 0), utc(2026, 3, 24, 9, 0),  # 10 h winter time (UTC+1)
        utc(2026, 3, 31, 8, 0), utc(2026, 4, 7, 8, 0),  # 10 h summer time (UTC+2)
    ]
    assert {(moment.hour, moment.minute) for moment in starts} == {(10, 0)}
    assert all(moment.tzinfo == PARIS for moment in starts)


def test_weekly_at_10_stays_at_10_across_fall_back():
    weekly = event(START, rrule="FREQ=WEEKLY")
    assert starts_utc(weekly, utc(2026, 10, 19), utc(2026, 11, 4)) == [
        utc(2026, 10, 20, 8, 0),  # summer time
        utc(2026, 10, 27, 9, 0), utc(2026, 11, 3, 9, 0),  # winter time
    ]


def test_occurrence_end_keeps_the_duration():
    weekly = event(START, START + timedelta(minutes=90), rrule="FREQ=WEEKLY")
    summer = datetime(2026, 3, 31, 10, 0, tzinfo=PARIS)
    assert recurrence.occurrence_end(summer, weekly).astimezone(UTC) == utc(2026, 3, 31, 9, 30)


def test_occurrence_across_the_autumn_change_lasts_its_exact_duration():
    """BUG in recurrence.occurrence_end: `start + duration` on an aware datetime adds wall-clock
    time, so the occurrence of 25 October 2026 from 1 h 30 to 3 h 30 (summer) lasts three real
    hours (it ends at 3 h 30 winter time). The module promises "the exact duration of the
    first one": two hours, ending at 2 h 30 winter time (01:30 UTC)."""
    sunday = datetime(2026, 10, 4, 1, 30, tzinfo=PARIS)  # 1 h 30 -> 3 h 30 every Sunday
    weekly = event(sunday, sunday + timedelta(hours=2), rrule="FREQ=WEEKLY;COUNT=5")
    change_day = datetime(2026, 10, 25, 1, 30, tzinfo=PARIS)  # 23:30 UTC the day before
    assert change_day.astimezone(UTC) == utc(2026, 10, 24, 23, 30)
    assert recurrence.occurrence_end(change_day, weekly).astimezone(UTC) == utc(2026, 10, 25, 1, 30)


def test_monthly_second_tuesday():
    start = datetime(2026, 1, 13, 18, 0, tzinfo=PARIS)  # 2nd Tuesday of January
    monthly = event(start, rrule="FREQ=MONTHLY;BYDAY=2TU")
    assert starts_utc(monthly, utc(2026, 1, 1), utc(2026, 7, 1)) == [
        utc(2026, 1, 13, 17, 0), utc(2026, 2, 10, 17, 0), utc(2026, 3, 10, 17, 0),
        utc(2026, 4, 14, 16, 0), utc(2026, 5, 12, 16, 0), utc(2026, 6, 9, 16, 0),
    ]


def test_monthly_last_friday():
    start = datetime(2026, 1, 30, 14, 0, tzinfo=PARIS)
    monthly = event(start, rrule="FREQ=MONTHLY;BYDAY=-1FR;COUNT=4")
    assert starts_utc(monthly, utc(2026, 1, 1), utc(2027, 1, 1)) == [
        utc(2026, 1, 30, 13, 0), utc(2026, 2, 27, 13, 0), utc(2026, 3, 27, 13, 0), utc(2026, 4, 24, 12, 0),
    ]


def test_yearly():
    start = datetime(2026, 7, 14, 21, 0, tzinfo=PARIS)
    yearly = event(start, rrule="FREQ=YEARLY;COUNT=3")
    assert starts_utc(yearly, utc(2026, 1, 1), utc(2040, 1, 1)) == [
        utc(2026, 7, 14, 19, 0), utc(2027, 7, 14, 19, 0), utc(2028, 7, 14, 19, 0),
    ]
    assert yearly.last_end == utc(2028, 7, 14, 20, 0)


def test_yearly_on_the_29th_of_february_only_in_leap_years():
    start = datetime(2028, 2, 29, 9, 0, tzinfo=PARIS)
    yearly = event(start, rrule="FREQ=YEARLY")
    assert starts_utc(yearly, utc(2028, 1, 1), utc(2037, 1, 1)) == [
        utc(2028, 2, 29, 8, 0), utc(2032, 2, 29, 8, 0), utc(2036, 2, 29, 8, 0),
    ]


def test_all_day_events_keep_their_day_count():
    # Friday 27 to Sunday 29 March 2026 included; the clocks change during the first one.
    first, end = recurrence.all_day_bounds(datetime(2026, 3, 27).date(), datetime(2026, 3, 29).date(),
                                           "Europe/Paris")
    assert (first.astimezone(UTC), end.astimezone(UTC)) == (utc(2026, 3, 26, 23, 0), utc(2026, 3, 29, 22, 0))
    weekend = event(first, end, all_day=True, rrule="FREQ=WEEKLY;COUNT=3")
    starts = recurrence.occurrence_starts(weekend, utc(2026, 3, 1), utc(2026, 5, 1))
    assert [(moment.astimezone(UTC), recurrence.occurrence_end(moment, weekend).astimezone(UTC))
            for moment in starts] == [
        (utc(2026, 3, 26, 23, 0), utc(2026, 3, 29, 22, 0)),  # 71 real hours, 3 days
        (utc(2026, 4, 2, 22, 0), utc(2026, 4, 5, 22, 0)),
        (utc(2026, 4, 9, 22, 0), utc(2026, 4, 12, 22, 0)),
    ]
    assert weekend.last_end == utc(2026, 4, 12, 22, 0)


def test_window_overlap_includes_an_occurrence_started_before_it():
    daily = event(START, START + timedelta(hours=3), rrule="FREQ=DAILY;COUNT=5")
    # 18 March 10 h - 13 h (09:00-12:00 UTC) overlaps a window starting at 11:00 UTC.
    assert starts_utc(daily, utc(2026, 3, 18, 11, 0), utc(2026, 3, 19, 9, 0)) == [utc(2026, 3, 18, 9, 0)]
    # The window's end is excluded.
    assert starts_utc(daily, utc(2026, 3, 18, 12, 0), utc(2026, 3, 19, 9, 0)) == []


def test_window_limit():
    daily = event(START, rrule="FREQ=DAILY")
    assert len(recurrence.occurrence_starts(daily, utc(2026, 1, 1), utc(2032, 1, 1))) == recurrence.MAX_PER_WINDOW
    assert starts_utc(daily, utc(2026, 1, 1), utc(2032, 1, 1), limit=3) == [
        utc(2026, 3, 17, 9, 0), utc(2026, 3, 18, 9, 0), utc(2026, 3, 19, 9, 0),
    ]


def test_endless_rule_only_expanded_in_the_window():
    daily = event(START, rrule="FREQ=DAILY")
    assert daily.last_end is None
    assert starts_utc(daily, utc(2030, 6, 10), utc(2030, 6, 13)) == [
        utc(2030, 6, 10, 8, 0), utc(2030, 6, 11, 8, 0), utc(2030, 6, 12, 8, 0),
    ]


def test_single_event_in_or_out_of_the_window():
    single = event(START)
    assert starts_utc(single, utc(2026, 3, 17), utc(2026, 3, 18)) == [utc(2026, 3, 17, 9, 0)]
    assert starts_utc(single, utc(2026, 3, 18), utc(2026, 3, 19)) == []


def test_last_end():
    assert event(START, rrule="FREQ=WEEKLY;COUNT=3").last_end == utc(2026, 3, 31, 9, 0)  # 31 March 11 h summer
    until = event(START, rrule="FREQ=DAILY;UNTIL=20260319T225959Z")
    assert until.last_end == utc(2026, 3, 19, 10, 0)
    assert event(START).last_end == utc(2026, 3, 17, 10, 0)


def test_rule_to_utc_until():
    assert recurrence.rule_to_utc_until(datetime(2027, 6, 30).date(), "Europe/Paris") == "20270630T215959Z"
    assert recurrence.rule_to_utc_until(datetime(2027, 1, 31).date(), "Europe/Paris") == "20270131T225959Z"
    assert recurrence.rule_to_utc_until(datetime(2027, 1, 31).date(), "Indian/Reunion") == "20270131T195959Z"


def test_is_valid_local_time():
    assert recurrence.is_valid_local_time(datetime(2026, 3, 29, 2, 30, tzinfo=PARIS)) is False
    assert recurrence.is_valid_local_time(datetime(2026, 3, 29, 3, 0, tzinfo=PARIS)) is True
    assert recurrence.is_valid_local_time(datetime(2026, 10, 25, 2, 30, tzinfo=PARIS)) is True


# --- selectors.expand: exceptions ----------------------------------------------------------


@pytest.mark.django_db
class TestExpandWithExceptions:
    @pytest.fixture
    def series(self):
        from extranet.testing.factories import EventFactory

        # Tuesdays 10 h - 11 h from 17 March 2026, 6 times (to 21 April).
        return EventFactory(start=START, end=START + timedelta(hours=1), rrule="FREQ=WEEKLY;COUNT=6",
                            title="Permanence")

    def override(self, series, original, start, end, **fields):
        return Event.objects.create(calendar=series.calendar, series=series, recurrence_id=original,
                                    title=fields.pop("title", series.title), start=start, end=end, **fields)

    def test_without_exceptions(self, series):
        items = selectors.expand([series], utc(2026, 3, 16), utc(2026, 4, 1))
        assert [(item.start.astimezone(UTC), item.end.astimezone(UTC)) for item in items] == [
            (utc(2026, 3, 17, 9), utc(2026, 3, 17, 10)),
            (utc(2026, 3, 24, 9), utc(2026, 3, 24, 10)),
            (utc(2026, 3, 31, 8), utc(2026, 3, 31, 9)),
        ]
        assert [item.recurrence_id for item in items] == [utc(2026, 3, 17, 9), utc(2026, 3, 24, 9),
                                                          utc(2026, 3, 31, 8)]
        assert {item.uid for item in items} == {series.uid}
        assert items[1].key == f"event-{series.pk}-20260324T090000Z"

    def test_moved_occurrence(self, series):
        # 24 March moved to Wednesday 25 March, 14 h - 15 h 30.
        moved = self.override(series, utc(2026, 3, 24, 9), datetime(2026, 3, 25, 14, 0, tzinfo=PARIS),
                              datetime(2026, 3, 25, 15, 30, tzinfo=PARIS), title="Permanence (déplacée)")
        items = selectors.expand([series], utc(2026, 3, 16), utc(2026, 4, 1))
        assert [(item.title, item.start.astimezone(UTC), item.recurrence_id) for item in items] == [
            ("Permanence", utc(2026, 3, 17, 9), utc(2026, 3, 17, 9)),
            ("Permanence (déplacée)", utc(2026, 3, 25, 13), utc(2026, 3, 24, 9)),
            ("Permanence", utc(2026, 3, 31, 8), utc(2026, 3, 31, 8)),
        ]
        assert items[1].event == moved
        assert items[1].series == series
        assert items[1].uid == series.uid  # the series' UID, with its RECURRENCE-ID
        assert items[1].key == f"event-{series.pk}-20260324T090000Z"

    def test_moved_out_of_the_window(self, series):
        # 24 March moved to 2 April: gone from the week of 23 March.
        self.override(series, utc(2026, 3, 24, 9), datetime(2026, 4, 2, 10, 0, tzinfo=PARIS),
                      datetime(2026, 4, 2, 11, 0, tzinfo=PARIS))
        assert selectors.expand([series], utc(2026, 3, 23), utc(2026, 3, 30)) == []

    def test_moved_into_the_window_from_outside_it(self, series):
        # 14 April moved back to Friday 3 April: it is in the week of 30 March, its original is not.
        self.override(series, utc(2026, 4, 14, 8), datetime(2026, 4, 3, 10, 0, tzinfo=PARIS),
                      datetime(2026, 4, 3, 11, 0, tzinfo=PARIS), title="Permanence avancée")
        items = selectors.expand([series], utc(2026, 3, 30), utc(2026, 4, 6))
        assert [(item.title, item.start.astimezone(UTC), item.recurrence_id) for item in items] == [
            ("Permanence", utc(2026, 3, 31, 8), utc(2026, 3, 31, 8)),
            ("Permanence avancée", utc(2026, 4, 3, 8), utc(2026, 4, 14, 8)),
        ]

    def test_cancelled_occurrence_is_flagged(self, series):
        self.override(series, utc(2026, 3, 31, 8), datetime(2026, 3, 31, 10, 0, tzinfo=PARIS),
                      datetime(2026, 3, 31, 11, 0, tzinfo=PARIS), status=Event.Status.CANCELLED)
        items = selectors.expand([series], utc(2026, 3, 16), utc(2026, 4, 1))
        assert [(item.start.astimezone(UTC), item.cancelled) for item in items] == [
            (utc(2026, 3, 17, 9), False), (utc(2026, 3, 24, 9), False), (utc(2026, 3, 31, 8), True),
        ]

    def test_exceptions_of_several_series_in_one_query(self, series, django_assert_num_queries):
        from extranet.testing.factories import EventFactory

        other = EventFactory(start=START, end=START + timedelta(hours=1), rrule="FREQ=DAILY;COUNT=3")
        self.override(other, utc(2026, 3, 18, 9), datetime(2026, 3, 18, 16, 0, tzinfo=PARIS),
                      datetime(2026, 3, 18, 17, 0, tzinfo=PARIS))
        self.override(series, utc(2026, 3, 17, 9), datetime(2026, 3, 17, 16, 0, tzinfo=PARIS),
                      datetime(2026, 3, 17, 17, 0, tzinfo=PARIS))
        # The masters as events_in_window loads them (their calendar, space... joined).
        masters = list(Event.objects.filter(pk__in=[series.pk, other.pk]).with_rules())
        with django_assert_num_queries(1):
            items = selectors.expand(masters, utc(2026, 3, 16), utc(2026, 3, 23))
        assert sorted(item.start.astimezone(UTC) for item in items) == [
            utc(2026, 3, 17, 9), utc(2026, 3, 17, 15), utc(2026, 3, 18, 15), utc(2026, 3, 19, 9),
        ]
