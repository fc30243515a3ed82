"""Real parallel attempts at the same decision: exactly one wins, the others are told why.

Each attempt runs in its own thread with its own database connection, released at the
barrier together. Runs on SQLite (WAL, IMMEDIATE transactions) and on PostgreSQL.
"""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse

from core.models import Activity
from extranet.testing.concurrency import outcomes, run_together
from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
)
from members import services
from members.models import User

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Un-jardin-de-lavande-1987"


def decision(service, actor_pk, member_pk, **kwargs):
    return {
        "prepare": lambda: (User.objects.get(pk=actor_pk), User.objects.get(pk=member_pk)),
        "act": lambda p: (service(actor=p[0], member=p[1], **kwargs), p[0].pk),
    }


@pytest.fixture
def newcomer_and_deciders():
    territory = TerritoryFactory(name="Pays des Causses")
    venue = VenueFactory(territory=territory)
    newcomer = PendingUserFactory(territory=territory, venues=[venue], email="newcomer@exemple.test")
    deciders = [
        CoordinatorFactory(),
        UserFactory(territory=territory, referent_of=[territory]),
        UserFactory(territory=territory, referent_of=[territory]),
        CoordinatorFactory(),
    ]
    return newcomer, deciders


def test_parallel_approvals_of_the_same_member(newcomer_and_deciders, outbox):
    newcomer, deciders = newcomer_and_deciders

    results = run_together([decision(services.member_approve, d.pk, newcomer.pk) for d in deciders])

    assert outcomes(results) == ["invalid", "invalid", "invalid", "ok"]
    [(_outcome, (_member, winner_pk))] = [r for r in results if r[0] == "ok"]
    saved = User.objects.get(pk=newcomer.pk)
    assert saved.status == User.Status.APPROVED
    assert saved.status_changed_by_id == winner_pk
    assert Activity.objects.filter(verb="member.approved").count() == 1
    assert len([m for m in outbox if m.to == ["newcomer@exemple.test"]]) == 1
    for _outcome, error in (r for r in results if r[0] == "invalid"):
        assert error.messages


def test_parallel_approve_and_refuse_of_the_same_member(newcomer_and_deciders, outbox):
    newcomer, deciders = newcomer_and_deciders
    attempts = [
        decision(services.member_approve, deciders[0].pk, newcomer.pk),
        decision(services.member_refuse, deciders[1].pk, newcomer.pk, reason="Hors réseau"),
        decision(services.member_approve, deciders[2].pk, newcomer.pk),
        decision(services.member_refuse, deciders[3].pk, newcomer.pk, reason="Hors réseau"),
    ]

    results = run_together(attempts)

    assert outcomes(results) == ["invalid", "invalid", "invalid", "ok"]
    winner_index = next(i for i, r in enumerate(results) if r[0] == "ok")
    expected_status = User.Status.APPROVED if winner_index in (0, 2) else User.Status.REFUSED
    saved = User.objects.get(pk=newcomer.pk)
    assert saved.status == expected_status
    assert saved.status_changed_by_id == deciders[winner_index].pk
    assert Activity.objects.filter(verb__in=["member.approved", "member.refused"]).count() == 1
    assert len([m for m in outbox if m.to == ["newcomer@exemple.test"]]) == 1


def test_parallel_acceptances_of_the_same_invitation(outbox):
    territory = TerritoryFactory(name="Vallée du Lys")
    venue = VenueFactory(territory=territory)
    inviter = UserFactory(territory=territory, referent_of=[territory])
    # Outside a test transaction, the e-mail leaves at once (on commit).
    invitation = services.invitation_create(
        actor=inviter, email="invitee@exemple.test", territory=territory, venue=venue
    )
    [mail] = [m for m in outbox if m.to == ["invitee@exemple.test"]]
    prefix = settings.BASE_URL + reverse("invitations:accept", args=["TOKEN"]).replace("TOKEN/", "")
    token = re.search(re.escape(prefix) + r"([A-Za-z0-9_\-]+)/", mail.body).group(1)
    names = [f"Personne {i}" for i in range(5)]
    attempts = [
        {
            "prepare": lambda: None,
            "act": lambda _p, name=name: services.invitation_accept(token=token, display_name=name, password=PASSWORD),
        }
        for name in names
    ]

    results = run_together(attempts)

    assert outcomes(results) == ["invalid"] * 4 + ["ok"]
    [winner] = [value for outcome, value in results if outcome == "ok"]
    accounts = User.objects.filter(email__iexact="invitee@exemple.test")
    assert accounts.count() == 1
    account = accounts.get()
    assert account.pk == winner.pk
    assert account.display_name == winner.display_name
    assert account.display_name in names
    assert account.status == User.Status.APPROVED
    assert EmailAddress.objects.filter(email__iexact="invitee@exemple.test").count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_user_id == account.pk
    assert Activity.objects.filter(verb="member.invitation_accepted").count() == 1
