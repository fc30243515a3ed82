"""The desk's agenda views: month, week, list, the calendars page, a calendar's page, the
"shown in Mon agenda" switch, a space's calendar, and the dashboard widget.

Dates in the grid tests are fixed (March 2030, whose 1st is a Friday: the grid runs from
Monday 25 February to Sunday 7 April); the list and the widget read "from today".
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calendar_app import recurrence, widgets
from calendar_app.models import Calendar, Event, HiddenCalendar
from extranet.testing.factories import (
    AttendeeFactory,
    CalendarCategoryFactory,
    EventFactory,
    PendingUserFactory,
    UserFactory,
    WorkgroupFactory,
    network_calendar,
)
from extranet.testing.pages import english_client, measure_queries, soup, text_of
from extranet.testing.shared import building, shared_transaction

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
MARCH = "/bureau/agenda/mois/2030/3/"


def at(day, hour=10, minute=0):
    return datetime.combine(day, time(hour, minute), PARIS)


def event(calendar, title, start, *, hours=1, **fields):
    return EventFactory(calendar=calendar, title=title, start=start, end=start + timedelta(hours=hours), **fields)


def french_client(user):
    client = Client()
    client.force_login(user)
    return client


def item_titles(node):
    return [text_of(a.select_one(".cal-item__title")) for a in node.select("a.cal-item")]


def cell(page, day):
    return page.select_one(f"td#jour-{day}")


# --- Access -------------------------------------------------------------------------------------


@pytest.fixture
def group(member):
    return WorkgroupFactory(name="Médiation seniors", visibility="private", members=[member])


def view_urls(group):
    calendar = group.space.calendar
    return [
        "/bureau/agenda/", "/bureau/agenda/?vue=semaine", "/bureau/agenda/?vue=liste", MARCH,
        "/bureau/agenda/semaine/2030/3/4/", "/bureau/agenda/liste/", "/bureau/agenda/agendas/",
        f"/bureau/agenda/agendas/{calendar.pk}/",
    ]


def test_every_view_answers_an_approved_member(member, group):
    client = french_client(member)
    for url in view_urls(group):
        assert client.get(url).status_code == 200, url


def test_anonymous_visitors_go_to_the_login_page(client, group):
    login = reverse("account_login")
    for url in [*view_urls(group), f"/bureau/agenda/espace/{group.space.pk}/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login + "?next="), url
    response = client.post(f"/bureau/agenda/agendas/{group.space.calendar.pk}/masquer/", {"shown": "1"})
    assert response["Location"].startswith(login)


def test_pending_members_go_to_the_waiting_page(pending_user, group):
    client = french_client(pending_user)
    for url in view_urls(group):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("desk:pending"), url
    assert not HiddenCalendar.objects.exists()


# --- Month grid ---------------------------------------------------------------------------------


def test_the_month_grid_is_a_real_table_in_french(member):
    page = soup(french_client(member).get(MARCH))
    table = page.select_one("table.cal-month")
    assert text_of(table.caption) == "mars 2030"
    headers = table.select('thead th[scope="col"]')
    assert [text_of(th) for th in headers] == ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"]
    assert headers[0].abbr["title"] == "lundi"
    rows = table.select("tbody tr")
    assert len(rows) == 6
    assert all(len(row.select("td.cal-day")) == 7 for row in rows)
    assert all(row.select_one('th[scope="row"] a') for row in rows)  # each week links to its week view
    # Monday 25 February starts the grid, Sunday 7 April ends it; February is outside the month.
    first, last = table.select("td.cal-day")[0], table.select("td.cal-day")[-1]
    assert first["id"] == "jour-2030-02-25" and "cal-day--outside" in first["class"]
    assert last["id"] == "jour-2030-04-07"
    assert text_of(cell(page, "2030-03-04").select_one(".cal-day__full")) == "lundi 4 mars"
    assert text_of(page.select_one(".cal-pager a[rel=prev]")).endswith("février 2030")
    assert page.select_one(".cal-pager a[rel=prev]")["href"] == "/bureau/agenda/mois/2030/2/"
    assert page.select_one(".cal-pager a[rel=next]")["href"] == "/bureau/agenda/mois/2030/4/"
    # Nothing needs a script in the page itself (strict CSP): only the file, deferred.
    assert [s.get("src") for s in page.select("main script, script:not([src])")] == []
    assert page.select_one('script[src="/static/js/calendar.js"]') is not None
    assert not page.select("[style]") and not page.select("[onclick]")


def test_today_is_marked_with_aria_current(member):
    today = timezone.localdate()
    page = soup(french_client(member).get("/bureau/agenda/"))
    current = page.select('td.cal-day a[aria-current="date"]')
    assert len(current) == 1
    assert current[0].find_parent("td")["id"] == f"jour-{today.isoformat()}"
    assert page.select_one('.cal-views a[aria-current="page"]')["href"] == (
        f"/bureau/agenda/mois/{today.year}/{today.month}/")


def test_items_in_the_grid_link_with_their_time_colour_and_category(member):
    workshop = CalendarCategoryFactory(name="Atelier", color="green")
    EventFactory(title="Atelier tablette", start=at(date(2030, 3, 12), 14, 30),
                 end=at(date(2030, 3, 12), 16), category=workshop)
    page = soup(french_client(member).get(MARCH))
    link = cell(page, "2030-03-12").select_one("a.cal-item")
    assert "cal-color-green" in link["class"]
    assert link.select_one(".cal-item__time").get_text() == "14\u00a0h\u00a030"
    assert text_of(link.select_one(".cal-item__title")) == "Atelier tablette"
    # The category is said in text, not by the colour alone.
    assert text_of(link.select_one(".cal-item__category")) == ", Atelier"
    assert link["href"].startswith("/bureau/agenda/evenements/")


def test_recurring_events_show_on_each_occurrence_with_exceptions(member):
    series = EventFactory(title="Permanence", start=at(date(2030, 3, 4)), end=at(date(2030, 3, 4), 11),
                          rrule="FREQ=WEEKLY;COUNT=6")
    # The 11th cancelled, the 18th moved to the 19th at 15 h.
    Event.objects.create(calendar=series.calendar, series=series, recurrence_id=at(date(2030, 3, 11)),
                         title="Permanence", start=at(date(2030, 3, 11)), end=at(date(2030, 3, 11), 11),
                         status=Event.Status.CANCELLED)
    Event.objects.create(calendar=series.calendar, series=series, recurrence_id=at(date(2030, 3, 18)),
                         title="Permanence déplacée", start=at(date(2030, 3, 19), 15),
                         end=at(date(2030, 3, 19), 16))
    page = soup(english_client(member).get(MARCH))
    days_with_it = [td["id"] for td in page.select("td.cal-day") if td.select("a.cal-item")]
    assert days_with_it == ["jour-2030-03-04", "jour-2030-03-11", "jour-2030-03-19", "jour-2030-03-25",
                            "jour-2030-04-01"]
    cancelled = cell(page, "2030-03-11").select_one("a.cal-item")
    assert "cal-item--cancelled" in cancelled["class"]
    assert text_of(cancelled.select_one("s")) == "Permanence"
    assert text_of(cancelled.select_one(".cal-item__status")) == "(cancelled)"
    moved = cell(page, "2030-03-19").select_one("a.cal-item")
    assert text_of(moved.select_one(".cal-item__title")) == "Permanence déplacée"
    assert moved["href"] == f"/bureau/agenda/evenements/{series.pk}/?occurrence=20300318T090000Z"


def test_a_busy_day_shows_four_items_and_how_many_more(member):
    for hour in range(8, 14):
        event(network_calendar(), f"Rendez-vous {hour}", at(date(2030, 3, 20), hour))
    page = soup(english_client(member).get(MARCH))
    day = cell(page, "2030-03-20")
    assert item_titles(day) == ["Rendez-vous 8", "Rendez-vous 9", "Rendez-vous 10", "Rendez-vous 11"]
    more = day.select_one("a.cal-day__more")
    assert text_of(more).startswith("+2 others")
    assert more["href"] == "/bureau/agenda/semaine/2030/3/20/#jour-2030-03-20"


def test_every_day_and_item_is_a_link_in_reading_order(member):
    event(network_calendar(), "Premier", at(date(2030, 3, 5), 9))
    event(network_calendar(), "Second", at(date(2030, 3, 5), 11))
    page = soup(english_client(member).get(MARCH))
    links = page.select("table.cal-month td a")
    assert len([a for a in links if "cal-day__link" in a["class"]]) == 42
    assert not page.select("table.cal-month [tabindex]")  # nothing taken out of the tab order
    order = [a.get("class")[0] for a in cell(page, "2030-03-05").select("a")]
    assert order == ["cal-day__link", "cal-item", "cal-item"]
    # A member may add events (to their personal calendar at least): the day's number opens the form.
    assert cell(page, "2030-03-05").select_one("a.cal-day__link")["href"] == (
        "/bureau/agenda/evenements/nouveau/?date=2030-03-05")


def test_an_event_over_several_days_shows_on_each(member):
    EventFactory(title="Séminaire", start=datetime(2030, 3, 6, tzinfo=PARIS),
                 end=datetime(2030, 3, 9, tzinfo=PARIS), all_day=True)
    page = soup(english_client(member).get(MARCH))
    assert [td["id"] for td in page.select("td.cal-day") if td.select("a.cal-item")] == [
        "jour-2030-03-06", "jour-2030-03-07", "jour-2030-03-08"]


# --- Filters, hidden calendars ------------------------------------------------------------------


def test_hidden_calendars_leave_my_calendar_but_can_be_asked_for(member, group):
    mine = group.space.calendar
    event(mine, "Réunion du groupe", at(date(2030, 3, 7)))
    event(network_calendar(), "Assemblée du réseau", at(date(2030, 3, 8)))
    client = english_client(member)
    assert item_titles(soup(client.get(MARCH))) == ["Réunion du groupe", "Assemblée du réseau"]
    HiddenCalendar.objects.create(user=member, calendar=mine)
    assert item_titles(soup(client.get(MARCH))) == ["Assemblée du réseau"]
    page = soup(client.get(f"{MARCH}?agenda={mine.pk}"))
    assert item_titles(page) == ["Réunion du groupe"]
    # The filter stays on the navigation and the form ticks the calendar asked for.
    assert page.select_one(".cal-pager a[rel=next]")["href"] == f"/bureau/agenda/mois/2030/4/?agenda={mine.pk}"
    ticked = [box["value"] for box in page.select('.cal-filter input[name="agenda"][checked]')]
    assert ticked == [str(mine.pk)]
    both = soup(client.get(f"{MARCH}?agenda={mine.pk}&agenda={network_calendar().pk}"))
    assert item_titles(both) == ["Réunion du groupe", "Assemblée du réseau"]


def test_a_calendar_the_member_cannot_see_is_not_shown_by_the_filter(member):
    closed = WorkgroupFactory(visibility="private").space.calendar
    event(closed, "Secret", at(date(2030, 3, 7)))
    client = english_client(member)
    assert "Secret" not in item_titles(soup(client.get(MARCH)))
    assert client.get(f"{MARCH}?agenda={closed.pk}").status_code == 404
    assert client.get(f"/bureau/agenda/liste/?agenda={closed.pk}").status_code == 404


@pytest.mark.parametrize("url", [
    "/bureau/agenda/mois/2030/13/", "/bureau/agenda/mois/2030/0/", "/bureau/agenda/mois/99999/3/",
    "/bureau/agenda/semaine/2030/2/30/", "/bureau/agenda/semaine/99999/1/1/",
    f"{MARCH}?agenda=abc", f"{MARCH}?agenda=999999", "/bureau/agenda/?agenda=-1",
    "/bureau/agenda/agendas/999999/", "/bureau/agenda/espace/999999/",
])
def test_bad_values_answer_404(member, url):
    assert english_client(member).get(url).status_code == 404


@pytest.mark.parametrize("url", [
    "/bureau/agenda/liste/?depuis=hier", "/bureau/agenda/liste/?depuis=2030-02-30",
    "/bureau/agenda/liste/?depuis=99999-01-01", "/bureau/agenda/?vue=annee",
])
def test_bad_dates_or_views_fall_back_to_the_default(member, url):
    page = soup(english_client(member).get(url))
    today = timezone.localdate()
    if "liste" in url:
        assert page.select_one(".cal-pager a[rel=next]")["href"] == (
            f"/bureau/agenda/liste/?depuis={(today + timedelta(weeks=4)).isoformat()}")
    else:
        assert page.select_one("table.cal-month") is not None


def test_the_grid_edges_of_the_years_shown_do_not_fail(member):
    client = english_client(member)
    page = soup(client.get("/bureau/agenda/mois/2999/12/"))
    assert page.select_one(".cal-pager a[rel=next]") is None
    assert client.get("/bureau/agenda/mois/1900/1/").status_code == 200
    assert client.get("/bureau/agenda/semaine/2999/12/31/").status_code == 404  # its week ends in 3000


# --- Week and list ------------------------------------------------------------------------------


def test_the_week_lists_seven_days_with_all_day_items_first(member):
    event(network_calendar(), "Matin", at(date(2030, 3, 6), 9))
    EventFactory(title="Journée portes ouvertes", start=datetime(2030, 3, 6, tzinfo=PARIS),
                 end=datetime(2030, 3, 7, tzinfo=PARIS), all_day=True)
    page = soup(french_client(member).get("/bureau/agenda/semaine/2030/3/6/"))
    sections = page.select("section.cal-week-day")
    assert [text_of(s.h3) for s in sections] == [
        "lundi 4 mars", "mardi 5 mars", "mercredi 6 mars", "jeudi 7 mars", "vendredi 8 mars", "samedi 9 mars",
        "dimanche 10 mars"]
    assert item_titles(sections[2]) == ["Journée portes ouvertes", "Matin"]
    assert page.select_one(".cal-pager a[rel=prev]")["href"] == "/bureau/agenda/semaine/2030/2/25/"
    assert page.select_one(".cal-pager a[rel=next]")["href"] == "/bureau/agenda/semaine/2030/3/11/"


def test_the_list_shows_coming_items_by_weeks_with_a_later_link(member):
    soon = EventFactory(title="Bientôt")  # a week from now
    EventFactory(title="Plus tard", start=soon.start + timedelta(weeks=5), end=soon.end + timedelta(weeks=5))
    client = english_client(member)
    page = soup(client.get("/bureau/agenda/liste/"))
    assert item_titles(page) == ["Bientôt"]
    later = page.select_one(".cal-pager a[rel=next]")["href"]
    assert later == f"/bureau/agenda/liste/?depuis={(timezone.localdate() + timedelta(weeks=4)).isoformat()}"
    assert item_titles(soup(client.get(later))) == ["Plus tard"]
    assert item_titles(soup(client.get("/bureau/agenda/?vue=liste"))) == ["Bientôt"]


def test_the_list_shows_the_events_the_member_is_invited_to(member):
    closed = WorkgroupFactory(visibility="private").space.calendar
    invited = EventFactory(calendar=closed, title="Invitation")
    AttendeeFactory(event=invited, user=member)
    assert item_titles(soup(english_client(member).get("/bureau/agenda/liste/"))) == ["Invitation"]


# --- Calendars page, switch, one calendar, a space's calendar -----------------------------------


def test_the_calendars_page_groups_the_calendars_with_a_switch_each(member, group):
    from calendar_app import services

    services.personal_calendar(member)
    HiddenCalendar.objects.create(user=member, calendar=group.space.calendar)
    WorkgroupFactory(name="Groupe fermé", visibility="private")
    page = soup(english_client(member).get("/bureau/agenda/agendas/"))
    groups = {text_of(s.h2): [text_of(a) for a in s.select(".cal-calendar__name")] for s in page.select("section")}
    assert list(groups) == ["Personal", "Network", "Territories", "Workgroups"]
    assert groups["Personal"] == ["My personal calendar"]
    assert groups["Territories"] == ["Pays des Causses"]
    assert groups["Workgroups"] == ["Médiation seniors"]
    form = page.select_one(f'form[action="/bureau/agenda/agendas/{group.space.calendar.pk}/masquer/"]')
    box = form.select_one('input[type="checkbox"][name="shown"]')
    assert not box.has_attr("checked")
    assert page.select_one(f'label[for="{box["id"]}"]') is not None
    assert page.select_one('a[href="/bureau/agenda/abonnements/"]') is not None


def test_the_switch_hides_and_shows_a_calendar(member, group):
    calendar = group.space.calendar
    client = english_client(member)
    url = f"/bureau/agenda/agendas/{calendar.pk}/masquer/"
    response = client.post(url, {"next": "/bureau/agenda/mois/2030/3/"})
    assert response.status_code == 302 and response["Location"] == "/bureau/agenda/mois/2030/3/"
    assert HiddenCalendar.objects.filter(user=member, calendar=calendar).count() == 1
    response = client.post(url, {"shown": "1", "next": "https://ailleurs.example/"})
    assert response["Location"] == "/bureau/agenda/agendas/"  # never off the site
    assert not HiddenCalendar.objects.filter(user=member).exists()
    assert client.get(url).status_code == 405


def test_the_switch_refuses_a_calendar_the_member_cannot_see(member):
    closed = WorkgroupFactory(visibility="private").space.calendar
    response = english_client(member).post(f"/bureau/agenda/agendas/{closed.pk}/masquer/", {})
    assert response.status_code == 404
    assert not HiddenCalendar.objects.exists()


def test_a_calendar_page_lists_its_coming_events_and_its_actions(member):
    managed = WorkgroupFactory(name="Mon groupe", visibility="private", managers=[member]).space.calendar
    joined = WorkgroupFactory(name="Autre groupe", visibility="private", members=[member]).space.calendar
    EventFactory(calendar=managed, title="Comité")
    EventFactory(title="Réseau")  # another calendar
    client = english_client(member)
    page = soup(client.get(f"/bureau/agenda/agendas/{managed.pk}/"))
    assert text_of(page.h1) == "Mon groupe"
    assert item_titles(page) == ["Comité"]
    assert page.select_one(f'a[href="/bureau/agenda/evenements/nouveau/?agenda={managed.pk}"]') is not None
    assert page.select_one(f'a[href="/bureau/agenda/agendas/{managed.pk}/importer/"]') is not None
    other = soup(client.get(f"/bureau/agenda/agendas/{joined.pk}/"))
    assert other.select_one(f'a[href="/bureau/agenda/evenements/nouveau/?agenda={joined.pk}"]') is not None
    assert other.select_one(f'a[href="/bureau/agenda/agendas/{joined.pk}/importer/"]') is None


def test_the_network_calendar_page_offers_no_import_to_a_member(member):
    calendar = network_calendar()
    page = soup(english_client(member).get(f"/bureau/agenda/agendas/{calendar.pk}/"))
    assert page.select_one(f'a[href="/bureau/agenda/agendas/{calendar.pk}/importer/"]') is None


def test_someone_elses_calendar_is_a_404(member):
    other = UserFactory()
    from calendar_app import services

    personal = services.personal_calendar(other)
    closed = WorkgroupFactory(visibility="private").space
    client = english_client(member)
    assert client.get(f"/bureau/agenda/agendas/{personal.pk}/").status_code == 404
    assert client.get(f"/bureau/agenda/agendas/{closed.calendar.pk}/").status_code == 404
    assert client.get(f"/bureau/agenda/espace/{closed.pk}/").status_code == 404


def test_a_space_link_leads_to_its_calendar(member, group):
    response = english_client(member).get(f"/bureau/agenda/espace/{group.space.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/bureau/agenda/agendas/{group.space.calendar.pk}/"


# --- Widget -------------------------------------------------------------------------------------


def test_the_widget_shows_the_next_five_items_of_the_next_30_days(member):
    first = EventFactory(title="Hebdo", rrule="FREQ=WEEKLY;COUNT=3")  # a week from now, then 2 more
    for n in range(3):
        EventFactory(title=f"Ponctuel {n}", start=first.start + timedelta(days=n + 1),
                     end=first.end + timedelta(days=n + 1))
    EventFactory(title="Trop loin", start=first.start + timedelta(days=40), end=first.end + timedelta(days=40))
    page = soup(english_client(member).get("/bureau/"))
    widget = page.select_one('[data-widget="upcoming-events"]') or page
    titles = [text_of(a) for a in widget.select('a[href^="/bureau/agenda/evenements/"]')]
    assert titles == ["Hebdo", "Ponctuel 0", "Ponctuel 1", "Ponctuel 2", "Hebdo"]
    assert "Coming events" in text_of(page)


def test_the_widget_says_when_nothing_is_coming(member):
    request = RequestFactory().get("/bureau/")
    request.user = member
    assert widgets.upcoming_events(request) == {"items": [], "days": 30}
    request.user = PendingUserFactory()
    assert widgets.upcoming_events(request) is None


# --- Query counts: constant over 20 calendars and 2,000 events ----------------------------------


def _bulk_events(calendars, count, *, weekly_every, first_day):
    """`count` events over the calendars, one in `weekly_every` weekly (200 weeks from a week
    from now), the others single on the days of March 2030 (1 INSERT)."""
    rows = []
    weekly_start = at(timezone.localdate() + timedelta(days=7), 9)
    for n in range(count):
        calendar = calendars[n % len(calendars)]
        if n % weekly_every == 0:
            row = Event(calendar=calendar, title=f"Série {n}", start=weekly_start,
                        end=weekly_start + timedelta(hours=1), rrule="FREQ=WEEKLY;COUNT=200")
        else:
            start = at(first_day + timedelta(days=n % 31), 8 + n % 10)
            row = Event(calendar=calendar, title=f"Événement {n}", start=start, end=start + timedelta(hours=1))
        row.last_end = recurrence.last_end(row)
        rows.append(row)
    Event.objects.bulk_create(rows)


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """A small world (a member in one group, 10 events) and a large one (a member in 20
    groups, 2,000 events, 100 of them weekly), built once for the module."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            small = UserFactory(display_name="Petit agenda")
            large = UserFactory(display_name="Grand agenda")
            small_calendars = [WorkgroupFactory(visibility="private", members=[small]).space.calendar]
            large_calendars = [WorkgroupFactory(visibility="private", members=[large]).space.calendar
                               for _n in range(20)]
            _bulk_events(small_calendars, 10, weekly_every=5, first_day=date(2030, 3, 1))
            _bulk_events(large_calendars, 2000, weekly_every=20, first_day=date(2030, 3, 1))
            data = {"small": small, "large": large, "small_calendars": small_calendars,
                    "large_calendars": large_calendars}
        yield data


