"""Onboarding: the dashboard's "Getting started" list, and the waiting page that notices
its approval without a reload.

The list's steps come from the apps (members: profile, follow; workgroups through the
desk: join a group; chat: say hello in the network's room), each ticked from the data,
all read with the dashboard layout in one query. "Masquer" (a POST by the member) hides
it for good; it hides itself once every step is done.
"""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.models import Message
from chat.services import room_for_space
from core import dashboard
from extranet.services import dashboard_layout_save
from extranet.testing import browser
from extranet.testing.factories import MembershipFactory, UserFactory, WorkgroupFactory
from extranet.testing.pages import soup, text_of
from members import onboarding, services
from members.models import Follow, User
from members.spaces import network_space

DISMISS = "/bureau/membres/bien-demarrer/masquer/"
PENDING = "/bureau/en-attente/"
JSON = {"HTTP_ACCEPT": "application/json"}


def checklist(client):
    return soup(client.get("/bureau/")).select_one("main section.onboarding")


def steps(section):
    """[(title, done)] of the list as shown."""
    rows = []
    for li in section.select("li.onboarding__step"):
        title = text_of(li.select_one("h3")).split(" (")[0]
        rows.append((title, "onboarding__step--done" in li["class"]))
    return rows


def complete_profile(user):
    User.objects.filter(pk=user.pk).update(avatar="avatars/2026/12/karim.png", bio="Animateur à Limogne.")
    user.skills.add("Linux")


def say_hello(user):
    room = room_for_space(network_space())
    return Message.objects.create(room=room, author=user, body="Bonjour à tous", html="<p>Bonjour à tous</p>")


# --- The list -------------------------------------------------------------------------------


def test_the_apps_register_four_steps_in_this_order():
    assert [step.key for step in onboarding.steps()] == ["profile", "join-group", "hello", "follow"]


def test_a_new_member_sees_every_step_to_do_with_its_link(member_client, member):
    section = checklist(member_client)
    assert section is not None
    assert re.fullmatch(r"Bien démarrer|Getting started", text_of(section.find("h2")))
    assert [done for _title, done in steps(section)] == [False, False, False, False]
    links = [a["href"] for a in section.select("li.onboarding__step a")]
    network = network_space()
    assert links == ["/bureau/membres/profil/", "/bureau/groupes/",
                     f"/bureau/discussions/espace/{network.pk}/", "/bureau/membres/"]
    assert section.select_one("progress")["value"] == "0"
    assert section.select_one("progress")["max"] == "4"
    assert re.search(r"\b0\b.*\b4\b", text_of(section.select_one(".onboarding__progress")))
    # Not a widget: customising the dashboard neither lists nor moves it.
    assert "onboarding" not in [s.get("aria-labelledby") for s in soup(member_client.get("/bureau/")).select(
        "main section.widget")]


def test_each_step_is_ticked_from_the_data(member_client, member, territory):
    complete_profile(member)
    section = checklist(member_client)
    assert [done for _t, done in steps(section)] == [True, False, False, False]
    # The done step shows no link any more; the others still do.
    assert len(section.select("li.onboarding__step a")) == 3

    MembershipFactory(user=member, workgroup=WorkgroupFactory())
    Follow.objects.create(follower=member, followed=UserFactory(territory=territory))
    assert [done for _t, done in steps(checklist(member_client))] == [True, True, False, True]
    assert checklist(member_client).select_one("progress")["value"] == "3"


def test_a_profile_needs_a_photo_a_bio_and_a_skill(member_client, member):
    User.objects.filter(pk=member.pk).update(avatar="avatars/2026/12/karim.png", bio="Animateur.")
    assert steps(checklist(member_client))[0][1] is False  # no skill yet
    member.skills.add("montage vidéo")
    User.objects.filter(pk=member.pk).update(bio="")
    assert steps(checklist(member_client))[0][1] is False  # no bio
    User.objects.filter(pk=member.pk).update(bio="Animateur.")
    assert steps(checklist(member_client))[0][1] is True


def test_only_a_message_in_the_networks_room_says_hello(member_client, member, territory):
    # A message in the territory's room, or a deleted one in the network's, does not count.
    room_for_space(territory.space)
    Message.objects.create(room=room_for_space(territory.space), author=member, body="Salut", html="<p>Salut</p>")
    assert steps(checklist(member_client))[2][1] is False
    message = say_hello(member)
    assert steps(checklist(member_client))[2][1] is True
    Message.objects.filter(pk=message.pk).update(body="", html="", deleted_at=message.created_at)
    assert steps(checklist(member_client))[2][1] is False


