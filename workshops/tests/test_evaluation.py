"""Evaluation after a session (workshops.evaluation and evaluation_views): who answers, the
requests, the answers, the questions' editor and the results, checked against figures
computed by hand."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.pages import english_client, measure_queries, queries_flat, soup, text_of
from workshops import evaluation
from workshops.models import Answer, Attendance, EvaluationDone, EvaluationResponse, Question, Session

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
HIDDEN = "The results are shown from 3 responses, to preserve anonymity."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    return {
        "responses": sorted(EvaluationResponse.objects.values_list("pk", "session_id")),
        "answers": sorted(Answer.objects.values_list("response_id", "question_id", "score", "text")),
        "done": sorted(EvaluationDone.objects.values_list("registration_id", flat=True)),
        "questions": sorted(Question.objects.values_list("pk", "workshop_id", "kind", "text", "choices",
                                                         "required", "order")),
        "notifications": assertions.notifications(),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)


def past_session(days=3, **kwargs):
    start = timezone.now() - timedelta(days=days)
    return SessionFactory(start=start, end=start + timedelta(hours=2), **kwargs)


def mark(registration, status, date_index=0):
    dates = list(registration.session.dates.order_by("start"))
    return Attendance.objects.create(registration=registration, date=dates[date_index], status=status)


def own_questions(workshop):
    """Satisfaction (scale, required), clarity (scale), pace (choice), comment (text)."""
    return [
        Question.objects.create(workshop=workshop, kind="scale", text="Satisfaction", required=True, order=0),
        Question.objects.create(workshop=workshop, kind="scale", text="Clarté", order=1),
        Question.objects.create(workshop=workshop, kind="choice", text="Rythme", choices="Lent\nAdapté\nRapide",
                                order=2),
        Question.objects.create(workshop=workshop, kind="text", text="Commentaire", order=3),
    ]


def respond(session, answers, day=None):
    """An anonymous response made directly: {question: score or text}."""
    response = EvaluationResponse.objects.create(session=session, submitted_on=day or timezone.localdate())
    for question, value in answers.items():
        if question.kind == "scale":
            Answer.objects.create(response=response, question=question, score=value)
        else:
            Answer.objects.create(response=response, question=question, text=value)
    return response


def attended(session=None, **kwargs):
    """A member's confirmed registration, marked present."""
    registration = RegistrationFactory(session=session or past_session(), **kwargs)
    mark(registration, "present")
    return registration


# --- Questions ----------------------------------------------------------------------------


def test_questions_for_default_set_then_own(django_assert_num_queries):
    workshop = WorkshopFactory()
    with django_assert_num_queries(1):
        default = evaluation.questions_for(workshop)
    assert [question.kind for question in default] == ["scale", "scale", "scale", "choice", "choice", "text"]
    assert default[0].text == "Dans l’ensemble, êtes-vous satisfait·e de cet atelier\u00a0?"
    assert all(question.workshop_id is None for question in default)
    own = own_questions(workshop)
    with django_assert_num_queries(1):
        assert evaluation.questions_for(workshop) == own
    # Another workshop still has the default set.
    assert [q.pk for q in evaluation.questions_for(WorkshopFactory())] == [q.pk for q in default]


# --- Who answers --------------------------------------------------------------------------


def test_only_present_confirmed_registrations_are_eligible():
    session = past_session()
    present = attended(session)
    excused = RegistrationFactory(session=session)
    mark(excused, "excused")
    no_show = RegistrationFactory(session=session)
    mark(no_show, "no_show")
    unmarked = RegistrationFactory(session=session)
    cancelled = RegistrationFactory(session=session, status="cancelled")
    mark(cancelled, "present")
    assert list(evaluation.eligible_registrations(session)) == [present]
    assert evaluation.eligible(present) is True
    for registration in (excused, no_show, unmarked, cancelled):
        assert evaluation.eligible(registration) is False


def test_nobody_is_eligible_before_the_attendance_is_recorded():
    session = past_session()
    registration = RegistrationFactory(session=session)
    assert list(evaluation.eligible_registrations(session)) == []
    decision = evaluation.can_answer(registration.user, registration)
    assert not decision
    assert decision.reason == "The evaluation opens once the attendance of the session is recorded."


def test_a_cycle_attendee_present_once_is_eligible():
    start = timezone.now() - timedelta(days=10)
    session = SessionFactory(dates=[(start, start + timedelta(hours=2)),
                                    (start + timedelta(days=7), start + timedelta(days=7, hours=2))])
    registration = RegistrationFactory(session=session)
    mark(registration, "no_show", 0)
    mark(registration, "present", 1)
    assert list(evaluation.eligible_registrations(session)) == [registration]


