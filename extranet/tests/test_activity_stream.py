"""The activity stream: what followed members and my spaces did, never what I may not see.

`selectors.activity_stream_for(user=...)` keeps the activities of stream verbs
(`register_activity(..., stream=True)`) in spaces the viewer may see, by someone the viewer
follows or in a space the viewer belongs to (`Space.objects.member_of`), never the
viewer's own. Shown on the dashboard (widget "activity-stream", ten entries) and at
/bureau/activite/ (thirty a page).

Workgroups and their memberships are made through workgroups.services, so each
"joined" entry is the one the product records.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.activity import STREAM_VERBS
from core.models import Activity, Space
from extranet import selectors
from extranet.testing.factories import CoordinatorFactory, UserFactory
from extranet.testing.pages import soup, text_of
from extranet.tests.test_views import MAX_QUERIES, _flat
from members.models import Follow, User
from members.spaces import network_space
from workgroups import services as workgroup_services
from workgroups.models import Membership

MAX_QUERIES_ACTIVITY = 6  # session, user, referent territories (navigation), unread badge, count, page


def follow(follower, followed):
    return Follow.objects.create(follower=follower, followed=followed)


def group_joined_by(joiner, *, visibility, name=None, author=None):
    """A group of `visibility` made by `author` (a new member), then joined by `joiner`.

    Public groups are open (joiner joins); private and secret ones are entered by
    invitation (joiner accepts). Each records a "workgroup.joined" entry by `joiner`.
    """
    author = author or UserFactory(territory=joiner.territory, display_name=f"Auteur {visibility}")
    join_policy = {"public": "open", "private": "request", "secret": "invitation"}[visibility]
    group = workgroup_services.workgroup_create(
        actor=author, name=name or f"Groupe {visibility}", purpose="Un groupe pour les tests.",
        visibility=visibility, join_policy=join_policy,
    )
    if visibility == "public":
        workgroup_services.workgroup_join(actor=joiner, workgroup=group)
    else:
        invitation = workgroup_services.invitation_create(actor=author, workgroup=group, invitee=joiner)
        workgroup_services.invitation_accept(actor=joiner, invitation=invitation)
    return group


def joined(user, group):
    return Activity.objects.get(verb="workgroup.joined", actor=user, space=group.space)


def stream(user):
    return list(selectors.activity_stream_for(user=user))


@pytest.fixture
def friend(territory):
    """A member the viewer (conftest `member`) follows."""
    return UserFactory(territory=territory, display_name="Inès Suivie")


@pytest.fixture
def follower(member, friend):
    follow(member, friend)
    return member


# --- Workgroups: the group's visibility decides, a follow never opens a door ----------------------


def test_stream_verbs_used_here_are_registered_as_such():
    assert {"workgroup.joined", "workgroup.created"} <= STREAM_VERBS
    assert "workgroup.updated" not in STREAM_VERBS


def test_a_private_groups_activity_is_hidden_from_a_follower_who_is_not_a_member(follower, friend):
    group = group_joined_by(friend, visibility="private")
    entry = joined(friend, group)
    assert entry.space.can_view(follower) is False
    assert entry not in stream(follower)
    assert stream(follower) == []  # nor the group's creation


def test_a_private_groups_activity_is_seen_by_its_members(follower, friend, territory):
    group = group_joined_by(friend, visibility="private")
    # A member of the group who follows nobody sees it: the group is one of their spaces.
    insider = UserFactory(territory=territory, display_name="Membre du groupe")
    invitation = workgroup_services.invitation_create(actor=group.created_by, workgroup=group, invitee=insider)
    workgroup_services.invitation_accept(actor=insider, invitation=invitation)
    assert Follow.objects.filter(follower=insider).count() == 0
    assert joined(friend, group) in stream(insider)
    # The follower, once a member, sees it too.
    invitation = workgroup_services.invitation_create(actor=group.created_by, workgroup=group, invitee=follower)
    workgroup_services.invitation_accept(actor=follower, invitation=invitation)
    follower.refresh_from_db()
    assert joined(friend, group) in stream(follower)


def test_a_public_groups_activity_by_a_followed_member_is_seen(follower, friend):
    group = group_joined_by(friend, visibility="public")
    assert not Membership.objects.filter(workgroup=group, user=follower).exists()
    assert stream(follower) == [joined(friend, group)]


def test_a_public_groups_activity_by_someone_not_followed_is_not_in_the_stream(member, territory):
    stranger = UserFactory(territory=territory, display_name="Inconnue")
    group = group_joined_by(stranger, visibility="public")
    # Visible (public group), but neither followed nor in one of the viewer's spaces.
    assert group.space.can_view(member)
    assert stream(member) == []


def test_a_secret_groups_activity_is_hidden_from_a_follower_and_seen_by_its_members(follower, friend, territory):
    group = group_joined_by(friend, visibility="secret")
    assert stream(follower) == []
    insider = UserFactory(territory=territory)
    invitation = workgroup_services.invitation_create(actor=group.created_by, workgroup=group, invitee=insider)
    workgroup_services.invitation_accept(actor=insider, invitation=invitation)
    assert joined(friend, group) in stream(insider)


def test_a_follower_who_leaves_a_private_group_stops_seeing_its_activity(follower, friend, territory):
    group = group_joined_by(friend, visibility="private")
    invitation = workgroup_services.invitation_create(actor=group.created_by, workgroup=group, invitee=follower)
    workgroup_services.invitation_accept(actor=follower, invitation=invitation)
    follower.refresh_from_db()
    assert joined(friend, group) in stream(follower)
    workgroup_services.membership_leave(actor=follower, workgroup=group)
    follower.refresh_from_db()
    assert joined(friend, group) not in stream(follower)


@pytest.mark.parametrize("visibility", ["private", "secret"])
def test_a_coordinator_following_someone_does_not_hear_of_their_private_groups(friend, other_territory,
                                                                               visibility):
    """Coordinators may read every group (to moderate it), but a follow does not tell them
    someone's private or secret memberships: the profile does not either."""
    coordinator = CoordinatorFactory(territory=other_territory)
    follow(coordinator, friend)
    group = group_joined_by(friend, visibility=visibility)
    assert group.space.can_view(coordinator)
    assert joined(friend, group) not in stream(coordinator)
    public = group_joined_by(friend, visibility="public")
    assert joined(friend, public) in stream(coordinator)


