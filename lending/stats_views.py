"""Stub: stats_views (written by its slice)."""

from django.http import HttpRequest, HttpResponse


def stats(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)


def stats_csv(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
    return HttpResponse("Not implemented", status=501)