def test_invitation_url():
    session = past_session()
    registration = RegistrationFactory(session=session)
    assert evaluation.invitation_url(registration.user, registration) is None  # attendance not recorded
    mark(registration, "present")
    assert evaluation.invitation_url(registration.user, registration) == (
        f"/bureau/ateliers/sessions/{session.pk}/evaluation/")
    assert evaluation.invitation_url(registration.user, registration, by_token=True) == (
        f"/ateliers/inscription/{registration.token}/evaluation/")
    assert evaluation.invitation_url(UserFactory(), registration) is None
    assert evaluation.invitation_url(registration.user, None) is None
    EvaluationDone.objects.create(registration=registration)
    assert evaluation.invitation_url(registration.user, registration) is None


def test_a_cancelled_session_is_not_evaluated():
    session = past_session(status="cancelled")
    registration = attended(session)
    decision = evaluation.can_answer(registration.user, registration)
    assert not decision and decision.reason == "This session is cancelled."


# --- Requests -----------------------------------------------------------------------------


def test_requests_go_to_present_attendees_only(django_capture_on_commit_callbacks):
    session = past_session(days=1)
    present = attended(session)
    excused = RegistrationFactory(session=session)
    mark(excused, "excused")
    no_show = RegistrationFactory(session=session)
    mark(no_show, "no_show")
    visitor = RegistrationFactory(session=session, user=None, kind="visitor", name="Vera Visiteuse",
                                  email="vera@exemple.test")
    mark(visitor, "present")
    on_site = RegistrationFactory(session=session, user=None, kind="on_site", name="Sans Courriel")
    mark(on_site, "present")
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluation.requests_send() == 2  # the person without e-mail cannot be reached
    assert assertions.notifications() == [(present.user_id, "workshops.evaluation_request")]
    to_vera = [message for message in mail.outbox if message.to == ["vera@exemple.test"]]
    assert len(to_vera) == 1
    body = to_vera[0].body
    assert f"/ateliers/inscription/{visitor.token}/evaluation/" in body
    assert "Vera Visiteuse," in body
    assert present.user.notifications.get().url == f"/bureau/ateliers/sessions/{session.pk}/evaluation/"
    sent = len(mail.outbox)
    session.refresh_from_db()
    assert session.evaluation_sent_at is not None
    # Twice: nobody is asked again.
    with django_capture_on_commit_callbacks(execute=True):
        assert evaluation.requests_send() == 0
    assert assertions.notifications() == [(present.user_id, "workshops.evaluation_request")]
    assert len(mail.outbox) == sent


def test_requests_wait_for_the_end_and_the_attendance():
    running = SessionFactory(start=timezone.now() - timedelta(hours=1), end=timezone.now() + timedelta(hours=1))
    mark(RegistrationFactory(session=running), "present")
    unrecorded = past_session(days=1)
    RegistrationFactory(session=unrecorded)
    assert evaluation.requests_send() == 0
    assert assertions.notifications() == []
    assert Session.objects.filter(evaluation_sent_at__isnull=False).count() == 0
    # The attendance recorded later: the next run asks.
    mark(unrecorded.registrations.get(), "present")
    assert evaluation.requests_send() == 1


def test_old_and_cancelled_sessions_ask_nobody():
    old = past_session(days=40)
    attended(old)
    cancelled = past_session(days=1, status="cancelled")
    attended(cancelled)
    assert evaluation.requests_send() == 0
    assert assertions.notifications() == []
    old.refresh_from_db()
    assert old.evaluation_sent_at is not None  # skipped for good


def test_requests_with_now_before_the_end_send_nothing():
    session = past_session(days=1)
    attended(session)
    assert evaluation.requests_send(now=timezone.now() - timedelta(days=2)) == 0
    assert evaluation.requests_send(now=timezone.now()) == 1


# --- Answering ----------------------------------------------------------------------------


@pytest.fixture
def answering():
    session = past_session()
    questions = own_questions(session.workshop)
    registration = attended(session)
    return session, questions, registration


def test_submit_records_an_anonymous_response(answering):
    session, (satisfaction, clarity, pace, comment), registration = answering
    response = evaluation.evaluation_submit(actor=registration.user, registration=registration, answers={
        satisfaction.pk: "4", f"q_{clarity.pk}": 5, pace.pk: "Adapté", comment.pk: "  Très utile.  "})
    assert response.session == session
    assert response.submitted_on == timezone.localdate()
    assert sorted(Answer.objects.values_list("question_id", "score", "text")) == sorted([
        (satisfaction.pk, 4, ""), (clarity.pk, 5, ""), (pace.pk, None, "Adapté"), (comment.pk, None, "Très utile.")])
    assert list(EvaluationDone.objects.values_list("registration_id", flat=True)) == [registration.pk]
    # Nothing on the response names who answered.
    assert {field.name for field in EvaluationResponse._meta.concrete_fields} == {"id", "session", "submitted_on"}


def test_submit_optional_questions_may_stay_empty(answering):
    _session, (satisfaction, clarity, pace, comment), registration = answering
    evaluation.evaluation_submit(actor=registration.user, registration=registration,
                                 answers={satisfaction.pk: "3", clarity.pk: "", pace.pk: None})
    assert list(Answer.objects.values_list("question_id", "score")) == [(satisfaction.pk, 3)]


