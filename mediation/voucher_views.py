"""Vouchers: home, issue, list, one voucher, card, QR, cancel, erase."""

from django.http import HttpResponse


def index(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def issue(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def voucher_list(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def voucher_list_csv(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def voucher_detail(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def card(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def qr_svg(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def cancel(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)


def erase(request, *args, **kwargs):  # stub: replaced by its slice
    return HttpResponse(status=501)
