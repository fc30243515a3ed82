"""Member views, through the real forms and URLs: signup, approval, invitations,
profiles and roles.

E-mails sent by services leave on transaction commit: the requests that send them run
inside `django_capture_on_commit_callbacks(execute=True)`. Sentences are matched loosely
(French, or the English msgid where the catalogue may still lack them).
"""

import io
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from core.models import Notification
from extranet.testing.factories import PASSWORD, UserFactory, VenueFactory
from extranet.testing.pages import soup, text_of
from members import selectors
from members.models import Invitation, User

NEW_PASSWORD = "Causses-et-vallees-2024!"


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def leveled_messages(response):
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


def logged_in(user):
    """A separate browser for `user` (the `*_client` fixtures share one client)."""
    browser = Client()
    browser.force_login(user)
    return browser


def field_errors(response, name):
    """The error texts shown for the form field `name` (project forms: `id_<name>_errors`;
    allauth's forms, rendered by Django: `id_<name>_error`)."""
    errors = soup(response).select_one(f"#id_{name}_errors, #id_{name}_error")
    return text_of(errors) if errors else ""


# --- Signup (allauth's form, with the project's fields) ---------------------------------------


def signup_data(territory, venue=None, **overrides):
    data = {
        "display_name": "Léa Fabre",
        "email": "lea.fabre@exemple.test",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "territory": territory.pk,
        "venue": venue.pk if venue else "",
    }
    data.update(overrides)
    return data


def test_signup_form_has_the_projects_fields_in_order(client, db):
    page = soup(client.get("/compte/signup/"))
    form = page.select_one("main form[method=post]")
    names = [f["name"] for f in form.select("input, select") if f.get("type") not in ("hidden", "submit")]
    assert names == ["display_name", "email", "password1", "password2", "territory", "venue"]


