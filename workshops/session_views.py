"""Desk views scheduling sessions: create, edit, cancel. (stub: being written)"""

from django.http import Http404


def session_create(request, *args, **kwargs):
    raise Http404


def session_edit(request, *args, **kwargs):
    raise Http404


def session_cancel(request, *args, **kwargs):
    raise Http404
