"""Activity records: services and the records kept in step with vouchers and sessions.

Owned by the activity slice; `record_from_use` is the contract the vouchers' module
recording calls inside its transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mediation import coop
from mediation.models import ActivityBeneficiary, ActivityRecord

if TYPE_CHECKING:
    from mediation.models import VoucherUse


def record_from_use(use: VoucherUse) -> ActivityRecord:
    """The individual record of one voucher module (in the caller's transaction): at the
    venue, the module's duration, the beneficiary described as on the voucher but without
    their first name (the record outlives the voucher's erasure)."""
    voucher = use.voucher
    record = ActivityRecord.objects.create(
        kind=coop.Kind.INDIVIDUAL, source=ActivityRecord.Source.VOUCHER, date=use.date,
        duration_minutes=use.duration_minutes, place_type=coop.PlaceType.VENUE, venue=use.venue,
        territory_id=use.venue.territory_id, title=use.module.title, participants=1,
        recorded_by=use.recorded_by, voucher_use=use,
    )
    ActivityBeneficiary.objects.create(
        record=record, age_bracket=voucher.age_bracket, situation=voucher.situation,
        commune=voucher.commune, commune_insee=voucher.commune_insee,
    )
    return record
