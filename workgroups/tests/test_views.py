"""Workgroup pages: what each person sees and can do, through the HTTP layer."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import Activity, Notification
from extranet.testing.assertions import png
from extranet.testing.factories import UserFactory
from extranet.testing.pages import measure_queries, messages_of, soup, text_of
from workgroups import services
from workgroups.models import GroupInvitation, JoinRequest, Membership, Workgroup, WorkgroupSettings


@pytest.fixture
def manager(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Nadia Vidal")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def make_group(manager, **kwargs):
    kwargs.setdefault("name", "Fracture numérique")
    kwargs.setdefault("purpose", "Partager nos pratiques d'accompagnement.")
    return services.workgroup_create(actor=manager, **kwargs)


# --- Creation --------------------------------------------------------------------------------


def test_a_member_proposes_a_group_and_manages_it(member_client, member, territory):
    response = member_client.post("/bureau/groupes/nouveau/", {
        "name": "Atelier vidéo", "purpose": "Monter des tutoriels.", "territory": territory.pk,
        "tags_text": "montage vidéo, tutoriels", "visibility": "private", "join_policy": "request",
        "cover": png("couverture.png", size=(40, 20)),
    })
    group = Workgroup.objects.get(name="Atelier vidéo")
    assert response.status_code == 302 and response["Location"] == f"/bureau/groupes/{group.pk}/"
    assert group.status == Workgroup.Status.ACTIVE
    assert group.cover.name.startswith("workgroups/covers/")
    assert sorted(t.name for t in group.tags.all()) == ["montage vidéo", "tutoriels"]
    assert Membership.objects.get(workgroup=group, user=member).role == Membership.Role.MANAGER
    page = soup(member_client.get(f"/bureau/groupes/{group.pk}/"))
    assert text_of(page.select_one("h1")) == "Atelier vidéo"
    assert page.select_one(f"a[href='/bureau/groupes/{group.pk}/modifier/']") is not None
    group.cover.delete(save=False)


def test_a_secret_open_group_is_refused_with_a_message_and_nothing_saved(member_client):
    response = member_client.post("/bureau/groupes/nouveau/", {
        "name": "Cercle discret", "purpose": "…", "visibility": "secret", "join_policy": "open",
    })
    assert response.status_code == 200
    errors = text_of(soup(response).select_one(".field--error"))
    assert "invitation" in errors
    assert not Workgroup.objects.filter(name="Cercle discret").exists()


def test_a_file_that_is_not_an_image_is_refused_as_cover(member_client):
    response = member_client.post("/bureau/groupes/nouveau/", {
        "name": "Atelier", "purpose": "Oui.", "visibility": "public", "join_policy": "open",
        "cover": SimpleUploadedFile("virus.png", b"<script>alert(1)</script>", content_type="image/png"),
    })
    assert response.status_code == 200
    assert soup(response).select_one(".field--error input[type=file]") is not None
    assert not Workgroup.objects.filter(name="Atelier").exists()


def test_with_approval_required_a_proposed_group_waits_and_a_local_admin_approves_it(
        member_client, member, referent_client, referent, territory):
    settings_row = WorkgroupSettings.load()
    settings_row.creation_needs_approval = True
    settings_row.save()
    member_client.post("/bureau/groupes/nouveau/", {
        "name": "Inclusion", "purpose": "Oui.", "territory": territory.pk, "visibility": "public",
        "join_policy": "open",
    })
    group = Workgroup.objects.get(name="Inclusion")
    assert group.status == Workgroup.Status.PENDING
    assert Notification.objects.filter(recipient=referent, verb="workgroup.proposed").count() == 1
    # Not listed to others yet; listed to the approver under "waiting for approval".
    assert "Inclusion" not in text_of(soup(referent_client.get("/bureau/groupes/")).select_one("main"))
    assert "Inclusion" in text_of(soup(referent_client.get("/bureau/groupes/?filtre=proposes")).select_one("main"))
    response = referent_client.post(f"/bureau/groupes/{group.pk}/approuver/")
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.status == Workgroup.Status.ACTIVE
    assert Notification.objects.filter(recipient=member, verb="workgroup.approved").count() == 1


# --- Seeing a group --------------------------------------------------------------------------


def test_a_secret_group_is_a_404_for_a_non_member_on_every_route(manager, member_client):
    group = make_group(manager, visibility="secret", join_policy="invitation")
    for path in ("", "membres/", "activite/", "quitter/", "modifier/"):
        assert member_client.get(f"/bureau/groupes/{group.pk}/{path}").status_code == 404, path
    for path in ("rejoindre/", "demander/", "inviter/", "archiver/"):
        assert member_client.post(f"/bureau/groupes/{group.pk}/{path}").status_code == 404, path
    missing = Workgroup.objects.order_by("-pk").first().pk + 1000
    assert member_client.get(f"/bureau/groupes/{missing}/").status_code == 404
    assert Membership.objects.filter(workgroup=group).count() == 1
    assert "Fracture" not in member_client.get("/bureau/groupes/").content.decode()


def test_a_private_group_shows_its_purpose_but_not_its_content(manager, member_client):
    group = make_group(manager, visibility="private", join_policy="request")
    page = soup(member_client.get(f"/bureau/groupes/{group.pk}/"))
    main = text_of(page.select_one("main"))
    assert "Partager nos pratiques" in main
    assert "visible to its members only" in main or "réservé" in main or "membres" in main
    assert page.select_one("#members-title") is None and page.select_one("#activity-title") is None
    assert member_client.get(f"/bureau/groupes/{group.pk}/membres/").status_code == 403
    assert member_client.get(f"/bureau/groupes/{group.pk}/activite/").status_code == 403


def test_the_listing_filters_and_keeps_them_in_the_pagination(member_client, member, manager, territory,
                                                             other_territory):
    for i in range(23):
        make_group(manager, name=f"Groupe {i:02d}", territory=territory, tags=["linux"])
    make_group(manager, name="Ailleurs", territory=None, tags=["vidéo"])
    make_group(member, name="Le mien", tags=["vidéo"])
    archived = make_group(manager, name="Ancien")
    services.workgroup_archive(actor=manager, workgroup=archived)

    page = soup(member_client.get("/bureau/groupes/"))
    names = [text_of(h) for h in page.select(".group h2")]
    assert len(names) == 20 and "Ancien" not in names
    next_link = page.select_one("a[rel=next]")["href"]
    assert next_link == "?page=2"

    page = soup(member_client.get(f"/bureau/groupes/?territoire={territory.pk}&page=2"))
    assert [text_of(h) for h in page.select(".group h2")] == ["Groupe 20", "Groupe 21", "Groupe 22"]
    assert page.select_one("a[rel=prev]")["href"] == f"?territoire={territory.pk}&page=1"

    mine = soup(member_client.get("/bureau/groupes/?filtre=mes-groupes"))
    assert [text_of(h) for h in mine.select(".group h2")] == ["Le mien"]
    tagged = soup(member_client.get("/bureau/groupes/", {"tag": "vidéo"}))
    assert [text_of(h) for h in tagged.select(".group h2")] == ["Ailleurs", "Le mien"]
    searched = soup(member_client.get("/bureau/groupes/?q=groupe 1"))
    assert len(searched.select(".group h2")) == 10
    old = soup(member_client.get("/bureau/groupes/?filtre=archives"))
    assert [text_of(h) for h in old.select(".group h2")] == ["Ancien"]
    joinable = soup(member_client.get("/bureau/groupes/?filtre=ouverts"))
    assert "Le mien" not in [text_of(h) for h in joinable.select(".group h2")]


def test_a_5000_character_search_is_answered(member_client, manager):
    make_group(manager)
    response = member_client.get("/bureau/groupes/", {"q": "x" * 5000, "territoire": "abc", "filtre": "zzz"})
    assert response.status_code == 200
    assert soup(response).select(".group") == []


def _grow_groups(manager, territory, factor):
    for i in range(3 * factor):
        group = make_group(manager, name=f"G{factor}-{i}", territory=territory, tags=[f"t{i}", "commun"])
        for _ in range(2):
            services.workgroup_join(actor=UserFactory(territory=territory), workgroup=group)


@pytest.mark.parametrize("url", ["/bureau/groupes/", "/bureau/groupes/?tag=commun&q=G"])
def test_the_listing_query_count_is_flat_when_groups_grow_tenfold(member_client, manager, territory, url):
    _grow_groups(manager, territory, 1)
    member_client.get(url)
    small, _ = measure_queries(member_client, url)
    _grow_groups(manager, territory, 9)
    large, page = measure_queries(member_client, url)
    assert len(page.select(".group")) == 20
    assert small == large, f"{small} queries with small data, {large} with 10x"
    assert large <= 10


def test_the_group_page_and_members_page_query_counts_are_flat(manager_client, manager, territory):
    group = make_group(manager, territory=territory, tags=["a", "b"])
    url = f"/bureau/groupes/{group.pk}/"

    def grow(n):
        for _ in range(5 * n):
            user = UserFactory(territory=territory)
            services.workgroup_join(actor=user, workgroup=group)

    grow(1)
    manager_client.get(url)
    small = (measure_queries(manager_client, url)[0], measure_queries(manager_client, url + "membres/")[0])
    grow(9)
    large_detail, page = measure_queries(manager_client, url)
    large_members, members_page = measure_queries(manager_client, url + "membres/")
    assert len(page.select("#members-title ~ ul li")) == 12
    assert len(members_page.select("tbody tr")) == 50
    assert small == (large_detail, large_members)
    # Pinned (as the group's manager, who also sees requests and the invite form): the
    # viewer's role and invitation, the group, tags, managers, members, activity, counts.
    assert large_detail <= 15 and large_members <= 14


# --- Joining, requests, invitations ----------------------------------------------------------


def test_joining_an_open_group(member_client, member, manager):
    group = make_group(manager)
    response = member_client.post(f"/bureau/groupes/{group.pk}/rejoindre/")
    assert response.status_code == 302
    assert Membership.objects.filter(workgroup=group, user=member, role="member").exists()
    assert Notification.objects.filter(recipient=manager, verb="workgroup.joined").count() == 1
    again = member_client.post(f"/bureau/groupes/{group.pk}/rejoindre/", follow=True)
    assert any("déjà membre" in m or "already a member" in m for m in messages_of(again))
    assert Membership.objects.filter(workgroup=group, user=member).count() == 1


def test_request_then_accept_then_the_content_appears(member_client, member, manager_client, manager):
    group = make_group(manager, visibility="private", join_policy="request")
    member_client.post(f"/bureau/groupes/{group.pk}/demander/", {"message": "Je coordonne un PAPI."})
    join_request = JoinRequest.objects.get(workgroup=group, user=member)
    assert join_request.status == JoinRequest.Status.PENDING
    twice = member_client.post(f"/bureau/groupes/{group.pk}/demander/", {"message": "Encore"}, follow=True)
    assert messages_of(twice) and JoinRequest.objects.filter(workgroup=group, user=member).count() == 1
    members_page = soup(manager_client.get(f"/bureau/groupes/{group.pk}/membres/"))
    assert "Je coordonne un PAPI." in text_of(members_page.select_one(f"#request-{join_request.pk}"))
    manager_client.post(f"/bureau/groupes/demandes/{join_request.pk}/accepter/", {"response": "Bienvenue"})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.ACCEPTED and join_request.response == "Bienvenue"
    assert Notification.objects.filter(recipient=member, verb="workgroup.request_accepted").count() == 1
    page = soup(member_client.get(f"/bureau/groupes/{group.pk}/"))
    assert page.select_one("#members-title") is not None


def test_a_member_cannot_decide_on_a_request(member_client, member, manager):
    group = make_group(manager, join_policy="request")
    other = UserFactory()
    join_request = services.join_request_create(actor=other, workgroup=group)
    response = member_client.post(f"/bureau/groupes/demandes/{join_request.pk}/accepter/")
    assert response.status_code == 403
    assert "managers" in text_of(soup(response).select_one("main")) or "gestionnaires" in response.content.decode()
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.PENDING
    assert not Membership.objects.filter(workgroup=group, user=other).exists()


def test_invite_then_accept_an_invitation(manager_client, manager, member_client, member):
    group = make_group(manager, visibility="secret", join_policy="invitation")
    assert member_client.get(f"/bureau/groupes/{group.pk}/").status_code == 404
    manager_client.post(f"/bureau/groupes/{group.pk}/inviter/", {"invitee": member.pk, "message": "Rejoins-nous"})
    invitation = GroupInvitation.objects.get(workgroup=group, user=member)
    twice = manager_client.post(f"/bureau/groupes/{group.pk}/inviter/", {"invitee": member.pk}, follow=True)
    assert messages_of(twice)
    assert GroupInvitation.objects.filter(workgroup=group, user=member).count() == 1
    # The invitee now knows the group exists, and finds the invitation.
    assert member_client.get(f"/bureau/groupes/{group.pk}/").status_code == 200
    listing = soup(member_client.get("/bureau/groupes/invitations/"))
    assert "Fracture numérique" in text_of(listing.select_one("main"))
    member_client.post(f"/bureau/groupes/invitations/{invitation.pk}/accepter/")
    assert Membership.objects.filter(workgroup=group, user=member).exists()
    assert Notification.objects.filter(recipient=manager, verb="workgroup.invitation_accepted").count() == 1


def test_an_expired_invitation_says_so_and_changes_nothing(manager, member_client, member):
    group = make_group(manager, join_policy="invitation")
    invitation = services.invitation_create(actor=manager, workgroup=group, invitee=member)
    GroupInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = member_client.post(f"/bureau/groupes/invitations/{invitation.pk}/accepter/", follow=True)
    assert any("expir" in m for m in messages_of(response))
    assert not Membership.objects.filter(workgroup=group, user=member).exists()


def test_someone_elses_invitation_is_a_404(manager, member_client, territory):
    group = make_group(manager, join_policy="invitation")
    invitation = services.invitation_create(actor=manager, workgroup=group, invitee=UserFactory(territory=territory))
    assert member_client.post(f"/bureau/groupes/invitations/{invitation.pk}/accepter/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == GroupInvitation.Status.PENDING


# --- Leaving, roles, archive ------------------------------------------------------------------


def test_the_last_manager_names_a_successor_to_leave(manager_client, manager, member):
    group = make_group(manager)
    services.workgroup_join(actor=member, workgroup=group)
    page = soup(manager_client.get(f"/bureau/groupes/{group.pk}/quitter/"))
    assert page.select_one("select[name=successor]") is not None
    refused = manager_client.post(f"/bureau/groupes/{group.pk}/quitter/", {})
    assert refused.status_code == 200 and soup(refused).select_one(".errorlist") is not None
    assert Membership.objects.filter(workgroup=group, user=manager).exists()
    response = manager_client.post(f"/bureau/groupes/{group.pk}/quitter/", {"successor": member.pk})
    assert response.status_code == 302
    assert list(Membership.objects.filter(workgroup=group).values_list("user_id", "role")) == [(member.pk, "manager")]


def test_a_manager_cannot_remove_the_last_manager(coordinator_client, manager):
    group = make_group(manager)
    response = coordinator_client.post(f"/bureau/groupes/{group.pk}/membres/{manager.pk}/retirer/", follow=True)
    assert any("manager" in m or "gestionnaire" in m for m in messages_of(response))
    assert Membership.objects.filter(workgroup=group, user=manager, role="manager").exists()


def test_promote_and_remove_members(manager_client, manager, member):
    group = make_group(manager)
    services.workgroup_join(actor=member, workgroup=group)
    manager_client.post(f"/bureau/groupes/{group.pk}/membres/{member.pk}/role/", {"role": "manager"})
    assert Membership.objects.get(workgroup=group, user=member).role == "manager"
    manager_client.post(f"/bureau/groupes/{group.pk}/membres/{member.pk}/retirer/")
    assert not Membership.objects.filter(workgroup=group, user=member).exists()
    assert Notification.objects.filter(recipient=member, verb="workgroup.removed").count() == 1


def test_an_archived_group_is_read_only_and_can_be_reopened(manager_client, manager, member_client):
    group = make_group(manager)
    manager_client.post(f"/bureau/groupes/{group.pk}/archiver/")
    group.refresh_from_db()
    assert group.archived_at is not None
    edit = manager_client.get(f"/bureau/groupes/{group.pk}/modifier/", follow=True)
    assert any("archiv" in m for m in messages_of(edit))
    join = member_client.post(f"/bureau/groupes/{group.pk}/rejoindre/", follow=True)
    assert any("archiv" in m for m in messages_of(join))
    assert Membership.objects.filter(workgroup=group).count() == 1
    past = manager_client.post(f"/bureau/groupes/{group.pk}/rouvrir/",
                               {"end_date": (timezone.localdate() - timedelta(days=1)).isoformat()}, follow=True)
    assert messages_of(past)
    group.refresh_from_db()
    assert group.archived_at is not None
    manager_client.post(f"/bureau/groupes/{group.pk}/rouvrir/", {"end_date": ""})
    group.refresh_from_db()
    assert group.archived_at is None and not group.is_archived


def test_a_group_past_its_end_date_is_archived_by_the_command(manager, member):
    from django.core.management import call_command

    group = make_group(manager, end_date=timezone.localdate() + timedelta(days=3))
    services.workgroup_join(actor=member, workgroup=group)
    Workgroup.objects.filter(pk=group.pk).update(end_date=timezone.localdate() - timedelta(days=1))
    group.refresh_from_db()
    assert group.is_archived and group.archived_at is None  # read-only already
    out = io.StringIO()
    call_command("archive_workgroups", stdout=out)
    group.refresh_from_db()
    assert group.archived_at is not None
    assert "1" in out.getvalue()
    assert Activity.objects.filter(space=group.space, verb="workgroup.archived").count() == 1
    assert Notification.objects.filter(recipient=member, verb="workgroup.archived").count() == 1
    call_command("archive_workgroups", stdout=io.StringIO())
    assert Activity.objects.filter(space=group.space, verb="workgroup.archived").count() == 1


def test_coordinators_set_the_approval_rule_in_the_cms(coordinator_client):
    """The network setting lives at /cms/settings/ and the Coordination group may change it."""
    url = "/cms/settings/workgroups/workgroupsettings/"
    page = coordinator_client.get(url, follow=True)
    assert page.status_code == 200 and page.redirect_chain[-1][0].startswith(url)
    assert b'name="creation_needs_approval"' in page.content
    response = coordinator_client.post(page.redirect_chain[-1][0], {"creation_needs_approval": "on"})
    assert response.status_code == 302
    assert WorkgroupSettings.load().creation_needs_approval is True


def test_plain_members_cannot_reach_the_setting(member_client):
    response = member_client.get("/cms/settings/workgroups/workgroupsettings/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    assert WorkgroupSettings.load().creation_needs_approval is False


# --- Found in review ----------------------------------------------------------------------


def test_an_expired_invitation_no_longer_reveals_a_secret_group(manager, member_client, member):
    group = make_group(manager, visibility="secret", join_policy="invitation")
    invitation = services.invitation_create(actor=manager, workgroup=group, invitee=member)
    assert member_client.get(f"/bureau/groupes/{group.pk}/").status_code == 200
    GroupInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=30))
    assert member_client.get(f"/bureau/groupes/{group.pk}/").status_code == 404
    assert "Fracture" not in member_client.get("/bureau/groupes/").content.decode()


def test_the_invite_search_does_not_match_a_hidden_email(manager_client, manager, territory):
    group = make_group(manager)
    UserFactory(territory=territory, display_name="Personne Discrète", email="cachee@exemple.test",
                email_visibility="private")
    page = soup(manager_client.get(f"/bureau/groupes/{group.pk}/membres/", {"chercher": "cachee@exemple.test"}))
    assert page.select_one("select[name=invitee]") is None
    by_name = soup(manager_client.get(f"/bureau/groupes/{group.pk}/membres/", {"chercher": "discrète"}))
    assert "Personne Discrète" in text_of(by_name.select_one("select[name=invitee]"))


@pytest.mark.parametrize("params", [{"chercher": "a\x00b"}, {"chercher": "\x00" * 10}])
def test_control_characters_in_the_invite_search_are_dropped(manager_client, manager, params):
    group = make_group(manager)
    assert manager_client.get(f"/bureau/groupes/{group.pk}/membres/", params).status_code == 200


def test_control_characters_in_the_listing_filters_are_dropped(member_client, manager):
    make_group(manager, tags=["linux"])
    response = member_client.get("/bureau/groupes/", {"q": "Frac\x00ture", "tag": "li\x00nux"})
    assert response.status_code == 200
    assert [text_of(h) for h in soup(response).select(".group h2")] == ["Fracture numérique"]


def test_a_refusal_reason_with_a_nul_byte_is_refused_with_a_message(coordinator_client, member, settings):
    settings_row = WorkgroupSettings.load()
    settings_row.creation_needs_approval = True
    settings_row.save()
    group = make_group(member)
    assert group.status == Workgroup.Status.PENDING
    response = coordinator_client.post(f"/bureau/groupes/{group.pk}/refuser/", {"reason": "non\x00"}, follow=True)
    assert response.status_code == 200 and messages_of(response)
    group.refresh_from_db()
    assert group.status == Workgroup.Status.PENDING


def test_inviting_someone_already_invited_says_so(manager_client, manager, member):
    group = make_group(manager, join_policy="invitation")
    services.invitation_create(actor=manager, workgroup=group, invitee=member)
    response = manager_client.post(f"/bureau/groupes/{group.pk}/inviter/", {"invitee": member.pk}, follow=True)
    assert any("déjà invité" in m or "already invited" in m for m in messages_of(response))


def test_a_refused_requester_reads_the_managers_answer(member_client, member, manager):
    group = make_group(manager, join_policy="request")
    join_request = services.join_request_create(actor=member, workgroup=group)
    services.join_request_refuse(actor=manager, join_request=join_request, response="Le groupe est complet.")
    page = soup(member_client.get(f"/bureau/groupes/{group.pk}/"))
    assert "Le groupe est complet." in text_of(page.select_one("main"))


def test_a_manager_beside_a_deactivated_comanager_is_still_the_last_one(manager_client, manager, member):
    from members.models import User

    group = make_group(manager)
    services.workgroup_join(actor=member, workgroup=group)
    services.membership_set_role(actor=manager, workgroup=group, member=member, role="manager")
    User.objects.filter(pk=member.pk).update(status=User.Status.REFUSED)
    page = soup(manager_client.get(f"/bureau/groupes/{group.pk}/quitter/"))
    assert page.select_one("select[name=successor]") is not None
    manager_client.post(f"/bureau/groupes/{group.pk}/quitter/", {})
    assert Membership.objects.filter(workgroup=group, user=manager, role="manager").exists()


def test_the_only_member_is_told_to_invite_or_archive_instead_of_leaving(manager_client, manager):
    group = make_group(manager)
    page = soup(manager_client.get(f"/bureau/groupes/{group.pk}/quitter/"))
    assert page.select_one("main form button[type=submit]") is None
    assert page.select_one(f"a[href='/bureau/groupes/{group.pk}/membres/']") is not None