def _counts(worlds, url):
    english_client(worlds["small"]).get(url)  # warm the per-process caches
    return {size: measure_queries(english_client(worlds[size]), url) for size in ("small", "large")}


def test_the_large_world_is_what_it_says(worlds):
    large = worlds["large"]
    assert Calendar.objects.filter(space__workgroup__memberships__user=large).count() == 20
    assert Event.objects.filter(calendar__in=worlds["large_calendars"]).count() == 2000
    assert Event.objects.filter(calendar__in=worlds["large_calendars"]).exclude(rrule="").count() == 100


# Pinned, whole pages: the session and the member (2), the desk's navigation (the member's
# referent territories, 1) and header (unread notifications, 1), then the calendars the member
# sees (1), the events of the window (1) and their exceptions (1), and the workshops' agenda
# source (1: the sessions of the window).
# Each + the loans of the lending source (one query).
MONTH_QUERIES = 9
WEEK_QUERIES = 9
LIST_QUERIES = 9
CALENDARS_QUERIES = 5  # the calendars alone
DETAIL_QUERIES = 8  # one calendar, its events and exceptions, and may the member post in its space (1)
WIDGET_QUERIES = 5  # the calendars, the events, their exceptions, the workshops' sessions, the loans


@pytest.mark.parametrize("url,expected", [
    (MARCH, MONTH_QUERIES), ("/bureau/agenda/semaine/2030/3/11/", WEEK_QUERIES),
    ("/bureau/agenda/liste/", LIST_QUERIES), ("/bureau/agenda/agendas/", CALENDARS_QUERIES),
])
def test_agenda_pages_keep_their_queries_over_20_calendars_and_2000_events(worlds, url, expected):
    counts = _counts(worlds, url)
    (small, _small_page), (large, large_page) = counts["small"], counts["large"]
    assert small == large == expected, (small, large)
    if url == MARCH:
        # The large grid is full: 4 items a day in March and "+N more" links.
        assert len(cell(large_page, "2030-03-15").select("a.cal-item")) == 4
        assert cell(large_page, "2030-03-15").select_one("a.cal-day__more") is not None


