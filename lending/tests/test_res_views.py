"""Reservation pages (lending.reservation_views): the request form and its refusals, my
reservations, the loans to manage, one reservation and its actions; what each may see (404)
and do (403); query counts flat with ten times the data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from extranet.testing.factories import (
    CoordinatorFactory,
    ItemFactory,
    KitFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    reservation_make,
)
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from lending.models import Booking, Item, Reservation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
D = TODAY + timedelta(days=20)


def days(n):
    return D + timedelta(days=n)

def period(start, end):
    """A loan's dates as the English messages write them (lending/tests/test_dates.py pins the rule)."""
    if start == end:
        return f"on {start.day} {start:%B %Y}"
    if start.year != end.year:
        return f"from {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    if start.month != end.month:
        return f"from {start.day} {start:%B} to {end.day} {end:%B %Y}"
    return f"from {start.day} to {end.day} {end:%B %Y}"



@pytest.fixture
def w():
    class W:
        figeac = VenueFactory(name="Médiathèque de Figeac")
        gourdon = VenueFactory(name="EPN de Gourdon")
        cahors = VenueFactory(name="Tiers-lieu de Cahors")
        manager = UserFactory(display_name="Marie Gestion", venues=[figeac])
        borrower = UserFactory(display_name="Bruno Prêt", venues=[gourdon])
        outsider = UserFactory(display_name="Octave Ailleurs", venues=[cahors])
        projector = ItemFactory(name="Vidéoprojecteur Epson", owner_venue=figeac, buffer_before=1, buffer_after=2)
    return W


def reserve_url(item):
    return reverse("materiel:reserve-item", args=[item.pk])


def post_request(client, item, start, end, venue, **extra):
    return client.post(reserve_url(item), {"venue": venue.pk, "pickup_date": days(start).isoformat(),
                                           "return_date": days(end).isoformat(), "purpose": "Atelier visio",
                                           **extra})


def clean_page(page):
    """No inline style, script or handler (strict CSP), no '---------' choice."""
    html = str(page)
    assert "style=" not in html and "---------" not in html
    assert not [tag for tag in page.find_all("script") if tag.string and tag.string.strip()]
    assert not [tag for tag in page.find_all(True) if any(name.startswith("on") for name in tag.attrs)]


# --- The request form ----------------------------------------------------------------------


def test_the_form_preselects_the_only_venue_and_prefills_the_dates(w):
    response = english_client(w.borrower).get(reserve_url(w.projector) + f"?du={days(0)}&au={days(2)}")
    assert response.status_code == 200
    page = soup(response)
    clean_page(page)
    venue = page.select_one("select[name=venue]")
    assert [(o["value"], o.has_attr("selected")) for o in venue.select("option")] == [(str(w.gourdon.pk), True)]
    assert page.select_one("input[name=pickup_date]")["type"] == "date"
    assert page.select_one("input[name=pickup_date]")["value"] == days(0).isoformat()
    assert page.select_one("input[name=return_date]")["value"] == days(2).isoformat()
    assert "kept free 1 day before the pick-up and 2 days after the return" in text_of(page)
    assert page.select_one("label[for=id_venue]") is not None


def test_the_session_is_prefilled_from_seance(w):
    session = SessionFactory(venue=w.gourdon)
    other = SessionFactory(venue=w.cahors)
    page = soup(english_client(w.borrower).get(reserve_url(w.projector) + f"?seance={session.pk}"))
    options = page.select("select[name=session] option")
    assert [o["value"] for o in options] == ["", str(session.pk)]  # not the other venue's
    assert options[0].text == "No workshop session"
    assert page.select_one(f"select[name=session] option[value='{session.pk}']").has_attr("selected")
    day = timezone.localtime(session.start).date().isoformat()
    assert page.select_one("input[name=pickup_date]")["value"] == day
    assert other.pk


def test_posting_a_request_sends_it(w):
    response = post_request(english_client(w.borrower), w.projector, 0, 2, w.gourdon)
    reservation = Reservation.objects.get()
    assert response.status_code == 302 and response["Location"] == reservation.get_absolute_url()
    assert (reservation.status, reservation.purpose) == ("pending", "Atelier visio")


