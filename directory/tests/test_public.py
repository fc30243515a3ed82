"""The public directory at /annuaire/: list, filters, map data, venue page (no login needed)."""

import datetime
import json
import re
import zoneinfo
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory import public_views, selectors
from directory.models import Venue, fold
from extranet.testing.factories import TerritoryFactory, UserFactory, VenueFactory
from extranet.testing.pages import queries_flat, soup, text_of

LIST = "/annuaire/"
MAP = "/annuaire/carte.json"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A Monday morning in winter (France: UTC+1, La Réunion: UTC+4).
MONDAY_10H = datetime.datetime(2026, 12, 21, 10, 0, tzinfo=PARIS)
WEEKDAYS = "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off"
PAPERWORK = "Aide aux démarches administratives"
EVERYDAY = "Maîtrise des outils numériques du quotidien"
LEISURE = "Loisirs et créations numériques"
ACCESS = "Accès internet et matériel informatique"
XSS = "<script>alert('x')</script>"


@pytest.fixture
def frozen(monkeypatch):
    """The clock stopped on MONDAY_10H for the views and the hours module."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: MONDAY_10H.astimezone(datetime.UTC))
    return MONDAY_10H


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def venue(name, **fields):
    fields.setdefault("territory", fields.pop("territory", None) or TerritoryFactory())
    return VenueFactory(name=name, **fields)


def names(client, query=""):
    """The names on the result cards, in order."""
    response = client.get(LIST + query)
    assert response.status_code == 200
    return [text_of(h) for h in soup(response).select(".venue-card h3")]


def result_count(client, query=""):
    heading = soup(client.get(LIST + query)).select_one("#resultats")
    return int(re.match(r"\d+", text_of(heading)).group())


def map_names(client, query=""):
    response = client.get(MAP + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data["count"] == len(data["venues"])
    return [point["name"] for point in data["venues"]]


def q(**params):
    """A query string; list values become repeated parameters."""
    return "?" + urlencode(params, doseq=True)


# --- The list -----------------------------------------------------------------------------------


def test_a_card_shows_name_link_address_status_services_and_free_badge(english, territory, frozen):
    v = venue(
        "EPM de Limogne", territory=territory, address="2 rue du Lac", address_complement="Bâtiment B",
        postal_code="46260", city="Limogne-en-Quercy", opening_hours=WEEKDAYS, fees=["Gratuit"],
        services=[PAPERWORK, EVERYDAY, LEISURE, ACCESS],
    )
    page = soup(english.get(LIST))
    card = page.select_one(".venue-card")
    link = card.select_one("h3 a")
    assert link["href"] == v.get_absolute_url() == "/annuaire/epm-de-limogne/"
    assert text_of(card.select_one(".venue-card__address")) == "2 rue du Lac, Bâtiment B 46260 Limogne-en-Quercy"
    status = card.select_one(".venue-status")
    assert "venue-status--open" in status["class"]
    assert text_of(status) == "Open now, closes at 12:00"
    tags = [text_of(t) for t in card.select(".venue-card__tags .tag")]
    assert tags == ["Free of charge", PAPERWORK, EVERYDAY, LEISURE]  # three services at most
    assert text_of(card.select_one(".venue-card__more")) == "and 1 more service"


def test_a_closed_venue_says_when_it_opens_and_unknown_hours_are_said(english, territory, frozen):
    venue("A fermé", territory=territory, opening_hours="Tu 14:00-17:00")
    venue("B sans horaires", territory=territory)
    cards = soup(english.get(LIST)).select(".venue-card .venue-status")
    assert [text_of(c) for c in cards] == ["Closed, opens tomorrow at 14:00", "Opening hours not given"]
    assert "venue-status--open" not in cards[0]["class"]
    assert "venue-status--unknown" in cards[1]["class"]


def test_the_page_has_one_h1_a_labelled_search_form_and_no_map_without_javascript(client, territory):
    venue("EPM de Limogne", territory=territory)
    page = soup(client.get(LIST))
    assert len(page.select("h1")) == 1
    form = page.select_one("form.venue-search")
    assert form["role"] == "search"
    assert form["method"] == "get" and form["action"] == LIST + "#resultats"  # the results heading
    assert form.get("aria-labelledby") and page.find(id=form["aria-labelledby"])
    # Every field has a label; checkboxes are in fieldsets with a legend.
    for field in form.select("input:not([type=hidden]), select"):
        if field.get("type") == "checkbox":
            assert field.find_parent("label") is not None
            assert field.find_parent("fieldset").find("legend") is not None
        else:
            assert form.select_one(f"label[for={field['id']}]") is not None
    assert {f["name"] for f in form.select("input[type=checkbox]")} == {
        "ouvert", "gratuit", "service", "public", "acces", "accompagnement"
    }
    assert len(form.select("fieldset")) == 5
    # The map is there for the script only: hidden in the HTML.
    section = page.select_one("[data-venue-map]")
    assert section.has_attr("hidden")
    # Its canvas is a named region (the markers' landmark).
    canvas = section.select_one("[data-venue-map-canvas]")
    assert canvas["role"] == "region" and canvas["aria-label"]


def test_no_map_when_nothing_is_found(client, territory):
    venue("EPM de Limogne", territory=territory, latitude=44.4, longitude=1.7)
    assert soup(client.get(LIST)).select_one("[data-venue-map]") is not None
    page = soup(client.get(LIST + "?q=introuvable"))
    assert page.select_one("[data-venue-map]") is None
    assert page.select_one(f".venue-results .empty a[href='{LIST}']") is not None  # "see every venue"


def test_the_map_settings_come_from_the_settings_and_its_data_url_keeps_the_filters(client, territory, settings):
    settings.MAP_TILE_URL = "https://tuiles.exemple.test/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Tuiles d'exemple"
    settings.MAP_CENTER = (44.45, 1.44)
    settings.MAP_ZOOM = 9
    venue("EPM de Limogne", territory=territory)
    page = soup(client.get(LIST + q(q="limogne", service=[PAPERWORK], gratuit="1", territoire=territory.slug)))
    config = json.loads(page.find("script", id="venue-map-config").string)
    assert config["tileUrl"] == "https://tuiles.exemple.test/{z}/{x}/{y}.png"
    assert config["attribution"] == "© Tuiles d'exemple"
    assert config["center"] == [44.45, 1.44] and config["zoom"] == 9
    assert config["mode"] == "list" and config["total"] == 0
    data_url = urlsplit(config["dataUrl"])
    assert data_url.path == MAP
    assert parse_qs(data_url.query) == {
        "q": ["limogne"], "territoire": [territory.slug], "service": [PAPERWORK], "gratuit": ["1"]
    }
    assert config["icons"]["iconUrl"].endswith("leaflet/images/marker-icon.png")
    scripts = [s["src"] for s in page.select("script[src]")]
    assert any(src.endswith("leaflet/leaflet.js") for src in scripts)
    assert any(src.endswith("leaflet-markercluster/leaflet.markercluster-src.js") for src in scripts)
    assert any(src.endswith("js/venue_map.js") for src in scripts)


# --- Search and filters -------------------------------------------------------------------------


def test_search_finds_words_in_name_city_postcode_address_and_summary_ignoring_case_and_accents(client, territory):
    venue("Médiathèque Émile Zola", territory=territory, city="Cahors", postal_code="46000")
    venue("Cyber-base", territory=territory, city="Saint-Céré", postal_code="46400", address="3 avenue Anatole France")
    venue("Tiers-lieu", territory=territory, city="Figeac", postal_code="46100", summary="Atelier réemploi")
    assert names(client, "?q=MEDIATHEQUE") == ["Médiathèque Émile Zola"]
    assert names(client, "?q=saint-cere") == ["Cyber-base"]
    assert names(client, "?q=Saint Céré") == ["Cyber-base"]
    assert names(client, "?q=46100") == ["Tiers-lieu"]
    assert names(client, "?q=anatole") == ["Cyber-base"]
    assert names(client, "?q=reemploi") == ["Tiers-lieu"]
    # Every word must match.
    assert names(client, "?q=zola+figeac") == []
    assert names(client, "?q=zola+cahors") == ["Médiathèque Émile Zola"]


def test_territory_filter_by_slug_and_an_unknown_one_is_ignored(client, territory, other_territory):
    venue("Ici", territory=territory)
    venue("Ailleurs", territory=other_territory)
    assert names(client, q(territoire=territory.slug)) == ["Ici"]
    assert names(client, q(territoire=other_territory.slug)) == ["Ailleurs"]
    page = soup(client.get(LIST + q(territoire="nulle-part")))
    assert [text_of(h) for h in page.select(".venue-card h3")] == ["Ailleurs", "Ici"]
    assert page.select_one("#venue-territoire option[selected]") is None
    selected = soup(client.get(LIST + q(territoire=territory.slug))).select_one("#venue-territoire option[selected]")
    assert selected["value"] == territory.slug


def test_city_filter_ignores_case_and_accents_but_matches_the_whole_name(client, territory):
    venue("A", territory=territory, city="Saint-Céré")
    venue("B", territory=territory, city="Saint-Céré-la-Ronde")
    venue("C à Saint-Céré", territory=territory, city="Figeac")  # the city in its name only
    assert names(client, q(commune="saint cere")) == ["A"]
    assert names(client, q(commune="SAINT-CÉRÉ")) == ["A"]
    assert names(client, q(commune="Saint-Céré-la-Ronde")) == ["B"]
    assert names(client, q(commune="Saint")) == []
    assert map_names(client, q(commune="saint cere")) == []  # no coordinates: not on the map
    datalist = soup(client.get(LIST)).select("#venue-cities option")
    assert [o["value"] for o in datalist] == ["Figeac", "Saint-Céré", "Saint-Céré-la-Ronde"]


def test_multiple_choices_are_or_within_a_list_and_and_across_lists(client, territory):
    venue("Démarches", territory=territory, services=[PAPERWORK], publics=["Seniors"])
    venue("Loisirs", territory=territory, services=[LEISURE], publics=["Jeunes"])
    venue("Les deux", territory=territory, services=[PAPERWORK, LEISURE], publics=["Jeunes", "Seniors"])
    venue("Rien", territory=territory)
    assert names(client, q(service=[PAPERWORK])) == ["Démarches", "Les deux"]
    assert names(client, q(service=[PAPERWORK, LEISURE])) == ["Démarches", "Les deux", "Loisirs"]  # OR
    assert names(client, q(service=[PAPERWORK, LEISURE], public=["Jeunes"])) == ["Les deux", "Loisirs"]  # AND
    assert names(client, q(public=["Seniors", "Jeunes"])) == ["Démarches", "Les deux", "Loisirs"]
    # The ticked boxes stay ticked.
    page = soup(client.get(LIST + q(service=[PAPERWORK, LEISURE], public=["Jeunes"])))
    ticked = {(box["name"], box["value"]) for box in page.select("input[type=checkbox][checked]")}
    assert ticked == {("service", PAPERWORK), ("service", LEISURE), ("public", "Jeunes")}
    assert page.select_one("details.venue-search__more").has_attr("open")


def test_access_and_support_modes(client, territory):
    venue("Sur place", territory=territory, access_modes=["Se présenter"], support_modes=["En autonomie"])
    venue("Au téléphone", territory=territory, access_modes=["Téléphoner"], support_modes=["Accompagnement individuel"])
    assert names(client, q(acces=["Se présenter"])) == ["Sur place"]
    assert names(client, q(acces=["Se présenter", "Téléphoner"])) == ["Au téléphone", "Sur place"]
    assert names(client, q(accompagnement=["Accompagnement individuel"])) == ["Au téléphone"]
    assert names(client, q(acces=["Se présenter"], accompagnement=["Accompagnement individuel"])) == []
    assert map_names(client, q(acces=["Téléphoner"])) == []


def test_free_means_gratuit_not_free_under_condition(client, territory):
    venue("Gratuit", territory=territory, fees=["Gratuit"])
    venue("Sous condition", territory=territory, fees=["Gratuit sous condition"])
    venue("Payant", territory=territory, fees=["Payant"])
    venue("Les deux", territory=territory, fees=["Payant", "Gratuit"])
    assert names(client, "?gratuit=1") == ["Gratuit", "Les deux"]
    assert result_count(client, "?gratuit=oui") == 4  # malformed: ignored


def test_open_now_in_the_list_and_the_map_in_each_venue_s_time_zone(client, territory, frozen):
    # Monday 10:00 in Paris is 13:00 in La Réunion.
    venue("Ouvert", territory=territory, opening_hours=WEEKDAYS, latitude=44.45, longitude=1.44)
    venue("Ouvert la nuit", territory=territory, opening_hours="24/7")
    venue("Fermé", territory=territory, opening_hours="Tu-Sa 09:00-18:00", latitude=44.5, longitude=1.5)
    venue("Réunion matin", territory=territory, opening_hours="Mo-Fr 08:00-12:00", latitude=-21.1, longitude=55.5)
    venue("Réunion après-midi", territory=territory, opening_hours="Mo-Fr 12:30-17:00", latitude=-21.0, longitude=55.4)
    venue("Sans horaires", territory=territory)
    venue("Illisible", territory=territory, opening_hours="sur rendez-vous")
    assert names(client, "?ouvert=1") == ["Ouvert", "Ouvert la nuit", "Réunion après-midi"]
    assert map_names(client, "?ouvert=1") == ["Ouvert", "Réunion après-midi"]  # those with coordinates
    assert names(client, "?ouvert=1&q=reunion") == ["Réunion après-midi"]
    assert result_count(client) == 7


def test_open_now_on_a_french_public_holiday(client, territory, monkeypatch):
    from django.utils import timezone

    christmas = datetime.datetime(2026, 12, 25, 10, 0, tzinfo=PARIS)  # a Friday
    monkeypatch.setattr(timezone, "now", lambda: christmas)
    venue("Fermé les jours fériés", territory=territory, opening_hours=WEEKDAYS)
    venue("Ouvert les jours fériés", territory=territory, opening_hours="Mo-Fr 09:00-12:00")
    assert names(client, "?ouvert=1") == ["Ouvert les jours fériés"]


def test_venues_public_keeps_its_text_only_call_for_the_site_search(territory):
    venue("Médiathèque de Cahors", territory=territory)
    venue("Autre", territory=territory)
    found = selectors.venues_public(text="mediatheque")
    assert [v.name for v in found] == ["Médiathèque de Cahors"]
    assert found[0].territory.name == territory.name


def test_the_open_now_filter_chooses_the_shorter_list_of_ids(territory, frozen, django_assert_num_queries):
    for n in range(5):
        venue(f"Ouvert {n}", territory=territory, opening_hours="24/7")
    venue("Fermé", territory=territory, opening_hours="Tu 10:00-11:00")
    with django_assert_num_queries(1):  # the candidates' hours; the queryset is lazy after
        found = selectors.venues_public(open_now=True)
    assert "NOT" in str(found.query)  # exclude the one closed rather than list the five open
    assert len(found) == 5


# --- Malformed or huge input: never a 500 -------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "?page=abc", "?page=0", "?page=-1", "?page=999999", "?page=" + "9" * 5000,
        "?territoire=%3Cscript%3E", "?territoire=" + "a" * 500, "?territoire=x&territoire=y",
        "?service=Inconnu", "?service=" + "x" * 3000, "?service=" + "&service=".join(["Jeunes"] * 900),
        "?public=%00", "?acces=", "?accompagnement[]=x", "?gratuit=2", "?ouvert=true",
        "?q=%00%01%02", "?q=%ff%fe", "?q=" + "%C3%A9" * 3000, "?commune=" + "é" * 5000,
        "?q=a&q=b", "?q=%25%5F%5C", "?commune=%25",
    ],
)
def test_malformed_parameters_are_ignored(client, territory, query):
    venue("EPM de Limogne", territory=territory, services=[PAPERWORK])
    response = client.get(LIST + query, follow=True)  # empty parameters: one redirect to the clean address
    assert response.status_code == 200
    assert client.get(MAP + query).status_code == 200


def test_like_wildcards_are_searched_as_text(client, territory):
    venue("EPM 100%", territory=territory)
    venue("EPM de Limogne", territory=territory)
    assert names(client, "?q=%25") == ["EPM 100%"]
    assert names(client, "?q=100%25") == ["EPM 100%"]
    assert names(client, "?q=%5C") == []


def test_a_5000_character_search_gives_a_normal_page_with_the_search_cut(client, territory):
    venue("EPM de Limogne", territory=territory)
    response = client.get(LIST + "?q=" + "limogne " * 625)  # 5,000 characters
    assert response.status_code == 200
    field = soup(response).select_one("#venue-q")
    assert len(field["value"]) <= 100
    assert field["value"].startswith("limogne limogne")


def test_pagination_is_20_a_page_and_keeps_the_filters(client, territory):
    for n in range(45):
        venue(f"Lieu {n:02d}", territory=territory, services=[PAPERWORK], fees=["Gratuit"])
    venue("Payant", territory=territory, services=[PAPERWORK])
    query = q(q="lieu", service=[PAPERWORK], gratuit="1", territoire=territory.slug)
    page = soup(client.get(LIST + query))
    assert len(page.select(".venue-card")) == 20
    assert text_of(page.select_one("#resultats")).startswith("45")
    next_link = page.select_one(".pagination a[rel=next]")["href"]
    params = parse_qs(urlsplit(next_link).query)
    assert params == {
        "q": ["lieu"], "territoire": [territory.slug], "service": [PAPERWORK], "gratuit": ["1"], "page": ["2"],
    }
    last = soup(client.get(LIST + query + "&page=3"))
    assert [text_of(h) for h in last.select(".venue-card h3")] == [f"Lieu {n}" for n in range(40, 45)]
    assert parse_qs(urlsplit(last.select_one(".pagination a[rel=prev]")["href"]).query)["page"] == ["2"]


# --- Map data -----------------------------------------------------------------------------------


def test_map_data_lists_the_matching_venues_with_coordinates(client, territory, other_territory):
    here = venue("Ici", territory=territory, city="Cahors", latitude="44.447523", longitude="1.441989")
    venue("Sans coordonnées", territory=territory)
    venue("Ailleurs", territory=other_territory, city="Figeac", latitude=45.0, longitude=1.0)
    data = json.loads(client.get(MAP + q(territoire=territory.slug)).content)
    assert data == {
        "count": 1,
        "venues": [{
            "id": here.pk, "name": "Ici", "city": "Cahors", "lat": 44.447523, "lon": 1.441989,
            "url": "/annuaire/ici/",
        }],
    }
    assert map_names(client) == ["Ailleurs", "Ici"]
    assert map_names(client, "?q=cahors") == ["Ici"]


def test_script_in_any_text_is_shown_as_text_in_the_list_the_map_data_and_the_page(client, territory):
    v = venue(XSS, territory=territory, slug="xss", city=XSS, summary=XSS, description=XSS + "\n</p><b>x</b>",
              address=XSS, latitude=44.4, longitude=1.4, phone="+33565123456", opening_hours="24/7",
              other_labels=XSS, parent_structure=XSS, websites=["javascript:alert(1)"],
              appointment_url="javascript:alert(2)", accessibility_url="https://acceslibre.beta.gouv.fr/x/")
    for url in (LIST, LIST + "?q=script", v.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
        assert 'href="javascript:' not in html
    body = client.get(MAP).content.decode()
    assert "<" not in body and ">" not in body
    assert json.loads(body)["venues"][0]["name"] == XSS
    page = soup(client.get(v.get_absolute_url()))
    json_ld = page.select("script[type='application/ld+json']")
    assert len(json_ld) == 1
    assert "</script" not in json_ld[0].string and "<" not in json_ld[0].string
    data = json.loads(json_ld[0].string)
    assert data["name"] == XSS and data["address"]["addressLocality"] == XSS
    config = json.loads(page.find("script", id="venue-map-config").string)
    assert config["point"]["name"] == XSS


# --- The venue page -----------------------------------------------------------------------------


@pytest.fixture
def full_venue(territory):
    return venue(
        "EPM de Limogne", territory=territory, identifier="epm-limogne", pivot="12345678900012",
        address="2 rue du Lac", address_complement="Bâtiment B", postal_code="46260", insee_code="46173",
        city="Limogne-en-Quercy", latitude="44.396100", longitude="1.771900", typology=["COMMUNE"],
        phone="+33565123456", emails=["epm@limogne.fr", "contact@limogne.fr"],
        websites=["https://www.limogne.fr/epm/", "https://social.exemple/@epm"], opening_hours=WEEKDAYS,
        summary="Accès libre et ateliers pour tous.", description="Un espace au cœur du village.\nSept postes.",
        source="Pays des Causses", itinerance=["Fixe"], parent_structure="Mairie de Limogne",
        services=[PAPERWORK, ACCESS], publics=["Seniors", "Jeunes"], specific_support=["Surdité"],
        fees=["Gratuit"], national_programmes=["Conseillers numériques", "France Services"],
        training_labels=["Fabriques de Territoire"], other_labels="Label Numérique Inclusif",
        access_modes=["Se présenter", "Prendre un RDV en ligne"], support_modes=["Dans un atelier collectif"],
        accessibility_url="https://acceslibre.beta.gouv.fr/app/46/epm/",
        appointment_url="https://rdv.exemple/epm-limogne", equipment=["visio", "wifi"],
        updated_at=datetime.datetime(2026, 11, 3, 15, 0, tzinfo=PARIS),
    )


def section(page, title_id):
    heading = page.find(id=title_id)
    assert heading is not None, title_id
    return heading.find_parent("section")


def test_the_venue_page_shows_every_public_field_of_the_national_schema(english, full_venue, frozen):
    page = soup(english.get("/annuaire/epm-de-limogne/"))
    assert [text_of(h) for h in page.select("h1")] == ["EPM de Limogne"]
    assert text_of(page.select_one(".venue-detail__summary")) == "Accès libre et ateliers pour tous."
    assert text_of(page.select_one(".venue-detail__header .venue-status")) == "Open now, closes at 12:00"
    assert "Free of charge" in text_of(page.select_one(".venue-detail__header"))
    assert text_of(page.select_one("address")) == "2 rue du Lac Bâtiment B 46260 Limogne-en-Quercy"

    contact = section(page, "venue-contact-title")
    assert contact.select_one("a[href='tel:+33565123456']").get_text() == "05 65 12 34 56"
    mails = [a["href"] for a in contact.select("a[href^=mailto]")]
    assert mails == ["mailto:epm@limogne.fr", "mailto:contact@limogne.fr"]
    assert [text_of(a) for a in contact.select("a[href^=https]")] == ["www.limogne.fr/epm", "social.exemple/@epm"]

    assert [text_of(li) for li in section(page, "venue-services-title").select("li")] == [PAPERWORK, ACCESS]
    publics = section(page, "venue-publics-title")
    assert "Seniors" in text_of(publics) and "Jeunes" in text_of(publics) and "Surdité" in text_of(publics)
    assert text_of(section(page, "venue-fees-title").select_one("li")) == "Gratuit"
    help_section = section(page, "venue-help-title")
    assert "Se présenter" in text_of(help_section) and "Dans un atelier collectif" in text_of(help_section)
    assert help_section.select_one("a[href='https://rdv.exemple/epm-limogne']") is not None
    assert help_section.select_one("a[href='https://acceslibre.beta.gouv.fr/app/46/epm/']") is not None
    equipment = [text_of(li) for li in section(page, "venue-equipment-title").select("li")]
    assert equipment == ["Visio station (remote appointments with public services)", "Public Wi-Fi"]
    labels = text_of(section(page, "venue-labels-title"))
    for text in ("Conseillers numériques", "France Services", "Fabriques de Territoire", "Label Numérique Inclusif"):
        assert text in labels
    description = section(page, "venue-description-title")
    assert len(description.select("br")) == 1 and "Sept postes." in text_of(description)
    structure = text_of(section(page, "venue-structure-title"))
    # The type of structure in words ("COMMUNE" is "Commune, mairie").
    assert "Mairie de Limogne" in structure and "Fixe" in structure and "Commune, mairie" in structure
    data = text_of(section(page, "venue-data-title"))
    for text in ("epm-limogne", "12345678900012", "46173", "44.396100, 1.771900", "Pays des Causses"):
        assert text in data
    updated = page.select_one(".venue-detail__footer time")
    assert updated.get_text() == "3 November 2026" and updated["datetime"].startswith("2026-11-03T15:00")
    # A small map, for the script, with the venue's point.
    config = json.loads(page.find("script", id="venue-map-config").string)
    assert config["mode"] == "point"
    assert config["point"] == {"name": "EPM de Limogne", "city": "Limogne-en-Quercy", "lat": 44.3961, "lon": 1.7719}
    assert page.select_one("[data-venue-map]").has_attr("hidden")
    assert page.select_one("a[href^='https://www.openstreetmap.org/?mlat=44.396100&mlon=1.771900']")


def test_the_week_table_highlights_today_and_closes_on_the_public_holiday(english, full_venue, frozen):
    rows = soup(english.get("/annuaire/epm-de-limogne/")).select(".venue-hours tbody tr")
    assert len(rows) == 7
    today = [row for row in rows if row.get("aria-current") == "date"]
    assert len(today) == 1 and today[0] is rows[0]
    assert text_of(rows[0]) == "Monday 21 December (today) 9:00 to 12:00, 14:00 to 18:30"
    assert text_of(rows[4]) == "Friday 25 December Closed"  # Christmas, PH off
    assert text_of(rows[5]) == "Saturday 26 December 8:30 to 12:00"


def test_a_venue_without_hours_or_coordinates_has_no_table_and_no_map(english, territory):
    venue("Minimal", territory=territory, opening_hours="")
    page = soup(english.get("/annuaire/minimal/"))
    assert page.select_one(".venue-hours") is None
    assert "opening hours are not given" in text_of(section(page, "venue-hours-title"))
    assert page.find("script", id="venue-map-config") is None
    assert page.select_one("[data-venue-map]") is None
    assert "geo" not in json.loads(page.select_one("script[type='application/ld+json']").string)


def test_the_venue_page_has_schema_org_place_json_ld(client, full_venue):
    page = soup(client.get("/annuaire/epm-de-limogne/"))
    data = json.loads(page.select_one("script[type='application/ld+json']").string)
    assert data == {
        "@context": "https://schema.org",
        "@type": "Place",
        "name": "EPM de Limogne",
        "description": "Accès libre et ateliers pour tous.",
        "url": "http://testserver/annuaire/epm-de-limogne/",
        "address": {
            "@type": "PostalAddress", "streetAddress": "2 rue du Lac, Bâtiment B", "postalCode": "46260",
            "addressLocality": "Limogne-en-Quercy", "addressCountry": "FR",
        },
        "geo": {"@type": "GeoCoordinates", "latitude": 44.3961, "longitude": 1.7719},
        "telephone": "+33565123456",
        "openingHours": ["Mo-Fr 09:00-12:00", "Mo-Fr 14:00-18:30", "Sa 08:30-12:00"],
        "sameAs": ["https://www.limogne.fr/epm/", "https://social.exemple/@epm"],
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("24/7", ["Mo-Su"]),
        ("Mo,We 10:00-12:00; PH off", ["Mo,We 10:00-12:00"]),
        ('Mo-Fr 09:00-12:00 "sur rendez-vous"', []),
        ("", []),
    ],
)
def test_schema_org_opening_hours_keep_only_what_schema_org_can_say(value, expected):
    assert public_views.schema_org_hours(value) == expected


def test_the_venue_page_has_opengraph_meta_and_a_canonical_link(client, full_venue, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    full_venue.photo = SimpleUploadedFile("epm.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", content_type="image/gif")
    full_venue.save()
    page = soup(client.get("/annuaire/epm-de-limogne/"))
    meta = {m["property"]: m["content"] for m in page.select("meta[property]")}
    assert meta["og:title"] == "EPM de Limogne (Limogne-en-Quercy)"
    assert meta["og:description"] == "Accès libre et ateliers pour tous."
    assert meta["og:url"] == "http://testserver/annuaire/epm-de-limogne/"
    assert meta["og:image"].startswith("http://testserver/media/venues/epm")
    assert page.select_one("link[rel=canonical]")["href"] == "http://testserver/annuaire/epm-de-limogne/"
    assert page.select_one(".venue-detail__photo img")["src"].startswith("/media/venues/epm")
    assert json.loads(page.select_one("script[type='application/ld+json']").string)["image"] == meta["og:image"]


def test_an_unknown_slug_is_a_404(client, territory):
    venue("EPM de Limogne", territory=territory)
    assert client.get("/annuaire/nulle-part/").status_code == 404


@pytest.mark.parametrize("url", [LIST, MAP, "/annuaire/epm-de-limogne/"])
def test_the_pages_are_read_only(client, territory, url):
    venue("EPM de Limogne", territory=territory)
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


@pytest.mark.parametrize(
    ("who", "sees_links"),
    [("anonymous", False), ("animator", True), ("referent", True), ("coordinator", True),
     ("other_member", False), ("pending", False), ("referent_elsewhere", False)],
)
def test_edit_and_history_links_for_those_who_may_edit_the_venue(client, territory, other_territory, who, sees_links):
    from extranet.testing.factories import CoordinatorFactory, PendingUserFactory

    v = venue("EPM de Limogne", territory=territory)
    people = {
        "animator": lambda: UserFactory(territory=territory, venues=[v]),
        "referent": lambda: UserFactory(territory=territory, referent_of=[territory]),
        "coordinator": lambda: CoordinatorFactory(territory=other_territory),
        "other_member": lambda: UserFactory(territory=territory),
        "pending": lambda: PendingUserFactory(territory=territory, venues=[v]),
        "referent_elsewhere": lambda: UserFactory(territory=other_territory, referent_of=[other_territory]),
    }
    if who != "anonymous":
        client.force_login(people[who]())
    page = soup(client.get(v.get_absolute_url()))
    edit = page.select_one(f"a[href='{reverse('directory:venue-edit', args=[v.pk])}']")
    history = page.select_one(f"a[href='{reverse('directory:venue-history', args=[v.pk])}']")
    assert (edit is not None) is sees_links
    assert (history is not None) is sees_links


# --- Query counts: pinned, and flat whatever the number of venues --------------------------------

# The list page (anonymous): the territories (select), the open-now or city candidates
# when asked, the count, the page of venues, the cities (datalist), the site menu.
LIST_MAX_QUERIES = 6
MAP_MAX_QUERIES = 1
DETAIL_MAX_QUERIES = 4  # the venue, the site menu, its public events and its public workshop sessions (directory.pages)
CITIES = ["Cahors", "Figeac", "Saint-Céré", "Gourdon", "Souillac", "Limogne-en-Quercy"]


def bulk_venues(territory, count, counter=[0]):  # noqa: B006 (names unique across calls)
    """`count` venues in one INSERT per 500: bulk_create skips save(), so search_text is set here."""
    venues = []
    for _ in range(count):
        counter[0] += 1
        n = counter[0]
        v = Venue(
            name=f"Lieu {n:05d}", slug=f"lieu-{n:05d}", territory=territory, address=f"{n} rue de la Poste",
            postal_code="46000", city=CITIES[n % len(CITIES)],
            latitude=44 + (n % 100) / 100, longitude=1 + (n % 97) / 100,
            opening_hours="24/7" if n % 2 else WEEKDAYS,
            services=[PAPERWORK, LEISURE, ACCESS, EVERYDAY][: 1 + n % 4],
            fees=["Gratuit"] if n % 4 else ["Payant"], access_modes=["Se présenter"],
        )
        v.search_text = fold(" ".join((v.name, v.city, v.postal_code, v.address, v.summary)))
        venues.append(v)
    Venue.objects.bulk_create(venues, batch_size=500)


FILTERED = "?" + urlencode(
    [("q", "lieu"), ("service", PAPERWORK), ("service", ACCESS), ("gratuit", "1"), ("acces", "Se présenter"),
     ("ouvert", "1"), ("commune", "cahors")]
)


@pytest.mark.parametrize("query", ["", FILTERED, "?page=2&q=rue"])
def test_list_queries_are_pinned_and_flat_30_then_300_venues(client, territory, query, frozen,
                                                             django_assert_max_num_queries):
    count, page = queries_flat(client, LIST + query, lambda factor: bulk_venues(territory, 30 * factor))
    assert len(page.select(".venue-card")) == 20
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        client.get(LIST + query)
    print(f"\nlist {query or '(no filter)'}: {count} queries")


@pytest.mark.parametrize("query", ["", FILTERED])
def test_map_data_is_one_query_at_30_and_300_venues(client, territory, query, frozen, django_assert_num_queries):
    count, _page = queries_flat(client, MAP + query, lambda factor: bulk_venues(territory, 30 * factor))
    assert count == MAP_MAX_QUERIES
    with django_assert_num_queries(MAP_MAX_QUERIES):
        client.get(MAP + query)


def test_venue_page_queries_are_pinned(client, full_venue, django_assert_max_num_queries):
    client.get(full_venue.get_absolute_url())  # warm the per-process caches (the footer's pages)
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        assert client.get(full_venue.get_absolute_url()).status_code == 200


def test_venue_page_queries_for_someone_who_may_edit_it(client, full_venue, territory, django_assert_max_num_queries):
    client.force_login(UserFactory(territory=territory, venues=[full_venue]))
    client.get(full_venue.get_absolute_url())
    # The venue, session and user, may they edit it (territories they administer, their
    # venues), the desk's unread badge, the venue's public events (the calendar's section) and
    # public workshop sessions (the workshops' section).
    with django_assert_max_num_queries(9):
        page = soup(client.get(full_venue.get_absolute_url()))
    assert page.select_one(f"a[href='{reverse('directory:venue-edit', args=[full_venue.pk])}']")


def test_5000_venues_list_map_and_page_in_the_same_queries(client, territory, frozen, django_assert_max_num_queries):
    bulk_venues(territory, 5000)
    assert Venue.objects.count() == 5000
    for query in ("", FILTERED):
        with django_assert_max_num_queries(LIST_MAX_QUERIES):
            response = client.get(LIST + query)
        assert response.status_code == 200
        page = soup(response)
        assert len(page.select(".venue-card")) == 20
    with django_assert_max_num_queries(MAP_MAX_QUERIES):
        data = json.loads(client.get(MAP).content)
    assert data["count"] == 5000
    with django_assert_max_num_queries(MAP_MAX_QUERIES):
        filtered = json.loads(client.get(MAP + FILTERED).content)
    assert 0 < filtered["count"] < 5000
    assert filtered["count"] == result_count(client, FILTERED)  # list and map agree
    url = Venue.objects.order_by("pk").last().get_absolute_url()
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        assert client.get(url).status_code == 200


def test_filters_read_from_the_query_string_and_written_back_in_a_stable_order():
    from django.http import QueryDict

    from directory.public_forms import PublicFilters

    data = QueryDict(mutable=True)
    data.setlist("service", [LEISURE, "Inconnu", PAPERWORK, PAPERWORK])
    data.update({"q": "  cyber\x00  base ", "territoire": "pays-des-causses", "commune": "Cahors", "ouvert": "1",
                 "gratuit": "0", "acces": "Téléphoner"})
    filters = PublicFilters.from_query(data)
    assert filters.q == "cyber base"
    assert filters.services == (PAPERWORK, LEISURE)  # known values, the vocabulary's order, once
    assert (filters.open_now, filters.free) == (True, False)
    assert filters.access_modes == ("Téléphoner",)
    again = PublicFilters.from_query(QueryDict(filters.query_string()))
    assert again == filters
    assert PublicFilters.from_query({}) == PublicFilters() and not PublicFilters().is_active
    assert PublicFilters.from_query({"territoire": "../x"}).territory == ""
