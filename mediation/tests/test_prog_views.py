"""The desk pages of programmes and prescribing organisations: status codes (404 for what one
does not run, 403 for who may not), forms re-shown with their input, pinned query counts that
stay flat with ten times the data, and a partner account's first login."""

import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from extranet.testing.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    PartnerUserFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from mediation.models import Organisation, PrescriberSeat, Programme
from members.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    north = TerritoryFactory(name="Lot Nord")
    south = TerritoryFactory(name="Lot Sud")
    return SimpleNamespace(
        north=north, south=south,
        coordinator=CoordinatorFactory(display_name="Colette Coordinatrice", territory=south),
        admin=UserFactory(display_name="Annie Admin", territory=north, referent_of=[north]),
        member=UserFactory(display_name="Marc Membre", territory=north),
    )


def programme_post(**overrides):
    data = {"name": "Ticket déclic du Lot", "description": "20 h", "territory": "", "funders": "CAF",
            "payment_rule": "voucher", "amount": "150,00", "validity_months": "12", "grace_days": "30",
            "is_active": "on", "module_count": "10"}
    data.update(overrides)
    return data


# --- Programmes -----------------------------------------------------------------------------------------


def test_the_list_shows_counts_and_the_tab(people):
    programme = ProgrammeFactory(name="Ticket déclic", territory=people.north)
    VoucherFactory.create_batch(2, programme=programme)
    VoucherFactory(programme=programme, status="completed")
    ProgrammeFactory(name="Autre", territory=people.south)
    page = soup(english_client(people.admin).get(reverse("tickets:programmes")))
    rows = [[text_of(cell) for cell in row.select("th, td")] for row in page.select("tbody tr")]
    assert rows == [["Ticket déclic", "Lot Nord", "150,00 € per completed voucher", "3", "2", "1"]]
    current = page.select_one(".contact-tabs a[aria-current=page]")
    assert current["href"] == reverse("tickets:programmes")


def test_a_member_may_not_open_the_programmes(people):
    client = english_client(people.member)
    for name in ("tickets:programmes", "tickets:programme-create", "tickets:organisations",
                 "tickets:organisation-create"):
        assert client.get(reverse(name)).status_code == 403, name


def test_another_territorys_programme_is_not_found(people):
    programme = ProgrammeFactory(territory=people.south)
    client = english_client(people.admin)
    for name in ("tickets:programme", "tickets:programme-edit", "tickets:modules-edit"):
        assert client.get(reverse(name, args=[programme.pk])).status_code == 404, name


def test_the_list_queries_are_flat(people):
    def grow(factor):
        for _ in range(factor):
            for _ in range(3):
                programme = ProgrammeFactory(territory=people.north, modules=2)
                VoucherFactory.create_batch(2, programme=programme)

    queries, page = queries_flat(english_client(people.admin), reverse("tickets:programmes"), grow)
    assert queries == 9
    assert len(page.select("tbody tr")) == 20  # paginated


def test_create_a_programme_then_name_its_modules(people):
    venue = VenueFactory(name="Médiathèque", territory=people.north)
    client = english_client(people.admin)
    page = soup(client.get(reverse("tickets:programme-create")))
    assert [text_of(o) for o in page.select("select[name=territory] option")] == ["Lot Nord"]
    assert page.select_one("input[name=module_count]")["value"] == "10"
    response = client.post(reverse("tickets:programme-create"), programme_post(
        territory=str(people.north.pk), venues=[str(venue.pk)], module_count="4"))
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tickets:modules-edit",
                                                                           args=[programme.pk])
    assert programme.territory == people.north and list(programme.venues.all()) == [venue]
    assert programme.modules.count() == 4


def test_an_invalid_programme_keeps_the_input(people):
    client = english_client(people.coordinator)
    response = client.post(reverse("tickets:programme-create"), programme_post(
        name="Mon programme", amount="-3", validity_months="0"))
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("input[name=name]")["value"] == "Mon programme"
    assert page.select_one("input[name=amount]")["value"] == "-3"
    errors = [text_of(node) for node in page.select(".errorlist li")]
    assert errors == ["The amount cannot be negative.", "A voucher is valid between 1 and 60 months."]
    assert not Programme.objects.exists()


def test_the_detail_shows_modules_venues_rule_and_organisations(people):
    venue = VenueFactory(name="Médiathèque de Figeac", territory=people.north)
    programme = ProgrammeFactory(name="Ticket déclic", territory=people.north, venues=[venue], modules=2,
                                 funders="Département du Lot")
    OrganisationFactory(name="Mission locale", programmes=[programme])
    page = soup(english_client(people.admin).get(reverse("tickets:programme", args=[programme.pk])))
    facts = [text_of(node) for node in page.select("dl dd")]
    assert facts == ["Lot Nord", "Département du Lot", "150,00 € per completed voucher",
                     "12 months + 30 days of grace", "0 issued, 0 in progress, 0 completed"]
    assert text_of(page.select_one("section[aria-labelledby=organisations-title] li")) == (
        "Mission locale (Mission locale)")
    assert [text_of(h) for h in page.select(".programme-modules h3")] == ["1. Module 1 (120 min)",
                                                                           "2. Module 2 (120 min)"]
    assert "Médiathèque de Figeac" in text_of(page)
    assert page.select_one(f'a[href="{reverse("tickets:closing", args=[programme.pk])}"]') is not None
    assert page.select_one(f'a[href="{reverse("tickets:settlements")}"]') is not None


