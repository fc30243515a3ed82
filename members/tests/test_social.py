"""The social layer of the members pages: "Send a message" on a profile (an action the chat
registers in members.profile), the compact member directory, and the account forms
(allauth) in the product's words: no trailing colons, no placeholder repeating the label,
"Créer mon compte", "Se connecter", a real prompt instead of "---------".
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.models import Room
from extranet.testing.factories import PendingUserFactory, UserFactory
from extranet.testing.pages import soup, text_of
from members import profile

DIRECT = "/bureau/discussions/direct/"


def message_form(page):
    return page.select_one(f'main form[action="{DIRECT}"]')


# --- "Send a message" --------------------------------------------------------------------------


def test_the_chat_registers_its_profile_action():
    assert "chat-message" in profile.ACTIONS._sections


def test_another_members_profile_offers_to_send_a_message(member_client, territory):
    colleague = UserFactory(territory=territory, display_name="Nadia Chérif")
    form = message_form(soup(member_client.get(f"/bureau/membres/{colleague.pk}/")))
    assert form is not None
    assert form["method"] == "post"
    assert form.select_one('input[name="members"]')["value"] == str(colleague.pk)
    assert form.select_one("input[name=csrfmiddlewaretoken]")
    assert re.fullmatch(r"Envoyer un message|Send a message", text_of(form.select_one("button")))


def test_the_button_opens_the_direct_conversation(member_client, member, territory):
    colleague = UserFactory(territory=territory, display_name="Nadia Chérif")
    response = member_client.post(DIRECT, {"members": colleague.pk})
    room = Room.objects.get(kind=Room.Kind.DIRECT)
    assert response.status_code == 302
    assert response["Location"] == f"/bureau/discussions/salon/{room.pk}/"
    assert set(room.members.values_list("user_id", flat=True)) == {member.pk, colleague.pk}


def test_no_message_button_on_ones_own_profile(member_client, member):
    assert message_form(soup(member_client.get(f"/bureau/membres/{member.pk}/"))) is None


def test_no_message_button_for_someone_who_cannot_be_written_to(referent_client, territory):
    # A local admin sees a pending member's profile (to decide), but cannot write to them yet.
    waiting = PendingUserFactory(territory=territory, display_name="Paul Attente")
    page = soup(referent_client.get(f"/bureau/membres/{waiting.pk}/"))
    assert "Paul Attente" in text_of(page.select_one("main h1"))
    assert message_form(page) is None


def test_the_profile_with_its_actions_keeps_its_query_count(client, member, territory):
    colleague = UserFactory(territory=territory)
    client.force_login(member)
    url = f"/bureau/membres/{colleague.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    with_action = len(ctx.captured_queries)
    # The same page for a profile without the action (one's own) costs as much or more:
    # the action asks the chat's rule, which reads nothing more.
    client.get(f"/bureau/membres/{member.pk}/")
    with CaptureQueriesContext(connection) as own:
        client.get(f"/bureau/membres/{member.pk}/")
    assert with_action <= len(own.captured_queries) + 1


# --- The compact directory ---------------------------------------------------------------------


def test_a_compact_card_shows_avatar_name_job_territory_venue_and_skills(member_client, territory, venue):
    amina = UserFactory(territory=territory, venues=[venue], display_name="Amina Diallo",
                        job_title="Animatrice multimédia")
    amina.skills.add("Linux", "montage vidéo")
    card = soup(member_client.get("/bureau/membres/")).find("h3", id=f"member-{amina.pk}").find_parent("li")
    assert "member-card" in card["class"]
    assert text_of(card.select_one(".avatar--initials")) == "AD"
    assert card.select_one("h3 a")["href"] == f"/bureau/membres/{amina.pk}/"
    assert text_of(card.select_one(".member-card__job")) == "Animatrice multimédia"
    facts = card.select_one("dl.member-card__facts")
    assert [text_of(dd) for dd in facts.select("dd")][:2] == ["Pays des Causses", f"EPM de Limogne ({venue.city})"]
    # The terms are there for screen readers only.
    assert all("visually-hidden" in dt["class"] for dt in facts.select("dt"))
    tags = card.select("ul.member-card__skills a.tag.tag--small")
    assert [text_of(a) for a in tags] == ["Linux", "montage vidéo"]
    assert re.fullmatch(r"Compétences|Skills", card.select_one("ul.member-card__skills")["aria-label"])
    button = card.select_one(".member-card__action button")
    assert re.fullmatch(r"(Suivre|Follow) Amina Diallo", text_of(button))


def test_a_card_without_territory_venue_or_skill_says_so_briefly(member_client, db):
    loner = UserFactory(territory=None, display_name="Zoé Seule")
    card = soup(member_client.get("/bureau/membres/")).find("h3", id=f"member-{loner.pk}").find_parent("li")
    assert re.fullmatch(r"Sans territoire|No territory", text_of(card.select_one(".member-card__none")))
    assert card.select_one(".member-card__venues") is None
    assert card.select_one(".member-card__skills") is None


def test_my_own_card_has_no_follow_button(member_client, member):
    card = soup(member_client.get("/bureau/membres/")).find("h3", id=f"member-{member.pk}").find_parent("li")
    assert card.select_one(".member-card__action") is None


def test_the_directory_page_queries_do_not_grow_with_the_members(client, member, territory, venue):
    from extranet.testing.factories import VenueFactory

    client.force_login(member)

    def grow(count, start):
        for i in range(count):
            person = UserFactory(territory=territory, display_name=f"Personne {start + i:03d}",
                                 job_title="Médiatrice", phone="05 65 00 00 00")
            person.venues.set([venue, VenueFactory(territory=territory, name=f"Lieu {start + i}")])
            person.skills.add(f"compétence {i}", "Linux")

    grow(3, 0)
    client.get("/bureau/membres/")
    with CaptureQueriesContext(connection) as small:
        client.get("/bureau/membres/")
    grow(27, 3)
    with CaptureQueriesContext(connection) as large:
        page = soup(client.get("/bureau/membres/"))
    assert len(page.select("li.member-card")) == 25
    assert len(small.captured_queries) == len(large.captured_queries)


# --- Account forms -----------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/compte/signup/", "/compte/login/", "/compte/password/reset/"])
def test_account_forms_have_no_colons_no_placeholders_no_dashes(client, db, url):
    response = client.get(url)
    assert response.status_code == 200
    page = soup(response)
    form = page.select_one("main form[method=post]")
    labels = [text_of(label) for label in form.select("label")]
    assert labels
    for label in labels:
        assert not re.search(r"[:：]\s*\*?$", label), label
    assert form.select("[placeholder]") == []
    assert "---------" not in response.content.decode()


def test_the_signup_page_speaks_french(client, db):
    page = soup(client.get("/compte/signup/"))
    form = page.select_one("main form[method=post]")
    assert text_of(form.select_one('button[type="submit"]')) == "Créer mon compte"
    labels = {label["for"]: text_of(label) for label in form.select("label")}
    assert labels["id_email"] == "Adresse e-mail *"
    assert labels["id_password2"] == "Mot de passe (confirmation) *"
    assert labels["id_display_name"] == "Votre nom *"
    territory = form.select_one('select[name="territory"] option')
    assert territory["value"] == ""
    assert text_of(territory) == "Choisissez votre territoire"
    assert text_of(form.select_one('select[name="venue"] option')) == "Aucun lieu / lieu absent de la liste"
    # The column of the account pages, and one heading.
    assert page.select_one("main .auth-box h1") is not None
    assert len(page.select("main h1")) == 1


def test_the_login_page_speaks_french(client, db):
    page = soup(client.get("/compte/login/"))
    form = page.select_one("main form[method=post]")
    assert text_of(form.select_one('button[type="submit"]')) == "Se connecter"
    assert text_of(page.select_one("main h1")) == "Se connecter"
    labels = {label["for"]: text_of(label) for label in form.select("label")}
    assert labels["id_login"] == "Adresse e-mail *"
    # The signup link for newcomers.
    assert page.select_one('main a[href="/compte/signup/"]')


def test_signup_still_creates_a_pending_member(client, territory, venue, outbox):
    from members.models import User

    response = client.post("/compte/signup/", {
        "display_name": "Léa Fabre", "email": "lea.fabre@exemple.test",
        "password1": "un-mot-de-passe-solide-42", "password2": "un-mot-de-passe-solide-42",
        "territory": territory.pk, "venue": venue.pk,
    })
    assert response.status_code == 302
    assert User.objects.get(email="lea.fabre@exemple.test").status == User.Status.PENDING


def test_a_signup_error_is_shown_next_to_its_field(client, territory):
    response = client.post("/compte/signup/", {
        "display_name": "Léa Fabre", "email": "pas-une-adresse",
        "password1": "un-mot-de-passe-solide-42", "password2": "un-mot-de-passe-solide-42",
        "territory": territory.pk,
    })
    assert response.status_code == 200
    field = soup(response).select_one("#id_email").find_parent("div", class_="field")
    assert "field--error" in field["class"]
    assert text_of(field.select_one("ul.errorlist"))