def test_a_group_not_yet_active_does_not_count(member_client, member):
    MembershipFactory(user=member, workgroup=WorkgroupFactory(status="pending"))
    assert steps(checklist(member_client))[1][1] is False


def test_the_list_hides_itself_once_every_step_is_done(member_client, member, territory):
    complete_profile(member)
    MembershipFactory(user=member, workgroup=WorkgroupFactory())
    Follow.objects.create(follower=member, followed=UserFactory(territory=territory))
    say_hello(member)
    assert checklist(member_client) is None
    assert soup(member_client.get("/bureau/")).select("main section.widget")  # the widgets stay


def test_someone_elses_data_does_not_tick_my_steps(member_client, member, territory):
    other = UserFactory(territory=territory)
    complete_profile(other)
    say_hello(other)
    MembershipFactory(user=other, workgroup=WorkgroupFactory())
    Follow.objects.create(follower=other, followed=member)  # being followed is not following
    assert [done for _t, done in steps(checklist(member_client))] == [False, False, False, False]


# --- Hiding it ------------------------------------------------------------------------------------


def test_hide_by_post_hides_the_list_for_good(member_client, member):
    response = member_client.post(DISMISS)
    assert response.status_code == 302
    assert response["Location"] == "/bureau/"
    member.refresh_from_db()
    assert member.onboarding_dismissed_at is not None
    assert checklist(member_client) is None
    first = member.onboarding_dismissed_at
    member_client.post(DISMISS)  # twice: the first date stays
    member.refresh_from_db()
    assert member.onboarding_dismissed_at == first


def test_the_hide_button_is_a_labelled_post_form(member_client):
    form = checklist(member_client).select_one("form")
    assert form["method"] == "post"
    assert form["action"] == DISMISS
    assert form.select_one("input[name=csrfmiddlewaretoken]")
    # (Each half in French or English: the catalogue is compiled by the lead.)
    assert re.fullmatch(r"(Masquer|Hide) (la liste « Bien démarrer »|the getting started list)",
                        text_of(form.select_one("button")))


def test_hide_by_get_is_refused_and_changes_nothing(member_client, member):
    assert member_client.get(DISMISS).status_code == 405
    member.refresh_from_db()
    assert member.onboarding_dismissed_at is None
    assert checklist(member_client) is not None


def test_one_member_hiding_it_leaves_anothers(client, member, territory):
    other = UserFactory(territory=territory)
    client.force_login(other)
    client.post(DISMISS)
    member.refresh_from_db()
    other.refresh_from_db()
    assert member.onboarding_dismissed_at is None
    assert other.onboarding_dismissed_at is not None


def test_the_service_refuses_another_member_pending_people_and_nobody(member, territory, pending_user):
    other = UserFactory(territory=territory)
    for actor, target in [(other, member), (pending_user, pending_user), (None, member)]:
        with pytest.raises(PermissionDenied) as refused:
            services.onboarding_dismiss(actor=actor, member=target)
        assert re.search(r"seul·e|Only you", str(refused.value.args[0]))
    member.refresh_from_db()
    pending_user.refresh_from_db()
    assert member.onboarding_dismissed_at is None
    assert pending_user.onboarding_dismissed_at is None


def test_visitors_and_pending_members_cannot_hide_it(client, pending_client, pending_user):
    response = client.post(DISMISS)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")
    assert pending_client.post(DISMISS)["Location"] == PENDING
    pending_user.refresh_from_db()
    assert pending_user.onboarding_dismissed_at is None


# --- Queries --------------------------------------------------------------------------------------


def dashboard_queries(client):
    client.get("/bureau/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/bureau/")
    return len(ctx.captured_queries)


def test_the_list_costs_no_query_more_than_the_layout(client, member):
    client.force_login(member)
    with_list = dashboard_queries(client)
    assert checklist(client) is not None
    services.onboarding_dismiss(actor=member, member=member)
    client.force_login(User.objects.get(pk=member.pk))
    assert checklist(client) is None
    assert dashboard_queries(client) == with_list