def test_the_detail_queries_are_flat(people):
    programme = ProgrammeFactory(territory=people.north)

    def grow(factor):
        for _ in range(factor):
            programme.venues.add(VenueFactory(territory=people.north))
            OrganisationFactory(programmes=[programme], territory=people.north)
            VoucherFactory(programme=programme)

    queries, _page = queries_flat(english_client(people.admin), reverse("tickets:programme", args=[programme.pk]),
                                  grow)
    assert queries == 12


def test_edit_the_programme(people):
    programme = ProgrammeFactory(territory=people.north)
    client = english_client(people.admin)
    page = soup(client.get(reverse("tickets:programme-edit", args=[programme.pk])))
    assert page.select_one("input[name=amount]")["value"] == "150,00"
    data = programme_post(name="Nouveau nom", territory=str(people.north.pk), amount="15", payment_rule="module")
    data.pop("module_count")
    response = client.post(reverse("tickets:programme-edit", args=[programme.pk]), data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, str(programme.amount), programme.payment_rule) == ("Nouveau nom", "15.00", "module")


def test_the_venue_checkboxes_are_grouped_by_territory_and_only_choosable_ones(people):
    for n in range(12):
        VenueFactory(name=f"Nord {n:02}", territory=people.north)
    for n in range(10):
        VenueFactory(name=f"Sud {n:02}", territory=people.south)
    programme = ProgrammeFactory(territory=people.north)
    page = soup(english_client(people.coordinator).get(reverse("tickets:programme-edit", args=[programme.pk])))
    groups = page.select("#venues details")
    assert [text_of(group.select_one("summary")) for group in groups] == [
        "Lot Nord (0 of 12 venues ticked)", "Lot Sud (0 of 10 venues ticked)"]
    page = soup(english_client(people.admin).get(reverse("tickets:programme-edit", args=[programme.pk])))
    assert len(page.select("input[name=venues]")) == 12
    assert page.select_one("#venues details")["open"] == ""  # a single group is open


def test_modules_formset_saves_and_refuses(people):
    programme = ProgrammeFactory(territory=people.north, modules=2)
    first, second = programme.modules.all()
    client = english_client(people.admin)
    page = soup(client.get(reverse("tickets:modules-edit", args=[programme.pk])))
    assert len(page.select("fieldset.module-row")) == 4  # 2 modules and 2 spare rows
    base = {"modules-TOTAL_FORMS": "4", "modules-INITIAL_FORMS": "2", "modules-MIN_NUM_FORMS": "0",
            "modules-MAX_NUM_FORMS": "50",
            "modules-0-id": str(first.pk), "modules-0-position": "1", "modules-0-title": "Découvrir",
            "modules-0-objectives": "Allumer", "modules-0-duration_minutes": "120",
            "modules-1-id": str(second.pk), "modules-1-position": "2", "modules-1-title": "Module 2",
            "modules-1-objectives": "", "modules-1-duration_minutes": "120",
            "modules-2-id": "", "modules-2-position": "3", "modules-2-title": "La messagerie",
            "modules-2-objectives": "", "modules-2-duration_minutes": "90",
            "modules-3-id": "", "modules-3-position": "", "modules-3-title": "", "modules-3-objectives": "",
            "modules-3-duration_minutes": "120"}
    invalid = {**base, "modules-1-position": "1", "modules-2-duration_minutes": "0"}
    response = client.post(reverse("tickets:modules-edit", args=[programme.pk]), invalid)
    assert response.status_code == 200
    page = soup(response)
    assert [text_of(n) for n in page.select("fieldset.module-row .errorlist li")] == [
        "Two modules have the number 1.", "A module lasts between 15 minutes and 8 hours."]
    assert page.select_one("input[name=modules-2-title]")["value"] == "La messagerie"
    response = client.post(reverse("tickets:modules-edit", args=[programme.pk]), {**base, "modules-1-DELETE": "on"})
    assert response.status_code == 302
    assert list(programme.modules.values_list("position", "title", "duration_minutes")) == [
        (1, "Découvrir", 120), (3, "La messagerie", 90)]


# --- Organisations --------------------------------------------------------------------------------------------


def test_the_organisation_list_and_its_queries(people):
    def grow(factor):
        for _ in range(factor):
            for _ in range(3):
                organisation = OrganisationFactory(territory=people.north)
                PrescriberSeatFactory.create_batch(2, organisation=organisation)
                VoucherFactory(organisation=organisation)

    queries, page = queries_flat(english_client(people.admin), reverse("tickets:organisations"), grow)
    assert queries == 9
    rows = page.select("tbody tr")
    assert len(rows) == 20
    assert [text_of(cell) for cell in rows[0].select("td")][2:] == ["2", "1"]


