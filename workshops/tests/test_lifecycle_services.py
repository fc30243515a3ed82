"""The workshop lifecycle's services: allowed / denied / invalid for each role, the
proposer told at each step, the status changes conditional, `workshops_mark_held`."""

from datetime import UTC, datetime, timedelta
from functools import partial
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core.models import Activity, Notification
from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    DemandFactory,
    PendingUserFactory,
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    WorkshopFactory,
)
from members.spaces import network_space
from workshops import services
from workshops.models import Session, Workshop

pytestmark = pytest.mark.django_db


def state():
    return {
        "workshops": sorted(Workshop.objects.values_list(
            "pk", "title", "summary", "status", "status_reason", "duration_minutes", "level", "audience",
            "status_changed_by", "territory")),
        "sessions": sorted(Session.objects.values_list("pk", "status")),
        "notifications": assertions.notifications(),
        "activity": sorted(Activity.objects.values_list("verb", "target_id")),
    }


refused = partial(assertions.refused, state)
nothing_saved = partial(assertions.nothing_saved, state)


@pytest.fixture
def people():
    north = TerritoryFactory(name="Lot Nord")
    south = TerritoryFactory(name="Lot Sud")
    return SimpleNamespace(
        north=north, south=south,
        proposer=UserFactory(display_name="Paule Proposante", territory=north),
        member=UserFactory(display_name="Marc Membre", territory=north),
        coordinator=CoordinatorFactory(display_name="Colette Coordinatrice", territory=south),
        admin=UserFactory(display_name="Annie Admin", territory=north, referent_of=[north]),
        other_admin=UserFactory(display_name="Oscar Autre", territory=south, referent_of=[south]),
        pending=PendingUserFactory(display_name="Paul Attente", territory=north),
    )


def fields(**overrides):
    data = {"title": "Découvrir la tablette", "summary": "Premiers pas", "description": "**Pour** tous",
            "audience": "public", "themes": ["Maîtrise des outils numériques du quotidien"],
            "publics": ["Seniors"], "level": "beginner", "prerequisites": "", "to_bring": "Sa tablette",
            "duration_minutes": 90}
    data.update(overrides)
    return data


def proposal(people, **overrides):
    values = {"status": "proposed", "proposed_by": people.proposer, "territory": people.north, **overrides}
    return WorkshopFactory(**values)


def told(verb):
    return sorted(Notification.objects.filter(verb=verb).values_list("recipient__display_name", flat=True))


# --- Propose --------------------------------------------------------------------------------------


def test_a_member_proposes_and_the_managers_of_the_territory_are_told(people):
    workshop = services.workshop_propose(actor=people.proposer, **fields())
    workshop.refresh_from_db()
    assert workshop.status == "proposed"
    assert workshop.territory == people.north  # the proposer's
    assert workshop.proposed_by == people.proposer
    assert workshop.themes == ["Maîtrise des outils numériques du quotidien"]
    assert workshop.publics == ["Seniors"]
    assert workshop.duration_minutes == 90
    assert workshop.slug == "decouvrir-la-tablette"
    # The coordinators and the local admins of Lot Nord; not Lot Sud's, not the proposer.
    assert told("workshops.proposed") == ["Annie Admin", "Colette Coordinatrice"]
    entry = Activity.objects.get(verb="workshops.proposed")
    assert entry.space == people.north.space and entry.actor == people.proposer


def test_a_proposal_in_another_territory_or_none(people):
    workshop = services.workshop_propose(actor=people.proposer, **fields(), territory=people.south)
    assert workshop.territory == people.south
    assert told("workshops.proposed") == ["Colette Coordinatrice", "Oscar Autre"]
    homeless = UserFactory(territory=None)
    other = services.workshop_propose(actor=homeless, **fields(title="Sans territoire"))
    assert other.territory is None
    assert Activity.objects.get(verb="workshops.proposed", target_id=str(other.pk)).space == network_space()


def test_a_pending_member_cannot_propose(people):
    with translation.override("en"), refused(PermissionDenied,
                                             "Only approved members of the network can propose a workshop."):
        services.workshop_propose(actor=people.pending, **fields())


