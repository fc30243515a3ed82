"""Desk views of the demand for workshops. (stub: being written)"""

from django.http import Http404


def demand_list(request, *args, **kwargs):
    raise Http404


def demand_create(request, *args, **kwargs):
    raise Http404


def demand_detail(request, *args, **kwargs):
    raise Http404


def demand_vote(request, *args, **kwargs):
    raise Http404


def demand_status(request, *args, **kwargs):
    raise Http404
