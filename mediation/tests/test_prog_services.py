"""Programmes, modules, prescribing organisations and prescribers' seats (mediation.programmes):
allowed / denied / invalid for each role, nothing saved when refused."""

import re
from decimal import Decimal
from functools import partial
from types import SimpleNamespace

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext

from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    PartnerUserFactory,
    PendingUserFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from mediation import permissions
from mediation import programmes as services
from mediation.models import Organisation, PrescriberSeat, Programme, ProgrammeModule, VoucherUse
from members.models import User

pytestmark = pytest.mark.django_db


def state():
    return {
        "programmes": sorted(Programme.objects.values_list(
            "pk", "name", "description", "territory", "funders", "payment_rule", "amount", "validity_months",
            "grace_days", "is_active")),
        "programme_venues": sorted(Programme.venues.through.objects.values_list("programme_id", "venue_id")),
        "modules": sorted(ProgrammeModule.objects.values_list(
            "pk", "programme", "position", "title", "objectives", "duration_minutes")),
        "organisations": sorted(Organisation.objects.values_list("pk", "name", "kind", "territory", "is_active")),
        "organisation_programmes": sorted(
            Organisation.programmes.through.objects.values_list("organisation_id", "programme_id")),
        "seats": sorted(PrescriberSeat.objects.values_list("pk", "user", "organisation")),
        "users": sorted(User.objects.values_list("pk", "email", "status", "is_active")),
    }


refused = partial(assertions.refused, state)
nothing_saved = partial(assertions.nothing_saved, state)


@pytest.fixture
def people():
    north = TerritoryFactory(name="Lot Nord")
    south = TerritoryFactory(name="Lot Sud")
    return SimpleNamespace(
        north=north, south=south,
        coordinator=CoordinatorFactory(display_name="Colette Coordinatrice", territory=south),
        admin=UserFactory(display_name="Annie Admin", territory=north, referent_of=[north]),
        other_admin=UserFactory(display_name="Oscar Autre", territory=south, referent_of=[south]),
        member=UserFactory(display_name="Marc Membre", territory=north),
        north_venue=VenueFactory(name="Médiathèque de Figeac", territory=north),
        south_venue=VenueFactory(name="Espace de Cahors", territory=south),
    )


def fields(**overrides):
    data = {"name": "Ticket déclic du Lot", "description": "20 h d'initiation", "funders": "Département, CAF",
            "payment_rule": "voucher", "amount": "150,00", "validity_months": 12, "grace_days": 30}
    data.update(overrides)
    return data


# --- Programmes ---------------------------------------------------------------------------------------


def test_a_coordinator_creates_a_network_programme_with_ten_default_modules(people):
    programme = services.programme_create(actor=people.coordinator, **fields(),
                                          venues=[people.north_venue, people.south_venue])
    programme.refresh_from_db()
    assert programme.territory is None
    assert programme.amount == Decimal("150.00")
    assert programme.created_by == people.coordinator
    assert sorted(programme.venues.values_list("name", flat=True)) == ["Espace de Cahors", "Médiathèque de Figeac"]
    modules = list(programme.modules.values_list("position", "title", "duration_minutes"))
    assert modules == [(n, f"Module {n}", 120) for n in range(1, 11)]


def test_the_creator_sets_the_number_of_modules(people):
    programme = services.programme_create(actor=people.coordinator, **fields(), module_count=3)
    assert list(programme.modules.values_list("title", flat=True)) == ["Module 1", "Module 2", "Module 3"]


def test_a_local_admin_creates_a_programme_of_their_territory_only(people):
    programme = services.programme_create(actor=people.admin, **fields(), territory=people.north,
                                          venues=[people.north_venue])
    assert programme.territory == people.north
    assert permissions.can_manage_programme(people.admin, programme)
    with translation.override("en"), refused(ValidationError, "Choose one of your territories.", "territory"):
        services.programme_create(actor=people.admin, **fields())
    with translation.override("en"), refused(ValidationError, "You run programmes of your territories only.",
                                             "territory"):
        services.programme_create(actor=people.admin, **fields(), territory=people.south)
    with translation.override("en"), refused(ValidationError, "You choose the venues of your territories only.",
                                             "venues"):
        services.programme_create(actor=people.admin, **fields(), territory=people.north,
                                  venues=[people.south_venue])


def test_a_member_cannot_create_a_programme(people):
    with translation.override("en"), refused(PermissionDenied,
                                             "Only coordinators and local admins run voucher programmes."):
        services.programme_create(actor=people.member, **fields())


