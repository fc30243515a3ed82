"""Writes of the files of spaces and members (folders, uploads and versions, rename, move,
trash, quotas). Every function checks `files.permissions`, validates with French messages and
writes in one transaction that first locks the drive's row (quota accounting, same-name uploads).

- **Never half-stored**: an upload's bytes (and thumbnails) are written to the private storage
  before the transaction, then the rows; any failure (quota, a folder gone, a database error)
  deletes the blobs it wrote. Blobs no longer referenced are deleted once a purge commits.
- **Quota**: `Drive.used` counts every stored version (trash included), except the versions
  made by restoring an earlier one (they share its blob, `restored_from`). Checked once
  before storing (the member is told at once) and again, exactly, under the drive's lock.
- **Trash**: a deleted item gets `deleted_at`; what was inside a deleted folder gets
  `trash_root` = that folder (one UPDATE per level of the tree); restoring clears both.
- Errors: `PermissionDenied` (the reason of `files.permissions`), `ValidationError` on the
  field of the form when there is one ("name", "files", "target"), else without a field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from core import spaces
from core.services import activity_record
from files import permissions
from files.models import Drive, File, FileVersion, Folder

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from core.models import Space
    from members.models import User


@transaction.atomic
def space_drive_create(*, space: Space) -> Drive:
    """A new space's drive and its root folder (core.spaces.space_created; files 0002 for older spaces)."""
    drive, created = Drive.objects.get_or_create(space=space)
    if created:
        Folder.objects.create(drive=drive, parent=None, name="")
    return drive


# --- Helpers ---------------------------------------------------------------------------------


def size_label(size: int) -> str:
    """A size as people read it, in the active language: "12 Mo", "1,5 Go", "300 octets"."""
    if size < 1024:
        return ngettext("%(size)d byte", "%(size)d bytes", size) % {"size": size}
    units = [pgettext("file size", "%s KB"), pgettext("file size", "%s MB"), pgettext("file size", "%s GB"),
             pgettext("file size", "%s TB")]
    value = float(size)
    for unit in units:
        value /= 1024
        if value < 1024 or unit is units[-1]:
            rounded = round(value, 1)
            if rounded == int(rounded):
                return unit % formats.number_format(int(rounded))
            return unit % formats.number_format(rounded, 1)
    raise AssertionError("unreachable")


def _drives() -> Any:
    return Drive.objects.select_related("space", *spaces.related_for_rules("space"))


def _lock_drive(drive_id: int) -> Drive:
    """The drive's row, locked until the transaction ends (with what its space's rules read)."""
    drive = _drives().select_for_update(of=("self",)).filter(pk=drive_id).first()
    if drive is None:
        raise ValidationError(_("These files no longer exist."))
    return drive


def _gone(kind: str) -> ValidationError:
    messages = {
        "file": _("This file no longer exists."),
        "folder": _("This folder no longer exists."),
        "version": _("This version no longer exists."),
    }
    return ValidationError(messages[kind])


def _file_locked(actor: User, file_id: int, decision: Any = permissions.can_write_drive) -> File:
    """The file, its drive locked and the permission checked (inside a transaction)."""
    drive_id = File.objects.filter(pk=file_id).values_list("drive_id", flat=True).first()
    if drive_id is None:
        raise _gone("file")
    drive = _lock_drive(drive_id)
    decision(actor, drive).check()
    file = File.objects.filter(pk=file_id).first()
    if file is None:
        raise _gone("file")
    file.drive = drive
    return file


def _folder_locked(actor: User, folder_id: int, decision: Any = permissions.can_write_drive) -> Folder:
    drive_id = Folder.objects.filter(pk=folder_id).values_list("drive_id", flat=True).first()
    if drive_id is None:
        raise _gone("folder")
    drive = _lock_drive(drive_id)
    decision(actor, drive).check()
    folder = Folder.objects.filter(pk=folder_id).first()
    if folder is None:
        raise _gone("folder")
    folder.drive = drive
    return folder


def _file_live(file: File) -> None:
    if not file.is_live:
        raise ValidationError(_("This file is in the trash."))


def _folder_live(folder: Folder) -> None:
    if not folder.is_live:
        raise ValidationError(_("This folder is in the trash."))


