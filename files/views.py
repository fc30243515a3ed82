"""Views of /bureau/fichiers/: thin, they parse input, call `files.selectors` and `files.services`, render.

Whatever a member may not read answers 404 (the selectors); what they read but may not change
answers 403 with the reason of `files.permissions` (a `Decision`). Uploads replace Django's upload
handlers (`files.uploadhandler.limit_uploads`), so those views are `csrf_exempt` outside and
`csrf_protect` inside, as Django asks when handlers change.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import spaces
from core.forms import add_service_errors, error_text, posted
from files import permissions, selectors, services
from files.forms import FolderForm, MoveForm, QuotaForm, RenameForm, SearchForm, UploadForm
from files.models import Drive, File, FileVersion, Folder
from files.serving import blob_response
from files.uploadhandler import limit_uploads, upload_too_large

FILES_PER_PAGE = 50
TRASH_PER_PAGE = 50

# --- Words for sizes, types and drives ----------------------------------------------------------


def size_text(size: int | None) -> str:
    """"300 octets", "12,5 Ko", "1,2 Go", "2 Go" (the services' words for sizes)."""
    return services.size_label(size or 0)


KINDS = (
    # (test on the content type, kind, words)
    (lambda t: t == "application/pdf", "pdf"),
    (lambda t: t.startswith("image/"), "image"),
    (lambda t: t.startswith("video/"), "video"),
    (lambda t: t.startswith("audio/"), "audio"),
    (lambda t: "spreadsheet" in t or "excel" in t or t == "text/csv", "sheet"),
    (lambda t: "presentation" in t or "powerpoint" in t, "slides"),
    (lambda t: "wordprocessing" in t or "msword" in t or "opendocument.text" in t, "document"),
    (lambda t: t.startswith("text/"), "text"),
    (lambda t: "zip" in t or "compressed" in t or "x-tar" in t or "x-7z" in t, "archive"),
)


def file_kind(content_type: str) -> str:
    content_type = (content_type or "").lower()
    for test, kind in KINDS:
        if test(content_type):
            return kind
    return "other"


def kind_words(kind: str) -> str:
    return {
        "pdf": _("PDF document"), "image": _("Image"), "video": _("Video"), "audio": _("Sound"),
        "sheet": _("Spreadsheet"), "slides": _("Presentation"), "document": _("Text document"),
        "text": _("Plain text"), "archive": _("Compressed archive"),
    }.get(kind, _("File"))


def kind_badge(kind: str) -> str:
    """The short word printed in a file's icon."""
    return {"pdf": "PDF", "image": "IMG", "video": "VID", "audio": "SON", "sheet": "TAB", "slides": "PRÉ",
            "document": "DOC", "text": "TXT", "archive": "ZIP"}.get(kind, "…")


def drive_label(drive: Drive) -> str:
    return _("My documents") if drive.owner_id else str(drive.space)


def _usage(drive: Drive) -> dict:
    quota = drive.quota_bytes
    used = drive.used
    return {
        "used": used, "quota": quota, "remaining": max(0, quota - used),
        "used_text": size_text(used), "quota_text": size_text(quota),
        "percent": min(100, round(used * 100 / quota)) if quota else 100,
        "full": used >= quota, "high": quota * 9 // 10,
    }


def _decorate(files) -> list[File]:
    for file in files:
        file.kind = file_kind(file.content_type)
        file.kind_text = kind_words(file.kind)
        file.badge = kind_badge(file.kind)
        file.size_text = size_text(file.size)
    return files


def _wants_json(request) -> bool:
    return ("application/json" in request.headers.get("Accept", "")
            or request.headers.get("X-Requested-With") == "XMLHttpRequest")


def _root(drive: Drive) -> Folder:
    return selectors.root_folder(drive)


def _not_root(folder: Folder) -> Folder:
    if folder.is_root:  # the root is the drive itself: nothing to rename, move or delete
        raise Http404
    return folder


def _folder_url(folder: Folder) -> str:
    if folder.is_root and folder.drive.owner_id:
        return reverse("fichiers:personal")
    return reverse("fichiers:folder", args=[folder.pk])


# --- My drives, search ----------------------------------------------------------------------------


@require_GET
def index(request):
    drives = selectors.drives_of(request.user)
    personal = next((d for d in drives if d.owner_id), None)
    rows = []
    for drive in drives:
        rows.append({"drive": drive, "label": drive_label(drive), "usage": _usage(drive),
                     "url": reverse("fichiers:personal") if drive.owner_id
                     else reverse("fichiers:space", args=[drive.space_id])})
    return render(request, "files/index.html", {
        "rows": rows, "has_personal": personal is not None, "search_form": SearchForm(),
        "personal_quota_text": size_text(settings.FILES_QUOTA_PERSONAL),
    })


@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    results: list[File] = []
    q = ""
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
    if q:
        results = list(selectors.search_files(request.user, q).select_related(
            "folder", "updated_by", "current", "drive", *spaces.related_for_rules("drive__space")))
        paths = selectors.folder_paths(file.drive_id for file in results)
        for file in results:
            file.path = paths.get(file.folder_id, "")
            file.drive_label = drive_label(file.drive)
        _decorate(results)
    return render(request, "files/search.html", {"form": form, "q": q, "results": results})


@require_GET
def space_drive(request, space_pk):
    drive = selectors.space_drive_get_for_user(request.user, space_pk)
    return redirect("fichiers:folder", _root(drive).pk)


@require_GET
def personal(request):
    drive = selectors.personal_drive(request.user)
    if drive is None:  # nothing is made on a GET: the first upload or folder makes the drive
        quota = settings.FILES_QUOTA_PERSONAL
        return render(request, "files/personal_empty.html", {
            "upload_form": UploadForm(), "folder_form": FolderForm(),
            "max_size": settings.FILES_MAX_SIZE, "remaining": quota,
            "max_size_text": size_text(settings.FILES_MAX_SIZE), "quota_text": size_text(quota),
        })
    return _folder_page(request, _root(drive))


@csrf_exempt
def personal_upload(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    drive = selectors.personal_drive(request.user)
    if drive is None:
        remaining = settings.FILES_QUOTA_PERSONAL
    else:
        remaining = _usage(drive)["remaining"]
    limit_uploads(request, max_bytes=min(settings.FILES_MAX_SIZE, remaining))
    return _personal_upload(request, remaining)


@csrf_protect
def _personal_upload(request, remaining):
    return _upload_answer(
        request, remaining=remaining, back=reverse("fichiers:personal"),
        call=lambda uploads: services.personal_upload(actor=request.user, uploads=uploads))


@require_POST
def personal_folder_create(request):
    form = FolderForm(request.POST)
    if form.is_valid():
        try:
            drive = services.personal_drive_ensure(user=request.user)
            folder = services.folder_create(actor=request.user, parent_id=_root(drive).pk,
                                            name=form.cleaned_data["name"])
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The folder « %(name)s » is created.") % {"name": folder.name})
            return redirect("fichiers:folder", folder.pk)
    else:
        messages.error(request, _("Give the folder a name."))
    return redirect("fichiers:personal")


# --- Folders ----------------------------------------------------------------------------------------


@require_GET
def folder(request, pk):
    folder = selectors.folder_get_for_user(request.user, pk)
    if folder.is_root and folder.drive.owner_id:
        return redirect("fichiers:personal")
    return _folder_page(request, folder)


def _folder_page(request, folder: Folder, *, folder_form=None):
    drive = folder.drive
    can_write = permissions.can_write_drive(request.user, drive)
    # The versions counted by a subquery per row of the page, not by grouping the whole folder.
    versions = FileVersion.objects.filter(file=OuterRef("pk")).order_by().values("file").annotate(n=Count("pk"))
    files = selectors.folder_files(folder).select_related("current").annotate(
        version_count=Coalesce(Subquery(versions.values("n")), 0))
    page = Paginator(files, FILES_PER_PAGE).get_page(request.GET.get("page"))
    _decorate(page.object_list)
    # Subfolders head the first page (read on every page: the same queries whatever the page).
    subfolders = list(selectors.folder_children(folder))
    if page.number > 1:
        subfolders = []
    usage = _usage(drive)
    return render(request, "files/folder.html", {
        "folder": folder, "drive": drive, "space": drive.space, "drive_label": drive_label(drive),
        "crumbs": selectors.breadcrumbs(folder), "subfolders": subfolders, "page": page,
        "can_write": can_write, "usage": usage, "can_set_quota": permissions.can_set_quota(request.user, drive),
        "max_size": settings.FILES_MAX_SIZE,
        "max_size_text": size_text(settings.FILES_MAX_SIZE),
        "remaining_text": size_text(usage["remaining"]),
        "folder_form": folder_form or FolderForm(), "upload_form": UploadForm(),
        "upload_url": reverse("fichiers:personal-upload") if folder.is_root and drive.owner_id
        else reverse("fichiers:upload", args=[folder.pk]),
        "folder_create_url": reverse("fichiers:personal-folder-create") if folder.is_root and drive.owner_id
        else reverse("fichiers:folder-create", args=[folder.pk]),
    })


@csrf_exempt
def upload(request, pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    folder = selectors.folder_get_for_user(request.user, pk)
    allowed = permissions.can_write_drive(request.user, folder.drive)
    if not allowed:
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": [allowed.reason]}, status=403)
        allowed.check()
    remaining = _usage(folder.drive)["remaining"]
    limit_uploads(request, max_bytes=min(settings.FILES_MAX_SIZE, remaining))
    return _folder_upload(request, folder, remaining)


@csrf_protect
def _folder_upload(request, folder, remaining):
    return _upload_answer(
        request, remaining=remaining, back=_folder_url(folder),
        call=lambda uploads: services.files_upload(actor=request.user, folder_id=folder.pk, uploads=uploads))


def _too_large_message(name: str, remaining: int) -> str:
    if remaining < settings.FILES_MAX_SIZE:
        return _("« %(name)s » is larger than the space left here (%(left)s).") % {
            "name": name, "left": size_text(remaining)}
    return _("« %(name)s » is larger than the maximum size of %(size)s.") % {
        "name": name, "size": size_text(settings.FILES_MAX_SIZE)}


def _upload_answer(request, *, remaining, back, call):
    """Store the posted files (all or none) and answer JSON (XHR) or redirect with messages."""
    errors: list[str] = []
    status = 400
    versions = []
    uploads = request.FILES.getlist("files")  # parses the body (the CSRF check already did, usually)
    too_large = upload_too_large(request)
    if too_large:
        errors = [_too_large_message(too_large, remaining)]
        status = 413
    else:
        try:
            versions = call(uploads)
        except ValidationError as exc:
            errors = exc.messages
        except PermissionDenied as exc:
            errors = [str(exc)]
            status = 403
    if _wants_json(request):
        if errors:
            return JsonResponse({"ok": False, "errors": errors}, status=status)
        return JsonResponse({"ok": True, "files": [{
            "id": version.file_id, "name": version.file.name, "version": version.number, "size": version.size,
            "url": reverse("fichiers:file", args=[version.file_id]),
        } for version in versions]})
    if errors:
        for error in errors:
            messages.error(request, error)
        if len(uploads) > 1 or too_large:
            messages.info(request, _("Nothing was stored: choose the files again, without the refused ones."))
    else:
        count = len(versions)
        messages.success(request, ngettext("%(count)d file uploaded.", "%(count)d files uploaded.", count)
                         % {"count": count})
    return redirect(back)


@require_POST
def folder_create(request, pk):
    parent = selectors.folder_get_for_user(request.user, pk)
    permissions.can_write_drive(request.user, parent.drive).check()
    form = FolderForm(request.POST)
    if form.is_valid():
        try:
            folder = services.folder_create(actor=request.user, parent_id=parent.pk, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The folder « %(name)s » is created.") % {"name": folder.name})
            return redirect("fichiers:folder", folder.pk)
    response = _folder_page(request, parent, folder_form=form)
    response.status_code = 400
    return response


def _rename(request, obj, *, kind: str, call, back):
    permissions.can_write_drive(request.user, obj.drive).check()
    form = RenameForm(posted(request), initial={"name": obj.name})
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The new name is saved."))
            return redirect(back)
    return render(request, "files/rename.html", {"form": form, "object": obj, "kind": kind, "back": back},
                  status=400 if form.errors else 200)


def _move(request, obj, *, kind: str, call, back, exclude=()):
    permissions.can_write_drive(request.user, obj.drive).check()
    choices = [(pk, label or drive_label(obj.drive))
               for pk, label in selectors.folder_choices(obj.drive) if pk not in exclude]
    current = obj.folder_id if kind == "file" else obj.parent_id
    form = MoveForm(posted(request), choices=choices, initial={"target": current})
    if request.method == "POST" and form.is_valid():
        try:
            call(form.cleaned_data["target"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("« %(name)s » is moved.") % {"name": obj.name})
            return redirect(back)
    return render(request, "files/move.html", {"form": form, "object": obj, "kind": kind, "back": back},
                  status=400 if form.errors else 200)


def _trash(request, obj, *, kind: str, call, back):
    permissions.can_write_drive(request.user, obj.drive).check()
    if request.method == "POST":
        try:
            call()
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(back)
        messages.success(request, _("« %(name)s » is in the trash: it can be restored for %(days)d days.")
                         % {"name": obj.name, "days": settings.FILES_TRASH_DAYS})
        return redirect(back)
    return render(request, "files/trash_confirm.html", {
        "object": obj, "kind": kind, "back": back, "days": settings.FILES_TRASH_DAYS})


@require_http_methods(["GET", "POST"])
def folder_rename(request, pk):
    folder = _not_root(selectors.folder_get_for_user(request.user, pk))
    return _rename(request, folder, kind="folder", back=reverse("fichiers:folder", args=[folder.pk]),
                   call=lambda name: services.folder_rename(actor=request.user, folder_id=folder.pk, name=name))


@require_http_methods(["GET", "POST"])
def folder_move(request, pk):
    folder = _not_root(selectors.folder_get_for_user(request.user, pk))
    return _move(request, folder, kind="folder", back=reverse("fichiers:folder", args=[folder.pk]), exclude={folder.pk},
                 call=lambda target: services.folder_move(actor=request.user, folder_id=folder.pk, parent_id=target))


@require_http_methods(["GET", "POST"])
def folder_trash(request, pk):
    folder = _not_root(selectors.folder_get_for_user(request.user, pk))
    parent = Folder.objects.select_related("drive").get(pk=folder.parent_id)
    return _trash(request, folder, kind="folder", back=_folder_url(parent),
                  call=lambda: services.folder_trash(actor=request.user, folder_id=folder.pk))


# --- Files ------------------------------------------------------------------------------------------


@require_GET
def file_detail(request, pk):
    file = selectors.file_get_for_user(request.user, pk)
    drive = file.drive
    versions = list(selectors.file_versions(file))
    for version in versions:
        version.size_text = size_text(version.size)
    _decorate([file])
    can_write = permissions.can_write_drive(request.user, drive)
    return render(request, "files/file.html", {
        "file": file, "drive": drive, "space": drive.space, "drive_label": drive_label(drive),
        "crumbs": selectors.breadcrumbs(file.folder), "versions": versions, "can_write": can_write,
        "previewable": file.kind in ("image", "pdf") and file.content_type != "image/svg+xml",
    })


def _current(file: File):
    version = file.current
    if version is None:
        raise Http404
    return version


@require_GET
def file_download(request, pk):
    # From the trash page (?corbeille=1) a trashed file may be downloaded before restoring it.
    file = selectors.file_get_for_user(request.user, pk, live=not request.GET.get("corbeille"))
    version = _current(file)
    return blob_response(request, blob_name=version.blob.name, name=file.name, content_type=version.content_type)


@require_GET
def file_preview(request, pk):
    file = selectors.file_get_for_user(request.user, pk)
    version = _current(file)
    return blob_response(request, blob_name=version.blob.name, name=file.name, content_type=version.content_type,
                         inline=True)


@require_GET
def file_thumbnail(request, pk):
    file = selectors.file_get_for_user(request.user, pk)
    version = _current(file)
    if not version.thumbnail:
        raise Http404
    return blob_response(request, blob_name=version.thumbnail.name, name=file.name,
                         content_type=_thumbnail_type(version.thumbnail.name), inline=True)


def _thumbnail_type(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower()
    return {"png": "image/png", "webp": "image/webp", "gif": "image/gif"}.get(ext, "image/jpeg")


def _file_back(file: File) -> str:
    return _folder_url(file.folder)


@require_http_methods(["GET", "POST"])
def file_rename(request, pk):
    file = selectors.file_get_for_user(request.user, pk)
    return _rename(request, file, kind="file", back=reverse("fichiers:file", args=[file.pk]),
                   call=lambda name: services.file_rename(actor=request.user, file_id=file.pk, name=name))


@require_http_methods(["GET", "POST"])
def file_move(request, pk):
    file = selectors.file_get_for_user(request.user, pk)
    return _move(request, file, kind="file", back=reverse("fichiers:file", args=[file.pk]),
                 call=lambda target: services.file_move(actor=request.user, file_id=file.pk, folder_id=target))


@require_http_methods(["GET", "POST"])
def file_trash(request, pk):
    file = selectors.file_get_for_user(request.user, pk)
    return _trash(request, file, kind="file", back=_file_back(file),
                  call=lambda: services.file_trash(actor=request.user, file_id=file.pk))


@require_GET
def version_download(request, pk):
    version = selectors.version_get_for_user(request.user, pk)
    return blob_response(request, blob_name=version.blob.name, name=version.file.name,
                         content_type=version.content_type)


@require_POST
def version_restore(request, pk):
    version = selectors.version_get_for_user(request.user, pk)
    file = version.file
    permissions.can_write_drive(request.user, file.drive).check()
    try:
        new = services.version_restore(actor=request.user, version_id=version.pk)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Version %(old)d is restored: it is now version %(new)d.")
                         % {"old": version.number, "new": new.number})
    return redirect("fichiers:file", file.pk)


# --- Trash and quota --------------------------------------------------------------------------------


def _days_left(deleted_at) -> int:
    if deleted_at is None:
        return settings.FILES_TRASH_DAYS
    return max(0, settings.FILES_TRASH_DAYS - (timezone.now() - deleted_at).days)


@require_GET
def trash(request, drive_pk):
    drive = selectors.drive_get_for_user(request.user, drive_pk)
    folders, files = selectors.trash_of(drive)
    page = Paginator(files, TRASH_PER_PAGE).get_page(request.GET.get("page"))
    _decorate(page.object_list)
    folders = list(folders) if page.number == 1 else []
    for item in [*folders, *page.object_list]:
        item.days_left = _days_left(item.deleted_at)
    usage = _usage(drive)
    return render(request, "files/trash.html", {
        "drive": drive, "space": drive.space, "drive_label": drive_label(drive), "root": _root(drive),
        "folders": folders, "page": page, "usage": usage, "days": settings.FILES_TRASH_DAYS,
        "can_write": permissions.can_write_drive(request.user, drive),
        "can_purge": permissions.can_purge(request.user, drive),
    })


@require_http_methods(["GET", "POST"])
def trash_empty(request, drive_pk):
    drive = selectors.drive_get_for_user(request.user, drive_pk)
    permissions.can_purge(request.user, drive).check()
    if request.method == "POST":
        try:
            count = services.trash_empty(actor=request.user, drive_id=drive.pk)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, ngettext("The trash is empty: %(count)d item deleted for good.",
                                               "The trash is empty: %(count)d items deleted for good.", count)
                             % {"count": count})
        return redirect("fichiers:trash", drive.pk)
    return render(request, "files/trash_empty.html", {"drive": drive, "drive_label": drive_label(drive)})


def _trashed_file(request, pk) -> File:
    file = selectors.file_get_for_user(request.user, pk, live=False)
    if file.is_live:
        raise Http404
    return file


def _trashed_folder(request, pk) -> Folder:
    folder = (Folder.objects.select_related("drive", *spaces.related_for_rules("drive__space"))
              .filter(permissions.visible_drives_q(request.user, prefix="drive__"), pk=pk).first())
    if folder is None or folder.is_live:
        raise Http404
    return folder


def _after_trash(request, call, success: str, drive_id: int):
    try:
        call()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, success)
    return redirect("fichiers:trash", drive_id)


@require_POST
def trash_restore_file(request, pk):
    file = _trashed_file(request, pk)
    permissions.can_write_drive(request.user, file.drive).check()
    return _after_trash(request, lambda: services.file_restore(actor=request.user, file_id=file.pk),
                        _("« %(name)s » is restored.") % {"name": file.name}, file.drive_id)


@require_POST
def trash_restore_folder(request, pk):
    folder = _trashed_folder(request, pk)
    permissions.can_write_drive(request.user, folder.drive).check()
    return _after_trash(request, lambda: services.folder_restore(actor=request.user, folder_id=folder.pk),
                        _("« %(name)s » is restored.") % {"name": folder.name}, folder.drive_id)


@require_POST
def trash_delete_file(request, pk):
    file = _trashed_file(request, pk)
    permissions.can_purge(request.user, file.drive).check()
    return _after_trash(request, lambda: services.file_delete(actor=request.user, file_id=file.pk),
                        _("« %(name)s » is deleted for good.") % {"name": file.name}, file.drive_id)


@require_POST
def trash_delete_folder(request, pk):
    folder = _trashed_folder(request, pk)
    permissions.can_purge(request.user, folder.drive).check()
    return _after_trash(request, lambda: services.folder_delete(actor=request.user, folder_id=folder.pk),
                        _("« %(name)s » is deleted for good.") % {"name": folder.name}, folder.drive_id)


@require_http_methods(["GET", "POST"])
def quota(request, drive_pk):
    drive = selectors.drive_get_for_user(request.user, drive_pk)
    permissions.can_set_quota(request.user, drive).check()
    form = QuotaForm(posted(request), initial=QuotaForm.initial_for(drive.quota))
    if request.method == "POST" and form.is_valid():
        try:
            services.drive_quota_set(actor=request.user, drive_id=drive.pk, quota=form.quota_bytes())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            drive.refresh_from_db()
            messages.success(request, _("The quota of « %(drive)s » is now %(size)s.")
                             % {"drive": drive_label(drive), "size": size_text(drive.quota_bytes)})
            return redirect(_folder_url(_root(drive)))
    default = settings.FILES_QUOTA_PERSONAL if drive.owner_id else settings.FILES_QUOTA_SPACE
    return render(request, "files/quota.html", {
        "form": form, "drive": drive, "drive_label": drive_label(drive), "usage": _usage(drive),
        "default_text": size_text(default), "root": _root(drive),
    }, status=400 if form.errors else 200)
