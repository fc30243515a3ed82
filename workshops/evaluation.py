"""Evaluation after a session: who may answer, the answers (anonymous), the requests sent once
the session is over, the questions' editor and the results.

- Only the people who **attended** answer: a confirmed registration marked present at least
  once at one of the session's dates (pretix #1369: surveys only to attendees). Until the
  attendance is recorded nobody is asked, and an excused or a no-show person never is.
- Answers are **anonymous**: an `EvaluationResponse` holds the session and the day only;
  `EvaluationDone` records that a registration answered (so it answers once), never which
  response is theirs. Results are counts, averages and free texts without a name or a date
  finer than the month. A session's hosts see results only from `ANONYMITY_MIN` responses;
  the managers always.
- Questions: a workshop's own, else the default set (`workshop` null). A question that
  already has answers cannot be deleted, and only its wording (and whether it is required)
  changes, so that its figures keep their meaning.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.notifications import register_verb
from core.permissions import ALLOWED, conflict, refused
from core.services import absolute_url
from workshops import permissions
from workshops.models import (
    DEFAULT_TZ,
    Answer,
    Attendance,
    EvaluationDone,
    EvaluationResponse,
    Question,
    Registration,
    Session,
    Workshop,
)

if TYPE_CHECKING:
    from core.permissions import AnyUser, Decision
    from members.models import User

register_verb("workshops.evaluation_request", gettext_lazy("What did you think of {target}? Tell us in two minutes"))

# A session's hosts see its results only from this many responses (anonymity).
ANONYMITY_MIN = 3
# Sessions that ended longer ago than this are not evaluated any more (never asked).
REQUEST_WINDOW = timedelta(days=30)
TEXT_MAX = 5000
QUESTION_TEXT_MAX = 300
OPTION_MAX = 120
OPTIONS_MAX = 10
SCORES = (1, 2, 3, 4, 5)
# The CSS width classes of the bars go by steps of 5 %.
STEP = 5


def field_name(question: Question) -> str:
    """The form field (and the service error key) of a question's answer."""
    return f"q_{question.pk}"


# --- Questions -----------------------------------------------------------------------------


def questions_for(workshop: Workshop | None) -> list[Question]:
    """The workshop's own questions, else the default set, in their order (one query)."""
    if workshop is None:
        return list(Question.objects.filter(workshop__isnull=True).order_by("order", "pk"))
    rows = list(Question.objects.filter(Q(workshop=workshop) | Q(workshop__isnull=True)).order_by("order", "pk"))
    own = [question for question in rows if question.workshop_id == workshop.pk]
    return own or [question for question in rows if question.workshop_id is None]


def has_own_questions(workshop: Workshop) -> bool:
    return Question.objects.filter(workshop=workshop).exists()


# --- Who answers ---------------------------------------------------------------------------


def _present(registration_ref: Any) -> Exists:
    return Exists(Attendance.objects.filter(registration=registration_ref, status=Attendance.Status.PRESENT))


def attendance_recorded(session: Session) -> bool:
    """Whether any attendance was recorded for one of the session's dates."""
    return Attendance.objects.filter(date__session=session).exists()


def eligible_registrations(session: Session) -> QuerySet[Registration]:
    """The confirmed registrations of `session` marked present at least once (no attendance
    recorded: nobody yet), with what `messaging.tell` reads."""
    return (
        Registration.objects.filter(session=session, status=Registration.Status.CONFIRMED)
        .filter(_present(OuterRef("pk")))
        .select_related("user", "session", "session__workshop")
        .order_by("pk")
    )


def eligible(registration: Registration) -> bool:
    if registration.status != Registration.Status.CONFIRMED:
        return False
    return Attendance.objects.filter(registration=registration, status=Attendance.Status.PRESENT).exists()


def has_answered(registration: Registration) -> bool:
    return EvaluationDone.objects.filter(registration=registration).exists()


