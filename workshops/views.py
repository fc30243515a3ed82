"""Desk views of workshops: index, catalogue, proposals, a workshop, its lifecycle. (stub: being written)"""

from django.http import Http404


def index(request, *args, **kwargs):
    raise Http404


def catalogue(request, *args, **kwargs):
    raise Http404


def propose(request, *args, **kwargs):
    raise Http404


def proposals(request, *args, **kwargs):
    raise Http404


def workshop_detail(request, *args, **kwargs):
    raise Http404


def workshop_edit(request, *args, **kwargs):
    raise Http404


def workshop_accept(request, *args, **kwargs):
    raise Http404


def workshop_refuse(request, *args, **kwargs):
    raise Http404


def workshop_cancel(request, *args, **kwargs):
    raise Http404


def workshop_close(request, *args, **kwargs):
    raise Http404
