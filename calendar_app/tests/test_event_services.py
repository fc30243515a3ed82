"""Event services: allowed / denied / invalid, the three scopes of a change on a weekly
series across the spring daylight-saving change, sequences, `last_end`, activity and
notifications; nothing half-saved on a refusal."""

from datetime import date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from calendar_app import services
from calendar_app.models import Attendee, Calendar, Event, EventAttachment
from core.models import Activity
from extranet.testing import assertions
from extranet.testing.factories import (
    AttendeeFactory,
    CoordinatorFactory,
    EventFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    network_calendar,
)


@pytest.fixture(autouse=True)
def _english():
    """The refusals are compared with their English msgids (their French is checked by the views' tests)."""
    with translation.override("en"):
        yield

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def state():
    return {
        "events": sorted(Event.objects.values_list("pk", "uid", "series_id", "recurrence_id", "title", "start", "end",
                                                   "rrule", "status", "sequence", "last_end", "calendar_id")),
        "attendees": sorted(Attendee.objects.values_list("pk", "event_id", "user_id", "response")),
        "attachments": sorted(EventAttachment.objects.values_list("pk", "event_id", "name")),
        "activity": Activity.objects.count(),
        "notifications": assertions.notifications(),
        "calendars": sorted(Calendar.objects.values_list("pk", "changed_at")),
        "files": assertions.media_files(),
    }


refused = partial(assertions.refused, state)
nothing_saved = partial(assertions.nothing_saved, state)


@pytest.fixture
def organiser():
    return UserFactory(display_name="Organisatrice")


@pytest.fixture
def member():
    return UserFactory(display_name="Autre membre")


def form_data(**extra):
    data = {"title": "Atelier mensuel", "start_date": date(2027, 3, 9), "start_time": time(10),
            "end_date": date(2027, 3, 9), "end_time": time(12), "tz": "Europe/Paris"}
    data.update(extra)
    return data


@pytest.fixture
def series(organiser):
    """Weekly on Tuesdays at 10 h (Paris), six times: 9, 16, 23, 30 March, 6, 13 April 2027;
    the clocks go forward on 28 March."""
    return services.event_create(actor=organiser, calendar=network_calendar(),
                                 data=form_data(rrule="FREQ=WEEKLY;COUNT=6"))


@pytest.fixture
def invited(series):
    """One attendee per answer: yes, maybe, pending and no."""
    return {answer: AttendeeFactory(event=series, response=answer).user for answer in ("yes", "maybe", "pending", "no")}


def told(invited, verb):
    return sorted((invited[answer].pk, verb) for answer in ("yes", "maybe", "pending"))


# --- Create ----------------------------------------------------------------------------------


def test_a_member_creates_a_series_in_the_network_calendar(organiser):
    calendar = network_calendar()
    before = calendar.changed_at
    event = services.event_create(actor=organiser, calendar=calendar, data=form_data(
        rrule="FREQ=WEEKLY;COUNT=6", description="Ordre du jour", location="Salle 2", capacity=12,
        reminder_minutes=30, online_url="https://visio.example.test/atelier"))
    event.refresh_from_db()
    assert (event.title, event.created_by, event.sequence, event.rrule) == (
        "Atelier mensuel", organiser, 0, "FREQ=WEEKLY;COUNT=6")
    assert (event.start, event.end) == (utc(2027, 3, 9, 9), utc(2027, 3, 9, 11))
    # The last occurrence is on 13 April, summer time: 10 h - 12 h in Paris is 8 h - 10 h UTC.
    assert event.last_end == utc(2027, 4, 13, 10)
    calendar.refresh_from_db()
    assert calendar.changed_at > before
    activity = Activity.objects.get()
    assert (activity.verb, activity.space_id, activity.target_label) == (
        "event.created", calendar.space_id, "Atelier mensuel")


def test_an_all_day_event_ends_at_the_midnight_after_its_last_day(organiser):
    event = services.event_create(actor=organiser, calendar=network_calendar(), data=form_data(
        all_day=True, start_time=None, end_time=None, end_date=date(2027, 3, 10)))
    assert (event.start, event.end, event.last_end) == (utc(2027, 3, 8, 23), utc(2027, 3, 10, 23),
                                                        utc(2027, 3, 10, 23))


