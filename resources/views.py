"""Stubs of the spine: the slice that owns resources/views.py replaces them."""

from django.http import HttpResponse


def py(request, *args, **kwargs):
    return HttpResponse(status=501)


def library(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_create(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_edit(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_publish(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_unpublish(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_delete(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_file_download(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_file_preview(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_file_thumbnail(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_rate(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_report(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_workshop_link(request, *args, **kwargs):
    return HttpResponse(status=501)


def resource_workshop_unlink(request, *args, **kwargs):
    return HttpResponse(status=501)


def reports(request, *args, **kwargs):
    return HttpResponse(status=501)


def report_handle(request, *args, **kwargs):
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
