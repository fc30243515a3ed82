"""Issuing and following vouchers (mediation.vouchers, mediation.purge, mediation.codes):
allowed, denied, invalid."""

import io
from datetime import date, datetime, timedelta
from functools import partial
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from mediation import codes, purge, vouchers
from mediation.models import Voucher

pytestmark = pytest.mark.django_db


def erased():
    """The pseudonym erased vouchers get, in the site's language (French once the catalogue is compiled)."""
    with translation.override("fr"):
        return translation.gettext("Erased person")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    return {"vouchers": sorted(Voucher.objects.values_list(
        "pk", "status", "status_reason", "first_name", "commune", "commune_insee", "erased_at"))}


refused = partial(assertions.refused, state)


@pytest.fixture
def world():
    programme = ProgrammeFactory(name="Ticket déclic Lot", venues=[VenueFactory(name="EPN de Figeac")])
    other_programme = ProgrammeFactory(name="Ticket déclic Cantal")
    organisation = OrganisationFactory(name="Mission locale du Lot", programmes=[programme])
    prescriber = PrescriberSeatFactory(organisation=organisation).user
    other_prescriber = PrescriberSeatFactory(
        organisation=OrganisationFactory(name="CAF du Cantal", programmes=[other_programme])).user
    return {"programme": programme, "other_programme": other_programme, "organisation": organisation,
            "prescriber": prescriber, "other_prescriber": other_prescriber}


def issue(actor, programme, **fields):
    values = {"first_name": "Camille", "age_bracket": "VingtCinqTrenteNeuf", "commune": "Cahors",
              "commune_insee": "46042", "situation": "SansEmploi", "consent": True}
    values.update(fields)
    return vouchers.voucher_issue(actor=actor, programme=programme, **values)


# --- Codes -----------------------------------------------------------------------------------


def test_codes_have_10_characters_of_the_alphabet_and_are_distinct():
    drawn = [codes.generate() for _ in range(1000)]
    assert all(len(code) == 10 for code in drawn)
    assert all(set(code) <= set("ACEFHJKMNPRTWXY3479") for code in drawn)
    assert len(set(drawn)) == 1000


def test_codes_are_normalised_and_displayed_in_groups():
    assert codes.normalise(" k7mp-rt4w.xc ") == "K7MPRT4WXC"
    assert codes.display("K7MPRT4WXC") == "K7MP-RT4W-XC"


# --- Issue -------------------------------------------------------------------------------------


def test_a_prescriber_issues_a_voucher_of_their_organisation(world):
    before = timezone.now()
    voucher = issue(world["prescriber"], world["programme"], first_name="  Camille  ", commune_insee="2a004")
    voucher.refresh_from_db()
    today = timezone.localdate()
    assert voucher.organisation == world["organisation"]
    assert voucher.issued_by == world["prescriber"]
    assert voucher.status == "active"
    assert (voucher.first_name, voucher.commune, voucher.commune_insee) == ("Camille", "Cahors", "2A004")
    assert (voucher.age_bracket, voucher.situation) == ("VingtCinqTrenteNeuf", "SansEmploi")
    assert voucher.valid_from == today
    assert voucher.valid_until == vouchers.validity.valid_until(world["programme"], today)
    assert voucher.consent_at >= before
    assert codes.looks_valid(voucher.code)


def test_the_last_day_follows_the_programme_months(world):
    with mock.patch("django.utils.timezone.localdate", return_value=date(2030, 2, 20)):
        voucher = issue(world["prescriber"], world["programme"], valid_from=date(2030, 3, 1))
    assert (voucher.valid_from, voucher.valid_until) == (date(2030, 3, 1), date(2031, 2, 28))


def test_a_start_3_months_ahead_is_accepted(world):
    with mock.patch("django.utils.timezone.localdate", return_value=date(2030, 2, 20)):
        voucher = issue(world["prescriber"], world["programme"], valid_from=date(2030, 5, 20))
    assert voucher.valid_from == date(2030, 5, 20)


def test_the_insee_code_is_optional(world):
    voucher = issue(world["prescriber"], world["programme"], commune_insee="")
    assert voucher.commune_insee == ""


def test_a_member_who_is_not_a_prescriber_is_refused(world):
    with refused(PermissionDenied, "Only prescribers issue vouchers."):
        issue(UserFactory(), world["programme"])


def test_a_coordinator_without_seat_is_refused(world):
    with refused(PermissionDenied, "Only prescribers issue vouchers."):
        issue(CoordinatorFactory(), world["programme"])


def test_a_programme_the_organisation_does_not_prescribe_is_refused(world):
    with refused(PermissionDenied, "Your organisation does not prescribe this programme."):
        issue(world["prescriber"], world["other_programme"])


