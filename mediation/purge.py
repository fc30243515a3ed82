"""Forgetting the beneficiaries of ended vouchers: `settings.VOUCHER_RETENTION_DAYS` days after
a voucher ended (completed, expired or cancelled), its first name and commune are erased like
`mediation.vouchers.voucher_erase` does (`manage.py purge_voucher_beneficiaries`, daily).

When a voucher ended: a completed one at `completed_at`; an expired one at the end of its grace
period (`validity.last_use_day`). A cancelled one has no date of cancellation: it is counted
as ended at the end of its grace period too, the latest it could have ended, so its data is
never erased before the retention period is over.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from mediation.models import Programme, Voucher
from mediation.vouchers import erased_values


def due(*, now: datetime | None = None) -> QuerySet[Voucher]:
    """The vouchers whose beneficiary data is to be erased (not erased yet)."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.VOUCHER_RETENTION_DAYS)
    limit_day = timezone.localdate(limit)
    ended = Q(status=Voucher.Status.COMPLETED, completed_at__lt=limit)
    # The end of the grace period depends on the programme's grace days: one condition per value.
    for grace_days in Programme.objects.order_by().values_list("grace_days", flat=True).distinct():
        ended |= Q(
            status__in=(Voucher.Status.EXPIRED, Voucher.Status.CANCELLED),
            programme__grace_days=grace_days,
            valid_until__lt=limit_day - timedelta(days=grace_days),
        )
    return Voucher.objects.filter(ended, erased_at__isnull=True)


def purge_beneficiaries(*, now: datetime | None = None) -> int:
    """Erase the beneficiary data of the vouchers `due`; returns how many. Running it again
    erases nothing more."""
    now = now or timezone.now()
    with transaction.atomic():
        return due(now=now).update(**erased_values(now))
