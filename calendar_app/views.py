"""(being written)"""

from django.http import Http404


def agenda_home(request, *args, **kwargs):
    raise Http404


def month(request, *args, **kwargs):
    raise Http404


def week(request, *args, **kwargs):
    raise Http404


def agenda_list(request, *args, **kwargs):
    raise Http404


def calendar_list(request, *args, **kwargs):
    raise Http404


def calendar_detail(request, *args, **kwargs):
    raise Http404


def calendar_toggle(request, *args, **kwargs):
    raise Http404


def space_calendar(request, *args, **kwargs):
    raise Http404

