"""The desk pages of the demand for workshops, through the test client (pages in English, the
msgids; the French is in the slice's PO fragment)."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from core.models import Notification
from extranet.testing.factories import (
    CoordinatorFactory,
    DemandFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    WorkshopFactory,
)
from extranet.testing.pages import english_client, measure_queries, messages_of, queries_flat, soup, text_of
from workshops.models import Demand, DemandVote

pytestmark = pytest.mark.django_db

LIST = "/bureau/ateliers/demandes/"
CREATE = "/bureau/ateliers/demandes/nouvelle/"
TABLET = "Prise en main d'une tablette"
PAPERWORK = "Aide aux démarches administratives"


def make_demand(author, *, title=TABLET, **fields):
    fields.setdefault("territory", author.territory)
    demand = DemandFactory(title=title, created_by=author, votes=1, **fields)
    DemandVote.objects.create(demand=demand, user=author)
    return demand


def vote_url(demand):
    return reverse("workshops:demand-vote", args=[demand.pk])


def status_url(demand):
    return reverse("workshops:demand-status", args=[demand.pk])


@pytest.fixture
def lot():
    return TerritoryFactory(name="Lot")


@pytest.fixture
def member(lot):
    return UserFactory(display_name="Mona Membre", territory=lot)


@pytest.fixture
def other(lot):
    return UserFactory(display_name="Olga Autre", territory=lot)


# --- The list -----------------------------------------------------------------------------------


def test_the_list_ranks_requests_with_their_voices_and_buttons(member, other):
    first = make_demand(other, title="Excel débutant")
    second = make_demand(other, title=TABLET, themes=[PAPERWORK])
    for _index in range(2):
        DemandVote.objects.create(demand=second, user=UserFactory())
    Demand.objects.filter(pk=second.pk).update(votes=3)
    DemandVote.objects.create(demand=first, user=member)
    Demand.objects.filter(pk=first.pk).update(votes=2)
    make_demand(other, title="Déjà faite", status="answered")
    response = english_client(member).get(LIST)
    assert response.status_code == 200
    page = soup(response)
    items = page.select(".demand-item")
    assert [text_of(item.select_one("h2")) for item in items] == [TABLET, "Excel débutant"]
    assert [text_of(item.select_one(".demand-votes")) for item in items] == ["3 voices", "2 voices"]
    assert [text_of(item.select_one("button")) for item in items] == [
        f"I am interested ({TABLET})", "Withdraw my voice (Excel débutant)"]
    assert [button["value"] for item in items for button in item.select("button")] == ["add", "remove"]
    assert text_of(items[0].select_one(".demand-themes")) == PAPERWORK
    assert "Asked by Olga Autre" in text_of(items[0])
    assert items[0].select_one("time[datetime]") is not None
    assert page.select_one(f'a[href="{CREATE}"]') is not None
    assert page.select_one('input[name="next"]')["value"] == LIST


def test_the_list_filters_theme_territory_and_status(member, other, lot):
    tarn = TerritoryFactory(name="Tarn")
    make_demand(other, title="Démarches CAF", themes=[PAPERWORK])
    make_demand(other, title="Tablette à Albi", territory=tarn)
    make_demand(other, title="Fermée", status="closed")
    client = english_client(member)

    def titles(query):
        return [text_of(h) for h in soup(client.get(LIST + query)).select(".demand-item h2")]

    assert sorted(titles("")) == ["Démarches CAF", "Tablette à Albi"]
    assert titles(f"?theme={PAPERWORK}") == ["Démarches CAF"]
    assert titles(f"?territory={tarn.pk}") == ["Tablette à Albi"]
    assert titles("?status=closed") == ["Fermée"]
    assert sorted(titles("?status=all")) == ["Démarches CAF", "Fermée", "Tablette à Albi"]
    assert sorted(titles("?status=bogus")) == ["Démarches CAF", "Tablette à Albi"]  # an invalid filter: ignored
    closed = soup(client.get(LIST + "?status=closed")).select_one(".demand-item")
    assert closed.select("form") == []  # no voice moves on a closed request


def test_the_list_is_paginated_by_twenty(member, other):
    for index in range(25):
        make_demand(other, title=f"Sujet {index:02}")
    client = english_client(member)
    assert len(soup(client.get(LIST)).select(".demand-item")) == 20
    page2 = soup(client.get(LIST + "?page=2"))
    assert len(page2.select(".demand-item")) == 5


def test_the_list_queries_stay_flat(member):
    def grow(factor):
        for _index in range(2 * factor):
            author = UserFactory()
            demand = make_demand(author, title=f"Sujet {Demand.objects.count()}", themes=[PAPERWORK])
            voters = [UserFactory() for _voter in range(3)]
            DemandVote.objects.bulk_create([DemandVote(demand=demand, user=voter) for voter in voters])
            if _index % 2:
                DemandVote.objects.create(demand=demand, user=member)

    queries, page = queries_flat(english_client(member), LIST, grow)
    assert len(page.select(".demand-item")) == 20
    assert queries == 7


# --- Voices -------------------------------------------------------------------------------------


def test_a_voice_in_one_click_then_withdrawn(member, other):
    demand = make_demand(other)
    client = english_client(member)
    response = client.post(vote_url(demand), {"action": "add", "next": LIST + "?page=1"})
    assert response.status_code == 302
    assert response["Location"] == LIST + "?page=1"
    assert messages_of(client.get(LIST)) == ["Your voice is added."]
    demand.refresh_from_db()
    assert demand.votes == 2
    response = client.post(vote_url(demand), {"action": "add"})
    assert response["Location"] == demand.get_absolute_url()
    assert messages_of(client.get(LIST)) == ["You had already added your voice."]
    client.post(vote_url(demand), {"action": "remove"})
    assert messages_of(client.get(LIST)) == ["Your voice is withdrawn."]
    demand.refresh_from_db()
    assert demand.votes == 1


def test_a_vote_without_action_toggles_and_an_outside_next_is_ignored(member, other):
    demand = make_demand(other)
    client = english_client(member)
    response = client.post(vote_url(demand), {"next": "https://example.com/"})
    assert response["Location"] == demand.get_absolute_url()
    assert DemandVote.objects.filter(demand=demand, user=member).exists()
    client.post(vote_url(demand))
    assert not DemandVote.objects.filter(demand=demand, user=member).exists()


def test_voting_is_post_only_and_a_closed_request_says_why(member, other):
    demand = make_demand(other, status="closed")
    client = english_client(member)
    assert client.get(vote_url(demand)).status_code == 405
    response = client.post(vote_url(demand), {"action": "add"})
    assert response.status_code == 302
    assert messages_of(client.get(LIST)) == ["This request is no longer open."]
    assert not DemandVote.objects.filter(demand=demand, user=member).exists()
    assert client.post(reverse("workshops:demand-vote", args=[demand.pk + 1000])).status_code == 404


def test_the_desk_sends_pending_and_anonymous_visitors_away(other):
    demand = make_demand(other)
    pending = english_client(PendingUserFactory())
    assert pending.post(vote_url(demand), {"action": "add"})["Location"] == reverse("desk:pending")
    anonymous = Client().post(vote_url(demand), {"action": "add"})
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert DemandVote.objects.filter(demand=demand).count() == 1


# --- Asking -------------------------------------------------------------------------------------


def test_the_form_offers_themes_as_checkboxes_and_the_member_territory(member, lot):
    TerritoryFactory(name="Tarn")
    page = soup(english_client(member).get(CREATE))
    checkboxes = page.select('input[type="checkbox"][name="themes"]')
    assert len(checkboxes) == 9
    assert all(page.select_one(f'label[for="{box["id"]}"]') for box in checkboxes)
    options = page.select('select[name="territory"] option')
    assert [text_of(option) for option in options] == ["Lot", "Tarn"]
    assert [option.get("selected") is not None for option in options] == [True, False]


def test_asking_records_the_request_and_the_voice(member, lot):
    coordinator = CoordinatorFactory()
    client = english_client(member)
    response = client.post(CREATE, {"title": TABLET, "description": "Pour les rendez-vous.",
                                    "themes": [PAPERWORK], "territory": lot.pk})
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == demand.get_absolute_url()
    assert (demand.title, demand.votes, demand.themes, demand.territory) == (TABLET, 1, [PAPERWORK], lot)
    assert messages_of(client.get(LIST)) == ["Your request is recorded, with your voice."]
    assert Notification.objects.get(verb="workshops.demand_created").recipient == coordinator


def test_a_similar_request_shows_its_link_and_a_button_to_add_one_voice(member, other, lot):
    existing = make_demand(other)
    response = english_client(member).post(CREATE, {"title": "prise en main d’une TABLETTE", "territory": lot.pk})
    assert response.status_code == 200
    page = soup(response)
    assert [text_of(li) for li in page.select(".errorlist li")] == [
        "A similar request already exists: “Prise en main d'une tablette”. Add your voice to it."]
    duplicate = page.select_one(".demand-duplicate")
    assert duplicate.select_one("a")["href"] == existing.get_absolute_url()
    assert duplicate.select_one("form")["action"] == vote_url(existing)
    assert Demand.objects.count() == 1


def test_a_short_title_is_refused_on_its_field(member, lot):
    response = english_client(member).post(CREATE, {"title": "ab", "territory": lot.pk})
    assert response.status_code == 200
    assert [text_of(li) for li in soup(response).select(".errorlist li")] == [
        "Give the topic in a few words (3 characters at least)."]
    assert not Demand.objects.exists()


# --- A request's page ---------------------------------------------------------------------------


@pytest.fixture
def skilled():
    zoe = UserFactory(display_name="Zoé Deux")
    zoe.skills.add("Tablette", "tablettes Android", "Excel")
    eve = UserFactory(display_name="Eve Excel")
    eve.skills.add("Excel")
    return {"zoe": zoe, "eve": eve}


def test_a_member_sees_the_voices_not_the_matching_members(member, other, skilled):
    demand = make_demand(other, description="Je voudrais comprendre.")
    DemandVote.objects.create(demand=demand, user=member)
    page = soup(english_client(member).get(demand.get_absolute_url()))
    assert text_of(page.select_one("h1")) == TABLET
    assert [text_of(a) for a in page.select(".demand-voices a")] == ["Olga Autre", "Mona Membre"]
    assert page.select_one(".demand-voices a")["href"] == other.get_absolute_url()
    assert page.select(".demand-matches") == []
    assert page.select_one('a[href^="/bureau/ateliers/proposer/"]') is None
    assert text_of(page.select_one(".demand-page__vote button")) == "Withdraw my voice"
    assert page.select(".demand-status-actions") == []


def test_the_coordination_sees_the_matching_members_and_can_propose(member, other, skilled):
    demand = make_demand(other)
    page = soup(english_client(CoordinatorFactory()).get(demand.get_absolute_url()))
    rows = page.select(".demand-matches tbody tr")
    assert [text_of(row.select_one("th")) for row in rows] == ["Zoé Deux"]
    assert rows[0].select_one("a")["href"] == skilled["zoe"].get_absolute_url()
    assert [text_of(tag) for tag in rows[0].select(".tag")] == ["Tablette", "tablettes Android"]
    assert page.select_one(f'a[href="/bureau/ateliers/proposer/?demande={demand.pk}"]') is not None
    assert [text_of(b) for b in page.select(".demand-status-actions button")] == [
        "Mark as answered", "Close the request"]


def test_the_page_lists_the_workshops_answering_it(member, other):
    demand = make_demand(other, status="answered")
    WorkshopFactory(title="Tablette pour tous", demand=demand)
    WorkshopFactory(title="Proposé en secret", demand=demand, status="proposed")
    page = soup(english_client(member).get(demand.get_absolute_url()))
    assert [text_of(a) for a in page.select('[aria-labelledby="answering-title"] a')] == ["Tablette pour tous"]
    assert page.select(".demand-page__vote") == []


def test_an_unknown_request_is_a_404(member):
    assert english_client(member).get(reverse("workshops:demand", args=[999999])).status_code == 404


def test_the_detail_queries_stay_flat(other, skilled):
    demand = make_demand(other)
    coordinator = CoordinatorFactory()

    def grow(factor):
        for _index in range(3 * factor):
            voter = UserFactory()
            voter.skills.add("Tablette", "tablette graphique")
            DemandVote.objects.create(demand=demand, user=voter)
        WorkshopFactory(demand=demand)

    queries, page = queries_flat(english_client(coordinator), demand.get_absolute_url(), grow)
    assert len(page.select(".demand-matches tbody tr")) == 12
    assert len(page.select(".demand-voices li")) == 31
    assert queries == 10


# --- Status -------------------------------------------------------------------------------------


def test_the_author_closes_their_request_and_reopens_it(other):
    demand = make_demand(other)
    client = english_client(other)
    assert client.get(status_url(demand)).status_code == 405
    response = client.post(status_url(demand), {"status": "closed"})
    assert response["Location"] == demand.get_absolute_url()
    assert messages_of(client.get(LIST)) == ["The request is closed."]
    assert Demand.objects.get(pk=demand.pk).status == "closed"
    client.post(status_url(demand), {"status": "open"})
    assert messages_of(client.get(LIST)) == ["The request is open again."]
    client.post(status_url(demand), {"status": "open"})
    assert messages_of(client.get(LIST)) == ["This request is already open."]
    client.post(status_url(demand), {"status": "done"})
    assert messages_of(client.get(LIST)) == ["Choose open, answered or closed."]


def test_the_coordination_marks_it_answered(member, other):
    demand = make_demand(other)
    client = english_client(CoordinatorFactory())
    client.post(status_url(demand), {"status": "answered", "next": LIST})
    assert messages_of(client.get(LIST)) == ["The request is marked as answered; its voices are told."]
    assert Notification.objects.get(verb="workshops.demand_answered").recipient == other


def test_another_member_gets_a_403_with_the_reason(member, other):
    demand = make_demand(other)
    response = english_client(member).post(status_url(demand), {"status": "closed"})
    assert response.status_code == 403
    assert "Only its author and the coordination can close this request." in response.content.decode()
    assert Demand.objects.get(pk=demand.pk).status == "open"


def test_measure_queries_of_the_create_form(member):
    client = english_client(member)
    client.get(CREATE)  # warm the per-process caches
    queries, page = measure_queries(client, CREATE)
    assert page.select_one("form") is not None
    assert queries == 6  # session, user, two of the desk (notifications, pending), the territories twice
