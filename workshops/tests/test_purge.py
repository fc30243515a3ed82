"""The purge of the registrants without an account, and the two cron commands."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from extranet.testing.factories import RegistrationFactory, SessionFactory, UserFactory, WorkshopFactory
from workshops import purge, tasks
from workshops.models import Attendance, EvaluationResponse, Registration

pytestmark = pytest.mark.django_db


def ended(days_ago):
    end = timezone.now() - timedelta(days=days_ago)
    return SessionFactory(workshop=WorkshopFactory(audience="public", status="held"), start=end - timedelta(hours=2),
                          end=end)


def anonymised():
    """The name purged rows get, in the site's language (French once the catalogue is compiled)."""
    with translation.override("fr"):
        return translation.gettext("Anonymised participant")


def visitor(session, **fields):
    values = {"user": None, "kind": "visitor", "name": "Odette Mercier", "email": "odette@exemple.test",
              "phone": "06 12 34 56 78", "note": "Vient avec sa tablette"}
    values.update(fields)
    return RegistrationFactory(session=session, **values)


def details(registration):
    registration.refresh_from_db()
    return (registration.name, registration.email, registration.phone, registration.note,
            registration.purged_at is not None)


@pytest.fixture
def retention(settings):
    settings.WORKSHOP_RETENTION_DAYS = 30
    return 30


def run(**options):
    out = io.StringIO()
    call_command("purge_workshop_registrants", stdout=out, **options)
    return out.getvalue()


def test_after_the_retention_visitors_and_on_site_people_are_anonymised(retention):
    old = ended(31)
    online = visitor(old)
    on_site = visitor(old, kind="on_site", email="", name="Marcel Py", registered_by=UserFactory())
    cancelled = visitor(old, status="cancelled", cancelled_at=timezone.now() - timedelta(days=40))
    with translation.override("en"):
        assert purge.registrants_purge() == 3
    for registration in (online, on_site, cancelled):
        assert details(registration) == (anonymised(), "", "", "", True)


def test_before_the_retention_nothing_changes(retention):
    recent = visitor(ended(29))
    upcoming = visitor(SessionFactory(workshop=WorkshopFactory(audience="public")))
    assert purge.registrants_purge() == 0
    assert details(recent) == ("Odette Mercier", "odette@exemple.test", "06 12 34 56 78", "Vient avec sa tablette",
                               False)
    assert details(upcoming)[4] is False


def test_members_registrations_are_left_alone(retention):
    member = UserFactory(display_name="Jeanne Roux")
    registration = RegistrationFactory(session=ended(400), user=member, note="Arrivera en retard")
    assert purge.registrants_purge() == 0
    registration.refresh_from_db()
    assert (registration.user_id, registration.note, registration.purged_at) == (member.pk, "Arrivera en retard",
                                                                                  None)


def test_twice_purges_once_and_keeps_the_date_of_the_first(retention):
    registration = visitor(ended(60))
    assert purge.registrants_purge() == 1
    registration.refresh_from_db()
    first = registration.purged_at
    assert purge.registrants_purge() == 0
    registration.refresh_from_db()
    assert registration.purged_at == first


def test_counts_attendance_and_evaluations_survive(retention):
    session = ended(90)
    present = visitor(session)
    absent = visitor(session, name="Paul Brel", email="paul@exemple.test")
    date = session.dates.get()
    Attendance.objects.create(registration=present, date=date, status="present")
    Attendance.objects.create(registration=absent, date=date, status="no_show", reason="Malade")
    EvaluationResponse.objects.create(session=session)
    assert purge.registrants_purge() == 2
    assert Registration.objects.filter(session=session, status="confirmed").count() == 2
    # The statuses stay; the reason given for the absence is about the person: erased.
    assert sorted(Attendance.objects.filter(date=date).values_list("status", "reason")) == [
        ("no_show", ""), ("present", "")]
    assert EvaluationResponse.objects.filter(session=session).count() == 1


def test_the_command_says_how_many_and_the_dry_run_changes_nothing(retention):
    registration = visitor(ended(45))
    visitor(ended(45), email="autre@exemple.test")
    assert run(dry_run=True) == "2 registration(s) would be anonymised (sessions over for more than 30 days).\n"
    assert details(registration)[4] is False
    assert run() == "2 registration(s) anonymised (sessions over for more than 30 days).\n"
    assert details(registration)[0] == anonymised()
    assert run() == "0 registration(s) anonymised (sessions over for more than 30 days).\n"


def test_the_tasks_command_prints_each_count(monkeypatch):
    counts = {"offers_expired": 2, "unconfirmed_dropped": 0, "reminders_sent": 5, "workshops_held": 1,
              "evaluations_requested": 3}
    monkeypatch.setattr(tasks, "run", lambda now=None: dict(counts))
    out = io.StringIO()
    call_command("run_workshop_tasks", stdout=out)
    assert out.getvalue().splitlines() == [
        "offers expired: 2", "unconfirmed dropped: 0", "reminders sent: 5", "workshops held: 1",
        "evaluations requested: 3"]
