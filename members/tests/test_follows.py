"""Following members (contacts): services, permission, views, the profile page, the
contacts page, concurrency and query counts.

Sentences are matched loosely (French, or the English msgid where the catalogue may still
lack them).
"""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core.models import Activity, Notification
from core.notifications import VERBS
from extranet.testing.concurrency import run_together
from extranet.testing.factories import TerritoryFactory, UserFactory, VenueFactory
from extranet.testing.pages import soup, text_of
from members import permissions, services
from members.models import Follow, User
from workgroups.models import Membership
from workgroups.services import workgroup_create


def logged_in(user):
    browser = Client()
    browser.force_login(user)
    return browser


def leveled_messages(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def follows():
    return sorted(Follow.objects.values_list("follower__display_name", "followed__display_name"))


@pytest.fixture
def colleague(other_territory):
    return UserFactory(territory=other_territory, display_name="Amina Diallo")


# --- Permission ---------------------------------------------------------------------------------


def test_can_follow(member, colleague, coordinator, referent, pending_user):
    assert permissions.can_follow(member, colleague)
    assert permissions.can_follow(colleague, member)
    assert permissions.can_follow(coordinator, member)
    assert not permissions.can_follow(member, member)  # oneself
    assert not permissions.can_follow(member, pending_user)  # not approved (and hidden)
    assert not permissions.can_follow(referent, pending_user)  # visible to the referent, still not approved
    assert not permissions.can_follow(pending_user, member)  # the follower must be approved


def test_cannot_follow_an_inactive_member(member, colleague):
    User.objects.filter(pk=colleague.pk).update(is_active=False)
    colleague.refresh_from_db()
    assert not permissions.can_follow(member, colleague)


# --- follow_create ------------------------------------------------------------------------------


def test_follow_create(member, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        follow = services.follow_create(actor=member, member=colleague)

    assert (follow.follower, follow.followed) == (member, colleague)
    assert follows() == [("Karim Benali", "Amina Diallo")]
    activity = Activity.objects.get(verb="member.followed")
    assert (activity.actor, activity.target_id, activity.url) == (member, str(colleague.pk),
                                                                   f"/bureau/membres/{colleague.pk}/")
    # The followed member is told, with a link to the new follower's profile.
    notification = Notification.objects.get(recipient=colleague)
    assert notification.verb == "member.followed"
    assert notification.actor == member
    assert notification.url == f"/bureau/membres/{member.pk}/"
    assert notification.text.startswith("Karim Benali ")
    assert "member.followed" in VERBS
    assert not Notification.objects.filter(recipient=member).exists()


def test_follow_create_by_a_pending_member_is_denied(pending_user, colleague):
    with pytest.raises(PermissionDenied):
        services.follow_create(actor=pending_user, member=colleague)
    assert follows() == []


def test_follow_create_of_a_hidden_pending_member_is_denied(member, pending_user):
    # A plain member cannot even see a pending account.
    with pytest.raises(PermissionDenied):
        services.follow_create(actor=member, member=pending_user)
    assert follows() == []


def test_follow_create_of_a_pending_member_is_invalid(referent, pending_user):
    with pytest.raises(ValidationError) as caught:
        services.follow_create(actor=referent, member=pending_user)
    assert "Romain Espitalier" in " ".join(caught.value.messages)
    assert follows() == []
    assert not Notification.objects.filter(verb="member.followed").exists()


def test_follow_create_of_oneself_is_invalid(member):
    with pytest.raises(ValidationError) as caught:
        services.follow_create(actor=member, member=member)
    assert caught.value.messages
    assert follows() == []


def test_following_twice_says_so(member, colleague):
    services.follow_create(actor=member, member=colleague)
    with pytest.raises(ValidationError) as caught:
        services.follow_create(actor=member, member=colleague)
    assert "Amina Diallo" in " ".join(caught.value.messages)
    assert follows() == [("Karim Benali", "Amina Diallo")]
    assert Activity.objects.filter(verb="member.followed").count() == 1
    assert Notification.objects.filter(verb="member.followed").count() == 1


def test_a_follow_that_loses_the_race_says_so(member, colleague):
    """Both passed the check, the other one inserted first: the constraint answers, not a 500.

    The other attempt's row is written for real just after this one's check found none
    (`execute_wrapper` only chooses the moment; every query runs on the real tables).
    """
    statements = []  # the first word of each statement on the follows, in order

    def the_other_follows_right_after_the_check(execute, sql, params, many, context):
        if '"members_follow"' not in sql:
            return execute(sql, params, many, context)
        statements.append(sql.split()[0])
        result = execute(sql, params, many, context)
        if statements == ["SELECT"]:  # this one's check found nothing: the other one inserts now
            Follow.objects.create(follower=member, followed=colleague)
        return result

    with connection.execute_wrapper(the_other_follows_right_after_the_check):
        with pytest.raises(ValidationError) as caught:
            services.follow_create(actor=member, member=colleague)
    # The check, the other one's insert, then this one's, refused by the constraint.
    assert statements == ["SELECT", "INSERT", "INSERT"]
    assert "Amina Diallo" in " ".join(caught.value.messages)
    assert follows() == [("Karim Benali", "Amina Diallo")]
    assert not Activity.objects.filter(verb="member.followed").exists()
    assert not Notification.objects.filter(verb="member.followed").exists()


# --- follow_delete ------------------------------------------------------------------------------


def test_follow_delete(member, colleague):
    services.follow_create(actor=member, member=colleague)
    Follow.objects.create(follower=colleague, followed=member)  # the other direction stays
    services.follow_delete(actor=member, member=colleague)
    assert follows() == [("Amina Diallo", "Karim Benali")]
    activity = Activity.objects.get(verb="member.unfollowed")
    assert (activity.actor, activity.target_id) == (member, str(colleague.pk))


def test_follow_delete_by_a_pending_member_is_denied(pending_user, colleague):
    Follow.objects.create(follower=pending_user, followed=colleague)  # cannot happen through services
    with pytest.raises(PermissionDenied):
        services.follow_delete(actor=pending_user, member=colleague)
    assert follows() == [("Romain Espitalier", "Amina Diallo")]


def test_follow_delete_of_someone_not_followed_is_invalid(member, colleague):
    Follow.objects.create(follower=colleague, followed=member)
    with pytest.raises(ValidationError) as caught:
        services.follow_delete(actor=member, member=colleague)
    assert "Amina Diallo" in " ".join(caught.value.messages)
    assert follows() == [("Amina Diallo", "Karim Benali")]
    assert not Activity.objects.filter(verb="member.unfollowed").exists()


# --- Views ---------------------------------------------------------------------------------------


def test_follow_from_the_profile_page(member_client, member, colleague):
    page = soup(member_client.get(f"/bureau/membres/{colleague.pk}/"))
    form = page.find("form", action=f"/bureau/membres/{colleague.pk}/suivre/")
    assert form is not None
    assert page.find("form", action=f"/bureau/membres/{colleague.pk}/ne-plus-suivre/") is None

    response = member_client.post(f"/bureau/membres/{colleague.pk}/suivre/", follow=True)
    assert response.redirect_chain == [(f"/bureau/membres/{colleague.pk}/", 302)]
    [(level, text)] = leveled_messages(response)
    assert level == "success" and "Amina Diallo" in text
    assert follows() == [("Karim Benali", "Amina Diallo")]
    page = soup(response)
    assert page.find("form", action=f"/bureau/membres/{colleague.pk}/ne-plus-suivre/")
    assert page.find("form", action=f"/bureau/membres/{colleague.pk}/suivre/") is None
    assert re.search(r"\b0\b\D+\b1\b", text_of(page.select_one(".follow-counts")))  # follows 0, followed by 1


def test_unfollow_from_the_profile_page(member_client, member, colleague):
    Follow.objects.create(follower=member, followed=colleague)
    response = member_client.post(f"/bureau/membres/{colleague.pk}/ne-plus-suivre/", follow=True)
    assert response.redirect_chain == [(f"/bureau/membres/{colleague.pk}/", 302)]
    [(level, text)] = leveled_messages(response)
    assert level == "success" and "Amina Diallo" in text
    assert follows() == []


def test_following_twice_through_the_view_shows_a_message(member_client, member, colleague):
    Follow.objects.create(follower=member, followed=colleague)
    response = member_client.post(f"/bureau/membres/{colleague.pk}/suivre/", follow=True)
    [(level, text)] = leveled_messages(response)
    assert level == "error" and "Amina Diallo" in text
    assert follows() == [("Karim Benali", "Amina Diallo")]


def test_unfollowing_someone_not_followed_shows_a_message(member_client, colleague):
    response = member_client.post(f"/bureau/membres/{colleague.pk}/ne-plus-suivre/", follow=True)
    [(level, _text)] = leveled_messages(response)
    assert level == "error"


def test_follow_goes_back_to_a_local_next(member_client, colleague):
    response = member_client.post(f"/bureau/membres/{colleague.pk}/suivre/", {"next": "/bureau/membres/?q=amina"})
    assert response.status_code == 302
    assert response["Location"] == "/bureau/membres/?q=amina"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_follow_ignores_a_foreign_next(member_client, colleague, target):
    response = member_client.post(f"/bureau/membres/{colleague.pk}/suivre/", {"next": target})
    assert response["Location"] == f"/bureau/membres/{colleague.pk}/"
    assert follows() == [("Karim Benali", "Amina Diallo")]


@pytest.mark.parametrize("action", ["suivre", "ne-plus-suivre"])
def test_follow_routes_are_post_only(member_client, member, colleague, action):
    Follow.objects.create(follower=member, followed=colleague)
    assert member_client.get(f"/bureau/membres/{colleague.pk}/{action}/").status_code == 405
    assert follows() == [("Karim Benali", "Amina Diallo")]


@pytest.mark.parametrize("action", ["suivre", "ne-plus-suivre"])
def test_visitors_and_pending_members_cannot_follow(client, pending_client, pending_user, member, colleague, action):
    Follow.objects.create(follower=pending_user, followed=colleague)
    Follow.objects.create(follower=member, followed=colleague)
    before = follows()
    response = client.post(f"/bureau/membres/{colleague.pk}/{action}/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    response = pending_client.post(f"/bureau/membres/{colleague.pk}/{action}/")
    assert response.status_code == 302 and response["Location"] == "/bureau/en-attente/"
    assert follows() == before


@pytest.mark.parametrize("action", ["suivre", "ne-plus-suivre"])
def test_following_a_hidden_or_unknown_member_is_404(member_client, pending_user, action):
    assert member_client.post(f"/bureau/membres/{pending_user.pk}/{action}/").status_code == 404
    assert member_client.post(f"/bureau/membres/999999/{action}/").status_code == 404
    assert follows() == []


def test_a_referent_following_a_pending_member_is_told_why(referent, pending_user):
    response = logged_in(referent).post(f"/bureau/membres/{pending_user.pk}/suivre/", follow=True)
    [(level, text)] = leveled_messages(response)
    assert level == "error" and "Romain Espitalier" in text
    assert follows() == []


def test_the_profile_of_a_pending_member_offers_no_follow_button(referent, pending_user):
    page = soup(logged_in(referent).get(f"/bureau/membres/{pending_user.pk}/"))
    assert page.find("form", action=f"/bureau/membres/{pending_user.pk}/suivre/") is None


def test_my_own_profile_offers_no_follow_button_and_links_my_contacts(member_client, member, colleague):
    Follow.objects.create(follower=colleague, followed=member)
    page = soup(member_client.get(f"/bureau/membres/{member.pk}/"))
    assert page.find("form", action=f"/bureau/membres/{member.pk}/suivre/") is None
    counts = page.select_one(".follow-counts")
    assert counts.find("a", href="/bureau/membres/contacts/")
    assert counts.find("a", href="/bureau/membres/contacts/?liste=abonnes")


def test_profile_counts_follows_of_approved_members(member_client, member, colleague, territory):
    others = [UserFactory(territory=territory) for _ in range(3)]
    for other in others:
        Follow.objects.create(follower=colleague, followed=other)
    Follow.objects.create(follower=others[0], followed=colleague)
    Follow.objects.create(follower=member, followed=colleague)
    gone = UserFactory(territory=territory)
    Follow.objects.create(follower=gone, followed=colleague)
    Follow.objects.create(follower=colleague, followed=gone)
    User.objects.filter(pk=gone.pk).update(is_active=False)  # an account closed since

    counts = text_of(soup(member_client.get(f"/bureau/membres/{colleague.pk}/")).select_one(".follow-counts"))
    assert re.fullmatch(r"\D*\b3\b\D+\b2\b\D*", counts), counts  # follows 3 · followed by 2


def test_directory_cards_have_follow_buttons(member_client, member, colleague, territory):
    followed = UserFactory(territory=territory, display_name="Bruno Vidal")
    Follow.objects.create(follower=member, followed=followed)
    page = soup(member_client.get("/bureau/membres/"))
    assert page.find("form", action=f"/bureau/membres/{colleague.pk}/suivre/")
    assert page.find("form", action=f"/bureau/membres/{followed.pk}/ne-plus-suivre/")
    assert page.find("form", action=f"/bureau/membres/{followed.pk}/suivre/") is None
    # Not myself.
    assert page.find("form", action=re.compile(rf"^/bureau/membres/{member.pk}/")) is None
    form = page.find("form", action=f"/bureau/membres/{colleague.pk}/suivre/")
    # Back to the same page of results, on the card acted on (not a copy of the raw URL).
    assert form.find("input", attrs={"name": "next"})["value"] == f"/bureau/membres/?page=1#member-{colleague.pk}"
    filtered = soup(member_client.get("/bureau/membres/", {"q": "Vidal", "junk": "x" * 5000}))
    next_value = filtered.find("form", action=f"/bureau/membres/{followed.pk}/ne-plus-suivre/").find(
        "input", attrs={"name": "next"})["value"]
    assert next_value.startswith("/bureau/membres/?") and "q=Vidal" in next_value and "junk" not in next_value


# --- Contacts page ---------------------------------------------------------------------------------


def test_contacts_lists_whom_i_follow_and_who_follows_me(member_client, member, territory):
    followed = [UserFactory(territory=territory, display_name=n) for n in ("Zoé Bras", "Alain Roc")]
    follower = UserFactory(territory=territory, display_name="Marie Follower")
    for person in followed:
        Follow.objects.create(follower=member, followed=person)
    Follow.objects.create(follower=follower, followed=member)
    Follow.objects.create(follower=followed[0], followed=member)
    Follow.objects.create(follower=follower, followed=followed[1])  # not about me

    page = soup(member_client.get("/bureau/membres/contacts/"))
    assert [text_of(h) for h in page.select("li.member-card h3")] == ["Alain Roc", "Zoé Bras"]
    assert len(page.find_all("form", action=re.compile(r"/ne-plus-suivre/$"))) == 2
    tabs = page.select_one("nav.contact-tabs")
    assert tabs.find("a", href="/bureau/membres/contacts/")["aria-current"] == "page"
    assert re.search(r"\b2\b", text_of(tabs.find("a", href="/bureau/membres/contacts/")))

    page = soup(member_client.get("/bureau/membres/contacts/?liste=abonnes"))
    assert [text_of(h) for h in page.select("li.member-card h3")] == ["Marie Follower", "Zoé Bras"]
    # Follow back the one I do not follow yet.
    assert page.find("form", action=f"/bureau/membres/{follower.pk}/suivre/")
    assert page.find("form", action=f"/bureau/membres/{followed[0].pk}/ne-plus-suivre/")
    assert page.select_one("nav.contact-tabs a[aria-current=page]")["href"] == "/bureau/membres/contacts/?liste=abonnes"


def test_contacts_leaves_out_accounts_no_longer_active(member_client, member, territory):
    gone = UserFactory(territory=territory, display_name="Parti Ailleurs")
    Follow.objects.create(follower=member, followed=gone)
    Follow.objects.create(follower=gone, followed=member)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    for query in ("", "?liste=abonnes"):
        page = soup(member_client.get("/bureau/membres/contacts/" + query))
        assert page.select("li.member-card") == []
        assert page.select_one("main p.empty")


def test_contacts_empty_states(member_client):
    for query in ("", "?liste=abonnes", "?liste=nimportequoi"):
        response = member_client.get("/bureau/membres/contacts/" + query)
        assert response.status_code == 200
        assert soup(response).select_one("main p.empty")


def test_contacts_is_for_approved_members(client, pending_client):
    assert client.get("/bureau/membres/contacts/")["Location"].startswith("/compte/login/")
    assert pending_client.get("/bureau/membres/contacts/")["Location"] == "/bureau/en-attente/"


def test_contacts_paginates_and_keeps_the_list(member_client, member, territory):
    for i in range(27):
        Follow.objects.create(follower=UserFactory(territory=territory, display_name=f"Abonné {i:02d}"),
                              followed=member)
    page = soup(member_client.get("/bureau/membres/contacts/?liste=abonnes"))
    assert len(page.select("li.member-card")) == 25
    assert page.select_one('.pagination a[rel="next"]')["href"] == "?liste=abonnes&page=2"
    second = soup(member_client.get("/bureau/membres/contacts/?liste=abonnes&page=2"))
    assert [text_of(h) for h in second.select("li.member-card h3")] == ["Abonné 25", "Abonné 26"]


# Session, user, the viewer's local admin territories, unread badge; then the page: the two
# counts (one query), the list's count and page, venues and skills of the page.
CONTACTS_MAX_QUERIES = 9


def _grow_contacts(viewer, territory, factor):
    for _ in range(3 * factor):
        venue = VenueFactory(territory=territory)
        someone = UserFactory(territory=territory, venues=[venue], phone="05 65 00 00 00")
        someone.skills.set(["Linux", f"Compétence {someone.pk}"])
        Follow.objects.create(follower=viewer, followed=someone)
        Follow.objects.create(follower=someone, followed=viewer)


@pytest.mark.parametrize("query", ["", "?liste=abonnes"])
def test_contacts_queries_are_pinned_and_flat(client, member, territory, query, django_assert_max_num_queries):
    client.force_login(member)
    url = "/bureau/membres/contacts/" + query
    _grow_contacts(member, territory, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _grow_contacts(member, territory, 9)
    with CaptureQueriesContext(connection) as large:
        page = soup(client.get(url))
    assert len(small.captured_queries) == len(large.captured_queries) == CONTACTS_MAX_QUERIES
    assert len(page.select("li.member-card")) == 25
    assert len(page.select("li.member-card a[href^='tel:']")) == 25
    with django_assert_max_num_queries(CONTACTS_MAX_QUERIES):
        client.get(url)


# Session, user, referent territories, unread badge; the member, their venues, skills and
# local admin territories (prefetches), the follow counts, the groups.
PROFILE_MAX_QUERIES = 10


def test_profile_queries_are_pinned_and_flat(client, member, colleague, territory):
    client.force_login(member)
    url = f"/bureau/membres/{colleague.pk}/"

    def grow(factor):
        for _ in range(3 * factor):
            other = UserFactory(territory=territory)
            Follow.objects.create(follower=other, followed=colleague)
            Follow.objects.create(follower=colleague, followed=other)
            workgroup_create(actor=colleague, name=f"Groupe {other.pk}", purpose="Échanger.")
            colleague.skills.add(f"Compétence {other.pk}")

    grow(1)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(9)
    with CaptureQueriesContext(connection) as large:
        page = soup(client.get(url))
    assert len(small.captured_queries) == len(large.captured_queries) == PROFILE_MAX_QUERIES
    assert len(page.select(".profile-groups li")) == 30
    assert re.search(r"\b30\b.*\b30\b", text_of(page.select_one(".follow-counts")))


# --- The workgroups on a profile ------------------------------------------------------------------


@pytest.fixture
def groups(member):
    """`member` (Karim) belongs to one group of each visibility, and a colleague's group."""
    return {
        "public": workgroup_create(actor=member, name="Groupe ouvert", purpose="Tout le monde."),
        "private": workgroup_create(actor=member, name="Groupe privé", purpose="Entre nous.",
                                    visibility="private", join_policy="request"),
        "secret": workgroup_create(actor=member, name="Groupe secret", purpose="Chut.",
                                   visibility="secret", join_policy="invitation"),
    }


def groups_on_profile(viewer, member):
    page = soup(logged_in(viewer).get(f"/bureau/membres/{member.pk}/"))
    return [text_of(li) for li in page.select(".profile-groups li")]


def test_a_non_member_sees_only_the_public_groups(member, colleague, groups, territory):
    assert groups_on_profile(colleague, member) == ["Groupe ouvert"]
    # Of the same territory too: being a colleague opens nothing.
    assert groups_on_profile(UserFactory(territory=territory), member) == ["Groupe ouvert"]


def test_a_fellow_member_sees_the_groups_they_share(member, colleague, groups):
    Membership.objects.create(workgroup=groups["private"], user=colleague)
    assert groups_on_profile(colleague, member) == ["Groupe ouvert", "Groupe privé"]
    Membership.objects.create(workgroup=groups["secret"], user=colleague)
    assert groups_on_profile(colleague, member) == ["Groupe ouvert", "Groupe privé", "Groupe secret"]


def test_the_member_sees_all_their_groups(member, groups):
    assert groups_on_profile(member, member) == ["Groupe ouvert", "Groupe privé", "Groupe secret"]


def test_a_coordinator_outside_the_groups_sees_only_the_public_one(member, coordinator, groups):
    assert groups_on_profile(coordinator, member) == ["Groupe ouvert"]


def test_groups_the_member_does_not_belong_to_are_not_listed(member, colleague, groups):
    workgroup_create(actor=colleague, name="Groupe d'Amina", purpose="Autre chose.")
    assert groups_on_profile(colleague, member) == ["Groupe ouvert"]
    assert "Groupe d'Amina" in groups_on_profile(member, colleague)
    assert "Groupe ouvert" not in groups_on_profile(member, colleague)


def test_a_profile_without_groups_says_so(member_client, colleague):
    page = soup(member_client.get(f"/bureau/membres/{colleague.pk}/"))
    assert page.select(".profile-groups li") == []
    assert page.select_one("#groups-title").find_parent("section").select_one("p.empty")


# --- Concurrency -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_parallel_follows_of_the_same_member_make_one_follow():
    territory = TerritoryFactory(name="Pays des Causses")
    follower = UserFactory(territory=territory, display_name="Karim Benali")
    followed = UserFactory(territory=territory, display_name="Amina Diallo")

    def attempt():
        actor, member = User.objects.get(pk=follower.pk), User.objects.get(pk=followed.pk)
        return services.follow_create(actor=actor, member=member).pk

    results = run_together([attempt] * 4)

    assert [r for r in results if r[0] == "error"] == [], results
    assert sorted(r[0] for r in results) == ["invalid", "invalid", "invalid", "ok"]
    assert Follow.objects.filter(follower=follower, followed=followed).count() == 1
    assert Activity.objects.filter(verb="member.followed").count() == 1
    assert Notification.objects.filter(verb="member.followed", recipient=followed).count() == 1
    for _outcome, error in (r for r in results if r[0] == "invalid"):
        assert "Amina Diallo" in " ".join(error.messages)


def test_following_again_after_unfollowing_notifies_only_once(territory):
    follower = UserFactory(territory=territory, display_name="Karim Benali")
    followed = UserFactory(territory=territory, display_name="Amina Diallo")
    for _ in range(3):
        services.follow_create(actor=follower, member=followed)
        services.follow_delete(actor=follower, member=followed)
    assert Notification.objects.filter(recipient=followed, verb="member.followed").count() == 1
