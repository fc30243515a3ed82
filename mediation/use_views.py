"""Using a voucher: enter or scan the code, record a module, a venue's vouchers."""

from django.http import HttpResponse


def enter_code(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def by_code(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def record_module(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def venue_vouchers(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)