def test_a_proposal_with_bad_values_says_each_and_saves_nothing(people):
    with translation.override("en"), nothing_saved(), pytest.raises(ValidationError) as excinfo:
        services.workshop_propose(actor=people.proposer, **fields(
            title=" ab ", duration_minutes=10, themes=["Cuisine"], audience="everyone", level="expert"))
    errors = excinfo.value.message_dict
    assert sorted(errors) == ["audience", "duration_minutes", "level", "themes", "title"]
    assert errors["title"] == ["Give the workshop a title of at least 3 characters."]
    assert errors["duration_minutes"] == ["The duration is between 15 minutes and one day (1440 minutes)."]
    assert errors["audience"] == ["Choose who the workshop is for."]
    assert errors["level"] == ["Choose the level of the workshop."]
    assert errors["themes"][0].startswith("Unknown value: « Cuisine ».")


@pytest.mark.parametrize(("minutes", "valid"), [(14, False), (15, True), (1440, True), (1441, False), ("x", False)])
def test_the_duration_bounds(people, minutes, valid):
    if valid:
        assert services.workshop_propose(actor=people.proposer, **fields(duration_minutes=minutes)).pk
        return
    with translation.override("en"), refused(
            ValidationError, "The duration is between 15 minutes and one day (1440 minutes).", "duration_minutes"):
        services.workshop_propose(actor=people.proposer, **fields(duration_minutes=minutes))


def test_the_title_bounds(people):
    assert services.workshop_propose(actor=people.proposer, **fields(title="abc")).title == "abc"
    assert len(services.workshop_propose(actor=people.proposer, **fields(title="t" * 200)).title) == 200
    with translation.override("en"), refused(ValidationError, "The title is at most 200 characters long.", "title"):
        services.workshop_propose(actor=people.proposer, **fields(title="t" * 201))
    with translation.override("en"), refused(ValidationError, "Unknown value: « Retraités ». Allowed values: "
                                             "Jeunes, Étudiants, Familles et/ou enfants, Seniors, Femmes.",
                                             "publics"):
        services.workshop_propose(actor=people.proposer, **fields(publics=["Retraités"]))


# --- Update ---------------------------------------------------------------------------------------


def test_the_proposer_edits_their_waiting_proposal(people):
    workshop = proposal(people, title="Avant")
    services.workshop_update(actor=people.proposer, workshop=workshop, title="Après coup", duration_minutes=60,
                             themes=["Utilisation sécurisée du numérique"])
    workshop = Workshop.objects.get(pk=workshop.pk)
    assert (workshop.title, workshop.slug, workshop.duration_minutes) == ("Après coup", "apres-coup", 60)
    assert workshop.themes == ["Utilisation sécurisée du numérique"]


@pytest.mark.parametrize("who", ["member", "other_admin", "pending"])
def test_others_cannot_edit_a_proposal(people, who):
    workshop = proposal(people)
    with translation.override("en"), refused(
            PermissionDenied, "Only the coordination and the local admins of its territory can change this workshop."):
        services.workshop_update(actor=getattr(people, who), workshop=workshop, title="Pris")


def test_once_examined_the_proposer_no_longer_edits_but_a_manager_does(people):
    workshop = proposal(people, status="accepted")
    with translation.override("en"), refused(
            PermissionDenied, "Your proposal was examined: ask the coordination to change it."):
        services.workshop_update(actor=people.proposer, workshop=workshop, title="Pris")
    services.workshop_update(actor=people.admin, workshop=workshop, summary="Revu par l'admin")
    assert Workshop.objects.get(pk=workshop.pk).summary == "Revu par l'admin"


def test_an_edit_with_bad_values_saves_nothing(people):
    workshop = proposal(people)
    with translation.override("en"), refused(ValidationError, "Choose the level of the workshop.", "level"):
        services.workshop_update(actor=people.proposer, workshop=workshop, level="expert", title="Changé")
    with pytest.raises(TypeError):
        services.workshop_update(actor=people.proposer, workshop=workshop, status="accepted")


