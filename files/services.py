"""Writes of the files of spaces and members (folders, uploads and versions, rename, move,
trash, quotas). Every function checks `files.permissions`, validates with French messages and
writes in one transaction that first locks the drive's row (quota accounting, same-name uploads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from files.models import Drive, Folder

if TYPE_CHECKING:
    from core.models import Space


@transaction.atomic
def space_drive_create(*, space: Space) -> Drive:
    """A new space's drive and its root folder (core.spaces.space_created; files 0002 for older spaces)."""
    drive, created = Drive.objects.get_or_create(space=space)
    if created:
        Folder.objects.create(drive=drive, parent=None, name="")
    return drive