def can_answer(user: AnyUser, registration: Registration, *, by_token: bool = False) -> Decision:
    """`permissions.can_evaluate` and the attendance: the whole answer of "may this person
    answer now" (a conflict while the session is not over or its attendance not recorded)."""
    decision = permissions.can_evaluate(user, registration, by_token=by_token)
    if not decision:
        return decision
    if registration.session.is_cancelled:
        return conflict(_("This session is cancelled."))
    if eligible(registration):
        return decision
    if registration.status == Registration.Status.CONFIRMED and not attendance_recorded(registration.session):
        return conflict(_("The evaluation opens once the attendance of the session is recorded."))
    return refused(_("The evaluation is for the people who attended the session."))


def invitation_url(user: AnyUser, registration: Registration | None, *, by_token: bool = False) -> str | None:
    """The form's address when this person may answer now and has not yet (for a "Give my
    opinion" link on the session's page or the personal link's page), else None."""
    if registration is None or has_answered(registration):
        return None
    if not can_answer(user, registration, by_token=by_token):
        return None
    return reverse("ateliers:evaluate", args=[registration.token]) if by_token else evaluation_url(registration)


# --- Answering -----------------------------------------------------------------------------


def _clean_answers(questions: list[Question], answers: dict[Any, Any]) -> list[Answer]:
    """The Answer rows (unsaved, without response) of `answers` ({question pk or field name:
    value}); a ValidationError on every invalid answer at once."""
    by_pk = {question.pk: question for question in questions}
    values: dict[int, Any] = {}
    for key, value in answers.items():
        pk = key.pk if isinstance(key, Question) else key
        if isinstance(pk, str) and pk.startswith("q_"):
            pk = pk[2:]
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            pk = None
        if pk not in by_pk:
            raise ValidationError(_("This question is not part of this evaluation."), code="invalid")
        values[pk] = value
    errors: dict[str, list[str]] = {}
    rows: list[Answer] = []
    for question in questions:
        value = values.get(question.pk)
        text = "" if value is None else str(value).strip()
        name = field_name(question)
        if not text:
            if question.required:
                errors[name] = [_("Please answer this question.")]
            continue
        if question.kind == Question.Kind.SCALE:
            try:
                score = int(text)
            except ValueError:
                score = 0
            if score not in SCORES:
                errors[name] = [_("Choose a score from 1 to 5.")]
                continue
            rows.append(Answer(question=question, score=score))
        elif question.kind == Question.Kind.CHOICE:
            if text not in question.options:
                errors[name] = [_("Choose one of the options offered.")]
                continue
            rows.append(Answer(question=question, text=text))
        else:
            if len(text) > TEXT_MAX:
                errors[name] = [_("Write at most %(max)s characters.") % {"max": TEXT_MAX}]
                continue
            rows.append(Answer(question=question, text=text))
    if errors:
        raise ValidationError(errors, code="invalid")
    if not rows:
        raise ValidationError(_("Answer at least one question."), code="required")
    return rows


def evaluation_submit(*, actor: AnyUser, registration: Registration, answers: dict[Any, Any],
                      by_token: bool = False) -> EvaluationResponse:
    """Record the anonymous answers of an attendee (once per registration). `answers`:
    {question pk (or "q_<pk>"): value}; a scale's value is 1..5, a choice's one of the options,
    a text's at most 5,000 characters. Nothing is saved when anything is invalid."""
    can_answer(actor, registration, by_token=by_token).check()
    if has_answered(registration):
        raise ValidationError(_("You have already answered this evaluation. Thank you!"), code="done")
    session = registration.session
    rows = _clean_answers(questions_for(session.workshop), answers)
    with transaction.atomic():
        # First, so that two parallel submissions make one: the second breaks the unique
        # constraint and saves nothing.
        try:
            with transaction.atomic():
                EvaluationDone.objects.create(registration=registration)
        except IntegrityError:
            raise ValidationError(_("You have already answered this evaluation. Thank you!"), code="done") from None
        response = EvaluationResponse.objects.create(session=session, submitted_on=timezone.localdate())
        for row in rows:
            row.response = response
        Answer.objects.bulk_create(rows)
    return response


