"""The reports' figures (mediation.reports), checked against numbers computed by hand from the
data of rep_world: per scope, beside the previous year, over an empty period, at a period's
edges; and the queries, the same whatever the data."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from extranet.testing import factories
from extranet.testing.shared import building, shared_transaction
from mediation import reports
from mediation.models import ActivityBeneficiary, ActivityRecord, Voucher, VoucherUse
from mediation.scopes import Period, Scope
from mediation.tests.rep_world import PARIS, at, build_world

pytestmark = pytest.mark.django_db

S1_2025 = Period("semester", 2025, 1)
QUERIES = 22  # 11 per period (2 of them the equipment loans)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build_world(factories)
        yield data


def scope_of(world, name):
    if name == "network":
        return Scope.network()
    if name.startswith("t"):
        return Scope.of_territory(world[name])
    return Scope.of_venue(world[name])


def headline(report):
    return {figure.key: figure.text for figure in report.headline}


def view_rows(report, key):
    return report.view(key).text_rows


# --- Workshops ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    # sessions, registrations, present, excused, no-show, rate, average, satisfied
    ("network", (3, 6, 5, 1, 2, "63\u00a0%", "3,7", "67\u00a0%")),
    ("v1", (1, 3, 2, 0, 1, "67\u00a0%", "4,5", "100\u00a0%")),
    ("v2", (1, 2, 2, 1, 1, "50\u00a0%", "2,0", "0\u00a0%")),
    ("t1", (1, 3, 2, 0, 1, "67\u00a0%", "4,5", "100\u00a0%")),
    ("t2", (2, 3, 3, 1, 1, "60\u00a0%", "2,0", "0\u00a0%")),
])
def test_workshop_figures(world, name, expected):
    report = reports.build(scope=scope_of(world, name), period=S1_2025)
    f = report.figures
    assert (f.sessions, f.registrations, f.present, f.excused, f.no_show) == expected[:5]
    texts = headline(report)
    assert (texts["attendance_rate"], texts["satisfaction"], texts["satisfied_share"]) == expected[5:]


def test_workshop_scores_and_previous_year(world):
    report = reports.build(scope=Scope.network(), period=S1_2025)
    assert view_rows(report, "satisfaction") == [["5", "1", "0"], ["4", "1", "0"], ["3", "0", "1"],
                                                 ["2", "1", "0"], ["1", "0", "0"]]
    before = report.previous
    assert before.period == Period("semester", 2024, 1)
    assert (before.sessions, before.registrations, before.present, before.marked) == (1, 1, 1, 1)
    assert before.satisfaction == Decimal("3.0")
    assert before.satisfied_share == 0
    changes = {figure.key: figure.change for figure in report.headline}
    assert changes["sessions"] == "+200\u00a0%"  # 3 against 1
    assert changes["attendance_rate"] == "-38\u00a0pts"  # 62.5 % against 100 %
    assert changes["satisfaction"] == "+0,7"  # 3.7 against 3.0


def test_a_session_not_yet_ended_is_not_held(world):
    during = datetime(2025, 3, 10, 11, 0, tzinfo=PARIS)
    report = reports.build(scope=Scope.of_venue(world["v1"]), period=S1_2025, now=during)
    assert (report.figures.sessions, report.figures.registrations, report.figures.marked) == (0, 0, 0)


# --- Vouchers and statements ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    # issued, completed, modules, drawn up (n, €), paid (n, €)
    ("network", (3, 2, 5, 2, "450.00", 2, "375.50")),
    ("v1", (2, 2, 4, 1, "300.00", 2, "375.50")),
    ("v2", (1, 1, 1, 1, "150.00", 0, "0")),
    ("t1", (2, 2, 4, 1, "300.00", 2, "375.50")),
    ("t2", (2, 1, 1, 1, "150.00", 0, "0")),
])
def test_voucher_figures(world, name, expected):
    f = reports.build(scope=scope_of(world, name), period=S1_2025).figures
    assert (f.vouchers_issued, f.vouchers_completed, f.modules_attended, f.settlements, f.settled_amount,
            f.settlements_paid, f.paid_amount) == (*expected[:3], expected[3], Decimal(expected[4]), expected[5],
                                                   Decimal(expected[6]))


def test_voucher_previous_year_and_tables(world):
    report = reports.build(scope=Scope.network(), period=S1_2025)
    before = report.previous
    assert (before.vouchers_issued, before.vouchers_completed, before.modules_attended) == (1, 0, 1)
    assert (before.settlements, before.settled_amount, before.settlements_paid, before.paid_amount) == (
        1, Decimal("40.00"), 1, Decimal("40.00"))
    assert view_rows(report, "vouchers") == [["Vouchers issued", "3", "1"], ["Vouchers completed", "2", "0"],
                                             ["Modules attended", "5", "1"]]
    assert view_rows(report, "settlements") == [
        ["Drawn up", "450,00\u00a0€", "40,00\u00a0€", "2", "1"],
        ["Paid", "375,50\u00a0€", "40,00\u00a0€", "2", "1"],
    ]
    assert headline(report)["paid_amount"] == "375,50\u00a0€"


# --- Accompaniments ------------------------------------------------------------------------------


def test_accompaniments_network(world):
    report = reports.build(scope=Scope.network(), period=S1_2025)
    f = report.figures
    assert (f.records, f.people, f.minutes, f.hours) == (4, 8, 210, Decimal("3.5"))
    assert view_rows(report, "themes") == [
        ["E-mail", "3", "1", "7", "3"],
        ["Health", "2", "0", "2", "0"],
        ["Online banking and shopping", "1", "0", "1", "0"],
        ["Staying safe online", "1", "0", "1", "0"],
    ]
    assert view_rows(report, "ages") == [
        ["Under 18", "1", "0"], ["18 to 24", "0", "0"], ["25 to 39", "1", "0"], ["40 to 59", "0", "0"],
        ["60 to 69", "1", "0"], ["70 or over", "1", "0"], ["Not given", "4", "3"],
    ]
    assert view_rows(report, "places") == [
        ["At a venue", "2", "1", "6", "3"], ["At the person's home", "1", "0", "1", "0"],
        ["Remotely", "1", "0", "1", "0"], ["Elsewhere", "0", "0", "0", "0"],
    ]
    assert view_rows(report, "kinds") == [
        ["Individual", "3", "0", "3", "0"], ["Collective (workshop)", "1", "1", "5", "3"],
    ]
    assert view_rows(report, "durations") == [
        ["Under 30 min", "1", "0"], ["30 min to 1 h", "2", "0"], ["1 h to 2 h", "0", "1"], ["2 h or more", "1", "0"],
    ]
    texts = headline(report)
    assert (texts["records"], texts["people"], texts["hours"]) == ("4", "8", "3,5\u00a0h")


@pytest.mark.parametrize(("name", "expected"), [
    # records, people, minutes, ages (under 18, 25-39, 60-69, 70+, not given)
    ("v1", (2, 6, 150, (1, 1, 1, 0, 3))),
    ("t1", (2, 6, 150, (1, 1, 1, 0, 3))),
    ("v2", (1, 1, 45, (0, 0, 0, 0, 1))),
    ("t2", (2, 2, 60, (0, 0, 0, 1, 1))),
])
def test_accompaniments_scopes(world, name, expected):
    f = reports.build(scope=scope_of(world, name), period=S1_2025).figures
    assert (f.records, f.people, f.minutes) == expected[:3]
    ages = f.by_age
    assert (ages["Mineur"], ages["VingtCinqTrenteNeuf"], ages["SoixanteSoixanteNeuf"], ages["SoixanteDixPlus"],
            ages["NonCommunique"]) == expected[3]


# --- Empty periods, edges ------------------------------------------------------------------------


def test_empty_period_zeros_and_dashes(world):
    report = reports.build(scope=Scope.network(), period=Period("month", 2031, 2))
    texts = headline(report)
    assert texts == {
        "sessions": "0", "registrations": "0", "attendance_rate": "—", "satisfaction": "—",
        "satisfied_share": "—", "vouchers_issued": "0", "vouchers_completed": "0", "paid_amount": "0,00\u00a0€",
        "records": "0", "people": "0", "hours": "0,0\u00a0h", "loans": "0", "loan_days": "0",
    }
    assert {figure.change for figure in report.headline} == {"—"}
    assert view_rows(report, "themes") == []
    assert view_rows(report, "loans") == []
    assert all(bar.step == 0 for view in report.views for bar in view.bars)
    assert view_rows(report, "ages")[-1] == ["Not given", "0", "0"]


def test_period_edges():
    assert Period("semester", 2026, 2).start == date(2026, 7, 1)
    assert Period("semester", 2026, 2).end == date(2026, 12, 31)
    assert Period("month", 2024, 2).end == date(2024, 2, 29)
    assert Period("month", 2025, 2).previous_year().end == date(2024, 2, 29)
    assert Period("quarter", 2025, 1).previous() == Period("quarter", 2024, 4)
    assert Period("semester", 2025, 2).next() == Period("semester", 2026, 1)


def test_leap_day_and_new_year_eve_counted(world):
    territory = factories.TerritoryFactory(name="Rep Leap")
    venue = factories.VenueFactory(territory=territory)
    ActivityRecord.objects.create(venue=venue, territory=territory, date=date(2024, 2, 29), duration_minutes=30,
                                  themes=["Email"])
    ActivityRecord.objects.create(venue=venue, territory=territory, date=date(2026, 12, 31), duration_minutes=30,
                                  themes=["Email"])
    ActivityRecord.objects.create(venue=venue, territory=territory, date=date(2027, 1, 1), duration_minutes=30,
                                  themes=["Email"])
    scope = Scope.of_venue(venue)
    february = reports.build(scope=scope, period=Period("month", 2025, 2))
    assert (february.figures.records, february.previous.records) == (0, 1)
    assert reports.build(scope=scope, period=Period("semester", 2026, 2)).figures.records == 1
    programme = factories.ProgrammeFactory()
    item = factories.VoucherFactory(programme=programme)
    # 31 December 23:30 in Paris is 22:30 UTC: in the second semester, not in the next year.
    Voucher.objects.filter(pk=item.pk).update(issued_at=at(2026, 12, 31, 23, 30))
    assert reports.build(scope=Scope.network(), period=Period("semester", 2026, 2)).figures.vouchers_issued >= 1
    assert reports.build(scope=Scope.network(), period=Period("year", 2027)).figures.vouchers_issued == 0


# --- Queries -------------------------------------------------------------------------------------


def _count(scope, period):
    with CaptureQueriesContext(connection) as ctx:
        reports.build(scope=scope, period=period)
    return len(ctx.captured_queries)


def _grow(world, factor):
    """`factor` times: a voucher with a module at the first venue, two accompaniments there
    (one with a person described), in the first semester of 2025."""
    programme, venue = world["programme"], world["v1"]
    vouchers = Voucher.objects.bulk_create(
        Voucher(programme=programme, organisation=world["o1"], code=f"REPGROW{factor}X{i:05d}",
                issued_at=at(2025, 2, 2), valid_from=date(2025, 2, 2), valid_until=date(2026, 2, 2),
                first_name="X", consent_at=at(2025, 2, 2))
        for i in range(factor)
    )
    module = programme.modules.order_by("position").first()
    VoucherUse.objects.bulk_create(
        VoucherUse(voucher=v, module=module, venue=venue, date=date(2025, 2, 3), duration_minutes=120)
        for v in vouchers
    )
    records = ActivityRecord.objects.bulk_create(
        ActivityRecord(venue=venue, territory=world["t1"], date=date(2025, 2, 3), duration_minutes=30,
                       themes=["Email", "Sante"], participants=2)
        for _ in range(2 * factor)
    )
    ActivityBeneficiary.objects.bulk_create(ActivityBeneficiary(record=r, age_bracket="Mineur") for r in records[::2])


@pytest.mark.parametrize("name", ["network", "t1", "v1"])
def test_queries_flat(world, name):
    scope = scope_of(world, name)
    small = _count(scope, S1_2025)
    assert small == QUERIES
    _grow(world, 1)
    assert _count(scope, S1_2025) == QUERIES
    _grow(world, 10)
    assert _count(scope, S1_2025) == QUERIES


def test_ten_thousand_records(world):
    venue, territory = world["v1"], world["t1"]
    ActivityRecord.objects.bulk_create(
        (ActivityRecord(venue=venue, territory=territory, date=date(2025, 1 + i % 6, 1 + i % 28),
                        duration_minutes=15 + i % 4 * 40, themes=["Email"], participants=1)
         for i in range(10_000)),
        batch_size=2000,
    )
    with CaptureQueriesContext(connection) as ctx:
        report = reports.build(scope=Scope.of_venue(venue), period=S1_2025)
    assert len(ctx.captured_queries) == QUERIES
    f = report.figures
    assert (f.records, f.people) == (10_002, 10_006)
    # 15, 55, 95 and 135 minutes, 2,500 each; plus 30 min and 2 h from rep_world.
    assert f.by_duration == [2500, 2501, 2500, 2501]