def test_submit_twice_is_refused(answering):
    _session, (satisfaction, *_rest), registration = answering
    evaluation.evaluation_submit(actor=registration.user, registration=registration, answers={satisfaction.pk: 5})
    with refused(ValidationError, "You have already answered this evaluation. Thank you!"):
        evaluation.evaluation_submit(actor=registration.user, registration=registration,
                                     answers={satisfaction.pk: 1})
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        evaluation.evaluation_submit(actor=registration.user, registration=registration,
                                     answers={satisfaction.pk: 1})
    with translation.override("fr"):
        expected = translation.gettext("You have already answered this evaluation. Thank you!")
    assert expected != "You have already answered this evaluation. Thank you!"  # the catalogue has it
    assert error.value.messages == [expected]


def test_submit_by_token_for_a_visitor():
    session = past_session()
    question = own_questions(session.workshop)[0]
    visitor = attended(session, user=None, kind="visitor", name="Vera", email="vera@exemple.test")
    evaluation.evaluation_submit(actor=None, registration=visitor, answers={question.pk: 2}, by_token=True)
    assert list(Answer.objects.values_list("score", flat=True)) == [2]
    with refused(PermissionDenied, "This evaluation form is not yours."):
        evaluation.evaluation_submit(actor=None, registration=visitor, answers={question.pk: 2})


def test_submit_denied(answering):
    session, (satisfaction, *_rest), registration = answering
    with refused(PermissionDenied, "This evaluation form is not yours."):
        evaluation.evaluation_submit(actor=UserFactory(), registration=registration, answers={satisfaction.pk: 5})
    for status in ("no_show", "excused"):
        other = RegistrationFactory(session=session)
        mark(other, status)
        with refused(PermissionDenied, "The evaluation is for the people who attended the session."):
            evaluation.evaluation_submit(actor=other.user, registration=other, answers={satisfaction.pk: 5})


def test_submit_before_the_end_is_refused():
    session = SessionFactory()  # next week
    question = own_questions(session.workshop)[0]
    registration = RegistrationFactory(session=session)
    with refused(ValidationError, "The evaluation opens at the end of the session."):
        evaluation.evaluation_submit(actor=registration.user, registration=registration, answers={question.pk: 5})


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"satisfaction": "6"}, "satisfaction", "Choose a score from 1 to 5."),
    ({"satisfaction": "0"}, "satisfaction", "Choose a score from 1 to 5."),
    ({"satisfaction": "beaucoup"}, "satisfaction", "Choose a score from 1 to 5."),
    ({"satisfaction": "4", "pace": "Trop lent"}, "pace", "Choose one of the options offered."),
    ({"satisfaction": "4", "comment": "x" * 5001}, "comment", "Write at most 5000 characters."),
    ({"clarity": "4"}, "satisfaction", "Please answer this question."),
    ({"satisfaction": ""}, "satisfaction", "Please answer this question."),
])
def test_submit_invalid_saves_nothing(answering, values, field, message):
    _session, questions, registration = answering
    named = dict(zip(["satisfaction", "clarity", "pace", "comment"], questions, strict=True))
    answers = {named[name].pk: value for name, value in values.items()}
    with refused(ValidationError, message, field=f"q_{named[field].pk}"):
        evaluation.evaluation_submit(actor=registration.user, registration=registration, answers=answers)


def test_submit_unknown_question_saves_nothing(answering):
    _session, (satisfaction, *_rest), registration = answering
    foreign = Question.objects.filter(workshop__isnull=True).first()
    with refused(ValidationError, "This question is not part of this evaluation."):
        evaluation.evaluation_submit(actor=registration.user, registration=registration,
                                     answers={satisfaction.pk: 4, foreign.pk: 5})


def test_submit_nothing_answered_is_refused():
    session = past_session()
    question = Question.objects.create(workshop=session.workshop, kind="text", text="Un mot ?")
    registration = attended(session)
    with refused(ValidationError, "Answer at least one question."):
        evaluation.evaluation_submit(actor=registration.user, registration=registration, answers={question.pk: " "})


# --- Results (figures computed by hand) ---------------------------------------------------


def test_results_figures():
    session = past_session()
    satisfaction, clarity, pace, comment = own_questions(session.workshop)
    respond(session, {satisfaction: 5, pace: "Adapté", comment: "Bien."}, day=date(2026, 11, 14))
    respond(session, {satisfaction: 4, pace: "Adapté"}, day=date(2026, 11, 2))
    respond(session, {satisfaction: 4, pace: "Rapide", comment: "Aller moins vite."}, day=date(2026, 10, 30))
    respond(session, {satisfaction: 2}, day=date(2026, 11, 20))
    results = evaluation.results(EvaluationResponse.objects.filter(session=session),
                                 evaluation.questions_for(session.workshop))
    first, second, third, fourth = results
    assert first.question == satisfaction
    assert (first.count, first.average, first.distribution) == (4, Decimal("3.8"), [0, 1, 0, 2, 1])
    assert [(bar.label, bar.count, bar.percent, bar.step) for bar in first.bars] == [
        ("1", 0, 0, 0), ("2", 1, 25, 25), ("3", 0, 0, 0), ("4", 2, 50, 50), ("5", 1, 25, 25)]
    assert (second.count, second.average, second.distribution) == (0, None, [0, 0, 0, 0, 0])
    assert third.count == 3
    assert third.options == [("Lent", 0), ("Adapté", 2), ("Rapide", 1)]
    assert [(bar.percent, bar.step) for bar in third.bars] == [(0, 0), (67, 65), (33, 35)]
    # The month only, newest first.
    assert fourth.texts == [(date(2026, 11, 1), "Bien."), (date(2026, 10, 1), "Aller moins vite.")]


