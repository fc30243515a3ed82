"""A voucher's dates: valid for the programme's months from its first day, then a grace period
during which modules are still recorded; blocked after it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

if TYPE_CHECKING:
    from mediation.models import Programme, Voucher


def valid_until(programme: Programme, valid_from: date) -> date:
    """The last day of validity: the day before, `validity_months` later (1 March 2026 → 28
    February 2027; 31 January, one month → 28 February; 29 February 2028 → 28 February 2029).
    Counted from the day before, so a month shorter than the start's day is not cut short."""
    return valid_from - timedelta(days=1) + relativedelta(months=programme.validity_months)


def last_use_day(voucher: Voucher) -> date:
    """The last day a module may be recorded: the end of validity plus the grace period."""
    return voucher.valid_until + timedelta(days=voucher.programme.grace_days)
