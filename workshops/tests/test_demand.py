"""The demand for workshops: asking, voices, statuses, the ranking and the matching members.

Messages are compared in English (the msgids, `translation.override("en")`); their French
translations are in the PO fragment of this slice."""

from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.models import Activity, Notification
from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    DemandFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    WorkshopFactory,
)
from members.spaces import network_space
from workshops import demand as services
from workshops.models import Demand, DemandVote, Workshop

pytestmark = pytest.mark.django_db

TABLET = "Prise en main d'une tablette"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    return {
        "demands": sorted(Demand.objects.values_list("pk", "title", "status", "votes", "territory_id")),
        "votes": sorted(DemandVote.objects.values_list("demand_id", "user_id")),
        "notifications": assertions.notifications(),
        "activities": sorted(Activity.objects.values_list("verb", "target_id")),
        "answering": sorted(Workshop.objects.exclude(demand=None).values_list("pk", "demand_id")),
    }


refused = partial(assertions.refused, state)


@pytest.fixture
def people():
    lot = TerritoryFactory(name="Lot")
    tarn = TerritoryFactory(name="Tarn")
    return {
        "lot": lot,
        "tarn": tarn,
        "coordinator": CoordinatorFactory(display_name="Coline Coordinatrice", territory=tarn),
        "admin_lot": UserFactory(display_name="Ludo Lot", territory=lot, referent_of=[lot]),
        "admin_tarn": UserFactory(display_name="Tania Tarn", territory=tarn, referent_of=[tarn]),
        "member": UserFactory(display_name="Mona Membre", territory=lot),
        "other": UserFactory(display_name="Olga Autre", territory=tarn),
        "pending": PendingUserFactory(display_name="Paul Attente", territory=lot),
    }


def make_demand(author, *, title=TABLET, **fields):
    """A request as the service leaves it: the author's voice counted."""
    demand = DemandFactory(title=title, created_by=author, territory=author.territory, votes=1, **fields)
    DemandVote.objects.create(demand=demand, user=author)
    return demand


# --- demand_create ------------------------------------------------------------------------------


def test_a_member_asks_and_the_coordination_of_the_territory_is_told(people):
    member = people["member"]
    demand = services.demand_create(
        actor=member, title="  Prise en main   d'une tablette ", description="Pour mes rendez-vous en ligne.",
        themes=["Maîtrise des outils numériques du quotidien"],
    )
    demand.refresh_from_db()
    assert demand.title == "Prise en main d'une tablette"
    assert demand.territory == people["lot"]  # the author's
    assert demand.status == "open"
    assert demand.votes == 1
    assert list(DemandVote.objects.filter(demand=demand).values_list("user_id", flat=True)) == [member.pk]
    assert demand.themes == ["Maîtrise des outils numériques du quotidien"]
    # The coordinator and the Lot's local admin, not the Tarn's.
    told = sorted(Notification.objects.filter(verb="workshops.demand_created").values_list("recipient_id", "url"))
    assert told == sorted([(people["coordinator"].pk, f"/bureau/ateliers/demandes/{demand.pk}/"),
                           (people["admin_lot"].pk, f"/bureau/ateliers/demandes/{demand.pk}/")])
    activity = Activity.objects.get(verb="workshops.demand_created")
    assert (activity.actor, activity.space, activity.target_id) == (member, people["lot"].space, str(demand.pk))


def test_a_request_for_another_territory_tells_its_local_admins(people):
    demand = services.demand_create(actor=people["member"], title="Excel débutant", territory=people["tarn"])
    assert demand.territory == people["tarn"]
    told = sorted(Notification.objects.filter(verb="workshops.demand_created").values_list("recipient_id", flat=True))
    assert told == sorted([people["coordinator"].pk, people["admin_tarn"].pk])


def test_a_member_without_territory_asks_the_whole_network(people):
    loner = UserFactory(territory=None)
    demand = services.demand_create(actor=loner, title="Montage vidéo")
    assert demand.territory is None
    assert Activity.objects.get(verb="workshops.demand_created").space == network_space()
    told = list(Notification.objects.filter(verb="workshops.demand_created").values_list("recipient_id", flat=True))
    assert told == [people["coordinator"].pk]


