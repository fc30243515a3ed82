"""Every workshop rule, one function each, answering a `core.permissions.Decision`.

Who is who:
- **managers** of a workshop: coordinators, and the local admins of its territory (a
  workshop without territory: coordinators only). They accept or refuse proposals,
  schedule sessions, cancel, close, edit the evaluation questions, see every result.
- the **proposer** edits their proposal while it waits, and sees it.
- **hosts** of a session: its animators and the animators of its venue. They see who is
  registered, register a person at the venue, and fill in the attendance sheet.
- every approved member sees accepted workshops and registers to open sessions; the public
  sees public workshops that were accepted (and a page saying so when one was cancelled).

Evaluation answers are anonymous: results are counts and averages, and free-text answers
are shown without any name, to the managers and to the session's hosts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import ALLOWED, Decision, conflict, is_authenticated, refused
from members import permissions as member_permissions

if TYPE_CHECKING:
    from datetime import datetime

    from core.permissions import AnyUser
    from workshops.models import Demand, Registration, Session, Workshop

# The statuses whose workshops every member (and, when public, everyone) may see.
VISIBLE_STATUSES = ("accepted", "scheduled", "held", "closed", "cancelled")


def is_manager(user: AnyUser, workshop: Workshop) -> bool:
    if not member_permissions.is_approved(user):
        return False
    if member_permissions.is_coordinator(user):
        return True
    return workshop.territory_id is not None and member_permissions.is_local_admin(user, workshop.territory_id)


def can_manage_any(user: AnyUser) -> bool:
    """Coordinators and local admins: the "Propositions" queue and the demand ranking."""
    return bool(member_permissions.is_approved(user)) and member_permissions.can_approve_members(user)


def managed_territory_ids(user: AnyUser) -> frozenset[int] | None:
    """None: every workshop (coordinators); else the territories whose workshops `user` manages."""
    if member_permissions.is_coordinator(user):
        return None
    return member_permissions.referent_territory_ids(user)


def _animator_ids(session: Session) -> set[int]:
    # Reads the prefetched animators when the selector prefetched them.
    return {user.pk for user in session.animators.all()}


def is_host(user: AnyUser, session: Session) -> bool:
    """Leads the session, or works at its venue."""
    if not member_permissions.is_approved(user):
        return False
    if user.pk in _animator_ids(session):  # type: ignore[union-attr]
        return True
    return session.venue_id is not None and session.venue_id in member_permissions.attached_venue_ids(user)


# --- Workshops --------------------------------------------------------------------------------


def can_view_workshop(user: AnyUser, workshop: Workshop) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Only approved members of the network can see this workshop."))
    if workshop.status in VISIBLE_STATUSES:
        return ALLOWED
    if workshop.proposed_by_id == user.pk or is_manager(user, workshop):  # type: ignore[union-attr]
        return ALLOWED
    return refused(_("This proposal is seen only by its author and the coordination."))


def can_view_public(workshop: Workshop) -> Decision:
    """The public page of a workshop (a cancelled one shows that it was cancelled)."""
    if workshop.audience == "public" and workshop.status in VISIBLE_STATUSES:
        return ALLOWED
    return refused(_("This workshop is not public."))


def can_propose(user: AnyUser) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Only approved members of the network can propose a workshop."))
    return ALLOWED


def can_edit_workshop(user: AnyUser, workshop: Workshop) -> Decision:
    if is_manager(user, workshop):
        if workshop.status in ("closed", "cancelled", "refused"):
            return conflict(_("This workshop is %(status)s: it can no longer change.")
                            % {"status": workshop.get_status_display().lower()})
        return ALLOWED
    if member_permissions.is_approved(user) and workshop.proposed_by_id == user.pk:  # type: ignore[union-attr]
        if workshop.status == "proposed":
            return ALLOWED
        return refused(_("Your proposal was examined: ask the coordination to change it."))
    return refused(_("Only the coordination and the local admins of its territory can change this workshop."))


def editable_workshops_q(user: AnyUser) -> Q:
    """Filter on Workshop: the workshops `user` may change (mirrors can_edit_workshop: its
    managers while it is not closed, cancelled or refused; its proposer while it is proposed)."""
    if not member_permissions.is_approved(user):
        return Q(pk__in=[])
    territories = managed_territory_ids(user)
    managed = Q() if territories is None else Q(territory_id__in=territories)
    return (managed & ~Q(status__in=["closed", "cancelled", "refused"])) | Q(proposed_by_id=user.pk, status="proposed")


def can_decide(user: AnyUser, workshop: Workshop) -> Decision:
    """Accept or refuse a proposal."""
    if not is_manager(user, workshop):
        return refused(_("Only the coordination and the local admins of its territory examine proposals."))
    if workshop.status != "proposed":
        return conflict(_("This proposal was already examined."))
    return ALLOWED


def can_schedule(user: AnyUser, workshop: Workshop) -> Decision:
    """Add a session (date, venue, capacity, animators)."""
    if not is_manager(user, workshop):
        return refused(_("Only the coordination and the local admins of its territory schedule sessions."))
    if workshop.status not in ("accepted", "scheduled", "held"):
        return conflict(_("Only an accepted workshop can get sessions."))
    return ALLOWED


def can_cancel_workshop(user: AnyUser, workshop: Workshop) -> Decision:
    if not is_manager(user, workshop):
        return refused(_("Only the coordination and the local admins of its territory cancel a workshop."))
    if workshop.status in ("closed", "cancelled", "refused"):
        return conflict(_("This workshop is already over."))
    return ALLOWED


def can_close_workshop(user: AnyUser, workshop: Workshop) -> Decision:
    if not is_manager(user, workshop):
        return refused(_("Only the coordination and the local admins of its territory close a workshop."))
    if workshop.status != "held":
        return conflict(_("A workshop is closed once its sessions are held."))
    return ALLOWED


def can_edit_questions(user: AnyUser, workshop: Workshop | None) -> Decision:
    """A workshop's evaluation questions; `None`: the default set (coordinators)."""
    if workshop is None:
        if member_permissions.is_coordinator(user):
            return ALLOWED
        return refused(_("Only coordinators change the default evaluation questions."))
    if not is_manager(user, workshop):
        return refused(_("Only the coordination and the local admins of its territory change the questions."))
    return ALLOWED


