"""Settlement services and selectors: every figure computed by hand."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from extranet.testing.factories import CoordinatorFactory, ProgrammeFactory, TerritoryFactory, UserFactory
from mediation import settlement
from mediation.models import Programme, Settlement, VoucherUse
from mediation.tests.settle_data import paris, split_six_four, voucher_with_uses, world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English (the msgids); one test checks the French too."""
    with translation.override("en"):
        yield

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
APRIL = (date(2026, 4, 1), date(2026, 4, 30))
Q1 = (date(2026, 1, 1), date(2026, 3, 31))


@pytest.fixture
def w():
    return world()


def amounts(lines):
    return [str(line.amount) for line in lines]


# --- Amounts ---------------------------------------------------------------------------------


def test_per_voucher_150_split_6_4_between_two_venues(w):
    split_six_four(w)
    a = settlement.payable(w["programme"], w["venue_a"], *MARCH)
    b = settlement.payable(w["programme"], w["venue_b"], *MARCH)
    assert amounts(a) == ["15.00"] * 6
    assert amounts(b) == ["15.00"] * 4
    assert sum(line.amount for line in a) == Decimal("90.00")
    assert sum(line.amount for line in b) == Decimal("60.00")


def test_per_voucher_100_over_3_modules_the_last_takes_the_remainder(w):
    programme = ProgrammeFactory(amount=Decimal("100.00"), modules=3, venues=[w["venue_a"]])
    voucher_with_uses(programme, w["organisation"],
                      [(w["venue_a"], 3, date(2026, 3, 3)), (w["venue_a"], 1, date(2026, 3, 1)),
                       (w["venue_a"], 2, date(2026, 3, 2))], completed_at=paris(2026, 3, 3))
    lines = settlement.payable(programme, w["venue_a"], *MARCH)
    assert [(line.use.module.position, str(line.amount)) for line in lines] == [
        (1, "33.33"), (2, "33.33"), (3, "33.34")]
    statement = settlement.settlement_create(actor=w["coordinator"], programme=programme, venue=w["venue_a"],
                                             start=MARCH[0], end=MARCH[1])
    assert statement.total == Decimal("100.00")


def test_per_voucher_a_voucher_not_completed_is_not_payable(w):
    voucher_with_uses(w["programme"], w["organisation"], [(w["venue_a"], 1, date(2026, 3, 2))])
    assert settlement.payable(w["programme"], w["venue_a"], *MARCH) == []
    assert settlement.owed_summary(w["programme"], *MARCH) == []


def test_per_voucher_completed_after_the_period_waits_completed_before_carries_over(w):
    split_six_four(w, completed_at=paris(2026, 4, 2))
    assert settlement.payable(w["programme"], w["venue_a"], *MARCH) == []
    assert len(settlement.payable(w["programme"], w["venue_a"], *APRIL)) == 6
    # Completed in February, not settled then: still payable in March.
    other = split_six_four(w, completed_at=paris(2026, 2, 27))
    march = settlement.payable(w["programme"], w["venue_a"], *MARCH)
    assert [line.use.voucher_id for line in march] == [other.pk] * 6


def test_per_voucher_the_local_date_of_completion_counts(w):
    # 31 March 23:30 in Paris is 21:30 UTC: in March.
    late = split_six_four(w, completed_at=paris(2026, 3, 31, 23, 30))
    # 1 April 00:30 in Paris (22:30 UTC on 31 March): in April.
    after = split_six_four(w, completed_at=paris(2026, 4, 1, 0, 30))
    march = {line.use.voucher_id for line in settlement.payable(w["programme"], w["venue_a"], *MARCH)}
    april = {line.use.voucher_id for line in settlement.payable(w["programme"], w["venue_a"], *APRIL)}
    assert march == {late.pk}
    assert april == {late.pk, after.pk}


