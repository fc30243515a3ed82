"""The reports' pages (mediation.report_views) and scopes (mediation.scopes): who reads which
scope (404 for another's, 403 for who reads none), the page's figures, charts and tables, the
CSV and XLSX exports, and the queries of the page, the same whatever the data."""

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from extranet.testing import factories
from extranet.testing.pages import english_client, queries_flat, soup, text_of
from extranet.testing.shared import building, shared_transaction
from mediation import exports, permissions, reports
from mediation.models import ActivityBeneficiary, ActivityRecord
from mediation.scopes import Period, Scope, available_scopes, scope_from_key
from mediation.tests.rep_world import build_world

pytestmark = pytest.mark.django_db

S1 = {"periode": "semester", "annee": 2025, "numero": 1}
INDEX = reverse("rapports:index")
CSV = reverse("rapports:export-csv")
XLSX = reverse("rapports:export-xlsx")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build_world(factories)
            t1, t2, v1, v2 = data["t1"], data["t2"], data["v1"], data["v2"]
            data.update(
                coordinator=factories.CoordinatorFactory(),
                local_admin=factories.UserFactory(referent_of=[t1]),
                animator=factories.UserFactory(venues=[v1]),
                animator_v2=factories.UserFactory(venues=[v2]),
                member=factories.UserFactory(),
                partner=factories.PartnerUserFactory(),
            )
            data["other_venue_t1"] = factories.VenueFactory(territory=t1, name="Rep Annexe de Cahors")
            data["keys"] = {"network": "reseau", "t1": f"territoire-{t1.pk}", "t2": f"territoire-{t2.pk}",
                            "v1": f"lieu-{v1.pk}", "v2": f"lieu-{v2.pk}"}
        yield data


def url(base, world, scope=None, **extra):
    query = dict(S1, **extra)
    if scope:
        query["perimetre"] = world["keys"][scope]
    return base + "?" + "&".join(f"{key}={value}" for key, value in query.items())


# --- Scopes ----------------------------------------------------------------------------------------


def test_scope_from_key(world):
    assert scope_from_key("reseau") == Scope.network()
    assert scope_from_key(world["keys"]["t1"]) == Scope.of_territory(world["t1"])
    venue = scope_from_key(world["keys"]["v2"])
    assert (venue.kind, venue.venue_id, venue.territory_id, venue.name) == (
        "venue", world["v2"].pk, world["t2"].pk, "Rep Espace d'Albi")
    for key in ("", None, "lieu-", "lieu-abc", "territoire-999999", "lieu-999999", "pays-1", "reseau-1"):
        assert scope_from_key(key) is None


def test_available_scopes(world, django_assert_max_num_queries):
    coordinator = available_scopes(world["coordinator"])
    assert coordinator[0] == Scope.network()
    keys = [scope.key for scope in coordinator]
    assert set(world["keys"].values()) <= set(keys)
    local = available_scopes(world["local_admin"])
    assert [scope.name for scope in local] == ["Rep Lot", "Rep Annexe de Cahors", "Rep Médiathèque de Cahors"]
    assert [scope.name for scope in available_scopes(world["animator"])] == ["Rep Médiathèque de Cahors"]
    assert available_scopes(world["member"]) == []
    assert available_scopes(world["partner"]) == []
    for user in ("coordinator", "local_admin", "animator", "member"):
        for scope in available_scopes(world[user]):
            assert permissions.can_view_report(world[user], scope)
    with django_assert_max_num_queries(2):
        available_scopes(world["coordinator"])


# --- The page: who reads what ----------------------------------------------------------------------


@pytest.mark.parametrize(("who", "scope", "status"), [
    ("coordinator", "network", 200), ("coordinator", "t2", 200), ("coordinator", "v2", 200),
    ("local_admin", "t1", 200), ("local_admin", "v1", 200),
    ("local_admin", "t2", 404), ("local_admin", "v2", 404), ("local_admin", "network", 404),
    ("animator", "v1", 200), ("animator", "t1", 404), ("animator", "v2", 404), ("animator", "network", 404),
])
def test_scopes_allowed_or_404(world, who, scope, status):
    client = english_client(world[who])
    for base in (INDEX, CSV, XLSX):
        assert client.get(url(base, world, scope)).status_code == status, base


def test_unknown_scope_404(world):
    client = english_client(world["coordinator"])
    assert client.get(INDEX + "?perimetre=lieu-999999").status_code == 404
    assert client.get(INDEX + "?perimetre=nimporte").status_code == 404