def test_the_coordinator_asking_is_not_told_of_their_own_request(people):
    services.demand_create(actor=people["coordinator"], title="Sécurité des mots de passe")
    told = list(Notification.objects.filter(verb="workshops.demand_created").values_list("recipient_id", flat=True))
    assert told == [people["admin_tarn"].pk]


def test_a_pending_member_cannot_ask(people):
    with refused(PermissionDenied, "Only approved members of the network can ask for a workshop."):
        services.demand_create(actor=people["pending"], title=TABLET)


@pytest.mark.parametrize(("title", "field", "message"), [
    ("ab", "title", "Give the topic in a few words (3 characters at least)."),
    ("   ", "title", "Give the topic in a few words (3 characters at least)."),
    ("x" * 201, "title", "The topic is too long (200 characters at most)."),
])
def test_a_title_too_short_or_too_long_is_refused(people, title, field, message):
    with refused(ValidationError, message, field=field):
        services.demand_create(actor=people["member"], title=title)


def test_a_title_of_200_characters_is_accepted(people):
    assert services.demand_create(actor=people["member"], title="x" * 200).title == "x" * 200


def test_unknown_themes_and_a_long_description_are_refused(people):
    with refused(ValidationError, "Choose themes from the list.", field="themes"):
        services.demand_create(actor=people["member"], title=TABLET, themes=["Cuisine"])
    with refused(ValidationError, "The description is too long (5,000 characters at most).", field="description"):
        services.demand_create(actor=people["member"], title=TABLET, description="x" * 5001)


def test_a_similar_open_request_is_named_with_its_link(people):
    first = make_demand(people["other"])
    with refused(ValidationError,
                 "A similar request already exists: “Prise en main d'une tablette”. Add your voice to it.",
                 field="title") as raised:
        services.demand_create(actor=people["member"], title="PRISE EN MAIN D’UNE TABLETTE !")
    error = raised.value.error_dict["title"][0]
    assert error.code == "duplicate"
    assert error.params["url"] == f"/bureau/ateliers/demandes/{first.pk}/"
    assert error.params["pk"] == first.pk


def test_the_similar_request_message_in_french(people):
    make_demand(people["other"])
    with translation.override("fr"), pytest.raises(ValidationError) as raised:
        services.demand_create(actor=people["member"], title="Prise en main d'une TABLETTE")
    with translation.override("fr"):
        expected = translation.gettext("A similar request already exists: “%(title)s”. Add your voice to it.") % {
            "title": TABLET}
    assert raised.value.message_dict == {"title": [expected]}


def test_a_closed_or_answered_request_of_the_same_title_does_not_block(people):
    make_demand(people["other"], status="closed")
    make_demand(people["other"], status="answered")
    demand = services.demand_create(actor=people["member"], title=TABLET)
    assert demand.status == "open"


def test_case_accents_and_punctuation_are_ignored_other_words_are_not(people):
    make_demand(people["other"], title="Démarches en ligne")
    for same in ("demarches-en-ligne!", "DÉMARCHES EN LIGNE ?", "Démarches, en ligne."):
        with pytest.raises(ValidationError) as raised:
            services.demand_create(actor=people["member"], title=same)
        assert raised.value.error_dict["title"][0].code == "duplicate"
    assert services.demand_create(actor=people["member"], title="Démarches en ligne pour la CAF").votes == 1


# --- Voices -------------------------------------------------------------------------------------


def test_a_member_adds_their_voice_once(people):
    demand = make_demand(people["member"])
    assert services.demand_vote(actor=people["other"], demand=demand) is True
    assert demand.votes == 2
    assert services.demand_vote(actor=people["other"], demand=demand) is False
    demand.refresh_from_db()
    assert demand.votes == 2
    assert DemandVote.objects.filter(demand=demand).count() == 2


def test_the_author_voice_is_counted_once(people):
    demand = services.demand_create(actor=people["member"], title=TABLET)
    assert services.demand_vote(actor=people["member"], demand=demand) is False
    assert demand.votes == 1


