"""The statistics page (materiel:stats) and its CSV (materiel:stats-csv): who sees them, what
they show for March 2025 in test_stat_world, the period chooser, the owner filter, and the
queries, the same whatever the data."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from extranet.testing import factories
from extranet.testing.pages import english_client, queries_flat, soup, text_of
from extranet.testing.shared import building, shared_transaction
from lending.tests.test_stat_world import build_world, grow

pytestmark = pytest.mark.django_db

PAGE = reverse("materiel:stats")
CSV = reverse("materiel:stats-csv")
MARCH = "periode=dates&du=2025-03-01&au=2025-03-31"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build_world(factories)
            data["animator"] = factories.UserFactory(venues=[data["owner"]])
            data["coordinator"] = factories.CoordinatorFactory()
            data["member"] = factories.UserFactory()
            data["partner"] = factories.PartnerUserFactory()
        yield data


def cards(page):
    return {text_of(card.select_one(".stat-card__label")): text_of(card.select_one(".stat-card__value"))
            for card in page.select(".stat-card")}


def table_rows(page, key):
    table = page.select_one(f"section[aria-labelledby=stat-view-{key}] table")
    return [[text_of(cell) for cell in row.select("th, td")] for row in table.select("tbody tr")]


def _csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


# --- Who sees what -------------------------------------------------------------------------


def test_who_manages_nothing_gets_403_with_the_reason(world):
    client = english_client(world["member"])
    for url in (PAGE, CSV):
        response = client.get(url)
        assert response.status_code == 403
        assert "Only the people who manage equipment see its usage statistics." in response.content.decode()
    assert english_client(world["partner"]).get(PAGE).status_code == 302


def test_coordinator_sees_everything(world):
    response = english_client(world["coordinator"]).get(f"{PAGE}?{MARCH}")
    assert response.status_code == 200
    page = soup(response)
    assert cards(page) == {"Loans": "6", "Days lent": "32", "Items lent": "5", "Borrowing venues": "2",
                           "Requests made": "8", "Overdue rate": "40 %"}
    assert text_of(page.select(".stat-card__more")[1]) == "2 of 5 loans due back"
    assert text_of(page.select_one(".stat-period")) == "Period: from 1 March 2025 to 31 March 2025"
    assert table_rows(page, "categories") == [
        ["Tablettes", "3", "19", "2", "59 %"], ["Vidéoprojecteurs", "2", "9", "1", "28 %"],
        ["Visio", "1", "4", "2", "13 %"]]
    assert table_rows(page, "items")[0] == ["Tablette B", world["tab2"].inventory_number, "Tablettes", "1", "12"]
    items = page.select_one("section[aria-labelledby=stat-view-items] tbody th a")
    assert items["href"] == reverse("materiel:item", args=[world["tab2"].pk])
    assert table_rows(page, "requested")[0] == ["Vidéoprojecteur", world["proj"].inventory_number,
                                                "Vidéoprojecteurs", "3", "0", "1"]
    assert table_rows(page, "venues") == [["Stat Espace Nord", "3", "22"], ["Stat Espace Sud", "3", "10"]]
    # The charts are drawn from the tables; the largest bar is 100 %.
    venues = page.select_one("section[aria-labelledby=stat-view-venues]")
    assert venues.select_one(".stat-chart > div")["aria-hidden"] == "true"
    assert [bar["class"][-1] for bar in venues.select(".stat-bar")] == ["stat-bar--w100", "stat-bar--w45"]
    assert text_of(venues.select_one(".stat-chart__source")) == (
        "Source: Maillage, the equipment loans recorded, from 1 March 2025 to 31 March 2025.")
    assert text_of(venues.select_one("details > summary")) == "See the table of figures"
    assert page.select_one('nav.contact-tabs a[aria-current="page"]')["href"] == PAGE
    assert not page.select("[style]")
    owners = [text_of(option) for option in page.select("#id_proprietaire option")]
    assert owners[:2] == ["Every owner", "The resource centre"] and "Stat Fablab" in owners
    assert page.select_one(f'a[href="{CSV}?{MARCH}"]') is not None
    assert page.select_one(f'a[href="{CSV}?{MARCH}&vue=categories"]') is not None


def test_a_venue_manager_sees_its_equipment_only(world):
    page = soup(english_client(world["animator"]).get(f"{PAGE}?{MARCH}"))
    assert cards(page)["Loans"] == "3"
    assert cards(page)["Days lent"] == "19"
    assert [row[0] for row in table_rows(page, "items")] == ["Tablette B", "Tablette A"]
    assert not page.select("#id_proprietaire")  # one owner: nothing to choose
    # Another owner's equipment cannot be asked for: still its own only.
    page = soup(english_client(world["animator"]).get(f"{PAGE}?{MARCH}&proprietaire=centre"))
    assert (cards(page)["Loans"], cards(page)["Days lent"]) == ("3", "19")
    # Nor the equipment of a venue one does not work in, by a coordinator's owner choice.
    other = factories.VenueFactory(territory=world["territory"])
    factories.ItemFactory(owner_venue=other)
    response = english_client(world["animator"]).get(f"{PAGE}?{MARCH}&proprietaire={other.pk}")
    assert cards(soup(response))["Loans"] == "3"


def test_an_owner_not_in_the_list_is_an_error(world):
    response = english_client(world["coordinator"]).get(f"{PAGE}?{MARCH}&proprietaire=999999")
    assert response.status_code == 200
    assert "Owner: Select a valid choice." in text_of(soup(response).select_one(".error-summary"))


def test_owner_filter(world):
    page = soup(english_client(world["coordinator"]).get(f"{PAGE}?{MARCH}&proprietaire=centre"))
    # The Vidéoprojecteur (L1, L2) and the kit (L4).
    assert (cards(page)["Loans"], cards(page)["Days lent"]) == ("3", "13")
    assert "owner: The resource centre" in text_of(page.select_one(".stat-period"))
    owner = world["owner"].pk
    page = soup(english_client(world["coordinator"]).get(f"{PAGE}?{MARCH}&proprietaire={owner}"))
    assert (cards(page)["Loans"], cards(page)["Days lent"]) == ("3", "19")


def test_empty_period(world):
    page = soup(english_client(world["coordinator"]).get(f"{PAGE}?periode=dates&du=2031-02-01&au=2031-02-28"))
    assert cards(page)["Loans"] == "0"
    assert cards(page)["Overdue rate"] == "—"
    assert [text_of(p) for p in page.select(".stat-view .empty")] == [
        "No loan in this period.", "No loan in this period.", "No request in this period.",
        "No loan in this period."]


# --- The period chooser ----------------------------------------------------------------------


def test_default_is_the_last_twelve_months(world):
    page = soup(english_client(world["coordinator"]).get(PAGE))
    today = timezone.localdate()
    assert page.select_one("#id_periode option[selected]")["value"] == "12m"
    assert [option["value"] for option in page.select("#id_periode option")] == [
        "12m", "year", "last-year", "quarter", "last-quarter", "dates"]
    assert page.select_one("#id_au")["value"] == today.isoformat()
    assert date.fromisoformat(page.select_one("#id_du")["value"]) > today - timedelta(days=367)
    assert page.select_one("input[type=hidden][name=au0]")["value"] == today.isoformat()


def test_last_year_preset(world):
    page = soup(english_client(world["coordinator"]).get(f"{PAGE}?periode=last-year"))
    year = timezone.localdate().year - 1
    assert (page.select_one("#id_du")["value"], page.select_one("#id_au")["value"]) == (
        f"{year}-01-01", f"{year}-12-31")


def test_dates_changed_by_hand_win_over_the_list(world):
    query = "periode=year&du=2025-03-01&au=2025-03-31&du0=2026-01-01&au0=2026-12-04"
    page = soup(english_client(world["coordinator"]).get(f"{PAGE}?{query}"))
    assert cards(page)["Loans"] == "6"
    assert page.select_one("#id_periode option[selected]")["value"] == "dates"
    # Dates left as shown follow the list.
    query = "periode=last-year&du=2025-03-01&au=2025-03-31&du0=2025-03-01&au0=2025-03-31"
    page = soup(english_client(world["coordinator"]).get(f"{PAGE}?{query}"))
    year = timezone.localdate().year - 1
    assert page.select_one("#id_du")["value"] == f"{year}-01-01"


@pytest.mark.parametrize(("query", "message"), [
    ("periode=dates&du=2025-03-31&au=2025-03-01", "To (included): The last day comes before the first."),
    ("periode=dates&du=2025-03-01", "To (included): Give both dates, or choose a period in the list."),
    ("periode=dates&du=1999-12-01&au=2025-03-01", "From: Choose days between 2000 and 2100."),
    ("periode=dates&du=abc&au=2025-03-01", "From: Enter a valid date."),
    ("periode=nope", "Period: Select a valid choice. nope is not one of the available choices."),
])
def test_wrong_filters_are_shown_not_a_500(world, query, message):
    response = english_client(world["coordinator"]).get(f"{PAGE}?{query}")
    assert response.status_code == 200
    page = soup(response)
    assert message in [text_of(li) for li in page.select(".error-summary li")]
    # The figures of the default period meanwhile.
    assert page.select_one(".stat-cards") is not None
    csv_response = english_client(world["coordinator"]).get(f"{CSV}?{query}")
    assert csv_response.status_code == 302
    assert csv_response["Location"].startswith(PAGE + "?")


# --- CSV -----------------------------------------------------------------------------------


def test_csv_every_table(world):
    response = english_client(world["coordinator"]).get(f"{CSV}?{MARCH}")
    assert response["Content-Disposition"] == 'attachment; filename="statistiques-materiel-2025-03-01-2025-03-31.csv"'
    rows = _csv(response)
    assert rows[0] == ["Equipment usage statistics", "from 1 March 2025 to 31 March 2025"]
    titles = [rows[i + 1][0] for i, row in enumerate(rows[:-1]) if row == []]
    assert titles == ["Key figures", "Days lent by category", "The items lent the most",
                      "The items requested the most", "Borrowing venues"]
    assert ["Overdue rate", "40 %"] in rows
    assert ["Days lent", "32"] in rows
    assert ["Stat Espace Nord", "3", "22"] in rows


def test_csv_one_table_and_every_item(world):
    response = english_client(world["coordinator"]).get(f"{CSV}?{MARCH}&vue=categories")
    assert _csv(response) == [
        ["Category", "Loans", "Days lent", "Items lent", "Share of the days lent"],
        ["Tablettes", "3", "19", "2", "59 %"], ["Vidéoprojecteurs", "2", "9", "1", "28 %"],
        ["Visio", "1", "4", "2", "13 %"],
    ]
    assert english_client(world["coordinator"]).get(f"{CSV}?{MARCH}&vue=nope").status_code == 404
    rows = _csv(english_client(world["animator"]).get(f"{CSV}?{MARCH}&vue=items"))
    assert [row[0] for row in rows[1:]] == ["Tablette B", "Tablette A"]


# --- Queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "animator"])
def test_page_queries_flat(world, who):
    queries, page = queries_flat(english_client(world[who]), f"{PAGE}?{MARCH}",
                                 lambda factor: grow(factories, world, factor))
    # The session and the user, the owners to choose from, the statistics 7, the desk menu's
    # counts (2 for a coordinator, 1 otherwise); an animator's roles (territories, venues) 2.
    assert queries == {"coordinator": 12, "animator": 13}[who], queries
    # 10 loans of an item of Stat Fablab added: 6 + 10 for all, 3 + 10 for Stat Fablab's.
    assert cards(page)["Loans"] == {"coordinator": "16", "animator": "13"}[who]
    assert len(table_rows(page, "items")) == {"coordinator": 15, "animator": 12}[who]
