"""The demo's vouchers and accompaniments (mediation.demo): relative to today, every stage
present, idempotent."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from extranet.testing.shared import building, shared_transaction
from mediation import demo
from mediation.models import (
    ActivityBeneficiary,
    ActivityRecord,
    Organisation,
    PrescriberSeat,
    Programme,
    ProgrammeModule,
    Settlement,
    Voucher,
    VoucherUse,
)
from members.demo import DEMO_PASSWORD
from members.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The whole demo (then this slice's, in case seed_demo does not call it yet), once."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            call_command("seed_demo", stdout=io.StringIO())
            demo.seed(log=lambda _line: None)
        yield


def counts():
    return tuple(model.objects.count() for model in (
        Programme, ProgrammeModule, Organisation, PrescriberSeat, Voucher, VoucherUse, Settlement, ActivityRecord,
        ActivityBeneficiary, User))


def test_seeding_twice_creates_nothing_the_second_time(seeded):
    before = counts()
    lines = []
    assert demo.seed(log=lines.append) == 0
    assert counts() == before
    assert "12 vouchers" in lines[0]


def test_the_programme_and_its_prescribers(seeded):
    programme = Programme.objects.get(name="Ticket déclic")
    assert [m.title for m in programme.modules.order_by("position")][:3] == [
        "Découvrir l’ordinateur", "Clavier et souris", "Naviguer sur Internet"]
    assert programme.modules.count() == 10
    assert (programme.amount, programme.validity_months, programme.grace_days) == (150, 12, 30)
    assert programme.funders == "Conseil départemental, CAF"
    assert programme.venues.count() == 6
    for email in ("prescription@maillage.test", "caf@maillage.test"):
        user = User.objects.get(email=email)
        assert user.status == User.Status.PARTNER
        assert user.check_password(DEMO_PASSWORD)
        assert user.prescriber_seat.organisation.programmes.filter(pk=programme.pk).exists()


def test_vouchers_at_every_stage(seeded):
    today = timezone.localdate()
    vouchers = {v.first_name: v for v in Voucher.objects.filter(programme__name="Ticket déclic")}
    assert len(vouchers) == 12
    assert sorted(n for n, v in vouchers.items() if v.status == "completed") == ["Bernard", "Nadège"]
    assert vouchers["Bernard"].modules_done == 10
    assert set(vouchers["Bernard"].uses.values_list("venue__name", flat=True)) == {
        "Cyber-base de Laroque-des-Arcs", "EPM de Montcabrier-sur-Causse"}
    assert vouchers["Monique"].valid_until == today + timedelta(days=20)
    assert vouchers["Ahmed"].status == "expired" and vouchers["Chantal"].status == "cancelled"
    assert vouchers["Lucien"].modules_done == 0
    assert all(v.modules_done == v.uses.count() for v in vouchers.values())
    # every module recorded has its activity record
    assert ActivityRecord.objects.filter(source="voucher").count() == VoucherUse.objects.count()


def test_one_statement_paid_one_not(seeded):
    statements = Settlement.objects.filter(programme__name="Ticket déclic")
    assert statements.filter(paid_at__isnull=False).count() == 1  # Nadège's, at one venue
    assert statements.filter(paid_at__isnull=True).count() == 2  # Bernard's, at two venues
    paid = statements.get(paid_at__isnull=False)
    assert (paid.total, paid.modules_count) == (150, 10)


def test_records_over_fourteen_months(seeded):
    today = timezone.localdate()
    manual = ActivityRecord.objects.filter(notes__startswith=demo.DEMO_MARK)
    assert manual.count() == 30
    assert manual.filter(kind="Collectif").count() == 9
    assert manual.filter(date__lt=today - timedelta(days=365)).exists()
    assert manual.filter(date__gte=today - timedelta(days=30)).exists()
    assert manual.filter(venue__isnull=True).exclude(place_type="LieuActivite").count() == 3
