"""Views of /bureau/fichiers/ (stubs of the spine: each slice replaces its own)."""

from django.http import HttpResponse


def index(request, *args, **kwargs):
    return HttpResponse(status=501)


def search(request, *args, **kwargs):
    return HttpResponse(status=501)


def space_drive(request, *args, **kwargs):
    return HttpResponse(status=501)


def personal(request, *args, **kwargs):
    return HttpResponse(status=501)


def personal_upload(request, *args, **kwargs):
    return HttpResponse(status=501)


def personal_folder_create(request, *args, **kwargs):
    return HttpResponse(status=501)


def folder(request, *args, **kwargs):
    return HttpResponse(status=501)


def upload(request, *args, **kwargs):
    return HttpResponse(status=501)


def folder_create(request, *args, **kwargs):
    return HttpResponse(status=501)


def folder_rename(request, *args, **kwargs):
    return HttpResponse(status=501)


def folder_move(request, *args, **kwargs):
    return HttpResponse(status=501)


def folder_trash(request, *args, **kwargs):
    return HttpResponse(status=501)


def file_detail(request, *args, **kwargs):
    return HttpResponse(status=501)


def file_download(request, *args, **kwargs):
    return HttpResponse(status=501)


def file_preview(request, *args, **kwargs):
    return HttpResponse(status=501)


def file_thumbnail(request, *args, **kwargs):
    return HttpResponse(status=501)


def file_rename(request, *args, **kwargs):
    return HttpResponse(status=501)


def file_move(request, *args, **kwargs):
    return HttpResponse(status=501)


def file_trash(request, *args, **kwargs):
    return HttpResponse(status=501)


def version_download(request, *args, **kwargs):
    return HttpResponse(status=501)


def version_restore(request, *args, **kwargs):
    return HttpResponse(status=501)


def trash(request, *args, **kwargs):
    return HttpResponse(status=501)


def trash_empty(request, *args, **kwargs):
    return HttpResponse(status=501)


def trash_restore_file(request, *args, **kwargs):
    return HttpResponse(status=501)


def trash_restore_folder(request, *args, **kwargs):
    return HttpResponse(status=501)


def trash_delete_file(request, *args, **kwargs):
    return HttpResponse(status=501)


def trash_delete_folder(request, *args, **kwargs):
    return HttpResponse(status=501)


def quota(request, *args, **kwargs):
    return HttpResponse(status=501)
