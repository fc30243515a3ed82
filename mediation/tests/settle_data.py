"""Test data of the settlement slice (test_settle_*): programmes, completed vouchers and their
uses, built directly (not through the recording service)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from extranet.testing.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from mediation.models import ProgrammeModule, Voucher, VoucherUse

PARIS = ZoneInfo("Europe/Paris")


def paris(year, month, day, hour=12, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def module(programme, position):
    return ProgrammeModule.objects.get(programme=programme, position=position)


def voucher_with_uses(programme, organisation, uses, *, completed_at=None, **fields):
    """A voucher of `programme` with `uses`: [(venue, position, date)]; completed at
    `completed_at` (all modules then done) when given."""
    fields.setdefault("valid_from", date(2026, 1, 1))
    voucher = VoucherFactory(programme=programme, organisation=organisation, **fields)
    modules = {m.position: m for m in programme.modules.all()}
    for venue, position, day in uses:
        VoucherUse.objects.create(voucher=voucher, module=modules[position], venue=venue, date=day,
                                  duration_minutes=120)
    voucher.modules_done = len(uses)
    if completed_at is not None:
        voucher.status, voucher.completed_at = Voucher.Status.COMPLETED, completed_at
    voucher.save()
    return voucher


def world():
    """Two venues of the Lot in a programme of 150 € per voucher (10 modules); a coordinator, an
    animator of each venue, a prescribing organisation."""
    venue_a = VenueFactory(name="Espace Cahors")
    venue_b = VenueFactory(name="Médiathèque Figeac", territory=venue_a.territory, pivot="12345678900011")
    programme = ProgrammeFactory(name="Ticket déclic Lot", amount=Decimal("150.00"), venues=[venue_a, venue_b],
                                 funders="Conseil départemental du Lot, CAF du Lot")
    organisation = OrganisationFactory(name="Mission locale du Lot", programmes=[programme])
    coordinator = CoordinatorFactory(display_name="Coralie Coord")
    animator_a = UserFactory(display_name="Anna Cahors", territory=venue_a.territory)
    animator_a.venues.add(venue_a)
    animator_b = UserFactory(display_name="Bruno Figeac", territory=venue_a.territory)
    animator_b.venues.add(venue_b)
    return {
        "venue_a": venue_a, "venue_b": venue_b, "programme": programme, "organisation": organisation,
        "coordinator": coordinator, "animator_a": animator_a, "animator_b": animator_b,
    }


def split_six_four(w, *, completed_at=None, code=None):
    """A voucher done 6 modules at A (March) and 4 at B (March), completed on 20 March 2026."""
    uses = [(w["venue_a"], position, date(2026, 3, position)) for position in range(1, 7)]
    uses += [(w["venue_b"], position, date(2026, 3, 10 + position)) for position in range(7, 11)]
    extra = {"code": code} if code else {}
    return voucher_with_uses(w["programme"], w["organisation"], uses,
                             completed_at=completed_at or paris(2026, 3, 20), **extra)