def test_results_rounding_and_steps():
    assert evaluation.average_of([0, 0, 1, 1, 0]) == Decimal("3.5")
    assert evaluation.average_of([1, 0, 0, 0, 2]) == Decimal("3.7")  # 11 / 3 = 3.666...
    assert evaluation.average_of([0, 0, 0, 0, 0]) is None


def test_results_keep_answered_questions_of_an_earlier_set():
    session = past_session()
    default_first = evaluation.questions_for(session.workshop)[0]
    respond(session, {default_first: 3})
    own = own_questions(session.workshop)
    results = evaluation.results(EvaluationResponse.objects.all(), evaluation.questions_for(session.workshop))
    assert [result.question for result in results] == [*own, default_first]
    assert results[-1].distribution == [0, 0, 1, 0, 0]


def test_results_query_count_is_fixed(django_assert_num_queries):
    session = past_session()
    satisfaction, _clarity, pace, comment = own_questions(session.workshop)
    for score in (1, 2, 3, 4, 5, 5):
        respond(session, {satisfaction: score, pace: "Lent", comment: f"Texte {score}"})
    with django_assert_num_queries(2):
        evaluation.results(EvaluationResponse.objects.all(), [satisfaction, pace, comment])


# --- Filters ------------------------------------------------------------------------------


def test_periods():
    assert evaluation.parse_period("2026-11") == evaluation.Period(date(2026, 11, 1), date(2026, 11, 30))
    assert evaluation.parse_period("2026-12") == evaluation.Period(date(2026, 12, 1), date(2026, 12, 31))
    assert evaluation.parse_period("2024-02") == evaluation.Period(date(2024, 2, 1), date(2024, 2, 29))
    assert evaluation.parse_period("2026-Q2") == evaluation.Period(date(2026, 4, 1), date(2026, 6, 30))
    assert evaluation.parse_period("2026") == evaluation.Period(date(2026, 1, 1), date(2026, 12, 31))
    assert evaluation.parse_period("") == evaluation.Period()
    assert evaluation.parse_period("2026-13") is None
    assert evaluation.parse_period("n'importe") is None


def test_filters_by_period_and_animator():
    alice, bruno = UserFactory(display_name="Alice"), UserFactory(display_name="Bruno")
    workshop = WorkshopFactory()
    october = SessionFactory(workshop=workshop, start=datetime(2026, 10, 31, 23, 30, tzinfo=PARIS),
                             end=datetime(2026, 11, 1, 1, 0, tzinfo=PARIS), animators=[alice])
    november = SessionFactory(workshop=workshop, start=datetime(2026, 11, 1, 0, 30, tzinfo=PARIS),
                              end=datetime(2026, 11, 1, 2, 0, tzinfo=PARIS), animators=[alice, bruno])
    march = SessionFactory(workshop=workshop, start=datetime(2026, 3, 10, 10, tzinfo=PARIS),
                           end=datetime(2026, 3, 10, 12, tzinfo=PARIS), animators=[bruno])
    elsewhere = SessionFactory(start=datetime(2026, 11, 5, 10, tzinfo=PARIS),
                               end=datetime(2026, 11, 5, 12, tzinfo=PARIS), animators=[alice])
    question = evaluation.questions_for(None)[0]
    responses = {session: respond(session, {question: 4}) for session in (october, november, march, elsewhere)}

    def picked(**filters):
        return {response.pk for response in evaluation.responses_for(**filters)}

    def of(*sessions):
        return {responses[session].pk for session in sessions}

    assert picked(workshop=workshop) == of(october, november, march)
    assert picked(workshop=workshop, period=evaluation.parse_period("2026-11")) == of(november)
    assert picked(workshop=workshop, period=evaluation.parse_period("2026-Q4")) == of(october, november)
    assert picked(workshop=workshop, period=evaluation.parse_period("2026-Q1")) == of(march)
    assert picked(period=evaluation.Period(date(2026, 10, 31), date(2026, 11, 5))) == of(october, november, elsewhere)
    assert picked(animator=alice) == of(october, november, elsewhere)
    assert picked(animator=bruno, workshop=workshop) == of(november, march)
    assert picked(animator=bruno, period=evaluation.parse_period("2026-11")) == of(november)


# --- Visibility (anonymity) ---------------------------------------------------------------