def test_per_module_each_use_of_the_period_is_worth_the_amount(w):
    programme = ProgrammeFactory(amount=Decimal("20.00"), payment_rule=Programme.PaymentRule.PER_MODULE,
                                 venues=[w["venue_a"], w["venue_b"]])
    voucher_with_uses(programme, w["organisation"], [
        (w["venue_a"], 1, date(2026, 3, 5)), (w["venue_a"], 2, date(2026, 3, 20)),
        (w["venue_a"], 3, date(2026, 4, 2)), (w["venue_b"], 4, date(2026, 3, 31)),
    ])
    voucher_with_uses(programme, w["organisation"], [(w["venue_a"], 1, date(2026, 2, 28))])
    assert amounts(settlement.payable(programme, w["venue_a"], *MARCH)) == ["20.00", "20.00"]
    rows = settlement.owed_summary(programme, *MARCH)
    assert [(r.venue_name, r.vouchers, r.modules, str(r.amount)) for r in rows] == [
        ("Espace Cahors", 1, 2, "40.00"), ("Médiathèque Figeac", 1, 1, "20.00")]
    q1 = settlement.owed_summary(programme, *Q1)
    assert [(r.venue_name, r.vouchers, r.modules, str(r.amount)) for r in q1] == [
        ("Espace Cahors", 2, 3, "60.00"), ("Médiathèque Figeac", 1, 1, "20.00")]


def test_owed_summary_per_voucher_sums_the_shares_and_remainders(w):
    programme = ProgrammeFactory(amount=Decimal("100.00"), modules=3, venues=[w["venue_a"], w["venue_b"]])
    # Voucher 1: modules 1, 2 at A, 3 at B -> A 66.66, B 33.34. Voucher 2: all at A -> 100.00.
    voucher_with_uses(programme, w["organisation"], [
        (w["venue_a"], 1, date(2026, 3, 1)), (w["venue_a"], 2, date(2026, 3, 2)),
        (w["venue_b"], 3, date(2026, 3, 3))], completed_at=paris(2026, 3, 3))
    voucher_with_uses(programme, w["organisation"], [
        (w["venue_a"], 1, date(2026, 3, 1)), (w["venue_a"], 2, date(2026, 3, 2)),
        (w["venue_a"], 3, date(2026, 3, 3))], completed_at=paris(2026, 3, 3))
    rows = settlement.owed_summary(programme, *MARCH)
    assert [(r.venue_name, r.vouchers, r.modules, str(r.amount)) for r in rows] == [
        ("Espace Cahors", 2, 5, "166.66"), ("Médiathèque Figeac", 1, 1, "33.34")]


def test_owed_summary_takes_a_fixed_number_of_queries(w, django_assert_num_queries):
    for _index in range(3):
        split_six_four(w)
    with django_assert_num_queries(2):
        rows = settlement.owed_summary(w["programme"], *MARCH)
    assert [(r.venue_name, r.vouchers, r.modules, str(r.amount)) for r in rows] == [
        ("Espace Cahors", 3, 18, "270.00"), ("Médiathèque Figeac", 3, 12, "180.00")]


def test_euros_in_french_and_in_english():
    with translation.override("fr"):
        assert settlement.euros(Decimal("1350")) == "1\u00a0350,00\u00a0€"
    with translation.override("en"):
        assert settlement.euros(Decimal("1350")) == "1,350.00\u00a0€"
    assert settlement.csv_amount(Decimal("1350")) == "1350,00"


# --- Drawing up ------------------------------------------------------------------------------