def test_a_venue_gives_its_time_zone_and_the_place(organiser):
    venue = VenueFactory(postal_code="97110", city="Pointe-à-Pitre")
    event = services.event_create(actor=organiser, calendar=network_calendar(),
                                  data=form_data(tz="", venue=venue.pk, location="ignored"))
    assert (event.venue, event.tz, event.location) == (venue, "America/Guadeloupe", "")
    assert event.start == utc(2027, 3, 9, 14)


def test_a_personal_event_leaves_no_activity(organiser):
    services.event_create(actor=organiser, calendar=services.personal_calendar(organiser), data=form_data())
    assert Activity.objects.count() == 0


def test_an_attachment_is_stored_with_the_event(organiser):
    event = services.event_create(actor=organiser, calendar=network_calendar(), data=form_data(),
                                  attachments=[assertions.png("plan.png")])
    attachment = event.attachments.get()
    assert (attachment.name, attachment.content_type, attachment.is_image) == ("plan.png", "image/png", True)
    assert attachment.file.name.startswith("calendar/")


def test_a_pending_member_adds_no_event():
    pending = PendingUserFactory()
    with refused(PermissionDenied, "Only approved members of the network can see the calendars."):
        services.event_create(actor=pending, calendar=network_calendar(), data=form_data())


def test_nobody_adds_to_the_calendar_of_another_territory(organiser):
    calendar = TerritoryFactory(name="Ailleurs").space.calendar
    with refused(PermissionDenied, "You are not a member of the space of this calendar."):
        services.event_create(actor=organiser, calendar=calendar, data=form_data())


def test_nobody_adds_to_someone_elses_personal_calendar(organiser, member):
    calendar = services.personal_calendar(member)
    with refused(PermissionDenied, "This calendar is someone's personal calendar."):
        services.event_create(actor=organiser, calendar=calendar, data=form_data())


@pytest.mark.parametrize(("extra", "field", "message"), [
    ({"title": "  "}, "title", "Give the event a title."),
    ({"end_time": time(9)}, "end", "The event ends before it starts."),
    ({"all_day": True, "end_date": date(2027, 3, 8)}, "end", "The event ends before it starts."),
    ({"rrule": "FREQ=HOURLY"}, "rrule",
     "Events can repeat every day, week, month or year, not more often (rule “HOURLY”)."),
    ({"rrule": "FREQ=WEEKLY;COUNT=5000"}, "rrule", "The number of occurrences must be between 1 and 1000."),
    ({"online_url": "javascript:alert(1)"}, "online_url",
     "The online meeting link must be a web address starting with http:// or https://."),
    ({"online_url": "ftp://files.example.test/"}, "online_url",
     "The online meeting link must be a web address starting with http:// or https://."),
    ({"venue": 987654}, "venue", "This venue is not in the directory (any more)."),
    ({"capacity": 0}, "capacity", "The number of places must be at least 1 (leave it empty for no limit)."),
    ({"tz": "Mars/Olympus"}, "tz", "Unknown time zone “Mars/Olympus”."),
], ids=["title", "end", "all-day-end", "hourly", "count", "javascript", "ftp", "venue", "capacity", "tz"])
def test_invalid_events_are_refused_and_nothing_is_saved(organiser, extra, field, message):
    with refused(ValidationError, message, field):
        services.event_create(actor=organiser, calendar=network_calendar(), data=form_data(**extra))


def test_the_spring_forward_time_is_explained_not_moved(organiser):
    data = form_data(start_date=date(2027, 3, 28), start_time=time(2, 30), end_date=date(2027, 3, 28),
                     end_time=time(4))
    with nothing_saved(), pytest.raises(ValidationError) as excinfo:
        services.event_create(actor=organiser, calendar=network_calendar(), data=data)
    assert list(excinfo.value.message_dict) == ["start"]
    assert "does not exist in Paris" in excinfo.value.message_dict["start"][0]


def test_a_refused_attachment_saves_neither_the_event_nor_a_file(organiser):
    bad = SimpleUploadedFile("virus.exe", b"MZ....", content_type="application/octet-stream")
    with nothing_saved(), pytest.raises(ValidationError) as excinfo:
        services.event_create(actor=organiser, calendar=network_calendar(), data=form_data(), attachments=[bad])
    assert list(excinfo.value.message_dict) == ["attachments"]


