"""Evaluation forms, questions and results. (stub: being written)"""

from django.http import Http404


def evaluate(request, *args, **kwargs):
    raise Http404


def evaluate_by_token(request, *args, **kwargs):
    raise Http404


def questions(request, *args, **kwargs):
    raise Http404


def default_questions(request, *args, **kwargs):
    raise Http404


def workshop_results(request, *args, **kwargs):
    raise Http404


def results_overview(request, *args, **kwargs):
    raise Http404