def test_invalid_values_are_refused_in_french(people):
    with translation.override("en"), nothing_saved(), pytest.raises(ValidationError) as excinfo:
        services.programme_create(actor=people.coordinator, **fields(
            name="  ", amount="-5", validity_months=0, grace_days=400, payment_rule="free"), module_count=0)
    assert excinfo.value.message_dict == {
        "name": ["Give the programme a name."],
        "amount": ["The amount cannot be negative."],
        "validity_months": ["A voucher is valid between 1 and 60 months."],
        "grace_days": ["The grace period is between 0 and 365 days."],
        "payment_rule": ["Choose how the venues are paid."],
        "module_count": ["A programme has between 1 and 50 modules."],
    }


def test_an_amount_that_is_not_a_number_or_has_fractions_of_cents(people):
    with translation.override("en"), refused(ValidationError, "Enter an amount in euros, for example 150,00.",
                                             "amount"):
        services.programme_create(actor=people.coordinator, **fields(amount="cent"))
    with translation.override("en"), refused(ValidationError,
                                             "Enter an amount in euros and cents, at most 999 999,99 €.", "amount"):
        services.programme_create(actor=people.coordinator, **fields(amount="12.345"))


def test_a_manager_updates_a_programme_and_keeps_the_venues_they_may_not_pick(people):
    programme = ProgrammeFactory(territory=people.north, venues=[people.north_venue, people.south_venue])
    other = VenueFactory(name="Tiers-lieu de Gourdon", territory=people.north)
    services.programme_update(actor=people.admin, programme=programme, **fields(
        name="Ticket déclic Nord", amount="15", payment_rule="module", validity_months=6, grace_days=0),
        territory=people.north, venues=[other], is_active=False)
    programme.refresh_from_db()
    assert (programme.name, programme.amount, programme.payment_rule) == ("Ticket déclic Nord", Decimal("15.00"),
                                                                          "module")
    assert (programme.validity_months, programme.grace_days, programme.is_active) == (6, 0, False)
    # The south venue (chosen by a coordinator) stays; the north one was unticked.
    assert sorted(programme.venues.values_list("name", flat=True)) == ["Espace de Cahors", "Tiers-lieu de Gourdon"]


def test_a_local_admin_cannot_update_another_territorys_programme(people):
    programme = ProgrammeFactory(territory=people.south)
    network = ProgrammeFactory()
    message = "Only the coordinators and the local admins of its territory run this programme."
    for target in (programme, network):
        with translation.override("en"), refused(PermissionDenied, message):
            services.programme_update(actor=people.admin, programme=target, **fields(), territory=people.north,
                                      venues=[], is_active=True)


def test_an_update_with_bad_values_saves_nothing(people):
    programme = ProgrammeFactory()
    with translation.override("en"), nothing_saved(), pytest.raises(ValidationError) as excinfo:
        services.programme_update(actor=people.coordinator, programme=programme,
                                  **fields(amount="-1", validity_months="0"), territory=None,
                                  venues=[people.north_venue], is_active=True)
    assert excinfo.value.message_dict == {"amount": ["The amount cannot be negative."],
                                          "validity_months": ["A voucher is valid between 1 and 60 months."]}


# --- Modules -------------------------------------------------------------------------------------------


def rows_of(programme):
    return [services.ModuleRow(pk=m.pk, position=m.position, title=m.title, objectives=m.objectives,
                               duration_minutes=m.duration_minutes) for m in programme.modules.all()]


def test_modules_are_renamed_swapped_added_and_removed_at_once(people):
    programme = ProgrammeFactory(modules=3)
    rows = rows_of(programme)
    rows[0].position, rows[1].position = 2, 1  # swapped numbers
    rows[0].title, rows[0].objectives = "Allumer l'ordinateur", "Savoir démarrer"
    rows[2].delete = True
    rows.append(services.ModuleRow(pk=None, position=3, title="La messagerie", duration_minutes=90))
    services.modules_save(actor=people.coordinator, programme=programme, rows=rows)
    assert list(programme.modules.order_by("position").values_list("position", "title", "objectives",
                                                                   "duration_minutes")) == [
        (1, "Module 2", "", 120), (2, "Allumer l'ordinateur", "Savoir démarrer", 120), (3, "La messagerie", "", 90)]


def test_a_module_attended_with_a_voucher_cannot_be_removed(people):
    venue = people.north_venue
    programme = ProgrammeFactory(modules=2, venues=[venue])
    voucher = VoucherFactory(programme=programme)
    first = programme.modules.get(position=1)
    VoucherUse.objects.create(voucher=voucher, module=first, venue=venue, date=timezone.localdate(),
                              duration_minutes=120)
    rows = rows_of(programme)
    rows[0].delete = True
    with translation.override("en"), refused(
            ValidationError, "Module 1 “Module 1” was already attended with a voucher: it cannot be removed.",
            "module-0"):
        services.modules_save(actor=people.coordinator, programme=programme, rows=rows)


