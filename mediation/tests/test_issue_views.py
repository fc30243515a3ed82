"""The prescriber's pages of vouchers through the test client (pages in English, the msgids;
the French is in the slice's PO fragment): home by role, issue, list and CSV, a voucher's
page, its card and QR code, cancel, erase."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from extranet.testing.factories import (
    CoordinatorFactory,
    OrganisationFactory,
    PrescriberSeatFactory,
    ProgrammeFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from extranet.testing.pages import english_client, measure_queries, messages_of, queries_flat, soup, text_of
from mediation.models import Voucher, VoucherUse

pytestmark = pytest.mark.django_db


def erased():
    """The pseudonym erased vouchers get, in the site's language (French once the catalogue is compiled)."""
    with translation.override("fr"):
        return translation.gettext("Erased person")

INDEX = "/bureau/tickets/"
ISSUE = "/bureau/tickets/emettre/"
LIST = "/bureau/tickets/liste/"
CSV = "/bureau/tickets/liste.csv"


@pytest.fixture
def world():
    figeac = VenueFactory(name="EPN de Figeac", city="Figeac")
    gourdon = VenueFactory(name="Médiathèque de Gourdon", city="Gourdon")
    programme = ProgrammeFactory(name="Ticket déclic Lot", venues=[figeac, gourdon])
    organisation = OrganisationFactory(name="Mission locale du Lot", programmes=[programme])
    prescriber = PrescriberSeatFactory(organisation=organisation, user__display_name="Paula Prescriptrice").user
    other_organisation = OrganisationFactory(name="CAF du Cantal", programmes=[programme])
    other_prescriber = PrescriberSeatFactory(organisation=other_organisation).user
    voucher = VoucherFactory(programme=programme, organisation=organisation, code="K7MPRT4WXC",
                             first_name="Camille", commune="Cahors", commune_insee="46042")
    return {"figeac": figeac, "gourdon": gourdon, "programme": programme, "organisation": organisation,
            "prescriber": prescriber, "other_organisation": other_organisation,
            "other_prescriber": other_prescriber, "voucher": voucher}


def url(name, voucher):
    return reverse(f"tickets:{name}", args=[voucher.pk])


def use(voucher, position, venue, day):
    module = voucher.programme.modules.get(position=position)
    return VoucherUse.objects.create(voucher=voucher, module=module, venue=venue, date=day, duration_minutes=120)


def form_data(programme, **fields):
    data = {"programme": programme.pk, "first_name": "Samir", "age_bracket": "DixHuitVingtQuatre",
            "situation": "SansEmploi", "commune": "Figeac", "commune_insee": "46102",
            "valid_from": timezone.localdate().isoformat(), "consent": "on"}
    data.update(fields)
    return data


# --- Home ----------------------------------------------------------------------------------------


def test_a_prescriber_sees_their_organisations_vouchers(world):
    soon = VoucherFactory(programme=world["programme"], organisation=world["organisation"], first_name="Inès",
                          valid_from=timezone.localdate() - timedelta(days=350),
                          valid_until=timezone.localdate() + timedelta(days=10))
    VoucherFactory(programme=world["programme"], organisation=world["other_organisation"], first_name="Autre")
    page = soup(english_client(world["prescriber"]).get(INDEX))
    counts = [text_of(li) for li in page.select(".voucher-counts li")]
    assert counts == ["2 In progress", "0 Completed", "0 Expired", "0 Cancelled"]
    names = [text_of(row.select("td")[0]) for row in page.select(".voucher-table tbody tr")]
    assert sorted(names) == ["Camille", "Inès"]
    expiring = [text_of(row.select("td")[0]) for row in page.select(".voucher-table tr.voucher-row--expiring")]
    assert expiring == ["Inès"]
    assert soon.display_code in text_of(page.select_one(".voucher-expiring"))
    assert page.select_one(f"a[href='{ISSUE}']") is not None
    assert "Autre" not in text_of(page)


def test_an_animator_sees_their_venues_and_the_recording_link(world):
    use(world["voucher"], 1, world["figeac"], timezone.localdate())
    animator = UserFactory(venues=[world["figeac"]])
    page = soup(english_client(animator).get(INDEX))
    assert page.select_one(f"a[href='{reverse('tickets:enter')}']") is not None
    venues = [text_of(li) for li in page.select("section[aria-labelledby=venues-title] li")]
    assert venues == ["EPN de Figeac · 1 voucher in progress"]
    assert page.select_one(f"a[href='{reverse('tickets:venue', args=[world['figeac'].pk])}']") is not None


