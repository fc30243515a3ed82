"""The section "Equipment" of a workshop session's desk page: the equipment reserved for the
session (links for those who may see the reservation), the link to reserve more for those
who may borrow for its venue; nothing when there is nothing to show; one query."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import roles
from extranet.testing.factories import (
    ItemFactory,
    PendingUserFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
    reservation_make,
)
from extranet.testing.pages import english_client, soup, text_of
from lending import sections
from workshops.pages import session_sections

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def world(db):
    venue = VenueFactory(name="Médiathèque du Lot")
    owner = VenueFactory(name="Fablab du Causse")
    animator = UserFactory(venues=[venue])
    # A cycle of two dates, 12 and 19 March 2031.
    session = SessionFactory(workshop=WorkshopFactory(title="Robots en classe", status="scheduled"), venue=venue,
                             dates=[(datetime(2031, 3, 12, 10, tzinfo=PARIS), datetime(2031, 3, 12, 12, tzinfo=PARIS)),
                                    (datetime(2031, 3, 19, 10, tzinfo=PARIS), datetime(2031, 3, 19, 12, tzinfo=PARIS))])

    def lend(name, status="approved", for_session=session, **fields):
        return reservation_make(item=ItemFactory(name=name, owner_venue=owner), venue=venue, requester=animator,
                                pickup=datetime(2031, 3, 11).date(), return_date=datetime(2031, 3, 20).date(),
                                status=status, session=for_session, **fields)

    loans = {
        "approved": lend("Robot Thymio"),
        "pending": lend("Tablette", "pending"),
        "cancelled": lend("Annulé", "cancelled"),
        "waiting": lend("En attente de place", "waiting"),
        "other_session": lend("Autre séance", for_session=SessionFactory(venue=venue)),
        "no_session": lend("Sans séance", for_session=None),
    }
    return {"venue": venue, "owner": owner, "animator": animator, "session": session, "loans": loans}


def rows(context):
    return [(row["reservation"].subject.name, row["url"]) for row in context["rows"]]


def test_the_venues_animator_sees_the_equipment_and_may_reserve_more(world):
    session, loans = world["session"], world["loans"]
    context = sections.session_equipment(session, world["animator"])
    assert rows(context) == [
        ("Robot Thymio", f"/bureau/materiel/reservations/{loans['approved'].pk}/"),
        ("Tablette", f"/bureau/materiel/reservations/{loans['pending'].pk}/"),
    ]
    assert context["reserve_url"] == f"/bureau/materiel/?du=2031-03-12&au=2031-03-19&seance={session.pk}"


def test_another_member_sees_the_equipment_without_links_nor_the_reserve_link(world):
    context = sections.session_equipment(world["session"], UserFactory())
    assert rows(context) == [("Robot Thymio", ""), ("Tablette", "")]
    assert context["reserve_url"] == ""


def test_the_equipments_manager_sees_the_links(world):
    manager = UserFactory(venues=[world["owner"]])
    context = sections.session_equipment(world["session"], manager)
    assert [url != "" for _name, url in rows(context)] == [True, True]
    assert context["reserve_url"] == ""  # not of the session's venue


def test_nothing_to_show(world):
    empty = SessionFactory(venue=world["venue"])
    assert sections.session_equipment(empty, UserFactory()) is None
    assert sections.session_equipment(world["session"], PendingUserFactory()) is None
    # The animator may reserve: the section offers it.
    assert sections.session_equipment(empty, world["animator"])["rows"] == []
    # Not for a session online, cancelled, or over.
    online = SessionFactory(venue=None, online_url="https://visio.exemple.test/a")
    cancelled = SessionFactory(venue=world["venue"], status="cancelled")
    now = timezone.now()
    over = SessionFactory(venue=world["venue"], start=now - timedelta(days=2), end=now - timedelta(days=2, hours=-2))
    for session in (online, cancelled, over):
        assert sections.session_equipment(session, world["animator"]) is None


def test_the_section_is_registered_and_one_query(world):
    session, animator = world["session"], world["animator"]
    assert [section.key for section, _context in session_sections(session, animator)] == ["equipment"]
    with roles.scope():
        sections.session_equipment(session, animator)  # the member's roles, read once per request
        with CaptureQueriesContext(connection) as small:
            sections.session_equipment(session, animator)
        for _number in range(10):
            reservation_make(item=ItemFactory(owner_venue=world["owner"]), venue=world["venue"], requester=animator,
                             pickup=datetime(2031, 3, 11).date(), return_date=datetime(2031, 3, 20).date(),
                             session=session)
        with CaptureQueriesContext(connection) as large:
            assert len(sections.session_equipment(session, animator)["rows"]) == 12
    assert len(small) == len(large) == 1


def test_on_the_session_page(world):
    session, loans = world["session"], world["loans"]
    page = soup(english_client(world["animator"]).get(reverse("workshops:session", args=[session.pk])))
    section = page.select_one('section[aria-labelledby="session-equipment-title"]')
    assert text_of(section.select_one("h2")) == "Equipment for this session"
    lines = [text_of(tr) for tr in section.select("tbody tr")]
    assert lines == ["Robot Thymio · Médiathèque du Lot from 11 March to 20 March Approved",
                     "Tablette · Médiathèque du Lot from 11 March to 20 March Awaiting approval"]
    assert section.select_one("tbody a")["href"] == loans["approved"].get_absolute_url()
    link = section.select_one("a.button")
    assert text_of(link) == "Reserve equipment for this session"
    assert link["href"] == f"/bureau/materiel/?du=2031-03-12&au=2031-03-19&seance={session.pk}"

    other = soup(english_client(UserFactory()).get(reverse("workshops:session", args=[session.pk])))
    section = other.select_one('section[aria-labelledby="session-equipment-title"]')
    assert section.select("tbody a") == [] and section.select_one("a.button") is None
