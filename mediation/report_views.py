"""Reports for funders."""

from django.http import HttpResponse


def report(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def export_csv(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def export_xlsx(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)