@pytest.fixture
def hosted():
    territory = TerritoryFactory(name="Lot")
    animator = UserFactory(display_name="Anne Animatrice")
    workshop = WorkshopFactory(territory=territory, title="Tablette")
    session = past_session(workshop=workshop, animators=[animator])
    question = Question.objects.create(workshop=workshop, kind="scale", text="Satisfaction", required=True)
    comment = Question.objects.create(workshop=workshop, kind="text", text="Commentaire", order=1)
    people = [attended(session, user=UserFactory(display_name=f"Personne {n}")) for n in range(4)]
    return {"territory": territory, "animator": animator, "workshop": workshop, "session": session,
            "question": question, "comment": comment, "people": people}


def results_url(world, **query):
    url = reverse("workshops:results", args=[world["workshop"].pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def submit_all(world, count):
    for index, registration in enumerate(world["people"][:count]):
        evaluation.evaluation_submit(actor=registration.user, registration=registration, answers={
            world["question"].pk: 5 - index, world["comment"].pk: f"Avis numéro {index}"})


def test_the_animator_sees_results_from_3_responses(hosted):
    client = english_client(hosted["animator"])
    submit_all(hosted, 2)
    page = soup(client.get(results_url(hosted)))
    assert HIDDEN in text_of(page)
    assert "Avis numéro" not in text_of(page)
    submit_all_rest = hosted["people"][2]
    evaluation.evaluation_submit(actor=submit_all_rest.user, registration=submit_all_rest,
                                 answers={hosted["question"].pk: 3, hosted["comment"].pk: "Avis numéro 2"})
    response = client.get(results_url(hosted))
    text = text_of(soup(response))
    assert HIDDEN not in text
    assert "Average: 4.0 / 5 (3 answers)" in text
    assert "Avis numéro 0" in text and "Avis numéro 2" in text
    for registration in hosted["people"]:
        assert registration.user.display_name not in text
    assert "style=" not in response.content.decode()


def test_a_host_never_reads_a_session_of_fewer_than_3_responses(hosted):
    """Else the one answer of a small session is found by subtraction from the whole."""
    small = past_session(days=6, workshop=hosted["workshop"], animators=[hosted["animator"]])
    respond(small, {hosted["question"]: 1, hosted["comment"]: "Seul avis"})
    submit_all(hosted, 3)
    text = text_of(soup(english_client(hosted["animator"]).get(results_url(hosted))))
    assert "Average: 4.0 / 5 (3 answers)" in text
    assert "1 session with fewer than 3 responses is left out, to preserve anonymity." in text
    assert "Seul avis" not in text
    text = text_of(soup(english_client(hosted["animator"]).get(results_url(hosted, session=small.pk))))
    assert HIDDEN in text and "Seul avis" not in text
    # The coordination reads everything.
    text = text_of(soup(english_client(CoordinatorFactory()).get(results_url(hosted))))
    assert "Average: 3.3 / 5 (4 answers)" in text and "Seul avis" in text


def test_a_manager_sees_results_from_the_first_response(hosted):
    submit_all(hosted, 1)
    local_admin = UserFactory(referent_of=[hosted["territory"]])
    for user in (CoordinatorFactory(), local_admin):
        text = text_of(soup(english_client(user).get(results_url(hosted))))
        assert "Average: 5.0 / 5 (1 answer)" in text
        assert HIDDEN not in text


def test_results_refused_to_other_members(hosted):
    response = english_client(UserFactory()).get(results_url(hosted))
    assert response.status_code == 403
    assert Client().get(results_url(hosted)).status_code == 302  # the desk asks to log in


def test_a_venue_animator_is_a_host(hosted):
    venue = VenueFactory()
    Session.objects.filter(pk=hosted["session"].pk).update(venue=venue)
    submit_all(hosted, 3)
    text = text_of(soup(english_client(UserFactory(venues=[venue])).get(results_url(hosted))))
    assert "Average: 4.0 / 5 (3 answers)" in text


def test_the_animator_filter_on_the_results_page(hosted):
    other_animator = UserFactory(display_name="Otto")
    other = past_session(days=5, workshop=hosted["workshop"], animators=[other_animator])
    respond(other, {hosted["question"]: 1})
    submit_all(hosted, 3)  # 5, 4, 3
    client = english_client(CoordinatorFactory())
    assert "Average: 3.3 / 5 (4 answers)" in text_of(soup(client.get(results_url(hosted))))
    text = text_of(soup(client.get(results_url(hosted, animator=other_animator.pk))))
    assert "Average: 1.0 / 5 (1 answer)" in text
    text = text_of(soup(client.get(results_url(hosted, animator=hosted["animator"].pk))))
    assert "Average: 4.0 / 5 (3 answers)" in text
    # The host of one session sees only theirs, and not with a single response.
    text = text_of(soup(english_client(other_animator).get(results_url(hosted))))
    assert HIDDEN in text


def test_the_period_filter_on_the_results_page(hosted):
    submit_all(hosted, 3)
    client = english_client(CoordinatorFactory())
    month = timezone.localtime(hosted["session"].start).strftime("%Y-%m")
    assert "3 responses" in text_of(soup(client.get(results_url(hosted, period=month))))
    assert "0 responses" in text_of(soup(client.get(results_url(hosted, start="2001-01-01", end="2001-12-31"))))


# --- The answering pages ------------------------------------------------------------------


def test_the_member_form_then_thanks_then_done(hosted):
    registration = hosted["people"][0]
    client = english_client(registration.user)
    url = reverse("workshops:evaluate", args=[hosted["session"].pk])
    page = soup(client.get(url))
    labels = [text_of(label) for label in page.select(".evaluation-choices--scale label")]
    assert labels == ["1 (not at all)", "2", "3", "4", "5 (completely)"]
    assert page.select_one("textarea") is not None
    assert "Your answers are anonymous" in text_of(page)
    # Invalid: the required question missing.
    response = client.post(url, {f"q_{hosted['comment'].pk}": "Bien"})
    assert response.status_code == 200
    assert EvaluationResponse.objects.count() == 0
    response = client.post(url, {f"q_{hosted['question'].pk}": "4", f"q_{hosted['comment'].pk}": "Bien"})
    assert response.status_code == 302 and response["Location"] == f"{url}?merci=1"
    assert "Thank you! Your answers are recorded." in text_of(soup(client.get(response["Location"])))
    assert "You have already answered this evaluation." in text_of(soup(client.get(url)))
    assert "You have already answered this evaluation." in text_of(
        soup(client.post(url, {f"q_{hosted['question'].pk}": "1"})))
    assert list(Answer.objects.values_list("score", flat=True).exclude(score=None)) == [4]


def test_the_form_is_not_open_yet_or_not_for_a_no_show():
    session = past_session()
    own_questions(session.workshop)
    registration = RegistrationFactory(session=session)
    url = reverse("workshops:evaluate", args=[session.pk])
    client = english_client(registration.user)
    response = client.get(url)
    assert response.status_code == 200
    assert "The evaluation opens once the attendance of the session is recorded." in text_of(soup(response))
    mark(registration, "no_show")
    response = client.get(url)
    assert response.status_code == 403
    assert "The evaluation is for the people who attended the session." in text_of(soup(response))
    # Someone not registered: 404.
    assert english_client(UserFactory()).get(url).status_code == 404


def test_the_visitor_form_by_token():
    session = past_session(workshop=WorkshopFactory(audience="public"))
    question = own_questions(session.workshop)[0]
    visitor = attended(session, user=None, kind="visitor", name="Vera", email="vera@exemple.test")
    client = Client()
    client.cookies["django_language"] = "en"
    url = reverse("ateliers:evaluate", args=[visitor.token])
    assert client.get(url).status_code == 200
    response = client.post(url, {f"q_{question.pk}": "5"})
    assert response.status_code == 302
    assert list(EvaluationDone.objects.values_list("registration_id", flat=True)) == [visitor.pk]
    assert client.get(reverse("ateliers:evaluate", args=["faux-jeton"])).status_code == 404


# --- The questions' editor ----------------------------------------------------------------


def test_customise_add_edit_move_delete_reset():
    coordinator = CoordinatorFactory()
    workshop = WorkshopFactory()
    own = evaluation.questions_customize(actor=coordinator, workshop=workshop)
    default = evaluation.questions_for(None)
    assert [(q.kind, q.text, q.choices, q.required) for q in own] == [
        (q.kind, q.text, q.choices, q.required) for q in default]
    assert evaluation.questions_for(workshop) == own
    with refused(ValidationError, "This workshop already has its own questions."):
        evaluation.questions_customize(actor=coordinator, workshop=workshop)
    added = evaluation.question_create(actor=coordinator, workshop=workshop, kind="choice", text="Format ?",
                                       choices="Court\n\nLong\nCourt")
    assert added.options == ["Court", "Long"]
    assert evaluation.questions_for(workshop)[-1] == added
    evaluation.question_move(actor=coordinator, question=added, direction="up")
    assert [q.text for q in evaluation.questions_for(workshop)][-2:] == ["Format ?", own[-1].text]
    evaluation.question_move(actor=coordinator, question=own[0], direction="up")  # already first: unchanged
    assert evaluation.questions_for(workshop)[0] == own[0]
    evaluation.question_update(actor=coordinator, question=added, kind="text", text="Format souhaité ?")
    added.refresh_from_db()
    assert (added.kind, added.text, added.choices) == ("text", "Format souhaité ?", "")
    evaluation.question_delete(actor=coordinator, question=added)
    assert len(evaluation.questions_for(workshop)) == 6
    evaluation.questions_reset(actor=coordinator, workshop=workshop)
    assert evaluation.questions_for(workshop) == default


def test_adding_to_a_workshop_on_the_default_set_copies_it_first():
    workshop = WorkshopFactory()
    evaluation.question_create(actor=CoordinatorFactory(), workshop=workshop, kind="scale", text="Ambiance ?")
    assert [q.text for q in evaluation.questions_for(workshop)][-1] == "Ambiance ?"
    assert len(evaluation.questions_for(workshop)) == 7


def test_questions_with_answers_are_only_reworded():
    coordinator = CoordinatorFactory()
    session = past_session()
    satisfaction, _clarity, pace, _comment = own_questions(session.workshop)
    respond(session, {satisfaction: 4, pace: "Lent"})
    with refused(ValidationError, "This question already has answers: it cannot be deleted, only reworded."):
        evaluation.question_delete(actor=coordinator, question=satisfaction)
    with refused(ValidationError, "This question already has answers: its kind cannot change.", field="kind"):
        evaluation.question_update(actor=coordinator, question=satisfaction, kind="text", text="Satisfaction")
    with refused(ValidationError, "This question already has answers: its options cannot change.", field="choices"):
        evaluation.question_update(actor=coordinator, question=pace, kind="choice", text="Rythme",
                                   choices="Lent\nRapide")
    with refused(ValidationError, "Some of this workshop's questions already have answers: they are kept."):
        evaluation.questions_reset(actor=coordinator, workshop=session.workshop)
    evaluation.question_update(actor=coordinator, question=satisfaction, kind="scale", text="Globalement ?",
                               required=False)
    satisfaction.refresh_from_db()
    assert (satisfaction.text, satisfaction.required) == ("Globalement ?", False)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"kind": "scale", "text": "  "}, "text", "Write the question."),
    ({"kind": "scale", "text": "x" * 301}, "text", "Write at most 300 characters."),
    ({"kind": "choice", "text": "Q", "choices": "Seule"}, "choices", "Give at least two options, one per line."),
    ({"kind": "rating", "text": "Q"}, "kind", "Choose the kind of question."),
])
def test_question_invalid(fields, field, message):
    with refused(ValidationError, message, field=field):
        evaluation.question_create(actor=CoordinatorFactory(), workshop=None, **fields)