# --- Scope "this" ----------------------------------------------------------------------------


def test_moving_one_occurrence_after_the_change_makes_an_exception(series, invited, organiser):
    moved = services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 3, 30, 8),
                                  data=form_data(start_date=date(2027, 3, 31), start_time=time(14),
                                                 end_date=date(2027, 3, 31), end_time=time(16)))
    series.refresh_from_db()
    assert (moved.series, moved.uid, moved.recurrence_id, moved.rrule) == (series, series.uid,
                                                                           utc(2027, 3, 30, 8), "")
    assert (moved.start, moved.end) == (utc(2027, 3, 31, 12), utc(2027, 3, 31, 14))
    assert (series.sequence, moved.sequence) == (1, 1)
    assert series.rrule == "FREQ=WEEKLY;COUNT=6" and series.last_end == utc(2027, 4, 13, 10)
    assert assertions.notifications() == told(invited, "event.moved")
    assert Activity.objects.filter(verb="event.occurrence_updated").count() == 1
    # Changed again: the same row, both sequences bumped.
    again = services.event_update(actor=organiser, event=moved, scope="this", data={"title": "Atelier déplacé"})
    series.refresh_from_db()
    assert (again.pk, again.title, again.sequence, series.sequence) == (moved.pk, "Atelier déplacé", 2, 2)
    assert len(assertions.notifications()) == 3  # a new title is not a new date


def test_an_occurrence_moved_after_the_last_one_extends_last_end(series, organiser):
    services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 4, 6, 8),
                          data=form_data(start_date=date(2027, 4, 20), end_date=date(2027, 4, 20)))
    series.refresh_from_db()
    assert series.last_end == utc(2027, 4, 20, 10)


def test_a_date_that_is_not_an_occurrence_is_refused(series, organiser):
    with refused(ValidationError, "This date is not one of the event's occurrences.", "occurrence"):
        services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 3, 30, 9),
                              data={"title": "Mauvaise heure"})


def test_another_member_changes_no_occurrence(series, member):
    with refused(PermissionDenied, "Only the organiser and the managers of the space can change this event."):
        services.event_update(actor=member, event=series, scope="this", occurrence=utc(2027, 3, 16, 9),
                              data={"title": "Non"})


def test_a_coordinator_manages_every_event_of_the_network(series):
    services.event_update(actor=CoordinatorFactory(), event=series, data={"title": "Revu"})
    series.refresh_from_db()
    assert (series.title, series.sequence) == ("Revu", 1)


# --- Scope "following" -----------------------------------------------------------------------


def test_this_and_the_following_splits_the_series(series, invited, organiser):
    before = services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 3, 16, 9),
                                   data={"title": "Avant"})
    after = services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 4, 6, 8),
                                  data={"title": "Après"})
    new = services.event_update(actor=organiser, event=series, scope="following", occurrence=utc(2027, 3, 30, 8),
                                data=form_data(title="Nouvelle formule", start_date=date(2027, 3, 30),
                                               start_time=time(14), end_date=date(2027, 3, 30), end_time=time(16),
                                               rrule="FREQ=WEEKLY;COUNT=6"))
    series.refresh_from_db()
    new.refresh_from_db()
    before.refresh_from_db()
    # The first series keeps its three dates of March.
    assert (series.rrule, series.last_end, series.title) == ("FREQ=WEEKLY;COUNT=3", utc(2027, 3, 23, 11),
                                                             "Atelier mensuel")
    assert series.sequence == 3
    # The new one: another UID, the three remaining dates at 14 h summer time.
    assert new.uid != series.uid and new.series is None
    assert (new.title, new.rrule, new.start, new.last_end) == (
        "Nouvelle formule", "FREQ=WEEKLY;COUNT=3", utc(2027, 3, 30, 12), utc(2027, 4, 13, 14))
    assert before.series == series
    # The exception of 6 April was at 10 h: the new series is at 14 h, so it no longer matches.
    assert not Event.objects.filter(pk=after.pk).exists()
    assert sorted(new.attendees.values_list("user_id", "response")) == sorted(
        (user.pk, answer) for answer, user in invited.items())
    assert Activity.objects.filter(verb="event.updated").count() == 1
    assert assertions.notifications().count((invited["yes"].pk, "event.moved")) == 1


