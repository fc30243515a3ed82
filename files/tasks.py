"""The periodic work of the files, run by `manage.py purge_file_trash` from cron (once a day
is enough): what went to the trash more than FILES_TRASH_DAYS days ago is deleted for good.
Safe to run twice at once (each drive is purged under its row lock)."""

from __future__ import annotations

from datetime import datetime


def run(now: datetime | None = None) -> dict[str, int]:
    """Purge the expired trash; returns how many trash items were deleted for good."""
    from files import services

    return {"trash_purged": services.trash_purge_expired(now=now)}
