"""(being written)"""

from django.http import Http404


def public_agenda(request, *args, **kwargs):
    raise Http404


def public_event(request, *args, **kwargs):
    raise Http404

