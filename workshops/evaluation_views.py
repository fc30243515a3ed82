"""The evaluation's pages: the attendee's form (the member's on the desk, the visitor's
through their personal link), the questions' editor (a workshop's, the default set) and the
results (per workshop, with a period, an animator or a session; the overview per workshop and
per animator). 404 for who may not see, 403 with the reason for who sees but may not act."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors, posted
from core.permissions import ALLOWED, Conflict
from workshops import evaluation, permissions, selectors
from workshops.evaluation_forms import EvaluationForm, QuestionForm, ResultsFilterForm
from workshops.models import Answer, EvaluationResponse, Question, Registration, Session, Workshop

PER_PAGE = 50


# --- Answering -----------------------------------------------------------------------------


def _answer(request: HttpRequest, registration: Registration, *, by_token: bool, base: str,
            here: str) -> HttpResponse:
    session = registration.session
    context: dict[str, Any] = {"registration": registration, "session": session, "workshop": session.workshop,
                               "base_template": base, "by_token": by_token}
    if evaluation.has_answered(registration):
        context["state"] = "thanks" if request.GET.get("merci") else "done"
        return render(request, "workshops/evaluation_status.html", context)
    decision = evaluation.can_answer(request.user, registration, by_token=by_token)
    if not decision:
        context.update(state="closed" if isinstance(decision, Conflict) else "refused", reason=decision.reason)
        return render(request, "workshops/evaluation_status.html", context,
                      status=200 if isinstance(decision, Conflict) else 403)
    form = EvaluationForm(posted(request), questions=evaluation.questions_for(session.workshop))
    if form.is_bound and form.is_valid():
        try:
            evaluation.evaluation_submit(actor=request.user, registration=registration,
                                         answers=form.cleaned_data, by_token=by_token)
        except ValidationError as error:
            if getattr(error, "code", None) == "done":
                return redirect(here)
            add_service_errors(form, error)
        else:
            return redirect(f"{here}?merci=1")
    context["form"] = form
    return render(request, "workshops/evaluation_form.html", context)


@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """A member's form for a session they registered to."""
    session = selectors.session_get_for_user(request.user, pk)
    registration = selectors.own_registration(request.user, session)
    if registration is None:
        raise Http404
    registration.session = session
    return _answer(request, registration, by_token=False, base="desk_base.html",
                   here=reverse("workshops:evaluate", args=[session.pk]))


@require_http_methods(["GET", "POST"])
def evaluate_by_token(request: HttpRequest, token: str) -> HttpResponse:
    """A visitor's form, through their personal link."""
    registration = selectors.registration_get_by_token(token)
    return _answer(request, registration, by_token=True, base="base.html",
                   here=reverse("ateliers:evaluate", args=[token]))


# --- The questions' editor -----------------------------------------------------------------


def _question_or_404(request: HttpRequest, workshop: Workshop | None) -> Question:
    try:
        pk = int(request.POST.get("question") or request.GET.get("edit") or "")
    except ValueError:
        raise Http404 from None
    queryset = Question.objects.filter(workshop__isnull=True) if workshop is None else workshop.questions.all()
    question = queryset.filter(pk=pk).first()
    if question is None:
        raise Http404
    return question


def _editor(request: HttpRequest, workshop: Workshop | None) -> HttpResponse:
    decision = permissions.can_edit_questions(request.user, workshop)
    if not decision:
        raise PermissionDenied(decision.reason)
    here = reverse("workshops:questions", args=[workshop.pk]) if workshop else reverse("workshops:default-questions")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    add_form = QuestionForm(request.POST if action == "add" else None, prefix="new")
    edit_form = None
    editing = None
    if request.GET.get("edit") or action == "edit":
        editing = _question_or_404(request, workshop)
        edit_form = QuestionForm(request.POST if action == "edit" else None, prefix="edit",
                                 initial=QuestionForm.initial_for(editing))
        if evaluation.question_has_answers(editing):
            # Its figures keep their meaning: the wording only (and whether it is required).
            edit_form.fields["kind"].disabled = True
            edit_form.fields["choices"].disabled = True
    try:
        if action == "customize" and workshop is not None:
            evaluation.questions_customize(actor=request.user, workshop=workshop)
            messages.success(request, _("The workshop now has its own questions, copied from the default set."))
            return redirect(here)
        if action == "reset" and workshop is not None:
            evaluation.questions_reset(actor=request.user, workshop=workshop)
            messages.success(request, _("The workshop uses the default questions again."))
            return redirect(here)
        if action in ("up", "down"):
            evaluation.question_move(actor=request.user, question=_question_or_404(request, workshop),
                                     direction=action)
            return redirect(here)
        if action == "delete":
            evaluation.question_delete(actor=request.user, question=_question_or_404(request, workshop))
            messages.success(request, _("The question is deleted."))
            return redirect(here)
        if action == "add" and add_form.is_valid():
            try:
                evaluation.question_create(actor=request.user, workshop=workshop, **add_form.service_data())
            except ValidationError as error:
                add_service_errors(add_form, error)
            else:
                messages.success(request, _("The question is added."))
                return redirect(here)
        if action == "edit" and edit_form is not None and editing is not None and edit_form.is_valid():
            try:
                evaluation.question_update(actor=request.user, question=editing, **edit_form.service_data())
            except ValidationError as error:
                add_service_errors(edit_form, error)
            else:
                messages.success(request, _("The question is saved."))
                return redirect(here)
        if action and action not in ("add", "edit"):
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(here)
    own = workshop is None or evaluation.has_own_questions(workshop)
    current = evaluation.questions_for(workshop)
    answered = set(Answer.objects.filter(question__in=[q.pk for q in current])
                   .values_list("question_id", flat=True).distinct())
    rows = [{"question": question, "answered": question.pk in answered, "first": index == 0,
             "last": index == len(current) - 1} for index, question in enumerate(current)]
    return render(request, "workshops/evaluation_questions.html", {
        "workshop": workshop, "rows": rows, "own": own, "any_answered": bool(answered),
        "add_form": add_form, "edit_form": edit_form, "editing": editing,
        "editing_answered": editing is not None and editing.pk in answered,
        "here": here,
    }, status=400 if action in ("add", "edit") else 200)