def test_a_manager_sees_their_programmes_and_totals(world):
    VoucherFactory(programme=world["programme"], organisation=world["organisation"], status="completed")
    page = soup(english_client(CoordinatorFactory()).get(INDEX))
    assert "2 vouchers issued: 1 in progress, 1 completed." in text_of(page)
    first = page.select("section[aria-labelledby=programmes-title] tbody tr")[0]
    row = [text_of(cell) for cell in first.select("th, td")]
    assert row == ["Ticket déclic Lot", "2", "1", "1"]


def test_someone_without_a_role_reads_an_explanation(world):
    page = soup(english_client(UserFactory()).get(INDEX))
    assert "You have none of these roles" in text_of(page)
    assert page.select(".voucher-table") == []


def test_the_home_query_count_is_flat(world):
    client = english_client(world["prescriber"])

    def grow(factor):
        for _ in range(factor * 3):
            voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
            use(voucher, 1, world["figeac"], timezone.localdate())

    queries, _page = queries_flat(client, INDEX, grow)
    assert queries == 7


def test_the_home_of_someone_with_every_role_has_a_fixed_query_count(world):
    member = CoordinatorFactory(venues=[world["figeac"]])
    PrescriberSeatFactory(user=member, organisation=world["organisation"])
    client = english_client(member)

    def grow(factor):
        for _ in range(factor * 2):
            programme = ProgrammeFactory(venues=[world["figeac"]], modules=2)
            voucher = VoucherFactory(programme=programme, organisation=world["organisation"])
            use(voucher, 1, world["figeac"], timezone.localdate())

    queries, page = queries_flat(client, INDEX, grow)
    assert [section["aria-labelledby"] for section in page.select("section")] == [
        "prescriber-title", "venues-title", "programmes-title"]
    assert queries == 13


# --- Issue ---------------------------------------------------------------------------------------


def test_the_issue_form_hides_the_only_programme(world):
    page = soup(english_client(world["prescriber"]).get(ISSUE))
    assert page.select_one("input[type=hidden][name=programme]")["value"] == str(world["programme"].pk)
    assert "Programme: Ticket déclic Lot" in text_of(page)
    assert len(page.select("input[type=radio][name=age_bracket]")) == 7
    assert page.select_one("input[type=checkbox][name=consent]") is not None


def test_the_issue_form_offers_a_choice_of_several_programmes(world):
    second = ProgrammeFactory(name="Ticket déclic Lot jeunes")
    world["organisation"].programmes.add(second, ProgrammeFactory(name="Fermé", is_active=False))
    page = soup(english_client(world["prescriber"]).get(ISSUE))
    options = [text_of(option) for option in page.select("select[name=programme] option")]
    assert options == ["Ticket déclic Lot", "Ticket déclic Lot jeunes"]


def test_issuing_redirects_to_the_voucher_with_a_message(world):
    client = english_client(world["prescriber"])
    response = client.post(ISSUE, form_data(world["programme"]))
    voucher = Voucher.objects.get(first_name="Samir")
    assert response.status_code == 302
    assert response["Location"] == url("voucher", voucher)
    page = client.get(response["Location"])
    assert messages_of(page) == [f"Voucher {voucher.display_code} issued for Samir. Print the card and hand it over."]
    assert soup(page).select_one(f".toolbar a.button[href='{url('card', voucher)}']") is not None
    assert (voucher.organisation, voucher.commune_insee, voucher.age_bracket) == (
        world["organisation"], "46102", "DixHuitVingtQuatre")


def test_issuing_without_consent_keeps_what_was_typed(world):
    response = english_client(world["prescriber"]).post(ISSUE, form_data(world["programme"], consent=""))
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.select_one("#id_consent_error")) == "Record the person's consent."
    assert page.select_one("input[name=first_name]")["value"] == "Samir"
    assert page.select_one("input[name=age_bracket][value=DixHuitVingtQuatre]").has_attr("checked")
    assert Voucher.objects.filter(first_name="Samir").count() == 0


def test_issuing_with_a_bad_insee_code_shows_the_service_error(world):
    response = english_client(world["prescriber"]).post(ISSUE, form_data(world["programme"], commune_insee="99A99"))
    page = soup(response)
    assert text_of(page.select_one("#id_commune_insee_error")) == (
        "An INSEE code has 5 characters, e.g. 46042 (Cahors) or 2A004.")
    assert page.select_one("input[name=commune]")["value"] == "Figeac"


