"""Settlement of vouchers: what each venue is owed by a programme, its statements, paid.

A national scheme collapsed once leaving venues unpaid and nobody knowing what was owed: the
network keeps its own record of what was issued, used and paid.

What is payable to a venue for a period [start, end] (both included):

- **per module** (`Programme.PaymentRule.PER_MODULE`): every `VoucherUse` at that venue, of a
  voucher of the programme, dated in the period and not yet settled (`settlement` null); each
  is worth `programme.amount`.
- **per voucher** (`PER_VOUCHER`): a voucher's amount is owed once it is completed, split
  between the venues that delivered its modules. Each use is worth amount / number of modules
  of the programme, quantised to the cent (ROUND_HALF_UP); the last module (highest position)
  takes the remainder, so that the uses of a voucher sum to the amount exactly (100 € over 3
  modules: 33,33 + 33,33 + 33,34). Payable are the uses (not yet settled) at that venue of the
  vouchers whose `completed_at`, as a local date, is on or before the end of the period
  (completed in or before it, not yet settled).

A statement (`Settlement`) claims its uses with one conditional UPDATE (`settlement` null →
the statement, with each use's amount): a use is never in two statements; when fewer uses were
claimed than read (someone settled meanwhile) nothing is kept and the second person is told.
It stores its totals, is marked paid once (conditional UPDATE), and may be cancelled while
unpaid (its uses are released).

The closing statement of a programme lists the vouchers that ended unfinished (expired, or
still in progress past their end) by organisation, with the amount that was not spent: per
voucher, the amount × the unfinished vouchers; per module, the amount × the modules not done.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, DecimalField, Max, Q, QuerySet, Sum, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mediation import permissions
from mediation.models import Programme, ProgrammeModule, Settlement, Voucher, VoucherUse

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from directory.models import Venue
    from members.models import User

CENT = Decimal("0.01")
PER_MODULE = Programme.PaymentRule.PER_MODULE
PER_VOUCHER = Programme.PaymentRule.PER_VOUCHER


# --- Texts -----------------------------------------------------------------------------------


def euros(value: Decimal | int | None) -> str:
    """"1 350,00 €" in French (non-breaking spaces), "1,350.00 €" in English."""
    number = formats.number_format(Decimal(value or 0).quantize(CENT), 2, use_l10n=True, force_grouping=True)
    return f"{number}\u00a0€"


def csv_amount(value: Decimal | None) -> str:
    """An amount in a CSV for French Excel (the convention of workshops' registrations_csv:
    UTF-8 with BOM, ";" between fields): a comma before the cents, no grouping ("1350,00")."""
    return f"{Decimal(value or 0).quantize(CENT)}".replace(".", ",")


# --- Amounts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """How a programme's amount falls on its uses: `share` for each module, `last_share` for the
    module at `last_position` (per voucher: it takes the remainder)."""

    share: Decimal
    last_share: Decimal
    last_position: int | None
    modules: int

    def amount_of(self, position: int) -> Decimal:
        return self.last_share if position == self.last_position else self.share


def split_of(programme: Programme) -> Split:
    """The split of `programme`'s amount (one query for a per voucher programme, none per module)."""
    amount = Decimal(programme.amount).quantize(CENT)
    if programme.payment_rule == PER_MODULE:
        return Split(amount, amount, None, 0)
    stats = ProgrammeModule.objects.filter(programme=programme).aggregate(count=Count("pk"), last=Max("position"))
    count = stats["count"] or 0
    if not count:
        return Split(Decimal("0.00"), Decimal("0.00"), None, 0)
    share = (amount / count).quantize(CENT, rounding=ROUND_HALF_UP)
    return Split(share, amount - share * (count - 1), stats["last"], count)