def test_member_without_scope_403_with_reason(world):
    response = english_client(world["member"]).get(INDEX)
    assert response.status_code == 403
    assert "You read the reports of your venues and territories only." in response.content.decode()
    assert english_client(world["member"]).get(CSV).status_code == 403


def test_partner_kept_out(world):
    response = english_client(world["partner"]).get(INDEX)
    assert response.status_code == 302


def test_default_scope_and_period(world):
    page = soup(english_client(world["coordinator"]).get(INDEX))
    assert page.select_one("#report-scope option[selected]")["value"] == "reseau"
    today = date.today()
    period = page.select_one("#report-period")
    assert period.select_one("option[selected]")["value"] == f"semester-{today.year}-{1 if today.month <= 6 else 2}"
    assert [group["label"] for group in period.select("optgroup")] == [
        "Semesters", "Quarters", "Months", "Years"]
    assert [len(group.select("option")) for group in period.select("optgroup")] == [6, 8, 24, 5]
    assert period.select("optgroup")[3].select_one("option")["value"] == f"year-{today.year}-1"
    assert not page.select("#report-year, #report-number, input[name=annee], input[name=numero]")
    page = soup(english_client(world["local_admin"]).get(INDEX))
    assert page.select_one("#report-scope option[selected]")["value"] == world["keys"]["t1"]
    options = [option["value"] for option in page.select("#report-scope option")]
    assert "reseau" not in options and world["keys"]["t2"] not in options


def test_wrong_period_falls_back(world):
    today = date.today()
    response = english_client(world["coordinator"]).get(INDEX + "?periode=quarter&annee=abc&numero=9")
    assert response.status_code == 200
    quarter = (today.month - 1) // 3 + 1
    assert soup(response).select_one("#report-period option[selected]")["value"] == f"quarter-{today.year}-{quarter}"
    response = english_client(world["coordinator"]).get(INDEX + "?periode=semester-2026-3")
    assert soup(response).select_one("#report-period option[selected]")["value"].startswith("semester-")


def test_single_period_parameter_and_old_links(world):
    client = english_client(world["coordinator"])
    new = soup(client.get(INDEX + "?perimetre=reseau&periode=quarter-2025-3"))
    old = soup(client.get(INDEX + "?perimetre=reseau&periode=quarter&annee=2025&numero=3"))
    for page in (new, old):
        assert text_of(page.select_one("h1")) == "Report: the whole network, third quarter 2025"
        assert page.select_one("a[rel=prev]")["href"] == "?perimetre=reseau&periode=quarter-2025-2"
        assert page.select_one("a[rel=next]")["href"] == "?perimetre=reseau&periode=quarter-2025-4"


def test_period_outside_the_list_is_added_selected(world):
    page = soup(english_client(world["coordinator"]).get(INDEX + "?periode=month-2019-2"))
    selected = page.select("#report-period option[selected]")
    assert [(option["value"], text_of(option)) for option in selected] == [("month-2019-2", "February 2019")]
    months = [option["value"] for option in page.select("#report-period optgroup")[2].select("option")]
    assert len(months) == 25 and months[-1] == "month-2019-2"  # in date order, the latest first


def test_period_labels_and_keys():
    assert [Period("quarter", 2026, n).label for n in (1, 2, 3, 4)] == [
        "first quarter 2026", "second quarter 2026", "third quarter 2026", "fourth quarter 2026"]
    with translation.override("fr"):
        assert Period("month", 2026, 11).label == "novembre 2026"
    assert Period("semester", 2026, 2).key == "semester-2026-2"
    assert Period("semester", 2026, 2).as_query() == {"periode": "semester-2026-2"}
    assert Period.from_key("year-2026-1") == Period("year", 2026, 1)
    for wrong in (None, "", "semester-2026-3", "week-2026-1", "semester-2026", "semester-٢٠٢٦-1", "x" * 30):
        assert Period.from_key(wrong) is None, wrong
    today = date(2026, 12, 3)
    assert Period.from_query({"periode": "month-2026-2"}, today) == Period("month", 2026, 2)
    assert Period.from_query({"periode": "month", "annee": "2026", "numero": "2"}, today) == Period("month", 2026, 2)
    assert Period.from_query({}, today) == Period("semester", 2026, 2)


# --- The page: what it shows -----------------------------------------------------------------------