def test_issuing_in_the_past_is_refused_on_the_field(world):
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    page = soup(english_client(world["prescriber"]).post(ISSUE, form_data(world["programme"], valid_from=past)))
    assert text_of(page.select_one("#id_valid_from_error")) == "A voucher cannot start in the past."


def test_a_member_who_is_not_a_prescriber_gets_403_on_issue(world):
    client = english_client(UserFactory())
    assert client.get(ISSUE).status_code == 403
    assert client.post(ISSUE, form_data(world["programme"])).status_code == 403


def test_a_prescriber_cannot_issue_a_programme_outside_their_organisation(world):
    foreign = ProgrammeFactory(name="Ticket déclic Cantal")
    response = english_client(world["prescriber"]).post(ISSUE, form_data(foreign))
    assert response.status_code == 200
    assert Voucher.objects.filter(first_name="Samir").count() == 0


# --- List and CSV -------------------------------------------------------------------------------


def test_the_list_shows_progress_and_filters(world):
    use(world["voucher"], 1, world["figeac"], timezone.localdate())
    VoucherFactory(programme=world["programme"], organisation=world["organisation"], first_name="Jeanne",
                   code="HNPRTW3479", status="cancelled")
    VoucherFactory(programme=world["programme"], organisation=world["other_organisation"], first_name="Autre")
    Voucher.objects.filter(pk=world["voucher"].pk).update(modules_done=1)
    client = english_client(world["prescriber"])
    page = soup(client.get(LIST))
    rows = [[text_of(cell) for cell in row.select("th, td")] for row in page.select(".voucher-table tbody tr")]
    assert [row[1] for row in rows] == ["Jeanne", "Camille"]
    camille = rows[1]
    assert camille[0] == "K7MP-RT4W-XC"
    assert camille[5] == "1 / 10 modules"
    assert camille[6] == "In progress"
    assert [text_of(row.select("td")[0]) for row in soup(client.get(LIST + "?status=cancelled")).select(
        ".voucher-table tbody tr")] == ["Jeanne"]
    assert [text_of(row.select("td")[0]) for row in soup(client.get(LIST + "?q=k7mp-rt")).select(
        ".voucher-table tbody tr")] == ["Camille"]
    assert [text_of(row.select("td")[0]) for row in soup(client.get(LIST + "?q=jean")).select(
        ".voucher-table tbody tr")] == ["Jeanne"]


def test_the_list_query_count_is_flat(world):
    client = english_client(world["prescriber"])

    def grow(factor):
        for _ in range(factor * 3):
            voucher = VoucherFactory(programme=world["programme"], organisation=world["organisation"])
            use(voucher, 1, world["figeac"], timezone.localdate())

    queries, page = queries_flat(client, LIST, grow)
    assert len(page.select(".voucher-table tbody tr")) == 25
    assert queries == 6


def test_the_list_is_paginated_by_25(world):
    for _ in range(25):
        VoucherFactory(programme=world["programme"], organisation=world["organisation"])
    page = soup(english_client(world["prescriber"]).get(LIST + "?page=2"))
    assert len(page.select(".voucher-table tbody tr")) == 1


def test_the_csv_has_the_filtered_vouchers(world):
    Voucher.objects.filter(pk=world["voucher"].pk).update(
        issued_at=timezone.make_aware(timezone.datetime(2030, 1, 10, 10, 0)), valid_from=date(2030, 1, 10),
        valid_until=date(2031, 1, 9), modules_done=3)
    VoucherFactory(programme=world["programme"], organisation=world["organisation"], status="cancelled")
    response = english_client(world["prescriber"]).get(CSV + "?status=active")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-')
    lines = response.content.decode("utf-8").split("\r\n")
    assert lines[0] == ("\ufeffCode;First name or pseudonym;Programme;Prescriber;Issued on;Valid from;Valid until;"
                        "Modules done;Modules;Status;Age;Situation;Commune;INSEE code")
    assert lines[1] == ("K7MP-RT4W-XC;Camille;Ticket déclic Lot;Mission locale du Lot;10/01/2030;10/01/2030;09/01/2031;"
                        "3;10;In progress;25 to 39;Without a job;Cahors;46042")
    assert lines[2:] == [""]