def test_invalid_modules_are_refused(people):
    programme = ProgrammeFactory(modules=2)
    rows = rows_of(programme)
    rows[1].position = 1
    rows[0].duration_minutes = 0
    rows[1].title = " "
    with translation.override("en"), nothing_saved(), pytest.raises(ValidationError) as excinfo:
        services.modules_save(actor=people.coordinator, programme=programme, rows=rows)
    assert excinfo.value.message_dict == {
        "module-0": ["A module lasts between 15 minutes and 8 hours."],
        "module-1": ["Two modules have the number 1.", "Give each module a title."],
    }
    rows = rows_of(programme)
    for row in rows:
        row.delete = True
    with translation.override("en"), refused(ValidationError, "A programme has at least one module.", "modules"):
        services.modules_save(actor=people.coordinator, programme=programme, rows=rows)
    stranger = ProgrammeFactory(modules=1).modules.get()
    with translation.override("en"), refused(ValidationError,
                                             "This module is not one of the programme's: reload the page."):
        services.modules_save(actor=people.coordinator, programme=programme, rows=[
            services.ModuleRow(pk=stranger.pk, position=5, title="Autre")])


def test_only_managers_edit_modules(people):
    programme = ProgrammeFactory(territory=people.south, modules=1)
    with translation.override("en"), refused(
            PermissionDenied, "Only the coordinators and the local admins of its territory run this programme."):
        services.modules_save(actor=people.admin, programme=programme, rows=rows_of(programme))
    services.modules_save(actor=people.other_admin, programme=programme, rows=rows_of(programme))


# --- Organisations ----------------------------------------------------------------------------------------


def test_organisations_are_created_and_updated_with_the_programmes_the_actor_runs(people):
    mine = ProgrammeFactory(territory=people.north, name="Nord")
    network = ProgrammeFactory(name="Réseau")
    organisation = services.organisation_create(actor=people.admin, name="Mission locale de Figeac",
                                                kind="mission_locale", territory=people.north, programmes=[mine])
    assert list(organisation.programmes.all()) == [mine]
    organisation.programmes.add(network)  # a coordinator's choice
    services.organisation_update(actor=people.admin, organisation=organisation, name="ML Figeac", kind="caf",
                                 territory=people.north, programmes=[], is_active=False)
    organisation.refresh_from_db()
    assert (organisation.name, organisation.kind, organisation.is_active) == ("ML Figeac", "caf", False)
    assert list(organisation.programmes.all()) == [network]


def test_organisation_rules(people):
    theirs = ProgrammeFactory(territory=people.south)
    with translation.override("en"), refused(PermissionDenied,
                                             "Only coordinators and local admins manage prescribers."):
        services.organisation_create(actor=people.member, name="CAF", territory=people.north)
    with translation.override("en"), refused(ValidationError, "Choose one of your territories.", "territory"):
        services.organisation_create(actor=people.admin, name="CAF")
    with translation.override("en"), refused(ValidationError, "You choose among the programmes you run only.",
                                             "programmes"):
        services.organisation_create(actor=people.admin, name="CAF", territory=people.north, programmes=[theirs])
    with translation.override("en"), refused(ValidationError, ["Give the organisation a name."], "name"):
        services.organisation_create(actor=people.coordinator, name=" ")
    south = OrganisationFactory(territory=people.south)
    with translation.override("en"), refused(
            PermissionDenied, "Only coordinators and the local admins of its territory manage this organisation."):
        services.organisation_update(actor=people.admin, organisation=south, name="X", kind="caf",
                                     territory=people.north, programmes=[], is_active=True)
    # A coordinator: any territory or none.
    network = services.organisation_create(actor=people.coordinator, name="France Travail", kind="france_travail")
    assert network.territory is None


# --- Seats ------------------------------------------------------------------------------------------------


def test_a_new_address_gets_a_partner_account_and_a_link_to_choose_a_password(
        people, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(territory=people.north, name="Mission locale de Figeac")
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.seat_add(actor=people.admin, organisation=organisation, email=" Lea.Martin@Exemple.TEST ",
                                 display_name="Léa Martin")
    user = seat.user
    user.refresh_from_db()
    assert (user.email, user.display_name, user.status, user.territory) == (
        "lea.martin@exemple.test", "Léa Martin", "partner", None)
    assert not user.has_usable_password()
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("lea.martin@exemple.test", True, True)]
    assert seat.added_by == people.admin
    assert permissions.prescriber_organisation_id(user) == organisation.pk
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lea.martin@exemple.test"]
    with translation.override("fr"):
        assert message.subject == "[Maillage] " + gettext("Your prescriber account for the vouchers")
    link = re.search(r"http://\S+/compte/password/reset/key/(\w+)-(\S+)/", message.body)
    assert link is not None, message.body
    assert link.group(1) == user_pk_to_url_str(user)
    assert default_token_generator.check_token(user, link.group(2))
    assert "Mission locale de Figeac" in message.body


