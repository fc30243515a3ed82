"""(being written)"""

from django.http import Http404


def event_answer(request, *args, **kwargs):
    raise Http404


def event_invite(request, *args, **kwargs):
    raise Http404


def event_answers(request, *args, **kwargs):
    raise Http404


def event_answers_csv(request, *args, **kwargs):
    raise Http404

