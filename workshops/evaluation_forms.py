"""The evaluation's forms: the attendee's answers, a question, the results' filters. They
parse what was typed; `workshops.evaluation` validates and decides."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workshops import evaluation
from workshops.models import Question


def scale_choices() -> list[tuple[str, str]]:
    return [
        ("1", _("1 (not at all)")), ("2", "2"), ("3", "3"), ("4", "4"), ("5", _("5 (completely)")),
    ]


class EvaluationForm(forms.Form):
    """One field per question (`q_<pk>`): a scale as radios 1..5, a choice as radios, a text
    as a text area."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            name = evaluation.field_name(question)
            if question.kind == Question.Kind.SCALE:
                self.fields[name] = forms.ChoiceField(
                    label=question.text, required=question.required, choices=scale_choices(),
                    widget=forms.RadioSelect(attrs={"class": "evaluation-scale"}),
                )
            elif question.kind == Question.Kind.CHOICE:
                self.fields[name] = forms.ChoiceField(
                    label=question.text, required=question.required,
                    choices=[(option, option) for option in question.options], widget=forms.RadioSelect,
                )
            else:
                self.fields[name] = forms.CharField(
                    label=question.text, required=question.required, max_length=evaluation.TEXT_MAX,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )

    def rows(self) -> list[tuple[Question, forms.BoundField]]:
        """(question, its field) in the questions' order, for the template."""
        return [(question, self[evaluation.field_name(question)]) for question in self.questions]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=Question.Kind.choices,
                             initial=Question.Kind.SCALE, widget=forms.RadioSelect)
    text = forms.CharField(label=pgettext_lazy("evaluation", "Question"), max_length=evaluation.QUESTION_TEXT_MAX)
    choices = forms.CharField(label=_("Options (for a choice), one per line"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        return {"kind": question.kind, "text": question.text, "choices": question.choices,
                "required": question.required}

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"kind": data["kind"], "text": data["text"], "choices": data.get("choices") or "",
                "required": bool(data.get("required"))}


QUARTERS = (
    _("First quarter %(year)s"), _("Second quarter %(year)s"), _("Third quarter %(year)s"),
    _("Fourth quarter %(year)s"),
)


def period_choices(today: date) -> list[tuple[str, Any]]:
    """Every date, then the last 12 months, the last 4 quarters and the last 3 years."""
    months = []
    year, month = today.year, today.month
    for _index in range(12):
        months.append((f"{year}-{month:02d}", formats.date_format(date(year, month, 1), "F Y")))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    quarters = []
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for _index in range(4):
        quarters.append((f"{year}-Q{quarter}", str(QUARTERS[quarter - 1]) % {"year": year}))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    years = [(str(today.year - index), str(today.year - index)) for index in range(3)]
    return [
        ("", _("Every date")),
        (_("Months"), months),
        (_("Quarters"), quarters),
        (_("Years"), years),
    ]


class ResultsFilterForm(forms.Form):
    """A period (a month, a quarter, a year, or from / to dates) and, on a workshop's page, an
    animator or a session."""

    period = forms.ChoiceField(label=pgettext_lazy("evaluation", "Period"), required=False)
    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    animator = forms.TypedChoiceField(label=pgettext_lazy("evaluation", "Animator"), required=False, coerce=int,
                                      empty_value=None)
    session = forms.TypedChoiceField(label=pgettext_lazy("evaluation", "Session"), required=False, coerce=int,
                                     empty_value=None)

    def __init__(self, *args: Any, today: date, animators: list[tuple[int, str]] | None = None,
                 sessions: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = period_choices(today)
        if animators is None:
            del self.fields["animator"]
        else:
            self.fields["animator"].choices = [("", _("Every animator")), *animators]
        if sessions is None:
            del self.fields["session"]
        else:
            self.fields["session"].choices = [("", _("Every session")), *sessions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end comes after the start."))
        return data

    def chosen_period(self) -> evaluation.Period:
        """The dates typed, else the period chosen, else every date (an invalid form: every date)."""
        if not self.is_valid():
            return evaluation.Period()
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start or end:
            return evaluation.Period(start, end)
        return evaluation.parse_period(self.cleaned_data.get("period") or "") or evaluation.Period()

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None