def test_a_deactivated_member_falls_silent(member, friend):
    follow(member, friend)
    group = group_joined_by(friend, visibility="public")
    assert joined(friend, group) in stream(member)
    type(friend).objects.filter(pk=friend.pk).update(is_active=False)
    assert joined(friend, group) not in stream(member)


# --- Territories, the network, own actions, verbs -------------------------------------------------


def _entry(actor, space, *, verb="workgroup.joined", minutes=0, url="", label="Quelque chose"):
    return Activity.objects.create(
        actor=actor, verb=verb, space=space, target_label=label, url=url,
        created_at=timezone.now() - timedelta(minutes=minutes),
    )


def test_activity_in_another_territorys_space_is_hidden_even_from_a_follower(member, other_territory):
    elsewhere = UserFactory(territory=other_territory, display_name="Ailleurs")
    follow(member, elsewhere)
    hidden = _entry(elsewhere, other_territory.space)
    assert not other_territory.space.can_view(member)
    assert stream(member) == []
    # The people of that territory see it (their space), without following anyone.
    assert hidden in stream(UserFactory(territory=other_territory))


def test_activity_in_my_territory_and_the_network_is_seen_without_following(member, territory, other_territory):
    neighbour = UserFactory(territory=territory)
    here = _entry(neighbour, territory.space, minutes=2)
    everywhere = _entry(UserFactory(territory=other_territory), network_space(), minutes=1)
    assert stream(member) == [everywhere, here]  # newest first


def test_own_activity_is_never_in_ones_stream(member, friend, territory):
    follow(friend, member)
    mine = [_entry(member, territory.space), _entry(member, network_space())]
    group = group_joined_by(member, visibility="public", author=friend)
    # Only the group's creation by `friend` (a space of mine now), none of my own entries.
    assert stream(member) == [Activity.objects.get(verb="workgroup.created", space=group.space)]
    assert joined(member, group).actor_id == member.pk
    # ...but the people who follow me see it.
    assert set(mine) | {joined(member, group)} <= set(stream(friend))


def test_an_activity_without_a_space_is_never_shown(follower, friend):
    _entry(friend, None)
    assert stream(follower) == []