def test_a_voice_is_withdrawn_and_the_author_may_withdraw_theirs(people):
    demand = make_demand(people["member"])
    services.demand_vote(actor=people["other"], demand=demand)
    assert services.demand_unvote(actor=people["other"], demand=demand) is True
    assert demand.votes == 1
    assert services.demand_unvote(actor=people["other"], demand=demand) is False
    assert demand.votes == 1
    assert services.demand_unvote(actor=people["member"], demand=demand) is True
    demand.refresh_from_db()
    assert (demand.votes, demand.status) == (0, "open")
    assert not DemandVote.objects.filter(demand=demand).exists()


def test_coordinators_and_local_admins_vote_like_members(people):
    demand = make_demand(people["member"])
    for voter in (people["coordinator"], people["admin_lot"], people["admin_tarn"]):
        assert services.demand_vote(actor=voter, demand=demand) is True
    assert demand.votes == 4


def test_a_pending_member_cannot_vote(people):
    demand = make_demand(people["member"])
    with refused(PermissionDenied, "Only approved members of the network can add their voice."):
        services.demand_vote(actor=people["pending"], demand=demand)
    with refused(PermissionDenied, "Only approved members of the network can add their voice."):
        services.demand_unvote(actor=people["pending"], demand=demand)


@pytest.mark.parametrize("status", ["answered", "closed"])
def test_voices_do_not_move_once_the_request_is_answered_or_closed(people, status):
    demand = make_demand(people["member"], status=status)
    with refused(ValidationError, "This request is no longer open."):
        services.demand_vote(actor=people["other"], demand=demand)
    with refused(ValidationError, "This request is no longer open."):
        services.demand_unvote(actor=people["member"], demand=demand)


def test_a_vote_reads_the_status_of_the_row_not_the_stale_object(people):
    demand = make_demand(people["member"])
    Demand.objects.filter(pk=demand.pk).update(status="closed")  # closed meanwhile, in another tab
    with refused(ValidationError, "This request is no longer open."):
        services.demand_vote(actor=people["other"], demand=demand)


# --- Statuses -----------------------------------------------------------------------------------


def test_the_coordinator_marks_a_request_answered_and_its_voices_are_told(people):
    demand = make_demand(people["member"])
    services.demand_vote(actor=people["other"], demand=demand)
    services.demand_vote(actor=people["coordinator"], demand=demand)
    services.demand_set_status(actor=people["coordinator"], demand=demand, status="answered")
    demand.refresh_from_db()
    assert demand.status == "answered"
    told = sorted(Notification.objects.filter(verb="workshops.demand_answered").values_list("recipient_id", "url"))
    url = f"/bureau/ateliers/demandes/{demand.pk}/"
    # The author and the other voice; not the coordinator, who did it.
    assert told == sorted([(people["member"].pk, url), (people["other"].pk, url)])


