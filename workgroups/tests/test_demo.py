"""`seed_demo` also makes demo workgroups, through the services, idempotently."""

import io

import pytest
from django.core.management import call_command

from members.models import User
from workgroups import permissions
from workgroups.models import GroupInvitation, JoinRequest, Membership, Workgroup

pytestmark = pytest.mark.django_db


def seed_demo():
    call_command("seed_demo", stdout=io.StringIO())


def user(local):
    return User.objects.get(email=f"{local}@maillage.test")


def test_the_demo_has_one_group_of_each_kind_and_is_idempotent():
    seed_demo()
    groups = {g.name: g for g in Workgroup.objects.all()}
    assert sorted((g.visibility, g.join_policy) for g in groups.values()) == [
        ("private", "request"), ("public", "open"), ("public", "open"), ("secret", "invitation")]
    linux = groups["Réemploi et Linux"]
    assert JoinRequest.objects.get(workgroup=linux, status="pending").user == user("animateur")
    secret = groups["Préparation des Assises 2027"]
    assert GroupInvitation.objects.get(workgroup=secret, status="pending").user == user("animatrice")
    assert groups["Fête de l'Internet 2026"].archived_at is not None
    # The animateur sees the secret group only once invited; the animatrice is invited.
    assert not permissions.can_see(user("animateur"), secret)
    assert permissions.can_see(user("animatrice"), secret)
    before = (Workgroup.objects.count(), Membership.objects.count(), JoinRequest.objects.count(),
              GroupInvitation.objects.count())
    seed_demo()
    assert (Workgroup.objects.count(), Membership.objects.count(), JoinRequest.objects.count(),
            GroupInvitation.objects.count()) == before


def test_the_animateur_follows_colleagues_and_his_stream_shows_what_they_did():
    from extranet.selectors import activity_stream_for
    from members.models import Follow

    seed_demo()
    animateur = user("animateur")
    assert Follow.objects.filter(follower=animateur, followed=user("jeanne.roux")).exists()
    stream = list(activity_stream_for(user=animateur))
    assert any(a.actor == user("jeanne.roux") and a.verb == "workgroup.joined" for a in stream)
    # Nothing from the secret group he is not in.
    secret = Workgroup.objects.get(name="Préparation des Assises 2027")
    assert all(a.space_id != secret.space_id for a in stream)
