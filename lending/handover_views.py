"""Stub: handover_views (written by its slice)."""

from django.http import HttpRequest, HttpResponse


def hand_over(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def take_back(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def damage_photo(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def item_history(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def venue_history(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)
