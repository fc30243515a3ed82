"""The periodic work of vouchers: expiry warnings (once) and expiry after the grace period."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from core.models import Notification
from extranet.testing.factories import OrganisationFactory, PrescriberSeatFactory, ProgrammeFactory
from mediation import tasks
from mediation.models import Voucher
from mediation.tests.settle_data import voucher_with_uses, world

pytestmark = pytest.mark.django_db


def expiring(w, organisation, days, *, code, uses=(), **fields):
    today = timezone.localdate()
    return voucher_with_uses(w["programme"], organisation, list(uses), code=code,
                             valid_from=today - timedelta(days=300), valid_until=today + timedelta(days=days),
                             **fields)


def test_warnings_one_email_per_prescriber_listing_their_vouchers_once(
        w_tasks, django_capture_on_commit_callbacks):
    w, caf = w_tasks
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expiry_warnings_send() == 3
    by_person = {message.to[0]: message.body for message in mail.outbox
                 if message.subject == "[Maillage] Des tickets de votre structure expirent bientôt"}
    assert sorted(by_person) == ["anne@ml.test", "bob@ml.test", "chloe@caf.test"]
    assert "AAAA-AAAA-AA" in by_person["anne@ml.test"] and "BBBB-BBBB-BB" in by_person["anne@ml.test"]
    assert "CCCC" not in by_person["anne@ml.test"] and "DDDD" not in by_person["anne@ml.test"]
    assert "9\u00a0modules restants" in by_person["anne@ml.test"] or "9 modules restants" in by_person["anne@ml.test"]
    assert "EEEE-EEEE-EE" in by_person["chloe@caf.test"] and "AAAA" not in by_person["chloe@caf.test"]
    assert Voucher.objects.filter(expiry_warned_at__isnull=False).count() == 3
    notes = Notification.objects.filter(verb="mediation.voucher_expiring")
    assert [(n.recipient, n.target_label) for n in notes] == [(w["animator_a"], "1 ticket accueilli à Espace Cahors")]
    # Run again (cron, or twice at once): nothing more.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.expiry_warnings_send() == 0
    assert mail.outbox == []
    assert notes.count() == 1


@pytest.fixture
def w_tasks():
    w = world()
    caf = OrganisationFactory(name="CAF du Lot", programmes=[w["programme"]])
    PrescriberSeatFactory(organisation=w["organisation"], user__email="anne@ml.test")
    PrescriberSeatFactory(organisation=w["organisation"], user__email="bob@ml.test")
    PrescriberSeatFactory(organisation=caf, user__email="chloe@caf.test")
    today = timezone.localdate()
    expiring(w, w["organisation"], 10, code="AAAAAAAAAA", uses=[(w["venue_a"], 1, today - timedelta(days=20))])
    expiring(w, w["organisation"], 30, code="BBBBBBBBBB")
    expiring(w, w["organisation"], 31, code="CCCCCCCCCC")  # not yet
    expiring(w, w["organisation"], 5, code="DDDDDDDDDD", status=Voucher.Status.CANCELLED)
    expiring(w, caf, 5, code="EEEEEEEEEE")
    return w, caf


def test_expire_after_the_grace_period_once():
    w = world()
    short = ProgrammeFactory(grace_days=0)
    today = timezone.localdate()
    past = voucher_with_uses(w["programme"], w["organisation"], [], valid_until=today - timedelta(days=31))
    in_grace = voucher_with_uses(w["programme"], w["organisation"], [], valid_until=today - timedelta(days=30))
    done = voucher_with_uses(w["programme"], w["organisation"], [], valid_until=today - timedelta(days=40),
                             status=Voucher.Status.COMPLETED)
    no_grace = voucher_with_uses(short, w["organisation"], [], valid_until=today - timedelta(days=1))
    assert tasks.vouchers_expire() == 2
    statuses = dict(Voucher.objects.values_list("pk", "status"))
    assert statuses == {past.pk: "expired", in_grace.pk: "active", done.pk: "completed", no_grace.pk: "expired"}
    assert tasks.vouchers_expire() == 0


def test_command_runs_both_steps():
    w = world()
    today = timezone.localdate()
    voucher_with_uses(w["programme"], w["organisation"], [], valid_until=today - timedelta(days=31))
    out = __import__("io").StringIO()
    call_command("run_voucher_tasks", stdout=out)
    assert out.getvalue() == "expiry warnings: 0\nvouchers expired: 1\n"
