"""The public directory's search flow (/annuaire/): the results heading as the form's target,
empty parameters dropped, "Filtres (n)", "near" (postal code, city, the browser's position)
with distances, the next openings when nothing is open, structure types in words, the
map's settings (French zoom buttons, named region, groups), query counts.

Distances below were worked out by hand (spherical law of cosines, R = 6,371 km; one
hundredth of a degree of latitude is 2πR/36,000 = 1.112 km), not by the code under test.
"""

import datetime
import json
import zoneinfo

import pytest
from django.conf import settings
from django.http import QueryDict

from directory import selectors
from directory.models import Venue, fold
from directory.public_forms import PublicFilters, cleaned_query
from directory.templatetags.venue_public import distance, opening_when
from extranet.testing.factories import VenueFactory
from extranet.testing.pages import queries_flat, soup, text_of

LIST = "/annuaire/"
MAP = "/annuaire/carte.json"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MONDAY_10H = datetime.datetime(2026, 12, 21, 10, 0, tzinfo=PARIS)  # a Monday in winter
PAPERWORK = "Aide aux démarches administratives"
LEISURE = "Loisirs et créations numériques"

# Demo-like places of the Lot.
CAHORS = (44.4475, 1.4419)
LIMOGNE = (44.3961, 1.7719)
FIGEAC = (44.6086, 2.0317)
GOURDON = (44.7372, 1.3831)


@pytest.fixture
def frozen(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10H.astimezone(datetime.UTC))
    return MONDAY_10H


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def place(name, territory, point=None, **fields):
    if point is not None:
        fields["latitude"], fields["longitude"] = point
    return VenueFactory(name=name, territory=territory, **fields)


def cards(client, query=""):
    """[(name, distance text)] of the result cards, in order."""
    response = client.get(LIST + query)
    assert response.status_code == 200
    found = []
    for card in soup(response).select(".venue-card"):
        shown = card.select_one(".venue-card__distance")
        found.append((text_of(card.select_one("h3")), text_of(shown) if shown else None))
    return found


@pytest.fixture
def lot(territory):
    """Four venues of the Lot and one without coordinates."""
    return {
        "cahors": place("Médiathèque de Cahors", territory, CAHORS, city="Cahors", postal_code="46000"),
        "limogne": place("EPM de Limogne", territory, LIMOGNE, city="Limogne-en-Quercy", postal_code="46260"),
        "figeac": place("Cyber-base de Figeac", territory, FIGEAC, city="Figeac", postal_code="46100"),
        "gourdon": place("Espace numérique de Gourdon", territory, GOURDON, city="Gourdon", postal_code="46300"),
        "bus": place("Bus numérique", territory, city="Figeac", postal_code="46100"),
    }


# --- 1. The results heading is where a search lands ---------------------------------------------


def test_the_form_sends_the_reader_to_the_results_heading(client, territory):
    place("EPM de Limogne", territory)
    page = soup(client.get(LIST))
    assert page.select_one("form.venue-search")["action"] == "/annuaire/#resultats"
    heading = page.find(id="resultats")
    assert heading.name == "h2"
    assert heading["tabindex"] == "-1"
    assert page.select_one("section.venue-results")["aria-labelledby"] == "resultats"


# --- 3. Empty parameters dropped ------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, cleaned",
    [
        ("?q=&commune=&service=Jeunes", "/annuaire/?service=Jeunes"),
        ("?q=&commune=&territoire=", "/annuaire/"),
        ("?q=+&pres=cahors", "/annuaire/?pres=cahors"),
        ("?q=figeac&service=&service=Jeunes&page=2", "/annuaire/?q=figeac&service=Jeunes&page=2"),
        ("?lat=&lon=&ouvert=1", "/annuaire/?ouvert=1"),
    ],
)
def test_a_search_with_empty_parameters_is_redirected_to_the_clean_address(client, territory, query, cleaned):
    response = client.get(LIST + query)
    assert response.status_code == 302
    assert response["Location"] == cleaned
    assert client.get(cleaned).status_code == 200


