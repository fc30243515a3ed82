"""Two saves of one attendance sheet at once keep one activity record for the date (the
one-to-one on the session date settles it; the loser updates the winner's record)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import RegistrationFactory, SessionFactory, UserFactory, VenueFactory
from mediation import activity
from mediation.models import ActivityRecord
from members.models import User
from workshops.models import Attendance, SessionDate

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_syncs_of_one_date_at_once_make_one_record():
    start = timezone.now() - timedelta(days=1)
    session = SessionFactory(venue=VenueFactory(), dates=[(start, start + timedelta(hours=2))])
    date = session.dates.get()
    animator = UserFactory()
    for status in ("present", "present", "no_show"):
        Attendance.objects.create(registration=RegistrationFactory(session=session), date=date, status=status)

    def attempt():
        def prepare():
            return SessionDate.objects.get(pk=date.pk), User.objects.get(pk=animator.pk)

        def act(prepared):
            day, actor = prepared
            return activity.session_date_sync(date=day, actor=actor).pk

        return {"prepare": prepare, "act": act}

    results = run_together([attempt(), attempt()], language="en")
    assert outcomes(results) == ["ok", "ok"]
    record = ActivityRecord.objects.get()
    assert [value for _outcome, value in results] == [record.pk, record.pk]
    assert (record.session_date_id, record.participants) == (date.pk, 2)
