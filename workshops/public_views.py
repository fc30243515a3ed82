"""Public views under /ateliers/. (stub: being written)"""

from django.http import Http404


def agenda(request, *args, **kwargs):
    raise Http404


def rss_feed(request, *args, **kwargs):
    raise Http404


def ics_feed(request, *args, **kwargs):
    raise Http404


def workshop_page(request, *args, **kwargs):
    raise Http404


def workshop_redirect(request, *args, **kwargs):
    raise Http404


def register(request, *args, **kwargs):
    raise Http404


def session_ics(request, *args, **kwargs):
    raise Http404


def registration_page(request, *args, **kwargs):
    raise Http404