def test_a_taken_slot_shows_the_reason_the_next_dates_and_the_waiting_list(w):
    reservation_make(item=w.projector, venue=w.cahors, pickup=days(0), return_date=days(2))
    client = english_client(w.borrower)
    response = post_request(client, w.projector, 1, 3, w.gourdon)
    assert response.status_code == 200
    page = soup(response)
    clean_page(page)
    box = page.select_one(".res-unavailable")
    assert box.select_one("h2").text == "No longer available for these dates"
    assert (f"« Vidéoprojecteur Epson » is booked {period(days(0), days(2))} for Tiers-lieu "
            "de Cahors.") in text_of(box)
    # Blocked D-1..D+4; our loan needs one day before: the first free pick-up is D+6.
    assert [b["value"] for b in box.select("button[name=use_dates]")] == [
        f"{days(6)}_{days(8)}", f"{days(9)}_{days(11)}", f"{days(12)}_{days(14)}"]
    assert box.select_one("button[name=wait]").text == "Put me on the waiting list for these dates"
    assert Reservation.objects.count() == 1
    # A suggestion refills the dates, and keeps what was typed.
    page = soup(client.post(reserve_url(w.projector), {"venue": w.gourdon.pk, "pickup_date": days(1),
                                                       "return_date": days(3), "purpose": "Atelier visio",
                                                       "use_dates": f"{days(6)}_{days(8)}"}))
    assert page.select_one("input[name=pickup_date]")["value"] == days(6).isoformat()
    assert page.select_one("textarea[name=purpose]").text.strip() == "Atelier visio"
    assert Reservation.objects.count() == 1
    # The waiting list.
    response = post_request(client, w.projector, 1, 3, w.gourdon, wait="1")
    assert response.status_code == 302
    assert Reservation.objects.get(requester=w.borrower).status == "waiting"


def test_bad_dates_redisplay_the_form_with_the_error(w):
    response = post_request(english_client(w.borrower), w.projector, 2, 1, w.gourdon)
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one(".form-errors") is not None
    assert text_of(page.select_one("#id_return_date_error")) == "The return date must be on or after the pick-up date."
    assert not Reservation.objects.exists()


def test_an_item_in_repair_says_so_instead_of_the_form(w):
    Item.objects.filter(pk=w.projector.pk).update(status=Item.Status.REPAIR)
    page = soup(english_client(w.borrower).get(reserve_url(w.projector)))
    assert "« Vidéoprojecteur Epson » is in repair: it cannot be booked until it is back." in text_of(page)
    assert page.select_one("form.res-form") is None


def test_a_retired_item_is_missing_for_borrowers(w):
    Item.objects.filter(pk=w.projector.pk).update(status=Item.Status.RETIRED)
    assert english_client(w.borrower).get(reserve_url(w.projector)).status_code == 404
    assert english_client(w.borrower).get(reverse("materiel:reserve-item", args=[999999])).status_code == 404


def test_a_kit_request(w):
    kit = KitFactory(name="Kit visio", owner_venue=w.figeac, items=[w.projector, ItemFactory(owner_venue=w.figeac)])
    client = english_client(w.borrower)
    page = soup(client.get(reverse("materiel:reserve-kit", args=[kit.pk])))
    assert "Vidéoprojecteur Epson" in text_of(page.select_one(".res-kit-items"))
    response = client.post(reverse("materiel:reserve-kit", args=[kit.pk]), {
        "venue": w.gourdon.pk, "pickup_date": days(0), "return_date": days(1)})
    assert response.status_code == 302
    assert Booking.objects.filter(reservation__kit=kit, holds=True).count() == 2


# --- One reservation and its actions -------------------------------------------------------


def test_the_reservation_page_is_missing_for_others(w):
    reservation = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="pending")
    url = reservation.get_absolute_url()
    assert english_client(w.outsider).get(url).status_code == 404
    assert english_client(w.outsider).post(reverse("materiel:approve", args=[reservation.pk])).status_code == 404
    assert english_client(w.outsider).post(reverse("materiel:cancel", args=[reservation.pk])).status_code == 404
    assert Reservation.objects.get(pk=reservation.pk).status == "pending"