def test_only_stream_verbs_are_shown(follower, friend):
    group = workgroup_services.workgroup_create(
        actor=friend, name="Ouvert", purpose="Un groupe.", visibility="public", join_policy="open"
    )
    workgroup_services.workgroup_update(actor=friend, workgroup=group, purpose="Un autre objet.")
    verbs = {a.verb for a in Activity.objects.filter(actor=friend)}
    assert "workgroup.updated" in verbs
    assert {a.verb for a in stream(follower)} == {"workgroup.created"}


def test_nobody_but_approved_members_has_a_stream(friend, territory, pending_user):
    _entry(friend, network_space())
    follow(pending_user, friend)
    refused = UserFactory(territory=territory, status=User.Status.REFUSED)
    assert stream(AnonymousUser()) == []
    assert stream(pending_user) == []
    assert stream(refused) == []
    assert Space.objects.member_of(pending_user).count() == 0


def test_member_of_lists_network_territories_and_groups_in_one_query(member, territory, other_territory,
                                                                      django_assert_num_queries):
    referent = UserFactory(territory=territory, referent_of=[other_territory])
    group = group_joined_by(referent, visibility="public")
    other_group = group_joined_by(UserFactory(territory=territory), visibility="public", name="Autre")
    with django_assert_num_queries(1):
        spaces = set(Space.objects.member_of(referent))
    assert spaces == {network_space(), territory.space, other_territory.space, group.space}
    assert other_group.space not in spaces
    # A coordinator belongs to their own territory only, though they see every one.
    coordinator = CoordinatorFactory(territory=other_territory)
    assert set(Space.objects.member_of(coordinator)) == {network_space(), other_territory.space}


def test_nothing_in_anyones_stream_is_outside_what_they_may_see(territory, other_territory):
    """Every entry of every stream passes the space's own check (Space.can_view)."""
    people = [UserFactory(territory=territory) for _ in range(3)] + [
        UserFactory(territory=other_territory), CoordinatorFactory(territory=other_territory),
        UserFactory(territory=other_territory, referent_of=[territory]),
    ]
    for follower_ in people:
        for followed in people:
            if follower_ != followed:
                follow(follower_, followed)
    for i, person in enumerate(people):
        group_joined_by(person, visibility=("public", "private", "secret")[i % 3], name=f"G{i}",
                        author=people[(i + 1) % len(people)])
        _entry(person, territory.space)
        _entry(person, other_territory.space)
        _entry(person, None)
    seen = 0
    for viewer in people:
        for activity in selectors.activity_stream_for(user=viewer).select_related("space"):
            assert activity.space.can_view(viewer), (viewer, activity)
            assert activity.actor_id != viewer.pk
            seen += 1
    hidden = sum(
        1 for viewer in people for a in Activity.objects.exclude(actor=viewer).filter(verb__in=STREAM_VERBS)
        if a.space is None or not a.space.can_view(viewer)
    )
    assert seen > 0 and hidden > 0  # the matrix holds both cases


def test_the_stream_is_one_query_with_the_actors(follower, friend, territory, django_assert_num_queries):
    for minutes in range(5):
        _entry(friend, territory.space, minutes=minutes)
    with django_assert_num_queries(1):
        texts = [a.text for a in stream(follower)]
    assert len(texts) == 5 and all("Inès Suivie" in t for t in texts)


# --- Pages -----------------------------------------------------------------------------------------


def test_dashboard_widget_shows_the_latest_ten_entries_with_links(member_client, follower, friend, territory):
    for i in range(12):
        _entry(friend, territory.space, minutes=i, url=f"/bureau/groupes/{i}/", label=f"Groupe {i:02d}")
    page = soup(member_client.get("/bureau/"))
    widget = page.select_one("#widget-activity-stream").find_parent("section")
    assert re.search(r"(?i)activit", text_of(widget.find("h2")))
    items = widget.select("li.activity")
    assert len(items) == 10
    assert "Inès Suivie" in text_of(items[0]) and "Groupe 00" in text_of(items[0])
    assert items[0].find("a")["href"] == "/bureau/groupes/0/"
    assert items[0].find("time")["datetime"]
    assert "Groupe 09" in text_of(items[-1])
    assert widget.find("a", href="/bureau/activite/")


def test_dashboard_widget_says_when_the_stream_is_empty(member_client):
    page = soup(member_client.get("/bureau/"))
    widget = page.select_one("#widget-activity-stream").find_parent("section")
    assert widget.select("li.activity") == []
    assert widget.select_one("p.empty")