def test_following_keeps_the_exceptions_the_new_series_still_has(series, organiser):
    later = services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 4, 6, 8),
                                  data={"title": "Exception"})
    new = services.event_update(actor=organiser, event=series, scope="following", occurrence=utc(2027, 3, 30, 8),
                                data={"title": "Suite"})
    later.refresh_from_db()
    assert (later.series, later.uid, later.title) == (new, new.uid, "Exception")
    assert new.rrule == "FREQ=WEEKLY;COUNT=3"


def test_following_on_a_rule_without_count_ends_the_first_with_until(organiser):
    event = services.event_create(actor=organiser, calendar=network_calendar(),
                                  data=form_data(rrule="FREQ=WEEKLY;BYDAY=TU"))
    assert event.last_end is None
    new = services.event_update(actor=organiser, event=event, scope="following", occurrence=utc(2027, 3, 30, 8),
                                data={"title": "Suite"})
    event.refresh_from_db()
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270330T075959Z"
    assert event.last_end == utc(2027, 3, 23, 11)
    assert (new.rrule, new.start, new.last_end) == ("FREQ=WEEKLY;BYDAY=TU", utc(2027, 3, 30, 8), None)


# --- Scope "all" -----------------------------------------------------------------------------


def test_all_keeps_the_exceptions_when_the_dates_do_not_change(series, invited, organiser):
    moved = services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 3, 30, 8),
                                  data={"title": "Exception"})
    services.event_update(actor=organiser, event=series, scope="all", data={"title": "Nouveau titre"})
    series.refresh_from_db()
    assert (series.title, series.sequence) == ("Nouveau titre", 2)
    assert Event.objects.filter(pk=moved.pk).exists()
    assert assertions.notifications() == []


def test_all_drops_the_exceptions_the_new_rule_no_longer_has(series, invited, organiser):
    kept = services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 3, 16, 9),
                                 data={"title": "Gardée"})
    dropped = services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 3, 30, 8),
                                    data={"title": "Perdue"})
    # Every other week from now on: 9, 23 March, 6 April.
    services.event_update(actor=organiser, event=series, scope="all",
                          data={"rrule": "FREQ=WEEKLY;INTERVAL=2;COUNT=3"})
    series.refresh_from_db()
    assert not Event.objects.filter(pk__in=[kept.pk, dropped.pk]).exists()
    assert series.last_end == utc(2027, 4, 6, 10)
    assert assertions.notifications() == told(invited, "event.moved")


def test_all_keeps_the_exceptions_on_dates_the_new_rule_still_has(series, organiser):
    kept = services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 3, 23, 9),
                                 data={"title": "Gardée"})
    dropped = services.event_update(actor=organiser, event=series, scope="this", occurrence=utc(2027, 3, 30, 8),
                                    data={"title": "Perdue"})
    services.event_update(actor=organiser, event=series, scope="all", data={"rrule": "FREQ=WEEKLY;INTERVAL=2"})
    assert Event.objects.filter(pk=kept.pk).exists()
    assert not Event.objects.filter(pk=dropped.pk).exists()


def test_all_from_an_occurrence_moves_the_series_by_as_many_days(series, organiser):
    services.event_update(actor=organiser, event=series, scope="all", occurrence=utc(2027, 3, 30, 8),
                          data=form_data(start_date=date(2027, 3, 31), end_date=date(2027, 3, 31),
                                         rrule="FREQ=WEEKLY;COUNT=6"))
    series.refresh_from_db()
    assert series.start == utc(2027, 3, 10, 9)


def test_an_invalid_change_saves_nothing(series, organiser):
    with refused(ValidationError, "The event ends before it starts.", "end"):
        services.event_update(actor=organiser, event=series, scope="following", occurrence=utc(2027, 3, 30, 8),
                              data=form_data(start_date=date(2027, 3, 30), end_date=date(2027, 3, 29)))


# --- Cancel and delete -----------------------------------------------------------------------