def test_question_editing_denied():
    territory = TerritoryFactory(name="Lot")
    workshop = WorkshopFactory(territory=territory)
    member, local_admin = UserFactory(), UserFactory(referent_of=[territory])
    message = "Only the coordination and the local admins of its territory change the questions."
    with refused(PermissionDenied, message):
        evaluation.question_create(actor=member, workshop=workshop, kind="scale", text="Q ?")
    with refused(PermissionDenied, message):
        evaluation.questions_customize(actor=member, workshop=workshop)
    with refused(PermissionDenied, "Only coordinators change the default evaluation questions."):
        evaluation.question_create(actor=local_admin, workshop=None, kind="scale", text="Q ?")
    default = evaluation.questions_for(None)[0]
    with refused(PermissionDenied, "Only coordinators change the default evaluation questions."):
        evaluation.question_delete(actor=local_admin, question=default)
    evaluation.questions_customize(actor=local_admin, workshop=workshop)  # their territory: allowed


def test_the_last_question_cannot_be_deleted():
    coordinator = CoordinatorFactory()
    workshop = WorkshopFactory()
    only = Question.objects.create(workshop=workshop, kind="scale", text="Seule")
    with refused(ValidationError, "An evaluation needs at least one question."):
        evaluation.question_delete(actor=coordinator, question=only)


