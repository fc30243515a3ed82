"""Stub: reservation_views (written by its slice)."""

from django.http import HttpRequest, HttpResponse


def reserve_item(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def reserve_kit(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def my_reservations(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def requests(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def reservation_detail(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def approve(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def refuse(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def cancel(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def renew(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def offer_answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)