def _day_after_start(day: date) -> datetime:
    """The first moment (local time) of the day after `day`: completed_at before it is on or before `day`."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def _payable_uses(programme: Programme, start: date, end: date) -> QuerySet[VoucherUse]:
    uses = VoucherUse.objects.filter(voucher__programme=programme, settlement__isnull=True)
    if programme.payment_rule == PER_MODULE:
        return uses.filter(date__gte=start, date__lte=end)
    return uses.filter(voucher__completed_at__isnull=False, voucher__completed_at__lt=_day_after_start(end))


@dataclass(frozen=True)
class PayableUse:
    use: VoucherUse
    amount: Decimal


def payable(programme: Programme, venue: Venue, start: date, end: date) -> list[PayableUse]:
    """The uses payable to `venue` for [start, end] with their amounts (two queries), ordered by
    voucher code then module."""
    split = split_of(programme)
    uses = (
        _payable_uses(programme, start, end).filter(venue=venue)
        .select_related("voucher", "module").order_by("voucher__code", "module__position", "pk")
    )
    return [PayableUse(use, split.amount_of(use.module.position)) for use in uses]


@dataclass
class OwedRow:
    venue_id: int
    venue_name: str
    vouchers: int
    modules: int
    amount: Decimal


def owed_summary(programme: Programme, start: date, end: date) -> list[OwedRow]:
    """Per venue, what is payable for [start, end]: vouchers, modules, amount; by venue name.
    Two queries, whatever the number of venues."""
    split = split_of(programme)
    rows = (
        _payable_uses(programme, start, end).order_by().values("venue_id", "venue__name")
        .annotate(
            modules=Count("pk"), vouchers=Count("voucher_id", distinct=True),
            last=Count("pk", filter=Q(module__position=split.last_position)) if split.last_position else Value(0),
        )
        .order_by("venue__name", "venue_id")
    )
    return [
        OwedRow(row["venue_id"], row["venue__name"], row["vouchers"], row["modules"],
                split.share * (row["modules"] - row["last"]) + split.last_share * row["last"])
        for row in rows
    ]


# --- Statements ------------------------------------------------------------------------------


def settlement_create(*, actor: User, programme: Programme, venue: Venue, start: date, end: date) -> Settlement:
    """Draw up the statement of what `programme` owes `venue` for [start, end]; its uses are
    claimed at once (a use is never in two statements)."""
    permissions.can_settle(actor, programme).check()
    if end < start:
        raise ValidationError(_("The period ends before it starts."))
    with transaction.atomic():
        lines = payable(programme, venue, start, end)
        if not lines:
            raise ValidationError(_("Nothing is owed to this venue for this period."))
        settlement = Settlement.objects.create(
            programme=programme, venue=venue, period_start=start, period_end=end, created_by=actor,
            total=sum((line.amount for line in lines), Decimal("0.00")),
            vouchers_count=len({line.use.voucher_id for line in lines}), modules_count=len(lines),
        )
        by_amount: dict[Decimal, list[int]] = defaultdict(list)
        for line in lines:
            by_amount[line.amount].append(line.use.pk)
        amount_field = DecimalField(max_digits=8, decimal_places=2)
        claimed = VoucherUse.objects.filter(pk__in=[line.use.pk for line in lines], settlement__isnull=True).update(
            settlement=settlement,
            amount=Case(*(When(pk__in=ids, then=Value(amount, output_field=amount_field))
                          for amount, ids in by_amount.items()), output_field=amount_field),
        )
        if claimed != len(lines):
            # Another statement took some of these modules meanwhile: keep nothing.
            raise ValidationError(
                _("Someone else drew up a statement for these modules meanwhile: look at the statements."),
                code="conflict",
            )
    return settlement


def _paid_text(settlement: Settlement) -> str:
    paid_at = settlement.paid_at
    return formats.date_format(timezone.localdate(paid_at), "j F Y") if paid_at else ""


def settlement_mark_paid(*, actor: User, settlement: Settlement, paid_on: date, reference: str = "") -> Settlement:
    """Record that the statement was paid on `paid_on` (once)."""
    permissions.can_settle(actor, settlement.programme).check()
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    if paid_on < settlement.period_start:
        raise ValidationError({"paid_on": _("The payment date is before the period of the statement.")})
    paid_at = timezone.make_aware(datetime.combine(paid_on, time(12)))
    reference = reference.strip()[:100]
    with transaction.atomic():
        done = Settlement.objects.filter(pk=settlement.pk, paid_at__isnull=True).update(
            paid_at=paid_at, paid_by=actor, payment_reference=reference,
        )
        if done != 1:
            current = Settlement.objects.filter(pk=settlement.pk).first()
            if current is None:
                raise ValidationError(_("This statement was cancelled meanwhile."), code="conflict")
            raise ValidationError(_("This statement was already marked paid on %(date)s.")
                                  % {"date": _paid_text(current)}, code="conflict")
    settlement.paid_at, settlement.paid_by, settlement.payment_reference = paid_at, actor, reference
    return settlement


def settlement_cancel(*, actor: User, settlement: Settlement) -> int:
    """Cancel an unpaid statement (a mistake): its uses are released, to be settled again.
    Returns how many uses were released."""
    permissions.can_settle(actor, settlement.programme).check()
    with transaction.atomic():
        locked = list(
            Settlement.objects.select_for_update(of=("self",)).filter(pk=settlement.pk, paid_at__isnull=True)
            .order_by().values_list("pk", flat=True)
        )
        if not locked:
            raise ValidationError(_("Only a statement not yet paid can be cancelled."), code="conflict")
        released = VoucherUse.objects.filter(settlement_id=settlement.pk).update(settlement=None, amount=None)
        Settlement.objects.filter(pk=settlement.pk).delete()
    return released


# --- Reading ---------------------------------------------------------------------------------


def visible_settlements(user: AnyUser) -> QuerySet[Settlement]:
    """The statements `user` may read: their programmes' (managers), their venues' (animators)."""
    condition = Q(pk__in=[])
    if permissions.can_manage_any_programme(user):
        territories = permissions.managed_territory_ids(user)
        condition |= Q(pk__isnull=False) if territories is None else Q(programme__territory_id__in=territories)
    venues = permissions.attached_venue_ids(user)
    if venues:
        condition |= Q(venue_id__in=venues)
    return Settlement.objects.filter(condition)


@dataclass
class StatementLine:
    """One voucher of a statement: its code, the modules settled, their amount."""

    code: str
    positions: list[int] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    amount: Decimal = Decimal("0.00")

    @property
    def modules_text(self) -> str:
        return ", ".join(str(position) for position in self.positions)

    @property
    def first_date(self) -> date | None:
        return min(self.dates) if self.dates else None

    @property
    def last_date(self) -> date | None:
        return max(self.dates) if self.dates else None


def statement_lines(settlement: Settlement) -> list[StatementLine]:
    """The statement's lines, one per voucher, by code (one query). Never the beneficiary."""
    lines: dict[int, StatementLine] = {}
    uses = (
        VoucherUse.objects.filter(settlement=settlement).select_related("voucher", "module")
        .only("date", "amount", "voucher__code", "module__position").order_by("voucher__code", "module__position")
    )
    for use in uses:
        line = lines.setdefault(use.voucher_id, StatementLine(use.voucher.display_code))
        line.positions.append(use.module.position)
        line.dates.append(use.date)
        line.amount += use.amount or Decimal("0.00")
    return list(lines.values())


