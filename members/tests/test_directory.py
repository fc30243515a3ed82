"""The member directory (/bureau/membres/): filters, skills, contact visibility, limits and
query counts.

Sentences are matched loosely (French, or the English msgid where the catalogue may still
lack them).
"""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from extranet.testing.factories import PendingUserFactory, UserFactory, VenueFactory
from extranet.testing.pages import queries_flat, soup, text_of
from members import selectors
from members.forms import DirectoryFilters
from members.models import Follow, User

URL = "/bureau/membres/"


def listed(client, query=""):
    """The names of the directory's result cards, in order."""
    response = client.get(URL + query)
    assert response.status_code == 200
    return [text_of(h) for h in soup(response).select("li.member-card h3")]


def result_count(client, query=""):
    heading = soup(client.get(URL + query)).select_one("#results-title")
    return int(re.match(r"\d+", text_of(heading)).group())


def person(name, *, skills=(), **fields):
    user = UserFactory(display_name=name, **fields)
    if skills:
        user.skills.set(list(skills))
    return user


@pytest.fixture
def people(territory, other_territory, venue):
    """A small network: the `member` fixture (Karim Benali) plus four colleagues."""
    library = VenueFactory(territory=other_territory, name="Médiathèque de Figeac")
    return {
        "amina": person("Amina Diallo", territory=territory, venues=[venue], job_title="Animatrice multimédia",
                        skills=["montage vidéo", "Linux"]),
        "bruno": person("Bruno Vidal", territory=other_territory, venues=[library], job_title="Conseiller numérique",
                        bio="J'aide aux démarches en ligne et à la retouche photo.",
                        skills=["accompagnement démarches"]),
        "chloe": person("Chloé Martin", territory=other_territory, venues=[library],
                        skills=["Montage vidéo avancé", "linux"]),
        "denis": person("Denis Lacoste", territory=territory, job_title="Technicien", skills=["Réseaux"]),
    }


# --- Who is listed ---------------------------------------------------------------------------


def test_lists_approved_active_members_by_name(member_client, member, people, territory):
    PendingUserFactory(display_name="Paul Pending", territory=territory)
    person("Rita Refused", territory=territory, status=User.Status.REFUSED)
    person("Ines Inactive", territory=territory, is_active=False)

    assert listed(member_client) == ["Amina Diallo", "Bruno Vidal", "Chloé Martin", "Denis Lacoste", "Karim Benali"]
    assert result_count(member_client) == 5


def test_a_card_shows_profile_link_job_territory_venues_and_skills(member_client, people, territory, venue):
    amina = people["amina"]
    card = soup(member_client.get(URL)).find("h3", id=f"member-{amina.pk}").find_parent("li")
    assert card.find("a", href=f"/bureau/membres/{amina.pk}/")
    assert "Animatrice multimédia" in text_of(card)
    assert card.find("a", href=f"{URL}?territoire={territory.pk}").get_text() == "Pays des Causses"
    assert "EPM de Limogne" in card.find("a", href=f"{URL}?lieu={venue.pk}").get_text()
    skills = {text_of(a): a["href"] for a in card.select(".member-card__skills a.tag")}
    assert skills == {"Linux": f"{URL}?competence=linux", "montage vidéo": f"{URL}?competence=montage-vid%C3%A9o"}
    # The avatar (initials here).
    assert text_of(card.select_one(".avatar--initials")) == "AD"


def test_the_navigation_has_a_members_entry(member_client):
    nav = soup(member_client.get(URL)).select_one("nav.desk-nav")
    link = nav.find("a", href=URL)
    assert link is not None
    assert re.fullmatch(r"Membres|Members", text_of(link))
    assert link["aria-current"] == "page"