def test_an_edit_of_a_workshop_changed_meanwhile_is_refused(people):
    workshop = proposal(people)
    stale = Workshop.objects.get(pk=workshop.pk)
    services.workshop_accept(actor=people.coordinator, workshop=workshop)
    stale_copy = Workshop.objects.get(pk=workshop.pk)
    stale_copy.status = "proposed"  # as read before the decision
    with translation.override("en"), refused(
            ValidationError, "This workshop changed meanwhile: reload the page and try again."):
        services.workshop_update(actor=people.coordinator, workshop=stale_copy, title="Trop tard")
    assert stale.title == Workshop.objects.get(pk=workshop.pk).title


# --- Accept / refuse ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_a_manager_accepts_and_the_proposer_is_told(people, who):
    workshop = proposal(people, title="Tablette")
    actor = getattr(people, who)
    services.workshop_accept(actor=actor, workshop=workshop)
    workshop.refresh_from_db()
    assert workshop.status == "accepted"
    assert workshop.status_changed_by == actor
    assert workshop.status_changed_at is not None
    assert told("workshops.accepted") == ["Paule Proposante"]
    entry = Activity.objects.get(verb="workshops.accepted")
    assert (entry.space, entry.actor, entry.data) == (people.north.space, actor, {"subject": "Paule Proposante"})
    from core.activity import STREAM_VERBS, render_activity
    assert "workshops.accepted" in STREAM_VERBS and "workshops.proposed" not in STREAM_VERBS
    with translation.override("en"):
        assert render_activity(entry) == "Paule Proposante's workshop Tablette was accepted"


@pytest.mark.parametrize("who", ["member", "proposer", "other_admin", "pending"])
def test_others_cannot_accept_or_refuse(people, who):
    workshop = proposal(people)
    message = "Only the coordination and the local admins of its territory examine proposals."
    with translation.override("en"), refused(PermissionDenied, message):
        services.workshop_accept(actor=getattr(people, who), workshop=workshop)
    with translation.override("en"), refused(PermissionDenied, message):
        services.workshop_refuse(actor=getattr(people, who), workshop=workshop, reason="Non")


def test_a_workshop_without_territory_is_decided_by_the_coordinators_only(people):
    workshop = proposal(people, territory=None)
    with translation.override("en"), refused(
            PermissionDenied, "Only the coordination and the local admins of its territory examine proposals."):
        services.workshop_accept(actor=people.admin, workshop=workshop)
    services.workshop_accept(actor=people.coordinator, workshop=workshop)
    assert Activity.objects.get(verb="workshops.accepted").space == network_space()


def test_a_proposal_is_examined_once(people):
    workshop = proposal(people)
    stale = Workshop.objects.get(pk=workshop.pk)
    services.workshop_accept(actor=people.coordinator, workshop=workshop)
    # Read as accepted: the rule says so.
    with translation.override("en"), refused(ValidationError, "This proposal was already examined."):
        services.workshop_accept(actor=people.admin, workshop=workshop)
    # Read before the decision (another tab): the conditional UPDATE says so.
    with translation.override("en"), refused(ValidationError, "This proposal was already examined."):
        services.workshop_refuse(actor=people.admin, workshop=stale, reason="Trop tard")
    assert Workshop.objects.get(pk=workshop.pk).status_changed_by == people.coordinator


def test_accepting_marks_the_demand_answered(people):
    from workshops.models import Demand

    asked = DemandFactory(title="Apprendre la tablette")
    workshop = proposal(people, demand=asked)
    services.workshop_accept(actor=people.coordinator, workshop=workshop)
    assert Demand.objects.get(pk=asked.pk).status == "answered"
    assert Workshop.objects.get(pk=workshop.pk).status == "accepted"