def test_a_clean_search_is_not_redirected_and_the_map_data_never_is(client, territory):
    place("EPM de Limogne", territory)
    assert client.get(LIST + "?q=limogne&ouvert=1").status_code == 200
    assert client.get(MAP + "?q=&commune=").status_code == 200


def test_cleaned_query_keeps_the_order_and_the_repeated_values():
    data = QueryDict("q=&service=A&commune=%20&service=B&page=3")
    assert cleaned_query(data) == [("service", "A"), ("service", "B"), ("page", "3")]
    assert cleaned_query(QueryDict("q=x&service=A")) is None
    assert cleaned_query(QueryDict("")) is None


# --- 2. "Filtres (n)" -------------------------------------------------------------------------------


def test_the_filters_button_counts_the_active_filters(english, territory):
    place("EPM de Limogne", territory, services=[PAPERWORK])
    page = soup(english.get(LIST))
    toggle = page.select_one("[data-filters-toggle]")
    assert text_of(toggle) == "Filters (0)"
    assert toggle.has_attr("hidden")  # shown by the script only: without it, every filter shows
    assert toggle["aria-controls"] == "venue-filters" and page.find(id="venue-filters") is not None
    query = f"?q=limogne&territoire={territory.slug}&gratuit=1&service={PAPERWORK}&service={LEISURE}&pres=46000"
    toggle = soup(english.get(LIST + query)).select_one("[data-filters-toggle]")
    assert text_of(toggle) == "Filters (4)"  # territory, free, two services (words and "near" are not filters)


def test_active_count_and_query_string_of_near():
    filters = PublicFilters.from_query(QueryDict("commune=Cahors&ouvert=1&acces=Téléphoner&pres=46000"))
    assert filters.active_count == 3
    assert filters.near == "46000" and filters.is_near
    assert "pres=46000" in filters.query_string()
    position = PublicFilters.from_query(QueryDict("lat=44.44751&lon=1.44193"))
    assert (position.latitude, position.longitude) == (44.448, 1.442)
    assert position.query_string() == "lat=44.448&lon=1.442"
    # A place typed in wins over a position; bad coordinates are ignored.
    assert PublicFilters.from_query(QueryDict("pres=Figeac&lat=44.4&lon=1.4")).has_position is False
    for bad in ("lat=91&lon=1", "lat=44&lon=181", "lat=abc&lon=1", "lat=44", "lat=1e3&lon=2", "lat=44&lon=--1"):
        assert not PublicFilters.from_query(QueryDict(bad)).is_near, bad


# --- 4. Near: a postal code, a city, the browser's position ------------------------------------------


def test_haversine_against_hand_computed_distances():
    assert selectors.haversine_km(48.8566, 2.3522, 45.7640, 4.8357) == pytest.approx(391.50, abs=0.05)  # Paris-Lyon
    assert selectors.haversine_km(*CAHORS, *LIMOGNE) == pytest.approx(26.82, abs=0.02)
    assert selectors.haversine_km(*CAHORS, *FIGEAC) == pytest.approx(50.07, abs=0.02)
    assert selectors.haversine_km(*FIGEAC, *LIMOGNE) == pytest.approx(31.35, abs=0.02)
    assert selectors.haversine_km(44.44, 1.44, 44.45, 1.44) == pytest.approx(1.112, abs=0.001)
    assert selectors.haversine_km(*CAHORS, *CAHORS) == 0


def test_near_a_city_sorts_by_distance_and_shows_it(english, lot):
    assert cards(english, "?pres=cahors") == [
        ("Médiathèque de Cahors", "less than 100 m away"),
        ("EPM de Limogne", "27 km away"),      # 26.82 km
        ("Espace numérique de Gourdon", "33 km away"),  # 32.55 km
        ("Cyber-base de Figeac", "50 km away"),  # 50.07 km
        ("Bus numérique", None),  # no coordinates: last, no distance
    ]
    page = soup(english.get(LIST + "?pres=cahors"))
    assert text_of(page.select_one(".venue-results__order")) == "Nearest first from « cahors »."


