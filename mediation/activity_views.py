"""Activity records."""

from django.http import HttpResponse


def record_list(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def record_create(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def export_csv(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def record_detail(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def record_edit(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def record_delete(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)
