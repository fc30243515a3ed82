"""Stubs of the spine: the slice that owns resources/public_views.py replaces them."""

from django.http import HttpResponse


def library(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_file_download(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_file_thumbnail(request, *args, **kwargs):
    return HttpResponse(status=501)