def test_activity_page_paginates_by_thirty_newest_first(member_client, follower, friend, territory):
    for i in range(35):
        _entry(friend, territory.space, minutes=i, url=f"/bureau/groupes/{i}/", label=f"Groupe {i:02d}")
    first = soup(member_client.get("/bureau/activite/"))
    items = first.select("main li.activity")
    assert len(items) == 30
    assert "Groupe 00" in text_of(items[0]) and "Groupe 29" in text_of(items[-1])
    assert first.select_one('.pagination a[rel="next"]')["href"] == "?page=2"
    assert first.select_one('nav.desk-nav a[href="/bureau/activite/"]')["aria-current"] == "page"
    second = soup(member_client.get("/bureau/activite/?page=2"))
    assert [li.find("a")["href"] for li in second.select("main li.activity")] == [
        f"/bureau/groupes/{i}/" for i in range(30, 35)
    ]


def test_activity_page_links_only_local_paths(member_client, follower, friend, territory):
    _entry(friend, territory.space, url="javascript:alert(1)", label="Piège", minutes=1)
    _entry(friend, territory.space, url="//ailleurs.example/", label="Ailleurs", minutes=2)
    _entry(friend, territory.space, url="", label="Sans lien", minutes=3)
    items = soup(member_client.get("/bureau/activite/")).select("main li.activity")
    assert ["Piège" in text_of(items[0]), "Ailleurs" in text_of(items[1]), "Sans lien" in text_of(items[2])] == [
        True, True, True
    ]
    assert [li.find("a") for li in items] == [None, None, None]


def test_activity_page_says_when_there_is_nothing(member_client):
    page = soup(member_client.get("/bureau/activite/"))
    assert page.select("main li.activity") == []
    assert page.select_one("main p.empty")


def test_activity_page_is_for_approved_members(client, pending_user):
    response = client.get("/bureau/activite/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    client.force_login(pending_user)
    response = client.get("/bureau/activite/")
    assert response.status_code == 302 and response["Location"] == "/bureau/en-attente/"


# --- Query counts: flat when members, groups, follows and activity grow tenfold ---------------------


def _grow_social(viewer, territory, other_territory, factor):
    """Per unit: members (followed or not), groups of each visibility, follows and activities."""
    for _unit in range(factor):
        followed = UserFactory(territory=territory)
        follow(viewer, followed)
        neighbour = UserFactory(territory=territory)
        stranger = UserFactory(territory=other_territory)
        follow(viewer, stranger)
        for visibility in ("public", "private", "secret"):
            group_joined_by(followed, visibility=visibility, author=neighbour, name=f"{visibility} {followed.pk}")
        group_joined_by(viewer, visibility="public", author=stranger, name=f"Mine {viewer.pk}-{stranger.pk}")
        for minutes in range(3):
            _entry(neighbour, territory.space, minutes=minutes, url=f"/bureau/membres/{neighbour.pk}/")
            _entry(stranger, other_territory.space, minutes=minutes)
            _entry(followed, network_space(), minutes=minutes)


def test_dashboard_queries_stay_flat_as_the_network_grows(client, member, territory, other_territory,
                                                           django_assert_max_num_queries):
    client.force_login(member)
    page = _flat(client, "/bureau/", lambda f: _grow_social(member, territory, other_territory, f))
    assert len(page.select("#widget-activity-stream ~ ul li.activity")) == 10
    with django_assert_max_num_queries(MAX_QUERIES["dashboard"]):
        client.get("/bureau/")


def test_activity_page_queries_are_pinned_and_flat(client, member, territory, other_territory,
                                                   django_assert_max_num_queries):
    client.force_login(member)
    page = _flat(client, "/bureau/activite/", lambda f: _grow_social(member, territory, other_territory, f))
    assert len(page.select("main li.activity")) == 30
    with django_assert_max_num_queries(MAX_QUERIES_ACTIVITY):
        client.get("/bureau/activite/")


def test_activity_page_queries_for_a_coordinator(client, other_territory, territory, django_assert_max_num_queries):
    coordinator = CoordinatorFactory(territory=other_territory)
    client.force_login(coordinator)
    _flat(client, "/bureau/activite/", lambda f: _grow_social(coordinator, other_territory, territory, f))
    with django_assert_max_num_queries(MAX_QUERIES_ACTIVITY):
        client.get("/bureau/activite/")

