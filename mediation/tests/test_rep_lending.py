"""The equipment loans in the funders' reports (mediation.reports, "loans" view): per scope
(by borrowing venue), beside the previous year, in the page, the CSV and the XLSX; the
queries, the same whatever the data."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from extranet.testing import factories
from extranet.testing.pages import english_client, soup, text_of
from extranet.testing.shared import building, shared_transaction
from mediation import reports
from mediation.scopes import Period, Scope
from mediation.tests.rep_world import at, build_world

pytestmark = pytest.mark.django_db

S1_2025 = Period("semester", 2025, 1)
QUERIES = 22


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def lend(item=None, kit=None, *, venue, pickup, return_date, handed=True, returned=None, status="returned"):
    return factories.reservation_make(
        item=item, kit=kit, venue=venue, pickup=pickup, return_date=return_date, status=status,
        handed_over_at=at(pickup.year, pickup.month, pickup.day) if handed else None,
        returned_at=at(*returned) if returned else None,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build_world(factories)
            v1, v2, t1 = data["v1"], data["v2"], data["t1"]
            v3 = factories.VenueFactory(territory=t1, name="Rep Tiers-lieu de Figeac")
            projectors = factories.EquipmentCategoryFactory(name="Rep Vidéoprojecteurs")
            tablets = factories.EquipmentCategoryFactory(name="Rep Tablettes")
            visio = factories.EquipmentCategoryFactory(name="Rep Visio")
            proj = factories.ItemFactory(category=projectors, buffer_before=3, buffer_after=3)
            tablet = factories.ItemFactory(category=tablets)
            kit = factories.KitFactory(items=[factories.ItemFactory(category=visio),
                                              factories.ItemFactory(category=visio)])
            # v1: 3 to 7 March 2025, 5 days (the buffers not counted).
            lend(proj, venue=v1, pickup=date(2025, 3, 3), return_date=date(2025, 3, 7), returned=(2025, 3, 7))
            # v2: the kit from 29 June to 2 July: 2 days in the semester, for each of its 2 items.
            lend(kit=kit, venue=v2, pickup=date(2025, 6, 29), return_date=date(2025, 7, 2), returned=(2025, 7, 2))
            # v3 (territory 1): 10 and 11 May, 2 days.
            lend(tablet, venue=v3, pickup=date(2025, 5, 10), return_date=date(2025, 5, 11), returned=(2025, 5, 11))
            # A year before, v1: 1 to 3 February 2024, 3 days.
            lend(proj, venue=v1, pickup=date(2024, 2, 1), return_date=date(2024, 2, 3), returned=(2024, 2, 3))
            # Approved, never handed over: not a loan.
            lend(tablet, venue=v1, pickup=date(2025, 4, 1), return_date=date(2025, 4, 2), handed=False,
                 status="approved")
            data.update(v3=v3, tablet=tablet, coordinator=factories.CoordinatorFactory())
        yield data


def scope_of(world, name):
    if name == "network":
        return Scope.network()
    if name.startswith("t"):
        return Scope.of_territory(world[name])
    return Scope.of_venue(world[name])


@pytest.mark.parametrize(("name", "expected"), [
    # loans, days lent, the year before: loans, days lent
    ("network", (3, 11, 1, 3)),
    ("t1", (2, 7, 1, 3)),
    ("t2", (1, 4, 0, 0)),
    ("v1", (1, 5, 1, 3)),
    ("v2", (1, 4, 0, 0)),
    ("v3", (1, 2, 0, 0)),
])
def test_loans_per_scope(world, name, expected):
    report = reports.build(scope=scope_of(world, name), period=S1_2025)
    assert (report.figures.loans, report.figures.loan_days, report.previous.loans,
            report.previous.loan_days) == expected


def test_loans_view_and_headline(world):
    report = reports.build(scope=Scope.network(), period=S1_2025)
    view = report.view("loans")
    assert view.title == "Equipment loans"
    assert view.columns == ["Category", "first semester 2025", "first semester 2024", "Days lent, first semester 2025",
                            "Days lent, first semester 2024"]
    assert view.text_rows == [
        ["Rep Vidéoprojecteurs", "1", "1", "5", "3"],
        ["Rep Tablettes", "1", "0", "2", "0"],
        ["Rep Visio", "1", "0", "4", "0"],
    ]
    headline = {figure.key: (figure.text, figure.previous_text, figure.change) for figure in report.headline}
    assert headline["loans"] == ("3", "1", "+200\u00a0%")
    assert headline["loan_days"] == ("11", "3", "+267\u00a0%")
    summary = [row[0] for row in report.view("summary").text_rows]
    assert summary[-2:] == ["Equipment loans", "Days of equipment lent"]


def test_page_csv_and_xlsx(world):
    client = english_client(world["coordinator"])
    query = f"perimetre=territoire-{world['t1'].pk}&periode=semester-2025-1"
    page = soup(client.get(f"{reverse('rapports:index')}?{query}"))
    section = page.select_one("section[aria-labelledby=report-view-loans]")
    assert text_of(section.select_one("h2")) == "Equipment loans"
    assert text_of(section.select_one(".report-chart__source")) == (
        "Source: Maillage, the equipment loans recorded (by borrowing venue); scope: Rep Lot.")
    rows = [[text_of(cell) for cell in row.select("th, td")] for row in section.select("tbody tr")]
    assert rows == [["Rep Vidéoprojecteurs", "1", "1", "5", "3"], ["Rep Tablettes", "1", "0", "2", "0"]]
    cards = {text_of(card.select_one(".report-card__label")): text_of(card.select_one(".report-card__value"))
             for card in page.select(".report-card")}
    assert (cards["Equipment loans"], cards["Days of equipment lent"]) == ("2", "7")
    response = client.get(f"{reverse('rapports:export-csv')}?{query}&vue=loans")
    text = response.content.decode("utf-8")[1:]
    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [
        ["Category", "first semester 2025", "first semester 2024", "Days lent, first semester 2025",
         "Days lent, first semester 2024"],
        ["Rep Vidéoprojecteurs", "1", "1", "5", "3"], ["Rep Tablettes", "1", "0", "2", "0"],
    ]
    book = load_workbook(io.BytesIO(client.get(f"{reverse('rapports:export-xlsx')}?{query}").content))
    sheet = book["Equipment loans"]
    assert [cell.value for cell in sheet[2]] == ["Rep Vidéoprojecteurs", 1, 1, 5, 3]


def _count(scope):
    with CaptureQueriesContext(connection) as ctx:
        reports.build(scope=scope, period=S1_2025)
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["network", "t1", "v1"])
def test_queries_flat(world, name):
    scope = scope_of(world, name)
    assert _count(scope) == QUERIES
    for i in range(10):
        lend(world["tablet"], venue=world["v1"], pickup=date(2025, 1, 1 + 2 * i), return_date=date(2025, 1, 2 + 2 * i),
             returned=(2025, 1, 2 + 2 * i))
    assert _count(scope) == QUERIES
    report = reports.build(scope=scope, period=S1_2025)
    assert report.figures.loans == {"network": 13, "t1": 12, "v1": 11}[name]
