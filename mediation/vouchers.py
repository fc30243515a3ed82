"""Issuing and following vouchers (prescriber side): issue, cancel, erase the beneficiary data.

A voucher carries only what the reports need about its beneficiary: a first name or
pseudonym, an age bracket, a commune (name and INSEE code) and a situation, recorded with
their consent. Erasing (here, or by `mediation.purge` once the retention period is over)
replaces the first name with a neutral pseudonym and blanks the commune's name; the age
bracket, the situation and the INSEE code stay, so no count changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext

from directory.schema import INSEE_CODE_RE
from mediation import codes, coop, permissions, validity
from mediation.models import Programme, ProgrammeModule, Voucher, VoucherUse
from mediation.selectors import managed_programmes, my_participating_venues, visible_vouchers

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from directory.models import Venue
    from members.models import User

FIRST_NAME_MAX = 80
COMMUNE_MAX = 100
REASON_MAX = 300
# How far ahead a voucher may start.
MAX_START_AHEAD = relativedelta(months=3)
# Attempts at drawing a code that is not taken (two equal draws are improbable: 19**10 codes).
CODE_ATTEMPTS = 5


def erased_name() -> str:
    """The first name an erased voucher shows, stored in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("Erased person")


def erased_values(now: datetime) -> dict[str, Any]:
    """The fields an erasure writes (voucher_erase and mediation.purge share them): the first
    name becomes a neutral pseudonym, the commune's name is blanked; the age bracket, the
    situation and the INSEE code are kept (counts by commune stay)."""
    return {"first_name": erased_name(), "commune": "", "erased_at": now}


def _clean_beneficiary(
    *, first_name: str, age_bracket: str, commune: str, commune_insee: str, situation: str, consent: bool,
) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    first_name = " ".join((first_name or "").split())
    commune = " ".join((commune or "").split())
    commune_insee = (commune_insee or "").strip().upper()
    if not first_name:
        errors["first_name"] = [gettext("Give a first name or a pseudonym.")]
    elif len(first_name) > FIRST_NAME_MAX:
        errors["first_name"] = [gettext("At most %(max)d characters.") % {"max": FIRST_NAME_MAX}]
    if len(commune) > COMMUNE_MAX:
        errors["commune"] = [gettext("At most %(max)d characters.") % {"max": COMMUNE_MAX}]
    if commune_insee and not INSEE_CODE_RE.match(commune_insee):
        errors["commune_insee"] = [gettext("An INSEE code has 5 characters, e.g. 46042 (Cahors) or 2A004.")]
    if age_bracket not in coop.AgeBracket.values:
        errors["age_bracket"] = [gettext("Choose an age bracket.")]
    if situation not in coop.Situation.values:
        errors["situation"] = [gettext("Choose a situation.")]
    if not consent:
        errors["consent"] = [gettext("Record the person's consent.")]
    if errors:
        raise ValidationError(errors)
    return {"first_name": first_name, "age_bracket": age_bracket, "commune": commune,
            "commune_insee": commune_insee, "situation": situation}


def _clean_valid_from(valid_from: date | None, today: date) -> date:
    if valid_from is None:
        return today
    if valid_from < today:
        raise ValidationError({"valid_from": gettext("A voucher cannot start in the past.")})
    if valid_from > today + MAX_START_AHEAD:
        raise ValidationError({"valid_from": gettext("A voucher starts at most 3 months ahead.")})
    return valid_from