def test_near_a_postal_code_is_the_centre_of_its_venues(english, territory):
    # 46000: two venues 0.02° of latitude apart: their centre is (44.45, 1.44).
    place("Nord", territory, (44.46, 1.44), postal_code="46000", city="Cahors")
    place("Sud", territory, (44.44, 1.44), postal_code="46000", city="Cahors")
    place("Loin", territory, (44.50, 1.44), postal_code="46090", city="Mercuès")  # 0.05° north: 5.56 km
    assert cards(english, "?pres=46000") == [
        ("Nord", "1.1 km away"), ("Sud", "1.1 km away"), ("Loin", "5.6 km away"),
    ]


def test_near_a_city_ignores_case_accents_and_hyphens(english, territory):
    place("Ici", territory, (44.90, 1.85), city="Saint-Céré", postal_code="46400")
    place("Là", territory, (44.93, 1.85), city="Bretenoux", postal_code="46130")  # 0.03°: 3.34 km
    assert cards(english, "?pres=SAINT+CERE") == [("Ici", "less than 100 m away"), ("Là", "3.3 km away")]


def test_near_the_browser_s_position(english, lot):
    # From Limogne: Limogne 0, Cahors 26.82, Figeac 31.35, Gourdon 48.86 km.
    assert [name for name, _km in cards(english, "?lat=44.396&lon=1.772")] == [
        "EPM de Limogne", "Médiathèque de Cahors", "Cyber-base de Figeac", "Espace numérique de Gourdon",
        "Bus numérique",
    ]
    page = soup(english.get(LIST + "?lat=44.396&lon=1.772"))
    assert text_of(page.select_one(".venue-results__order")) == "Nearest first from your position."
    assert page.select_one("input[name=lat]")["value"] == "44.396"


def test_near_combines_with_the_filters(english, lot):
    Venue.objects.filter(pk=lot["figeac"].pk).update(services=[PAPERWORK])
    Venue.objects.filter(pk=lot["gourdon"].pk).update(services=[PAPERWORK])
    assert cards(english, f"?pres=46260&service={PAPERWORK}") == [
        ("Cyber-base de Figeac", "31 km away"), ("Espace numérique de Gourdon", "49 km away"),
    ]
    assert cards(english, "?pres=46260&commune=figeac") == [
        ("Cyber-base de Figeac", "31 km away"), ("Bus numérique", None),
    ]


def test_an_unknown_place_says_so_and_lists_by_name(english, lot):
    page = soup(english.get(LIST + "?pres=Tombouctou"))
    warning = page.select_one(".venue-results__order")
    assert "message--warning" in warning["class"]
    assert text_of(warning) == (
        "« Tombouctou » is not a postal code or a city of the directory: the venues are listed by name."
    )
    assert [name for name, km in cards(english, "?pres=Tombouctou")] == [
        "Bus numérique", "Cyber-base de Figeac", "EPM de Limogne", "Espace numérique de Gourdon",
        "Médiathèque de Cahors",
    ]
    assert all(km is None for _name, km in cards(english, "?pres=Tombouctou"))


class FakeAddressService:
    """The national address API's answer (GeoJSON) for any query; records the calls."""

    def __init__(self, longitude, latitude):
        self.calls = []
        self.answer = {"features": [{"geometry": {"coordinates": [longitude, latitude]},
                                     "properties": {"label": "Toulouse", "score": 0.9}}]}

    def __call__(self, url, params=None, **kwargs):
        self.calls.append(params)
        answer = self.answer

        class Response:
            def raise_for_status(self):
                pass

            def json(self):
                return answer

        return Response()


