"""The dashboard widget "Mes prêts": the member's loans and their venue's (overdue first,
marked; the next five), the slots offered to them, the managers' counts; the empty state;
two queries whatever the data."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core import roles
from extranet.testing.factories import ItemFactory, UserFactory, VenueFactory, reservation_make
from extranet.testing.pages import english_client, queries_flat, soup, text_of
from lending import widgets

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    today = timezone.localdate()
    owner = VenueFactory(name="Fablab du Causse")
    borrowing = VenueFactory(name="Médiathèque du Lot")
    manager = UserFactory(venues=[owner])
    requester = UserFactory(venues=[borrowing])
    colleague = UserFactory(venues=[borrowing])

    def lend(name, first, last, status="approved", who=requester, **fields):
        return reservation_make(item=ItemFactory(name=name, owner_venue=owner), venue=borrowing, requester=who,
                                pickup=today + timedelta(days=first), return_date=today + timedelta(days=last),
                                status=status, **fields)

    loans = {
        "late": lend("Enceinte", -6, -2, "out"),
        "late2": lend("Micro", -4, -1, "out"),
        "current": lend("Caméra", -1, 3, "out"),
        "next": lend("Vidéoprojecteur", 2, 4),
        "pending": lend("Tablette", 5, 6, "pending", who=colleague),
        "sixth": lend("Robot", 10, 12),
        "returned": lend("Rendu", -5, -3, "returned"),
        "cancelled": lend("Annulé", 3, 4, "cancelled"),
        "missed": lend("Jamais retiré", -5, -1),
        "offer": lend("Imprimante 3D", 20, 21, "offered", offer_expires_at=timezone.now() + timedelta(days=1)),
        "offer_over": lend("Offre passée", 22, 23, "offered", offer_expires_at=timezone.now() - timedelta(hours=1)),
        "colleague_offer": lend("Offre du collègue", 24, 25, "offered", who=colleague,
                                offer_expires_at=timezone.now() + timedelta(days=1)),
    }
    return {"today": today, "owner": owner, "borrowing": borrowing, "manager": manager, "requester": requester,
            "colleague": colleague, "loans": loans}


def context_of(user):
    return widgets.my_loans(SimpleNamespace(user=user))


def names(reservations):
    return [reservation.subject.name for reservation in reservations]


def test_my_loans_overdue_first_then_the_next_ones(world):
    context = context_of(world["requester"])
    assert names(context["loans"]) == ["Enceinte", "Micro", "Caméra", "Vidéoprojecteur", "Tablette"]
    assert [reservation.late for reservation in context["loans"]] == [1, 1, 0, 0, 0]
    assert context["more_loans"] is True
    assert names(context["offers"]) == ["Imprimante 3D"]
    assert context["empty"] is False
    # The colleague sees the venue's loans, and only their own offer.
    assert names(context_of(world["colleague"])["offers"]) == ["Offre du collègue"]


def test_many_offers_do_not_hide_the_loans(world):
    for number in range(8):
        reservation_make(item=ItemFactory(name=f"Offre {number}", owner_venue=world["owner"]),
                         venue=world["borrowing"], requester=world["requester"],
                         pickup=world["today"] + timedelta(days=30 + number),
                         return_date=world["today"] + timedelta(days=30 + number), status="offered")
    context = context_of(world["requester"])
    assert names(context["offers"]) == ["Imprimante 3D", "Offre 0", "Offre 1", "Offre 2", "Offre 3"]
    assert names(context["loans"]) == ["Enceinte", "Micro", "Caméra", "Vidéoprojecteur", "Tablette"]


def test_the_managers_counts(world):
    context = context_of(world["manager"])
    assert context["loans"] == [] and context["offers"] == []
    # Tablette awaits a decision; Vidéoprojecteur is picked up in two days (Robot in ten: later);
    # Enceinte and Micro are late.
    assert context["manager"] == {"to_decide": 1, "to_hand_over": 1, "late": 2}
    assert context["empty"] is False


def test_a_member_with_nothing_gets_the_empty_state(world):
    loner = UserFactory(venues=[VenueFactory()])
    context = context_of(loner)
    assert (context["loans"], context["offers"], context["manager"], context["empty"]) == ([], [], None, True)
    page = soup(english_client(loner).get(reverse("desk:home")))
    widget = page.select_one('section[aria-labelledby="widget-my-loans"]')
    assert text_of(widget.select_one("h2")) == "My loans"
    assert text_of(widget.select_one(".empty")) == "You have no equipment loan under way."
    assert widget.select_one('a[href="/bureau/materiel/"]') is not None


def test_a_member_not_approved_gets_no_widget(world):
    from extranet.testing.factories import PendingUserFactory

    assert context_of(PendingUserFactory()) is None


def test_the_widget_on_the_dashboard(world):
    page = soup(english_client(world["requester"]).get(reverse("desk:home")))
    widget = page.select_one('section[aria-labelledby="widget-my-loans"]')
    loans = world["loans"]
    lines = [text_of(li) for li in widget.select("ul")[1].select("li")]
    late_day = (world["today"] - timedelta(days=2)).strftime("%-d %B")
    assert lines[0] == f"Overdue Enceinte to return on {late_day} · Médiathèque du Lot"
    assert lines[4].startswith("Tablette ") and lines[4].endswith("· Médiathèque du Lot · awaiting approval")
    assert len(lines) == 5
    first = widget.select("ul")[1].select_one("li a")
    assert first["href"] == f"/bureau/materiel/reservations/{loans['late'].pk}/"
    offer = widget.select("ul")[0].select_one("li a")
    assert (text_of(offer), offer["href"]) == ("Imprimante 3D", f"/bureau/materiel/reservations/{loans['offer'].pk}/")
    assert "answer before" in text_of(widget.select("ul")[0])
    assert widget.select_one('a[href="/bureau/materiel/reservations/"]') is not None  # more than five
    assert widget.select_one(".empty") is None

    managed = soup(english_client(world["manager"]).get(reverse("desk:home")))
    widget = managed.select_one('section[aria-labelledby="widget-my-loans"]')
    assert [text_of(a) for a in widget.select('a[href="/bureau/materiel/demandes/"]')] == [
        "1 request awaiting your decision", "1 loan to hand over this week", "2 loans not returned in time"]


def test_two_queries_whatever_the_data(world):
    requester = world["requester"]
    with roles.scope():
        context_of(requester)  # the member's roles, read once per request
        with CaptureQueriesContext(connection) as small:
            context_of(requester)
        for number in range(10):
            reservation_make(item=ItemFactory(owner_venue=world["owner"]), venue=world["borrowing"],
                             requester=requester, pickup=world["today"] + timedelta(days=number),
                             return_date=world["today"] + timedelta(days=number + 1), status="out")
        with CaptureQueriesContext(connection) as large:
            assert len(context_of(requester)["loans"]) == 5
    # The loans with the offers, the managers' counts (the requester works in a venue: they
    # may manage its equipment).
    assert len(small) == len(large) == 2


def test_the_dashboard_stays_flat(world):
    requester = world["requester"]
    client = english_client(requester)

    def grow(factor):
        for _ in range(factor):
            reservation_make(item=ItemFactory(owner_venue=world["owner"]), venue=world["borrowing"],
                             requester=requester, status="out", pickup=world["today"] - timedelta(days=3),
                             return_date=world["today"] - timedelta(days=1))

    _queries, page = queries_flat(client, reverse("desk:home"), grow)
    assert page.select_one('section[aria-labelledby="widget-my-loans"]') is not None