def test_the_list_and_a_saved_layout_are_one_query(client, member, django_assert_max_num_queries):
    reversed_order = list(reversed(dashboard.default_order()))
    dashboard_layout_save(actor=member, order=reversed_order, hidden=["notifications"])
    client.force_login(member)
    page = soup(client.get("/bureau/"))
    keys = [s["aria-labelledby"].removeprefix("widget-") for s in page.select("main section.widget")]
    assert keys == [key for key in reversed_order if key != "notifications"]
    assert page.select_one("main section.onboarding") is not None
    # The desk's pinned dashboard count (extranet/tests/test_views.py MAX_QUERIES) holds with the list.
    with django_assert_max_num_queries(24):  # the dashboard's (extranet/tests/test_views.py)
        client.get("/bureau/")


def test_reading_the_list_alone_is_one_query(member, django_assert_num_queries):
    with django_assert_num_queries(1):
        result = onboarding.checklist_for(member)
    assert (result["done"], result["total"]) == (0, 4)


# --- The waiting page -----------------------------------------------------------------------------


def test_a_pending_member_asks_their_status_as_json(pending_client):
    response = pending_client.get(PENDING, **JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert "Accept" in response["Vary"]
    assert response.json() == {"status": "pending", "message": "", "url": "", "link_text": ""}


def test_once_approved_the_status_says_so_with_the_desks_link(pending_client, pending_user, referent):
    services.member_approve(actor=referent, member=pending_user)
    data = pending_client.get(PENDING, **JSON).json()
    assert data["status"] == "approved"
    assert data["url"] == "/bureau/"
    assert data["message"] in ("Votre adhésion est acceptée. Bienvenue sur Maillage\u00a0!",
                               "Your membership is accepted. Welcome to Maillage!")
    # The page itself, reloaded, leads to the desk.
    assert pending_client.get(PENDING)["Location"] == "/bureau/"


def test_a_refused_member_learns_it_too(pending_client, pending_user, referent):
    services.member_refuse(actor=referent, member=pending_user, reason="Hors territoire.")
    data = pending_client.get(PENDING, **JSON).json()
    assert data["status"] == "refused"
    assert data["url"] == PENDING


def test_a_visitor_asking_the_status_goes_to_the_login_page(client, db):
    response = client.get(PENDING, **JSON)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


def test_an_approved_member_gets_approved_as_json(member_client):
    assert member_client.get(PENDING, **JSON).json()["status"] == "approved"


def test_the_waiting_page_has_a_live_region_and_its_script(pending_client):
    page = soup(pending_client.get(PENDING))
    region = page.select_one("main #membership-status")
    assert region["role"] == "status"
    assert region["aria-live"] == "polite"
    assert region["data-status-url"] == PENDING
    assert page.select_one('script[src$="js/pending.js"]').has_attr("defer")
    assert page.select("main script:not([src])") == []


def test_the_waiting_page_status_costs_no_query_beyond_the_session(pending_client, django_assert_max_num_queries):
    pending_client.get(PENDING, **JSON)
    with django_assert_max_num_queries(2):  # session, user
        pending_client.get(PENDING, **JSON)


# --- In the browser -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, browser.NARROW], ids=["1280", "320"])
def test_the_waiting_page_notices_its_approval_without_a_reload(new_context, viewport):
    from playwright.sync_api import expect

    from extranet.testing.factories import PendingUserFactory, TerritoryFactory

    territory = TerritoryFactory(name="Causses et Vallées")
    waiting = PendingUserFactory(territory=territory, display_name="Romain Espitalier")
    referent = UserFactory(territory=territory, referent_of=[territory])
    context = new_context(viewport=viewport)
    page = context.new_page()
    page.clock.install()
    page.goto("/compte/login/")
    page.locator('input[name="login"]').fill(waiting.email)
    page.locator('input[name="password"]').fill(browser.PASSWORD)
    page.locator('form:has(input[name="password"]) [type="submit"]').first.click()
    page.wait_for_url(re.compile(r"/bureau/en-attente/$"))
    region = page.locator("#membership-status")
    expect(region).to_be_empty()

    page.clock.run_for(30_000)  # a poll while still waiting: nothing to say
    # Its answer has come back (a poll still in flight would make the next one skip).
    expect(region).to_have_attribute("data-checks", "1")
    expect(region).to_be_empty()

    browser.in_thread(services.member_approve, actor=referent, member=waiting)
    page.clock.run_for(30_000)
    expect(region).to_contain_text(re.compile(r"adhésion est acceptée|membership is accepted"))
    link = region.get_by_role("link")
    expect(link).to_have_attribute("href", "/bureau/")
    assert page.url.endswith(PENDING)  # no reload
    assert browser.scroll_width(page) <= viewport["width"]
    link.click()
    page.wait_for_url(re.compile(r"/bureau/$"))
