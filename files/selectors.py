"""Reads of the files of spaces and members, for the views and the widgets.

`*_get_for_user` answer 404 (`Http404`) for anything the user may not read, or that is in
the trash (except `file_get_for_user(..., live=False)`, for the trash's own pages): never a
hint that it exists. Lists are querysets the views paginate; their query count is fixed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core import spaces
from core.models import Space
from files import permissions
from files.models import Drive, File, FileVersion, Folder
from members import permissions as member_permissions

if TYPE_CHECKING:
    from collections.abc import Iterable

    from core.permissions import AnyUser

LIVE = Q(deleted_at__isnull=True, trash_root__isnull=True)


def _drives() -> QuerySet[Drive]:
    return Drive.objects.select_related("space", *spaces.related_for_rules("space"))


def _readable(user: AnyUser, drive: Drive) -> None:
    if not permissions.can_view_drive(user, drive):
        raise Http404


# --- Drives ----------------------------------------------------------------------------------


def drive_get_for_user(user: AnyUser, pk: int) -> Drive:
    drive = _drives().filter(pk=pk).first()
    if drive is None:
        raise Http404
    _readable(user, drive)
    return drive


def space_drive_get_for_user(user: AnyUser, space_id: int) -> Drive:
    drive = _drives().filter(space_id=space_id).first()
    if drive is None:
        raise Http404
    _readable(user, drive)
    return drive


def personal_drive(user: AnyUser) -> Drive | None:
    """The member's own drive, None before their first upload (or for a visitor)."""
    if not member_permissions.is_approved(user):
        return None
    return Drive.objects.filter(owner=user).first()


def drives_of(user: AnyUser) -> list[Drive]:
    """The member's own drive (if any), then the drives of the spaces they belong to (the
    network, territories, then groups, by name), with their space: one query."""
    if not member_permissions.is_approved(user):
        return []
    drives = list(_drives().filter(Q(owner=user) | Q(space__in=Space.objects.member_of(user).values("pk"))))
    order = {key: index for index, key in enumerate(spaces.KINDS)}

    def key(drive: Drive) -> tuple[int, int, str]:
        if drive.space is None:
            return (0, 0, "")
        return (1, order.get(drive.space.kind, len(order)), drive.space.name.lower())

    return sorted(drives, key=key)


# --- Folders ---------------------------------------------------------------------------------


def folder_get_for_user(user: AnyUser, pk: int, *, live: bool = True) -> Folder:
    """A live folder the user may read, with its drive (and the drive's space). `live=False`:
    also one in the trash (the trash's pages)."""
    found = Folder.objects.select_related("drive", "drive__space", *spaces.related_for_rules("drive__space"))
    folder = (found.filter(LIVE) if live else found).filter(pk=pk).first()
    if folder is None:
        raise Http404
    _readable(user, folder.drive)
    return folder


def root_folder(drive: Drive) -> Folder:
    """The drive's root folder."""
    return Folder.objects.get(drive=drive, parent__isnull=True)


def breadcrumbs(folder: Folder) -> list[Folder]:
    """The folders from the root down to `folder` (included): one query."""
    tree = {one.pk: one for one in Folder.objects.filter(drive_id=folder.drive_id).only("pk", "parent_id", "name",
                                                                                         "drive_id")}
    trail: list[Folder] = []
    current: Folder | None = folder
    while current is not None and len(trail) <= len(tree):
        trail.append(current)
        current = tree.get(current.parent_id) if current.parent_id is not None else None
    return trail[::-1]


def folder_children(folder: Folder) -> QuerySet[Folder]:
    """The live subfolders, by name."""
    return Folder.objects.filter(LIVE, parent=folder).order_by("name", "pk")


def folder_files(folder: Folder) -> QuerySet[File]:
    """The live files, by name, with who changed them last."""
    return File.objects.filter(LIVE, folder=folder).select_related("updated_by").order_by("name", "pk")


def folder_choices(drive: Drive) -> list[tuple[int, str]]:
    """Every live folder of the drive as (pk, "Parent / Child"), the root first ("All files"):
    the choices of a move form. One query."""
    return _folder_labels(list(Folder.objects.filter(LIVE, drive=drive).values_list("pk", "parent_id", "name")))


