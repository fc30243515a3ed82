"""The lifecycle's desk pages: index, catalogue, propose, proposals, a workshop and its
actions. Status codes (404 for who may not see, 403 for who sees but may not act), form
errors, nothing half saved, pinned query counts that do not grow with the data."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from extranet.testing.factories import (
    CoordinatorFactory,
    DemandFactory,
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from workshops.models import Session, Workshop

pytestmark = pytest.mark.django_db

# A Tuesday in March 2030 (Paris is UTC+1 then): 14 h 30 to 16 h 30 in Paris.
START = datetime(2030, 3, 12, 13, 30, tzinfo=UTC)


def french_client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people():
    north = TerritoryFactory(name="Lot Nord")
    south = TerritoryFactory(name="Lot Sud")
    proposer = UserFactory(display_name="Paule Proposante", territory=north)
    proposer.skills.add("Tablette", "Démarches en ligne")
    return SimpleNamespace(
        north=north, south=south, proposer=proposer,
        member=UserFactory(display_name="Marc Membre", territory=north),
        coordinator=CoordinatorFactory(display_name="Colette Coordinatrice", territory=south),
        admin=UserFactory(display_name="Annie Admin", territory=north, referent_of=[north]),
        other_admin=UserFactory(display_name="Oscar Autre", territory=south, referent_of=[south]),
    )


def proposal(people, **overrides):
    values = {"status": "proposed", "proposed_by": people.proposer, "territory": people.north, **overrides}
    return WorkshopFactory(**values)


def valid_post(**overrides):
    data = {"title": "Découvrir la tablette", "summary": "Premiers pas", "description": "**Pour** tous",
            "audience": "public", "themes": ["Maîtrise des outils numériques du quotidien"], "publics": ["Seniors"],
            "level": "beginner", "prerequisites": "", "to_bring": "Sa tablette", "duration_minutes": "90"}
    data.update(overrides)
    return data


# --- Index ------------------------------------------------------------------------------------------


def test_index_lists_coming_sessions_with_places_and_french_dates(people):
    venue = VenueFactory(name="Médiathèque de Cahors", city="Cahors", territory=people.north)
    tablet = WorkshopFactory(title="Tablette pour tous", audience="public", status="scheduled")
    open_session = SessionFactory(workshop=tablet, venue=venue, capacity=5, start=START, end=START + timedelta(hours=2))
    RegistrationFactory.create_batch(2, session=open_session)
    RegistrationFactory(session=open_session, status="cancelled")
    full = SessionFactory(workshop=WorkshopFactory(title="Messagerie", status="scheduled"), capacity=1,
                          start=START + timedelta(days=1), end=START + timedelta(days=1, hours=2),
                          online_url="https://visio.exemple.test/salle")
    RegistrationFactory(session=full, user=people.member)
    # Not listed: a session of a proposal, a cancelled one, a past one.
    SessionFactory(workshop=proposal(people, title="Caché"), start=START, end=START + timedelta(hours=1))
    SessionFactory(workshop=tablet, status="cancelled", title="Annulée", start=START, end=START + timedelta(hours=1))
    SessionFactory(workshop=tablet, title="Passée", start=datetime(2020, 1, 7, 9, tzinfo=UTC),
                   end=datetime(2020, 1, 7, 11, tzinfo=UTC))

    response = french_client(people.member).get(reverse("workshops:index"))
    assert response.status_code == 200
    page = soup(response)
    coming = page.select("section[aria-labelledby=coming-title] li.workshop-session")
    assert [text_of(item.select_one("h3 a")) for item in coming] == ["Tablette pour tous", "Messagerie"]
    first = text_of(coming[0])
    assert "mardi 12 mars, 14\u00a0h\u00a030 – 16\u00a0h\u00a030" in str(coming[0])  # non-breaking spaces
    assert "Médiathèque de Cahors, Cahors" in first
    with translation.override("fr"):
        three_left = ngettext("%(counter)s place left", "%(counter)s places left", 3) % {"counter": 3}
        full_text = translation.pgettext("session places", "Full")
    assert three_left in first
    assert full_text in text_of(coming[1])
    assert coming[0].select_one("h3 a")["href"] == reverse("workshops:session", args=[open_session.pk])
    # Marc's registration, with its status in words.
    mine = page.select("section[aria-labelledby=mine-title] li")
    assert len(mine) == 1 and "Messagerie" in text_of(mine[0])
    # The buttons and the sub-navigation.
    assert page.select_one(f'a[href="{reverse("workshops:propose")}"]') is not None
    assert page.select_one(f'a[href="{reverse("workshops:demand-create")}"]') is not None
    current = page.select_one('.workshops-nav a[aria-current="page"]')
    assert current["href"] == reverse("workshops:index")
    assert page.select_one(f'.workshops-nav a[href="{reverse("workshops:results-overview")}"]') is None


def test_index_shows_the_sessions_i_lead(people):
    led = SessionFactory(workshop=WorkshopFactory(title="Je l'anime", status="scheduled"), animators=[people.member])
    page = soup(english_client(people.member).get(reverse("workshops:index")))
    items = page.select("section[aria-labelledby=led-title] li.workshop-session")
    assert [text_of(item.select_one("h3 a")) for item in items] == ["Je l'anime"]
    assert items[0].select_one("h3 a")["href"] == led.get_absolute_url()
    with translation.override("en"):
        assert "10 places left" in text_of(items[0])


def test_index_queries_stay_flat(people):
    venue = VenueFactory(territory=people.north)
    member = people.member

    def grow(factor):
        for _ in range(factor):
            workshop = WorkshopFactory(status="scheduled")
            session = SessionFactory(workshop=workshop, venue=venue, animators=[member, people.admin])
            RegistrationFactory.create_batch(2, session=session)
            RegistrationFactory(session=session, user=member)
            SessionFactory(workshop=workshop, dates=[(START, START + timedelta(hours=2)),
                                                     (START + timedelta(days=7), START + timedelta(days=7, hours=2))])

    queries, page = queries_flat(english_client(member), reverse("workshops:index"), grow)
    assert queries == 12
    assert len(page.select("section[aria-labelledby=coming-title] li.workshop-session")) == 20  # paginated


def test_index_for_a_manager_counts_the_waiting_proposals(people):
    proposal(people)
    proposal(people)
    proposal(people, territory=people.south)
    page = soup(english_client(people.admin).get(reverse("workshops:index")))
    link = page.select_one(f'.workshops-nav a[href="{reverse("workshops:proposals")}"]')
    assert text_of(link) == "Proposals , 2 waiting 2"
    assert page.select_one(f'.workshops-nav a[href="{reverse("workshops:results-overview")}"]') is not None


# --- Catalogue ----------------------------------------------------------------------------------------


def test_catalogue_lists_open_and_held_workshops_with_their_next_session(people):
    tablet = WorkshopFactory(title="Tablette", status="scheduled", level="beginner",
                             themes=["Maîtrise des outils numériques du quotidien"], audience="public")
    SessionFactory(workshop=tablet, start=START + timedelta(days=7), end=START + timedelta(days=7, hours=2))
    SessionFactory(workshop=tablet, start=START, end=START + timedelta(hours=2))
    SessionFactory(workshop=tablet, status="cancelled", start=START - timedelta(days=1),
                   end=START - timedelta(days=1) + timedelta(hours=2))
    WorkshopFactory(title="Sécurité", status="accepted", level="advanced",
                    themes=["Utilisation sécurisée du numérique"])
    WorkshopFactory(title="Ancien", status="held", level="advanced")
    for status in ("proposed", "refused", "cancelled", "closed"):
        WorkshopFactory(title=f"Pas {status}", status=status)

    client = english_client(people.member)
    page = soup(client.get(reverse("workshops:catalogue")))
    cards = page.select("li.workshop-card")
    assert [text_of(card.select_one("h2 a")) for card in cards] == ["Tablette", "Ancien", "Sécurité"]
    assert "Next session: Tuesday 12 March at 2:30 p.m. · 2 sessions to come" in text_of(cards[0])
    assert "Held: no session to come." in text_of(cards[1])
    assert "No session planned yet." in text_of(cards[2])

    def titles(query):
        return [text_of(card.select_one("h2 a"))
                for card in soup(client.get(reverse("workshops:catalogue") + query)).select("li.workshop-card")]

    assert titles("?level=advanced") == ["Ancien", "Sécurité"]
    assert titles("?theme=Utilisation+s%C3%A9curis%C3%A9e+du+num%C3%A9rique") == ["Sécurité"]
    assert titles("?audience=public") == ["Tablette"]
    assert titles("?level=expert") == ["Tablette", "Ancien", "Sécurité"]  # an unknown value is ignored


def test_catalogue_queries_stay_flat(people):
    def grow(factor):
        for _ in range(factor):
            for _ in range(3):
                workshop = WorkshopFactory(status="scheduled")
                SessionFactory.create_batch(2, workshop=workshop)

    queries, page = queries_flat(english_client(people.member), reverse("workshops:catalogue"), grow)
    assert queries == 6
    assert len(page.select("li.workshop-card")) == 20


# --- Propose ------------------------------------------------------------------------------------------


def test_the_proposal_form_shows_my_skills_and_the_markdown_toolbar(people):
    page = soup(french_client(people.proposer).get(reverse("workshops:propose")))
    aside = text_of(page.select_one(".workshop-form__skills"))
    assert "Démarches en ligne" in aside and "Tablette" in aside
    assert page.select_one(".workshop-form__skills a")["href"] == reverse("members:profile-edit")
    assert page.select_one("textarea[name=description]").has_attr("data-md-toolbar")
    assert page.select_one('script[src="/static/js/md_toolbar.js"]').has_attr("defer")
    assert len(page.select("input[type=radio][name=audience]")) == 2
    assert len(page.select("input[type=checkbox][name=themes]")) == 9
    assert [option["value"] for option in page.select("select[name=duration_minutes] option")][:3] == ["30", "45", "60"]
    assert not any("---" in text_of(option) for option in page.select("option"))


def test_proposing_through_the_form(people):
    response = english_client(people.proposer).post(reverse("workshops:propose"), valid_post())
    workshop = Workshop.objects.get()
    assert response.status_code == 302 and response["Location"] == workshop.get_absolute_url()
    assert (workshop.status, workshop.proposed_by, workshop.territory, workshop.duration_minutes) == (
        "proposed", people.proposer, people.north, 90)
    assert workshop.themes == ["Maîtrise des outils numériques du quotidien"]


def test_a_proposal_with_errors_shows_them_in_french_and_saves_nothing(people):
    client = french_client(people.proposer)
    response = client.post(reverse("workshops:propose"), valid_post(title="", audience="everyone"))
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.select_one("#id_title_error")) == "Ce champ est obligatoire."
    assert text_of(page.select_one("#id_audience_error")).startswith("Sélectionnez un choix valide.")
    response = client.post(reverse("workshops:propose"), valid_post(title="ab"))
    assert response.status_code == 200
    with translation.override("fr"):
        expected = gettext("Give the workshop a title of at least %(min)d characters.") % {"min": 3}
    assert text_of(soup(response).select_one("#id_title_error")) == expected
    assert Workshop.objects.count() == 0


def test_proposing_from_a_demand(people):
    asked = DemandFactory(title="Apprendre Pronote", description="Pour les parents",
                          themes=["Parentalité et éducation avec le numérique"])
    client = english_client(people.proposer)
    url = reverse("workshops:propose") + f"?demande={asked.pk}"
    page = soup(client.get(url))
    assert page.select_one("input[name=title]")["value"] == "Apprendre Pronote"
    assert page.select_one('input[name=themes][value="Parentalité et éducation avec le numérique"]').has_attr("checked")
    client.post(url, valid_post(title="Pronote pour les parents"))
    assert Workshop.objects.get().demand == asked
    assert client.get(reverse("workshops:propose") + "?demande=999999").status_code == 404
    assert client.get(reverse("workshops:propose") + "?demande=abc").status_code == 404


# --- Proposals ----------------------------------------------------------------------------------------


def test_managers_see_the_proposals_of_their_scope(people):
    proposal(people, title="Au nord")
    proposal(people, title="Au sud", territory=people.south)
    proposal(people, title="Déjà vue", status="accepted")

    def waiting(user):
        page = soup(english_client(user).get(reverse("workshops:proposals")))
        return [text_of(a) for a in page.select("section[aria-labelledby=waiting-title] h3 a")]

    assert waiting(people.coordinator) == ["Au nord", "Au sud"]
    assert waiting(people.admin) == ["Au nord"]
    assert waiting(people.other_admin) == ["Au sud"]
    assert waiting(people.member) == []
    page = soup(english_client(people.admin).get(reverse("workshops:proposals")))
    card = text_of(page.select_one("section[aria-labelledby=waiting-title] li"))
    assert "Proposed by Paule Proposante" in card
    assert "Their skills: Démarches en ligne, Tablette" in card


def test_members_see_their_own_proposals_and_why_one_was_declined(people):
    proposal(people, title="Refusée", status="refused", status_reason="Déjà au programme",
             status_changed_by=people.admin, status_changed_at=START)
    proposal(people, title="En attente")
    page = soup(english_client(people.proposer).get(reverse("workshops:proposals")))
    assert page.select_one("section[aria-labelledby=waiting-title]") is None
    items = page.select("section[aria-labelledby=own-title] li")
    assert [text_of(item.select_one("h3 a")) for item in items] == ["En attente", "Refusée"]
    assert "Waiting for a decision" in text_of(items[0])
    assert "Refused by Annie Admin on 12 March 2030" in text_of(items[1])
    assert "Why it was declined: Déjà au programme" in text_of(items[1])


def test_proposals_queries_stay_flat(people):
    def grow(factor):
        for _ in range(factor):
            for territory in (people.north, people.south):
                author = UserFactory(territory=territory)
                author.skills.add("Scratch", "Tablette")
                WorkshopFactory(status="proposed", proposed_by=author, territory=territory)
            proposal(people, status="refused", status_changed_by=people.admin, status_changed_at=START)
            WorkshopFactory(status="proposed", proposed_by=people.coordinator)

    queries, page = queries_flat(english_client(people.coordinator), reverse("workshops:proposals"), grow)
    assert queries == 9
    assert len(page.select("section[aria-labelledby=waiting-title] li")) == 20


# --- A workshop -------------------------------------------------------------------------------------


def test_a_proposal_is_seen_by_its_author_and_managers_only(people):
    workshop = proposal(people, description="Un **atelier**")
    url = workshop.get_absolute_url()
    assert english_client(people.member).get(url).status_code == 404
    assert english_client(people.other_admin).get(url).status_code == 404
    assert english_client(people.proposer).get(url).status_code == 200
    page = soup(english_client(people.admin).get(url))
    assert page.select_one(".workshop-description strong").get_text() == "atelier"
    assert page.select_one(f'form[action="{reverse("workshops:workshop-accept", args=[workshop.pk])}"]')
    assert page.select_one(f'form[action="{reverse("workshops:workshop-refuse", args=[workshop.pk])}"] textarea')
    assert english_client(people.member).get(reverse("workshops:workshop", args=[999999])).status_code == 404


def test_an_accepted_workshop_shows_its_sessions_and_the_actions_allowed(people):
    workshop = proposal(people, title="Tablette", status="scheduled", status_changed_by=people.coordinator,
                        status_changed_at=START)
    coming = SessionFactory(workshop=workshop, capacity=3, start=START, end=START + timedelta(hours=2))
    RegistrationFactory(session=coming)
    SessionFactory(workshop=workshop, start=datetime(2020, 1, 7, 9, tzinfo=UTC),
                   end=datetime(2020, 1, 7, 11, tzinfo=UTC))
    member_page = soup(english_client(people.member).get(workshop.get_absolute_url()))
    assert "Scheduled by Colette Coordinatrice on 12 March 2030" in text_of(member_page.select_one(".workshop-state"))
    assert member_page.select_one(".workshop-actions") is None
    sessions = member_page.select("section[aria-labelledby=sessions-title] li.workshop-session")
    assert len(sessions) == 1 and "2 places left" in text_of(sessions[0])
    past = member_page.select("section[aria-labelledby=sessions-title] h3 + ul li")
    assert [text_of(item) for item in past] == ["Tuesday 7 January 2020 at 10 a.m."]
    manager_page = soup(english_client(people.admin).get(workshop.get_absolute_url()))
    hrefs = {a["href"] for a in manager_page.select(".workshop-actions a")}
    assert hrefs == {reverse(name, args=[workshop.pk]) for name in (
        "workshops:session-create", "workshops:workshop-edit", "workshops:questions", "workshops:results",
        "workshops:workshop-cancel")}


def test_the_workshop_page_queries_stay_flat(people):
    workshop = proposal(people, status="scheduled")
    venue = VenueFactory(territory=people.north)

    def grow(factor):
        for _ in range(factor):
            session = SessionFactory(workshop=workshop, venue=venue, animators=[people.member])
            RegistrationFactory.create_batch(2, session=session)
            SessionFactory(workshop=workshop, start=datetime(2020, 1, 7, 9, tzinfo=UTC),
                           end=datetime(2020, 1, 7, 11, tzinfo=UTC))

    queries, page = queries_flat(english_client(people.admin), workshop.get_absolute_url(), grow)
    assert queries == 10  # + the kits the workshop points to (resources' section)
    assert len(page.select("li.workshop-session")) == 10


# --- The actions ----------------------------------------------------------------------------------


def test_accepting_through_the_page(people):
    workshop = proposal(people)
    url = reverse("workshops:workshop-accept", args=[workshop.pk])
    assert english_client(people.admin).get(url).status_code == 405
    assert english_client(people.member).post(url).status_code == 404  # cannot see the proposal
    response = english_client(people.admin).post(url)
    assert response.status_code == 302 and response["Location"] == workshop.get_absolute_url()
    assert Workshop.objects.get(pk=workshop.pk).status == "accepted"
    # Seen now, but not theirs to decide: 403 with the reason.
    response = english_client(people.member).post(url)
    assert response.status_code == 403
    # Already examined: a message, not an error page.
    response = english_client(people.coordinator).post(url, follow=True)
    assert messages_of(response) == ["This proposal was already examined."]


def test_refusing_through_the_page_needs_a_reason(people):
    workshop = proposal(people)
    url = reverse("workshops:workshop-refuse", args=[workshop.pk])
    client = english_client(people.coordinator)
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert text_of(soup(response).select_one("#id_reason_error")) == (
        "Say why the proposal is declined: its author will read it.")
    assert Workshop.objects.get(pk=workshop.pk).status == "proposed"
    response = client.post(url, {"reason": "Déjà au programme"})
    assert response.status_code == 302
    assert Workshop.objects.get(pk=workshop.pk).status_reason == "Déjà au programme"
    assert english_client(people.other_admin).post(url, {"reason": "x"}).status_code == 404


def test_the_cancel_page_says_who_will_be_told(people, monkeypatch):
    from workshops import sessions as sessions_module

    cancelled = []

    def session_cancel(*, actor, session, reason):
        cancelled.append(session.pk)
        Session.objects.filter(pk=session.pk).update(status="cancelled")

    monkeypatch.setattr(sessions_module, "session_cancel", session_cancel, raising=False)
    workshop = proposal(people, status="scheduled")
    session = SessionFactory(workshop=workshop)
    RegistrationFactory.create_batch(3, session=session)
    url = reverse("workshops:workshop-cancel", args=[workshop.pk])
    assert english_client(people.member).get(url).status_code == 403
    client = english_client(people.admin)
    page = soup(client.get(url))
    assert "3 people registered will be told." in text_of(page.select_one("form.card"))
    assert "Its coming session is cancelled too." in text_of(page.select_one("form.card"))
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and cancelled == []
    assert Workshop.objects.get(pk=workshop.pk).status == "scheduled"
    response = client.post(url, {"reason": "La salle est fermée"})
    assert response.status_code == 302
    assert cancelled == [session.pk]
    assert Workshop.objects.get(pk=workshop.pk).status == "cancelled"
    # Over: the page sends back with the reason.
    response = client.get(url, follow=True)
    assert messages_of(response)[-1] == "This workshop is already over."


def test_closing_through_the_page(people):
    workshop = proposal(people, status="held")
    url = reverse("workshops:workshop-close", args=[workshop.pk])
    assert english_client(people.member).post(url).status_code == 403
    assert english_client(people.coordinator).post(url).status_code == 302
    assert Workshop.objects.get(pk=workshop.pk).status == "closed"


def test_editing_through_the_page(people):
    workshop = proposal(people, title="Avant", duration_minutes=100)
    url = reverse("workshops:workshop-edit", args=[workshop.pk])
    client = english_client(people.proposer)
    page = soup(client.get(url))
    assert page.select_one("input[name=title]")["value"] == "Avant"
    assert page.select_one("select[name=duration_minutes] option[selected]")["value"] == "100"
    response = client.post(url, valid_post(title="Après", duration_minutes="100"))
    assert response.status_code == 302
    assert Workshop.objects.get(pk=workshop.pk).title == "Après"
    response = client.post(url, valid_post(title="x"))
    assert response.status_code == 200 and Workshop.objects.get(pk=workshop.pk).title == "Après"
    assert english_client(people.member).get(url).status_code == 404
    accepted = proposal(people, status="accepted")
    assert english_client(people.proposer).get(
        reverse("workshops:workshop-edit", args=[accepted.pk])).status_code == 403


# --- The sub-navigation -----------------------------------------------------------------------------


def test_the_sub_navigation_included_by_other_pages():
    """Other slices include it with `current` only: "Results" follows the desk's own test of
    who manages (its "pending" entry), without a query."""
    from django.template.loader import render_to_string

    def links(**context):
        page = soup(SimpleNamespace(content=render_to_string("workshops/includes/nav.html", context).encode()))
        return [(a["href"], a.get("aria-current")) for a in page.select("a")]

    with translation.override("en"):
        member = links(current="demands", desk_nav=[SimpleNamespace(key="forum")])
        manager = links(current="results", desk_nav=[SimpleNamespace(key="forum"), SimpleNamespace(key="pending")])
        given = links(current="catalogue", can_manage=True, proposals_waiting=3)
    assert member == [
        (reverse("workshops:index"), None), (reverse("workshops:catalogue"), None),
        (reverse("workshops:proposals"), None), (reverse("workshops:demands"), "page")]
    assert manager[-1] == (reverse("workshops:results-overview"), "page")
    assert len(manager) == 5
    assert given[1] == (reverse("workshops:catalogue"), "page") and len(given) == 5
    with translation.override("en"):
        html = render_to_string("workshops/includes/nav.html", {"current": "sessions", "proposals_waiting": 3})
    assert ", 3 waiting" in html


def test_a_pending_member_is_sent_to_the_waiting_page_and_nothing_is_saved(people):
    from extranet.testing.factories import PendingUserFactory

    client = english_client(PendingUserFactory(territory=people.north))
    response = client.post(reverse("workshops:propose"), valid_post())
    assert response.status_code == 302 and response["Location"] == reverse("desk:pending")
    assert Workshop.objects.count() == 0
    assert client.get(reverse("workshops:index"))["Location"] == reverse("desk:pending")