def test_cancelling_one_occurrence(series, invited, organiser):
    row = services.occurrence_cancel(actor=organiser, event=series, occurrence=utc(2027, 3, 30, 8))
    series.refresh_from_db()
    assert (row.status, row.series, row.recurrence_id, row.start) == ("cancelled", series, utc(2027, 3, 30, 8),
                                                                      utc(2027, 3, 30, 8))
    assert series.sequence == 1 and series.status == "confirmed"
    assert assertions.notifications() == told(invited, "event.occurrence_cancelled")
    with refused(ValidationError, "This date is already cancelled.", "occurrence"):
        services.occurrence_cancel(actor=organiser, event=series, occurrence=utc(2027, 3, 30, 8))


def test_cancelling_an_occurrence_is_refused_to_others_and_for_other_dates(series, member, organiser):
    with refused(PermissionDenied, "Only the organiser and the managers of the space can change this event."):
        services.occurrence_cancel(actor=member, event=series, occurrence=utc(2027, 3, 30, 8))
    with refused(ValidationError, "This date is not one of the event's occurrences.", "occurrence"):
        services.occurrence_cancel(actor=organiser, event=series, occurrence=utc(2027, 4, 20, 8))


def test_cancelling_the_event_keeps_it_and_tells_the_attendees(series, invited, organiser):
    services.event_cancel(actor=organiser, event=series)
    series.refresh_from_db()
    assert (series.status, series.sequence) == ("cancelled", 1)
    assert assertions.notifications() == told(invited, "event.cancelled")
    assert Activity.objects.filter(verb="event.cancelled").count() == 1
    with refused(ValidationError, "This event is already cancelled."):
        services.event_cancel(actor=organiser, event=series)


def test_another_member_cancels_nothing(series, member):
    with refused(PermissionDenied, "Only the organiser and the managers of the space can change this event."):
        services.event_cancel(actor=member, event=series)


def test_deleting_a_series_removes_its_exceptions(series, invited, organiser):
    services.occurrence_cancel(actor=organiser, event=series, occurrence=utc(2027, 3, 30, 8))
    services.event_delete(actor=organiser, event=series)
    assert Event.objects.count() == 0 and Attendee.objects.count() == 0
    assert assertions.notifications().count((invited["yes"].pk, "event.deleted")) == 1
    assert Activity.objects.filter(verb="event.deleted").count() == 1


def test_another_member_deletes_nothing(series, member):
    with refused(PermissionDenied, "Only the organiser and the managers of the space can change this event."):
        services.event_delete(actor=member, event=series)


def test_nobody_changes_the_events_of_an_archived_or_unseen_space(organiser):
    territory = TerritoryFactory(name="Autre territoire")
    event = EventFactory(calendar=territory.space.calendar, created_by=organiser,
                         start=datetime(2027, 3, 9, 10, tzinfo=PARIS), end=datetime(2027, 3, 9, 11, tzinfo=PARIS))
    with refused(PermissionDenied, "You are not a member of the space of this calendar."):
        services.event_update(actor=organiser, event=event, data={"title": "Non"})


def test_single_event_update_moves_and_notifies(organiser):
    event = services.event_create(actor=organiser, calendar=network_calendar(), data=form_data())
    guest = AttendeeFactory(event=event, response="yes").user
    services.event_update(actor=organiser, event=event, scope="this",
                          data=form_data(start_date=date(2027, 3, 10), end_date=date(2027, 3, 10)))
    event.refresh_from_db()
    assert (event.start, event.sequence, event.last_end) == (utc(2027, 3, 10, 9), 1, utc(2027, 3, 10, 11))
    assert assertions.notifications() == [(guest.pk, "event.moved")]
    assert (event.start - timedelta(hours=0)).astimezone(PARIS).hour == 10


def test_following_with_the_rule_the_form_writes_keeps_the_remaining_count(series, organiser):
    """The form writes BYDAY=TU for this Tuesday series: the same rule, so three dates remain."""
    new = services.event_update(actor=organiser, event=series, scope="following", occurrence=utc(2027, 3, 30, 8),
                                data={"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=6"})
    assert new.rrule == "FREQ=WEEKLY;COUNT=3"
    assert new.last_end == utc(2027, 4, 13, 10)
