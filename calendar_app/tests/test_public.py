"""The public agenda (/agenda/), an event's public page, the home page's agenda section and
a venue's upcoming events: public events only, cancelled ones absent or struck, feeds
linked, a fixed number of queries."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from calendar_app.models import Event
from extranet.testing.factories import EventFactory, TerritoryFactory, VenueFactory
from extranet.testing.pages import queries_flat, soup, text_of
from extranet.testing.shared import building, shared_transaction

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
AGENDA = "/agenda/"


def at(days, hour, minute=0):
    """`days` from today at `hour`:`minute` in Paris."""
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour, minute), PARIS)


def utc_stamp(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def build():
    territory = TerritoryFactory(name="Lot")
    other = TerritoryFactory(name="Aveyron")
    venue = VenueFactory(name="Médiathèque de Cahors", territory=territory)
    quiet_venue = VenueFactory(name="Tiers-lieu de Figeac", territory=territory, city="Figeac")
    data = {"territory": territory, "other": other, "venue": venue, "quiet_venue": quiet_venue}
    data["atelier"] = EventFactory(title="Atelier smartphone", visibility="public", venue=venue,
                                   start=at(3, 14, 30), end=at(3, 16, 30),
                                   description="Venez avec **votre téléphone**.\n\n<script>alert(1)</script>")
    data["internal"] = EventFactory(title="Réunion interne", start=at(3, 9), end=at(3, 10))
    data["permanence"] = EventFactory(title="Permanence numérique", visibility="public",
                                      calendar=territory.space.calendar, location="Mairie de Cahors",
                                      start=at(2, 10), end=at(2, 11), rrule="FREQ=WEEKLY;COUNT=6")
    data["cancelled_occurrence"] = Event.objects.create(
        calendar=territory.space.calendar, series=data["permanence"], recurrence_id=at(9, 10),
        title="Permanence numérique", start=at(9, 10), end=at(9, 11), visibility="public",
        status=Event.Status.CANCELLED)
    data["cancelled"] = EventFactory(title="Conférence annulée", visibility="public", status="cancelled",
                                     start=at(4, 18), end=at(4, 20))
    data["forum"] = EventFactory(title="Forum de l'Aveyron", visibility="public", calendar=other.space.calendar,
                                 start=at(5, 9), end=at(5, 17))
    data["far"] = EventFactory(title="Fête du réseau", visibility="public", start=at(40, 18), end=at(40, 22))
    data["past"] = EventFactory(title="Atelier passé", visibility="public", start=at(-1, 10), end=at(-1, 11))
    return data


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build()
        yield data


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def titles(page, scope=""):
    return [text_of(node) for node in page.select(f"{scope} .public-event__title")]


# --- The agenda -----------------------------------------------------------------------------


def test_the_agenda_lists_the_public_events_to_come_by_day(english, world):
    page = soup(english.get(AGENDA))
    assert titles(page) == ["Permanence numérique", "Atelier smartphone", "Forum de l'Aveyron",
                            "Permanence numérique", "Permanence numérique"]
    days = [node["datetime"] for node in page.select(".public-agenda__day h3 time")]
    assert days == [(timezone.localdate() + timedelta(days=n)).isoformat() for n in (2, 3, 5, 16, 23)]
    first = page.select(".public-agenda__day")[1]
    assert text_of(first.select_one(".public-event__when")) == "2:30 p.m. to 4:30 p.m."
    assert first.select_one(".public-event__place a")["href"] == world["venue"].get_absolute_url()
    links = [a["href"] for a in page.select(".public-event__title a")]
    assert links[:2] == [f"/agenda/evenements/{world['permanence'].pk}/?occurrence={utc_stamp(at(2, 10))}",
                         f"/agenda/evenements/{world['atelier'].pk}/"]


def test_members_only_cancelled_and_past_events_are_not_in_the_agenda(english, world):
    text = text_of(soup(english.get(AGENDA)).select_one(".public-agenda__results"))
    for title in ("Réunion interne", "Conférence annulée", "Atelier passé"):
        assert title not in text
    # The cancelled occurrence (in 9 days) is absent, the others of the series are there.
    page = soup(english.get(AGENDA))
    assert (timezone.localdate() + timedelta(days=9)).isoformat() not in [
        node["datetime"] for node in page.select(".public-agenda__day h3 time")]


def test_the_territory_filter_and_its_feed(english, world):
    slug = world["territory"].slug
    page = soup(english.get(f"{AGENDA}?territoire={slug}"))
    assert titles(page) == ["Permanence numérique"] * 3
    assert page.select_one("#agenda-territory option[selected]")["value"] == slug
    feeds = [a["href"] for a in page.select(".public-agenda__feeds a")]
    assert feeds == [
        "webcal://" + settings.BASE_URL.split("://")[1] + "/agenda/reseau.ics",
        settings.BASE_URL + "/agenda/reseau.ics",
        "webcal://" + settings.BASE_URL.split("://")[1] + f"/agenda/territoires/{slug}.ics",
        settings.BASE_URL + f"/agenda/territoires/{slug}.ics",
    ]
    # The choices: the territories with public events, by name.
    assert [o["value"] for o in page.select("#agenda-territory option")] == ["", "aveyron", "lot"]


def test_the_venue_filter(english, world):
    page = soup(english.get(f"{AGENDA}?lieu={world['venue'].slug}"))
    assert titles(page) == ["Atelier smartphone"]
    assert [o["value"] for o in page.select("#agenda-venue option")] == ["", world["venue"].slug]
    assert page.select_one("a[rel=next]") is None  # nothing later at this venue
    assert page.select_one(".public-agenda__feeds a[href$='/agenda/lieux/mediatheque-de-cahors.ics']")


def test_an_unknown_filter_shows_everything(english, world):
    page = soup(english.get(f"{AGENDA}?territoire=nulle-part&lieu=nulle-part"))
    assert len(titles(page)) == 5


def test_the_next_period_and_back(english, world):
    page = soup(english.get(AGENDA))
    assert page.select_one("a[rel=prev]") is None
    following = page.select_one("a[rel=next]")
    since = (timezone.localdate() + timedelta(days=28)).isoformat()
    assert following["href"] == f"?depuis={since}"
    assert text_of(following) == "Following events"
    later = soup(english.get(AGENDA + following["href"]))
    assert titles(later) == ["Permanence numérique", "Permanence numérique", "Fête du réseau"]
    assert later.select_one("a[rel=prev]")["href"] == AGENDA
    assert later.select_one("a[rel=next]") is None
    assert later.select_one("input[name=depuis]")["value"] == since  # kept by the filters
    # Filters are kept in the periods' links.
    filtered = soup(english.get(f"{AGENDA}?territoire={world['territory'].slug}"))
    assert filtered.select_one("a[rel=next]")["href"] == f"?territoire=lot&depuis={since}"


@pytest.mark.parametrize("since", ["2001-01-01", "demain", "2026-13-45", ""])
def test_a_past_or_unreadable_period_start_is_today(english, world, since):
    page = soup(english.get(f"{AGENDA}?depuis={since}"))
    assert len(titles(page)) == 5
    assert page.select_one("input[name=depuis]") is None


def test_an_empty_period(english, world):
    since = (timezone.localdate() + timedelta(days=400)).isoformat()
    page = soup(english.get(f"{AGENDA}?depuis={since}"))
    assert titles(page) == []
    assert text_of(page.select_one(".empty")) == "No public event in this period."


# --- An event's page ------------------------------------------------------------------------


def test_the_page_of_a_public_event(english, world):
    event = world["atelier"]
    response = english.get(f"/agenda/evenements/{event.pk}/")
    page = soup(response)
    assert text_of(page.select_one("h1")) == "Atelier smartphone"
    facts = page.select_one(".public-event-page__facts")
    assert facts.select_one("a")["href"] == world["venue"].get_absolute_url()
    assert "1 place de la Mairie, 46000 Cahors" in text_of(facts)
    assert "2:30 p.m. to 4:30 p.m." in text_of(facts)
    assert str(page.select_one(".prose strong")) == "<strong>votre téléphone</strong>"
    assert b"<script>alert" not in response.content
    assert page.select_one("a.button")["href"] == f"/agenda/evenements/{event.pk}/evenement.ics"
    assert text_of(page.select_one("a.button")) == "Add to my calendar"


def test_a_series_page_lists_its_next_dates_the_cancelled_one_struck(english, world):
    event = world["permanence"]
    page = soup(english.get(f"/agenda/evenements/{event.pk}/?occurrence={utc_stamp(at(16, 10))}"))
    dates = page.select(".public-event-page__dates li")
    assert len(dates) == 6  # 6 weeks, all to come
    assert [bool(li.select_one("del")) for li in dates] == [False, True, False, False, False, False]
    assert dates[2]["aria-current"] == "true"
    assert "Mairie de Cahors" in text_of(page.select_one(".public-event-page__facts"))


@pytest.mark.parametrize("which", ["internal", "cancelled_occurrence"])
def test_members_only_events_and_exceptions_have_no_public_page(client, world, which):
    assert client.get(f"/agenda/evenements/{world[which].pk}/").status_code == 404


def test_an_unknown_event_is_404(client, world):
    assert client.get("/agenda/evenements/999999/").status_code == 404


def test_a_cancelled_public_event_says_so_and_offers_no_file(english, world):
    page = soup(english.get(f"/agenda/evenements/{world['cancelled'].pk}/"))
    assert page.select_one("h1 del")
    assert text_of(page.select_one(".message")) == "This event is cancelled."
    assert page.select_one("a.button") is None


# --- Other apps' pages ----------------------------------------------------------------------


def test_the_home_page_shows_the_next_four_public_events(english, world):
    page = soup(english.get("/"))
    section = page.select_one(".home-agenda")
    assert titles(section) == ["Permanence numérique", "Atelier smartphone", "Forum de l'Aveyron",
                               "Permanence numérique"]
    assert section.select("a")[-1]["href"] == AGENDA


def test_the_home_page_has_no_agenda_section_without_public_events(client, world):
    Event.objects.update(visibility=Event.Visibility.MEMBERS)
    assert soup(client.get("/")).select_one(".home-agenda") is None


def test_a_venue_page_shows_its_upcoming_public_events(english, world):
    page = soup(english.get(world["venue"].get_absolute_url()))
    section = page.select_one(".public-events-section")
    assert text_of(section.select_one("h2")) == "Upcoming events"
    assert titles(section) == ["Atelier smartphone"]
    links = [a["href"] for a in section.select(".public-events__more a")]
    assert links == [f"{AGENDA}?lieu=mediatheque-de-cahors", "/agenda/lieux/mediatheque-de-cahors.ics"]


def test_a_venue_without_public_events_shows_no_section(client, world):
    EventFactory(title="Réunion au tiers-lieu", venue=world["quiet_venue"])  # members only
    page = soup(client.get(world["quiet_venue"].get_absolute_url()))
    assert page.select_one(".public-events-section") is None


# --- Queries --------------------------------------------------------------------------------


def grow_at(venue, territory):
    def grow(factor):
        for n in range(factor):
            EventFactory(title=f"Atelier {n}", visibility="public", venue=venue, start=at(1 + n % 20, 9),
                         end=at(1 + n % 20, 10))
            EventFactory(title=f"Série {n}", visibility="public", venue=venue, calendar=territory.space.calendar,
                         start=at(1, 11), end=at(1, 12), rrule="FREQ=DAILY;COUNT=10")
            EventFactory(title=f"Interne {n}", venue=venue, start=at(2, 9), end=at(2, 10))
    return grow


def test_agenda_queries_are_pinned_and_flat(client, world):
    queries, page = queries_flat(client, AGENDA, grow_at(world["venue"], world["territory"]))
    # Territories, venues, events, their exceptions, "anything later?", the site menu.
    assert queries == 6
    assert len(page.select(".public-event")) > 100


def test_filtered_agenda_queries_are_the_same(client, world):
    url = f"{AGENDA}?territoire=lot&lieu={world['venue'].slug}"
    queries, _page = queries_flat(client, url, grow_at(world["venue"], world["territory"]))
    assert queries == 6


def test_event_page_queries(client, world, django_assert_num_queries):
    url = f"/agenda/evenements/{world['permanence'].pk}/"
    client.get(url)
    with django_assert_num_queries(3):  # the event, its exceptions, the site menu
        assert client.get(url).status_code == 200


def test_venue_page_queries_are_flat(client, world):
    queries, page = queries_flat(client, world["venue"].get_absolute_url(),
                                 grow_at(world["venue"], world["territory"]))
    # The venue, the site menu, the events, their exceptions, the workshops' section.
    assert queries == 5
    assert len(page.select(".public-event")) == 5


def test_home_page_queries_are_flat(client, world):
    queries, page = queries_flat(client, "/", grow_at(world["venue"], world["territory"]))
    assert len(page.select(".home-agenda .public-event")) == 4
    # The home page's 10 without news (website/tests/test_pages.py), the events, their exceptions.
    assert queries == 12