# --- Closing ---------------------------------------------------------------------------------


def closing_vouchers(programme: Programme, *, today: date, ended_from: date | None = None,
                     ended_until: date | None = None) -> QuerySet[Voucher]:
    """The vouchers of `programme` that ended unfinished: expired, cancelled, or in progress
    past their end (`valid_until` before `today`); optionally those whose validity ended in a
    window. (A cancelled voucher is not paid under the per-voucher rule: it is never complete.)"""
    vouchers = Voucher.objects.filter(programme=programme).filter(
        Q(status__in=(Voucher.Status.EXPIRED, Voucher.Status.CANCELLED))
        | Q(status=Voucher.Status.ACTIVE, valid_until__lt=today)
    )
    if ended_from is not None:
        vouchers = vouchers.filter(valid_until__gte=ended_from)
    if ended_until is not None:
        vouchers = vouchers.filter(valid_until__lte=ended_until)
    return vouchers


@dataclass
class ClosingRow:
    organisation_id: int
    organisation_name: str
    vouchers: int
    modules_done: int
    modules_left: int
    unspent: Decimal


@dataclass
class Closing:
    modules: int  # in the programme
    rows: list[ClosingRow]
    vouchers: int
    modules_done: int
    modules_left: int
    unspent: Decimal


def closing_summary(programme: Programme, vouchers: QuerySet[Voucher]) -> Closing:
    """Per organisation: the unfinished vouchers, modules done and left, the amount not spent
    (per voucher: amount × vouchers; per module: amount × modules left). Two queries."""
    modules = ProgrammeModule.objects.filter(programme=programme).count()
    amount = Decimal(programme.amount).quantize(CENT)
    grouped = (
        vouchers.order_by().values("organisation_id", "organisation__name")
        .annotate(count=Count("pk"), done=Sum("modules_done")).order_by("organisation__name", "organisation_id")
    )
    rows = []
    for row in grouped:
        done = row["done"] or 0
        left = max(modules * row["count"] - done, 0)
        unspent = amount * (left if programme.payment_rule == PER_MODULE else row["count"])
        rows.append(ClosingRow(row["organisation_id"], row["organisation__name"], row["count"], done, left, unspent))
    return Closing(
        modules=modules, rows=rows, vouchers=sum(r.vouchers for r in rows),
        modules_done=sum(r.modules_done for r in rows), modules_left=sum(r.modules_left for r in rows),
        unspent=sum((r.unspent for r in rows), Decimal("0.00")),
    )