# --- Requests after the session ------------------------------------------------------------


def evaluation_url(registration: Registration) -> str:
    """Where this person answers: the desk for a member, the personal link for a visitor."""
    if registration.user_id is not None:
        return reverse("workshops:evaluate", args=[registration.session_id])
    return reverse("ateliers:evaluate", args=[registration.token])


def _tell(registration: Registration) -> None:
    from workshops import messaging

    messaging.tell(
        registration, verb="workshops.evaluation_request",
        subject=_("Your opinion on “%(title)s”") % {"title": registration.session.workshop.title},
        template="workshops/email/evaluation_request.txt",
        url=reverse("workshops:evaluate", args=[registration.session_id]),
        context={"evaluation_link": absolute_url(evaluation_url(registration))},
    )


def requests_send(*, now: datetime | None = None) -> int:
    """Ask the attendees of the sessions that ended (and whose attendance is recorded) what
    they thought. Each session is claimed by a conditional UPDATE of `evaluation_sent_at`
    before anyone is told: never twice, even for two runs at once. Sessions that ended more
    than 30 days ago are marked without telling. Returns how many people were asked."""
    now = now or timezone.now()
    oldest = now - REQUEST_WINDOW
    pending = Session.objects.filter(end__lte=now, evaluation_sent_at__isnull=True)
    # Too old: never asked (marked so that they leave this query).
    pending.filter(end__lt=oldest).update(evaluation_sent_at=now)
    due = list(
        pending.filter(end__gte=oldest)
        .exclude(status=Session.Status.CANCELLED)
        .exclude(workshop__status=Workshop.Status.CANCELLED)
        .filter(Exists(Attendance.objects.filter(date__session=OuterRef("pk"))))
        .order_by("end", "pk")
        .values_list("pk", flat=True)
    )
    told = 0
    for pk in due:
        with transaction.atomic():
            claimed = Session.objects.filter(pk=pk, evaluation_sent_at__isnull=True).update(evaluation_sent_at=now)
            if not claimed:
                continue  # another run took it
            for registration in eligible_registrations(Session(pk=pk)).exclude(
                    Exists(EvaluationDone.objects.filter(registration=OuterRef("pk")))):
                if registration.user_id is None and not registration.email:
                    continue  # registered at the venue without an e-mail: nobody to write to
                _tell(registration)
                told += 1
    return told


# --- The question editor -------------------------------------------------------------------


def _check_edit(actor: AnyUser, workshop: Workshop | None) -> None:
    permissions.can_edit_questions(actor, workshop).check()


def _own_set(workshop: Workshop | None) -> list[Question]:
    queryset = Question.objects.filter(workshop__isnull=True) if workshop is None else workshop.questions.all()
    return list(queryset.order_by("order", "pk"))


