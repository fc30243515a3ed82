"""Statements per venue and period, paid; the closing statement."""

from django.http import HttpResponse


def settlement_list(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def settlement_create(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def settlement_detail(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def settlement_csv(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def settlement_paid(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def closing(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def closing_csv(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)