def test_an_inactive_programme_is_refused(world):
    programme = world["programme"]
    programme.is_active = False
    programme.save()
    with refused(ValidationError, "This programme no longer issues vouchers."):
        issue(world["prescriber"], programme)


def test_an_inactive_organisation_no_longer_issues(world):
    world["organisation"].is_active = False
    world["organisation"].save()
    with refused(PermissionDenied, "Only prescribers issue vouchers."):
        issue(world["prescriber"], world["programme"])


def test_consent_is_required(world):
    with refused(ValidationError, "Record the person's consent.", field="consent"):
        issue(world["prescriber"], world["programme"], consent=False)


@pytest.mark.parametrize("insee", ["4604", "460420", "20004", "ABCDE", "2C004"])
def test_a_bad_insee_code_is_refused(world, insee):
    with refused(ValidationError, "An INSEE code has 5 characters, e.g. 46042 (Cahors) or 2A004.",
                 field="commune_insee"):
        issue(world["prescriber"], world["programme"], commune_insee=insee)


def test_a_first_name_is_required_and_at_most_80_characters(world):
    with refused(ValidationError, "Give a first name or a pseudonym.", field="first_name"):
        issue(world["prescriber"], world["programme"], first_name="   ")
    with refused(ValidationError, "At most 80 characters.", field="first_name"):
        issue(world["prescriber"], world["programme"], first_name="A" * 81)
    assert issue(world["prescriber"], world["programme"], first_name="A" * 80).first_name == "A" * 80


def test_an_unknown_age_bracket_or_situation_is_refused(world):
    with refused(ValidationError, "Choose an age bracket.", field="age_bracket"):
        issue(world["prescriber"], world["programme"], age_bracket="Centenaire")
    with refused(ValidationError, "Choose a situation.", field="situation"):
        issue(world["prescriber"], world["programme"], situation="Rentier")


def test_a_start_in_the_past_is_refused(world):
    with refused(ValidationError, "A voucher cannot start in the past.", field="valid_from"):
        issue(world["prescriber"], world["programme"], valid_from=timezone.localdate() - timedelta(days=1))


def test_a_start_more_than_3_months_ahead_is_refused(world):
    with refused(ValidationError, "A voucher starts at most 3 months ahead.", field="valid_from"):
        issue(world["prescriber"], world["programme"], valid_from=timezone.localdate() + timedelta(days=100))


def test_a_code_already_taken_is_drawn_again(world):
    VoucherFactory(code="K7MPRT4WXC")
    with mock.patch.object(codes, "generate", side_effect=["K7MPRT4WXC", "K7MPRT4WXC", "HNPRTW3479"]):
        voucher = issue(world["prescriber"], world["programme"])
    assert voucher.code == "HNPRTW3479"
    assert Voucher.objects.filter(code="K7MPRT4WXC").count() == 1


def test_when_every_draw_is_taken_nothing_is_saved(world):
    VoucherFactory(code="K7MPRT4WXC")
    with mock.patch.object(codes, "generate", return_value="K7MPRT4WXC"):
        with refused(ValidationError, "No free code was found: try again."):
            issue(world["prescriber"], world["programme"])


# --- Cancel -----------------------------------------------------------------------------------