def _clean(name: str) -> str:
    from files import content

    try:
        return content.clean_name(name or "")
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from exc


def _file_name_taken(folder_id: int, name: str, *, exclude: int | None = None) -> bool:
    found = File.objects.filter(folder_id=folder_id, name=name, deleted_at__isnull=True)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.exists()


def _folder_name_taken(parent_id: int, name: str, *, exclude: int | None = None) -> bool:
    found = Folder.objects.filter(parent_id=parent_id, name=name, deleted_at__isnull=True)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.exists()


def _file_taken_error(name: str, field: str | None) -> ValidationError:
    message = _("A file named « %(name)s » is already in this folder.") % {"name": name}
    return ValidationError({field: message} if field else message)


def _folder_taken_error(name: str, field: str | None) -> ValidationError:
    message = _("A folder named « %(name)s » is already there.") % {"name": name}
    return ValidationError({field: message} if field else message)


def _record(actor: User, verb: str, drive: Drive, target: File | Folder, url: str, data: dict | None = None) -> None:
    """An activity of a space's drive (a member's own drive is private: nothing is recorded)."""
    if drive.space_id is None:
        return
    activity_record(actor=actor, verb=verb, target=target, space=drive.space, data=data, url=url)


def _root_of(drive: Drive) -> Folder:
    return Folder.objects.get(drive=drive, parent__isnull=True)


