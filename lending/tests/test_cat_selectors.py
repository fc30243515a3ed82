"""The catalogue's reads (lending.selectors): visibility, each filter, availability between two
dates with buffers, kits and repairs, the month grid."""

from datetime import date, timedelta

import pytest
from django.http import Http404

from extranet.testing.factories import (
    CoordinatorFactory,
    EquipmentCategoryFactory,
    ItemFactory,
    KitFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from lending import selectors
from lending.models import Item

pytestmark = pytest.mark.django_db

D = date(2030, 3, 10)


@pytest.fixture
def world():
    lot = TerritoryFactory(name="Lot")
    cantal = TerritoryFactory(name="Cantal")
    figeac = VenueFactory(name="EPN de Figeac", territory=lot)
    aurillac = VenueFactory(name="Médiathèque d'Aurillac", territory=cantal)
    screens = EquipmentCategoryFactory(name="Écrans")
    robots = EquipmentCategoryFactory(name="Robots")
    projector = ItemFactory(name="Vidéoprojecteur Epson", inventory_number="CR-001", category=screens)
    robot = ItemFactory(name="Thymio", inventory_number="CR-002", category=robots,
                        description="Robot éducatif pour la programmation", home_venue=aurillac)
    tablet = ItemFactory(name="Tablette Android", inventory_number="FIG-007", category=screens, owner_venue=figeac,
                         home_venue=figeac)
    old = ItemFactory(name="Vieux scanner", inventory_number="FIG-001", category=screens, owner_venue=figeac,
                      home_venue=figeac, status=Item.Status.RETIRED)
    member = UserFactory()
    animator = UserFactory(venues=[figeac])
    return {"lot": lot, "cantal": cantal, "figeac": figeac, "aurillac": aurillac, "screens": screens,
            "robots": robots, "projector": projector, "robot": robot, "tablet": tablet, "old": old,
            "member": member, "animator": animator}


def names(items):
    return [item.name for item in items]


def test_a_member_sees_everything_but_the_retired_items(world):
    assert names(selectors.catalogue(world["member"])) == ["Tablette Android", "Thymio", "Vidéoprojecteur Epson"]


def test_the_managers_of_a_retired_item_see_it(world):
    assert "Vieux scanner" in names(selectors.catalogue(world["animator"]))
    assert "Vieux scanner" in names(selectors.catalogue(CoordinatorFactory()))


def test_text_searches_name_inventory_number_and_description(world):
    member = world["member"]
    assert names(selectors.catalogue(member, q="epson")) == ["Vidéoprojecteur Epson"]
    assert names(selectors.catalogue(member, q="fig-007")) == ["Tablette Android"]
    assert names(selectors.catalogue(member, q="programmation")) == ["Thymio"]
    assert names(selectors.catalogue(member, q="scanner")) == []  # retired


def test_category_owner_and_territory_filters(world):
    member = world["member"]
    assert names(selectors.catalogue(member, category=world["robots"])) == ["Thymio"]
    assert names(selectors.catalogue(member, owner=selectors.RESOURCE_CENTRE)) == ["Thymio", "Vidéoprojecteur Epson"]
    assert names(selectors.catalogue(member, owner=world["figeac"].pk)) == ["Tablette Android"]
    # The territory of the home venue, or of the owner.
    assert names(selectors.catalogue(member, territory=world["cantal"])) == ["Thymio"]
    assert names(selectors.catalogue(member, territory=world["lot"])) == ["Tablette Android"]


def test_item_get_for_user(world):
    assert selectors.item_get_for_user(world["member"], world["tablet"].pk) == world["tablet"]
    with pytest.raises(Http404):
        selectors.item_get_for_user(world["member"], world["old"].pk)
    assert selectors.item_get_for_user(world["animator"], world["old"].pk) == world["old"]
    with pytest.raises(Http404):
        selectors.item_get_for_user(world["member"], 999999)


def test_kit_get_for_user(world):
    kit = KitFactory(owner_venue=world["figeac"], items=[world["tablet"]], is_active=False)
    with pytest.raises(Http404):
        selectors.kit_get_for_user(world["member"], kit.pk)
    assert selectors.kit_get_for_user(world["animator"], kit.pk) == kit
    with pytest.raises(Http404):
        selectors.kit_get_for_user(world["member"], 999999)


def test_available_respects_the_buffers_of_both_loans(world):
    # Buffers 1 day before, 2 after: a loan 10–12 keeps the 9th to the 14th.
    camera = ItemFactory(name="Caméra", buffer_before=1, buffer_after=2)
    reservation_make(item=camera, pickup=D, return_date=D + timedelta(days=2))
    member = world["member"]

    def free(start, end):
        return "Caméra" in names(selectors.catalogue(member, available=(start, end)))

    assert not free(D + timedelta(days=2), D + timedelta(days=4))
    # From the 15th: its own day before (the 14th) is still kept for the earlier loan's return.
    assert not free(D + timedelta(days=5), D + timedelta(days=6))
    assert free(D + timedelta(days=6), D + timedelta(days=7))
    # Before: ends the 7th, its 2 days after (8th, 9th) touch the 9th kept before the loan.
    assert not free(D - timedelta(days=4), D - timedelta(days=3))
    assert free(D - timedelta(days=5), D - timedelta(days=4))


def test_cancelled_and_returned_loans_do_not_hold(world):
    reservation_make(item=world["projector"], pickup=D, return_date=D, status="cancelled")
    reservation_make(item=world["projector"], pickup=D, return_date=D, status="returned")
    assert "Vidéoprojecteur Epson" in names(selectors.catalogue(world["member"], available=(D, D)))


def test_a_kit_loan_holds_each_of_its_items_and_repairs_are_unavailable(world):
    kit = KitFactory(items=[world["projector"], world["robot"]])
    reservation_make(kit=kit, pickup=D, return_date=D + timedelta(days=1))
    Item.objects.filter(pk=world["tablet"].pk).update(status=Item.Status.REPAIR)
    assert names(selectors.catalogue(world["member"], available=(D, D))) == []
    # In repair: still listed without dates, with its status.
    assert names(selectors.catalogue(world["member"])) == ["Tablette Android", "Thymio", "Vidéoprojecteur Epson"]
    assert names(selectors.catalogue(world["member"], available=(D + timedelta(days=2), D + timedelta(days=3)))) \
        == ["Thymio", "Vidéoprojecteur Epson"]


def test_current_loans_say_where_and_until_when(world):
    out = reservation_make(item=world["robot"], venue=world["figeac"], status="out",
                           pickup=D - timedelta(days=1), return_date=D + timedelta(days=3))
    reservation_make(item=world["projector"], status="approved")
    loans = selectors.current_loans([world["robot"].pk, world["projector"].pk, world["tablet"].pk])
    assert list(loans) == [world["robot"].pk]
    assert loans[world["robot"].pk].venue.name == "EPN de Figeac"
    assert loans[world["robot"].pk].return_date == date(2030, 3, 13)
    assert loans[world["robot"].pk] == out


def test_kit_calendar_merges_its_items(world):
    one = ItemFactory(buffer_after=1)
    two = ItemFactory()
    reservation_make(item=one, pickup=date(2030, 3, 2), return_date=date(2030, 3, 3))
    reservation_make(item=two, pickup=date(2030, 3, 4), return_date=date(2030, 3, 4))
    days = selectors.kit_calendar([one, two], date(2030, 3, 1), date(2030, 3, 31))
    assert {day.day: busy.kind for day, busy in days.items()} == {2: "loan", 3: "loan", 4: "loan"}


def test_kit_calendar_buffer_days(world):
    one = ItemFactory(buffer_after=2)
    reservation_make(item=one, pickup=date(2030, 3, 2), return_date=date(2030, 3, 2))
    days = selectors.kit_calendar([one], date(2030, 3, 1), date(2030, 3, 31))
    assert {day.day: busy.kind for day, busy in days.items()} == {2: "loan", 3: "buffer", 4: "buffer"}


def test_month_grid_starts_on_monday():
    # March 2026 begins on a Sunday and has 31 days: 6 empty cells, then 5 more weeks.
    month = selectors.month_grid(date(2026, 3, 1), {}, date(2026, 3, 4))
    assert month.weeks[0][:6] == [None] * 6
    assert month.weeks[0][6].day == date(2026, 3, 1)
    assert len(month.weeks) == 6
    assert month.weeks[-1][1].day == date(2026, 3, 31)
    assert month.weeks[-1][2:] == [None] * 5
    today = [day for week in month.weeks for day in week if day and day.is_today]
    assert [day.day for day in today] == [date(2026, 3, 4)]
    assert (month.previous, month.next) == (date(2026, 2, 1), date(2026, 4, 1))


def test_parse_month():
    today = date(2026, 12, 4)
    assert selectors.parse_month("2027-01", today) == date(2027, 1, 1)
    assert selectors.parse_month("2027-13", today) == date(2026, 12, 1)
    assert selectors.parse_month("nope", today) == date(2026, 12, 1)
    assert selectors.parse_month(None, today) == date(2026, 12, 1)
