"""Stubs of the spine: the slice that owns resources/collection_views.py replaces them."""

from django.http import HttpResponse


def py(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_save(request, *args, **kwargs):
    return HttpResponse(status=501)


def collection_list(request, *args, **kwargs):
    return HttpResponse(status=501)


def collection_create(request, *args, **kwargs):
    return HttpResponse(status=501)


def collection_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def collection_edit(request, *args, **kwargs):
    return HttpResponse(status=501)


def collection_delete(request, *args, **kwargs):
    return HttpResponse(status=501)


def collection_remove(request, *args, **kwargs):
    return HttpResponse(status=501)
