"""Workshop dates become collective activity records (mediation.activity.session_date_sync):
through the attendance sheet's signal, and for sheets filled in before, the command."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from extranet.testing.factories import (
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from mediation import activity
from mediation.models import ActivityRecord
from workshops import attendance
from workshops.models import Attendance

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def held():
    """A held session at a venue, 90 minutes starting at 00:30 in Paris (the day before in
    UTC), four confirmed registrations."""
    territory = TerritoryFactory(name="Lot")
    venue = VenueFactory(name="Médiathèque", territory=territory)
    animator = UserFactory()
    workshop = WorkshopFactory(
        title="Démarches en ligne sans risque", level="intermediate",
        themes=["Aide aux démarches administratives", "Utilisation sécurisée du numérique"],
    )
    day = timezone.localdate() - timedelta(days=3)
    start = datetime(day.year, day.month, day.day, 0, 30, tzinfo=PARIS)
    session = SessionFactory(workshop=workshop, venue=venue, dates=[(start, start + timedelta(minutes=90))],
                             animators=[animator])
    registrations = [RegistrationFactory(session=session) for _ in range(4)]
    return {"session": session, "date": session.dates.get(), "day": day, "animator": animator,
            "registrations": registrations, "venue": venue, "territory": territory}


def _sheet(held, statuses, django_capture_on_commit_callbacks, actor=None):
    marks = {registration.pk: status for registration, status in zip(held["registrations"], statuses, strict=True)}
    with django_capture_on_commit_callbacks(execute=True):
        attendance.attendance_record(actor=actor or held["animator"], date=held["date"], marks=marks)


def test_sheet_makes_updates_and_deletes_the_record(held, django_capture_on_commit_callbacks):
    _sheet(held, ["present", "present", "present", "no_show"], django_capture_on_commit_callbacks)
    record = ActivityRecord.objects.get()
    assert (record.kind, record.source, record.session_date, record.participants) == (
        "Collectif", "workshop", held["date"], 3)
    # 00:30 in Paris is the day before in UTC: the local day counts.
    assert record.date == held["day"]
    assert (record.duration_minutes, record.place_type, record.venue, record.territory) == (
        90, "LieuActivite", held["venue"], held["territory"])
    assert record.themes == ["AideAuxDemarchesAdministratives", "SecuriteNumerique"]
    assert (record.level, record.title, record.recorded_by) == (
        "Intermediaire", "Démarches en ligne sans risque", held["animator"])

    _sheet(held, ["present", "present", "excused", "no_show"], django_capture_on_commit_callbacks)
    record = ActivityRecord.objects.get()
    assert record.participants == 2

    _sheet(held, ["excused", "no_show", "excused", "no_show"], django_capture_on_commit_callbacks)
    assert not ActivityRecord.objects.exists()


def test_sync_is_idempotent(held, django_capture_on_commit_callbacks):
    _sheet(held, ["present", "present", "no_show", "no_show"], django_capture_on_commit_callbacks)
    first = ActivityRecord.objects.get()
    again = activity.session_date_sync(date=held["date"], actor=held["animator"])
    assert again is not None and again.pk == first.pk
    assert ActivityRecord.objects.count() == 1
    assert again.participants == 2


def test_online_session_is_remote_with_the_workshop_territory(django_capture_on_commit_callbacks):
    territory = TerritoryFactory(name="Quercy")
    animator = UserFactory()
    workshop = WorkshopFactory(title="Visio", themes=["Service inconnu"], territory=territory)
    start = timezone.now() - timedelta(days=1)
    session = SessionFactory(workshop=workshop, venue=None, online_url="https://visio.exemple.fr/a",
                             dates=[(start, start + timedelta(hours=1))], animators=[animator])
    registration = RegistrationFactory(session=session)
    with django_capture_on_commit_callbacks(execute=True):
        attendance.attendance_record(actor=animator, date=session.dates.get(), marks={registration.pk: "present"})
    record = ActivityRecord.objects.get()
    assert (record.place_type, record.venue, record.territory, record.participants) == (
        "ADistance", None, territory, 1)
    # No theme maps: digital culture; the workshop's level "beginner".
    assert (record.themes, record.level) == (["CultureNumerique"], "Debutant")


def test_command_catches_up_sheets_filled_before(held):
    other = SessionFactory(venue=held["venue"], dates=[(timezone.now() - timedelta(days=2),
                                                        timezone.now() - timedelta(days=2) + timedelta(hours=2))])
    nobody = RegistrationFactory(session=other)
    recorder = UserFactory()
    # Written directly: no signal, as before this feature.
    for registration, status in zip(held["registrations"], ["present", "present", "present", "excused"],
                                    strict=True):
        Attendance.objects.create(registration=registration, date=held["date"], status=status,
                                  recorded_by=recorder)
    Attendance.objects.create(registration=nobody, date=other.dates.get(), status="no_show")
    SessionFactory(venue=held["venue"])  # no sheet: left alone
    out = StringIO()
    call_command("sync_activity_records", stdout=out)
    assert out.getvalue() == ("1 activity record(s) in step with their attendance sheet; "
                              "1 date(s) without anyone present.\n")
    record = ActivityRecord.objects.get()
    assert (record.session_date, record.participants, record.recorded_by) == (held["date"], 3, recorder)
    call_command("sync_activity_records", stdout=StringIO())
    assert ActivityRecord.objects.get().pk == record.pk