def test_signup_creates_a_pending_member_and_sends_a_verification_email(
    client, territory, venue, referent, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/signup/", signup_data(territory, venue))
    assert response.status_code == 302
    assert response["Location"] == "/compte/confirm-email/"

    user = User.objects.get(email="lea.fabre@exemple.test")
    assert user.status == User.Status.PENDING
    assert user.display_name == "Léa Fabre"
    assert user.territory == territory
    assert list(user.venues.all()) == [venue]
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.email == "lea.fabre@exemple.test"
    assert not address.verified

    verification = [m for m in outbox if m.to == ["lea.fabre@exemple.test"]]
    assert len(verification) == 1
    assert re.search(r"/compte/confirm-email/[-:\w]+/", verification[0].body)
    # Nobody is asked to approve an address not yet proved.
    assert not Notification.objects.filter(verb="member.requested", target_id=str(user.pk)).exists()


def test_signup_with_a_taken_address_says_so_and_creates_nothing(client, member, territory, outbox):
    users = User.objects.count()
    response = client.post("/compte/signup/", signup_data(territory, email=member.email.upper()))
    assert response.status_code == 200
    errors = field_errors(response, "email")
    # allauth's message, translated into French by its own catalogue.
    assert re.search(r"déjà|already", errors), errors
    assert User.objects.count() == users
    assert EmailAddress.objects.filter(email__iexact=member.email).count() == 1
    assert outbox == []


def test_signup_with_a_venue_of_another_territory_is_refused(client, territory, other_territory, outbox):
    elsewhere = VenueFactory(territory=other_territory, name="Médiathèque du Lys")
    response = client.post("/compte/signup/", signup_data(territory, elsewhere))
    assert response.status_code == 200
    errors = field_errors(response, "venue")
    assert re.search(r"not in the territory|ne fait pas partie du territoire", errors), errors
    assert not User.objects.filter(email="lea.fabre@exemple.test").exists()
    assert outbox == []


def test_signup_requires_a_territory(client, territory, outbox):
    response = client.post("/compte/signup/", {**signup_data(territory), "territory": ""})
    assert response.status_code == 200
    assert field_errors(response, "territory")
    assert not User.objects.filter(email="lea.fabre@exemple.test").exists()


def test_after_confirming_the_email_login_lands_on_the_waiting_page(
    client, territory, venue, referent, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/signup/", signup_data(territory, venue))
    (mail,) = [m for m in outbox if m.to == ["lea.fabre@exemple.test"]]
    link = re.search(r"(/compte/confirm-email/[-:\w]+/)", mail.body).group(1)

    # The link is opened later, in another browser.
    browser = Client()
    confirm_page = browser.get(link)
    assert confirm_page.status_code == 200
    assert confirm_page.context["confirmation"] is not None
    browser.post(link)
    assert EmailAddress.objects.get(email="lea.fabre@exemple.test").verified
    # Now the local admin of the territory is told a request waits, once.
    user = User.objects.get(email="lea.fabre@exemple.test")
    assert Notification.objects.filter(recipient=referent, verb="member.requested",
                                       target_id=str(user.pk)).count() == 1
    assert list(selectors.pending_members_for(actor=referent)) == [user]

    response = browser.post("/compte/login/", {"login": "lea.fabre@exemple.test", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/bureau/en-attente/"
    waiting = browser.get("/bureau/")
    assert waiting["Location"] == "/bureau/en-attente/"
    page = soup(browser.get("/bureau/en-attente/"))
    assert "Léa Fabre" in text_of(page.select_one("dl.summary"))


def test_login_before_confirming_the_email_is_held_back(client, territory, venue, outbox,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/signup/", signup_data(territory, venue))
    browser = Client()
    response = browser.post("/compte/login/", {"login": "lea.fabre@exemple.test", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/compte/confirm-email/"
    assert browser.get("/bureau/en-attente/")["Location"].startswith("/compte/login/")


# --- Approval ------------------------------------------------------------------------------------


def test_referent_approves_a_request(referent_client, referent, pending_user, outbox,
                                     django_capture_on_commit_callbacks):
    page = soup(referent_client.get("/bureau/membres/demandes/"))
    assert page.find("form", action=f"/bureau/membres/demandes/{pending_user.pk}/approuver/")

    with django_capture_on_commit_callbacks(execute=True):
        response = referent_client.post(f"/bureau/membres/demandes/{pending_user.pk}/approuver/", follow=True)
    assert response.redirect_chain == [("/bureau/membres/demandes/", 302)]
    ((level, message),) = leveled_messages(response)
    assert level == "success"
    assert re.search(r"Romain Espitalier (est désormais membre|is now a member)", message)
    pending_user.refresh_from_db()
    assert pending_user.status == User.Status.APPROVED
    assert pending_user.status_changed_by == referent
    assert [m.to for m in outbox] == [[pending_user.email]]
    assert "/bureau/" in outbox[0].body
    # The request left the list.
    assert soup(response).select("li.request") == []


def test_referent_refuses_a_request_with_a_message(referent_client, pending_user, outbox,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = referent_client.post(
            f"/bureau/membres/demandes/{pending_user.pk}/refuser/",
            {"reason": "Ce lieu ne fait pas partie du réseau."}, follow=True,
        )
    assert response.redirect_chain == [("/bureau/membres/demandes/", 302)]
    ((level, message),) = leveled_messages(response)
    assert level == "success"
    assert "Romain Espitalier" in message
    pending_user.refresh_from_db()
    assert pending_user.status == User.Status.REFUSED
    (mail,) = outbox
    assert mail.to == [pending_user.email]
    assert "Ce lieu ne fait pas partie du réseau." in mail.body


def test_deciding_twice_says_it_was_already_handled(referent_client, referent, pending_user, coordinator):
    logged_in(coordinator).post(f"/bureau/membres/demandes/{pending_user.pk}/approuver/")
    response = referent_client.post(f"/bureau/membres/demandes/{pending_user.pk}/refuser/", follow=True)
    ((level, message),) = leveled_messages(response)
    assert level == "error"
    assert re.search(r"already been handled|déjà été traitée", message)
    pending_user.refresh_from_db()
    assert pending_user.status == User.Status.APPROVED
    assert pending_user.status_changed_by == coordinator


@pytest.mark.parametrize("action", ["approuver", "refuser"])
def test_a_plain_member_cannot_decide(member_client, pending_user, outbox, action):
    assert member_client.get("/bureau/membres/demandes/").status_code == 403
    response = member_client.post(f"/bureau/membres/demandes/{pending_user.pk}/{action}/")
    assert response.status_code == 403
    pending_user.refresh_from_db()
    assert pending_user.status == User.Status.PENDING
    assert outbox == []


@pytest.mark.parametrize("action", ["approuver", "refuser"])
def test_a_referent_of_another_territory_cannot_decide(client, other_territory, pending_user, action):
    client.force_login(UserFactory(territory=other_territory, referent_of=[other_territory]))
    # Their list does not show the request either.
    page = soup(client.get("/bureau/membres/demandes/"))
    assert page.select("li.request") == []
    response = client.post(f"/bureau/membres/demandes/{pending_user.pk}/{action}/")
    assert response.status_code == 403
    pending_user.refresh_from_db()
    assert pending_user.status == User.Status.PENDING


def test_deciding_on_an_unknown_request_is_404(referent_client):
    assert referent_client.post("/bureau/membres/demandes/999999/approuver/").status_code == 404


# --- Invitations ------------------------------------------------------------------------------


def invite_through_the_form(client, territory, venue, capture, email="nouvelle@exemple.test"):
    with capture(execute=True):
        response = client.post(
            "/bureau/membres/invitations/",
            {"email": email, "territory": territory.pk, "venue": venue.pk, "message": "Bienvenue !"},
            follow=True,
        )
    return response


def link_in(mail):
    match = re.search(r"https?://[^/\s]+(/invitation/([^/\s]+)/)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_invitation_journey(coordinator_client, coordinator, territory, venue, outbox,
                            django_capture_on_commit_callbacks):
    response = invite_through_the_form(coordinator_client, territory, venue, django_capture_on_commit_callbacks)
    assert response.redirect_chain == [("/bureau/membres/invitations/", 302)]
    (message,) = messages_of(response)
    assert "nouvelle@exemple.test" in message
    assert "nouvelle@exemple.test" in text_of(soup(response).select_one("table tbody"))
    (mail,) = outbox
    assert mail.to == ["nouvelle@exemple.test"]
    assert "Bienvenue !" in mail.body
    link = link_in(mail)

    invitee = Client()
    page = invitee.get(link)
    assert page.status_code == 200
    assert "nouvelle@exemple.test" in text_of(soup(page).select_one("main"))
    assert "Bienvenue !" in text_of(soup(page).select_one("main blockquote"))

    response = invitee.post(
        link, {"display_name": "Inès Nouvelle", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [("/bureau/", 302)]
    assert response.status_code == 200
    user = User.objects.get(email="nouvelle@exemple.test")
    assert response.context["user"] == user
    assert user.status == User.Status.APPROVED
    assert user.territory == territory
    assert list(user.venues.all()) == [venue]
    assert EmailAddress.objects.get(user=user).verified
    assert "Inès Nouvelle" in text_of(soup(response).select_one("main h1"))
    assert Notification.objects.filter(recipient=coordinator, verb="member.invitation_accepted").count() == 1

    # The link works once: a second use is "gone", and makes no second account.
    again = Client().get(link)
    assert again.status_code == 410
    assert "déjà été utilisée" in text_of(soup(again).select_one("main [role=alert]"))
    reused = Client().post(link, {"display_name": "Intruse", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert reused.status_code == 410
    assert User.objects.filter(email__iexact="nouvelle@exemple.test").count() == 1
    assert not User.objects.filter(display_name="Intruse").exists()


def test_invitation_accept_with_mismatching_passwords_shows_the_form_again(
    coordinator_client, territory, venue, outbox, django_capture_on_commit_callbacks
):
    invite_through_the_form(coordinator_client, territory, venue, django_capture_on_commit_callbacks)
    link = link_in(outbox[0])
    response = Client().post(link, {"display_name": "Inès", "password1": NEW_PASSWORD, "password2": "autre"})
    assert response.status_code == 200
    assert field_errors(response, "password2")
    assert not User.objects.filter(email="nouvelle@exemple.test").exists()
    assert Invitation.objects.get(email="nouvelle@exemple.test").accepted_at is None


def test_an_expired_invitation_link_is_gone(coordinator_client, territory, venue, outbox,
                                            django_capture_on_commit_callbacks):
    invite_through_the_form(coordinator_client, territory, venue, django_capture_on_commit_callbacks)
    link = link_in(outbox[0])
    Invitation.objects.filter(email="nouvelle@exemple.test").update(expires_at=timezone.now() - timedelta(minutes=1))
    response = Client().get(link)
    assert response.status_code == 410
    assert re.search(r"expired|expiré", text_of(soup(response).select_one("main")))
    posted = Client().post(link, {"display_name": "Inès", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert posted.status_code == 410
    assert not User.objects.filter(email="nouvelle@exemple.test").exists()


def test_a_withdrawn_invitation_link_is_gone(coordinator_client, territory, venue, outbox,
                                             django_capture_on_commit_callbacks):
    invite_through_the_form(coordinator_client, territory, venue, django_capture_on_commit_callbacks)
    link = link_in(outbox[0])
    invitation = Invitation.objects.get(email="nouvelle@exemple.test")
    response = coordinator_client.post(f"/bureau/membres/invitations/{invitation.pk}/retirer/", follow=True)
    assert response.redirect_chain == [("/bureau/membres/invitations/", 302)]
    assert len(messages_of(response)) == 1
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert Client().get(link).status_code == 410


def test_an_unknown_invitation_link_is_gone(client, db):
    response = client.get("/invitation/pas-un-vrai-jeton/")
    assert response.status_code == 410
    assert soup(response).select_one("main [role=alert]").get_text(strip=True)


def test_invitation_to_an_existing_address_is_refused_on_the_form(
    coordinator_client, member, territory, venue, outbox, django_capture_on_commit_callbacks
):
    response = invite_through_the_form(coordinator_client, territory, venue, django_capture_on_commit_callbacks,
                                       email=member.email)
    assert response.redirect_chain == []
    assert field_errors(response, "email")
    assert not Invitation.objects.exists()
    assert outbox == []


def test_a_plain_member_cannot_invite(member_client, territory, venue, outbox, django_capture_on_commit_callbacks):
    response = invite_through_the_form(member_client, territory, venue, django_capture_on_commit_callbacks)
    assert response.status_code == 403
    assert not Invitation.objects.exists()
    assert outbox == []


def test_a_referent_invites_only_to_their_territory(
    referent_client, territory, other_territory, outbox, django_capture_on_commit_callbacks
):
    elsewhere = VenueFactory(territory=other_territory)
    page = soup(referent_client.get("/bureau/membres/invitations/"))
    offered = {o["value"] for o in page.select('select[name="territory"] option') if o["value"]}
    assert offered == {str(territory.pk)}
    response = invite_through_the_form(referent_client, other_territory, elsewhere, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert field_errors(response, "territory")
    assert not Invitation.objects.exists()
    assert outbox == []


# --- Profiles --------------------------------------------------------------------------------


@pytest.fixture
def camille(territory, venue):
    """A member whose e-mail address is private and phone shared with the territory."""
    return UserFactory(
        territory=territory, venues=[venue], display_name="Camille Roux", email="camille@exemple.test",
        phone="05 65 00 00 00", email_visibility=User.Visibility.PRIVATE,
        phone_visibility=User.Visibility.TERRITORY,
    )


def contact_shown(client, member):
    page = soup(client.get(f"/bureau/membres/{member.pk}/"))
    summary = page.select_one("dl.summary")
    return {
        "email": bool(summary.find("a", href=f"mailto:{member.email}")),
        "phone": bool(summary.find("a", href=f"tel:{member.phone}")),
    }


def test_profile_contact_as_a_member_of_the_same_territory(member_client, camille):
    assert contact_shown(member_client, camille) == {"email": False, "phone": True}


def test_profile_contact_as_a_member_of_another_territory(client, other_territory, camille):
    client.force_login(UserFactory(territory=other_territory))
    assert contact_shown(client, camille) == {"email": False, "phone": False}


def test_profile_contact_as_a_coordinator_of_another_territory(coordinator_client, camille):
    # "Only me" means only me; what is shared with the territory is shared with the
    # coordination, which works with every territory.
    assert contact_shown(coordinator_client, camille) == {"email": False, "phone": True}


def test_profile_contact_as_a_local_admin_of_the_territory_living_elsewhere(client, territory, other_territory,
                                                                           camille):
    client.force_login(UserFactory(territory=other_territory, referent_of=[territory]))
    assert contact_shown(client, camille) == {"email": False, "phone": True}


def test_profile_contact_as_oneself(client, camille):
    client.force_login(camille)
    assert contact_shown(client, camille) == {"email": True, "phone": True}


def test_profile_contact_shared_with_all_members(client, other_territory, camille):
    User.objects.filter(pk=camille.pk).update(email_visibility=User.Visibility.MEMBERS,
                                              phone_visibility=User.Visibility.PRIVATE)
    camille.refresh_from_db()
    client.force_login(UserFactory(territory=other_territory))
    assert contact_shown(client, camille) == {"email": True, "phone": False}


def test_profile_of_a_pending_member_is_hidden_from_plain_members(member, referent, pending_user):
    assert logged_in(member).get(f"/bureau/membres/{pending_user.pk}/").status_code == 404
    assert logged_in(referent).get(f"/bureau/membres/{pending_user.pk}/").status_code == 200


def profile_data(member, **overrides):
    data = {
        "display_name": member.display_name,
        "job_title": "Animateur multimédia",
        "bio": "",
        "phone": "",
        "email_visibility": "members",
        "phone_visibility": "territory",
        "venues": [v.pk for v in member.venues.all()],
        "skills_text": "",
    }
    data.update(overrides)
    return data


def test_profile_edit_saves_comma_separated_skills(member_client, member):
    response = member_client.post(
        "/bureau/membres/profil/",
        profile_data(member, skills_text="Linux,  montage vidéo , linux, démarches en ligne,"),
        follow=True,
    )
    assert response.redirect_chain == [(f"/bureau/membres/{member.pk}/", 302)]
    assert len(messages_of(response)) == 1
    member.refresh_from_db()
    assert sorted(member.skills.names()) == ["Linux", "démarches en ligne", "montage vidéo"]
    assert member.job_title == "Animateur multimédia"
    shown = [text_of(li) for li in soup(response).select("#skills-title ~ ul li.tag")]
    assert sorted(shown) == ["Linux", "démarches en ligne", "montage vidéo"]

    # The edit form shows them back, comma separated.
    form = soup(member_client.get("/bureau/membres/profil/"))
    assert sorted(form.select_one('input[name="skills_text"]')["value"].split(", ")) == [
        "Linux", "démarches en ligne", "montage vidéo"
    ]


def _image(fmt, size):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


def test_profile_edit_rejects_an_avatar_over_2_mb(member_client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = _image("BMP", (1000, 800))  # 2.4 MB, a valid image
    assert len(content) > 2 * 1024 * 1024
    avatar = SimpleUploadedFile("portrait.bmp", content, content_type="image/bmp")
    response = member_client.post("/bureau/membres/profil/", {**profile_data(member), "avatar": avatar})
    assert response.status_code == 200
    assert re.search(r"2 MB|2 Mo", field_errors(response, "avatar"))
    member.refresh_from_db()
    assert not member.avatar
    assert list(tmp_path.rglob("*.bmp")) == []


def test_profile_edit_accepts_a_small_avatar(member_client, member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    avatar = SimpleUploadedFile("portrait.png", _image("PNG", (64, 64)), content_type="image/png")
    response = member_client.post("/bureau/membres/profil/", {**profile_data(member), "avatar": avatar})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar.name.startswith("avatars/")
    assert (tmp_path / member.avatar.name).exists()
    page = soup(member_client.get(f"/bureau/membres/{member.pk}/"))
    assert page.select_one("main img.avatar")["src"].endswith(member.avatar.name)


def test_profile_edit_requires_a_name(member_client, member):
    response = member_client.post("/bureau/membres/profil/", profile_data(member, display_name=""))
    assert response.status_code == 200
    assert field_errors(response, "display_name")
    member.refresh_from_db()
    assert member.display_name == "Karim Benali"


# --- Roles ------------------------------------------------------------------------------------


def test_coordinator_makes_a_member_local_admin(coordinator_client, member, territory):
    page = soup(coordinator_client.get(f"/bureau/membres/{member.pk}/roles/"))
    assert page.find("input", attrs={"name": "referent_territories", "value": str(territory.pk)})

    response = coordinator_client.post(
        f"/bureau/membres/{member.pk}/roles/", {"referent_territories": [territory.pk]}, follow=True
    )
    assert response.redirect_chain == [(f"/bureau/membres/{member.pk}/", 302)]
    assert "Karim Benali" in messages_of(response)[0]
    assert list(member.referent_territories.all()) == [territory]
    member.refresh_from_db()
    assert not member.is_coordinator
    assert "Pays des Causses" in text_of(soup(response).select_one("ul.roles"))

    # The new local admin now reaches the requests of the territory.
    assert logged_in(member).get("/bureau/membres/demandes/").status_code == 200


def test_roles_page_is_for_coordinators_only(member, referent):
    assert logged_in(member).get(f"/bureau/membres/{referent.pk}/roles/").status_code == 403
    as_referent = logged_in(referent)
    assert as_referent.get(f"/bureau/membres/{member.pk}/roles/").status_code == 403
    response = as_referent.post(f"/bureau/membres/{member.pk}/roles/", {"is_coordinator": "on"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert not member.is_coordinator


def test_profile_shows_the_manage_roles_link_to_coordinators_only(member, coordinator):
    url = f"/bureau/membres/{member.pk}/"
    assert soup(logged_in(coordinator).get(url)).find("a", href=f"{url}roles/")
    assert soup(logged_in(member).get(url)).find("a", href=f"{url}roles/") is None


def test_login_of_an_approved_member_lands_on_the_desk(client, member):
    response = client.post("/compte/login/", {"login": member.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/bureau/"