def folder_paths(drive_ids: Iterable[int]) -> dict[int, str]:
    """{folder pk: "Parent / Child"} of every live folder of these drives (search results). One query."""
    ids = set(drive_ids)
    if not ids:
        return {}
    return dict(_folder_labels(list(
        Folder.objects.filter(LIVE, drive_id__in=ids).values_list("pk", "parent_id", "name"))))


def _folder_labels(rows: list[tuple[int, int | None, str]]) -> list[tuple[int, str]]:
    by_pk = {pk: (parent_id, name) for pk, parent_id, name in rows}
    labels: dict[int, str] = {}

    def label(pk: int) -> str:
        if pk in labels:
            return labels[pk]
        parts: list[str] = []
        current: int | None = pk
        while current is not None and current in by_pk and len(parts) <= len(by_pk):
            parent_id, name = by_pk[current]
            if parent_id is None:
                break
            parts.append(name)
            current = parent_id
        labels[pk] = " / ".join(reversed(parts)) if parts else _("All files")
        return labels[pk]

    choices = [(pk, label(pk)) for pk, _parent, _name in rows]
    root = [choice for choice in choices if by_pk[choice[0]][0] is None]
    others = sorted((choice for choice in choices if by_pk[choice[0]][0] is not None),
                    key=lambda choice: choice[1].lower())
    return root + others


# --- Files -----------------------------------------------------------------------------------


def file_get_for_user(user: AnyUser, pk: int, *, live: bool = True) -> File:
    """A file the user may read, with its drive, folder and current version. `live=False`:
    also one in the trash (the trash's pages)."""
    found = (File.objects.select_related("drive", "drive__space", *spaces.related_for_rules("drive__space"),
                                         "folder", "current", "updated_by", "deleted_by")
             .filter(pk=pk))
    if live:
        found = found.filter(LIVE)
    file = found.first()
    if file is None:
        raise Http404
    _readable(user, file.drive)
    return file


def file_versions(file: File) -> QuerySet[FileVersion]:
    """Its versions, latest first, with who uploaded each."""
    return file.versions.select_related("uploaded_by").order_by("-number")


def version_get_for_user(user: AnyUser, pk: int) -> FileVersion:
    """A version of a live file the user may read."""
    version = (FileVersion.objects
               .select_related("file", "file__drive", "file__drive__space",
                               *spaces.related_for_rules("file__drive__space"))
               .filter(pk=pk, file__deleted_at__isnull=True, file__trash_root__isnull=True).first())
    if version is None:
        raise Http404
    _readable(user, version.file.drive)
    return version


def trash_of(drive: Drive) -> tuple[QuerySet[Folder], QuerySet[File]]:
    """What the trash lists: folders and files deleted themselves (not what went with a
    folder), latest first, with who deleted them."""
    folders = (Folder.objects.filter(drive=drive, deleted_at__isnull=False, trash_root__isnull=True)
               .select_related("deleted_by").order_by("-deleted_at", "-pk"))
    files = (File.objects.filter(drive=drive, deleted_at__isnull=False, trash_root__isnull=True)
             .select_related("deleted_by").order_by("-deleted_at", "-pk"))
    return folders, files


def search_files(user: AnyUser, q: str, *, limit: int = 50) -> QuerySet[File]:
    """Live files of the drives the user may read whose name or text holds every word of `q`,
    latest changed first, with their folder and drive (and the drive's space)."""
    words = (q or "").split()[:10]
    if not words:
        return File.objects.none()
    found = File.objects.filter(LIVE, permissions.visible_drives_q(user, "drive__"))
    for word in words:
        found = found.filter(Q(name__icontains=word) | Q(text__icontains=word))
    return (found.select_related("folder", "updated_by", "drive", "drive__space",
                                 *spaces.related_for_rules("drive__space"))
            .defer("text").order_by("-updated_at", "-pk")[:limit])


def recent_files(user: AnyUser, *, limit: int = 6) -> list[File]:
    """The latest changed live files of the drives of the user's spaces (a dashboard widget)."""
    if not member_permissions.is_approved(user):
        return []
    found = (File.objects.filter(LIVE, permissions.visible_drives_q(user, "drive__"),
                                 drive__space__in=Space.objects.member_of(user).values("pk"))
             .select_related("folder", "updated_by", "drive", "drive__space", *spaces.related_for_rules("drive__space"))
             .defer("text").order_by("-updated_at", "-pk"))
    return list(found[:limit])