def test_another_organisations_vouchers_are_not_in_the_csv(world):
    response = english_client(world["other_prescriber"]).get(CSV)
    assert "Camille" not in response.content.decode("utf-8")


# --- A voucher's page, card, QR ------------------------------------------------------------------


def test_the_voucher_page_shows_each_module(world):
    use(world["voucher"], 2, world["gourdon"], date(2026, 11, 3))
    queries, page = measure_queries(english_client(world["prescriber"]), url("voucher", world["voucher"]))
    modules = [text_of(li) for li in page.select(".voucher-module")]
    assert modules[0] == "1. Module 1 To do"
    assert modules[1] == "2. Module 2 Done on 03/11/2026 at Médiathèque de Gourdon"
    assert len(modules) == 10
    assert "1 / 10 modules" in text_of(page.select_one("#modules-title"))
    assert queries == 7


@pytest.mark.parametrize(("offset", "expected"), [
    (25, "Expires in 25 days."),
    (200, "Valid until"),
])
def test_the_validity_warning(world, offset, expected):
    Voucher.objects.filter(pk=world["voucher"].pk).update(
        valid_from=timezone.localdate() - timedelta(days=30), valid_until=timezone.localdate() + timedelta(days=offset))
    page = soup(english_client(world["prescriber"]).get(url("voucher", world["voucher"])))
    assert text_of(page.select_one(".voucher-validity")).startswith(expected)


def test_the_grace_period_and_expiry(world):
    today = timezone.localdate()
    voucher = world["voucher"]
    Voucher.objects.filter(pk=voucher.pk).update(valid_from=today - timedelta(days=400),
                                                 valid_until=today - timedelta(days=5))
    page = soup(english_client(world["prescriber"]).get(url("voucher", voucher)))
    grace_end = today + timedelta(days=25)
    assert text_of(page.select_one(".voucher-validity")) == (
        f"Validity over: grace period until {grace_end.day} {grace_end.strftime('%B')} {grace_end.year}.")
    Voucher.objects.filter(pk=voucher.pk).update(valid_until=today - timedelta(days=31))
    page = soup(english_client(world["prescriber"]).get(url("voucher", voucher)))
    assert text_of(page.select_one(".voucher-validity")).startswith("Expired:")


def test_an_animator_whose_venue_served_it_sees_it_without_actions(world):
    use(world["voucher"], 1, world["figeac"], timezone.localdate())
    client = english_client(UserFactory(venues=[world["figeac"]]))
    page = soup(client.get(url("voucher", world["voucher"])))
    assert "Camille" in text_of(page)
    actions = [form.get("action") for form in page.select("form[method=post]")]
    assert url("cancel", world["voucher"]) not in actions
    assert url("erase", world["voucher"]) not in actions
    assert page.select_one(f"a[href='{url('card', world['voucher'])}']") is None
    assert client.get(url("card", world["voucher"])).status_code == 403
    assert client.get(url("qr", world["voucher"])).status_code == 200


@pytest.mark.parametrize("name", ["voucher", "card", "qr"])
def test_another_organisation_gets_404(world, name):
    assert english_client(world["other_prescriber"]).get(url(name, world["voucher"])).status_code == 404


@pytest.mark.parametrize("name", ["cancel", "erase"])
def test_another_organisation_gets_404_on_actions(world, name):
    response = english_client(world["other_prescriber"]).post(url(name, world["voucher"]),
                                                               {"reason": "Doublon", "confirm": "on"})
    assert response.status_code == 404
    world["voucher"].refresh_from_db()
    assert (world["voucher"].status, world["voucher"].first_name) == ("active", "Camille")


def test_the_card(world):
    page = soup(english_client(world["prescriber"]).get(url("card", world["voucher"])))
    card = page.select_one(".voucher-card")
    assert text_of(card.select_one(".voucher-card__code")) == "K7MP-RT4W-XC"
    assert text_of(card.select_one(".voucher-card__programme")) == "Ticket déclic Lot"
    assert text_of(card.select_one(".voucher-card__name")) == "Camille"
    assert text_of(card.select_one(".voucher-card__offer")) == "10 modules of 2 h in the participating venues"
    assert [text_of(li) for li in card.select(".voucher-card__venues li")] == [
        "EPN de Figeac, Figeac", "Médiathèque de Gourdon, Gourdon"]
    image = card.select_one("img.voucher-card__qr")
    assert image["src"] == url("qr", world["voucher"])
    assert image["alt"] == "QR code of voucher K7MP-RT4W-XC"
    assert page.select_one("link[href$='css/vouchers.css']") is not None
    assert page.select("[style]") == []


