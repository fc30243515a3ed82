"""The periodic work of vouchers, run by `manage.py run_voucher_tasks` from cron (daily is
enough; more often is harmless): each step is safe to run twice at once and never sends twice.

1. Warnings: the vouchers in progress whose validity ends within `VOUCHER_WARNING_DAYS` are
   claimed one by one (conditional UPDATE of `expiry_warned_at`, null → now); then each
   prescriber of their organisation gets ONE e-mail listing their vouchers that expire, and
   each animator of a venue that served one of them gets one notification per venue.
2. Expiry: a voucher in progress whose grace period is over (`valid_until` + the programme's
   `grace_days` before today) becomes expired, in one conditional UPDATE.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy, ngettext

from core.notifications import register_verb
from core.services import absolute_url, email_on_commit, notify
from mediation.models import PrescriberSeat, Programme, Voucher, VoucherUse

register_verb("mediation.voucher_expiring", gettext_lazy("Vouchers expire soon: {target}"))

Status = Voucher.Status


def expiry_warnings_send(*, now: datetime | None = None) -> int:
    """Warn of the vouchers whose validity ends within VOUCHER_WARNING_DAYS, once each.
    Returns how many vouchers were warned of."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    until = today + timedelta(days=int(settings.VOUCHER_WARNING_DAYS))
    candidates = list(
        Voucher.objects.filter(status=Status.ACTIVE, expiry_warned_at__isnull=True, valid_until__lte=until,
                               valid_until__gte=today)
        .order_by("valid_until", "pk").values_list("pk", flat=True)
    )
    claimed: list[int] = []
    with transaction.atomic():
        for pk in candidates:
            if Voucher.objects.filter(pk=pk, status=Status.ACTIVE, expiry_warned_at__isnull=True).update(
                    expiry_warned_at=now) == 1:
                claimed.append(pk)
        if claimed:
            _tell_prescribers(claimed)
            _tell_venues(claimed)
    return len(claimed)


def _tell_prescribers(voucher_ids: list[int]) -> None:
    vouchers = list(
        Voucher.objects.filter(pk__in=voucher_ids).select_related("programme")
        .annotate(module_count=Count("programme__modules")).order_by("valid_until", "code")
    )
    by_organisation: dict[int, list[Voucher]] = defaultdict(list)
    for voucher in vouchers:
        by_organisation[voucher.organisation_id].append(voucher)
    seats = (PrescriberSeat.objects.filter(organisation_id__in=by_organisation, user__is_active=True,
                                           organisation__is_active=True)
             .select_related("user").order_by("pk"))
    for seat in seats:
        mine = by_organisation[seat.organisation_id]
        email_on_commit(
            to=seat.user.email,
            subject=gettext_lazy("Vouchers of your organisation expire soon"),
            template="mediation/email/voucher_expiring.txt",
            context={
                "person": seat.user, "list_url": absolute_url(reverse("tickets:list")),
                "vouchers": [{"voucher": voucher, "url": absolute_url(voucher.get_absolute_url()),
                              "left": _left(voucher)} for voucher in mine],
            },
        )


def _left(voucher: Voucher) -> int:
    return max(getattr(voucher, "module_count", 0) - voucher.modules_done, 0)


def _tell_venues(voucher_ids: list[int]) -> None:
    """One notification per animator and venue that served one of these vouchers."""
    from directory.models import Venue
    from members.models import User

    served: dict[int, set[int]] = defaultdict(set)
    for venue_id, voucher_id in VoucherUse.objects.filter(voucher_id__in=voucher_ids).values_list(
            "venue_id", "voucher_id"):
        served[venue_id].add(voucher_id)
    if not served:
        return
    animators = Prefetch("members", queryset=User.objects.filter(is_active=True, status=User.Status.APPROVED)
                         .order_by("pk"), to_attr="animators")
    for venue in Venue.objects.filter(pk__in=served).prefetch_related(animators).order_by("pk"):
        count = len(served[venue.pk])
        with translation.override(settings.LANGUAGE_CODE):  # stored: in the site's language
            label = ngettext("%(count)d voucher served at %(venue)s", "%(count)d vouchers served at %(venue)s",
                             count) % {"count": count, "venue": venue.name}
        for animator in venue.animators:  # type: ignore[attr-defined]
            notify(recipient=animator, verb="mediation.voucher_expiring",
                   url=reverse("tickets:venue", args=[venue.pk]), target_label=label)


def vouchers_expire(*, today: date | None = None) -> int:
    """Vouchers in progress past their grace period become expired (one UPDATE). Returns how many."""
    today = today or timezone.localdate()
    graces = set(Programme.objects.values_list("grace_days", flat=True).distinct())
    if not graces:
        return 0
    condition = Q(pk__in=[])
    for grace in graces:
        condition |= Q(programme__grace_days=grace, valid_until__lt=today - timedelta(days=grace))
    return Voucher.objects.filter(condition, status=Status.ACTIVE).update(status=Status.EXPIRED)


def run(now: datetime | None = None) -> dict[str, int]:
    """Warn of the vouchers that expire soon, then expire those past their grace period."""
    now = now or timezone.now()
    return {
        "expiry_warnings": expiry_warnings_send(now=now),
        "vouchers_expired": vouchers_expire(today=timezone.localdate(now)),
    }
