"""lending.stats: the figures of March 2025 in test_stat_world, computed by hand; the
equipment each one sees; the queries, the same whatever the data."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from extranet.testing import factories
from extranet.testing.shared import building, shared_transaction
from lending import permissions, stats
from lending.tests.test_stat_world import MARCH, TODAY, build_world, grow

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build_world(factories)
            data["animator"] = factories.UserFactory(venues=[data["owner"]])
            data["coordinator"] = factories.CoordinatorFactory()
            data["borrower"] = factories.UserFactory(venues=[data["b1"]])
        yield data


def march(items_q=None, today=TODAY, **kwargs):
    return stats.usage(items_q=items_q, start=MARCH[0], end=MARCH[1], today=today, **kwargs)


def test_totals(world):
    usage = march()
    # L1 5 + L2 4 + L3 5 + L4 2 items x 2 + L5 12 + L6 2.
    assert (usage.loans, usage.days, usage.items, usage.venues) == (6, 32, 5, 2)
    # L2, L4, L5, L6, R7, R8 (refused), R9 (waiting list), R10 (31 March 23:30).
    assert (usage.requests, usage.refused, usage.waiting) == (8, 1, 1)
    # Due back in March: L1, L3 (late), L4, L5 (still out), L6.
    assert (usage.due, usage.overdue, usage.overdue_rate) == (5, 2, 0.4)


def test_by_category(world):
    rows = [(row.name, row.loans, row.days, row.items, round(row.share * 100, 3)) for row in march().by_category]
    assert rows == [("Tablettes", 3, 19, 2, 59.375), ("Vidéoprojecteurs", 2, 9, 1, 28.125), ("Visio", 1, 4, 2, 12.5)]


def test_top_items_and_venues(world):
    usage = march()
    assert [(row.name, row.category, row.loans, row.days) for row in usage.top_items] == [
        ("Tablette B", "Tablettes", 1, 12), ("Vidéoprojecteur", "Vidéoprojecteurs", 2, 9),
        ("Tablette A", "Tablettes", 2, 7), ("Caméra", "Visio", 1, 2), ("Micro", "Visio", 1, 2),
    ]
    assert usage.top_items[0].pk == world["tab2"].pk
    assert [(row.name, row.loans, row.days) for row in usage.by_venue] == [
        ("Stat Espace Nord", 3, 22), ("Stat Espace Sud", 3, 10)]
    assert [(row.name, row.loans) for row in march(top=2).top_items] == [("Tablette B", 1), ("Vidéoprojecteur", 2)]


def test_most_requested(world):
    assert [(row.name, row.requests, row.refused, row.waiting) for row in march().most_requested] == [
        ("Vidéoprojecteur", 3, 0, 1), ("Tablette A", 2, 0, 0), ("Tablette B", 2, 1, 0),
        ("Caméra", 1, 0, 0), ("Micro", 1, 0, 0),
    ]


def test_buffers_are_not_days_lent(world):
    proj = Q(pk=world["proj"].pk)
    # 8 to 10 March: the Vidéoprojecteur is kept free after L1, not lent.
    usage = stats.usage(items_q=proj, start=date(2025, 3, 8), end=date(2025, 3, 10), today=TODAY)
    assert (usage.loans, usage.days, usage.items) == (0, 0, 0)
    assert (march(proj).loans, march(proj).days) == (2, 9)
    # Only the days inside the period: 6 and 7 March of L1.
    usage = stats.usage(items_q=proj, start=date(2025, 3, 6), end=date(2025, 3, 10), today=TODAY)
    assert (usage.loans, usage.days) == (1, 2)


def test_a_kit_is_one_loan_and_counts_for_each_item(world):
    usage = march(Q(kits=world["kit"]))
    assert (usage.loans, usage.days, usage.items, usage.venues) == (1, 4, 2, 1)
    assert [(row.name, row.loans, row.days, row.items) for row in usage.by_category] == [("Visio", 1, 4, 2)]
    assert [(row.name, row.requests) for row in usage.most_requested] == [("Caméra", 1), ("Micro", 1)]


def test_still_out_counts_to_today(world):
    tab2 = Q(pk=world["tab2"].pk)
    usage = march(tab2, today=date(2025, 3, 22))
    assert (usage.loans, usage.days) == (1, 3)  # L5: 20, 21, 22 March
    # Due on the 25th, not yet due on the 22nd.
    assert (usage.due, usage.overdue, usage.overdue_rate) == (0, 0, None)
    usage = march(tab2, today=date(2025, 3, 26))
    assert (usage.days, usage.due, usage.overdue) == (7, 1, 1)


def test_empty_period(world):
    usage = stats.usage(items_q=None, start=date(2031, 2, 1), end=date(2031, 2, 28), today=TODAY)
    assert (usage.loans, usage.days, usage.items, usage.venues, usage.requests, usage.due) == (0, 0, 0, 0, 0, 0)
    assert usage.overdue_rate is None
    assert usage.by_category == usage.top_items == usage.most_requested == usage.by_venue == []


def test_each_manager_sees_the_equipment_they_manage(world):
    mine = march(permissions.managed_q(world["animator"]))
    # Tablette A and B: L3, L5, L6.
    assert (mine.loans, mine.days, mine.items, mine.venues) == (3, 19, 2, 2)
    assert [row.name for row in mine.top_items] == ["Tablette B", "Tablette A"]
    assert (mine.requests, mine.refused, mine.due, mine.overdue) == (4, 1, 3, 2)
    everything = march(permissions.managed_q(world["coordinator"]))
    assert (everything.loans, everything.days) == (6, 32)
    nothing = march(permissions.managed_q(world["borrower"]))
    assert (nothing.loans, nothing.requests, nothing.top_items) == (0, 0, [])
    assert permissions.can_view_stats(world["animator"]) and permissions.can_view_stats(world["coordinator"])


def test_owners_lending(world):
    assert list(stats.owners_lending(permissions.managed_q(world["coordinator"]))
                .filter(name__startswith="Stat")) == [world["owner"]]
    assert list(stats.owners_lending(permissions.managed_q(world["borrower"]))) == []


def test_loan_summary_by_borrower(world):
    everything = stats.loan_summary(start=MARCH[0], end=MARCH[1], today=TODAY)
    assert (everything.loans, everything.days) == (6, 32)
    assert everything.by_category == {"Tablettes": (3, 19), "Vidéoprojecteurs": (2, 9), "Visio": (1, 4)}
    north = stats.loan_summary(start=MARCH[0], end=MARCH[1], today=TODAY, borrowers_q=Q(pk=world["b1"].pk))
    assert (north.loans, north.days, north.by_category) == (3, 22, {"Tablettes": (2, 17), "Vidéoprojecteurs": (1, 5)})


def _count(**kwargs):
    with CaptureQueriesContext(connection) as ctx:
        march(**kwargs)
    return len(ctx.captured_queries)


def test_queries_flat(world):
    managed = permissions.managed_q(world["animator"])
    assert _count() == _count(items_q=managed) == 7
    grow(factories, world, 1)
    assert _count() == _count(items_q=managed) == 7
    grow(factories, world, 9)
    assert _count() == _count(items_q=managed) == 7
    usage = march()
    # 10 loans of 3 days (4 to 6 March, a day after the return date: late), 10 refused requests.
    assert (usage.loans, usage.days, usage.items, usage.venues) == (16, 62, 15, 12)
    assert (usage.requests, usage.refused, usage.due, usage.overdue) == (28, 11, 15, 12)
    assert len(usage.by_category) == 13 and len(usage.by_venue) == 12 and len(usage.top_items) == 15