def test_create_and_edit_an_organisation(people):
    programme = ProgrammeFactory(territory=people.north, name="Nord")
    client = english_client(people.admin)
    response = client.post(reverse("tickets:organisation-create"), {
        "name": "Mission locale de Figeac", "kind": "mission_locale", "territory": str(people.north.pk),
        "programmes": [str(programme.pk)], "is_active": "on"})
    organisation = Organisation.objects.get()
    assert response["Location"] == reverse("tickets:organisation", args=[organisation.pk])
    assert list(organisation.programmes.all()) == [programme]
    response = client.post(reverse("tickets:organisation-edit", args=[organisation.pk]), {
        "name": "", "kind": "caf", "territory": str(people.north.pk)})
    assert response.status_code == 200
    assert soup(response).select_one("select[name=kind] option[selected]")["value"] == "caf"
    other = OrganisationFactory(territory=people.south)
    assert client.get(reverse("tickets:organisation", args=[other.pk])).status_code == 404
    assert client.post(reverse("tickets:seat-add", args=[other.pk]), {"email": "a@b.test"}).status_code == 404


def test_the_organisation_page_lists_prescribers_and_its_queries(people):
    organisation = OrganisationFactory(territory=people.north, name="CAF du Lot")

    def grow(factor):
        for _ in range(factor):
            PrescriberSeatFactory(organisation=organisation)
            organisation.programmes.add(ProgrammeFactory(territory=people.north))
            VoucherFactory(organisation=organisation)

    queries, page = queries_flat(english_client(people.admin), reverse("tickets:organisation", args=[organisation.pk]),
                                 grow)
    assert queries == 11
    assert len(page.select("#prescribers tbody tr")) == 10
    assert len(page.select("#prescribers form[action*=retirer]")) == 10


def test_seat_add_and_remove_through_the_pages(people, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(territory=people.north, name="CAF du Lot")
    client = english_client(people.admin)
    url = reverse("tickets:seat-add", args=[organisation.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"email": "nouvelle@exemple.test", "display_name": ""})
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one("input[name=email]")["value"] == "nouvelle@exemple.test"
    assert [text_of(n) for n in page.select("#prescribers .errorlist li")] == ["Enter the name of the person."]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "nouvelle@exemple.test", "display_name": "Nora Nouvelle"}, follow=True)
    assert messages_of(response) == ["Nora Nouvelle now prescribes for CAF du Lot: they are told by e-mail."]
    assert len(mail.outbox) == 1
    seat = PrescriberSeat.objects.get()
    response = client.post(reverse("tickets:seat-remove", args=[seat.pk]), follow=True)
    assert messages_of(response) == ["Nora Nouvelle no longer prescribes for CAF du Lot."]
    assert not User.objects.get(email="nouvelle@exemple.test").is_active
    member_client = english_client(people.member)
    seat = PrescriberSeatFactory(organisation=organisation)
    assert member_client.post(reverse("tickets:seat-remove", args=[seat.pk])).status_code == 404


def test_a_partner_account_sets_its_password_logs_in_and_reaches_only_the_tickets(
        people, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(territory=people.north)
    client = english_client(people.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tickets:seat-add", args=[organisation.pk]),
                    {"email": "lea@exemple.test", "display_name": "Léa Martin"})
    link = re.search(r"http://[^/\s]+(/compte/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    visitor = Client()
    response = visitor.get(link)  # allauth stores the key and redirects to the form without it
    assert response.status_code == 302
    form_url = response["Location"]
    response = visitor.post(form_url, {"password1": "Un mot de passe sûr 42", "password2": "Un mot de passe sûr 42"})
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="lea@exemple.test")
    assert user.has_usable_password()
    partner = Client()
    assert partner.login(email="lea@exemple.test", password="Un mot de passe sûr 42")
    response = partner.get("/bureau/forum/")
    assert response.status_code == 302 and response["Location"] == "/bureau/tickets/"
    response = partner.get("/bureau/")
    assert response.status_code == 302 and response["Location"] == "/bureau/tickets/"
    # Logging in through the form lands on the tickets.
    fresh = Client()
    response = fresh.post(reverse("account_login"), {"login": "lea@exemple.test",
                                                     "password": "Un mot de passe sûr 42"}, follow=True)
    assert response.redirect_chain[-1][0] == "/bureau/tickets/", response.redirect_chain


def test_a_removed_partner_can_no_longer_log_in(people):
    partner = PartnerUserFactory(email="parti@exemple.test", password="Un mot de passe sûr 42")
    seat = PrescriberSeatFactory(user=partner, organisation=OrganisationFactory(territory=people.north))
    client = Client()
    assert client.login(email="parti@exemple.test", password="Un mot de passe sûr 42")
    english_client(people.admin).post(reverse("tickets:seat-remove", args=[seat.pk]))
    response = client.get("/bureau/tickets/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not Client().login(email="parti@exemple.test", password="Un mot de passe sûr 42")