def test_settlement_create_claims_the_uses_with_their_amounts(w):
    voucher = split_six_four(w)
    statement = settlement.settlement_create(actor=w["coordinator"], programme=w["programme"],
                                             venue=w["venue_a"], start=MARCH[0], end=MARCH[1])
    assert (statement.total, statement.vouchers_count, statement.modules_count) == (Decimal("90.00"), 1, 6)
    assert statement.created_by == w["coordinator"]
    settled = VoucherUse.objects.filter(settlement=statement)
    assert sorted(settled.values_list("module__position", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert set(settled.values_list("amount", flat=True)) == {Decimal("15.00")}
    assert VoucherUse.objects.filter(voucher=voucher, settlement__isnull=True).count() == 4


def test_a_use_is_never_in_two_statements(w):
    split_six_four(w)
    settlement.settlement_create(actor=w["coordinator"], programme=w["programme"], venue=w["venue_a"],
                                 start=MARCH[0], end=MARCH[1])
    with pytest.raises(ValidationError, match="Nothing is owed to this venue for this period"):
        settlement.settlement_create(actor=w["coordinator"], programme=w["programme"], venue=w["venue_a"],
                                     start=Q1[0], end=Q1[1])
    assert Settlement.objects.count() == 1


def test_settlement_create_with_nothing_owed_is_refused_and_saves_nothing(w):
    with pytest.raises(ValidationError, match="Nothing is owed to this venue for this period"):
        settlement.settlement_create(actor=w["coordinator"], programme=w["programme"], venue=w["venue_a"],
                                     start=MARCH[0], end=MARCH[1])
    assert not Settlement.objects.exists()


def test_settlement_create_period_ending_before_it_starts_is_invalid(w):
    split_six_four(w)
    with pytest.raises(ValidationError, match="The period ends before it starts"):
        settlement.settlement_create(actor=w["coordinator"], programme=w["programme"], venue=w["venue_a"],
                                     start=MARCH[1], end=MARCH[0])


@pytest.mark.parametrize("who", ["animator", "other_local_admin", "member"])
def test_settlement_create_denied(w, who):
    split_six_four(w)
    if who == "animator":
        actor = w["animator_a"]
    elif who == "other_local_admin":
        actor = UserFactory()
        actor.referent_territories.add(TerritoryFactory())
    else:
        actor = UserFactory()
    with pytest.raises(PermissionDenied, match="Only the programme's coordinators draw up statements"):
        settlement.settlement_create(actor=actor, programme=w["programme"], venue=w["venue_a"],
                                     start=MARCH[0], end=MARCH[1])
    assert not Settlement.objects.exists()
    assert not VoucherUse.objects.filter(settlement__isnull=False).exists()


def test_local_admin_settles_a_programme_of_their_territory(w):
    territory = w["venue_a"].territory
    programme = ProgrammeFactory(territory=territory, amount=Decimal("50.00"), modules=2, venues=[w["venue_a"]])
    voucher_with_uses(programme, w["organisation"], [(w["venue_a"], 1, date(2026, 3, 1)),
                                                     (w["venue_a"], 2, date(2026, 3, 2))],
                      completed_at=paris(2026, 3, 2))
    admin = UserFactory(territory=territory)
    admin.referent_territories.add(territory)
    statement = settlement.settlement_create(actor=admin, programme=programme, venue=w["venue_a"],
                                             start=MARCH[0], end=MARCH[1])
    assert statement.total == Decimal("50.00")


# --- Paid, cancelled -------------------------------------------------------------------------


@pytest.fixture
def statement(w):
    split_six_four(w)
    return settlement.settlement_create(actor=w["coordinator"], programme=w["programme"], venue=w["venue_a"],
                                        start=MARCH[0], end=MARCH[1])


def test_mark_paid_then_twice_is_a_conflict(w, statement):
    settlement.settlement_mark_paid(actor=w["coordinator"], settlement=statement, paid_on=date(2026, 4, 15),
                                    reference="VIR-2026-041")
    statement.refresh_from_db()
    assert statement.paid_at.astimezone(settlement.timezone.get_current_timezone()).date() == date(2026, 4, 15)
    assert (statement.paid_by, statement.payment_reference) == (w["coordinator"], "VIR-2026-041")
    fresh = Settlement.objects.get(pk=statement.pk)
    fresh.paid_at = None  # as read before the other person marked it
    with translation.override("en"), pytest.raises(ValidationError,
                                                   match="already marked paid on 15 April 2026"):
        settlement.settlement_mark_paid(actor=CoordinatorFactory(), settlement=fresh, paid_on=date(2026, 4, 20))
    statement.refresh_from_db()
    assert statement.payment_reference == "VIR-2026-041"


def test_mark_paid_in_the_future_is_invalid(w, statement):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        settlement.settlement_mark_paid(actor=w["coordinator"], settlement=statement, paid_on=date(2100, 1, 1))
    statement.refresh_from_db()
    assert statement.paid_at is None


def test_mark_paid_denied_to_the_venue(w, statement):
    with pytest.raises(PermissionDenied):
        settlement.settlement_mark_paid(actor=w["animator_a"], settlement=statement, paid_on=date(2026, 4, 15))
    statement.refresh_from_db()
    assert statement.paid_at is None


def test_cancel_releases_the_uses_to_be_settled_again(w, statement):
    released = settlement.settlement_cancel(actor=w["coordinator"], settlement=statement)
    assert released == 6
    assert not Settlement.objects.exists()
    assert VoucherUse.objects.filter(settlement__isnull=True, amount__isnull=True).count() == 10
    again = settlement.settlement_create(actor=w["coordinator"], programme=w["programme"], venue=w["venue_a"],
                                         start=MARCH[0], end=MARCH[1])
    assert again.total == Decimal("90.00")


def test_cancel_a_paid_statement_is_refused(w, statement):
    settlement.settlement_mark_paid(actor=w["coordinator"], settlement=statement, paid_on=date(2026, 4, 15))
    with pytest.raises(ValidationError, match="Only a statement not yet paid can be cancelled"):
        settlement.settlement_cancel(actor=w["coordinator"], settlement=statement)
    assert VoucherUse.objects.filter(settlement=statement).count() == 6


def test_cancel_denied_to_the_venue(w, statement):
    with pytest.raises(PermissionDenied):
        settlement.settlement_cancel(actor=w["animator_a"], settlement=statement)
    assert VoucherUse.objects.filter(settlement=statement).count() == 6


# --- Closing ---------------------------------------------------------------------------------


def test_closing_summary_per_voucher_and_per_module(w):
    from extranet.testing.factories import OrganisationFactory
    from mediation.models import Voucher

    caf = OrganisationFactory(name="CAF du Lot", programmes=[w["programme"]])
    today = date(2027, 6, 1)
    # Ended unfinished: expired with 3 modules, active past its end with 0, CAF's expired with 7.
    voucher_with_uses(w["programme"], w["organisation"], [(w["venue_a"], p, date(2026, 3, p)) for p in (1, 2, 3)],
                      status=Voucher.Status.EXPIRED)
    voucher_with_uses(w["programme"], w["organisation"], [])
    voucher_with_uses(w["programme"], caf, [(w["venue_b"], p, date(2026, 4, p)) for p in range(1, 8)],
                      status=Voucher.Status.EXPIRED)
    # Cancelled (never complete, so never paid per voucher): in it too, CAF's, 0 modules.
    voucher_with_uses(w["programme"], caf, [], status=Voucher.Status.CANCELLED)
    # Not in it: completed, still valid.
    split_six_four(w)
    voucher_with_uses(w["programme"], caf, [], valid_from=date(2027, 1, 1))
    vouchers = settlement.closing_vouchers(w["programme"], today=today)
    closing = settlement.closing_summary(w["programme"], vouchers)
    assert [(r.organisation_name, r.vouchers, r.modules_done, r.modules_left, str(r.unspent))
            for r in closing.rows] == [
        ("CAF du Lot", 2, 7, 13, "300.00"), ("Mission locale du Lot", 2, 3, 17, "300.00")]
    assert (closing.vouchers, closing.modules_done, closing.modules_left, str(closing.unspent)) == (4, 10, 30, "600.00")
    Programme.objects.filter(pk=w["programme"].pk).update(payment_rule="module", amount=Decimal("15.00"))
    w["programme"].refresh_from_db()
    per_module = settlement.closing_summary(w["programme"], vouchers)
    assert [str(r.unspent) for r in per_module.rows] == ["195.00", "255.00"]
    assert str(per_module.unspent) == "450.00"


def test_settlement_create_rolls_back_when_another_statement_took_a_use_meanwhile(w, monkeypatch):
    split_six_four(w)
    read = settlement.payable

    def read_then_someone_settles(*args):
        lines = read(*args)
        other = Settlement.objects.create(programme=w["programme"], venue=w["venue_a"],
                                          period_start=date(2026, 3, 1), period_end=date(2026, 3, 31))
        VoucherUse.objects.filter(pk=lines[0].use.pk).update(settlement=other, amount=Decimal("15.00"))
        return lines

    monkeypatch.setattr(settlement, "payable", read_then_someone_settles)
    with pytest.raises(ValidationError, match="Someone else drew up a statement for these modules meanwhile"):
        settlement.settlement_create(actor=w["coordinator"], programme=w["programme"], venue=w["venue_a"],
                                     start=MARCH[0], end=MARCH[1])
    # Everything the refused attempt wrote is undone (the other statement was in its transaction too).
    assert not Settlement.objects.exists()
    assert not VoucherUse.objects.filter(settlement__isnull=False).exists()
