"""The settlement pages through the test client (pages in English, the msgids; the French is
in the slice's PO fragment)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from extranet.testing.factories import OrganisationFactory, PrescriberSeatFactory, UserFactory
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from mediation import settlement
from mediation.models import Settlement, Voucher, VoucherUse
from mediation.tests.settle_data import split_six_four, voucher_with_uses, world

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:settlements")
CREATE = reverse("tickets:settlement-create")
MARCH = {"kind": "month", "year": 2026, "number": 3}


@pytest.fixture
def w():
    return world()


def settle(w, venue="venue_a"):
    return settlement.settlement_create(actor=w["coordinator"], programme=w["programme"], venue=w[venue],
                                        start=date(2026, 3, 1), end=date(2026, 3, 31))


def march_owed(w):
    return LIST + f"?programme={w['programme'].pk}&periode=month&annee=2026&numero=3"


# --- The list --------------------------------------------------------------------------------


def test_list_shows_the_amounts_owed_per_venue_with_a_link_to_settle(w):
    split_six_four(w)
    page = soup(english_client(w["coordinator"]).get(march_owed(w)))
    table = page.select_one("section.settlement-owed table")
    rows = [[text_of(cell) for cell in row.select("th, td")][:4] for row in table.select("tbody tr")]
    assert rows == [["Espace Cahors", "1", "6", "90.00 €"], ["Médiathèque Figeac", "1", "4", "60.00 €"]]
    assert "150.00 €" in text_of(table.caption)
    link = table.select_one("tbody tr a")["href"]
    assert link == (f"{CREATE}?programme={w['programme'].pk}&kind=month&year=2026&number=3"
                    f"&venue={w['venue_a'].pk}")


def test_list_of_an_animator_shows_only_their_venues_statements_and_no_amounts_owed(w):
    split_six_four(w)
    settle(w, "venue_a")
    settle(w, "venue_b")
    page = soup(english_client(w["animator_a"]).get(LIST))
    assert page.select_one("section.settlement-owed") is None
    names = [text_of(row.th) for row in page.select("#statements-title ~ .table-wrap tbody tr")]
    assert names == ["Espace Cahors"]


def test_list_filters_by_paid(w):
    split_six_four(w)
    paid = settle(w, "venue_a")
    settle(w, "venue_b")
    settlement.settlement_mark_paid(actor=w["coordinator"], settlement=paid, paid_on=date(2026, 4, 15))
    client = english_client(w["coordinator"])
    unpaid = soup(client.get(LIST + "?paid=non"))
    assert [text_of(row.th) for row in unpaid.select("#statements-title ~ .table-wrap tbody tr")] == [
        "Médiathèque Figeac"]
    paid_page = soup(client.get(LIST + "?paid=oui"))
    assert [text_of(row.th) for row in paid_page.select("#statements-title ~ .table-wrap tbody tr")] == [
        "Espace Cahors"]


def test_list_denied_to_a_prescriber_and_to_a_member_without_venue(w):
    seat = PrescriberSeatFactory(organisation=w["organisation"])
    assert english_client(seat.user).get(LIST).status_code == 403
    assert english_client(UserFactory()).get(LIST).status_code == 403


def test_list_queries_stay_flat(w):
    client = english_client(w["coordinator"])

    def grow(factor):
        for _index in range(factor):
            voucher = split_six_four(w)
            statement = settle(w, "venue_a")
            VoucherUse.objects.filter(voucher=voucher).update(settlement=None, amount=None)
            Settlement.objects.filter(pk=statement.pk).update(period_start=date(2026, 2, 1))

    queries, page = queries_flat(client, march_owed(w), grow)
    assert queries == 13
    assert len(page.select("#statements-title ~ .table-wrap tbody tr")) == 10


def test_animator_list_queries_stay_flat(w):
    client = english_client(w["animator_a"])

    def grow(factor):
        for _index in range(factor):
            split_six_four(w)
            settle(w, "venue_a")

    queries, page = queries_flat(client, LIST, grow)
    assert queries == 10
    assert len(page.select("#statements-title ~ .table-wrap tbody tr")) == 10


# --- Drawing up ------------------------------------------------------------------------------


def test_create_form_is_prefilled_from_the_query(w):
    response = english_client(w["coordinator"]).get(
        CREATE + f"?programme={w['programme'].pk}&venue={w['venue_b'].pk}&kind=quarter&year=2026&number=1")
    page = soup(response)
    assert page.select_one("#id_venue option[selected]")["value"] == str(w["venue_b"].pk)
    assert page.select_one("#id_kind option[selected]")["value"] == "quarter"
    assert page.select_one("#id_number")["value"] == "1"


def test_create_post_draws_up_the_statement(w):
    split_six_four(w)
    response = english_client(w["coordinator"]).post(
        CREATE, {"programme": w["programme"].pk, "venue": w["venue_b"].pk, **MARCH})
    statement = Settlement.objects.get()
    assert response.status_code == 302 and response["Location"] == statement.get_absolute_url()
    assert (statement.venue, statement.total, statement.period_start, statement.period_end) == (
        w["venue_b"], Decimal("60.00"), date(2026, 3, 1), date(2026, 3, 31))


def test_create_post_with_nothing_owed_keeps_the_input(w):
    response = english_client(w["coordinator"]).post(
        CREATE, {"programme": w["programme"].pk, "venue": w["venue_b"].pk, "kind": "quarter", "year": 2026,
                 "number": 2})
    assert response.status_code == 200
    page = soup(response)
    assert "Nothing is owed to this venue for this period." in text_of(page.select_one(".form-errors"))
    assert page.select_one("#id_kind option[selected]")["value"] == "quarter"
    assert page.select_one("#id_number")["value"] == "2"
    assert not Settlement.objects.exists()


def test_create_post_a_fifth_quarter_is_invalid(w):
    split_six_four(w)
    response = english_client(w["coordinator"]).post(
        CREATE, {"programme": w["programme"].pk, "venue": w["venue_a"].pk, "kind": "quarter", "year": 2026,
                 "number": 5})
    assert response.status_code == 200
    assert "A quarter is numbered 1 to 4." in response.content.decode()
    assert not Settlement.objects.exists()


def test_create_denied_to_an_animator(w):
    split_six_four(w)
    client = english_client(w["animator_a"])
    assert client.get(CREATE).status_code == 403
    response = client.post(CREATE, {"programme": w["programme"].pk, "venue": w["venue_a"].pk, **MARCH})
    assert response.status_code == 403
    assert not Settlement.objects.exists()


# --- One statement ---------------------------------------------------------------------------


def test_statement_page_for_the_funder_never_shows_the_first_name(w):
    voucher = split_six_four(w, code="K7MPRT4WXC")
    statement = settle(w, "venue_b")
    response = english_client(w["coordinator"]).get(statement.get_absolute_url())
    page = soup(response)
    text = text_of(page.select_one("article.settlement-statement"))
    assert "Camille" not in response.content.decode()
    assert "Conseil départemental du Lot, CAF du Lot" in text
    assert "Médiathèque Figeac" in text and "12345678900011" in text
    rows = [[text_of(cell) for cell in row.select("th, td")] for row in page.select(".settlement-lines tbody tr")]
    assert rows == [[voucher.display_code, "7, 8, 9, 10", "17/03/2026 – 20/03/2026", "60.00 €"]]
    assert "Total owed: 60.00 €" in text
    assert "Not paid yet." in text
    assert page.select_one(f"form[action='{reverse('tickets:settlement-paid', args=[statement.pk])}']")


def test_statement_page_for_the_venue_and_404_for_another_venue(w):
    split_six_four(w)
    statement = settle(w, "venue_a")
    page = soup(english_client(w["animator_a"]).get(statement.get_absolute_url()))
    assert page.select_one("article.settlement-statement")
    assert page.select_one("form.card") is None  # neither mark paid nor cancel
    assert english_client(w["animator_b"]).get(statement.get_absolute_url()).status_code == 404
    assert english_client(w["animator_b"]).get(
        reverse("tickets:settlement-csv", args=[statement.pk])).status_code == 404


def test_statement_page_queries_stay_flat(w):
    statement = Settlement.objects.create(programme=w["programme"], venue=w["venue_a"],
                                          period_start=date(2026, 3, 1), period_end=date(2026, 3, 31))

    def grow(factor):
        for _index in range(factor):
            voucher = split_six_four(w)
            VoucherUse.objects.filter(voucher=voucher, venue=w["venue_a"]).update(
                settlement=statement, amount=Decimal("15.00"))

    queries, page = queries_flat(english_client(w["coordinator"]), statement.get_absolute_url(), grow)
    assert queries == 8
    assert len(page.select(".settlement-lines tbody tr")) == 10


def test_statement_csv(w):
    voucher = split_six_four(w, code="K7MPRT4WXC")
    statement = settle(w, "venue_a")
    response = english_client(w["coordinator"]).get(reverse("tickets:settlement-csv", args=[statement.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8") == (
        "\ufeffCode;Modules;First module on;Last module on;Amount (€)\r\n"
        f"{voucher.display_code};1, 2, 3, 4, 5, 6;01/03/2026;06/03/2026;90,00\r\n"
        "Total;6;;;90,00\r\n"
    )


def test_mark_paid_then_again(w):
    split_six_four(w)
    statement = settle(w)
    client = english_client(w["coordinator"])
    url = reverse("tickets:settlement-paid", args=[statement.pk])
    response = client.post(url, {"paid_on": "2026-04-15", "reference": "VIR-41"})
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.payment_reference == "VIR-41" and statement.paid_at is not None
    response = client.post(url, {"paid_on": "2026-04-20", "reference": "VIR-42"}, follow=True)
    assert messages_of(response)[-1] == "This statement was already marked paid on 15 April 2026."
    statement.refresh_from_db()
    assert statement.payment_reference == "VIR-41"
    assert "Paid on 15 April 2026" in text_of(soup(response).select_one(".settlement-status"))


def test_mark_paid_invalid_date_keeps_the_input(w):
    split_six_four(w)
    statement = settle(w)
    response = english_client(w["coordinator"]).post(
        reverse("tickets:settlement-paid", args=[statement.pk]), {"paid_on": "2100-01-01", "reference": "VIR-41"})
    assert response.status_code == 200
    page = soup(response)
    assert "The payment date cannot be in the future." in response.content.decode()
    assert page.select_one("#id_reference")["value"] == "VIR-41"
    statement.refresh_from_db()
    assert statement.paid_at is None


def test_mark_paid_denied_to_the_venue_and_get_not_allowed(w):
    split_six_four(w)
    statement = settle(w)
    url = reverse("tickets:settlement-paid", args=[statement.pk])
    assert english_client(w["animator_a"]).post(url, {"paid_on": "2026-04-15"}).status_code == 403
    assert english_client(w["coordinator"]).get(url).status_code == 405
    statement.refresh_from_db()
    assert statement.paid_at is None


def test_cancel_from_the_statement_page(w):
    split_six_four(w)
    statement = settle(w)
    assert english_client(w["animator_a"]).post(statement.get_absolute_url(), {"action": "cancel"}).status_code == 403
    response = english_client(w["coordinator"]).post(statement.get_absolute_url(), {"action": "cancel"},
                                                      follow=True)
    assert messages_of(response) == ["The statement is cancelled: its 6 modules may be settled again."]
    assert not Settlement.objects.exists()


# --- Closing ---------------------------------------------------------------------------------


def closing_world(w):
    caf = OrganisationFactory(name="CAF du Lot", programmes=[w["programme"]])
    voucher_with_uses(w["programme"], w["organisation"], [(w["venue_a"], p, date(2026, 3, p)) for p in (1, 2, 3)],
                      status=Voucher.Status.EXPIRED, valid_from=date(2025, 1, 1), code="AAAAAAAAAA")
    voucher_with_uses(w["programme"], caf, [], valid_from=date(2025, 2, 1), code="BBBBBBBBBB")
    split_six_four(w)


def test_closing_page_and_csv(w):
    closing_world(w)
    client = english_client(w["coordinator"])
    page = soup(client.get(reverse("tickets:closing", args=[w["programme"].pk])))
    first = page.select(".settlement-statement table")[0]
    rows = [[text_of(cell) for cell in row.select("th, td")] for row in first.select("tbody tr")]
    assert rows == [["CAF du Lot", "1", "0", "10", "150.00 €"],
                    ["Mission locale du Lot", "1", "3", "7", "150.00 €"]]
    assert [text_of(cell) for cell in first.select("tfoot th, tfoot td")] == ["Total", "2", "3", "17", "300.00 €"]
    assert "Camille" not in str(page)
    response = client.get(reverse("tickets:closing-csv", args=[w["programme"].pk]))
    assert response.content.decode("utf-8") == (
        "\ufeffOrganisation;Code;Valid from;Valid until;Status;Modules done;Modules left;Amount not spent (€)\r\n"
        "CAF du Lot;BBBB-BBBB-BB;01/02/2025;31/01/2026;In progress;0;10;150,00\r\n"
        "Mission locale du Lot;AAAA-AAAA-AA;01/01/2025;31/12/2025;Expired;3;7;150,00\r\n"
        "Total;2;;;;3;17;300,00\r\n"
    )


def test_closing_filtered_by_end_of_validity(w):
    closing_world(w)
    url = reverse("tickets:closing", args=[w["programme"].pk]) + "?ended_from=2026-01-01&ended_until=2026-01-31"
    page = soup(english_client(w["coordinator"]).get(url))
    rows = page.select(".settlement-lines tbody tr")
    assert [text_of(row.th) for row in rows] == ["BBBB-BBBB-BB"]


def test_closing_is_a_404_for_an_animator(w):
    """Not a manager of the programme: as its other pages, a 404 (its id is not probed)."""
    assert english_client(w["animator_a"]).get(reverse("tickets:closing", args=[w["programme"].pk])).status_code == 404
    assert english_client(w["animator_a"]).get(
        reverse("tickets:closing-csv", args=[w["programme"].pk])).status_code == 404


def test_closing_queries_stay_flat(w):
    def grow(factor):
        for _index in range(factor):
            organisation = OrganisationFactory(programmes=[w["programme"]])
            voucher_with_uses(w["programme"], organisation, [(w["venue_a"], 1, date(2026, 3, 1))],
                              status=Voucher.Status.EXPIRED)

    queries, _page = queries_flat(english_client(w["coordinator"]),
                                  reverse("tickets:closing", args=[w["programme"].pk]), grow)
    assert queries == 10


def test_statement_404_for_a_prescriber(w):
    split_six_four(w)
    statement = settle(w)
    seat = PrescriberSeatFactory(organisation=w["organisation"])
    assert english_client(seat.user).get(statement.get_absolute_url()).status_code == 404


def test_list_is_paginated_by_thirty(w):
    Settlement.objects.bulk_create(
        Settlement(programme=w["programme"], venue=w["venue_a"], period_start=date(2026, 3, 1),
                   period_end=date(2026, 3, 31)) for _index in range(31))
    client = english_client(w["coordinator"])
    first = soup(client.get(LIST))
    assert len(first.select("#statements-title ~ .table-wrap tbody tr")) == 30
    second = soup(client.get(LIST + "?page=2"))
    assert len(second.select("#statements-title ~ .table-wrap tbody tr")) == 1