def test_the_editor_pages():
    coordinator = CoordinatorFactory()
    workshop = WorkshopFactory()
    client = english_client(coordinator)
    url = reverse("workshops:questions", args=[workshop.pk])
    page = soup(client.get(url))
    assert "This workshop uses the default questions" in text_of(page)
    assert client.post(url, {"action": "customize"}).status_code == 302
    own = evaluation.questions_for(workshop)
    assert own[0].workshop_id == workshop.pk
    response = client.post(url, {"action": "add", "new-kind": "choice", "new-text": "Format ?",
                                 "new-choices": "Seule"})
    assert response.status_code == 400
    assert "Give at least two options, one per line." in text_of(soup(response))
    assert client.post(url, {"action": "add", "new-kind": "text", "new-text": "Un mot ?"}).status_code == 302
    added = evaluation.questions_for(workshop)[-1]
    assert client.get(f"{url}?edit={added.pk}").status_code == 200
    assert client.post(url, {"action": "edit", "question": added.pk, "edit-kind": "text",
                             "edit-text": "Un dernier mot ?"}).status_code == 302
    assert client.post(url, {"action": "up", "question": added.pk}).status_code == 302
    assert [q.text for q in evaluation.questions_for(workshop)][-2] == "Un dernier mot ?"
    assert client.post(url, {"action": "delete", "question": added.pk}).status_code == 302
    # A question with answers: its kind and options cannot be changed from the form.
    session = past_session(workshop=workshop)
    pace = next(q for q in evaluation.questions_for(workshop) if q.kind == "choice")
    respond(session, {pace: pace.options[0]})
    page = soup(client.get(f"{url}?edit={pace.pk}"))
    assert page.select_one("#id_edit-choices").has_attr("disabled")
    assert client.post(url, {"action": "edit", "question": pace.pk, "edit-kind": "text", "edit-choices": "A\nB",
                             "edit-text": "Le rythme ?"}).status_code == 302
    pace.refresh_from_db()
    assert (pace.kind, pace.text, pace.options) == ("choice", "Le rythme ?", ["Trop lent", "Adapté", "Trop rapide"])
    assert client.post(url, {"action": "reset"}).status_code == 302
    assert evaluation.has_own_questions(workshop)  # refused: some have answers
    Answer.objects.all().delete()
    assert client.post(url, {"action": "delete", "question": evaluation.questions_for(None)[0].pk}).status_code == 404
    assert client.post(url, {"action": "reset"}).status_code == 302
    assert not evaluation.has_own_questions(workshop)
    # The default set: coordinators only.
    default_url = reverse("workshops:default-questions")
    assert client.get(default_url).status_code == 200
    assert english_client(UserFactory()).get(default_url).status_code == 403
    assert english_client(UserFactory()).get(url).status_code == 403