def test_a_calendar_page_keeps_its_queries(worlds):
    english_client(worlds["small"]).get(f"/bureau/agenda/agendas/{worlds['small_calendars'][0].pk}/")  # warm up
    counts = {}
    for size in ("small", "large"):
        url = f"/bureau/agenda/agendas/{worlds[f'{size}_calendars'][0].pk}/?depuis=2030-03-01"
        counts[size] = measure_queries(english_client(worlds[size]), url)[0]
    assert counts == {"small": DETAIL_QUERIES, "large": DETAIL_QUERIES}


def test_the_widget_keeps_its_queries(worlds):
    counts = {}
    for size in ("small", "large"):
        request = RequestFactory().get("/bureau/")
        request.user = worlds[size]
        with CaptureQueriesContext(connection) as ctx:
            context = widgets.upcoming_events(request)
        counts[size] = len(ctx.captured_queries)
        assert len(context["items"]) == 5
    assert counts == {"small": WIDGET_QUERIES, "large": WIDGET_QUERIES}


# --- Colours ------------------------------------------------------------------------------------


def _luminance(hex_colour):
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_category_colour_has_a_class_with_aa_contrast_and_its_own_pattern():
    import re
    from pathlib import Path

    from django.conf import settings

    from calendar_app.models import Category

    css = (Path(settings.BASE_DIR) / "static" / "css" / "calendar.css").read_text()
    patterns = set()
    for colour in Category.Color.values:
        rule = re.search(rf"\.cal-color-{colour} \{{([^}}]*)\}}", css)
        assert rule is not None, colour
        values = dict(re.findall(r"--cal-([a-z]+): ([^;]+);", rule.group(1)))
        darker, lighter = sorted([_luminance(values["fg"]), _luminance(values["bg"])])
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, colour
        patterns.add((values["pattern"], values["width"]))
    assert len(patterns) == len(Category.Color.values)  # not the colour alone
