"""Using a voucher: looking a code up (typed, scanned, guessed) and recording modules
(mediation.uses): allowed, denied, invalid."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from extranet.testing.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    PartnerUserFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from mediation import permissions, uses
from mediation.models import ActivityRecord, Voucher, VoucherUse

pytestmark = pytest.mark.django_db

CODE = "K7MPRT4WXC"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def world():
    venue = VenueFactory(name="EPN de Figeac")
    other_venue = VenueFactory(name="Médiathèque de Gourdon")  # takes part in the programme too
    outside = VenueFactory(name="Tiers-lieu de Souillac")  # takes part in nothing
    programme = ProgrammeFactory(name="Ticket déclic Lot", venues=[venue, other_venue])
    organisation = OrganisationFactory(name="Mission locale du Lot", programmes=[programme])
    voucher = VoucherFactory(programme=programme, organisation=organisation, code=CODE,
                             valid_from=date(2026, 1, 5), valid_until=date(2027, 1, 4))
    animator = UserFactory(display_name="Alice", venues=[venue])
    colleague = UserFactory(display_name="Bruno", venues=[other_venue])
    stranger = UserFactory(display_name="Chloé", venues=[outside])
    modules = list(programme.modules.all())
    return {
        "venue": venue, "other_venue": other_venue, "outside": outside, "programme": programme,
        "organisation": organisation, "voucher": voucher, "animator": animator, "colleague": colleague,
        "stranger": stranger, "modules": modules,
    }


def lookup(user, typed, key="203.0.113.5"):
    return uses.voucher_lookup(actor=user, typed=typed, client_key=key)


def messages(error):
    return error.value.messages


# --- Lookup --------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    "K7MPRT4WXC", "k7mp rt4w xc", "K7MP-RT4W-XC", " k7mp-rt4w-xc ",
    "https://maillage.example.org/bureau/tickets/code/K7MPRT4WXC/",
])
def test_lookup_finds_the_voucher_typed_or_scanned(world, typed):
    assert lookup(world["animator"], typed) == world["voucher"]


def test_lookup_by_a_manager_without_venue(world):
    assert lookup(CoordinatorFactory(), CODE) == world["voucher"]


def test_lookup_of_an_unknown_code(world):
    with pytest.raises(ValidationError) as error:
        lookup(world["animator"], "K7MP-RT4W-XA")
    assert messages(error) == ["No voucher has this code: check it on the card."]
    with pytest.raises(ValidationError) as error:
        lookup(world["animator"], "hello")
    assert messages(error) == ["No voucher has this code: check it on the card."]


def test_lookup_of_nothing(world):
    with pytest.raises(ValidationError) as error:
        lookup(world["animator"], " - ")
    assert messages(error) == ["Type the code printed on the voucher."]


def test_lookup_from_a_venue_outside_the_programme(world):
    with pytest.raises(ValidationError) as error:
        lookup(world["stranger"], CODE)
    assert messages(error) == ["None of your venues takes part in Ticket déclic Lot."]


@pytest.mark.parametrize("who", ["member without venue", "partner", "pending animator", "anonymous"])
def test_lookup_denied_to_who_neither_animates_nor_manages(world, who):
    from django.contrib.auth.models import AnonymousUser

    user = {
        "member without venue": lambda: UserFactory(),
        "partner": lambda: PrescriberSeatFactory(user=PartnerUserFactory()).user,
        "pending animator": lambda: UserFactory(status="pending", venues=[world["venue"]]),
        "anonymous": AnonymousUser,
    }[who]()
    with pytest.raises(PermissionDenied) as error:
        lookup(user, CODE)
    assert str(error.value) == "Only the animators of a participating venue and the coordinators look up vouchers."


def test_guessing_is_limited_per_person_then_even_a_good_code_is_refused(world, settings):
    settings.VOUCHER_GUESS_LIMIT = 3
    for index in range(3):
        with pytest.raises(ValidationError) as error:
            lookup(world["animator"], "AAAAAAAAAA", key=f"198.51.100.{index}")
        assert messages(error) == ["No voucher has this code: check it on the card."]
    with pytest.raises(ValidationError) as error:
        lookup(world["animator"], CODE, key="198.51.100.9")
    assert messages(error) == ["Too many attempts: try again in a quarter of an hour."]
    # Another animator is not blocked by Alice's guesses (from another address).
    assert lookup(world["colleague"], CODE, key="192.0.2.1") == world["voucher"]


def test_guessing_is_limited_per_address_across_accounts(world, settings):
    settings.VOUCHER_GUESS_LIMIT = 2
    with pytest.raises(ValidationError):
        lookup(world["animator"], "AAAAAAAAAA")
    with pytest.raises(ValidationError):
        lookup(world["colleague"], "AAAAAAAAAA")
    third = UserFactory(venues=[world["venue"]])
    with pytest.raises(ValidationError) as error:
        lookup(third, CODE)
    assert messages(error) == ["Too many attempts: try again in a quarter of an hour."]
    assert lookup(third, CODE, key="192.0.2.7") == world["voucher"]


def test_successful_lookups_are_not_counted(world, settings):
    settings.VOUCHER_GUESS_LIMIT = 1
    for _ in range(5):
        assert lookup(world["animator"], CODE) == world["voucher"]


# --- Rules of the record page --------------------------------------------------------------------


def test_may_record_for(world):
    voucher = world["voucher"]
    assert permissions.may_record_for(world["animator"], voucher)
    assert permissions.may_record_for(world["colleague"], voucher)
    assert permissions.may_record_for(CoordinatorFactory(), voucher)
    assert not permissions.may_record_for(world["stranger"], voucher)
    assert not permissions.may_record_for(UserFactory(), voucher)
    assert not permissions.may_record_for(UserFactory(status="pending", venues=[world["venue"]]), voucher)


# --- Recording a module --------------------------------------------------------------------------


def record(world, *, actor=None, module=1, venue=None, on=None, minutes=None, voucher=None):
    return uses.module_record(
        actor=actor or world["animator"], voucher=voucher or world["voucher"], module=world["modules"][module - 1],
        venue=venue or world["venue"], date=on or timezone.localdate(), duration_minutes=minutes,
    )


def test_record_a_module(world):
    today = timezone.localdate()
    use = record(world, module=3, minutes=90)
    assert (use.voucher_id, use.module.position, use.venue, use.date, use.duration_minutes, use.recorded_by) == (
        world["voucher"].pk, 3, world["venue"], today, 90, world["animator"])
    voucher = Voucher.objects.get(pk=world["voucher"].pk)
    assert (voucher.modules_done, voucher.status, voucher.completed_at) == (1, "active", None)
    activity = ActivityRecord.objects.get(voucher_use=use)
    assert (activity.source, activity.venue, activity.date, activity.duration_minutes, activity.title) == (
        "voucher", world["venue"], today, 90, "Module 3")
    assert uses.recorded_message(use, world["voucher"]) == "Module 3 recorded: 9 modules left."


def test_duration_defaults_to_the_modules(world):
    assert record(world).duration_minutes == 120


def test_one_voucher_at_several_venues(world):
    record(world, module=1)
    record(world, actor=world["colleague"], venue=world["other_venue"], module=2)
    assert sorted(VoucherUse.objects.values_list("venue__name", flat=True)) == [
        "EPN de Figeac", "Médiathèque de Gourdon"]
    assert Voucher.objects.get(pk=world["voucher"].pk).modules_done == 2


def test_a_manager_records_at_any_participating_venue(world):
    use = record(world, actor=CoordinatorFactory(), venue=world["other_venue"])
    assert use.venue == world["other_venue"]


def test_not_an_animator_of_that_venue(world):
    with pytest.raises(PermissionDenied) as error:
        record(world, venue=world["other_venue"])
    assert str(error.value) == "You record modules only at the venues you work in."
    assert not VoucherUse.objects.exists()


def test_venue_outside_the_programme(world):
    with pytest.raises(ValidationError) as error:
        record(world, actor=world["stranger"], venue=world["outside"])
    assert error.value.messages == ["Tiers-lieu de Souillac does not take part in Ticket déclic Lot."]
    assert not VoucherUse.objects.exists()


def test_expired_past_the_grace_period(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"],
                             valid_from=date(2025, 1, 1), valid_until=date(2025, 12, 31))
    # 30 days of grace: the last day is 30 January 2026.
    with pytest.raises(ValidationError) as error:
        record(world, voucher=voucher, on=date(2026, 1, 31))
    assert error.value.messages == ["This voucher expired on 31/12/2025."]
    assert not VoucherUse.objects.exists()


def test_within_the_grace_period(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"],
                             valid_from=date(2025, 1, 1), valid_until=date(2025, 12, 31))
    use = record(world, voucher=voucher, on=date(2026, 1, 30))
    assert use.date == date(2026, 1, 30)


def test_cancelled(world):
    Voucher.objects.filter(pk=world["voucher"].pk).update(status="cancelled")
    with pytest.raises(ValidationError) as error:
        record(world)
    assert error.value.messages == ["This voucher was cancelled."]
    assert not ActivityRecord.objects.exists()


def test_future_date(world):
    with pytest.raises(ValidationError) as error:
        record(world, on=timezone.localdate() + timedelta(days=1))
    assert error.value.message_dict == {"date": ["The date cannot be in the future."]}
    assert not VoucherUse.objects.exists()


@pytest.mark.parametrize("minutes", [14, 481, 0])
def test_duration_out_of_bounds(world, minutes):
    with pytest.raises(ValidationError) as error:
        record(world, minutes=minutes)
    assert error.value.message_dict == {"duration_minutes": ["The duration is between 15 minutes and 8 hours."]}


@pytest.mark.parametrize("minutes", [15, 480])
def test_duration_bounds_allowed(world, minutes):
    assert record(world, minutes=minutes).duration_minutes == minutes


def test_module_of_another_programme(world):
    other = ProgrammeFactory(venues=[world["venue"]])
    with pytest.raises(ValidationError) as error:
        uses.module_record(actor=world["animator"], voucher=world["voucher"], module=other.modules.first(),
                           venue=world["venue"], date=timezone.localdate())
    assert error.value.message_dict == {"module": ["This module is not one of the voucher's programme."]}


def test_module_twice(world):
    record(world, module=4, on=date(2026, 3, 2))
    with pytest.raises(ValidationError) as error:
        record(world, actor=world["colleague"], venue=world["other_venue"], module=4)
    assert error.value.message_dict == {
        "module": ["Module 4 was already recorded on 02/03/2026 at EPN de Figeac."]}
    assert VoucherUse.objects.count() == 1
    assert ActivityRecord.objects.count() == 1
    assert Voucher.objects.get(pk=world["voucher"].pk).modules_done == 1


def test_completion_after_ten_modules(world, django_capture_on_commit_callbacks):
    PrescriberSeatFactory(organisation=world["organisation"], user=PartnerUserFactory(email="cip@ml-lot.test"))
    PrescriberSeatFactory(organisation=world["organisation"], user=UserFactory(email="conseil@ml-lot.test"))
    PrescriberSeatFactory(user=PartnerUserFactory(email="autre@caf.test"))  # another organisation
    with django_capture_on_commit_callbacks(execute=True):
        for position in range(1, 10):
            record(world, module=position)
    voucher = Voucher.objects.get(pk=world["voucher"].pk)
    assert (voucher.modules_done, voucher.status, voucher.completed_at) == (9, "active", None)
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        last = record(world, module=10, venue=world["other_venue"], actor=world["colleague"])
    voucher.refresh_from_db()
    assert (voucher.modules_done, voucher.status) == (10, "completed")
    assert voucher.completed_at is not None
    assert ActivityRecord.objects.filter(source="voucher").count() == 10
    assert uses.recorded_message(last, voucher) == "Module 10 recorded: the voucher is completed."
    assert sorted(message.to[0] for message in mail.outbox) == ["cip@ml-lot.test", "conseil@ml-lot.test"]
    assert mail.outbox[0].subject.startswith("[Maillage] ")
    assert "K7MP-RT4W-XC" in mail.outbox[0].subject
    assert "K7MP-RT4W-XC" in mail.outbox[0].body
    assert f"/bureau/tickets/{voucher.pk}/" in mail.outbox[0].body
    # Completed: nothing more is recorded.
    with pytest.raises(ValidationError) as error:
        record(world, module=1)
    assert error.value.messages == ["Every module of this voucher is already done."]