# --- The overview -------------------------------------------------------------------------


def test_the_overview_figures():
    alice, bruno = UserFactory(display_name="Alice"), UserFactory(display_name="Bruno")
    tablet, mail_workshop = WorkshopFactory(title="Tablette"), WorkshopFactory(title="Courriel")
    first = past_session(days=3, workshop=tablet, animators=[alice])
    second = past_session(days=2, workshop=tablet, animators=[alice, bruno])
    third = past_session(days=1, workshop=mail_workshop, animators=[bruno])
    for session, count in ((first, 2), (second, 4), (third, 1)):
        for _index in range(count):
            attended(session)
    satisfaction = evaluation.questions_for(None)[0]
    clarity = evaluation.questions_for(None)[1]
    respond(first, {satisfaction: 5, clarity: 1})
    respond(first, {satisfaction: 4})
    respond(second, {satisfaction: 2, clarity: 5})
    own = Question.objects.create(workshop=mail_workshop, kind="scale", text="Utile ?", order=5)
    respond(third, {own: 3, satisfaction: 1})  # its own set comes first
    workshops, animators = evaluation.overview(sessions=Session.objects.all())
    assert [(r.label, r.sessions, r.attendees, r.responses, r.rate, r.average) for r in workshops] == [
        ("Courriel", 1, 1, 1, 100, Decimal("3.0")),
        ("Tablette", 2, 6, 3, 50, Decimal("3.7")),  # (5 + 4 + 2) / 3
    ]
    assert [(r.label, r.sessions, r.attendees, r.responses, r.rate, r.average) for r in animators] == [
        ("Alice", 2, 6, 3, 50, Decimal("3.7")),
        ("Bruno", 2, 5, 2, 40, Decimal("2.5")),  # second's 2 and third's 3
    ]


def test_the_overview_page_is_for_managers():
    url = reverse("workshops:results-overview")
    assert english_client(UserFactory()).get(url).status_code == 403
    assert english_client(CoordinatorFactory()).get(url).status_code == 200


def test_a_local_admin_overview_is_their_territory():
    lot, tarn = TerritoryFactory(name="Lot"), TerritoryFactory(name="Tarn")
    attended(past_session(workshop=WorkshopFactory(title="Atelier du Lot", territory=lot)))
    attended(past_session(workshop=WorkshopFactory(title="Atelier du Tarn", territory=tarn)))
    text = text_of(soup(english_client(UserFactory(referent_of=[lot])).get(reverse("workshops:results-overview"))))
    assert "Atelier du Lot" in text and "Atelier du Tarn" not in text


# --- Query counts -------------------------------------------------------------------------


def test_results_page_queries_are_flat(hosted):
    client = english_client(CoordinatorFactory())
    question, comment = hosted["question"], hosted["comment"]
    workshop = hosted["workshop"]

    def grow(factor):
        for index in range(factor):
            session = past_session(days=4 + index, workshop=workshop, animators=[UserFactory()])
            for score in (1, 3, 5):
                respond(session, {question: score, comment: f"Texte {index}-{score}"})

    queries, page = queries_flat(client, results_url(hosted), grow)
    assert queries == 11
    assert "30 responses" in text_of(page)


def test_overview_page_queries_are_flat():
    client = english_client(CoordinatorFactory())
    question = evaluation.questions_for(None)[0]

    def grow(factor):
        for _index in range(factor):
            session = past_session(workshop=WorkshopFactory(), animators=[UserFactory()])
            attended(session)
            respond(session, {question: 4})

    queries, page = queries_flat(client, reverse("workshops:results-overview"), grow)
    assert queries == 9
    assert len(page.select(".evaluation-overview tbody tr")) == 20


def test_measure_the_form_page(hosted):
    registration = hosted["people"][0]
    queries, _page = measure_queries(english_client(registration.user),
                                     reverse("workshops:evaluate", args=[hosted["session"].pk]))
    assert queries <= 20
