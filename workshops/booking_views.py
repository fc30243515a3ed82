"""Desk views of a session and its registrations. (stub: being written)"""

from django.http import Http404


def session_detail(request, *args, **kwargs):
    raise Http404


def register(request, *args, **kwargs):
    raise Http404


def unregister(request, *args, **kwargs):
    raise Http404


def offer_answer(request, *args, **kwargs):
    raise Http404


def registrations(request, *args, **kwargs):
    raise Http404


def registrations_csv(request, *args, **kwargs):
    raise Http404


def register_on_site(request, *args, **kwargs):
    raise Http404


def registration_cancel(request, *args, **kwargs):
    raise Http404