def test_a_place_outside_the_directory_goes_to_the_geocoder_when_the_site_has_one(english, lot, settings, monkeypatch):
    from directory import geocoding

    fake = FakeAddressService(1.4442, 43.6047)  # Toulouse: south of the Lot
    monkeypatch.setattr(geocoding.requests, "get", fake)
    settings.GEOCODER_URL = ""
    assert all(km is None for _name, km in cards(english, "?pres=Toulouse"))  # no service: by name
    assert fake.calls == []
    settings.GEOCODER_URL = "https://adresse.exemple.test/search/"
    # From Toulouse (43.6047, 1.4442): Limogne 91.82 km, Cahors 93.72, Figeac 121.08, Gourdon 126.02.
    assert cards(english, "?pres=Toulouse")[:4] == [
        ("EPM de Limogne", "92 km away"), ("Médiathèque de Cahors", "94 km away"),
        ("Cyber-base de Figeac", "121 km away"), ("Espace numérique de Gourdon", "126 km away"),
    ]
    assert fake.calls == [{"q": "Toulouse", "limit": 1}]
    cards(english, "?pres=toulouse")  # cached (folded text)
    assert len(fake.calls) == 1
    cards(english, "?pres=Cahors")  # a city of the directory: no outside call
    assert len(fake.calls) == 1


def test_near_is_paginated_nearest_first(english, territory):
    # 25 venues going north from Cahors, 0.01° (1.112 km) apart, created in a shuffled order.
    for n in (7, 3, 24, 0, 15, 11, 19, 1, 22, 5, 9, 13, 17, 21, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 23):
        place(f"Lieu {chr(ord('Z') - n)}", territory, (44.4475 + n / 100, 1.4419), city="Nord", postal_code="46090")
    place("Centre", territory, CAHORS, city="Cahors", postal_code="46000")
    first = cards(english, "?pres=46000")
    assert len(first) == 20
    assert first[:3] == [("Centre", "less than 100 m away"), ("Lieu Z", "less than 100 m away"),
                         ("Lieu Y", "1.1 km away")]
    second = cards(english, "?pres=46000&page=2")
    # Items 21 to 26: n = 19 to 24, that is 21.13, 22.24, 23.35, 24.46, 25.57 and 26.69 km.
    assert second == [("Lieu G", "21 km away"), ("Lieu F", "22 km away"), ("Lieu E", "23 km away"),
                      ("Lieu D", "24 km away"), ("Lieu C", "26 km away"), ("Lieu B", "27 km away")]


def test_distance_texts():
    from django.utils import translation

    with translation.override("en"):
        assert distance(None) == ""
        assert distance(0.05) == "less than 100 m away"
        assert distance(0.44) == "400 m away"
        assert distance(0.96) == "1.0 km away"
        assert distance(3.24) == "3.2 km away"
        assert distance(9.96) == "10 km away"
        assert distance(12.6) == "13 km away"


def test_distance_in_french(client, lot):
    from django.utils import translation

    with translation.override("fr"):
        # Until the French catalogue holds the new strings, the number at least is French.
        assert "3,2" in distance(3.24)


# --- 5. Next openings when "open now" finds nothing ---------------------------------------------------


@pytest.fixture
def closed_now(territory):
    """At MONDAY_10H every venue is closed; their next openings, hand-read from their hours."""
    place("B demain", territory, CAHORS, opening_hours="Tu 09:00-12:00", services=[PAPERWORK])  # Tue 9:00
    place("A cet après-midi", territory, LIMOGNE, opening_hours="Mo 14:00-18:00")  # today 14:00
    place("C mercredi", territory, FIGEAC, opening_hours="We 10:00-12:00", services=[PAPERWORK])  # Wed 10:00
    place("D sans horaires", territory, GOURDON)
    place("E jeudi", territory, opening_hours="Th 08:30-12:00")  # Thu 8:30
    place("F vendredi", territory, opening_hours="Fr 09:00-12:00")  # Fri 9:00
    place("G samedi", territory, opening_hours="Sa 09:00-12:00")  # Sat 9:00, the 6th: left out
    place("H lundi prochain", territory, opening_hours="Mo 08:00-09:00")  # next Monday 8:00