def test_a_manager_refuses_with_a_reason(people):
    workshop = proposal(people)
    services.workshop_refuse(actor=people.admin, workshop=workshop, reason="  Déjà proposé ce mois-ci.  ")
    workshop.refresh_from_db()
    assert (workshop.status, workshop.status_reason, workshop.status_changed_by) == (
        "refused", "Déjà proposé ce mois-ci.", people.admin)
    assert told("workshops.refused") == ["Paule Proposante"]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_refusing_needs_a_reason(people, reason):
    workshop = proposal(people)
    with translation.override("en"), refused(
            ValidationError, "Say why the proposal is declined: its author will read it.", "reason"):
        services.workshop_refuse(actor=people.coordinator, workshop=workshop, reason=reason)


def test_a_too_long_reason_is_refused(people):
    workshop = proposal(people)
    with translation.override("en"), refused(ValidationError, "The reason is at most 2000 characters long.",
                                             "reason"):
        services.workshop_refuse(actor=people.coordinator, workshop=workshop, reason="x" * 2001)


# --- Cancel / close -------------------------------------------------------------------------------


@pytest.fixture
def fake_session_cancel(monkeypatch):
    """Stands for the SESSIONS slice's `session_cancel`: records the call and cancels the row."""
    from workshops import sessions as sessions_module

    calls = []

    def session_cancel(*, actor, session, reason):
        calls.append((actor.pk, session.pk, reason))
        Session.objects.filter(pk=session.pk).update(status="cancelled", cancel_reason=reason)
        return session

    monkeypatch.setattr(sessions_module, "session_cancel", session_cancel, raising=False)
    return calls


def test_cancelling_cancels_the_coming_sessions_and_tells_the_proposer(people, fake_session_cancel):
    workshop = proposal(people, status="scheduled")
    now = datetime.now(UTC)
    coming = SessionFactory(workshop=workshop, start=now + timedelta(days=3), end=now + timedelta(days=3, hours=2))
    past = SessionFactory(workshop=workshop, start=now - timedelta(days=3), end=now - timedelta(days=3, hours=-2))
    gone = SessionFactory(workshop=workshop, status="cancelled", start=now + timedelta(days=5),
                          end=now + timedelta(days=5, hours=2))
    RegistrationFactory.create_batch(2, session=coming)
    RegistrationFactory(session=coming, status="cancelled")
    assert services.people_to_tell(workshop) == 2
    services.workshop_cancel(actor=people.admin, workshop=workshop, reason="Salle fermée")
    assert fake_session_cancel == [(people.admin.pk, coming.pk, "Salle fermée")]
    workshop.refresh_from_db()
    assert (workshop.status, workshop.status_reason, workshop.status_changed_by) == (
        "cancelled", "Salle fermée", people.admin)
    assert dict(Session.objects.filter(workshop=workshop).values_list("pk", "status")) == {
        coming.pk: "cancelled", past.pk: "scheduled", gone.pk: "cancelled"}
    assert told("workshops.cancelled") == ["Paule Proposante"]


def test_a_failing_session_cancel_undoes_everything(people, monkeypatch):
    from workshops import sessions as sessions_module

    def session_cancel(*, actor, session, reason):
        Session.objects.filter(pk=session.pk).update(status="cancelled")
        raise ValidationError("Boom")

    monkeypatch.setattr(sessions_module, "session_cancel", session_cancel, raising=False)
    workshop = proposal(people, status="scheduled")
    SessionFactory(workshop=workshop)
    with refused(ValidationError, "Boom"):
        services.workshop_cancel(actor=people.coordinator, workshop=workshop, reason="Salle fermée")


@pytest.mark.parametrize("who", ["member", "proposer", "other_admin", "pending"])
def test_others_cannot_cancel(people, who, fake_session_cancel):
    workshop = proposal(people, status="accepted")
    with translation.override("en"), refused(
            PermissionDenied, "Only the coordination and the local admins of its territory cancel a workshop."):
        services.workshop_cancel(actor=getattr(people, who), workshop=workshop, reason="Non")
    assert fake_session_cancel == []