def test_page_figures_charts_and_tables(world):
    response = english_client(world["coordinator"]).get(url(INDEX, world, "network"))
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.select_one("h1")) == "Report: the whole network, first semester 2025"
    cards = {text_of(card.select_one(".report-card__label")): text_of(card.select_one(".report-card__value"))
             for card in page.select(".report-card")}
    assert cards["Workshop sessions held"] == "3"
    assert cards["Attendance rate"] == "63 %"
    assert cards["Amount paid to venues"] == "375,50 €"
    sessions_card = page.select(".report-card")[0]
    assert text_of(sessions_card.select_one(".report-card__previous")) == "first semester 2024: 1 (+200 %)"
    # Each chart is hidden, its table right after it, in a disclosure, says the same.
    workshops = page.select_one("section[aria-labelledby=report-view-workshops]")
    assert workshops.select_one(".report-chart > div")["aria-hidden"] == "true"
    source = text_of(workshops.select_one(".report-chart__source"))
    assert source == "Source: Maillage, the workshops, vouchers and accompaniments recorded; scope: the whole network."
    assert text_of(workshops.select_one("details > summary")) == "See the table of figures"
    # 11 views; no equipment was lent in rep_world: the loans view says so, without a table.
    assert len(page.select("details.report-details table")) == len(page.select("table.report-table")) == 10
    loans = page.select_one("section[aria-labelledby=report-view-loans]")
    assert text_of(loans.select_one(".empty")) == "Nothing recorded in either period."
    widths = [bar["class"][-1] for bar in workshops.select(".report-bar")]
    # The largest value (6 registrations) is 100 %; 3 sessions, 1 the year before...
    assert widths[:4] == ["report-bar--w50", "report-bar--w15", "report-bar--w100", "report-bar--w15"]
    table = workshops.select_one("details .table-wrap table")
    assert text_of(table.caption) == "Workshops, the whole network"
    assert [text_of(th) for th in table.select("thead th")] == ["Figure", "first semester 2025", "first semester 2024"]
    assert all(th["scope"] == "row" for th in table.select("tbody th"))
    assert [text_of(td) for td in table.select("tbody tr")[0].select("td")] == ["3", "1"]
    labels = [region["aria-label"] for region in page.select("[role=region]")]
    assert len(labels) == len(set(labels))
    assert not page.select("[style]")
    assert page.select_one('nav.contact-tabs a[aria-current="page"]')["href"] == INDEX
    links = [a["href"] for a in page.select(".report-downloads a")]
    assert f"{XLSX}?perimetre=reseau&periode=semester-2025-1" in links
    assert f"{CSV}?perimetre=reseau&periode=semester-2025-1&vue=themes" in links
    assert page.select_one("a[rel=prev]")["href"] == "?perimetre=reseau&periode=semester-2024-2"
    assert page.select_one("a[rel=next]")["href"] == "?perimetre=reseau&periode=semester-2025-2"
    share = reverse("rapports:share-create") + "?perimetre=reseau&periode=semester-2025-1"
    assert page.select_one(f'a[href="{share}"]') is not None


def test_body_has_no_desk_link_nor_form(world):
    from django.template.loader import render_to_string

    report = reports.build(scope=Scope.of_venue(world["v1"]), period=Period("semester", 2025, 1))
    html = render_to_string("mediation/reports/includes/body.html", {"report": report})
    page = soup(type("R", (), {"content": html.encode()})())
    assert not page.select("a, form, input, button")
    assert "Rep Médiathèque de Cahors" in html


def test_empty_period_page(world):
    response = english_client(world["animator"]).get(
        INDEX + f"?perimetre={world['keys']['v1']}&periode=month&annee=2031&numero=2")
    assert response.status_code == 200
    page = soup(response)
    cards = {text_of(card.select_one(".report-card__label")): text_of(card.select_one(".report-card__value"))
             for card in page.select(".report-card")}
    assert cards["Attendance rate"] == "—"
    assert cards["Accompaniments"] == "0"
    assert "Nothing recorded in either period." in text_of(page)
    # Not a coordinator nor a local admin: no "Shared links" tab.
    assert not page.select(f'nav.contact-tabs a[href="{reverse("rapports:shares")}"]')
    assert not page.select(f'a[href^="{reverse("rapports:share-create")}"]')  # an animator shares nothing


def _grow(world, factor):
    venue, territory = world["v1"], world["t1"]
    records = ActivityRecord.objects.bulk_create(
        ActivityRecord(venue=venue, territory=territory, date=date(2025, 3, 1), duration_minutes=60,
                       themes=["Email", "Parentalite"], participants=3)
        for _ in range(3 * factor)
    )
    ActivityBeneficiary.objects.bulk_create(ActivityBeneficiary(record=r, age_bracket="DixHuitVingtQuatre")
                                            for r in records)