def test_the_requester_sees_cancel_but_not_approve(w):
    reservation = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="pending",
                                   pickup=days(0), return_date=days(2))
    client = english_client(w.borrower)
    page = soup(client.get(reservation.get_absolute_url()))
    clean_page(page)
    actions = {form["action"] for form in page.select("main form[method=post]")}
    assert actions == {reverse("materiel:cancel", args=[reservation.pk])}
    assert "stays unavailable to others from" in text_of(page)  # the buffers explained
    response = client.post(reverse("materiel:approve", args=[reservation.pk]))
    assert response.status_code == 403
    assert "Only the managers of this equipment approve or refuse its loans." in response.content.decode()
    assert client.post(reverse("materiel:refuse", args=[reservation.pk]), {"reason": ""}).status_code == 403


def test_the_manager_approves_from_the_page(w):
    reservation = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="pending")
    client = english_client(w.manager)
    page = soup(client.get(reservation.get_absolute_url()))
    actions = {form["action"] for form in page.select("main form[method=post]")}
    assert {reverse("materiel:approve", args=[reservation.pk]), reverse("materiel:refuse", args=[reservation.pk]),
            reverse("materiel:cancel", args=[reservation.pk])} == actions
    response = client.post(reverse("materiel:approve", args=[reservation.pk]), follow=True)
    assert messages_of(response) == ["Reservation approved: the borrower is told."]
    assert Reservation.objects.get(pk=reservation.pk).status == "approved"
    page = soup(response)
    assert page.select_one(f"a[href='{reverse('materiel:hand-over', args=[reservation.pk])}']") is not None
    # Twice: already answered, said on the page.
    response = client.post(reverse("materiel:approve", args=[reservation.pk]), follow=True)
    assert messages_of(response) == ["This request has already been answered (Approved)."]


def test_refusing_needs_a_reason(w):
    reservation = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="pending")
    client = english_client(w.manager)
    response = client.post(reverse("materiel:refuse", args=[reservation.pk]), {"reason": ""})
    assert response.status_code == 200
    assert soup(response).select_one("#id_reason_error") is not None
    response = client.post(reverse("materiel:refuse", args=[reservation.pk]), {"reason": "Pris ce jour-là."})
    assert response.status_code == 302
    assert Reservation.objects.get(pk=reservation.pk).refusal_reason == "Pris ce jour-là."
    page = soup(english_client(w.borrower).get(reservation.get_absolute_url()))
    assert "Refused by Marie Gestion" in text_of(page) and "Pris ce jour-là." in text_of(page)


def test_renewing_from_the_page_shows_the_refusal_on_the_field(w):
    reservation = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="out",
                                   pickup=days(0), return_date=days(2))
    reservation_make(item=w.projector, venue=w.cahors, pickup=days(10), return_date=days(11))
    client = english_client(w.borrower)
    response = client.post(reverse("materiel:renew", args=[reservation.pk]), {"return_date": days(12)})
    assert response.status_code == 200
    # Next booking blocked from D+9 (its buffer before); ours keeps 2 days after: latest D+6.
    assert text_of(soup(response).select_one("#id_return_date_error")) == (
        f"Booked from {days(10).day} {days(10):%B %Y} by Tiers-lieu de Cahors: the latest possible return date "
        f"is {days(6).day} {days(6):%B %Y}.")
    response = client.post(reverse("materiel:renew", args=[reservation.pk]), {"return_date": days(6)})
    assert response.status_code == 302
    assert Reservation.objects.get(pk=reservation.pk).return_date == days(6)


def test_answering_an_offer(w):
    reservation = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="offered",
                                   offer_expires_at=timezone.now() + timedelta(hours=5))
    client = english_client(w.borrower)
    page = soup(client.get(reservation.get_absolute_url()))
    assert page.select_one("button[name=answer][value=accept]") is not None
    response = client.post(reverse("materiel:offer", args=[reservation.pk]), {"answer": "accept"})
    assert response.status_code == 302
    assert Reservation.objects.get(pk=reservation.pk).status == "pending"


def test_cancelling_from_the_page(w):
    reservation = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="approved")
    response = english_client(w.borrower).post(reverse("materiel:cancel", args=[reservation.pk]),
                                               {"reason": "Reporté"}, follow=True)
    assert messages_of(response) == ["Reservation cancelled."]
    assert Reservation.objects.get(pk=reservation.pk).status == "cancelled"
    assert "Cancelled by Bruno Prêt" in text_of(soup(response))