def voucher_issue(
    *, actor: User, programme: Programme, first_name: str, age_bracket: str, commune: str,
    commune_insee: str = "", situation: str, consent: bool, valid_from: date | None = None,
) -> Voucher:
    """Issue a voucher of `programme` for the actor's organisation, with a fresh code; the
    beneficiary's consent is recorded now."""
    permissions.can_issue(actor, programme).check()
    organisation_id = permissions.prescriber_organisation_id(actor)
    assert organisation_id is not None  # can_issue checked it
    beneficiary = _clean_beneficiary(
        first_name=first_name, age_bracket=age_bracket, commune=commune, commune_insee=commune_insee,
        situation=situation, consent=consent,
    )
    now = timezone.now()
    start = _clean_valid_from(valid_from, timezone.localdate(now))
    with transaction.atomic():
        for _attempt in range(CODE_ATTEMPTS):
            try:
                with transaction.atomic():
                    return Voucher.objects.create(
                        programme=programme, organisation_id=organisation_id, issued_by=actor,
                        code=codes.generate(), issued_at=now, valid_from=start,
                        valid_until=validity.valid_until(programme, start), consent_at=now, **beneficiary,
                    )
            except IntegrityError:
                continue  # the code was taken meanwhile: draw another
        raise ValidationError(gettext("No free code was found: try again."))


def voucher_cancel(*, actor: AnyUser, voucher: Voucher, reason: str) -> Voucher:
    """Cancel a voucher in progress. Its modules done stay recorded: paid when the programme
    pays per module; under the per-voucher rule a cancelled voucher is never complete, so not
    paid (the closing statement lists it)."""
    permissions.can_cancel_voucher(actor, voucher).check()
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": gettext("Say why the voucher is cancelled.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": gettext("At most %(max)d characters.") % {"max": REASON_MAX}})
    with transaction.atomic():
        changed = Voucher.objects.filter(pk=voucher.pk, status=Voucher.Status.ACTIVE).update(
            status=Voucher.Status.CANCELLED, status_reason=reason)
        if not changed:
            raise ValidationError(gettext("Only a voucher in progress can be cancelled."))
    voucher.status = Voucher.Status.CANCELLED
    voucher.status_reason = reason
    return voucher


def voucher_erase(*, actor: AnyUser, voucher: Voucher) -> bool:
    """Erase the beneficiary's first name and commune (the counts stay). Returns False when it
    was already erased (nothing changes)."""
    permissions.can_follow_voucher(actor, voucher).check()
    with transaction.atomic():
        values = erased_values(timezone.now())
        changed = Voucher.objects.filter(pk=voucher.pk, erased_at__isnull=True).update(**values)
    if changed:
        for field, value in values.items():
            setattr(voucher, field, value)
    return bool(changed)


# --- Reads of the prescriber's pages -------------------------------------------------------


def with_progress(vouchers: QuerySet[Voucher]) -> QuerySet[Voucher]:
    """`vouchers` with their programme and organisation, and `modules_total` (the programme's
    number of modules), in the same query."""
    total = (
        ProgrammeModule.objects.filter(programme=OuterRef("programme_id")).order_by()
        .values("programme").annotate(count=Count("pk")).values("count")
    )
    return vouchers.select_related("programme", "organisation").annotate(
        modules_total=Coalesce(Subquery(total), 0))


def voucher_search(
    user: AnyUser, *, status: str | None = None, programme: Programme | None = None, text: str = "", code: str = "",
) -> QuerySet[Voucher]:
    """The vouchers `user` may see, filtered: by status, programme, and a code (normalised, its
    beginning) or a first name (a part of it); the latest first."""
    vouchers = visible_vouchers(user)
    if status:
        vouchers = vouchers.filter(status=status)
    if programme is not None:
        vouchers = vouchers.filter(programme=programme)
    if text:
        condition = Q(first_name__icontains=text)
        if code:
            condition |= Q(code__startswith=code)
        vouchers = vouchers.filter(condition)
    return with_progress(vouchers).order_by("-issued_at", "-pk")


def visible_programmes(user: AnyUser) -> QuerySet[Programme]:
    """The programmes of the vouchers `user` sees (the list's filter)."""
    return Programme.objects.filter(pk__in=visible_vouchers(user).order_by().values("programme_id")).order_by("name")


