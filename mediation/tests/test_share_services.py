"""Shared report links, their services: who shares, revoking (once), the token, counting views."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import CoordinatorFactory, TerritoryFactory, UserFactory, VenueFactory
from mediation import shares
from mediation.models import ReportShare
from mediation.scopes import Period, Scope

pytestmark = pytest.mark.django_db

SEMESTER = Period("semester", 2026, 1)


@pytest.fixture(autouse=True)
def english():
    """The messages matched below are the English msgids, whatever locale/ has compiled."""
    with translation.override("en"):
        yield


@pytest.fixture
def lot():
    return TerritoryFactory(name="Lot")


@pytest.fixture
def venue(lot):
    return VenueFactory(name="EPN de Figeac", territory=lot)


@pytest.fixture
def local_admin(lot):
    user = UserFactory(territory=lot)
    user.referent_territories.add(lot)
    return user


@pytest.fixture
def coordinator():
    return CoordinatorFactory()


# --- share_create ---------------------------------------------------------------------------


def test_coordinator_shares_the_network(coordinator):
    share = shares.share_create(actor=coordinator, label="  Conseil   départemental ", scope=Scope.network(),
                                period=SEMESTER)
    share.refresh_from_db()
    assert (share.label, share.venue_id, share.territory_id) == ("Conseil départemental", None, None)
    assert (share.period, share.year, share.number) == ("semester", 2026, 1)
    assert share.created_by == coordinator
    assert len(share.token) >= 32
    assert share.get_absolute_url() == f"/rapports/{share.token}/"


def test_local_admin_shares_their_territory_and_its_venues(local_admin, lot, venue):
    by_territory = shares.share_create(actor=local_admin, label="CAF du Lot", scope=Scope.of_territory(lot),
                                       period=Period("quarter", 2026, 2))
    by_venue = shares.share_create(actor=local_admin, label="Mairie", scope=Scope.of_venue(venue),
                                   period=Period("year", 2025))
    assert (by_territory.territory_id, by_territory.venue_id) == (lot.pk, None)
    assert (by_venue.territory_id, by_venue.venue_id) == (None, venue.pk)
    assert by_territory.token != by_venue.token


def test_local_admin_cannot_share_another_territory_nor_the_network(local_admin):
    elsewhere = TerritoryFactory(name="Aveyron")
    with pytest.raises(PermissionDenied):
        shares.share_create(actor=local_admin, label="CAF", scope=Scope.of_territory(elsewhere), period=SEMESTER)
    with pytest.raises(PermissionDenied):
        shares.share_create(actor=local_admin, label="CAF", scope=Scope.of_venue(VenueFactory(territory=elsewhere)),
                            period=SEMESTER)
    with pytest.raises(PermissionDenied):
        shares.share_create(actor=local_admin, label="CAF", scope=Scope.network(), period=SEMESTER)
    assert not ReportShare.objects.exists()


def test_animator_cannot_share_their_venue(venue):
    animator = UserFactory(territory=venue.territory)
    animator.venues.add(venue)
    with pytest.raises(PermissionDenied, match="Only coordinators and local admins share reports"):
        shares.share_create(actor=animator, label="CAF", scope=Scope.of_venue(venue), period=SEMESTER)
    assert not ReportShare.objects.exists()


@pytest.mark.parametrize("label", ["", "   ", "x" * 151])
def test_label_is_required_and_short(coordinator, label):
    with pytest.raises(ValidationError) as caught:
        shares.share_create(actor=coordinator, label=label, scope=Scope.network(), period=SEMESTER)
    assert "label" in caught.value.error_dict
    assert not ReportShare.objects.exists()


def test_a_label_of_150_characters_is_kept(coordinator):
    share = shares.share_create(actor=coordinator, label="x" * 150, scope=Scope.network(), period=SEMESTER)
    assert len(share.label) == 150


# --- share_revoke ---------------------------------------------------------------------------


def test_author_revokes_once(local_admin, lot):
    share = shares.share_create(actor=local_admin, label="CAF", scope=Scope.of_territory(lot), period=SEMESTER)
    shares.share_revoke(actor=local_admin, share=share)
    share.refresh_from_db()
    assert share.revoked_at is not None
    with pytest.raises(ValidationError, match="already revoked"):
        shares.share_revoke(actor=local_admin, share=share)


def test_coordinator_revokes_anyones_link_but_another_local_admin_cannot(local_admin, lot, coordinator):
    share = shares.share_create(actor=local_admin, label="CAF", scope=Scope.of_territory(lot), period=SEMESTER)
    colleague = UserFactory(territory=lot)
    colleague.referent_territories.add(lot)
    with pytest.raises(PermissionDenied):
        shares.share_revoke(actor=colleague, share=share)
    assert ReportShare.objects.get().revoked_at is None
    shares.share_revoke(actor=coordinator, share=share)
    assert ReportShare.objects.get().revoked_at is not None


# --- share_get, views -----------------------------------------------------------------------


def test_get_finds_live_links_only(coordinator):
    share = shares.share_create(actor=coordinator, label="CAF", scope=Scope.network(), period=SEMESTER)
    assert shares.share_get(share.token) == share
    with pytest.raises(Http404):
        shares.share_get("not-a-token")
    shares.share_revoke(actor=coordinator, share=share)
    with pytest.raises(Http404):
        shares.share_get(share.token)


def test_scope_and_period_are_rebuilt(local_admin, lot, venue, coordinator):
    on_venue = shares.share_create(actor=local_admin, label="A", scope=Scope.of_venue(venue), period=SEMESTER)
    on_lot = shares.share_create(actor=local_admin, label="B", scope=Scope.of_territory(lot), period=SEMESTER)
    on_all = shares.share_create(actor=coordinator, label="C", scope=Scope.network(), period=Period("month", 2026, 3))
    assert shares.share_scope(shares.share_get(on_venue.token)) == Scope.of_venue(venue)
    assert shares.share_scope(shares.share_get(on_lot.token)) == Scope.of_territory(lot)
    assert shares.share_scope(shares.share_get(on_all.token)).kind == "network"
    assert shares.share_period(on_all) == Period("month", 2026, 3)


def test_views_are_counted(coordinator):
    share = shares.share_create(actor=coordinator, label="CAF", scope=Scope.network(), period=SEMESTER)
    shares.share_viewed(share)
    shares.share_viewed(share)
    share.refresh_from_db()
    assert share.views == 2
    assert share.last_viewed_at is not None


def test_list_of_links(local_admin, lot, coordinator):
    mine = shares.share_create(actor=local_admin, label="Mine", scope=Scope.of_territory(lot), period=SEMESTER)
    theirs = shares.share_create(actor=coordinator, label="Theirs", scope=Scope.network(), period=SEMESTER)
    assert list(shares.shares_for_user(local_admin)) == [mine]
    assert list(shares.shares_for_user(coordinator)) == [theirs, mine]
    with pytest.raises(Http404):
        shares.share_get_for_user(local_admin, theirs.pk)


@pytest.mark.django_db(transaction=True)
def test_parallel_views_and_revocations_lose_nothing():
    coordinator = CoordinatorFactory()
    share = shares.share_create(actor=coordinator, label="CAF", scope=Scope.network(), period=SEMESTER)

    def view():
        shares.share_viewed(ReportShare.objects.get(pk=share.pk))

    assert outcomes(run_together([view] * 4)) == ["ok"] * 4
    assert ReportShare.objects.get(pk=share.pk).views == 4

    attempt = {
        "prepare": lambda: ReportShare.objects.get(pk=share.pk),
        "act": lambda mine: shares.share_revoke(actor=coordinator, share=mine),
    }
    assert outcomes(run_together([attempt, attempt])) == ["invalid", "ok"]
