"""The statistics tests' data (helper of test_stat_*.py; no test here): the loans of March
2025 written by hand, with what the statistics must read computed by hand in the tests.

- "Vidéoprojecteur" (the resource centre's, 2 days kept free before a loan, 3 after),
  "Tablette A" and "Tablette B" (owned by the venue "Stat Fablab"), a kit of the resource
  centre: "Caméra" and "Micro" (category "Visio").
- Borrowers: "Stat Espace Nord" (B1) and "Stat Espace Sud" (B2).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
MARCH = (date(2025, 3, 1), date(2025, 3, 31))
TODAY = date(2025, 6, 1)


def at(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def build_world(factories):
    territory = factories.TerritoryFactory(name="Stat Lot")
    owner = factories.VenueFactory(territory=territory, name="Stat Fablab")
    b1 = factories.VenueFactory(territory=territory, name="Stat Espace Nord")
    b2 = factories.VenueFactory(territory=territory, name="Stat Espace Sud")
    projectors = factories.EquipmentCategoryFactory(name="Vidéoprojecteurs")
    tablets = factories.EquipmentCategoryFactory(name="Tablettes")
    visio = factories.EquipmentCategoryFactory(name="Visio")
    proj = factories.ItemFactory(name="Vidéoprojecteur", category=projectors, buffer_before=2, buffer_after=3)
    tab1 = factories.ItemFactory(name="Tablette A", category=tablets, owner_venue=owner, home_venue=owner)
    tab2 = factories.ItemFactory(name="Tablette B", category=tablets, owner_venue=owner, home_venue=owner)
    cam = factories.ItemFactory(name="Caméra", category=visio)
    mic = factories.ItemFactory(name="Micro", category=visio)
    kit = factories.KitFactory(name="Kit visio", items=[cam, mic])
    requester = factories.UserFactory(venues=[b1, b2])

    def make(**fields):
        return factories.reservation_make(requester=requester, **fields)

    loans = {
        # 5 days lent (3 to 7 March); the buffers (1-2 and 8-10 March) are not.
        "L1": make(item=proj, venue=b1, pickup=date(2025, 3, 3), return_date=date(2025, 3, 7), status="returned",
                   handed_over_at=at(2025, 3, 3), returned_at=at(2025, 3, 7, 17), created_at=at(2025, 2, 20)),
        # 28 March to 4 April, a day late: 4 days in March, due back in April.
        "L2": make(item=proj, venue=b2, pickup=date(2025, 3, 28), return_date=date(2025, 4, 3), status="returned",
                   handed_over_at=at(2025, 3, 28), returned_at=at(2025, 4, 4), created_at=at(2025, 3, 1)),
        # 25 February to 5 March, due on the 2nd: 5 days in March, late.
        "L3": make(item=tab1, venue=b1, pickup=date(2025, 2, 25), return_date=date(2025, 3, 2), status="returned",
                   handed_over_at=at(2025, 2, 25), returned_at=at(2025, 3, 5, 23, 30), created_at=at(2025, 2, 10)),
        # The kit, 10 and 11 March: one loan, 2 items, 4 days lent.
        "L4": make(kit=kit, venue=b2, pickup=date(2025, 3, 10), return_date=date(2025, 3, 11), status="returned",
                   handed_over_at=at(2025, 3, 10), returned_at=at(2025, 3, 11), created_at=at(2025, 3, 5)),
        # Handed over on 20 March, due on the 25th, still out: 12 days in March, overdue.
        "L5": make(item=tab2, venue=b1, pickup=date(2025, 3, 20), return_date=date(2025, 3, 25), status="out",
                   handed_over_at=at(2025, 3, 20), created_at=at(2025, 3, 12)),
        # Returned without the moments recorded: pick-up to return date, 2 days.
        "L6": make(item=tab1, venue=b2, pickup=date(2025, 3, 15), return_date=date(2025, 3, 16), status="returned",
                   created_at=at(2025, 3, 14)),
        # Not loans: approved (never handed over), refused, on the waiting list, cancelled.
        "R7": make(item=proj, venue=b1, pickup=date(2025, 3, 20), return_date=date(2025, 3, 21), status="approved",
                   created_at=at(2025, 3, 2)),
        "R8": make(item=tab2, venue=b2, pickup=date(2025, 3, 22), return_date=date(2025, 3, 23), status="refused",
                   created_at=at(2025, 3, 5)),
        "R9": make(item=proj, venue=b2, pickup=date(2025, 3, 29), return_date=date(2025, 3, 30), status="waiting",
                   waiting_since=at(2025, 3, 15), created_at=at(2025, 3, 15)),
        # The last evening of March (22:30 UTC): a request of March.
        "R10": make(item=tab1, venue=b1, pickup=date(2025, 4, 20), return_date=date(2025, 4, 21),
                    status="cancelled", created_at=at(2025, 3, 31, 23, 30)),
        # Just after March (1 April 00:30 Paris, still 31 March in UTC), lent in May.
        "L11": make(item=proj, venue=b1, pickup=date(2025, 5, 1), return_date=date(2025, 5, 2), status="returned",
                    handed_over_at=at(2025, 5, 1), returned_at=at(2025, 5, 2), created_at=at(2025, 4, 1, 0, 30)),
        # February only.
        "L12": make(item=tab2, venue=b2, pickup=date(2025, 2, 1), return_date=date(2025, 2, 5), status="returned",
                    handed_over_at=at(2025, 2, 1), returned_at=at(2025, 2, 5), created_at=at(2025, 1, 20)),
    }
    return {"territory": territory, "owner": owner, "b1": b1, "b2": b2, "proj": proj, "tab1": tab1,
            "tab2": tab2, "cam": cam, "mic": mic, "kit": kit, "requester": requester, "loans": loans,
            "categories": {"projectors": projectors, "tablets": tablets, "visio": visio}}


def grow(factories, world, factor):
    """`factor` times: an item of a new category, lent to a new venue from 4 to 6 March (due
    back on the 5th: late), and a refused request for it."""
    for _ in range(factor):
        category = factories.EquipmentCategoryFactory()
        item = factories.ItemFactory(category=category, owner_venue=world["owner"])
        venue = factories.VenueFactory(territory=world["territory"])
        factories.reservation_make(item=item, venue=venue, requester=world["requester"], pickup=date(2025, 3, 4),
                                   return_date=date(2025, 3, 5), status="returned", handed_over_at=at(2025, 3, 4),
                                   returned_at=at(2025, 3, 6), created_at=at(2025, 3, 1))
        factories.reservation_make(item=item, venue=venue, requester=world["requester"], pickup=date(2025, 3, 8),
                                   return_date=date(2025, 3, 9), status="refused", created_at=at(2025, 3, 2))