def can_view_results(user: AnyUser, workshop: Workshop, session: Session | None = None) -> Decision:
    """Evaluation results (anonymous): managers; a session's hosts for that session."""
    if is_manager(user, workshop):
        return ALLOWED
    if session is not None and is_host(user, session):
        return ALLOWED
    return refused(_("The evaluations are read by the coordination and the animators of the session."))


# --- Sessions ---------------------------------------------------------------------------------


def can_edit_session(user: AnyUser, session: Session) -> Decision:
    if not is_manager(user, session.workshop):
        return refused(_("Only the coordination and the local admins of its territory change a session."))
    if session.status == "cancelled":
        return conflict(_("This session is cancelled."))
    return ALLOWED


def can_view_registrations(user: AnyUser, session: Session) -> Decision:
    if is_manager(user, session.workshop) or is_host(user, session):
        return ALLOWED
    return refused(_("The list of people registered is seen by the session's animators and the coordination."))


def can_take_attendance(user: AnyUser, session: Session, *, now: datetime | None = None) -> Decision:
    decision = can_view_registrations(user, session)
    if not decision:
        return decision
    if session.status == "cancelled":
        return conflict(_("This session is cancelled."))
    now = now or timezone.now()
    if session.start > now:
        return conflict(_("The attendance sheet is filled in once the session has started."))
    return ALLOWED


def can_register_others(user: AnyUser, session: Session) -> Decision:
    """Register at the venue a person who has no e-mail (or no account)."""
    decision = can_view_registrations(user, session)
    if not decision:
        return decision
    return registration_open(session)


def registration_open(session: Session, *, now: datetime | None = None) -> Decision:
    """Whether the session still takes registrations (full or not: the waiting list is one)."""
    now = now or timezone.now()
    if session.status == "cancelled" or session.workshop.status == "cancelled":
        return conflict(_("This session is cancelled."))
    if session.workshop.status not in ("accepted", "scheduled"):
        return conflict(_("This workshop no longer takes registrations."))
    if session.start <= now:
        return conflict(_("This session has already started."))
    if session.closes_at <= now:
        return conflict(_("Registrations for this session are closed."))
    return ALLOWED


def can_register(user: AnyUser, session: Session) -> Decision:
    """A member registering themself (staff and public sessions alike)."""
    if not member_permissions.is_approved(user):
        return refused(_("Only approved members of the network can register here."))
    return registration_open(session)


def can_register_publicly(session: Session) -> Decision:
    """A visitor, on /ateliers/: public workshops only."""
    if session.workshop.audience != "public":
        return refused(_("This workshop is for the network's staff."))
    return registration_open(session)


def can_cancel_registration(user: AnyUser, registration: Registration, *, by_token: bool = False,
                            now: datetime | None = None) -> Decision:
    """The person themself (their account, or the link's token), or a host of the session."""
    now = now or timezone.now()
    session = registration.session
    own = by_token or (is_authenticated(user) and registration.user_id == getattr(user, "pk", None))
    if not own and not (is_manager(user, session.workshop) or is_host(user, session)):
        return refused(_("You cannot cancel this registration."))
    if not registration.is_active:
        return conflict(_("This registration is already cancelled."))
    if session.end <= now:
        return conflict(_("This session is over: its registrations can no longer be cancelled."))
    return ALLOWED


def can_answer_offer(user: AnyUser, registration: Registration, *, by_token: bool = False) -> Decision:
    """Accept or decline a place offered: only the person themself (their account or their link)."""
    if by_token:
        return ALLOWED
    own = registration.user_id is not None and registration.user_id == getattr(user, "pk", None)
    if is_authenticated(user) and own:
        return ALLOWED
    return refused(_("This place was offered to someone else."))


def can_evaluate(user: AnyUser, registration: Registration, *, by_token: bool = False) -> Decision:
    """Attendees (present at least once, never no-shows only) once the session is over."""
    if not by_token and (not is_authenticated(user) or registration.user_id != getattr(user, "pk", None)):
        return refused(_("This evaluation form is not yours."))
    if registration.session.end > timezone.now():
        return conflict(_("The evaluation opens at the end of the session."))
    return ALLOWED


# --- Demand -----------------------------------------------------------------------------------


def can_ask(user: AnyUser) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Only approved members of the network can ask for a workshop."))
    return ALLOWED


def can_vote(user: AnyUser, demand: Demand) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Only approved members of the network can add their voice."))
    if demand.status != "open":
        return conflict(_("This request is no longer open."))
    return ALLOWED


def can_manage_demand(user: AnyUser, demand: Demand) -> Decision:
    """Mark a request answered or close it."""
    if member_permissions.is_coordinator(user):
        return ALLOWED
    if demand.territory_id is not None and member_permissions.is_local_admin(user, demand.territory_id):
        return ALLOWED
    if member_permissions.is_approved(user) and demand.created_by_id == user.pk:  # type: ignore[union-attr]
        return ALLOWED
    return refused(_("Only its author and the coordination can close this request."))