def test_cancelling_needs_a_reason_and_a_live_workshop(people, fake_session_cancel):
    workshop = proposal(people, status="accepted")
    with translation.override("en"), refused(
            ValidationError, "Say why the workshop is cancelled: the people registered will read it.", "reason"):
        services.workshop_cancel(actor=people.coordinator, workshop=workshop, reason=" ")
    closed = proposal(people, status="closed")
    with translation.override("en"), refused(ValidationError, "This workshop is already over."):
        services.workshop_cancel(actor=people.coordinator, workshop=closed, reason="Trop tard")
    # A proposal can be cancelled too (its author withdrew it, say).
    waiting = proposal(people)
    services.workshop_cancel(actor=people.coordinator, workshop=waiting, reason="Retirée")
    assert Workshop.objects.get(pk=waiting.pk).status == "cancelled"


def test_closing_a_held_workshop(people):
    workshop = proposal(people, status="held")
    services.workshop_close(actor=people.admin, workshop=workshop)
    workshop.refresh_from_db()
    assert (workshop.status, workshop.status_changed_by) == ("closed", people.admin)
    assert told("workshops.closed") == ["Paule Proposante"]


def test_closing_is_for_managers_and_held_workshops(people):
    held = proposal(people, status="held")
    with translation.override("en"), refused(
            PermissionDenied, "Only the coordination and the local admins of its territory close a workshop."):
        services.workshop_close(actor=people.member, workshop=held)
    with translation.override("en"), refused(
            PermissionDenied, "Only the coordination and the local admins of its territory close a workshop."):
        services.workshop_close(actor=people.other_admin, workshop=held)
    accepted = proposal(people, status="accepted")
    with translation.override("en"), refused(ValidationError, "A workshop is closed once its sessions are held."):
        services.workshop_close(actor=people.coordinator, workshop=accepted)


# --- Held -----------------------------------------------------------------------------------------

NOW = datetime(2027, 3, 9, 15, 0, tzinfo=UTC)


def _session(workshop, *, start_hours, end_hours, status="scheduled"):
    return SessionFactory(workshop=workshop, status=status, start=NOW + timedelta(hours=start_hours),
                          end=NOW + timedelta(hours=end_hours))


def test_workshops_are_marked_held_when_every_session_is_over():
    over = WorkshopFactory(title="Fini", status="scheduled")
    _session(over, start_hours=-50, end_hours=-48)
    _session(over, start_hours=-2, end_hours=0)  # ends right now: over
    half = WorkshopFactory(title="À moitié", status="scheduled")
    _session(half, start_hours=-50, end_hours=-48)
    _session(half, start_hours=-1, end_hours=1)  # still running
    cycle = WorkshopFactory(title="Cycle en cours", status="scheduled")
    SessionFactory(workshop=cycle, dates=[(NOW - timedelta(days=7), NOW - timedelta(days=7) + timedelta(hours=2)),
                                          (NOW + timedelta(days=7), NOW + timedelta(days=7, hours=2))])
    cancelled_rest = WorkshopFactory(title="Reste annulé", status="scheduled")
    _session(cancelled_rest, start_hours=-5, end_hours=-3)
    _session(cancelled_rest, start_hours=20, end_hours=22, status="cancelled")
    only_cancelled = WorkshopFactory(title="Tout annulé", status="scheduled")
    _session(only_cancelled, start_hours=-5, end_hours=-3, status="cancelled")
    accepted = WorkshopFactory(title="Accepté", status="accepted")
    _session(accepted, start_hours=-5, end_hours=-3)

    assert services.workshops_mark_held(now=NOW) == 2
    statuses = dict(Workshop.objects.values_list("title", "status"))
    assert statuses == {"Fini": "held", "À moitié": "scheduled", "Cycle en cours": "scheduled",
                        "Reste annulé": "held", "Tout annulé": "scheduled", "Accepté": "accepted"}
    assert Workshop.objects.get(title="Fini").status_changed_at == NOW
    assert services.workshops_mark_held(now=NOW) == 0  # twice: nothing more
    assert services.workshops_mark_held(now=NOW + timedelta(days=8)) == 2  # the half and the cycle are over
