"""Shared reports: the links, and the read-only page."""

from django.http import HttpResponse


def share_list(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def share_create(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def share_revoke(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def shared_report(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def shared_csv(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def shared_xlsx(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)
