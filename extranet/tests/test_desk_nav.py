"""The desk's navigation (extranet.context_processors.desk, templates/desk_base.html): the
count of waiting membership requests for those who approve them, the current page, the
menu buttons of small screens, and the notifications link's one accessible name."""

import pytest

from core import roles
from extranet.testing.factories import PendingUserFactory, UserFactory
from extranet.testing.pages import english_client, queries_flat, soup, text_of
from extranet.tests.test_views import make_notifications

pytestmark = pytest.mark.django_db

PENDING_URL = "/bureau/membres/demandes/"


def pending_entry(page):
    return page.select_one(f'nav.desk-nav a[href="{PENDING_URL}"]')


@pytest.fixture
def waiting(territory, other_territory):
    """Two requests in the referent's territory, one elsewhere, one not verified yet (not
    counted: its author cannot log in)."""
    PendingUserFactory(territory=territory)
    PendingUserFactory(territory=territory)
    PendingUserFactory(territory=other_territory)
    PendingUserFactory(territory=territory, verified=False)


def test_a_referent_sees_the_requests_of_his_territory(referent, waiting):
    entry = pending_entry(soup(english_client(referent).get("/bureau/")))
    assert entry.select_one(".desk-nav__count").get_text(strip=True) == "2"
    assert entry.select_one(".desk-nav__count")["aria-hidden"] == "true"
    assert text_of(entry.select_one(".visually-hidden")) == ", 2 waiting"


def test_a_coordinator_sees_every_request(coordinator, waiting):
    entry = pending_entry(soup(english_client(coordinator).get("/bureau/")))
    assert entry.select_one(".desk-nav__count").get_text(strip=True) == "3"


def test_an_animator_sees_no_count(member, waiting):
    page = soup(english_client(member).get("/bureau/"))
    assert pending_entry(page) is None
    assert page.select(".desk-nav__count") == []


def test_no_count_when_nothing_waits(referent):
    entry = pending_entry(soup(english_client(referent).get("/bureau/")))
    assert text_of(entry) == "Membership requests"
    assert entry.select_one(".desk-nav__count") is None


def test_the_desk_home_query_count_does_not_grow_with_the_requests(referent, territory):
    def grow(factor):
        for _ in range(3 * factor):
            PendingUserFactory(territory=territory)

    client = english_client(referent)
    queries, page = queries_flat(client, "/bureau/", grow)
    assert pending_entry(page).select_one(".desk-nav__count").get_text(strip=True) == "30"
    # The member's dashboard (24, extranet/tests/test_views.py) and the one count.
    assert queries <= 25


def test_the_count_is_one_query_per_request(referent, waiting, django_assert_num_queries, rf):
    from extranet.context_processors import desk

    request = rf.get("/bureau/")
    request.user = referent
    with roles.scope():  # as in a request (core.middleware.RoleScopeMiddleware)
        entries = {item.key: item for item in desk(request)["desk_nav"]}
        with django_assert_num_queries(1):
            assert entries["pending"].count() == 2
        again = {item.key: item for item in desk(request)["desk_nav"]}
        with django_assert_num_queries(0):
            assert again["pending"].count() == 2
            assert again["members"].count() is None


# --- The current page -------------------------------------------------------------------------


def current(page):
    return [(text_of(a), a["aria-current"]) for a in page.select("nav.desk-nav a[aria-current]")]


def test_the_current_page_is_marked(referent):
    client = english_client(referent)
    assert current(soup(client.get("/bureau/"))) == [("Dashboard", "page")]
    assert current(soup(client.get(PENDING_URL))) == [("Membership requests", "page")]


def test_a_page_below_an_entry_marks_its_section(referent, member):
    page = soup(english_client(referent).get(f"/bureau/membres/{member.pk}/"))
    assert current(page) == [("Members", "true")]


# --- The menu buttons (static/js/nav.js shows them on small screens) ---------------------------


def test_the_menu_buttons_are_collapsed_and_name_their_parts(member):
    page = soup(english_client(member).get("/bureau/"))
    site = page.select_one('header button[data-nav-toggle="site"]')
    desk = page.select_one('nav.desk-nav button[data-nav-toggle="desk"]')
    assert (accessible_text(site), site["aria-expanded"], site["type"]) == ("Menu", "false", "button")
    assert (accessible_text(desk), desk["aria-expanded"]) == ("Desk menu", "false")
    # The parts they open (the script names them in aria-controls).
    assert [p["id"] for p in page.select('[data-nav-panel="site"]')] == ["site-nav"]
    assert [p["id"] for p in page.select('[data-nav-panel="desk"]')] == ["desk-nav-list"]


def test_public_pages_fold_the_sections_and_the_search_too(client):
    page = soup(client.get("/"))
    assert [p["id"] for p in page.select('[data-nav-panel="site"]')] == ["site-nav", "site-sections"]
    assert page.select_one("#site-sections form[role=search]") is not None


# --- The notifications link: its count spoken once ----------------------------------------------


def notifications_link(page):
    return page.select_one('header nav a[href="/bureau/notifications/"]')


def accessible_text(link):
    """The link's text as a screen reader reads it: what is aria-hidden left out."""
    for hidden in link.select('[aria-hidden="true"]'):
        hidden.decompose()
    return " ".join(link.get_text().split())


def test_the_notifications_link_says_its_count_once(member):
    make_notifications(member, 3, actor=member)
    link = notifications_link(soup(english_client(member).get("/bureau/parametres/")))
    assert link.select_one("[data-unread-badge]").get_text(strip=True) == "3"
    assert accessible_text(link) == "Notifications, 3 unread"


def test_the_notifications_link_says_nothing_more_without_unread(member):
    link = notifications_link(soup(english_client(member).get("/bureau/parametres/")))
    assert accessible_text(link) == "Notifications"
    label = link.select_one("[data-unread-label]")
    # The templates the scripts word the live count with.
    assert (label["data-template"], label["data-template-one"], label["data-template-zero"]) == (
        ", %s unread", ", %s unread", "",
    )


def test_the_unread_count_is_one_query_though_shown_twice(member, django_assert_num_queries, rf):
    from extranet.context_processors import desk

    make_notifications(UserFactory(), 4)
    request = rf.get("/bureau/")
    request.user = member
    make_notifications(member, 2, actor=member)
    with roles.scope():
        context, again = desk(request), desk(request)
        with django_assert_num_queries(1):
            assert context["unread_notifications"]() == 2
            assert context["unread_notifications"]() == 2
            assert again["unread_notifications"]() == 2
