"""A voucher's dates: valid for the programme's months from its first day, then a grace period
during which modules are still recorded; blocked after it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

if TYPE_CHECKING:
    from mediation.models import Programme, Voucher


def valid_until(programme: Programme, valid_from: date) -> date:
    """The last day of validity: `validity_months` later, the day before (1 March → 28 February)."""
    return valid_from + relativedelta(months=programme.validity_months) - timedelta(days=1)


def last_use_day(voucher: Voucher) -> date:
    """The last day a module may be recorded: the end of validity plus the grace period."""
    return voucher.valid_until + timedelta(days=voucher.programme.grace_days)
