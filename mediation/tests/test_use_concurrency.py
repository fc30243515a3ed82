"""Recording modules holds under real parallel attempts (threads, own connections), on SQLite
and PostgreSQL: each module once, the voucher completed once."""

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import (
    OrganisationFactory,
    PartnerUserFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from mediation import uses
from mediation.models import ActivityRecord, ProgrammeModule, Voucher, VoucherUse
from members.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def _world():
    figeac, gourdon = VenueFactory(name="EPN de Figeac"), VenueFactory(name="Médiathèque de Gourdon")
    programme = ProgrammeFactory(venues=[figeac, gourdon])
    organisation = OrganisationFactory(programmes=[programme])
    PrescriberSeatFactory(organisation=organisation, user=PartnerUserFactory(email="cip@ml-lot.test"))
    voucher = VoucherFactory(programme=programme, organisation=organisation, valid_from=date(2026, 1, 5),
                             valid_until=date(2027, 1, 4))
    return figeac, gourdon, programme, voucher


def _attempt(user_id, voucher_id, module_id, venue_id):
    from directory.models import Venue

    def prepare():  # the thread's own copies, loaded before the barrier
        return (User.objects.get(pk=user_id), Voucher.objects.get(pk=voucher_id),
                ProgrammeModule.objects.get(pk=module_id), Venue.objects.get(pk=venue_id))

    def act(prepared):
        actor, voucher, module, venue = prepared
        return uses.module_record(actor=actor, voucher=voucher, module=module, venue=venue,
                                  date=timezone.localdate())

    return {"prepare": prepare, "act": act}


def test_two_animators_record_the_same_module_at_once():
    figeac, gourdon, programme, voucher = _world()
    alice, bruno = UserFactory(venues=[figeac]), UserFactory(venues=[gourdon])
    module = programme.modules.get(position=3)

    results = run_together([_attempt(alice.pk, voucher.pk, module.pk, figeac.pk),
                            _attempt(bruno.pk, voucher.pk, module.pk, gourdon.pk)], language="fr")
    assert outcomes(results) == ["invalid", "ok"]
    use = VoucherUse.objects.get()
    refusal = next(value for outcome, value in results if outcome == "invalid")
    today = timezone.localdate().strftime("%d/%m/%Y")
    english = f"Module 3 was already recorded on {today} at {use.venue.name}."
    french = f"Le module 3 a déjà été enregistré le {today} à {use.venue.name}."
    assert refusal.message_dict["module"][0] in (french, english)  # French once the translation lands
    assert ActivityRecord.objects.filter(voucher_use=use).count() == 1
    assert ActivityRecord.objects.count() == 1
    assert Voucher.objects.get(pk=voucher.pk).modules_done == 1


def test_ten_modules_at_once_complete_the_voucher_once():
    figeac, gourdon, programme, voucher = _world()
    animators = [UserFactory(venues=[figeac if index % 2 else gourdon]) for index in range(10)]
    modules = list(programme.modules.all())
    attempts = [
        _attempt(animator.pk, voucher.pk, module.pk, (figeac if index % 2 else gourdon).pk)
        for index, (animator, module) in enumerate(zip(animators, modules, strict=True))
    ]
    results = run_together(attempts)
    assert outcomes(results) == ["ok"] * 10
    voucher.refresh_from_db()
    assert (voucher.modules_done, voucher.status) == (10, "completed")
    assert voucher.completed_at is not None
    assert VoucherUse.objects.filter(voucher=voucher).count() == 10
    assert ActivityRecord.objects.count() == 10
    assert [message.to for message in mail.outbox] == [["cip@ml-lot.test"]]