def _subtree_ids(folder_ids: Iterable[int]) -> list[int]:
    """The given folders and every folder under them, whatever their state (one query per level)."""
    found = list(folder_ids)
    level = list(found)
    while level:
        level = list(Folder.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        found.extend(level)
    return found


def _restored_name(name: str, taken: set[str], *, is_file: bool) -> str:
    """`name`, or "name (restauré)", "name (restauré 2)"... (before a file's extension)."""
    if name not in taken:
        return name
    stem, ext = name, ""
    if is_file and "." in name.strip("."):
        stem, _dot, rest = name.rpartition(".")
        ext = f".{rest}"
    number = 1
    while True:
        if number == 1:
            candidate = _("%(name)s (restored)") % {"name": stem[:170]}
        else:
            candidate = _("%(name)s (restored %(number)d)") % {"name": stem[:170], "number": number}
        candidate = f"{candidate}{ext}"[:200]
        if candidate not in taken:
            return candidate
        number += 1


def _delete_blobs(names: Iterable[str]) -> None:
    from files import content

    for name in names:
        if name:
            content.delete_blob(name)


# --- Drives ----------------------------------------------------------------------------------


def personal_drive_ensure(*, user: User) -> Drive:
    """The member's own drive (with its root folder), made the first time it is needed."""
    permissions.can_view_drive(user, Drive(owner=user)).check()
    drive = Drive.objects.filter(owner=user).first()
    if drive is not None:
        return drive
    try:
        with transaction.atomic():
            drive = Drive.objects.create(owner=user)
            Folder.objects.create(drive=drive, parent=None, name="")
            return drive
    except IntegrityError:  # made meanwhile by another request
        return Drive.objects.get(owner=user)


MAX_QUOTA = 1024**4  # 1 To: far above any space's needs, far below the database's integers


def drive_quota_set(*, actor: User, drive_id: int, quota: int | None) -> Drive:
    """Set a drive's quota in bytes (None: the default of its kind). Below what it uses is
    allowed: nothing is deleted, uploads are refused until room is made."""
    with transaction.atomic():
        drive = _lock_drive(drive_id)
        permissions.can_set_quota(actor, drive).check()
        if quota is not None and quota <= 0:
            raise ValidationError(_("The quota must be greater than zero."))
        if quota is not None and quota > MAX_QUOTA:
            raise ValidationError(_("A quota cannot be more than %(size)s.") % {"size": size_label(MAX_QUOTA)})
        drive.quota = quota
        drive.save(update_fields=["quota"])
    return drive


# --- Folders ---------------------------------------------------------------------------------


def folder_create(*, actor: User, parent_id: int, name: str) -> Folder:
    with transaction.atomic():
        parent = _folder_locked(actor, parent_id)
        _folder_live(parent)
        name = _clean(name)
        if _folder_name_taken(parent.pk, name):
            raise _folder_taken_error(name, "name")
        folder = Folder.objects.create(drive=parent.drive, parent=parent, name=name, created_by=actor)
        _record(actor, "files.folder_created", parent.drive, folder, reverse("fichiers:folder", args=[folder.pk]))
    return folder


def folder_rename(*, actor: User, folder_id: int, name: str) -> Folder:
    with transaction.atomic():
        folder = _folder_locked(actor, folder_id)
        _folder_live(folder)
        if folder.is_root:
            raise ValidationError(_("The root folder cannot be renamed."))
        name = _clean(name)
        if name == folder.name:
            return folder
        if _folder_name_taken(folder.parent_id, name, exclude=folder.pk):  # type: ignore[arg-type]
            raise _folder_taken_error(name, "name")
        folder.name = name
        folder.save(update_fields=["name"])
    return folder


def _descends_from(drive_id: int, folder_id: int, ancestor_id: int) -> bool:
    """Whether `folder_id` is `ancestor_id` or under it (one query: the drive's tree)."""
    parents = dict(Folder.objects.filter(drive_id=drive_id).values_list("pk", "parent_id"))
    current: int | None = folder_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == ancestor_id:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _target_folder(drive: Drive, target_id: int) -> Folder:
    target = Folder.objects.filter(pk=target_id).first()
    if target is None or target.drive_id != drive.pk:
        raise ValidationError({"target": _("Files can only be moved within the same space.")})
    if not target.is_live:
        raise ValidationError({"target": _("This folder is in the trash.")})
    return target


def folder_move(*, actor: User, folder_id: int, parent_id: int) -> Folder:
    """Move a folder (and what it holds) under another folder of the same drive."""
    with transaction.atomic():
        folder = _folder_locked(actor, folder_id)
        _folder_live(folder)
        if folder.is_root:
            raise ValidationError(_("The root folder cannot be moved."))
        target = _target_folder(folder.drive, parent_id)
        if target.pk == folder.parent_id:
            return folder
        if _descends_from(folder.drive_id, target.pk, folder.pk):
            raise ValidationError({"target": _("A folder cannot go into itself or one of its subfolders.")})
        if _folder_name_taken(target.pk, folder.name):
            raise _folder_taken_error(folder.name, "target")
        folder.parent = target
        folder.save(update_fields=["parent"])
    return folder


def folder_trash(*, actor: User, folder_id: int) -> Folder:
    """Put a folder in the trash; what it holds follows it (trash_root), one UPDATE per level."""
    with transaction.atomic():
        folder = _folder_locked(actor, folder_id)
        _folder_live(folder)
        if folder.is_root:
            raise ValidationError(_("The root folder cannot be deleted."))
        folder.deleted_at = timezone.now()
        folder.deleted_by = actor
        folder.save(update_fields=["deleted_at", "deleted_by"])
        level = [folder.pk]
        while level:
            File.objects.filter(folder_id__in=level, trash_root__isnull=True).update(trash_root=folder)
            children = list(Folder.objects.filter(parent_id__in=level, trash_root__isnull=True)
                            .values_list("pk", "deleted_at"))
            if children:
                Folder.objects.filter(pk__in=[pk for pk, _deleted in children]).update(trash_root=folder)
            # A subfolder already in the trash keeps its own subtree (its trash_root points to it).
            level = [pk for pk, deleted_at in children if deleted_at is None]
    return folder


def folder_restore(*, actor: User, folder_id: int) -> Folder:
    """Bring a folder (and what went with it) back from the trash; into the root when its
    parent is gone; renamed "… (restauré)" when its name was taken meanwhile."""
    with transaction.atomic():
        folder = _folder_locked(actor, folder_id)
        if folder.trash_root_id is not None:
            raise ValidationError(_("This folder went to the trash with the folder that holds it: restore that one."))
        if folder.deleted_at is None:
            raise ValidationError(_("This folder is not in the trash."))
        parent = folder.parent
        if parent is None or not parent.is_live:
            parent = _root_of(folder.drive)
        taken = set(Folder.objects.filter(parent=parent, deleted_at__isnull=True).values_list("name", flat=True))
        folder.name = _restored_name(folder.name, taken, is_file=False)
        folder.parent = parent
        folder.deleted_at = None
        folder.deleted_by = None
        folder.save(update_fields=["name", "parent", "deleted_at", "deleted_by"])
        Folder.objects.filter(trash_root=folder).update(trash_root=None)
        File.objects.filter(trash_root=folder).update(trash_root=None)
    return folder


# --- Files -----------------------------------------------------------------------------------


def file_rename(*, actor: User, file_id: int, name: str) -> File:
    with transaction.atomic():
        file = _file_locked(actor, file_id)
        _file_live(file)
        name = _clean(name)
        if name == file.name:
            return file
        if _file_name_taken(file.folder_id, name, exclude=file.pk):
            raise _file_taken_error(name, "name")
        file.name = name
        file.save(update_fields=["name"])
    return file


def file_move(*, actor: User, file_id: int, folder_id: int) -> File:
    with transaction.atomic():
        file = _file_locked(actor, file_id)
        _file_live(file)
        target = _target_folder(file.drive, folder_id)
        if target.pk == file.folder_id:
            return file
        if _file_name_taken(target.pk, file.name):
            raise _file_taken_error(file.name, "target")
        file.folder = target
        file.save(update_fields=["folder"])
    return file


def file_trash(*, actor: User, file_id: int) -> File:
    with transaction.atomic():
        file = _file_locked(actor, file_id)
        _file_live(file)
        file.deleted_at = timezone.now()
        file.deleted_by = actor
        file.save(update_fields=["deleted_at", "deleted_by"])
    return file


def file_restore(*, actor: User, file_id: int) -> File:
    """Bring a file back from the trash, into the root when its folder is gone; renamed
    "… (restauré).ext" when its name was taken meanwhile."""
    with transaction.atomic():
        file = _file_locked(actor, file_id)
        if file.trash_root_id is not None:
            raise ValidationError(_("This file went to the trash with the folder that holds it: restore that one."))
        if file.deleted_at is None:
            raise ValidationError(_("This file is not in the trash."))
        folder = file.folder
        if not folder.is_live:
            folder = _root_of(file.drive)
        taken = set(File.objects.filter(folder=folder, deleted_at__isnull=True).values_list("name", flat=True))
        file.name = _restored_name(file.name, taken, is_file=True)
        file.folder = folder
        file.deleted_at = None
        file.deleted_by = None
        file.save(update_fields=["name", "folder", "deleted_at", "deleted_by"])
    return file


# --- Uploads and versions --------------------------------------------------------------------


def _quota_error(drive: Drive, checked_count: int, total: int) -> ValidationError:
    left = max(0, drive.quota_bytes - drive.used)
    values = {"count": checked_count, "size": size_label(total), "left": size_label(left),
              "quota": size_label(drive.quota_bytes)}
    return ValidationError({"files": ngettext(
        "This file (%(size)s) does not fit: %(left)s of %(quota)s left in this space.",
        "These %(count)d files (%(size)s) do not fit: %(left)s of %(quota)s left in this space.",
        checked_count) % values})


def _fits(drive: Drive, total: int) -> bool:
    return drive.used + total <= drive.quota_bytes


def files_upload(*, actor: User, folder_id: int, uploads: Sequence[UploadedFile]) -> list[FileVersion]:
    """Store `uploads` into a folder, all or nothing: each becomes a new file, or a new version
    of the live file of the same name in that folder. Returns the versions made, in order."""
    from files import content

    folder = Folder.objects.filter(pk=folder_id).first()
    if folder is None:
        raise _gone("folder")
    drive = _drives().get(pk=folder.drive_id)
    permissions.can_write_drive(actor, drive).check()
    _folder_live(folder)
    checked = content.check_uploads(uploads)
    # Told before anything is stored (the exact check comes again under the lock).
    if not _fits(drive, sum(one.upload.size or 0 for one in checked)):
        raise _quota_error(drive, len(checked), sum(one.upload.size or 0 for one in checked))

    written: list[str] = []
    try:
        stored = []
        for one in checked:
            blob = content.store(one)
            written.append(blob.name)
            thumbnail = content.make_thumbnail(blob.name, content_type=one.content_type) if one.is_image else ""
            if thumbnail:
                written.append(thumbnail)
            text = content.extract_text(blob.name, content_type=one.content_type, size=blob.size)
            stored.append((one, blob, thumbnail, text))
        with transaction.atomic():
            versions = _upload_rows(actor, folder_id, stored)
    except BaseException:
        _delete_blobs(written)
        raise
    return versions


def _upload_rows(actor: User, folder_id: int, stored: list[Any]) -> list[FileVersion]:
    folder = _folder_locked(actor, folder_id)
    drive = folder.drive
    _folder_live(folder)
    total = sum(blob.size for _one, blob, _thumbnail, _text in stored)
    if not _fits(drive, total):
        raise _quota_error(drive, len(stored), total)
    now = timezone.now()
    versions: list[FileVersion] = []
    new_files: list[File] = []
    updated_files: list[File] = []
    try:
        with transaction.atomic():
            for one, blob, thumbnail, text in stored:
                file = File.objects.filter(folder=folder, name=one.name, deleted_at__isnull=True).first()
                if file is None:
                    file = File.objects.create(drive=drive, folder=folder, name=one.name, created_by=actor,
                                               created_at=now)
                    number = 1
                    new_files.append(file)
                else:
                    number = (file.versions.aggregate(top=Max("number"))["top"] or 0) + 1
                    if file not in new_files and file not in updated_files:
                        updated_files.append(file)
                version = FileVersion.objects.create(
                    file=file, number=number, blob=blob.name, size=blob.size, content_type=one.content_type,
                    is_image=one.is_image, sha256=blob.sha256, thumbnail=thumbnail, uploaded_by=actor,
                    uploaded_at=now)
                _make_current(file, version, actor, text, now)
                versions.append(version)
            Drive.objects.filter(pk=drive.pk).update(used=F("used") + total)
    except IntegrityError as exc:
        raise ValidationError(_("Someone changed this folder at the same time: try again.")) from exc
    drive.used += total
    if new_files:
        _record(actor, "files.uploaded", drive, new_files[0], reverse("fichiers:file", args=[new_files[0].pk]),
                {"count": len(new_files)} if len(new_files) > 1 else None)
    if updated_files:
        _record(actor, "files.version", drive, updated_files[0],
                reverse("fichiers:file", args=[updated_files[0].pk]),
                {"count": len(updated_files)} if len(updated_files) > 1 else None)
    return versions


def _make_current(file: File, version: FileVersion, actor: User, text: str, now: dt.datetime) -> None:
    file.current = version
    file.size = version.size
    file.content_type = version.content_type
    file.is_image = version.is_image
    file.text = text
    file.updated_by = actor
    file.updated_at = now
    file.save(update_fields=["current", "size", "content_type", "is_image", "text", "updated_by", "updated_at"])


def personal_upload(*, actor: User, uploads: Sequence[UploadedFile]) -> list[FileVersion]:
    """Upload into the member's own drive (made on the first upload), at its root."""
    drive = personal_drive_ensure(user=actor)
    return files_upload(actor=actor, folder_id=_root_of(drive).pk, uploads=uploads)


def version_restore(*, actor: User, version_id: int) -> FileVersion:
    """Make an earlier version current again: a new version sharing its bytes (no quota used)."""
    from files import content

    earlier = FileVersion.objects.filter(pk=version_id).first()
    if earlier is None:
        raise _gone("version")
    text = content.extract_text(earlier.blob.name or "", content_type=earlier.content_type, size=earlier.size)
    with transaction.atomic():
        file = _file_locked(actor, earlier.file_id)
        _file_live(file)
        if not FileVersion.objects.filter(pk=version_id).exists():
            raise _gone("version")
        if file.current_id == earlier.pk:
            raise ValidationError(_("This version is already the current one."))
        number = (file.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        now = timezone.now()
        version = FileVersion.objects.create(
            file=file, number=number, blob=earlier.blob.name, size=earlier.size, content_type=earlier.content_type,
            is_image=earlier.is_image, sha256=earlier.sha256, thumbnail=earlier.thumbnail.name or "",
            uploaded_by=actor, uploaded_at=now, restored_from=earlier)
        _make_current(file, version, actor, text, now)
        _record(actor, "files.version", file.drive, file, reverse("fichiers:file", args=[file.pk]),
                {"restored": earlier.number})
    return version


# --- Deleting for good -----------------------------------------------------------------------


def _purge(drive: Drive, *, folder_ids: Sequence[int] = (), file_ids: Sequence[int] = ()) -> None:
    """Delete folders (with all they hold) and files for good, inside the caller's transaction
    (drive locked): frees what they counted, deletes their blobs once committed."""
    all_folders = _subtree_ids(folder_ids) if folder_ids else []
    files = File.objects.filter(Q(folder_id__in=all_folders) | Q(pk__in=list(file_ids)))
    rows = list(FileVersion.objects.filter(file__in=files).values_list("blob", "thumbnail", "size", "restored_from_id"))
    freed = sum(size for _blob, _thumbnail, size, restored in rows if restored is None)
    blobs = {blob for blob, *_rest in rows if blob}
    thumbnails = {thumbnail for _blob, thumbnail, *_rest in rows if thumbnail}
    File.objects.filter(pk__in=list(file_ids)).delete()
    if folder_ids:
        Folder.objects.filter(pk__in=list(folder_ids)).delete()  # cascades to what they hold
    still = set(FileVersion.objects.filter(Q(blob__in=blobs | thumbnails) | Q(thumbnail__in=blobs | thumbnails))
                .values_list("blob", "thumbnail").distinct()) if (blobs or thumbnails) else set()
    referenced = {name for pair in still for name in pair if name}
    gone = sorted((blobs | thumbnails) - referenced)
    if freed:
        # Written relative to the row, not from the value read: right even without the lock.
        Drive.objects.filter(pk=drive.pk).update(used=Greatest(F("used") - freed, 0))
        drive.used = max(0, drive.used - freed)
    if gone:
        transaction.on_commit(lambda: _delete_blobs(gone))


def file_delete(*, actor: User, file_id: int) -> None:
    """Delete a file of the trash for good (its managers, or the owner of a personal drive)."""
    with transaction.atomic():
        file = _file_locked(actor, file_id, permissions.can_purge)
        if file.deleted_at is None or file.trash_root_id is not None:
            raise ValidationError(_("Only what is in the trash can be deleted for good."))
        _purge(file.drive, file_ids=[file.pk])


def folder_delete(*, actor: User, folder_id: int) -> None:
    """Delete a folder of the trash for good, with everything it holds."""
    with transaction.atomic():
        folder = _folder_locked(actor, folder_id, permissions.can_purge)
        if folder.deleted_at is None or folder.trash_root_id is not None:
            raise ValidationError(_("Only what is in the trash can be deleted for good."))
        _purge(folder.drive, folder_ids=[folder.pk])


def _trash_top(drive_id: int, before: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    folders = Folder.objects.filter(drive_id=drive_id, deleted_at__isnull=False, trash_root__isnull=True)
    files = File.objects.filter(drive_id=drive_id, deleted_at__isnull=False, trash_root__isnull=True)
    if before is not None:
        folders = folders.filter(deleted_at__lt=before)
        files = files.filter(deleted_at__lt=before)
    return list(folders.values_list("pk", flat=True)), list(files.values_list("pk", flat=True))


def trash_empty(*, actor: User, drive_id: int) -> int:
    """Delete everything in a drive's trash for good; returns how many items (files and
    folders as listed in the trash)."""
    with transaction.atomic():
        drive = _lock_drive(drive_id)
        permissions.can_purge(actor, drive).check()
        folder_ids, file_ids = _trash_top(drive.pk)
        _purge(drive, folder_ids=folder_ids, file_ids=file_ids)
    return len(folder_ids) + len(file_ids)


def trash_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Delete for good what went to the trash more than FILES_TRASH_DAYS days ago (every
    drive, each in its own transaction); returns how many trash items."""
    now = now or timezone.now()
    before = now - dt.timedelta(days=settings.FILES_TRASH_DAYS)
    expired = Q(deleted_at__lt=before, trash_root__isnull=True)
    drive_ids = sorted(set(Folder.objects.filter(expired).values_list("drive_id", flat=True))
                       | set(File.objects.filter(expired).values_list("drive_id", flat=True)))
    count = 0
    for drive_id in drive_ids:
        with transaction.atomic():
            drive = Drive.objects.select_for_update().filter(pk=drive_id).first()
            if drive is None:
                continue
            folder_ids, file_ids = _trash_top(drive.pk, before)
            _purge(drive, folder_ids=folder_ids, file_ids=file_ids)
            count += len(folder_ids) + len(file_ids)
    return count