def test_when_nothing_is_open_the_next_openings_are_listed_soonest_first(english, closed_now, frozen):
    page = soup(english.get(LIST + "?ouvert=1"))
    assert text_of(page.select_one("#resultats")) == "0 venues found"
    box = page.select_one(".venue-next-openings")
    assert text_of(box.select_one("h3")) == "Next openings"
    assert [" ".join(li.get_text().split()) for li in box.select("li")] == [
        "A cet après-midi (Cahors), today at 14:00",
        "B demain (Cahors), tomorrow at 9:00",
        "C mercredi (Cahors), Wednesday at 10:00",
        "E jeudi (Cahors), Thursday at 8:30",
        "F vendredi (Cahors), Friday at 9:00",
    ]
    link = box.select_one("li a")
    assert link["href"] == "/annuaire/a-cet-apres-midi/"
    assert box.select_one("li time")["datetime"] == "2026-12-21T14:00:00+01:00"


def test_the_next_openings_keep_the_other_filters(english, closed_now, frozen):
    box = soup(english.get(LIST + f"?ouvert=1&service={PAPERWORK}")).select_one(".venue-next-openings")
    assert [text_of(a) for a in box.select("li a")] == ["B demain", "C mercredi"]


def test_no_next_openings_when_a_venue_is_open_or_without_open_now(english, closed_now, territory, frozen):
    assert soup(english.get(LIST)).select_one(".venue-next-openings") is None
    place("Z ouvert", territory, opening_hours="Mo 09:00-12:00")
    page = soup(english.get(LIST + "?ouvert=1"))
    assert page.select_one(".venue-next-openings") is None
    assert [text_of(h) for h in page.select(".venue-card h3")] == ["Z ouvert"]


def test_next_openings_in_the_venue_s_time_zone(territory, frozen):
    # La Réunion (UTC+4): at 10:00 in Paris it is 13:00 there; it opens at 14:00 local.
    place("Saint-Denis", territory, (-20.88, 55.45), opening_hours="Mo 14:00-17:00")
    [opening] = selectors.next_openings(now=MONDAY_10H)
    assert opening.at == datetime.datetime(2026, 12, 21, 14, 0, tzinfo=zoneinfo.ZoneInfo("Indian/Reunion"))
    assert opening.at.astimezone(datetime.UTC).hour == 10


def test_opening_when_texts():
    from django.utils import translation

    with translation.override("en"):
        assert opening_when(datetime.datetime(2026, 12, 21, 14, 0, tzinfo=PARIS), MONDAY_10H) == "today at 14:00"
        assert opening_when(datetime.datetime(2026, 12, 22, 9, 30, tzinfo=PARIS), MONDAY_10H) == "tomorrow at 9:30"
        assert opening_when(datetime.datetime(2026, 12, 24, 9, 0, tzinfo=PARIS), MONDAY_10H) == "Thursday at 9:00"
        assert opening_when(datetime.datetime(2026, 12, 28, 9, 0, tzinfo=PARIS), MONDAY_10H) == (
            "Monday 28 December at 9:00"
        )


# --- 6. The map's settings ------------------------------------------------------------------------------


def test_the_map_is_a_named_region_with_translated_zoom_buttons_and_groups(english, territory):
    # In English here ("Carte des lieux", "Zoom avant", "Zoom arrière" in French).
    place("EPM de Limogne", territory, LIMOGNE)
    page = soup(english.get(LIST))
    canvas = page.select_one("[data-venue-map-canvas]")
    assert canvas["role"] == "region"
    assert canvas["aria-label"] == "Map of the venues"
    config = json.loads(page.find("script", id="venue-map-config").string)
    assert config["controls"]["zoomIn"] == "Zoom in"
    assert config["controls"]["zoomOut"] == "Zoom out"
    assert config["controls"]["clusterMany"] == "%(count)s venues here: zoom in to see them"
    assert config["clusterRadius"] == 40
    # Nothing inline for the CSP: no style attribute, no inline script but the JSON data.
    assert page.select("[style]") == []
    assert all(s.get("src") or s.get("type") in ("application/json", "application/ld+json")
               for s in page.select("script"))