def test_the_prescriber_cancels_with_a_reason(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    vouchers.voucher_cancel(actor=world["prescriber"], voucher=voucher, reason="  Parti  du département ")
    voucher.refresh_from_db()
    assert (voucher.status, voucher.status_reason) == ("cancelled", "Parti du département")


def test_a_manager_cancels_too(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    vouchers.voucher_cancel(actor=CoordinatorFactory(), voucher=voucher, reason="Doublon")
    voucher.refresh_from_db()
    assert voucher.status == "cancelled"


def test_another_organisation_cannot_cancel(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    with refused(PermissionDenied, "Only the prescribing organisation and the programme's coordinators may do this."):
        vouchers.voucher_cancel(actor=world["other_prescriber"], voucher=voucher, reason="Doublon")


def test_a_reason_is_required(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    with refused(ValidationError, "Say why the voucher is cancelled.", field="reason"):
        vouchers.voucher_cancel(actor=world["prescriber"], voucher=voucher, reason="  ")


def test_only_a_voucher_in_progress_is_cancelled(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"], status="completed")
    with refused(ValidationError, "Only a voucher in progress can be cancelled."):
        vouchers.voucher_cancel(actor=world["prescriber"], voucher=voucher, reason="Doublon")


def test_a_voucher_cancelled_meanwhile_is_not_cancelled_twice(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    stale = Voucher.objects.get(pk=voucher.pk)
    vouchers.voucher_cancel(actor=world["prescriber"], voucher=voucher, reason="Premier")
    with refused(ValidationError, "Only a voucher in progress can be cancelled."):
        # The stale copy still reads "active": the rule allows, the conditional UPDATE refuses.
        vouchers.voucher_cancel(actor=world["prescriber"], voucher=stale, reason="Second")
    voucher.refresh_from_db()
    assert voucher.status_reason == "Premier"


# --- Erase ---------------------------------------------------------------------------------------


def test_erasing_keeps_the_counts_and_removes_first_name_and_commune(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"],
                             first_name="Camille", commune="Cahors", commune_insee="46042",
                             age_bracket="DixHuitVingtQuatre", situation="SansEmploi", modules_done=4)
    assert vouchers.voucher_erase(actor=world["prescriber"], voucher=voucher) is True
    voucher.refresh_from_db()
    assert (voucher.first_name, voucher.commune) == (erased(), "")
    assert (voucher.status, voucher.age_bracket, voucher.situation, voucher.commune_insee, voucher.modules_done) == (
        "active", "DixHuitVingtQuatre", "SansEmploi", "46042", 4)
    assert voucher.erased_at is not None
    assert Voucher.objects.filter(programme=world["programme"], situation="SansEmploi").count() == 1


def test_the_pseudonym_is_stored_in_french():
    with translation.override("en"):
        name = vouchers.erased_name()
    with translation.override("fr"):
        expected = translation.gettext("Erased person")
    assert name == expected


def test_erasing_twice_changes_nothing(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    vouchers.voucher_erase(actor=world["prescriber"], voucher=voucher)
    voucher.refresh_from_db()
    first = voucher.erased_at
    assert vouchers.voucher_erase(actor=world["prescriber"], voucher=voucher) is False
    voucher.refresh_from_db()
    assert voucher.erased_at == first


def test_another_organisation_cannot_erase(world):
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    with refused(PermissionDenied, "Only the prescribing organisation and the programme's coordinators may do this."):
        vouchers.voucher_erase(actor=world["other_prescriber"], voucher=voucher)


def test_an_animator_of_a_venue_cannot_erase(world):
    venue = world["programme"].venues.get()
    voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    with refused(PermissionDenied, "Only the prescribing organisation and the programme's coordinators may do this."):
        vouchers.voucher_erase(actor=UserFactory(venues=[venue]), voucher=voucher)


# --- Purge ---------------------------------------------------------------------------------------


NOW = datetime(2030, 6, 15, 12, 0, tzinfo=timezone.get_fixed_timezone(0))


@pytest.fixture
def retention(settings):
    settings.VOUCHER_RETENTION_DAYS = 100


def ended(world, status, **fields):
    return VoucherFactory(programme=world["programme"], organisation=world["organisation"], status=status,
                          first_name="Odette", commune="Figeac", commune_insee="46102", **fields)


def details(voucher):
    voucher.refresh_from_db()
    return voucher.first_name, voucher.commune, voucher.commune_insee, voucher.status, voucher.erased_at is not None


def test_purge_erases_old_ended_vouchers_only(world, retention):
    # NOW - 100 days = 7 March 2030; the programme's grace period is 30 days.
    completed_old = ended(world, "completed", completed_at=NOW - timedelta(days=101))
    completed_recent = ended(world, "completed", completed_at=NOW - timedelta(days=99))
    expired_old = ended(world, "expired", valid_from=date(2029, 2, 1), valid_until=date(2030, 2, 4))  # grace → 6 March
    expired_recent = ended(world, "expired", valid_from=date(2029, 2, 1), valid_until=date(2030, 2, 6))  # → 8 March
    cancelled_old = ended(world, "cancelled", valid_from=date(2029, 1, 1), valid_until=date(2029, 12, 31))
    active_old = ended(world, "active", valid_from=date(2028, 1, 1), valid_until=date(2028, 12, 31))

    assert purge.purge_beneficiaries(now=NOW) == 3
    for voucher in (completed_old, expired_old, cancelled_old):
        assert details(voucher) == (erased(), "", "46102", voucher.status, True)
    for voucher in (completed_recent, expired_recent, active_old):
        assert details(voucher) == ("Odette", "Figeac", "46102", voucher.status, False)
    assert purge.purge_beneficiaries(now=NOW) == 0


def test_purge_follows_each_programmes_grace_period(world, retention):
    long_grace = ProgrammeFactory(grace_days=90)
    voucher = VoucherFactory(programme=long_grace, status="expired", valid_from=date(2029, 1, 1),
                             valid_until=date(2030, 1, 1))  # + 90 days = 1 April 2030: after 7 March
    assert purge.purge_beneficiaries(now=NOW) == 0
    assert details(voucher)[4] is False


def test_the_command_prints_the_count_in_french(world, retention):
    ended(world, "completed", completed_at=timezone.now() - timedelta(days=200))
    out = io.StringIO()
    call_command("purge_voucher_beneficiaries", stdout=out)
    assert out.getvalue() == "1 ticket(s) effacé(s) (terminés depuis plus de 100 jours).\n"