def test_answered_by_a_workshop_links_it_and_tells_the_voices_where_it_is(people):
    demand = make_demand(people["member"])
    workshop = WorkshopFactory(title="Tablette pour tous", territory=people["lot"])
    services.demand_set_status(actor=people["admin_lot"], demand=demand, status="answered", workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.demand == demand
    told = list(Notification.objects.filter(verb="workshops.demand_answered").values_list("recipient_id", "url"))
    assert told == [(people["member"].pk, f"/bureau/ateliers/{workshop.pk}/")]


def test_a_workshop_that_answers_another_request_is_refused(people):
    demand = make_demand(people["member"])
    other = make_demand(people["other"], title="Excel")
    workshop = WorkshopFactory(demand=other)
    with refused(ValidationError, "This workshop already answers another request.", field="workshop"):
        services.demand_set_status(actor=people["coordinator"], demand=demand, status="answered", workshop=workshop)
    with refused(ValidationError, "A workshop is given only to answer a request.", field="workshop"):
        services.demand_set_status(actor=people["coordinator"], demand=demand, status="closed",
                                   workshop=WorkshopFactory())
    with refused(ValidationError, "Choose a workshop that was accepted.", field="workshop"):
        services.demand_set_status(actor=people["coordinator"], demand=demand, status="answered",
                                   workshop=WorkshopFactory(status="refused"))


def test_the_author_closes_and_reopens_their_request(people):
    demand = make_demand(people["member"])
    services.demand_set_status(actor=people["member"], demand=demand, status="closed")
    assert Demand.objects.get(pk=demand.pk).status == "closed"
    services.demand_set_status(actor=people["member"], demand=demand, status="open")
    assert Demand.objects.get(pk=demand.pk).status == "open"
    assert not Notification.objects.filter(verb="workshops.demand_answered").exists()


@pytest.mark.parametrize("who", ["other", "admin_tarn", "pending"])
def test_others_cannot_change_the_status(people, who):
    demand = make_demand(people["member"])
    with refused(PermissionDenied, "Only its author and the coordination can close this request."):
        services.demand_set_status(actor=people[who], demand=demand, status="closed")


def test_the_local_admin_of_the_territory_closes_it(people):
    demand = make_demand(people["member"])  # in the Lot
    services.demand_set_status(actor=people["admin_lot"], demand=demand, status="closed")
    assert Demand.objects.get(pk=demand.pk).status == "closed"


def test_an_unknown_or_unchanged_status_is_refused(people):
    demand = make_demand(people["member"])
    with refused(ValidationError, "Choose open, answered or closed.", field="status"):
        services.demand_set_status(actor=people["coordinator"], demand=demand, status="done")
    with refused(ValidationError, "This request is already open."):
        services.demand_set_status(actor=people["coordinator"], demand=demand, status="open")


def test_an_accepted_workshop_answers_its_request(people):
    demand = make_demand(people["member"])
    services.demand_vote(actor=people["other"], demand=demand)
    workshop = WorkshopFactory(demand=demand, proposed_by=people["admin_tarn"])
    assert services.demand_answered(workshop=workshop) == demand
    assert Demand.objects.get(pk=demand.pk).status == "answered"
    told = sorted(Notification.objects.filter(verb="workshops.demand_answered").values_list("recipient_id", "url"))
    url = f"/bureau/ateliers/{workshop.pk}/"
    assert told == sorted([(people["member"].pk, url), (people["other"].pk, url)])


def test_a_workshop_without_request_answers_nothing(people):
    with assertions.nothing_saved(state):
        assert services.demand_answered(workshop=WorkshopFactory()) is None


# --- Ranking ------------------------------------------------------------------------------------


def test_the_ranking_most_voices_first_then_the_newest(people):
    now = timezone.now()
    author = people["member"]
    old_three = DemandFactory(title="A", created_by=author, votes=3, created_at=now - timedelta(days=3))
    five = DemandFactory(title="B", created_by=author, votes=5, created_at=now - timedelta(days=5))
    new_three = DemandFactory(title="C", created_by=author, votes=3, created_at=now - timedelta(days=1))
    one = DemandFactory(title="D", created_by=author, votes=1, created_at=now)
    DemandFactory(title="E", created_by=author, votes=10, status="answered")
    DemandVote.objects.create(demand=old_three, user=people["other"])
    ranked = list(services.demands_ranked(user=people["other"]))
    assert [d.title for d in ranked] == ["B", "C", "A", "D"]
    assert [d.voted for d in ranked] == [False, False, True, False]
    assert [d.title for d in services.demands_ranked(user=people["other"], status="answered")] == ["E"]
    assert [d.title for d in services.demands_ranked(user=people["other"], status=None)] == ["E", "B", "C", "A", "D"]
    assert [five, new_three, one]  # built above, named for the reader


def test_the_ranking_filters_theme_and_territory(people):
    paperwork = "Aide aux démarches administratives"
    DemandFactory(title="A", themes=[paperwork], territory=people["lot"], votes=2)
    DemandFactory(title="B", themes=[paperwork, "Loisirs et créations numériques"], territory=people["tarn"], votes=1)
    DemandFactory(title="C", themes=["Loisirs et créations numériques"], territory=people["lot"], votes=3)
    user = people["member"]
    assert [d.title for d in services.demands_ranked(user=user, theme=paperwork)] == ["A", "B"]
    assert [d.title for d in services.demands_ranked(user=user, territory=people["lot"])] == ["C", "A"]
    assert [d.title for d in services.demands_ranked(user=user, theme=paperwork, territory=people["tarn"])] == ["B"]


def test_the_ranking_is_one_query_whatever_the_number_of_requests(people):
    for index in range(15):
        make_demand(UserFactory(), title=f"Sujet {index}")
    with CaptureQueriesContext(connection) as ctx:
        rows = [(d.title, d.voted, str(d.created_by), d.territory.name) for d in
                services.demands_ranked(user=people["member"])]
    assert len(rows) == 15
    assert len(ctx.captured_queries) == 1


# --- Matching members ---------------------------------------------------------------------------


def test_words_and_stems_by_hand():
    assert services.words_of(TABLET) == {"tablette"}  # prise, main: every request's words; d', une: short
    assert services.words_of("Créer son CV avec Word et LibreOffice") == {"creer", "word", "libreoffice"}
    assert services.normalized_title("L’e-mail, enfin !") == "l e mail enfin"
    assert services.stems_match("tablette", "tablettes")
    assert services.stems_match("numeriques", "numerique")
    assert not services.stems_match("main", "maintenance")  # 7 more letters
    assert not services.stems_match("excel", "excellence")
    assert not services.stems_match("tab", "tablette")  # under 4 letters
    assert services.stems_match("table", "tablette")  # the rule's limit: 3 more letters, a prefix


@pytest.fixture
def skilled(people):
    """Members and their skills, against the request "Prise en main d'une tablette"."""
    def member(name, skills, **fields):
        user = UserFactory(display_name=name, **fields)
        user.skills.add(*skills)
        return user

    return {
        "both": member("Zoé Deux", ["Tablette", "tablettes Android", "Excel"]),
        "one": member("Alain Une", ["tablette"]),
        "excel": member("Eve Excel", ["Excel"]),
        "maintenance": member("Marc Maintenance", ["Maintenance informatique"]),
        "pending": member("Pia Attente", ["Tablette"], status="pending"),
        "inactive": member("Ian Inactif", ["Tablettes"], is_active=False),
    }


def test_matching_members_by_hand(people, skilled):
    demand = make_demand(people["member"])
    matches = services.matching_members(demand)
    assert [(m.member.display_name, m.skills) for m in matches] == [
        ("Zoé Deux", ["Tablette", "tablettes Android"]),
        ("Alain Une", ["tablette"]),
    ]


def test_matching_reads_the_description_and_the_themes(people, skilled):
    demand = make_demand(people["member"], title="Tableur", description="Faire ses comptes sur Excel.")
    assert [(m.member.display_name, m.skills) for m in services.matching_members(demand)] == [
        ("Eve Excel", ["Excel"]), ("Zoé Deux", ["Excel"]),
    ]
    member = UserFactory(display_name="Nina Numérique")
    member.skills.add("numérique responsable")
    themed = make_demand(people["member"], title="Sobriété", themes=["Compréhension du monde numérique"])
    assert [(m.member.display_name, m.skills) for m in services.matching_members(themed)] == [
        ("Nina Numérique", ["numérique responsable"]),
    ]


def test_no_word_no_match_and_the_limit(people, skilled):
    assert services.matching_members(make_demand(people["member"], title="Une aide pour moi")) == []
    demand = make_demand(people["member"])
    assert [m.member.display_name for m in services.matching_members(demand, limit=1)] == ["Zoé Deux"]


def test_matching_members_takes_three_queries_whatever_the_number_of_members(people, skilled):
    demand = make_demand(people["member"])
    services.matching_members(demand)  # the content type is cached by the first call
    with CaptureQueriesContext(connection) as small:
        services.matching_members(demand)
    for index in range(10):
        UserFactory(display_name=f"Tab {index}").skills.add("Tablette", f"tablettes {index}", "Excel")
    with CaptureQueriesContext(connection) as large:
        matches = services.matching_members(demand)
    assert len(small.captured_queries) == len(large.captured_queries) == 3
    assert len(matches) == 12
    assert [len(m.skills) for m in matches][:10] == [2] * 10