# --- 7. Structure types in words -----------------------------------------------------------------------


def test_structure_types_are_words_on_the_card_and_the_page(client, territory):
    v = place("Tiers-lieu du Lys", territory, typology=["TIERS_LIEUX", "ASSO"])
    place("Inconnu", territory, typology=["XYZ_NOUVEAU"])
    page = soup(client.get(LIST))
    types = [text_of(p) for p in page.select(".venue-card__type")]
    assert types == ["XYZ_NOUVEAU", "Tiers-lieu, coworking · Association"]
    detail = soup(client.get(v.get_absolute_url()))
    labels = [text_of(li) for li in detail.select(".venue-detail__aside dd li")]
    assert labels == ["Tiers-lieu, coworking", "Association"]
    assert "ASSO" not in text_of(detail.select_one(".venue-detail__aside"))


# --- 8. Times on the venue page ---------------------------------------------------------------------------


def test_a_recent_update_is_relative_an_old_one_a_date(english, territory, frozen):
    recent = place("Récent", territory, updated_at=MONDAY_10H - datetime.timedelta(minutes=9))
    old = place("Ancien", territory, updated_at=datetime.datetime(2026, 3, 2, 12, 0, tzinfo=PARIS))
    footer = soup(english.get(recent.get_absolute_url())).select_one(".venue-detail__footer")
    assert text_of(footer) == "Updated 9 minutes ago"
    assert footer.select_one("time[data-relative]")["datetime"].startswith("2026-12-21T")
    footer = soup(english.get(old.get_absolute_url())).select_one(".venue-detail__footer")
    assert text_of(footer) == "Updated on 2 March 2026"


# --- Query counts ----------------------------------------------------------------------------------------

# The territories, the cities (datalist), the site menu, then: the count and the page
# (by name); or the candidates' coordinates and the page (near; + 1 to locate a place);
# open now: + the candidates' hours; nothing found: no count nor page (+ the next openings).
LIST_QUERIES = {"": 5, "?pres=46000": 6, "?lat=44.45&lon=1.44": 5, "?ouvert=1&q=lieu": 6, "?ouvert=1&q=introuvable": 5}


def grow_venues(territory):
    made = [0]

    def grow(factor):
        venues = []
        for _ in range(3 * factor):
            made[0] += 1
            n = made[0]
            v = Venue(
                name=f"Lieu {n:04d}", slug=f"lieu-{n:04d}", territory=territory, address=f"{n} rue du Lot",
                postal_code="46000", city="Cahors", latitude=44.40 + n / 1000, longitude=1.44,
                opening_hours="Mo-Fr 09:00-12:00", typology=["ASSO"], services=[PAPERWORK],
            )
            v.search_text = fold(" ".join((v.name, v.city, v.postal_code, v.address)))
            venues.append(v)
        Venue.objects.bulk_create(venues)

    return grow


@pytest.mark.parametrize("query", list(LIST_QUERIES))
def test_list_queries_are_pinned_at_3_and_30_venues(client, territory, frozen, query):
    count, page = queries_flat(client, LIST + query, grow_venues(territory))
    assert count == LIST_QUERIES[query]
    expected_cards = 0 if "introuvable" in query else 20
    assert len(page.select(".venue-card")) == expected_cards


def test_next_openings_queries_are_pinned_at_3_and_30_venues(client, territory, frozen):
    grow = grow_venues(territory)

    def grow_closed(factor):
        grow(factor)
        Venue.objects.update(opening_hours="Tu 09:00-12:00")  # closed on Monday 10:00

    count, page = queries_flat(client, LIST + "?ouvert=1", grow_closed)
    # The territories, the candidates' hours (open now?), the next openings' candidates,
    # the cities, the site menu: nothing open, so no count nor page of venues.
    assert count == 5
    assert len(page.select(".venue-next-openings li")) == 5
