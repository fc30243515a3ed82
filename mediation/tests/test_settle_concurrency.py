"""Settlement under real parallel attempts (threads, each with its own connection)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import CoordinatorFactory, PrescriberSeatFactory
from mediation import settlement, tasks
from mediation.models import Programme, Settlement, Voucher, VoucherUse
from mediation.tests.settle_data import split_six_four, voucher_with_uses, world
from members.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_coordinators_settling_at_once_make_one_statement():
    w = world()
    split_six_four(w)
    second = CoordinatorFactory()

    def attempt(user_id):
        def prepare():
            return User.objects.get(pk=user_id), Programme.objects.get(pk=w["programme"].pk)

        def act(prepared):
            user, programme = prepared
            return settlement.settlement_create(actor=user, programme=programme, venue=w["venue_a"],
                                                start=date(2026, 3, 1), end=date(2026, 3, 31))

        return {"prepare": prepare, "act": act}

    results = run_together([attempt(w["coordinator"].pk), attempt(second.pk)], language="en")
    assert outcomes(results) == ["invalid", "ok"]
    message = next(value for outcome, value in results if outcome == "invalid").messages[0]
    assert message in ("Nothing is owed to this venue for this period.",
                       "Someone else drew up a statement for these modules meanwhile: look at the statements.")
    statement = Settlement.objects.get()
    assert statement.total == 90
    assert VoucherUse.objects.filter(settlement=statement).count() == 6
    assert VoucherUse.objects.filter(settlement__isnull=False).exclude(settlement=statement).count() == 0


def test_two_runs_of_the_warnings_at_once_send_once():
    w = world()
    PrescriberSeatFactory(organisation=w["organisation"], user__email="anne@ml.test")
    today = timezone.localdate()
    for code in ("AAAAAAAAAA", "BBBBBBBBBB"):
        voucher_with_uses(w["programme"], w["organisation"], [], code=code, valid_from=today - timedelta(days=300),
                          valid_until=today + timedelta(days=10))
    mail.outbox = []
    results = run_together([tasks.expiry_warnings_send, tasks.expiry_warnings_send])
    assert outcomes(results) == ["ok", "ok"]
    assert sorted(value for _outcome, value in results) in ([0, 2], [1, 1])
    bodies = [message.body for message in mail.outbox if message.to == ["anne@ml.test"]]
    assert sum(body.count("AAAA-AAAA-AA") for body in bodies) == 1
    assert sum(body.count("BBBB-BBBB-BB") for body in bodies) == 1
    assert Voucher.objects.filter(expiry_warned_at__isnull=True).count() == 0
