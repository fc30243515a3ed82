"""Shared report links, their pages: the list, creating, revoking, and the public page a funder
opens without an account (pages in English, the msgids)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from extranet.testing.factories import (
    ActivityRecordFactory,
    CoordinatorFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    VoucherFactory,
)
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from mediation import shares
from mediation.models import ActivityBeneficiary, ReportShare
from mediation.scopes import Period, Scope

pytestmark = pytest.mark.django_db

LIST = "/bureau/rapports/partages/"
CREATE = "/bureau/rapports/partages/nouveau/"
SEMESTER = Period("semester", 2026, 1)


@pytest.fixture
def lot():
    return TerritoryFactory(name="Lot")


@pytest.fixture
def venue(lot):
    return VenueFactory(name="EPN de Figeac", territory=lot)


@pytest.fixture
def local_admin(lot):
    user = UserFactory(territory=lot, display_name="Léa Locale")
    user.referent_territories.add(lot)
    return user


@pytest.fixture
def coordinator():
    return CoordinatorFactory()


def make_share(actor, scope, label="CAF du Lot", period=SEMESTER):
    return shares.share_create(actor=actor, label=label, scope=scope, period=period)


# --- The list -------------------------------------------------------------------------------


def test_list_shows_my_links_with_their_url(local_admin, lot, coordinator):
    mine = make_share(local_admin, Scope.of_territory(lot))
    make_share(coordinator, Scope.network(), label="Conseil départemental")
    page = soup(english_client(local_admin).get(LIST))
    items = page.select(".share-item")
    assert [text_of(item.select_one("h2")) for item in items] == ["CAF du Lot"]
    assert items[0].select_one("input[readonly]")["value"] == f"http://testserver/rapports/{mine.token}/"
    assert "Lot" in text_of(items[0]) and "first semester 2026" in text_of(items[0])
    assert items[0].select_one("[data-copy]") is not None
    assert page.select_one('script[src$="js/copy-link.js"]') is not None


def test_coordinator_sees_every_link(local_admin, lot, coordinator):
    make_share(local_admin, Scope.of_territory(lot))
    make_share(coordinator, Scope.network(), label="Conseil départemental")
    page = soup(english_client(coordinator).get(LIST))
    assert [text_of(h) for h in page.select(".share-item h2")] == ["Conseil départemental", "CAF du Lot"]
    assert len(page.select(".share-item form[action$='/revoquer/']")) == 2


def test_an_animator_may_not_see_the_links(venue):
    animator = UserFactory(territory=venue.territory)
    animator.venues.add(venue)
    client = english_client(animator)
    assert client.get(LIST).status_code == 403
    assert client.get(CREATE).status_code == 403


def test_list_needs_login():
    response = Client().get(LIST)
    assert response.status_code == 302


def test_list_queries_do_not_grow(coordinator, lot, venue):
    def grow(factor):
        for i in range(factor * 3):
            scope = [Scope.network(), Scope.of_territory(lot), Scope.of_venue(venue)][i % 3]
            make_share(coordinator, scope, label=f"Financeur {i}")

    queries, page = queries_flat(english_client(coordinator), LIST, grow)
    assert len(page.select(".share-item")) == 25  # a page of 25 of the 30
    # session and user, the roles, count + page of links (venue, territory, author joined), messages
    assert queries == 6, queries


# --- Creating ---------------------------------------------------------------------------------


@pytest.mark.parametrize("period", ["periode=quarter-2025-3", "periode=quarter&annee=2025&numero=3"])
def test_create_form_is_prefilled_from_the_report(local_admin, venue, period):
    url = f"{CREATE}?perimetre=lieu-{venue.pk}&{period}"
    page = soup(english_client(local_admin).get(url))
    assert page.select_one(f'#id_portee option[value="lieu-{venue.pk}"]').has_attr("selected")
    selected = page.select("#id_periode option[selected]")
    assert [(option["value"], text_of(option)) for option in selected] == [("quarter-2025-3", "third quarter 2025")]
    assert [group["label"] for group in page.select("#id_periode optgroup")] == [
        "Semesters", "Quarters", "Months", "Years"]
    assert not page.select("#id_annee, #id_numero")
    offered = [option["value"] for option in page.select("#id_portee option")]
    assert "reseau" not in offered  # a local admin does not share the network


def test_create_form_defaults_to_the_current_semester(local_admin):
    today = timezone.localdate()
    page = soup(english_client(local_admin).get(CREATE))
    selected = page.select("#id_periode option[selected]")
    assert [option["value"] for option in selected] == [f"semester-{today.year}-{1 if today.month <= 6 else 2}"]


def test_create_posts_one_period(local_admin, lot):
    english_client(local_admin).post(CREATE, {
        "label": "CAF du Lot", "portee": f"territoire-{lot.pk}", "periode": "month-2019-2",
    })
    share = ReportShare.objects.get()
    assert (share.territory_id, share.period, share.year, share.number) == (lot.pk, "month", 2019, 2)


def test_create_posts_and_lists(local_admin, lot):
    response = english_client(local_admin).post(CREATE, {
        "label": "CAF du Lot", "portee": f"territoire-{lot.pk}", "periode": "year", "annee": "2025", "numero": "1",
    }, follow=True)
    share = ReportShare.objects.get()
    assert (share.territory_id, share.period, share.year, share.number) == (lot.pk, "year", 2025, 1)
    assert share.created_by == local_admin
    assert response.redirect_chain[-1][0] == LIST
    assert messages_of(response) == ["The link is ready: copy it and send it to CAF du Lot."]


def test_create_invalid_keeps_the_input(local_admin, lot):
    client = english_client(local_admin)
    response = client.post(CREATE, {
        "label": "CAF du Lot", "portee": f"territoire-{lot.pk}", "periode": "quarter", "annee": "2025", "numero": "5",
    })
    assert response.status_code == 200
    page = soup(response)
    assert "Choose a period in the list." in text_of(page.select_one(".field--error"))
    assert page.select_one("#id_label")["value"] == "CAF du Lot"
    response = client.post(CREATE, {"label": "CAF du Lot", "portee": f"territoire-{lot.pk}", "periode": "week-2025-1"})
    assert "Choose a period in the list." in text_of(soup(response).select_one(".field--error"))
    assert not ReportShare.objects.exists()
    response = client.post(CREATE, {"label": " ", "portee": f"territoire-{lot.pk}", "periode": "year",
                                    "annee": "2025", "numero": "1"})
    assert soup(response).select_one("#id_label_error") is not None
    assert not ReportShare.objects.exists()


def test_local_admin_cannot_post_another_territory(local_admin):
    elsewhere = TerritoryFactory(name="Aveyron")
    response = english_client(local_admin).post(CREATE, {
        "label": "CAF", "portee": f"territoire-{elsewhere.pk}", "periode": "year", "annee": "2025", "numero": "1",
    })
    assert response.status_code == 200
    assert soup(response).select_one("#id_portee_error") is not None
    assert not ReportShare.objects.exists()


# --- Revoking ---------------------------------------------------------------------------------


def test_revoke(local_admin, lot):
    share = make_share(local_admin, Scope.of_territory(lot))
    client = english_client(local_admin)
    url = reverse("rapports:share-revoke", args=[share.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert messages_of(response) == ["The link for CAF du Lot is revoked: it no longer opens the report."]
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert soup(response).select_one(".share-item input[readonly]") is None
    response = client.post(url, follow=True)
    assert messages_of(response) == ["This link is already revoked."]


def test_revoke_someone_elses_link_is_404(local_admin, lot, coordinator):
    theirs = make_share(coordinator, Scope.of_territory(lot))
    response = english_client(local_admin).post(reverse("rapports:share-revoke", args=[theirs.pk]))
    assert response.status_code == 404
    assert ReportShare.objects.get().revoked_at is None


# --- The public page -------------------------------------------------------------------------


def test_public_page_needs_no_login_and_counts_views(local_admin, lot):
    share = make_share(local_admin, Scope.of_territory(lot))
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(share.get_absolute_url())
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    page = soup(response)
    assert page.select_one('meta[name="robots"]')["content"] == "noindex, nofollow"
    assert "Lot" in text_of(page.select_one("h1")) and "first semester 2026" in text_of(page.select_one("h1"))
    assert page.select_one(f'a[href="/rapports/{share.token}/export.csv"]') is not None
    client.get(share.get_absolute_url())
    share.refresh_from_db()
    assert share.views == 2 and share.last_viewed_at is not None


def test_public_page_shows_no_beneficiary_data(coordinator, venue):
    VoucherFactory(first_name="Eulalie", commune="Gramat")
    record = ActivityRecordFactory(venue=venue, date=SEMESTER.start)
    ActivityBeneficiary.objects.create(record=record, first_name="Théodore", commune="Souillac")
    share = make_share(coordinator, Scope.network())
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(share.get_absolute_url())
    content = response.content.decode()
    assert "People accompanied 1 " in text_of(soup(response).select_one(".report-body"))  # the real report
    for private in ("Eulalie", "Gramat", "Théodore", "Souillac"):
        assert private not in content


def test_revoked_or_unknown_link_is_a_clear_404(coordinator):
    share = make_share(coordinator, Scope.network())
    shares.share_revoke(actor=coordinator, share=share)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (share.get_absolute_url(), "/rapports/nope/", f"/rapports/{share.token}/export.csv",
                f"/rapports/{share.token}/export.xlsx"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert text_of(soup(response).select_one("h1")) == "This link is no longer valid"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    share.refresh_from_db()
    assert share.views == 0


def test_exports_of_a_live_link(coordinator, venue):
    share = make_share(coordinator, Scope.of_venue(venue))
    client = Client()
    csv = client.get(f"/rapports/{share.token}/export.csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert csv["Referrer-Policy"] == "no-referrer"
    xlsx = client.get(f"/rapports/{share.token}/export.xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]
