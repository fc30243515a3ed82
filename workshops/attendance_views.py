"""Desk views of the attendance sheet. (stub: being written)"""

from django.http import Http404


def sheet(request, *args, **kwargs):
    raise Http404


def sheet_print(request, *args, **kwargs):
    raise Http404
