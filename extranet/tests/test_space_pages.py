"""Every space has a page: its modules, managers, members, latest activity and the panels
other apps add (a territory's venues); "My spaces" lists the member's spaces."""

import pytest
from django.urls import reverse

from core.services import activity_record
from extranet.testing.factories import UserFactory, VenueFactory, WorkgroupFactory
from extranet.testing.pages import queries_flat, soup, text_of
from members.spaces import network_space

pytestmark = pytest.mark.django_db

SPACE_PAGE_QUERIES = 11  # session, user, the space, managers, members + count, activity, venues + count, roles, badge


def page_of(space):
    return reverse("desk:space", args=[space.pk])


def test_a_territory_page_lists_its_modules_managers_members_and_venues(client, member, referent, territory,
                                                                         other_territory):
    VenueFactory(territory=other_territory, name="Cyber-base d'ailleurs")
    client.force_login(member)
    page = soup(client.get(page_of(territory.space)))
    assert text_of(page.select_one("h1")) == "Pays des Causses"
    modules = [a["href"] for a in page.select("[aria-labelledby=modules-title] a")]
    assert reverse("forum:space", args=[territory.space.pk]) in modules
    assert reverse("chat:space", args=[territory.space.pk]) in modules
    venues = [text_of(a) for a in page.select(".space-venues a")]
    assert venues == ["EPM de Limogne"]
    managers = text_of(page.select_one("[aria-labelledby=members-title] p"))
    assert "Marc Delpech" in managers
    members = [text_of(a) for a in page.select(".member-grid a")]
    assert set(members) == {"Karim Benali", "Marc Delpech"}


def test_a_territory_page_is_a_404_outside_the_territory_and_open_to_the_coordination(client, member,
                                                                                      coordinator, other_territory):
    client.force_login(member)
    assert client.get(page_of(other_territory.space)).status_code == 404
    client.force_login(coordinator)
    assert client.get(page_of(other_territory.space)).status_code == 200


def test_an_unknown_space_is_a_404(client, member):
    client.force_login(member)
    assert client.get(reverse("desk:space", args=[999_999])).status_code == 404


def test_the_network_page_shows_its_latest_activity_and_no_venue_panel(client, member, coordinator):
    space = network_space()
    activity_record(actor=coordinator, verb="workgroup.created", target=coordinator, space=space)
    client.force_login(member)
    page = soup(client.get(page_of(space)))
    assert page.select(".space-venues") == []
    assert len(page.select("[aria-labelledby=activity-title] li")) == 1
    assert "Claire Dumas" in text_of(page.select_one("[aria-labelledby=members-title] p"))  # a coordinator manages


def test_a_workgroup_space_page_is_the_group_page(client, member):
    group = WorkgroupFactory(members=[member])
    client.force_login(member)
    response = client.get(page_of(group.space))
    assert response.status_code == 302
    assert response["Location"] == group.get_absolute_url()


def test_the_space_page_queries_are_pinned_and_flat(client, member, territory, django_assert_max_num_queries):
    def grow(factor):
        for _ in range(3 * factor):
            UserFactory(territory=territory)
            VenueFactory(territory=territory)
            activity_record(actor=member, verb="workgroup.created", target=member, space=territory.space)

    client.force_login(member)
    url = page_of(territory.space)
    queries_flat(client, url, grow)
    with django_assert_max_num_queries(SPACE_PAGE_QUERIES):
        client.get(url)


def test_my_spaces_lists_the_network_my_territory_and_my_groups_only(client, member, other_territory):
    mine = WorkgroupFactory(name="Ateliers tablettes", members=[member])
    WorkgroupFactory(name="Groupe des autres")
    client.force_login(member)
    page = soup(client.get(reverse("desk:spaces")))
    cards = [(text_of(card.select_one("a")), text_of(card.select_one("p"))) for card in page.select(".space-list li")]
    assert cards == [
        ("Tout le réseau", "Réseau"),
        ("Pays des Causses", "Territoire"),
        (mine.name, "Groupe de travail"),
    ]
    links = {a["href"] for a in page.select(".space-list a")}
    assert mine.get_absolute_url() in links
