"""Evaluation races, with real threads: two submissions of one registration make one
response; two runs of the requests at once tell each person once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from extranet.testing import assertions
from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import RegistrationFactory, SessionFactory
from workshops import evaluation
from workshops.models import Answer, Attendance, EvaluationDone, EvaluationResponse, Question, Registration

pytestmark = pytest.mark.django_db(transaction=True)


def attended_session():
    start = timezone.now() - timedelta(days=2)
    session = SessionFactory(start=start, end=start + timedelta(hours=2))
    # Its own question: the flush after transactional tests removes the migration's default set.
    question = Question.objects.create(workshop=session.workshop, kind="scale", text="Satisfaction", required=True)
    registration = RegistrationFactory(session=session)
    Attendance.objects.create(registration=registration, date=session.dates.get(), status="present")
    return session, question, registration


def test_two_parallel_submissions_make_one_response():
    _session, question, registration = attended_session()

    def attempt(score):
        return {
            "prepare": lambda: Registration.objects.select_related("session__workshop", "user").get(pk=registration.pk),
            "act": lambda own: evaluation.evaluation_submit(actor=own.user, registration=own,
                                                             answers={question.pk: score}),
        }

    results = run_together([attempt(5), attempt(1)], language="en")
    assert outcomes(results) == ["invalid", "ok"]
    refusal = next(value for outcome, value in results if outcome == "invalid")
    assert refusal.messages == ["You have already answered this evaluation. Thank you!"]
    assert EvaluationResponse.objects.count() == 1
    assert Answer.objects.count() == 1
    assert list(EvaluationDone.objects.values_list("registration_id", flat=True)) == [registration.pk]


def test_two_parallel_runs_ask_once():
    _session, _question, registration = attended_session()
    results = run_together([evaluation.requests_send, evaluation.requests_send])
    assert outcomes(results) == ["ok", "ok"]
    assert sorted(value for _outcome, value in results) == [0, 1]
    assert assertions.notifications() == [(registration.user_id, "workshops.evaluation_request")]
