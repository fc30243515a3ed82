"""(being written)"""

from django.http import Http404


def event_create(request, *args, **kwargs):
    raise Http404


def event_detail(request, *args, **kwargs):
    raise Http404


def event_edit(request, *args, **kwargs):
    raise Http404


def event_cancel(request, *args, **kwargs):
    raise Http404


def event_delete(request, *args, **kwargs):
    raise Http404


def event_attachment(request, *args, **kwargs):
    raise Http404