def issuable_programmes(user: AnyUser) -> QuerySet[Programme]:
    """The active programmes the prescriber's organisation prescribes (none for anybody else)."""
    organisation_id = permissions.prescriber_organisation_id(user)
    if organisation_id is None:
        return Programme.objects.none()
    return Programme.objects.filter(organisations__id=organisation_id, is_active=True).order_by("name", "pk")


def expiring_soon(voucher: Voucher, today: date) -> bool:
    """In progress and ending within settings.VOUCHER_WARNING_DAYS days."""
    return voucher.status == Voucher.Status.ACTIVE and today <= voucher.valid_until <= today + timedelta(
        days=settings.VOUCHER_WARNING_DAYS)


@dataclass(frozen=True)
class Validity:
    """Where a voucher stands in time: `state` is "upcoming" (before its first day), "valid",
    "expiring" (within the warning days), "grace" (after its end, modules still recorded until
    `until`), "expired", or "ended" (completed or cancelled); `days` left in that state."""

    state: str
    days: int
    until: date


def validity_of(voucher: Voucher, today: date) -> Validity:
    if voucher.status in (Voucher.Status.COMPLETED, Voucher.Status.CANCELLED):
        return Validity("ended", 0, voucher.valid_until)
    last_day = validity.last_use_day(voucher)
    if voucher.status == Voucher.Status.EXPIRED or today > last_day:
        return Validity("expired", 0, last_day)
    if today > voucher.valid_until:
        return Validity("grace", (last_day - today).days, last_day)
    if today < voucher.valid_from:
        return Validity("upcoming", (voucher.valid_from - today).days, voucher.valid_from)
    days = (voucher.valid_until - today).days
    state = "expiring" if days <= settings.VOUCHER_WARNING_DAYS else "valid"
    return Validity(state, days, voucher.valid_until)


@dataclass
class PrescriberHome:
    counts: dict[str, int]
    total: int
    latest: list[Voucher]
    expiring: list[Voucher]


HOME_ROWS = 10


def prescriber_home(organisation_id: int, today: date) -> PrescriberHome:
    """An organisation's vouchers on the home page: counts by status, the latest, those ending
    soon (3 queries)."""
    mine = Voucher.objects.filter(organisation_id=organisation_id)
    counts = {status: 0 for status in Voucher.Status.values}
    for row in mine.order_by().values("status").annotate(count=Count("pk")):
        counts[row["status"]] = row["count"]
    latest = list(with_progress(mine).order_by("-issued_at", "-pk")[:HOME_ROWS])
    soon = today + timedelta(days=settings.VOUCHER_WARNING_DAYS)
    expiring = list(
        with_progress(mine.filter(status=Voucher.Status.ACTIVE, valid_until__gte=today, valid_until__lte=soon))
        .order_by("valid_until", "pk")[:HOME_ROWS]
    )
    return PrescriberHome(counts=counts, total=sum(counts.values()), latest=latest, expiring=expiring)


def venues_home(user: AnyUser) -> list[Venue]:
    """The participating venues `user` works in, each with `active_vouchers`: the vouchers in
    progress it served (2 queries)."""
    venues = list(my_participating_venues(user))
    counts = dict(
        VoucherUse.objects.filter(venue_id__in=[venue.pk for venue in venues], voucher__status=Voucher.Status.ACTIVE)
        .order_by().values("venue_id").annotate(count=Count("voucher_id", distinct=True))
        .values_list("venue_id", "count")
    )
    for venue in venues:
        venue.active_vouchers = counts.get(venue.pk, 0)  # type: ignore[attr-defined]
    return venues


def programmes_home(user: AnyUser) -> list[Programme]:
    """The programmes `user` runs, each with its vouchers counted by status (1 query)."""
    def by_status(status: str) -> Count:
        return Count("vouchers", filter=Q(vouchers__status=status))

    return list(
        managed_programmes(user).order_by("-is_active", "name", "pk").annotate(
            vouchers_total=Count("vouchers"), vouchers_active=by_status(Voucher.Status.ACTIVE),
            vouchers_completed=by_status(Voucher.Status.COMPLETED),
        )
    )
