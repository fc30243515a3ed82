"""A partner organisation's account (`User.status = partner`, a voucher prescriber): it
reaches only the desk pages of settings.PARTNER_DESK_PREFIXES, sees only the navigation
entries registered for partners, and is not a member anywhere else (spaces, websocket,
member directory, CMS)."""

import pytest

from extranet.testing.factories import PartnerUserFactory, PrescriberSeatFactory, UserFactory
from extranet.testing.pages import english_client, soup, text_of
from members import permissions
from members.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return PrescriberSeatFactory(user__display_name="Conseillère Mission locale").user


@pytest.mark.parametrize(
    "path",
    ["/bureau/", "/bureau/forum/", "/bureau/discussions/", "/bureau/membres/", "/bureau/en-attente/",
     "/bureau/parametres/", "/bureau/ateliers/", "/bureau/activites/", "/bureau/rapports/"],
)
def test_every_other_desk_page_sends_a_partner_to_the_vouchers(client, partner, path):
    client.force_login(partner)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/bureau/tickets/"


def test_a_partner_reaches_the_vouchers_and_sees_only_their_entry(client, partner):
    client = english_client(partner)
    response = client.get("/bureau/tickets/")
    assert response.status_code != 302
    page = soup(response)
    entries = [text_of(a) for a in page.select("nav.desk-nav a")]
    assert entries == ["Vouchers"]
    header = [text_of(a) for a in page.select("#site-nav a")]
    assert "Vouchers" in header and "Desk" not in header


def test_the_cms_is_closed_to_a_partner(client, partner):
    client.force_login(partner)
    response = client.get("/cms/")
    assert response.status_code == 302
    assert response["Location"] != "/cms/"


def test_a_partner_is_not_a_member_of_the_network(partner):
    assert permissions.is_partner(partner)
    assert not permissions.is_approved(partner)
    assert partner not in permissions.approved_members()
    from core.models import Space

    assert not Space.objects.visible_to(partner).exists()


def test_a_member_or_a_pending_person_is_not_a_partner():
    assert not permissions.is_partner(UserFactory())
    assert not permissions.is_partner(UserFactory(status=User.Status.PENDING))
    assert not permissions.is_partner(PartnerUserFactory(is_active=False))