@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest, pk: int) -> HttpResponse:
    """A workshop's questions (its managers)."""
    return _editor(request, selectors.workshop_get_for_user(request.user, pk))


@require_http_methods(["GET", "POST"])
def default_questions(request: HttpRequest) -> HttpResponse:
    """The default set (coordinators)."""
    return _editor(request, None)


# --- Results -------------------------------------------------------------------------------


def _session_label(session: Session) -> str:
    start = timezone.localtime(session.start)
    label = formats.date_format(start, "j F Y")
    if session.venue_id is not None:
        label = f"{label}, {session.venue.name}"
    return label


def _query_without_page(request: HttpRequest, name: str = "page") -> str:
    query = request.GET.copy()
    query.pop(name, None)
    return query.urlencode()


@require_http_methods(["GET"])
def workshop_results(request: HttpRequest, pk: int) -> HttpResponse:
    """A workshop's results: managers see every session; a host the sessions they host, from
    3 responses."""
    workshop = selectors.workshop_get_for_user(request.user, pk)
    sessions = list(
        Session.objects.filter(workshop=workshop).exclude(status=Session.Status.CANCELLED)
        .select_related("venue", "workshop").prefetch_related("animators").order_by("start", "pk")
    )
    manager = permissions.is_manager(request.user, workshop)
    if manager:
        allowed = sessions
    else:
        allowed = [session for session in sessions if permissions.can_view_results(request.user, workshop, session)]
        if not allowed:
            raise PermissionDenied(permissions.can_view_results(request.user, workshop).reason)
    animators: dict[int, str] = {}
    for session in allowed:
        for user in session.animators.all():
            animators[user.pk] = str(user)
    form = ResultsFilterForm(
        request.GET or None, today=timezone.localdate(),
        animators=sorted(animators.items(), key=lambda item: item[1].casefold()),
        sessions=[(session.pk, _session_label(session)) for session in allowed],
    )
    period = form.chosen_period() if form.is_bound else evaluation.Period()
    low, high = period.bounds()
    animator = form.value("animator") if form.is_bound else None
    only = form.value("session") if form.is_bound else None
    chosen = [
        session for session in allowed
        if (low is None or session.start >= low) and (high is None or session.start < high)
        and (animator is None or animator in {user.pk for user in session.animators.all()})
        and (only is None or session.pk == only)
    ]
    per_session = evaluation.response_counts([session.pk for session in chosen]) if chosen else {}
    left_out = 0
    if not manager:
        # A host reads only sessions of at least 3 responses: no set of theirs differs from
        # another by fewer than 3 responses (no single answer found by subtraction).
        kept = [session for session in chosen if per_session.get(session.pk, 0) >= evaluation.ANONYMITY_MIN]
        left_out = len(chosen) - len(kept)
        chosen = kept
    count = sum(per_session.get(session.pk, 0) for session in chosen)
    if chosen:
        decision = evaluation.results_visible(request.user, workshop, chosen, count)
    else:
        decision = evaluation.hidden() if left_out else ALLOWED
    responses = EvaluationResponse.objects.filter(session_id__in=[session.pk for session in chosen])
    figures = evaluation.results(responses, evaluation.questions_for(workshop)) if decision and count else []
    return render(request, "workshops/evaluation_results.html", {
        "workshop": workshop, "form": form, "count": count, "sessions_count": len(chosen), "left_out": left_out,
        "results": figures, "hidden_reason": "" if decision else decision.reason,
        "anonymity_min": evaluation.ANONYMITY_MIN,
    })


@require_http_methods(["GET"])
def results_overview(request: HttpRequest) -> HttpResponse:
    """Per workshop and per animator, over a period: the managers (coordinators: every workshop;
    local admins: their territories')."""
    if not permissions.can_manage_any(request.user):
        raise PermissionDenied(_("The overview of the evaluations is read by the coordination and the local admins."))
    territories = permissions.managed_territory_ids(request.user)
    scope = Session.objects.all()
    if territories is not None:
        scope = scope.filter(workshop__territory_id__in=territories)
    form = ResultsFilterForm(request.GET or None, today=timezone.localdate())
    period = form.chosen_period() if form.is_bound else evaluation.Period()
    by_workshop, by_animator = evaluation.overview(sessions=evaluation.sessions_in(period=period, sessions=scope))
    workshops_page = Paginator(by_workshop, PER_PAGE).get_page(request.GET.get("page"))
    animators_page = Paginator(by_animator, PER_PAGE).get_page(request.GET.get("apage"))
    return render(request, "workshops/evaluation_overview.html", {
        "form": form, "workshops_page": workshops_page, "animators_page": animators_page,
        "extra_query": _query_without_page(request), "animator_query": _query_without_page(request, "apage"),
        "can_edit_default": bool(permissions.can_edit_questions(request.user, None)),
    })

