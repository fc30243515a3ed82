"""Member services: for each one, what is allowed, what is denied, what is invalid."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.urls import reverse
from django.utils import timezone

from core.models import Activity, Notification, Space
from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
)
from members import permissions, services
from members.models import Invitation, Territory, User, hash_token

NEW_PASSWORD = "Un-jardin-de-lavande-1987"


@pytest.fixture
def referent_elsewhere(other_territory):
    return UserFactory(territory=other_territory, referent_of=[other_territory], display_name="Odile Rey")


def assert_invalid(excinfo, field=None):
    """The ValidationError carries at least one readable message (for `field` if given)."""
    error = excinfo.value
    assert error.messages, "a ValidationError without a message"
    assert all(str(m).strip() for m in error.messages)
    if field is not None:
        assert field in error.message_dict, error.messages


def mails_to(outbox, address):
    return [m for m in outbox if m.to == [address]]


def notifications(verb=None):
    """{(recipient pk, verb)} of every notification, optionally of one verb."""
    qs = Notification.objects.all()
    if verb is not None:
        qs = qs.filter(verb=verb)
    return set(qs.values_list("recipient_id", "verb"))


def accept_link_token(body):
    prefix = settings.BASE_URL + reverse("invitations:accept", args=["TOKEN"]).replace("TOKEN/", "")
    match = re.search(re.escape(prefix) + r"([A-Za-z0-9_\-]+)/", body)
    assert match, f"no invitation link in:\n{body}"
    return match.group(1)


def snapshot():
    """Counts that a refused action must leave untouched."""
    return (
        User.objects.count(),
        Notification.objects.count(),
        Activity.objects.count(),
        Invitation.objects.count(),
        EmailAddress.objects.count(),
    )


# --- member_register ----------------------------------------------------------------------


def test_member_register_creates_a_pending_account(territory, venue):
    user = User(email="nadia.cherif@exemple.test")
    user.set_password(NEW_PASSWORD)

    services.member_register(user=user, display_name="  Nadia Chérif ", territory=territory, venue=venue)

    saved = User.objects.get(email="nadia.cherif@exemple.test")
    assert saved.status == User.Status.PENDING
    assert saved.display_name == "Nadia Chérif"
    assert saved.territory == territory
    assert list(saved.venues.all()) == [venue]
    assert saved.check_password(NEW_PASSWORD)
    assert not permissions.is_approved(saved)
    assert Activity.objects.filter(verb="member.registered", actor=saved).count() == 1
    # Not yet announced: the address is not verified.
    assert not Notification.objects.filter(verb="member.requested").exists()


def test_member_register_without_venue(territory):
    user = User(email="sans.lieu@exemple.test")
    services.member_register(user=user, display_name="Sans Lieu", territory=territory)
    assert User.objects.get(pk=user.pk).venues.count() == 0


def test_member_request_announce_tells_the_approvers_of_that_territory_only(
    territory, other_territory, venue, referent, coordinator, referent_elsewhere, member, outbox,
    django_capture_on_commit_callbacks,
):
    second_referent = UserFactory(territory=other_territory, referent_of=[territory, other_territory])
    daily_referent = UserFactory(territory=territory, referent_of=[territory], notification_email="daily")
    user = User(email="nouveau@exemple.test")
    services.member_register(user=user, display_name="Nouveau Venu", territory=territory, venue=venue)
    assert services.member_request_announce(member=user) is False  # address not verified yet
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.member_request_announce(member=user) is True
    # A second confirmation (another address, a double click) announces nothing more.
    assert services.member_request_announce(member=user) is False

    told = set(
        Notification.objects.filter(verb="member.requested").values_list("recipient_id", flat=True)
    )
    assert told == {referent.pk, coordinator.pk, second_referent.pk, daily_referent.pk}
    notification = Notification.objects.get(recipient=referent)
    assert notification.actor == user
    assert notification.target == user
    assert notification.url == reverse("members:pending")
    assert "Nouveau Venu" in notification.text
    # Those who chose immediate e-mails get one, the daily-digest reader does not (yet).
    assert len(mails_to(outbox, referent.email)) == 1
    assert len(mails_to(outbox, coordinator.email)) == 1
    assert mails_to(outbox, daily_referent.email) == []
    assert mails_to(outbox, referent_elsewhere.email) == []
    assert mails_to(outbox, member.email) == []


def test_member_register_requires_a_territory(venue):
    before = snapshot()
    user = User(email="perdu@exemple.test")
    with pytest.raises(ValidationError) as excinfo:
        services.member_register(user=user, display_name="Perdu", territory=None)
    assert_invalid(excinfo, "territory")
    assert user.pk is None
    assert snapshot() == before


def test_member_register_refuses_a_venue_of_another_territory(territory, other_territory, referent):
    far_venue = VenueFactory(territory=other_territory, name="Cyber-base de Bretenoux")
    before = snapshot()
    user = User(email="egare@exemple.test")
    with pytest.raises(ValidationError) as excinfo:
        services.member_register(user=user, display_name="Égaré", territory=territory, venue=far_venue)
    assert_invalid(excinfo, "venue")
    assert "Cyber-base de Bretenoux" in excinfo.value.message_dict["venue"][0]
    assert snapshot() == before
    assert not User.objects.filter(email="egare@exemple.test").exists()


# --- member_approve -------------------------------------------------------------------------


def test_member_approve_approves_and_emails_the_member(
    territory, pending_user, referent, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_approve(actor=referent, member=pending_user)

    saved = User.objects.get(pk=pending_user.pk)
    assert saved.status == User.Status.APPROVED
    assert saved.status_changed_by == referent
    assert saved.status_changed_at is not None
    assert permissions.is_approved(saved)
    [mail] = mails_to(outbox, pending_user.email)
    assert mail.subject.startswith("[Maillage]")
    assert "Romain Espitalier" in mail.body
    assert settings.BASE_URL + reverse("desk:home") in mail.body
    assert Activity.objects.filter(verb="member.approved", actor=referent, target_id=str(pending_user.pk)).count() == 1


def test_member_approve_sends_nothing_before_commit(pending_user, referent, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        services.member_approve(actor=referent, member=pending_user)
    assert outbox == []
    for callback in callbacks:
        callback()
    assert len(mails_to(outbox, pending_user.email)) == 1


def test_member_approve_tells_the_referents_and_the_venue_colleagues(
    territory, other_territory, venue, pending_user, referent, coordinator, referent_elsewhere,
    django_capture_on_commit_callbacks,
):
    deciding = UserFactory(territory=other_territory, referent_of=[territory], display_name="Décideuse")
    colleague = UserFactory(territory=territory, venues=[venue], display_name="Collègue")
    colleague_referent = UserFactory(territory=territory, venues=[venue], referent_of=[territory])
    coordinator_colleague = CoordinatorFactory(territory=territory, venues=[venue])
    # Not told: another venue, a colleague still pending, a deactivated colleague.
    UserFactory(territory=territory, venues=[VenueFactory(territory=territory)])
    PendingUserFactory(territory=territory, venues=[venue])
    UserFactory(territory=territory, venues=[venue], is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.member_approve(actor=deciding, member=pending_user)

    assert notifications() == {
        (referent.pk, "member.approved"),
        (colleague_referent.pk, "member.approved"),
        (colleague.pk, "member.joined_venue"),
        (coordinator_colleague.pk, "member.joined_venue"),
    }
    for notification in Notification.objects.all():
        assert notification.actor == deciding
        assert notification.target == pending_user
    assert "Décideuse" in Notification.objects.get(recipient=referent).text


def test_member_approve_does_not_notify_superusers_who_are_not_referents_of_the_territory(
    territory, other_territory, pending_user, referent
):
    # Coordinators are not told about each approval; superusers count as coordinators
    # everywhere else (members.permissions.is_coordinator), so they are not told either.
    root = UserFactory(territory=other_territory, is_superuser=True, is_staff=True, display_name="Root")
    services.member_approve(actor=referent, member=pending_user)
    assert not Notification.objects.filter(recipient=root).exists()


def test_member_approve_of_someone_without_territory_tells_no_plain_member(coordinator, member, referent):
    # An account made outside the signup (admin, shell) may have no territory yet.
    newcomer = PendingUserFactory(territory=None, display_name="Sans Territoire")
    services.member_approve(actor=coordinator, member=newcomer)
    assert User.objects.get(pk=newcomer.pk).status == User.Status.APPROVED
    assert notifications() == set()


@pytest.mark.parametrize("who", ["member", "referent_elsewhere", "editor", "pending_referent"])
def test_member_approve_is_denied_to_those_who_do_not_decide_for_the_territory(
    request, who, territory, pending_user, outbox, django_capture_on_commit_callbacks
):
    if who == "pending_referent":
        actor = PendingUserFactory(territory=territory, referent_of=[territory])
    else:
        actor = request.getfixturevalue(who)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.member_approve(actor=actor, member=pending_user)
    assert User.objects.get(pk=pending_user.pk).status == User.Status.PENDING
    assert snapshot() == before
    assert outbox == []


def test_member_approve_cannot_be_decided_twice(
    pending_user, referent, coordinator, outbox, django_capture_on_commit_callbacks
):
    stale_copy = User.objects.get(pk=pending_user.pk)  # a second page opened before the decision
    with django_capture_on_commit_callbacks(execute=True):
        services.member_approve(actor=referent, member=pending_user)
    decided = User.objects.get(pk=pending_user.pk)
    before, mails_before = snapshot(), len(outbox)

    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError) as excinfo:
            services.member_approve(actor=coordinator, member=stale_copy)
        with pytest.raises(ValidationError):
            services.member_refuse(actor=coordinator, member=stale_copy, reason="Doublon")

    assert_invalid(excinfo)
    again = User.objects.get(pk=pending_user.pk)
    assert again.status == User.Status.APPROVED
    assert again.status_changed_by == referent
    assert again.status_changed_at == decided.status_changed_at
    assert snapshot() == before
    assert len(outbox) == mails_before


# --- member_refuse --------------------------------------------------------------------------


def test_member_refuse_refuses_and_emails_the_reason(
    pending_user, referent, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_refuse(
            actor=referent, member=pending_user, reason="  Vous ne travaillez pas dans un lieu du réseau. "
        )

    saved = User.objects.get(pk=pending_user.pk)
    assert saved.status == User.Status.REFUSED
    assert saved.status_changed_by == referent
    assert not permissions.is_approved(saved)
    [mail] = mails_to(outbox, pending_user.email)
    assert "Vous ne travaillez pas dans un lieu du réseau." in mail.body
    activity = Activity.objects.get(verb="member.refused")
    assert activity.data == {"reason": "Vous ne travaillez pas dans un lieu du réseau."}


def test_member_refuse_does_not_tell_the_venue_colleagues(pending_user, referent, member):
    services.member_refuse(actor=referent, member=pending_user)
    assert not Notification.objects.filter(recipient=member).exists()
    assert not Notification.objects.filter(target_id=str(pending_user.pk), verb="member.joined_venue").exists()


@pytest.mark.parametrize("who", ["member", "referent_elsewhere"])
def test_member_refuse_is_denied_outside_ones_territory(
    request, who, pending_user, outbox, django_capture_on_commit_callbacks
):
    actor = request.getfixturevalue(who)
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.member_refuse(actor=actor, member=pending_user, reason="Non")
    assert User.objects.get(pk=pending_user.pk).status == User.Status.PENDING
    assert snapshot() == before
    assert outbox == []


def test_member_refuse_rejects_a_too_long_message(pending_user, referent, outbox, django_capture_on_commit_callbacks):
    before = snapshot()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as excinfo:
        services.member_refuse(actor=referent, member=pending_user, reason="x" * 2001)
    assert_invalid(excinfo, "reason")
    assert User.objects.get(pk=pending_user.pk).status == User.Status.PENDING
    assert snapshot() == before
    assert outbox == []


def test_member_refuse_of_an_approved_member_is_refused(member, referent):
    with pytest.raises(ValidationError) as excinfo:
        services.member_refuse(actor=referent, member=member)
    assert_invalid(excinfo)
    assert User.objects.get(pk=member.pk).status == User.Status.APPROVED


# --- invitation_create -------------------------------------------------------------------------


def test_invitation_create_emails_a_working_single_use_link(
    territory, venue, referent, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(
            actor=referent, email="  Lea.Fournier@Exemple.TEST ", territory=territory, venue=venue,
            message="Bienvenue dans le réseau !",
        )

    assert invitation.email == "lea.fournier@exemple.test"
    assert invitation.territory == territory
    assert invitation.venue == venue
    assert invitation.invited_by == referent
    assert invitation.expires_at - invitation.created_at == timedelta(days=settings.INVITATION_VALIDITY_DAYS)
    [mail] = outbox
    assert mail.to == ["lea.fournier@exemple.test"]
    assert "Bienvenue dans le réseau !" in mail.body
    token = accept_link_token(mail.body)
    # Only the hash is stored; the link leads to this invitation.
    assert invitation.token_hash == hash_token(token)
    assert token not in invitation.token_hash
    assert services.invitation_check(token) == invitation
    assert Activity.objects.filter(verb="member.invited", actor=referent).count() == 1


def test_invitation_create_by_a_coordinator_anywhere(
    other_territory, coordinator, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(actor=coordinator, email="x@exemple.test", territory=other_territory)
    assert invitation.venue is None
    assert len(outbox) == 1


@pytest.mark.parametrize("who", ["member", "referent_elsewhere", "editor"])
def test_invitation_create_is_denied_outside_ones_territory(
    request, who, territory, outbox, django_capture_on_commit_callbacks
):
    actor = request.getfixturevalue(who)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.invitation_create(actor=actor, email="x@exemple.test", territory=territory)
    assert not Invitation.objects.exists()
    assert outbox == []


def test_invitation_create_is_denied_to_anonymous(territory):
    with pytest.raises(PermissionDenied):
        services.invitation_create(actor=AnonymousUser(), email="x@exemple.test", territory=territory)
    assert not Invitation.objects.exists()


def test_invitation_create_requires_an_address(territory, referent):
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_create(actor=referent, email="   ", territory=territory)
    assert_invalid(excinfo, "email")
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("address", ["karim.benali@exemple.test", "KARIM.Benali@exemple.test"])
def test_invitation_create_refuses_the_address_of_an_existing_account(
    address, territory, referent, outbox, django_capture_on_commit_callbacks
):
    UserFactory(email="karim.benali@exemple.test", territory=territory)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as excinfo:
        services.invitation_create(actor=referent, email=address, territory=territory)
    assert_invalid(excinfo, "email")
    assert not Invitation.objects.exists()
    assert outbox == []


def test_invitation_create_refuses_a_secondary_address_of_an_existing_account(territory, referent, member):
    EmailAddress.objects.create(user=member, email="autre.adresse@exemple.test", verified=True, primary=False)
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_create(actor=referent, email="autre.adresse@exemple.test", territory=territory)
    assert_invalid(excinfo, "email")
    assert not Invitation.objects.exists()


def test_invitation_create_refuses_a_second_open_invitation(
    territory, referent, coordinator, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.invitation_create(actor=referent, email="lea@exemple.test", territory=territory)
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_create(actor=coordinator, email="LEA@exemple.test", territory=territory)
    assert_invalid(excinfo, "email")
    assert list(Invitation.objects.all()) == [first]
    assert len(outbox) == 1


def test_invitation_create_again_after_revocation_or_expiry(territory, referent):
    first = services.invitation_create(actor=referent, email="lea@exemple.test", territory=territory)
    services.invitation_revoke(actor=referent, invitation=first)
    second = services.invitation_create(actor=referent, email="lea@exemple.test", territory=territory)
    Invitation.objects.filter(pk=second.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    third = services.invitation_create(actor=referent, email="lea@exemple.test", territory=territory)
    assert Invitation.objects.count() == 3
    assert third.is_usable


def test_invitation_create_refuses_a_venue_of_another_territory(territory, other_territory, referent, coordinator):
    far_venue = VenueFactory(territory=other_territory, name="PAPI de Martel-Bourg")
    for actor in (referent, coordinator):
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_create(actor=actor, email="lea@exemple.test", territory=territory, venue=far_venue)
        assert_invalid(excinfo, "venue")
        assert "PAPI de Martel-Bourg" in excinfo.value.message_dict["venue"][0]
    assert not Invitation.objects.exists()


# --- invitation_check / invitation_accept --------------------------------------------------------


@pytest.fixture
def invite(territory, venue, referent, outbox, django_capture_on_commit_callbacks):
    """Invite someone; returns (invitation, token read from the e-mail)."""

    def make(email="invitee@exemple.test", **kwargs):
        kwargs.setdefault("actor", referent)
        kwargs.setdefault("territory", territory)
        kwargs.setdefault("venue", venue)
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.invitation_create(email=email, **kwargs)
        return invitation, accept_link_token(mails_to(outbox, email)[-1].body)

    return make


def test_invitation_accept_creates_an_approved_account_with_a_verified_address(invite, territory, venue, referent):
    invitation, token = invite("lea.fournier@exemple.test")

    user = services.invitation_accept(token=token, display_name="  Léa Fournier ", password=NEW_PASSWORD)

    user = User.objects.get(pk=user.pk)
    assert user.email == "lea.fournier@exemple.test"
    assert user.display_name == "Léa Fournier"
    assert user.status == User.Status.APPROVED
    assert permissions.is_approved(user)
    assert user.territory == territory
    assert list(user.venues.all()) == [venue]
    assert user.status_changed_by == referent
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("lea.fournier@exemple.test", True, True)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.accepted_user == user
    assert not invitation.is_usable


def test_invitation_accept_tells_the_inviter(invite, referent, outbox, django_capture_on_commit_callbacks):
    _invitation, token = invite("lea@exemple.test")
    with django_capture_on_commit_callbacks(execute=True):
        user = services.invitation_accept(token=token, display_name="Léa Fournier", password=NEW_PASSWORD)
    notification = Notification.objects.get(verb="member.invitation_accepted")
    assert notification.recipient == referent
    assert notification.actor == user
    assert notification.target == user
    assert "Léa Fournier" in notification.text
    assert len(mails_to(outbox, referent.email)) == 1
    assert Activity.objects.filter(verb="member.invitation_accepted", actor=user).count() == 1


def test_invitation_link_works_only_once(invite):
    _invitation, token = invite("lea@exemple.test")
    services.invitation_accept(token=token, display_name="Léa", password=NEW_PASSWORD)
    before = snapshot()

    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(token=token, display_name="Léa bis", password=NEW_PASSWORD + "x")

    assert_invalid(excinfo)
    assert snapshot() == before
    assert User.objects.filter(email="lea@exemple.test").count() == 1
    assert User.objects.get(email="lea@exemple.test").display_name == "Léa"


def test_invitation_accept_refuses_an_expired_link(invite):
    invitation, token = invite("lea@exemple.test")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(token=token, display_name="Léa", password=NEW_PASSWORD)
    assert_invalid(excinfo)
    assert snapshot() == before
    assert not User.objects.filter(email="lea@exemple.test").exists()


def test_invitation_accept_refuses_a_revoked_link(invite, referent):
    invitation, token = invite("lea@exemple.test")
    services.invitation_revoke(actor=referent, invitation=invitation)
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(token=token, display_name="Léa", password=NEW_PASSWORD)
    assert_invalid(excinfo)
    assert snapshot() == before


@pytest.mark.parametrize("password", ["12345678", "court", "invitee.exemple"])
def test_invitation_accept_rejects_a_weak_password_and_saves_nothing(invite, password):
    invitation, token = invite("invitee@exemple.test")
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(token=token, display_name="Invitée", password=password)
    assert_invalid(excinfo)
    assert snapshot() == before
    invitation.refresh_from_db()
    assert invitation.accepted_at is None and invitation.is_usable
    # The same link still works with a good password.
    assert services.invitation_accept(token=token, display_name="Invitée", password=NEW_PASSWORD).pk


def test_invitation_accept_requires_a_name(invite):
    invitation, token = invite("lea@exemple.test")
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(token=token, display_name="   ", password=NEW_PASSWORD)
    assert_invalid(excinfo, "display_name")
    assert Invitation.objects.get(pk=invitation.pk).is_usable


def test_invitation_accept_when_the_address_got_an_account_meanwhile(invite, territory):
    invitation, token = invite("lea@exemple.test")
    UserFactory(email="lea@exemple.test", territory=territory)  # signed up on their own
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_accept(token=token, display_name="Léa", password=NEW_PASSWORD)
    assert_invalid(excinfo)
    assert snapshot() == before
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_invitation_check_says_why_a_link_does_not_work(invite, referent):
    used, used_token = invite("used@exemple.test")
    services.invitation_accept(token=used_token, display_name="Used", password=NEW_PASSWORD)
    revoked, revoked_token = invite("revoked@exemple.test")
    services.invitation_revoke(actor=referent, invitation=revoked)
    expired, expired_token = invite("expired@exemple.test")
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))

    messages = {}
    for name, token in [
        ("used", used_token), ("revoked", revoked_token), ("expired", expired_token),
        ("unknown", "pas-un-vrai-jeton"), ("empty", ""),
    ]:
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_check(token)
        assert_invalid(excinfo)
        messages[name] = excinfo.value.messages[0]
    # Each reason gets its own explanation.
    assert len({messages["used"], messages["revoked"], messages["expired"], messages["unknown"]}) == 4


@pytest.mark.django_db
def test_invitation_check_rejects_no_token():
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_check(None)
    assert_invalid(excinfo)


# --- invitation_revoke -------------------------------------------------------------------------


def test_invitation_revoke_by_the_territory_referent(invite, coordinator):
    invitation, token = invite("lea@exemple.test")
    services.invitation_revoke(actor=coordinator, invitation=invitation)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    assert invitation.revoked_at is not None
    with pytest.raises(ValidationError):
        services.invitation_check(token)


@pytest.mark.parametrize("who", ["member", "referent_elsewhere", "pending_user"])
def test_invitation_revoke_is_denied_outside_ones_territory(request, who, invite):
    invitation, token = invite("lea@exemple.test")
    with pytest.raises(PermissionDenied):
        services.invitation_revoke(actor=request.getfixturevalue(who), invitation=invitation)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert services.invitation_check(token) == invitation


def test_invitation_revoke_twice_or_after_use_is_refused(invite, referent):
    revoked, _token = invite("revoked@exemple.test")
    services.invitation_revoke(actor=referent, invitation=revoked)
    first_revocation = Invitation.objects.get(pk=revoked.pk).revoked_at
    with pytest.raises(ValidationError) as excinfo:
        services.invitation_revoke(actor=referent, invitation=revoked)
    assert_invalid(excinfo)
    assert Invitation.objects.get(pk=revoked.pk).revoked_at == first_revocation

    used, used_token = invite("used@exemple.test")
    services.invitation_accept(token=used_token, display_name="Used", password=NEW_PASSWORD)
    with pytest.raises(ValidationError):
        services.invitation_revoke(actor=referent, invitation=used)
    assert Invitation.objects.get(pk=used.pk).revoked_at is None


# --- member_set_roles -------------------------------------------------------------------------


def test_member_set_roles_by_a_coordinator(member, coordinator, territory, other_territory):
    services.member_set_roles(
        actor=coordinator, member=member, is_coordinator=True,
        referent_territories=[territory, other_territory], site_editor=False,
    )
    fresh = User.objects.get(pk=member.pk)
    assert fresh.is_coordinator
    assert permissions.is_coordinator(fresh)
    assert set(fresh.referent_territories.all()) == {territory, other_territory}
    notification = Notification.objects.get(recipient=member)
    assert (notification.verb, notification.actor) == ("member.roles_changed", coordinator)
    activity = Activity.objects.get(verb="member.roles_changed")
    assert activity.data == {
        "coordinator": True, "referent_of": [territory.pk, other_territory.pk], "site_editor": False,
    }


def test_member_set_roles_updates_the_cached_roles_of_the_member_object(member, coordinator, territory):
    assert permissions.referent_territory_ids(member) == frozenset()  # primes the cache
    services.member_set_roles(
        actor=coordinator, member=member, is_coordinator=False, referent_territories=[territory], site_editor=False
    )
    assert permissions.referent_territory_ids(member) == frozenset({territory.pk})
    assert permissions.is_local_admin(member, territory.pk)


def test_member_set_roles_removes_referent_roles(referent, coordinator, territory):
    services.member_set_roles(
        actor=coordinator, member=referent, is_coordinator=False, referent_territories=[], site_editor=False
    )
    fresh = User.objects.get(pk=referent.pk)
    assert not fresh.referent_territories.exists()
    assert not permissions.is_local_admin(fresh, territory.pk)


def test_member_set_roles_site_editor_joins_the_wagtail_editors_group(member, coordinator):
    assert not permissions.can_edit_site(User.objects.get(pk=member.pk))

    services.member_set_roles(
        actor=coordinator, member=member, is_coordinator=False, referent_territories=[], site_editor=True
    )
    fresh = User.objects.get(pk=member.pk)
    assert fresh.groups.filter(name="Editors").exists()
    assert permissions.can_edit_site(fresh)

    services.member_set_roles(
        actor=coordinator, member=fresh, is_coordinator=False, referent_territories=[], site_editor=False
    )
    fresh = User.objects.get(pk=member.pk)
    assert not fresh.groups.filter(name="Editors").exists()
    assert not permissions.can_edit_site(fresh)
    # The group itself (and its Wagtail permissions) stays for the other editors.
    assert Group.objects.filter(name="Editors", permissions__codename="access_admin").exists()


def test_member_set_roles_site_editor_shows_at_once_on_the_member_object(member, coordinator):
    assert not permissions.can_edit_site(member)  # Django caches permissions on the object
    services.member_set_roles(
        actor=coordinator, member=member, is_coordinator=False, referent_territories=[], site_editor=True
    )
    assert permissions.can_edit_site(member)


@pytest.mark.parametrize("who", ["referent", "member", "editor", "pending_user"])
def test_member_set_roles_is_for_coordinators_only(request, who, member, territory):
    actor = request.getfixturevalue(who)
    target = member if who != "member" else UserFactory(territory=territory)
    with pytest.raises(PermissionDenied):
        services.member_set_roles(
            actor=actor, member=target, is_coordinator=True, referent_territories=[territory], site_editor=True
        )
    fresh = User.objects.get(pk=target.pk)
    assert not fresh.is_coordinator
    assert not fresh.referent_territories.exists()
    assert not fresh.groups.exists()
    assert not Notification.objects.exists()


def test_member_set_roles_only_for_approved_members(pending_user, coordinator, territory):
    with pytest.raises(ValidationError) as excinfo:
        services.member_set_roles(
            actor=coordinator, member=pending_user, is_coordinator=True, referent_territories=[territory],
            site_editor=False,
        )
    assert_invalid(excinfo)
    fresh = User.objects.get(pk=pending_user.pk)
    assert not fresh.is_coordinator
    assert not fresh.referent_territories.exists()


def test_a_coordinator_cannot_remove_their_own_coordinator_role(coordinator, territory):
    with pytest.raises(ValidationError) as excinfo:
        services.member_set_roles(
            actor=coordinator, member=coordinator, is_coordinator=False, referent_territories=[territory],
            site_editor=False,
        )
    assert_invalid(excinfo)
    fresh = User.objects.get(pk=coordinator.pk)
    assert fresh.is_coordinator
    assert not fresh.referent_territories.exists()


def test_a_coordinator_may_change_their_other_roles(coordinator, territory):
    services.member_set_roles(
        actor=coordinator, member=coordinator, is_coordinator=True, referent_territories=[territory],
        site_editor=True,
    )
    fresh = User.objects.get(pk=coordinator.pk)
    assert fresh.is_coordinator
    assert list(fresh.referent_territories.all()) == [territory]
    assert permissions.can_edit_site(fresh)
    assert not Notification.objects.exists()  # nobody is told about their own change


# --- profile_update ------------------------------------------------------------------------------


def test_profile_update_of_ones_own_profile(member, territory):
    second_venue = VenueFactory(territory=territory)
    services.profile_update(
        actor=member, member=member,
        data={
            "display_name": "Karim B.", "job_title": "Animateur", "phone": "05 65 12 34 56",
            "bio": "Ateliers photo.", "email_visibility": User.Visibility.TERRITORY,
            "phone_visibility": User.Visibility.PRIVATE,
        },
        venues=[second_venue], skills=["photo", "Linux"],
    )
    fresh = User.objects.get(pk=member.pk)
    assert (fresh.display_name, fresh.job_title, fresh.phone, fresh.bio) == (
        "Karim B.", "Animateur", "05 65 12 34 56", "Ateliers photo.",
    )
    assert (fresh.email_visibility, fresh.phone_visibility) == ("territory", "private")
    assert list(fresh.venues.all()) == [second_venue]
    assert sorted(fresh.skills.names()) == ["Linux", "photo"]
    assert Activity.objects.filter(verb="member.profile_updated", actor=member).count() == 1


def test_profile_update_keeps_venues_and_skills_when_not_given(member, venue):
    member.skills.set(["photo"])
    services.profile_update(actor=member, member=member, data={"job_title": "Médiateur"})
    fresh = User.objects.get(pk=member.pk)
    assert list(fresh.venues.all()) == [venue]
    assert list(fresh.skills.names()) == ["photo"]


@pytest.mark.parametrize("who", ["referent", "coordinator", "editor"])
def test_profile_update_of_someone_else_is_denied(request, who, member):
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=request.getfixturevalue(who), member=member, data={"display_name": "Piraté"})
    assert User.objects.get(pk=member.pk).display_name == "Karim Benali"


def test_profile_update_is_denied_to_a_pending_member(pending_user):
    with pytest.raises(PermissionDenied):
        services.profile_update(actor=pending_user, member=pending_user, data={"job_title": "Animateur"})
    assert User.objects.get(pk=pending_user.pk).job_title == ""


@pytest.mark.parametrize(
    "data", [{"is_coordinator": True}, {"status": "approved"}, {"email": "autre@exemple.test", "bio": "Hop"}]
)
def test_profile_update_rejects_unknown_fields(member, data):
    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(actor=member, member=member, data=data)
    assert_invalid(excinfo)
    unknown = sorted(set(data) - {"bio"})[0]
    assert unknown in excinfo.value.messages[0]
    fresh = User.objects.get(pk=member.pk)
    assert (fresh.is_coordinator, fresh.email, fresh.bio) == (False, member.email, "")


@pytest.mark.parametrize("name", ["", "   ", None])
def test_profile_update_rejects_an_empty_name(member, name):
    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(actor=member, member=member, data={"display_name": name})
    assert_invalid(excinfo, "display_name")
    assert User.objects.get(pk=member.pk).display_name == "Karim Benali"


def test_profile_update_rejects_an_unknown_visibility(member):
    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(actor=member, member=member, data={"phone_visibility": "everyone"})
    assert_invalid(excinfo, "phone_visibility")
    assert User.objects.get(pk=member.pk).phone_visibility == User.Visibility.TERRITORY


# --- notification_preferences_update ---------------------------------------------------------------


@pytest.mark.parametrize("choice", ["daily", "never", "immediate"])
def test_notification_preferences_update(member, choice):
    User.objects.filter(pk=member.pk).update(notification_email="daily" if choice != "daily" else "never")
    services.notification_preferences_update(actor=member, notification_email=choice)
    assert User.objects.get(pk=member.pk).notification_email == choice
    assert member.notification_email == choice


def test_notification_preferences_update_by_a_pending_member(pending_user):
    services.notification_preferences_update(actor=pending_user, notification_email="never")
    assert User.objects.get(pk=pending_user.pk).notification_email == "never"


def test_notification_preferences_update_is_denied_to_anonymous(member):
    with pytest.raises(PermissionDenied):
        services.notification_preferences_update(actor=AnonymousUser(), notification_email="never")
    assert User.objects.get(pk=member.pk).notification_email == "immediate"


@pytest.mark.parametrize("choice", ["weekly", "", None, "DAILY"])
def test_notification_preferences_update_rejects_unknown_choices(member, choice):
    with pytest.raises(ValidationError) as excinfo:
        services.notification_preferences_update(actor=member, notification_email=choice)
    assert_invalid(excinfo, "notification_email")
    assert User.objects.get(pk=member.pk).notification_email == "immediate"


# --- territory_create ---------------------------------------------------------------------------------


def test_territory_create_makes_its_space(coordinator):
    territory = services.territory_create(
        actor=coordinator, name="Vallée du Célé", slug="vallee-du-cele", kind=Territory.Kind.INTERCOMMUNALITY
    )
    fresh = Territory.objects.get(slug="vallee-du-cele")
    assert (fresh.pk, fresh.name, fresh.kind) == (territory.pk, "Vallée du Célé", "interco")
    space = Space.objects.get(territory=fresh)
    assert space.kind == "territory"
    assert Activity.objects.filter(verb="territory.created", actor=coordinator, target_id=str(fresh.pk)).exists()


def test_territory_create_by_a_superuser(other_territory):
    root = UserFactory(territory=other_territory, is_superuser=True)
    services.territory_create(actor=root, name="Causse de Gramat", slug="causse-de-gramat")
    assert Territory.objects.get(slug="causse-de-gramat").kind == Territory.Kind.PAYS


@pytest.mark.parametrize("who", ["referent", "member", "editor", "pending_user"])
def test_territory_create_is_for_coordinators_only(request, who):
    actor = request.getfixturevalue(who)
    count = Territory.objects.count()
    with pytest.raises(PermissionDenied):
        services.territory_create(actor=actor, name="Nouveau pays", slug="nouveau-pays")
    assert Territory.objects.count() == count
    assert not Territory.objects.filter(slug="nouveau-pays").exists()


@pytest.mark.parametrize(
    "name, slug", [("PAYS DES CAUSSES", "autre-slug"), ("Un autre nom", "pays-des-causses")]
)
def test_territory_create_refuses_a_duplicate(coordinator, territory, name, slug):
    count, spaces = Territory.objects.count(), Space.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.territory_create(actor=coordinator, name=name, slug=slug)
    assert_invalid(excinfo)
    assert (Territory.objects.count(), Space.objects.count()) == (count, spaces)


@pytest.mark.parametrize("name, slug", [("", "vide"), ("   ", "blanc"), ("Nom correct", "")])
def test_territory_create_refuses_a_blank_name_or_slug(coordinator, name, slug):
    count = Territory.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.territory_create(actor=coordinator, name=name, slug=slug)
    assert_invalid(excinfo)
    assert Territory.objects.count() == count


@pytest.mark.django_db
def test_territories_made_without_the_service_get_a_space_too():
    territory = TerritoryFactory()
    assert Space.objects.filter(kind="territory", territory=territory).count() == 1


# --- Resending an invitation, and mail server failures ------------------------------------


def test_invitation_resend_sends_a_new_link_and_the_old_one_stops_working(
    coordinator, territory, outbox, django_capture_on_commit_callbacks
):
    from members.services import invitation_check, invitation_create, invitation_resend

    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=coordinator, email="perdu@exemple.test", territory=territory)
    old_token = re.search(r"/invitation/([^/\s]+)/", outbox[0].body).group(1)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(actor=coordinator, invitation=invitation)
    assert len(outbox) == 2
    new_token = re.search(r"/invitation/([^/\s]+)/", outbox[1].body).group(1)
    assert new_token != old_token
    assert invitation_check(new_token).pk == invitation.pk
    with pytest.raises(ValidationError):
        invitation_check(old_token)


def test_invitation_resend_is_denied_to_a_plain_member(member, coordinator, territory):
    from members.services import invitation_create, invitation_resend

    invitation = invitation_create(actor=coordinator, email="x@exemple.test", territory=territory)
    before = Invitation.objects.values_list("token_hash", "expires_at").get(pk=invitation.pk)
    with pytest.raises(PermissionDenied):
        invitation_resend(actor=member, invitation=invitation)
    assert Invitation.objects.values_list("token_hash", "expires_at").get(pk=invitation.pk) == before


def test_invitation_resend_of_a_withdrawn_invitation_is_refused(coordinator, territory, outbox):
    from members.services import invitation_create, invitation_resend, invitation_revoke

    invitation = invitation_create(actor=coordinator, email="y@exemple.test", territory=territory)
    invitation_revoke(actor=coordinator, invitation=invitation)
    with pytest.raises(ValidationError):
        invitation_resend(actor=coordinator, invitation=invitation)


class BrokenMailServer(LocmemBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


def test_a_mail_server_failure_loses_nothing_and_raises_nothing(
    coordinator, territory, settings, django_capture_on_commit_callbacks, caplog
):
    from members.services import invitation_create

    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=coordinator, email="z@exemple.test", territory=territory)
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert "Could not send the e-mail" in caplog.text


def test_member_request_announce_ignores_approved_and_inactive_accounts(member, territory, referent):
    assert services.member_request_announce(member=member) is False
    sleeper = PendingUserFactory(territory=territory, is_active=False)
    assert services.member_request_announce(member=sleeper) is False
    assert not Notification.objects.filter(verb="member.requested").exists()


def test_profile_update_refuses_a_venue_of_another_territory(member, other_territory, venue):
    far_venue = VenueFactory(territory=other_territory, name="Cyber-base lointaine")
    with pytest.raises(ValidationError) as excinfo:
        services.profile_update(actor=member, member=member, data={}, venues=[venue, far_venue])
    assert "Cyber-base lointaine" in excinfo.value.message_dict["venues"][0]
    assert list(User.objects.get(pk=member.pk).venues.all()) == [venue]
    services.profile_update(actor=member, member=member, data={}, venues=[])
    assert User.objects.get(pk=member.pk).venues.count() == 0


def test_member_refuse_closes_the_refused_accounts_sockets(referent, pending_user, django_capture_on_commit_callbacks):
    import asyncio

    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    loop = asyncio.new_event_loop()
    try:
        channel = loop.run_until_complete(layer.new_channel())
        loop.run_until_complete(layer.group_add(f"user.{pending_user.pk}", channel))
        with django_capture_on_commit_callbacks(execute=True):
            services.member_refuse(actor=referent, member=pending_user, reason="Hors réseau")
        message = loop.run_until_complete(asyncio.wait_for(layer.receive(channel), 2))
        loop.run_until_complete(layer.group_discard(f"user.{pending_user.pk}", channel))
    finally:
        loop.close()
    assert message["type"] == "session.close"
    assert message["code"] == 4403
