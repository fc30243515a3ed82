"""Forgetting the people who registered without an account: once a session is over for
`settings.WORKSHOP_RETENTION_DAYS` days, the name, e-mail, phone and note of its visitor
and on-site registrations are blanked (`manage.py purge_workshop_registrants`, daily).

The rows stay: the session's counts, the attendance and the (anonymous) evaluations survive.
A member's registration is left alone: their details are their account's, not the row's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext

from workshops.models import Attendance, Registration

PURGED_KINDS = (Registration.Kind.VISITOR, Registration.Kind.ON_SITE)


def due(*, now: datetime | None = None) -> QuerySet[Registration]:
    """The registrations to purge: people without an account, of sessions over for longer
    than the retention period, not purged yet."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.WORKSHOP_RETENTION_DAYS)
    return Registration.objects.filter(kind__in=PURGED_KINDS, session__end__lt=limit, purged_at__isnull=True)


def anonymous_name() -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Anonymised participant")


def registrants_purge(*, now: datetime | None = None, dry_run: bool = False) -> int:
    """Blank the personal details of the registrations `due`; returns how many (with
    `dry_run`, how many would be, and nothing changes), and the reasons given for their absences.
    Running it again purges nothing more."""
    now = now or timezone.now()
    rows = due(now=now)
    if dry_run:
        return rows.count()
    with transaction.atomic():
        ids = list(rows.values_list("pk", flat=True))
        # The reason given for an absence is about the person too (a health reason...).
        Attendance.objects.filter(registration_id__in=ids).exclude(reason="").update(reason="")
        return Registration.objects.filter(pk__in=ids).update(
            name=anonymous_name(), email="", phone="", note="", purged_at=now)