def test_the_qr_code_is_an_svg(world, settings):
    response = english_client(world["prescriber"]).get(url("qr", world["voucher"]))
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"].startswith("private")
    body = response.content.decode()
    assert body.startswith("<svg") and "<path" in body


def test_the_qr_code_encodes_the_recording_address(world, settings):
    from unittest import mock

    with mock.patch("qrcode.make", wraps=__import__("qrcode").make) as make:
        english_client(world["prescriber"]).get(url("qr", world["voucher"]))
    assert make.call_args.args[0] == f"{settings.BASE_URL}/bureau/tickets/code/K7MPRT4WXC/"


# --- Cancel, erase ---------------------------------------------------------------------------------


def test_cancelling_with_a_reason(world):
    client = english_client(world["prescriber"])
    response = client.post(url("cancel", world["voucher"]), {"reason": "A déménagé"})
    assert response.status_code == 302
    world["voucher"].refresh_from_db()
    assert (world["voucher"].status, world["voucher"].status_reason) == ("cancelled", "A déménagé")
    assert messages_of(client.get(response["Location"])) == ["The voucher is cancelled."]


def test_cancelling_without_a_reason_shows_the_error(world):
    response = english_client(world["prescriber"]).post(url("cancel", world["voucher"]), {"reason": ""})
    assert response.status_code == 200
    assert text_of(soup(response).select_one("#id_reason_error")) == "This field is required."
    world["voucher"].refresh_from_db()
    assert world["voucher"].status == "active"


def test_cancelling_an_ended_voucher_says_why(world):
    Voucher.objects.filter(pk=world["voucher"].pk).update(status="completed")
    client = english_client(world["prescriber"])
    response = client.post(url("cancel", world["voucher"]), {"reason": "Doublon"})
    assert messages_of(client.get(response["Location"])) == ["Only a voucher in progress can be cancelled."]


def test_an_animator_who_sees_it_gets_403_on_cancel_and_erase(world):
    use(world["voucher"], 1, world["figeac"], timezone.localdate())
    client = english_client(UserFactory(venues=[world["figeac"]]))
    assert client.post(url("cancel", world["voucher"]), {"reason": "Doublon"}).status_code == 403
    assert client.post(url("erase", world["voucher"]), {"confirm": "on"}).status_code == 403


def test_actions_are_post_only(world):
    client = english_client(world["prescriber"])
    assert client.get(url("cancel", world["voucher"])).status_code == 405
    assert client.get(url("erase", world["voucher"])).status_code == 405


def test_erasing_needs_the_confirmation(world):
    response = english_client(world["prescriber"]).post(url("erase", world["voucher"]), {})
    assert response.status_code == 200
    assert text_of(soup(response).select_one("#id_confirm_error")) == "Tick the box to confirm."
    world["voucher"].refresh_from_db()
    assert world["voucher"].first_name == "Camille"


def test_erasing(world):
    client = english_client(world["prescriber"])
    response = client.post(url("erase", world["voucher"]), {"confirm": "on"})
    world["voucher"].refresh_from_db()
    assert (world["voucher"].first_name, world["voucher"].commune, world["voucher"].commune_insee) == (
        erased(), "", "46042")
    assert messages_of(client.get(response["Location"])) == [
        "The person's first name and commune are erased; the counts stay."]


def test_the_prescriber_sees_the_actions(world):
    page = soup(english_client(world["prescriber"]).get(url("voucher", world["voucher"])))
    actions = [form.get("action") for form in page.select("form[method=post]")]
    assert url("cancel", world["voucher"]) in actions
    assert url("erase", world["voucher"]) in actions


def test_the_list_filters_by_programme(world):
    other = ProgrammeFactory(name="Ticket déclic Jeunes")
    world["organisation"].programmes.add(other)
    VoucherFactory(programme=other, organisation=world["organisation"], first_name="Yanis")
    client = english_client(world["prescriber"])
    page = soup(client.get(LIST))
    assert [text_of(option) for option in page.select("select[name=programme] option")] == [
        "All programmes", "Ticket déclic Jeunes", "Ticket déclic Lot"]
    page = soup(client.get(f"{LIST}?programme={other.pk}"))
    assert [text_of(row.select("td")[0]) for row in page.select(".voucher-table tbody tr")] == ["Yanis"]
