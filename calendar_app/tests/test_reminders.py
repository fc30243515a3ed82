"""Reminders: due at the member's (or the event's) minutes before each occurrence, sent once
even by overlapping runs, at the right instant across daylight-saving changes."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calendar_app.models import Event, ReminderSent
from calendar_app.reminders import VERB, delay_text, send_due_reminders
from core.models import Notification
from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import AttendeeFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
# Wednesday 12 June 2030, 14 h 30 in Paris (summer time, UTC+2) = 12 h 30 UTC.
START = datetime(2030, 6, 12, 14, 30, tzinfo=PARIS)
START_UTC = datetime(2030, 6, 12, 12, 30, tzinfo=UTC)


def workshop(**kwargs):
    kwargs.setdefault("title", "Atelier")
    kwargs.setdefault("start", START)
    kwargs.setdefault("end", START + timedelta(hours=2))
    kwargs.setdefault("reminder_minutes", 30)
    return EventFactory(**kwargs)


def sent_rows():
    return sorted(ReminderSent.objects.values_list("user_id", "event_id", "occurrence_start"))


def test_sent_once_at_the_events_minutes_in_the_app_and_by_email(settings, django_capture_on_commit_callbacks):
    settings.LANGUAGE_CODE = "en"
    event = workshop()
    member = AttendeeFactory(event=event, response="yes").user
    assert send_due_reminders(now=datetime(2030, 6, 12, 11, 59, tzinfo=UTC)) == 0  # 31 min before
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=datetime(2030, 6, 12, 12, 0, tzinfo=UTC)) == 1  # 30 min before
    assert sent_rows() == [(member.pk, event.pk, START_UTC)]
    notification = Notification.objects.get()
    assert (notification.recipient_id, notification.verb) == (member.pk, VERB)
    assert notification.text == "Atelier starts at 2:30 p.m. (in 30 min)"
    assert notification.url == f"/bureau/agenda/evenements/{event.pk}/"
    assert [message.to for message in mail.outbox] == [[member.email]]
    assert "Atelier starts at 2:30 p.m. (in 30 min)" in mail.outbox[0].body
    # The next runs, before the start: nothing more.
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 5, tzinfo=UTC)) == 0
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 29, tzinfo=UTC)) == 0
    assert Notification.objects.count() == 1


def test_the_clock_is_french_and_the_event_zone_s():
    event = workshop(title="Réunion")
    AttendeeFactory(event=event, response="maybe")
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 10, tzinfo=UTC)) == 1
    # "14 h 30" (non-breaking spaces), the wall clock in Paris, not 12 h 30 UTC.
    assert "14\u00a0h\u00a030" in Notification.objects.get().text


def test_an_all_day_event_is_reminded_by_its_day(settings):
    settings.LANGUAGE_CODE = "en"
    # Saturday 15 June 2030, all day in Paris (from midnight, 22 h UTC the day before).
    event = EventFactory(title="Fête du réseau", all_day=True, start=datetime(2030, 6, 15, 0, 0, tzinfo=PARIS),
                         end=datetime(2030, 6, 16, 0, 0, tzinfo=PARIS), reminder_minutes=1440)
    AttendeeFactory(event=event, response="yes")
    assert send_due_reminders(now=datetime(2030, 6, 13, 21, 59, tzinfo=UTC)) == 0
    assert send_due_reminders(now=datetime(2030, 6, 13, 22, 0, tzinfo=UTC)) == 1
    assert Notification.objects.get().text == "Fête du réseau starts on Saturday 15 June (in 1 day)"


def test_the_members_e_mail_choice_applies(django_capture_on_commit_callbacks):
    event = workshop()
    AttendeeFactory(event=event, response="yes", user=UserFactory(notification_email="never"))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now=datetime(2030, 6, 12, 12, 0, tzinfo=UTC)) == 1
    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_the_members_minutes_override_the_events():
    event = workshop(reminder_minutes=30)
    early = AttendeeFactory(event=event, response="yes", reminder_minutes=120).user
    default = AttendeeFactory(event=event, response="yes").user
    # Event without a reminder of its own: only the member who asked for one.
    silent = workshop(reminder_minutes=None)
    asked = AttendeeFactory(event=silent, response="yes", reminder_minutes=60).user
    AttendeeFactory(event=silent, response="yes")

    assert send_due_reminders(now=datetime(2030, 6, 12, 10, 30, tzinfo=UTC)) == 1  # 2 h before
    assert sent_rows() == [(early.pk, event.pk, START_UTC)]
    assert send_due_reminders(now=datetime(2030, 6, 12, 11, 30, tzinfo=UTC)) == 1  # 1 h before
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 0, tzinfo=UTC)) == 1  # 30 min before
    assert sent_rows() == sorted([(early.pk, event.pk, START_UTC), (asked.pk, silent.pk, START_UTC),
                                  (default.pk, event.pk, START_UTC)])


def test_no_answers_pending_invitations_and_started_occurrences_get_none():
    event = workshop()
    AttendeeFactory(event=event, response="no")
    AttendeeFactory(event=event, response="pending")
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 0, tzinfo=UTC)) == 0
    late = AttendeeFactory(event=event, response="yes")
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 30, tzinfo=UTC)) == 0  # it has begun
    assert late.user_id not in [row[0] for row in sent_rows()]
    assert ReminderSent.objects.count() == 0


def test_cancelled_events_and_occurrences_get_none():
    cancelled = workshop(status=Event.Status.CANCELLED)
    AttendeeFactory(event=cancelled, response="yes")
    # Weekly on Wednesdays at 14 h 30; the occurrence of 12 June is cancelled.
    series = workshop(start=datetime(2030, 6, 5, 14, 30, tzinfo=PARIS),
                      end=datetime(2030, 6, 5, 16, 30, tzinfo=PARIS), rrule="FREQ=WEEKLY")
    member = AttendeeFactory(event=series, response="yes").user
    Event.objects.create(calendar=series.calendar, series=series, recurrence_id=START_UTC, title=series.title,
                         start=START, end=START + timedelta(hours=2), status=Event.Status.CANCELLED,
                         reminder_minutes=30)
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 0, tzinfo=UTC)) == 0
    # The next Wednesday's is reminded.
    assert send_due_reminders(now=datetime(2030, 6, 19, 12, 0, tzinfo=UTC)) == 1
    assert sent_rows() == [(member.pk, series.pk, datetime(2030, 6, 19, 12, 30, tzinfo=UTC))]


def test_a_moved_occurrence_is_reminded_at_its_new_time():
    series = workshop(start=datetime(2030, 6, 5, 14, 30, tzinfo=PARIS),
                      end=datetime(2030, 6, 5, 16, 30, tzinfo=PARIS), rrule="FREQ=WEEKLY;COUNT=4")
    member = AttendeeFactory(event=series, response="yes").user
    # 12 June's occurrence moved to 17 h (15 h UTC).
    Event.objects.create(calendar=series.calendar, series=series, recurrence_id=START_UTC, title="Atelier déplacé",
                         start=datetime(2030, 6, 12, 17, 0, tzinfo=PARIS),
                         end=datetime(2030, 6, 12, 18, 0, tzinfo=PARIS), reminder_minutes=30)
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 0, tzinfo=UTC)) == 0
    assert send_due_reminders(now=datetime(2030, 6, 12, 14, 30, tzinfo=UTC)) == 1
    assert sent_rows() == [(member.pk, series.pk, datetime(2030, 6, 12, 15, 0, tzinfo=UTC))]
    assert Notification.objects.get().text.startswith("Atelier déplacé ")


def test_the_occurrence_after_the_spring_change_is_reminded_at_the_right_utc_instant():
    # Tuesdays at 10 h in Paris: 26 March 2030 is 9 h UTC (winter), 2 April 2030, after the
    # change of 31 March, 8 h UTC (summer). Reminder 30 min before: 7 h 30 UTC on 2 April.
    series = EventFactory(title="Permanence", start=datetime(2030, 3, 19, 10, 0, tzinfo=PARIS),
                          end=datetime(2030, 3, 19, 11, 0, tzinfo=PARIS), rrule="FREQ=WEEKLY;BYDAY=TU",
                          reminder_minutes=30)
    member = AttendeeFactory(event=series, response="yes").user
    assert send_due_reminders(now=datetime(2030, 3, 26, 8, 30, tzinfo=UTC)) == 1
    assert send_due_reminders(now=datetime(2030, 4, 2, 7, 29, tzinfo=UTC)) == 0  # 8 h 29 Paris: 31 min before
    assert send_due_reminders(now=datetime(2030, 4, 2, 7, 30, tzinfo=UTC)) == 1
    assert sent_rows() == [(member.pk, series.pk, datetime(2030, 3, 26, 9, 0, tzinfo=UTC)),
                           (member.pk, series.pk, datetime(2030, 4, 2, 8, 0, tzinfo=UTC))]


def test_the_occurrence_after_the_autumn_change_is_reminded_at_the_right_utc_instant():
    # 27 October 2030 is the autumn change: Monday 28 October at 10 h in Paris is 9 h UTC.
    series = EventFactory(title="Permanence", start=datetime(2030, 10, 21, 10, 0, tzinfo=PARIS),
                          end=datetime(2030, 10, 21, 11, 0, tzinfo=PARIS), rrule="FREQ=WEEKLY;COUNT=3",
                          reminder_minutes=60)
    member = AttendeeFactory(event=series, response="yes").user
    assert send_due_reminders(now=datetime(2030, 10, 28, 7, 59, tzinfo=UTC)) == 0
    assert send_due_reminders(now=datetime(2030, 10, 28, 8, 0, tzinfo=UTC)) == 1
    assert sent_rows() == [(member.pk, series.pk, datetime(2030, 10, 28, 9, 0, tzinfo=UTC))]


def test_inactive_members_get_none():
    event = workshop()
    AttendeeFactory(event=event, response="yes", user=UserFactory(is_active=False))
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 0, tzinfo=UTC)) == 0
    assert ReminderSent.objects.count() == 0


def test_a_claim_made_by_another_run_is_not_sent_again():
    event = workshop()
    member = AttendeeFactory(event=event, response="yes").user
    ReminderSent.objects.create(user=member, event=event, occurrence_start=START_UTC)
    assert send_due_reminders(now=datetime(2030, 6, 12, 12, 0, tzinfo=UTC)) == 0
    assert Notification.objects.count() == 0


@pytest.mark.parametrize(("minutes", "text"), [
    (1, "1 min"), (30, "30 min"), (60, "1 h"), (90, "1 h 30"), (116, "2 h"), (121, "2 h 05"),
    (1437, "1 day"), (2880, "2 days"),
])
def test_delay_texts(settings, minutes, text):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    with translation.override("en"):
        assert delay_text(minutes) == text


def _queries_of_a_run(now):
    with CaptureQueriesContext(connection) as ctx:
        sent = send_due_reminders(now=now)
    return sent, len(ctx.captured_queries)


def test_a_fixed_number_of_queries_per_run_plus_a_fixed_number_per_reminder():
    ContentType.objects.get_for_model(Event)  # cached per process: not counted whichever test runs first
    now = datetime(2030, 6, 12, 12, 0, tzinfo=UTC)
    assert _queries_of_a_run(now) == (0, 1)  # the events: none
    series = workshop(start=datetime(2030, 6, 5, 14, 30, tzinfo=PARIS),
                      end=datetime(2030, 6, 5, 16, 30, tzinfo=PARIS), rrule="FREQ=WEEKLY")
    for _ in range(3):
        AttendeeFactory(event=workshop(reminder_minutes=5), response="yes")  # not due yet
        AttendeeFactory(event=series, response="no")
    AttendeeFactory(event=series, response="maybe", reminder_minutes=5)  # not due yet
    # Events, exceptions, answers, reminders already sent: nothing due.
    assert _queries_of_a_run(now) == (0, 4)
    AttendeeFactory(event=series, response="yes")
    # + per reminder (the test's transaction makes both atomic blocks savepoints): savepoint,
    # claim, savepoint, notification, unread count, release, release.
    assert _queries_of_a_run(now) == (1, 4 + 7)
    for _ in range(3):
        AttendeeFactory(event=series, response="yes")
    assert _queries_of_a_run(now) == (3, 4 + 3 * 7)


def test_the_command_sends_and_says_how_many():
    start = timezone.now() + timedelta(minutes=20)
    event = EventFactory(start=start, end=start + timedelta(hours=1), reminder_minutes=30)
    AttendeeFactory(event=event, response="yes")
    out = StringIO()
    call_command("send_event_reminders", stdout=out)
    assert out.getvalue() == "1 reminder(s) sent.\n"
    out = StringIO()
    call_command("send_event_reminders", stdout=out)
    assert out.getvalue() == "0 reminder(s) sent.\n"


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_send_each_reminder_once():
    event = workshop()
    members = [AttendeeFactory(event=event, response="yes").user for _ in range(4)]
    series = workshop(start=datetime(2030, 6, 5, 14, 30, tzinfo=PARIS),
                      end=datetime(2030, 6, 5, 16, 30, tzinfo=PARIS), rrule="FREQ=WEEKLY")
    for member in members[:2]:
        AttendeeFactory(event=series, user=member, response="maybe")
    now = datetime(2030, 6, 12, 12, 0, tzinfo=UTC)
    results = run_together([lambda: send_due_reminders(now=now), lambda: send_due_reminders(now=now)])
    assert outcomes(results) == ["ok", "ok"]
    assert sum(value for _outcome, value in results) == 6
    assert len(sent_rows()) == 6
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        [m.pk for m in members] + [m.pk for m in members[:2]]
    )
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [m.email for m in members] + [m.email for m in members[:2]]
    )