def test_an_approved_member_becomes_prescriber_and_is_told(people, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(territory=people.north, name="CCAS de Figeac")
    with django_capture_on_commit_callbacks(execute=True):
        seat = services.seat_add(actor=people.admin, organisation=organisation, email=people.member.email.upper())
    assert seat.user == people.member
    people.member.refresh_from_db()
    assert people.member.status == "approved"
    with translation.override("fr"):
        expected = gettext("You now prescribe vouchers for {organisation}").format(organisation="CCAS de Figeac")
    assert [m.subject for m in mail.outbox] == ["[Maillage] " + expected]
    assert "/compte/password/reset/key/" not in mail.outbox[0].body


def test_seat_refusals(people):
    organisation = OrganisationFactory(territory=people.north)
    other = OrganisationFactory(territory=people.south, name="CAF du Lot")
    busy = PrescriberSeatFactory(organisation=other, user=UserFactory(display_name="Bruno Occupé")).user
    here = PrescriberSeatFactory(organisation=organisation, user=UserFactory(display_name="Ida Ici")).user
    pending = PendingUserFactory()
    with translation.override("en"):
        with refused(ValidationError, "Bruno Occupé already prescribes for CAF du Lot.", "email"):
            services.seat_add(actor=people.admin, organisation=organisation, email=busy.email)
        with refused(ValidationError, "Ida Ici already prescribes for this organisation.", "email"):
            services.seat_add(actor=people.admin, organisation=organisation, email=here.email)
        with refused(ValidationError, f"The account of {pending.email} is not an approved member's: approve it "
                                      "first, or give another address.", "email"):
            services.seat_add(actor=people.admin, organisation=organisation, email=pending.email)
        with refused(ValidationError, "Enter the name of the person.", "display_name"):
            services.seat_add(actor=people.admin, organisation=organisation, email="nouveau@exemple.test")
        with refused(ValidationError, "Enter a valid e-mail address.", "email"):
            services.seat_add(actor=people.admin, organisation=organisation, email="pas-une-adresse", display_name="X")
        with refused(PermissionDenied,
                     "Only coordinators and the local admins of its territory manage this organisation."):
            services.seat_add(actor=people.admin, organisation=other, email="x@exemple.test", display_name="X")
        seat = PrescriberSeat.objects.get(user=busy)
        with refused(PermissionDenied,
                     "Only coordinators and the local admins of its territory manage this organisation."):
            services.seat_remove(actor=people.admin, seat=seat)


def test_removing_a_partners_seat_deactivates_the_account_and_adding_it_again_reactivates(
        people, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(territory=people.north)
    partner = PartnerUserFactory(email="partenaire@exemple.test")
    seat = PrescriberSeatFactory(user=partner, organisation=organisation)
    member_seat = PrescriberSeatFactory(user=people.member, organisation=organisation)
    services.seat_remove(actor=people.admin, seat=seat)
    partner.refresh_from_db()
    assert not partner.is_active
    assert not PrescriberSeat.objects.filter(pk=seat.pk).exists()
    services.seat_remove(actor=people.coordinator, seat=member_seat)
    people.member.refresh_from_db()
    assert people.member.is_active  # a member stays a member
    with django_capture_on_commit_callbacks(execute=True):
        services.seat_add(actor=people.admin, organisation=organisation, email="partenaire@exemple.test")
    partner.refresh_from_db()
    assert partner.is_active
    assert len(mail.outbox) == 1 and "/compte/password/reset/key/" in mail.outbox[0].body


# --- Reads -------------------------------------------------------------------------------------------------


def test_programmes_with_counts(people):
    programme = ProgrammeFactory(territory=people.north, name="A")
    ProgrammeFactory(territory=people.south, name="B")
    VoucherFactory.create_batch(2, programme=programme)
    VoucherFactory(programme=programme, status="completed")
    VoucherFactory(programme=programme, status="cancelled")
    rows = [(p.name, p.issued, p.in_progress, p.completed) for p in services.programmes_with_counts(people.admin)]
    assert rows == [("A", 4, 2, 1)]
    assert [p.name for p in services.programmes_with_counts(people.coordinator)] == ["A", "B"]
    assert list(services.programmes_with_counts(people.member)) == []