@pytest.mark.parametrize(("who", "scope", "email"), [
    ("coordinator", "network", ["33", "1", "97", "3"]),
    ("animator", "v1", ["32", "0", "96", "0"]),
])
def test_page_queries_flat(world, who, scope, email):
    queries, page = queries_flat(english_client(world[who]), url(INDEX, world, scope), lambda f: _grow(world, f))
    assert queries == 28  # the report 22, the session and user, the scopes, the desk menu
    themes = page.select_one("section[aria-labelledby=report-view-themes] table")
    assert [text_of(td) for td in themes.select("tbody tr")[0].select("td")] == email


# --- Exports ---------------------------------------------------------------------------------------


def _csv(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_one_view(world):
    response = english_client(world["coordinator"]).get(url(CSV, world, "network", vue="vouchers"))
    assert response["Content-Disposition"] == 'attachment; filename="rapport-reseau-2025-s1-vouchers.csv"'
    assert _csv(response) == [
        ["Figure", "first semester 2025", "first semester 2024"],
        ["Vouchers issued", "3", "1"], ["Vouchers completed", "2", "0"], ["Modules attended", "5", "1"],
    ]


def test_csv_unknown_view_404(world):
    assert english_client(world["coordinator"]).get(url(CSV, world, "network", vue="nope")).status_code == 404


def test_csv_every_view(world):
    response = english_client(world["coordinator"]).get(url(CSV, world, "v1"))
    assert response["Content-Disposition"] == f'attachment; filename="rapport-lieu-{world["v1"].pk}-2025-s1.csv"'
    rows = _csv(response)
    assert rows[0] == ["Key figures"]
    assert rows[1] == ["Figure", "first semester 2025", "first semester 2024", "Change"]
    # Signed figures stay as they are (core.spreadsheets neutralises only formula-like text).
    assert ["Attendance rate", "67 %", "100 %", "-33 pts"] in rows
    assert ["Amount paid to venues", "375,50 €", "40,00 €", "+839 %"] in rows
    titles = [row[0] for index, row in enumerate(rows) if index == 0 or (rows[index - 1] == [] and row)]
    assert titles == ["Key figures", "Workshops", "Satisfaction", "Vouchers", "Statements and payments",
                      "Accompaniments by theme", "People accompanied by age", "Accompaniments by place",
                      "Accompaniments by kind", "Accompaniments by duration", "Equipment loans"]


def test_xlsx(world):
    response = english_client(world["coordinator"]).get(url(XLSX, world, "network"))
    assert response["Content-Type"] == exports.XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="rapport-reseau-2025-s1.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Key figures", "Workshops", "Satisfaction", "Vouchers", "Statements and payments",
                               "Accompaniments by theme", "People accompanied by age", "Accompaniments by place",
                               "Accompaniments by kind", "Accompaniments by duration", "Equipment loans"]
    summary = book["Key figures"]
    assert [cell.value for cell in summary[1]] == ["Figure", "first semester 2025", "first semester 2024", "Change"]
    assert all(cell.font.bold for cell in summary[1])
    rows = {row[0].value: row for row in summary.iter_rows(min_row=2)}
    assert rows["Workshop sessions held"][1].value == 3
    assert rows["Attendance rate"][1].value == 0.625
    assert rows["Attendance rate"][1].number_format == "0%"
    assert rows["Attendance rate"][2].value == 1
    assert rows["Amount paid to venues"][1].value == 375.5
    assert "€" in rows["Amount paid to venues"][1].number_format
    assert rows["Satisfaction (average, 1 to 5)"][1].value == 3.7
    settlements = book["Statements and payments"]
    assert [cell.value for cell in settlements[2]] == ["Drawn up", 450, 40, 2, 1]
    themes = book["Accompaniments by theme"]
    assert [cell.value for cell in themes[2]] == ["E-mail", 3, 1, 7, 3]


def test_xlsx_empty_period(world):
    response = english_client(world["animator"]).get(
        XLSX + f"?perimetre={world['keys']['v1']}&periode=year&annee=2031")
    book = load_workbook(io.BytesIO(response.content))
    themes = book["Accompaniments by theme"]
    assert themes.max_row == 1
    summary = {row[0].value: row for row in book["Key figures"].iter_rows(min_row=2)}
    assert summary["Attendance rate"][1].value is None
    assert summary["Accompaniments"][1].value == 0
