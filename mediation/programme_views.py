"""Programmes and prescribing organisations."""

from django.http import HttpResponse


def programme_list(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def programme_create(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def programme_detail(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def programme_edit(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def modules_edit(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def organisation_list(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def organisation_create(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def organisation_detail(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def organisation_edit(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def seat_add(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def seat_remove(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)
