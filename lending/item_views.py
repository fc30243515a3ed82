"""Stub: item_views (written by its slice)."""

from django.http import HttpRequest, HttpResponse


def item_create(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def item_edit(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def item_repair(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def item_retire(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def kit_create(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def kit_edit(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def categories(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)