def _clean_question(*, kind: str, text: str, choices: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    if kind not in Question.Kind.values:
        errors["kind"] = [_("Choose the kind of question.")]
    if not text:
        errors["text"] = [_("Write the question.")]
    elif len(text) > QUESTION_TEXT_MAX:
        errors["text"] = [_("Write at most %(max)s characters.") % {"max": QUESTION_TEXT_MAX}]
    options: list[str] = []
    for line in (choices or "").splitlines():
        line = line.strip()
        if line and line not in options:
            options.append(line)
    if kind == Question.Kind.CHOICE:
        if len(options) < 2:
            errors["choices"] = [_("Give at least two options, one per line.")]
        elif len(options) > OPTIONS_MAX:
            errors["choices"] = [_("Give at most %(max)s options.") % {"max": OPTIONS_MAX}]
        elif any(len(option) > OPTION_MAX for option in options):
            errors["choices"] = [_("Each option has at most %(max)s characters.") % {"max": OPTION_MAX}]
    else:
        options = []
    if errors:
        raise ValidationError(errors, code="invalid")
    return kind, text, "\n".join(options)


def questions_customize(*, actor: User, workshop: Workshop) -> list[Question]:
    """Give the workshop its own questions: a copy of the default set, to change."""
    _check_edit(actor, workshop)
    with transaction.atomic():
        if has_own_questions(workshop):
            raise ValidationError(_("This workshop already has its own questions."), code="invalid")
        copies = [
            Question(workshop=workshop, kind=question.kind, text=question.text, choices=question.choices,
                     required=question.required, order=index)
            for index, question in enumerate(questions_for(None))
        ]
        Question.objects.bulk_create(copies)
    return _own_set(workshop)


def questions_reset(*, actor: User, workshop: Workshop) -> None:
    """Back to the default set: the workshop's own questions are deleted (none may have answers)."""
    _check_edit(actor, workshop)
    with transaction.atomic():
        own = workshop.questions.all()
        if Answer.objects.filter(question__in=own).exists():
            raise ValidationError(
                _("Some of this workshop's questions already have answers: they are kept."), code="answered"
            )
        own.delete()


def question_create(*, actor: User, workshop: Workshop | None, kind: str, text: str, choices: str = "",
                    required: bool = False) -> Question:
    """Add a question at the end of the set (a workshop still on the default set gets its own
    copy first)."""
    _check_edit(actor, workshop)
    kind, text, choices = _clean_question(kind=kind, text=text, choices=choices)
    with transaction.atomic():
        if workshop is not None and not has_own_questions(workshop):
            questions_customize(actor=actor, workshop=workshop)
        current = _own_set(workshop)
        order = (max(question.order for question in current) + 1) if current else 0
        return Question.objects.create(workshop=workshop, kind=kind, text=text, choices=choices,
                                       required=bool(required), order=order)


def question_has_answers(question: Question) -> bool:
    return Answer.objects.filter(question=question).exists()


def question_update(*, actor: User, question: Question, kind: str, text: str, choices: str = "",
                    required: bool = False) -> Question:
    """Change a question. Once it has answers only its wording and `required` change."""
    _check_edit(actor, question.workshop)
    kind, text, choices = _clean_question(kind=kind, text=text, choices=choices)
    with transaction.atomic():
        if question_has_answers(question):
            if kind != question.kind:
                raise ValidationError({"kind": _("This question already has answers: its kind cannot change.")},
                                      code="answered")
            if choices != "\n".join(question.options):
                raise ValidationError(
                    {"choices": _("This question already has answers: its options cannot change.")}, code="answered"
                )
        question.kind, question.text, question.choices, question.required = kind, text, choices, bool(required)
        question.save(update_fields=["kind", "text", "choices", "required"])
    return question


def question_delete(*, actor: User, question: Question) -> None:
    _check_edit(actor, question.workshop)
    with transaction.atomic():
        if question_has_answers(question):
            raise ValidationError(
                _("This question already has answers: it cannot be deleted, only reworded."), code="answered"
            )
        siblings = _own_set(question.workshop)
        if len(siblings) <= 1:
            raise ValidationError(_("An evaluation needs at least one question."), code="invalid")
        question.delete()


def question_move(*, actor: User, question: Question, direction: str) -> None:
    """Move a question one place "up" or "down" in its set (the orders are renumbered)."""
    _check_edit(actor, question.workshop)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a question up or down."), code="invalid")
    with transaction.atomic():
        rows = _own_set(question.workshop)
        index = next((i for i, row in enumerate(rows) if row.pk == question.pk), None)
        if index is None:
            raise ValidationError(_("This question is not part of this evaluation."), code="invalid")
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
        for position, row in enumerate(rows):
            row.order = position
        Question.objects.bulk_update(rows, ["order"])


# --- Periods and filters -------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Dates included at both ends (None: unbounded)."""

    start: date | None = None
    end: date | None = None

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The aware moments [start, end) of the period, in Paris."""
        zone = ZoneInfo(DEFAULT_TZ)
        low = datetime.combine(self.start, time(), tzinfo=zone) if self.start else None
        high = datetime.combine(self.end + timedelta(days=1), time(), tzinfo=zone) if self.end else None
        return low, high


def month_period(year: int, month: int) -> Period:
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(date(year, month, 1), following - timedelta(days=1))


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(date(year, first, 1), month_period(year, first + 2).end)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def parse_period(value: str) -> Period | None:
    """"2026-11" (a month), "2026-Q4" (a quarter), "2026" (a year); "" → every date;
    None for anything else."""
    value = (value or "").strip()
    if not value:
        return Period()
    try:
        if len(value) == 4:
            return year_period(int(value))
        if len(value) == 7 and value[4:6] == "-Q" and value[6] in "1234":
            return quarter_period(int(value[:4]), int(value[6]))
        if len(value) == 7 and value[4] == "-":
            month = int(value[5:])
            if 1 <= month <= 12:
                return month_period(int(value[:4]), month)
    except ValueError:
        return None
    return None


def sessions_in(*, workshop: Workshop | None = None, animator: Any = None, period: Period | None = None,
                sessions: QuerySet[Session] | None = None) -> QuerySet[Session]:
    """Sessions (not cancelled) of `workshop`, led by `animator`, starting within `period`."""
    queryset = sessions if sessions is not None else Session.objects.all()
    queryset = queryset.exclude(status=Session.Status.CANCELLED)
    if workshop is not None:
        queryset = queryset.filter(workshop=workshop)
    if animator is not None:
        user_id = getattr(animator, "pk", animator)
        queryset = queryset.filter(
            Exists(Session.animators.through.objects.filter(session_id=OuterRef("pk"), user_id=user_id))
        )
    if period is not None:
        low, high = period.bounds()
        if low is not None:
            queryset = queryset.filter(start__gte=low)
        if high is not None:
            queryset = queryset.filter(start__lt=high)
    return queryset


def responses_for(**filters: Any) -> QuerySet[EvaluationResponse]:
    """The responses of the sessions `sessions_in(**filters)` picks."""
    return EvaluationResponse.objects.filter(session__in=sessions_in(**filters).values("pk"))


# --- Results -------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    count: int
    percent: int  # of the answers to the question, rounded
    step: int  # `percent` rounded to a step of 5 (the CSS width class)


@dataclass
class QuestionResult:
    question: Question
    count: int = 0  # answers
    average: Decimal | None = None  # scale only, one decimal
    distribution: list[int] = field(default_factory=list)  # scale: counts of 1..5
    options: list[tuple[str, int]] = field(default_factory=list)  # choice: (option, count)
    texts: list[tuple[date, str]] = field(default_factory=list)  # text: (first day of the month, text)
    bars: list[Bar] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.question.kind


def _bars(pairs: list[tuple[str, int]], total: int) -> list[Bar]:
    bars = []
    for label, count in pairs:
        percent = round(100 * count / total) if total else 0
        bars.append(Bar(label=label, count=count, percent=percent, step=STEP * round(percent / STEP)))
    return bars


def average_of(distribution: list[int]) -> Decimal | None:
    count = sum(distribution)
    if not count:
        return None
    total = sum(score * n for score, n in zip(SCORES, distribution, strict=True))
    return (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def results(responses: QuerySet[EvaluationResponse], questions: list[Question] | None = None) -> list[QuestionResult]:
    """The figures of `responses`, per question: `questions` first (shown even unanswered),
    then every other question answered in the set. Two queries, whatever the number of
    responses."""
    answers = Answer.objects.filter(response__in=responses.values("pk"))
    shown = list(questions or [])
    known = {question.pk for question in shown}
    shown.extend(
        Question.objects.filter(Exists(answers.filter(question=OuterRef("pk"))))
        .exclude(pk__in=known)
        .order_by("workshop_id", "order", "pk")
    )
    by_pk = {question.pk: QuestionResult(question=question) for question in shown}
    for row in by_pk.values():
        if row.kind == Question.Kind.SCALE:
            row.distribution = [0] * len(SCORES)
    counted: dict[int, dict[str, int]] = defaultdict(dict)
    texts: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for question_id, kind, score, text, day, number in (
        answers.values_list("question_id", "question__kind", "score", "text", "response__submitted_on")
        .annotate(number=Count("pk"))
        .order_by()
    ):
        result = by_pk.get(question_id)
        if result is None:
            continue
        if kind == Question.Kind.SCALE:
            if score in SCORES:
                result.distribution[score - 1] += number
        elif kind == Question.Kind.CHOICE:
            counted[question_id][text] = counted[question_id].get(text, 0) + number
        elif text:
            texts[question_id].extend([(day.replace(day=1), text)] * number)
    for result in by_pk.values():
        if result.kind == Question.Kind.SCALE:
            result.count = sum(result.distribution)
            result.average = average_of(result.distribution)
            result.bars = _bars([(str(score), n) for score, n in zip(SCORES, result.distribution, strict=True)],
                                result.count)
        elif result.kind == Question.Kind.CHOICE:
            found = counted.get(result.question.pk, {})
            result.options = [(option, found.get(option, 0)) for option in result.question.options]
            # Options removed since (kept for the figures), after the current ones.
            result.options += sorted((text, n) for text, n in found.items() if text not in result.question.options)
            result.count = sum(n for _text, n in result.options)
            result.bars = _bars(result.options, result.count)
        else:
            # Newest month first; within a month, in alphabetical order (never the order of
            # submission, which could be matched with who answered when).
            result.texts = sorted(texts.get(result.question.pk, []), key=lambda item: (-item[0].toordinal(), item[1]))
            result.count = len(result.texts)
    return [by_pk[question.pk] for question in shown]


def response_counts(session_ids: list[int]) -> dict[int, int]:
    """{session pk: its number of responses} (one query)."""
    return dict(
        EvaluationResponse.objects.filter(session_id__in=session_ids)
        .values("session_id").annotate(n=Count("pk")).values_list("session_id", "n").order_by()
    )


def hidden() -> Decision:
    return conflict(_("The results are shown from 3 responses, to preserve anonymity."))


def results_visible(user: AnyUser, workshop: Workshop, sessions: list[Session], count: int) -> Decision:
    """Whether `user` may read results over `sessions` of `workshop` (`count` responses):
    managers always; a host when they host every one of them and the set holds at least
    ANONYMITY_MIN responses."""
    if permissions.is_manager(user, workshop) or not sessions:
        return permissions.can_view_results(user, workshop)
    for session in sessions:
        decision = permissions.can_view_results(user, workshop, session)
        if not decision:
            return decision
    if count < ANONYMITY_MIN:
        return hidden()
    return ALLOWED


# --- The overview (per workshop, per animator) ---------------------------------------------


@dataclass
class OverviewRow:
    label: str
    url: str = ""
    sessions: int = 0
    attendees: int = 0
    responses: int = 0
    score_count: int = 0
    score_total: int = 0
    # An animator's row: the results of each workshop they led, filtered on them.
    links: dict[int, tuple[str, str]] = field(default_factory=dict)

    @property
    def rate(self) -> int | None:
        """Responses per attendee, in percent."""
        return round(100 * self.responses / self.attendees) if self.attendees else None

    @property
    def average(self) -> Decimal | None:
        if not self.score_count:
            return None
        return (Decimal(self.score_total) / Decimal(self.score_count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _first_scale(candidates: list[tuple[int | None, int, int]], workshop_id: int) -> int | None:
    """The first scale question of a workshop among the answered ones (question workshop,
    order, pk): its own first, else the default set's."""
    own = [item for item in candidates if item[0] == workshop_id]
    pool = own or [item for item in candidates if item[0] is None]
    if not pool:
        return None
    return min(pool, key=lambda item: (item[1], item[2]))[2]


def overview(*, sessions: QuerySet[Session],
             now: datetime | None = None) -> tuple[list[OverviewRow], list[OverviewRow]]:
    """(rows per workshop, rows per animator) over the sessions that ended among `sessions`:
    sessions held, attendees (present at least once), responses, response rate and the average
    of the first scale question. Five queries, whatever the data."""
    now = now or timezone.now()
    held = sessions.exclude(status=Session.Status.CANCELLED).filter(end__lte=now)
    ids = held.values("pk")
    session_rows = list(held.values_list("pk", "workshop_id", "workshop__title").order_by())
    led = list(
        Session.animators.through.objects.filter(session_id__in=ids)
        .values_list("session_id", "user_id", "user__display_name")
    )
    attendees = dict(
        Registration.objects.filter(session_id__in=ids, status=Registration.Status.CONFIRMED)
        .filter(_present(OuterRef("pk")))
        .values("session_id").annotate(n=Count("pk")).values_list("session_id", "n").order_by()
    )
    responses = dict(
        EvaluationResponse.objects.filter(session_id__in=ids)
        .values("session_id").annotate(n=Count("pk")).values_list("session_id", "n").order_by()
    )
    scores = list(
        Answer.objects.filter(response__session_id__in=ids, question__kind=Question.Kind.SCALE, score__isnull=False)
        .values("response__session_id", "question_id", "question__workshop_id", "question__order")
        .annotate(n=Count("pk"), total=Sum("score"))
        .values_list("response__session_id", "question_id", "question__workshop_id", "question__order", "n", "total")
        .order_by()
    )
    workshop_of = {pk: workshop_id for pk, workshop_id, _title in session_rows}
    title_of = {workshop_id: title for _pk, workshop_id, title in session_rows}
    candidates: dict[int, set[tuple[int | None, int, int]]] = defaultdict(set)
    for session_id, question_id, question_workshop, order, _n, _total in scores:
        candidates[workshop_of[session_id]].add((question_workshop, order, question_id))
    first = {workshop_id: _first_scale(list(items), workshop_id) for workshop_id, items in candidates.items()}
    session_scores: dict[int, tuple[int, int]] = {}
    for session_id, question_id, _qw, _order, number, total in scores:
        if first.get(workshop_of[session_id]) == question_id:
            count, summed = session_scores.get(session_id, (0, 0))
            session_scores[session_id] = (count + number, summed + (total or 0))

    def add(row: OverviewRow, session_id: int) -> None:
        row.sessions += 1
        row.attendees += attendees.get(session_id, 0)
        row.responses += responses.get(session_id, 0)
        count, summed = session_scores.get(session_id, (0, 0))
        row.score_count += count
        row.score_total += summed

    by_workshop: dict[int, OverviewRow] = {}
    for pk, workshop_id, title in session_rows:
        row = by_workshop.setdefault(workshop_id, OverviewRow(label=title,
                                                              url=reverse("workshops:results", args=[workshop_id])))
        add(row, pk)
    by_animator: dict[int, OverviewRow] = {}
    for session_id, user_id, name in led:
        row = by_animator.setdefault(user_id, OverviewRow(label=name))
        workshop_id = workshop_of[session_id]
        add(row, session_id)
        row.links.setdefault(workshop_id, (title_of[workshop_id],
                                           f"{reverse('workshops:results', args=[workshop_id])}?animator={user_id}"))
    key = lambda row: (row.label.casefold(), row.url)  # noqa: E731
    return sorted(by_workshop.values(), key=key), sorted(by_animator.values(), key=key)
