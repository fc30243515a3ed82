"""`manage.py seed_demo`: the fictional network used to try Maillage."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from core.models import Activity, Notification, Space
from directory.models import Venue
from extranet.testing.factories import UserFactory
from extranet.testing.shared import building, shared_transaction
from members import permissions
from members.models import Invitation, Territory, User

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "maillage-demo"
NAMED_ACCOUNTS = [
    "coordination@maillage.test",
    "referent@maillage.test",
    "animateur@maillage.test",
    "animatrice@maillage.test",
    "editeur@maillage.test",
    "en-attente@maillage.test",
]


def seed_demo(*args):
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (User, Territory, Venue, Space, EmailAddress, Notification, Activity, Invitation)
    }


def accounts():
    """What a second run must not change, account by account."""
    return sorted(
        User.objects.values_list(
            "email", "display_name", "status", "is_coordinator", "password", "territory_id", "job_title"
        )
    )


@pytest.fixture(scope="class")
def _seeded(django_db_setup, django_db_blocker):
    """seed_demo run once for the class (extranet.testing.shared): each test reads it in a
    savepoint, so the second run of `test_running_it_twice_changes_nothing` is gone after it."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            seed_demo()
        yield


@pytest.fixture
def demo(_seeded):
    return {email.split("@")[0]: User.objects.get(email=email) for email in NAMED_ACCOUNTS}


class TestTheDemo:
    def test_the_six_named_accounts_exist_with_a_working_password_and_a_verified_address(self, demo):
        assert len(demo) == 6
        for user in demo.values():
            assert user.check_password(DEMO_PASSWORD), user.email
            address = EmailAddress.objects.get(user=user)
            assert (address.email, address.verified, address.primary) == (user.email, True, True)


    def test_the_named_accounts_have_their_roles(self, demo):
        causses = Territory.objects.get(name="Pays des Causses")
        coordination, referent = demo["coordination"], demo["referent"]
        animateur, animatrice = demo["animateur"], demo["animatrice"]
        editeur, en_attente = demo["editeur"], demo["en-attente"]

        assert permissions.is_coordinator(coordination)
        assert permissions.can_manage_roles(coordination)

        assert not permissions.is_coordinator(referent)
        assert permissions.referent_territory_ids(referent) == frozenset({causses.pk})
        assert permissions.is_local_admin(referent, causses.pk)

        for plain in (animateur, animatrice):
            assert permissions.is_approved(plain)
            assert not permissions.is_local_admin(plain)
            assert not permissions.can_edit_site(plain)
            assert plain.territory == causses
        # The two animators work in the same venue: they are colleagues.
        assert set(animateur.venues.all()) & set(animatrice.venues.all())

        assert permissions.can_edit_site(editeur)
        assert not permissions.is_coordinator(editeur)
        assert not permissions.is_local_admin(editeur)

        assert en_attente.status == User.Status.PENDING
        assert not permissions.is_approved(en_attente)
        assert en_attente.territory == causses
        assert en_attente.venues.count() == 1

        for user in (coordination, referent, animateur, animatrice, editeur):
            assert user.status == User.Status.APPROVED, user.email
        # Only these two hold a role.
        assert set(User.objects.filter(is_coordinator=True)) == {coordination}
        assert set(User.objects.filter(referent_territories__isnull=False)) == {referent}


    def test_the_pending_account_waits_for_its_approvers(self, demo):
        told = set(Notification.objects.filter(verb="member.requested").values_list("recipient__email", flat=True))
        assert told == {"coordination@maillage.test", "referent@maillage.test"}


    def test_a_believable_network_of_about_twenty_venues(self, demo):
        assert 18 <= Venue.objects.count() <= 25
        assert Territory.objects.count() >= 3
        # Each territory has venues and its space; every member works in their own territory.
        for territory in Territory.objects.all():
            assert territory.venues.exists(), territory
            assert Space.objects.filter(kind="territory", territory=territory).exists(), territory
        for user in User.objects.all():
            assert user.email.endswith("@maillage.test")
            venues = list(user.venues.all())
            if user.status == User.Status.PARTNER:
                # A prescriber's account (mediation.demo): outside the network, no venue.
                assert (venues, user.territory_id) == ([], None), user.email
                continue
            assert venues, user.email
            assert all(v.territory_id == user.territory_id for v in venues), user.email
        assert User.objects.count() > len(NAMED_ACCOUNTS)


    def test_running_it_twice_changes_nothing(self, demo):
        before, before_accounts = counts(), accounts()
        seed_demo()
        assert counts() == before
        assert accounts() == before_accounts


def test_it_refuses_a_database_with_other_accounts():
    stranger = UserFactory(email="vraie.personne@exemple.test")
    before = counts()
    with pytest.raises(CommandError) as excinfo:
        seed_demo()
    assert "--force" in str(excinfo.value)
    assert counts() == before
    assert not User.objects.filter(email__endswith="@maillage.test").exists()
    assert User.objects.get(pk=stranger.pk).email == "vraie.personne@exemple.test"


def test_it_adds_the_demo_anyway_with_force():
    stranger = UserFactory(email="vraie.personne@exemple.test", display_name="Vraie Personne")
    stranger_before = User.objects.filter(pk=stranger.pk).values().get()
    seed_demo("--force")
    for email in NAMED_ACCOUNTS:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)
    assert User.objects.filter(pk=stranger.pk).values().get() == stranger_before
    # And a second forced run is still idempotent.
    before = counts()
    seed_demo("--force")
    assert counts() == before