# --- Lists ---------------------------------------------------------------------------------


def test_my_reservations_are_grouped(w):
    colleague = UserFactory(venues=[w.gourdon])
    past = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="returned",
                            pickup=TODAY - timedelta(days=10), return_date=TODAY - timedelta(days=8))
    current = reservation_make(item=w.projector, venue=w.gourdon, requester=colleague, status="out",
                               pickup=TODAY - timedelta(days=1), return_date=TODAY + timedelta(days=1))
    upcoming = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="pending")
    reservation_make(item=ItemFactory(), venue=w.cahors)  # not mine
    page = soup(english_client(w.borrower).get(reverse("materiel:reservations")))
    clean_page(page)

    def links(key):
        return [a["href"] for a in page.select(f"[aria-labelledby=res-{key}-title] tbody th a")]

    assert links("current") == [current.get_absolute_url()]
    assert links("upcoming") == [upcoming.get_absolute_url()]
    assert links("past") == [past.get_absolute_url()]
    assert page.select_one(".contact-tabs a[aria-current=page]").text == "My reservations"


def test_the_loans_to_manage_are_for_managers(w):
    nobody = UserFactory()
    assert english_client(nobody).get(reverse("materiel:requests")).status_code == 403
    overdue = reservation_make(item=w.projector, venue=w.gourdon, status="out",
                               pickup=TODAY - timedelta(days=6), return_date=TODAY - timedelta(days=2))
    pending = reservation_make(item=ItemFactory(owner_venue=w.figeac), venue=w.gourdon, status="pending")
    elsewhere = reservation_make(item=ItemFactory(owner_venue=w.cahors), venue=w.gourdon, status="pending")
    page = soup(english_client(w.manager).get(reverse("materiel:requests")))
    clean_page(page)
    pending_links = [a["href"] for a in page.select("[aria-labelledby=res-pending-title] tbody th a")]
    assert pending_links == [pending.get_absolute_url()]
    assert elsewhere.get_absolute_url() not in str(page)
    row = page.select_one("[aria-labelledby=res-out-title] tbody tr")
    assert "res-row--overdue" in row["class"] and "overdue" in text_of(row)
    assert row.select_one("a")["href"] == overdue.get_absolute_url()


def _grow_mine(w, factor):
    for _ in range(factor):
        for status, shift in (("pending", 5), ("out", -1), ("returned", -20), ("waiting", 30)):
            item = ItemFactory(owner_venue=w.figeac)
            reservation_make(item=item, venue=w.gourdon, requester=w.borrower, status=status,
                             pickup=TODAY + timedelta(days=shift), return_date=TODAY + timedelta(days=shift + 2),
                             session=SessionFactory(venue=w.gourdon))


def test_my_reservations_queries_are_flat(w):
    queries, page = queries_flat(english_client(w.borrower), reverse("materiel:reservations"),
                                 lambda factor: _grow_mine(w, factor))
    assert len(page.select("tbody tr")) == 40
    assert queries == 11


def test_the_loans_to_manage_queries_are_flat(w):
    kit_items = [ItemFactory(owner_venue=w.figeac) for _ in range(2)]
    kit = KitFactory(owner_venue=w.figeac, items=kit_items)

    def grow(factor):
        _grow_mine(w, factor)
        for _ in range(factor):
            reservation_make(kit=kit, venue=w.gourdon, status="approved",
                             pickup=TODAY + timedelta(days=2), return_date=TODAY + timedelta(days=2))
            Booking.objects.filter(reservation__kit=kit).update(holds=False)  # many on one kit, for the count

    queries, page = queries_flat(english_client(w.manager), reverse("materiel:requests"), grow)
    assert len(page.select("tbody tr")) == 40
    assert queries == 13


def test_the_reservation_page_queries(w):
    coordinator = CoordinatorFactory()
    reservation = reservation_make(item=w.projector, venue=w.gourdon, requester=w.borrower, status="approved",
                                   session=SessionFactory(venue=w.gourdon))
    client = english_client(coordinator)
    client.get(reservation.get_absolute_url())
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reservation.get_absolute_url()).status_code == 200
    assert len(ctx.captured_queries) == 8, [q["sql"] for q in ctx.captured_queries]