def test_visitors_and_pending_members_do_not_reach_the_directory(client, pending_client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/?next=")
    response = pending_client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/bureau/en-attente/"


# --- Filters -----------------------------------------------------------------------------------


def test_search_by_name_is_case_insensitive(member_client, people):
    assert listed(member_client, "?q=amina") == ["Amina Diallo"]
    assert listed(member_client, "?q=VIDAL") == ["Bruno Vidal"]


def test_search_by_job_title_and_bio(member_client, people):
    assert listed(member_client, "?q=technicien") == ["Denis Lacoste"]
    assert listed(member_client, "?q=retouche+photo") == ["Bruno Vidal"]
    # Every word must match (name and job title here).
    assert listed(member_client, "?q=Amina+multimédia") == ["Amina Diallo"]
    assert listed(member_client, "?q=Amina+technicien") == []


def test_search_by_venue_id(member_client, member, people, venue):
    assert listed(member_client, f"?lieu={venue.pk}") == ["Amina Diallo", "Karim Benali"]


def test_search_by_venue_name(member_client, people):
    assert listed(member_client, "?lieu=figeac") == ["Bruno Vidal", "Chloé Martin"]
    assert listed(member_client, "?lieu=Limogne") == ["Amina Diallo", "Karim Benali"]


def test_search_by_territory(member_client, people, other_territory, territory):
    assert listed(member_client, f"?territoire={other_territory.pk}") == ["Bruno Vidal", "Chloé Martin"]
    page = soup(member_client.get(f"{URL}?territoire={territory.pk}"))
    assert page.select_one("#id_territoire option[selected]")["value"] == str(territory.pk)
    assert [text_of(h) for h in page.select("li.member-card h3")] == ["Amina Diallo", "Denis Lacoste", "Karim Benali"]


def test_search_by_skill_slug(member_client, people):
    assert listed(member_client, "?competence=accompagnement-d%C3%A9marches") == ["Bruno Vidal"]  # the tag's slug
    assert listed(member_client, "?competence=accompagnement-demarches") == ["Bruno Vidal"]  # without the accent
    assert listed(member_client, "?competence=r%C3%A9seaux") == ["Denis Lacoste"]


def test_search_by_skill_name_with_accents(member_client, people):
    # The exact skill wins over the skills that merely contain the words.
    assert listed(member_client, "?competence=montage+vid%C3%A9o") == ["Amina Diallo"]
    # Case and accents do not matter.
    assert listed(member_client, "?competence=MONTAGE+VIDEO") == ["Amina Diallo"]
    # Part of a name finds every skill containing it.
    assert listed(member_client, "?competence=vid%C3%A9o") == ["Amina Diallo", "Chloé Martin"]
    assert listed(member_client, "?competence=d%C3%A9marches") == ["Bruno Vidal"]


def test_spellings_of_one_skill_are_merged(member_client, people):
    assert listed(member_client, "?competence=linux") == ["Amina Diallo", "Chloé Martin"]
    assert listed(member_client, "?competence=Linux") == ["Amina Diallo", "Chloé Martin"]


def test_an_unknown_skill_finds_nobody(member_client, people):
    assert listed(member_client, "?competence=plongée") == []


def test_only_the_people_i_follow(member_client, member, people):
    Follow.objects.create(follower=member, followed=people["bruno"])
    Follow.objects.create(follower=people["amina"], followed=people["chloe"])  # someone else's
    assert listed(member_client, "?suivis=1") == ["Bruno Vidal"]
    page = soup(member_client.get(URL + "?suivis=1"))
    assert page.select_one("#id_suivis").has_attr("checked")


def test_filters_combined(member_client, member, people, territory, other_territory):
    Follow.objects.create(follower=member, followed=people["amina"])
    Follow.objects.create(follower=member, followed=people["chloe"])
    assert listed(member_client, f"?competence=linux&territoire={other_territory.pk}") == ["Chloé Martin"]
    assert listed(member_client, f"?competence=linux&territoire={territory.pk}&suivis=1") == ["Amina Diallo"]
    assert listed(member_client, "?competence=linux&lieu=figeac&q=chlo") == ["Chloé Martin"]
    assert listed(member_client, "?competence=linux&lieu=figeac&q=amina") == []
    assert listed(member_client, f"?q=a&territoire={territory.pk}&suivis=1") == ["Amina Diallo"]


def test_the_form_shows_the_current_filters(member_client, people):
    page = soup(member_client.get(URL + "?q=amina&lieu=Limogne&competence=linux"))
    assert page.select_one("#id_q")["value"] == "amina"
    assert page.select_one("#id_lieu")["value"] == "Limogne"
    assert page.select_one("#id_competence")["value"] == "linux"
    form = page.select_one("form[role=search]")
    assert form["method"] == "get"
    assert form.find("a", href=URL)  # clear the filters


def test_frequent_skills_and_the_datalist(member_client, people):
    page = soup(member_client.get(URL))
    chips = [(text_of(a), a["href"]) for a in page.select("nav.frequent-skills a.tag")]
    # "Linux" (twice, two spellings merged) comes first; then the others by name.
    assert chips[0] == ("Linux (2)", f"{URL}?competence=linux")
    assert {name for name, _href in chips} == {
        "Linux (2)", "accompagnement démarches (1)", "montage vidéo (1)", "Montage vidéo avancé (1)", "Réseaux (1)",
    }
    options = [o["value"] for o in page.select("datalist#skill-names option")]
    assert sorted(options) == sorted(["Linux", "accompagnement démarches", "montage vidéo", "Montage vidéo avancé",
                                      "Réseaux"])
    assert page.select_one("#id_competence")["list"] == "skill-names"
    assert "Médiathèque de Figeac" in [o["value"] for o in page.select("datalist#venue-names option")]


def test_skills_of_pending_members_are_not_offered(member_client, territory):
    pending = PendingUserFactory(territory=territory)
    pending.skills.set(["Cryptographie"])
    page = soup(member_client.get(URL))
    assert "Cryptographie" not in text_of(page)


def test_pagination_keeps_the_filters(member_client, territory):
    for i in range(30):
        person(f"Animateur {i:02d}", territory=territory, skills=["Linux"])
    page = soup(member_client.get(URL + "?competence=linux&q=animateur"))
    assert len(page.select("li.member-card")) == 25
    assert result_count(member_client, "?competence=linux&q=animateur") == 30
    next_href = page.select_one('.pagination a[rel="next"]')["href"]
    assert parse_qs(urlsplit(next_href).query) == {"q": ["animateur"], "competence": ["linux"], "page": ["2"]}
    second = listed(member_client, next_href)
    assert second == [f"Animateur {i:02d}" for i in range(25, 30)]


def test_empty_state(member_client, people):
    page = soup(member_client.get(URL + "?q=personne-introuvable"))
    assert page.select("li.member-card") == []
    empty = page.select_one("main p.empty")
    assert empty is not None
    assert empty.find("a", href=URL)
    assert text_of(page.select_one("#results-title")).startswith("0 ")


# --- Input limits ------------------------------------------------------------------------------


def test_a_very_long_search_does_not_fail(member_client, people):
    response = member_client.get(URL, {"q": "a" * 5000, "lieu": "b" * 5000, "competence": "c" * 5000})
    assert response.status_code == 200
    page = soup(response)
    assert len(page.select_one("#id_q")["value"]) == 100
    assert page.select("li.member-card") == []


def test_a_long_search_is_cut_not_refused(member_client, people):
    response = member_client.get(URL, {"q": "Amina " + " " * 3000 + "x" * 2000})
    assert response.status_code == 200
    assert [text_of(h) for h in soup(response).select("li.member-card h3")] == ["Amina Diallo"]


@pytest.mark.parametrize("query", [
    {"territoire": "9" * 5000}, {"territoire": "abc"}, {"territoire": "99999999999999999999"},
    {"lieu": "9" * 30}, {"page": "9" * 5000}, {"page": "-1"}, {"q": "ab\x00cd"}, {"competence": "\x00"},
    {"suivis": "oui"},
])
def test_malformed_filters_are_ignored(member_client, member, people, query):
    response = member_client.get(URL, query)
    assert response.status_code == 200


def test_malformed_territory_lists_everyone(member_client, people):
    assert len(listed(member_client, "?territoire=abc")) == 5
    assert len(listed(member_client, "?territoire=" + "9" * 30)) == 5


def test_filters_parsing():
    filters = DirectoryFilters.from_query({"q": "  Karim \t Benali \x00 ", "territoire": "12", "suivis": "1"})
    assert filters.q == "Karim Benali"
    assert filters.territory_id == 12
    assert filters.followed_only is True
    assert filters.query_string() == "q=Karim+Benali&territoire=12&suivis=1"
    assert DirectoryFilters.from_query({}).is_active is False
    assert DirectoryFilters.from_query({"territoire": "٣"}).territory_id is None  # not an ASCII digit


def test_fold_ignores_case_accents_and_hyphens():
    assert selectors.fold("  Montage-VIDÉO ") == selectors.fold("montage video") == "montage video"


# --- Contact details ------------------------------------------------------------------------------


@pytest.fixture
def camille(territory, venue):
    """E-mail shared with nobody, phone with the territory."""
    return person("Camille Roux", territory=territory, venues=[venue], email="camille@exemple.test",
                  phone="05 65 00 00 00", email_visibility=User.Visibility.PRIVATE,
                  phone_visibility=User.Visibility.TERRITORY)


@pytest.fixture
def lea(other_territory):
    """E-mail shared with every member, phone with nobody."""
    return person("Léa Fabre", territory=other_territory, email="lea@exemple.test", phone="05 65 11 11 11",
                  email_visibility=User.Visibility.MEMBERS, phone_visibility=User.Visibility.PRIVATE)


@pytest.fixture
def yann(other_territory):
    """E-mail and phone shared with the territory."""
    return person("Yann Cosse", territory=other_territory, email="yann@exemple.test", phone="05 65 22 22 22",
                  email_visibility=User.Visibility.TERRITORY, phone_visibility=User.Visibility.TERRITORY)


def contacts_in_directory(client, *people):
    page = soup(client.get(URL))
    shown = {}
    for someone in people:
        card = page.find("h3", id=f"member-{someone.pk}").find_parent("li")
        shown[someone.display_name] = {
            "email": bool(card.find("a", href=f"mailto:{someone.email}")),
            "phone": bool(card.find("a", href=f"tel:{someone.phone}")),
        }
        assert (someone.email in text_of(card)) == shown[someone.display_name]["email"]
    return shown


def test_contacts_seen_by_a_member_of_the_same_territory(member_client, camille, lea, yann):
    assert contacts_in_directory(member_client, camille, lea, yann) == {
        "Camille Roux": {"email": False, "phone": True},
        "Léa Fabre": {"email": True, "phone": False},
        "Yann Cosse": {"email": False, "phone": False},
    }


def test_contacts_seen_by_a_member_of_another_territory(client, other_territory, camille, lea, yann):
    client.force_login(UserFactory(territory=other_territory))
    assert contacts_in_directory(client, camille, lea, yann) == {
        "Camille Roux": {"email": False, "phone": False},
        "Léa Fabre": {"email": True, "phone": False},
        "Yann Cosse": {"email": True, "phone": True},
    }


def test_contacts_seen_by_a_coordinator(coordinator_client, camille, lea, yann):
    # "Only me" is only me; what is shared with a territory is shared with the coordination.
    assert contacts_in_directory(coordinator_client, camille, lea, yann) == {
        "Camille Roux": {"email": False, "phone": True},
        "Léa Fabre": {"email": True, "phone": False},
        "Yann Cosse": {"email": True, "phone": True},
    }


def test_contacts_seen_by_a_local_admin_living_elsewhere(client, territory, other_territory, camille, lea, yann):
    client.force_login(UserFactory(territory=other_territory, referent_of=[territory]))
    assert contacts_in_directory(client, camille, lea, yann) == {
        "Camille Roux": {"email": False, "phone": True},
        "Léa Fabre": {"email": True, "phone": False},
        "Yann Cosse": {"email": True, "phone": True},
    }


def test_my_own_contacts_are_shown_to_me(client, camille):
    client.force_login(camille)
    assert contacts_in_directory(client, camille) == {"Camille Roux": {"email": True, "phone": True}}


# --- Query counts ------------------------------------------------------------------------------

# Session, user, the viewer's local admin territories (navigation, contact rules), unread
# badge; then the page: count, page, venues and skills of the page (two prefetches), the
# skills (chips, datalist and skill filter), the territories (select), the venue names
# (datalist). Raise it only with a reason: a count that grows with the data is an N+1.
MAX_QUERIES = 11


def _grow_network(viewer, territory, factor, counter=[0]):  # noqa: B006 (a counter across calls)
    for _ in range(3 * factor):
        counter[0] += 1
        n = counter[0]
        venue = VenueFactory(territory=territory, name=f"Lieu {n:04d}")
        someone = person(f"Animateur {n:04d}", territory=territory, venues=[venue], phone="05 65 00 00 00",
                         job_title="Animateur", skills=[f"Compétence {n}", "Linux", "montage vidéo"])
        Follow.objects.create(follower=viewer, followed=someone)
        Follow.objects.create(follower=someone, followed=viewer)


@pytest.mark.parametrize("query", ["", "?q=animateur&competence=linux&suivis=1", "?lieu=lieu&territoire=1"])
def test_directory_queries_are_pinned_and_flat(client, member, territory, query, django_assert_max_num_queries):
    client.force_login(member)
    url = URL + query.replace("territoire=1", f"territoire={territory.pk}")
    count, page = queries_flat(client, url, lambda f: _grow_network(member, territory, f))
    assert len(page.select("li.member-card")) == 25
    assert len(page.select("li.member-card a[href^='tel:']")) == 25  # phones shared with the territory
    with django_assert_max_num_queries(MAX_QUERIES):
        client.get(url)
    assert count == MAX_QUERIES
