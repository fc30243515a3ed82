"""Every rule of vouchers, activity records and reports, one function each.

Who is who:
- a programme's **managers** are the coordinators, and the local admins of its territory
  (a network programme: coordinators only). They edit it, manage its prescribing
  organisations and their prescribers, see every voucher, settle and mark paid, cancel.
- a **prescriber** (`PrescriberSeat`) issues vouchers of the programmes their organisation
  prescribes, and sees, follows, erases only their organisation's vouchers. A prescriber's
  account may be outside the network (`User.status = partner`) or a member's.
- a **venue's animators** (`User.venues`) record modules at their venue when it takes part
  in the programme, and see the vouchers their venue served and their venue's statements.
- beneficiary data (first name, commune, situation) is seen by the prescriber, the venues
  that served the person and the managers; nobody else, and never in a report.

Activity records: any member records their own accompaniments; a record is seen by its
mediator, its venue's animators, the local admins of its territory and the coordinators;
edited by its mediator and coordinators (a record made from a session or a voucher module
is changed at its source).

Reports: a coordinator reports on the network, any territory or venue; a local admin on
their territories and their venues; an animator on their venues. Coordinators and local
admins share a report (a read-only link) for a scope they may see, and revoke it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core import roles
from core.permissions import ALLOWED, Decision, conflict, is_authenticated, refused
from members import permissions as member_permissions

if TYPE_CHECKING:
    from datetime import date

    from core.permissions import AnyUser
    from directory.models import Venue
    from mediation.models import ActivityRecord, Organisation, Programme, ReportShare, Voucher
    from mediation.scopes import Scope


# --- Roles ---------------------------------------------------------------------------------


def prescriber_organisation_id(user: AnyUser) -> int | None:
    """The organisation `user` prescribes for (active seat, active organisation), else None;
    read once per request (core.roles)."""
    if user is None or not is_authenticated(user) or not user.is_active:
        return None
    if not (member_permissions.is_approved(user) or member_permissions.is_partner(user)):
        return None
    user_id = int(user.pk)

    def load() -> int | None:
        from mediation.models import PrescriberSeat

        return (
            PrescriberSeat.objects.filter(user_id=user_id, organisation__is_active=True)
            .values_list("organisation_id", flat=True).first()
        )

    return roles.cached(user, "prescriber_organisation", load)


def is_prescriber(user: AnyUser) -> bool:
    return prescriber_organisation_id(user) is not None


def is_programme_manager(user: AnyUser, programme: Programme) -> bool:
    if not member_permissions.is_approved(user):
        return False
    if member_permissions.is_coordinator(user):
        return True
    return programme.territory_id is not None and member_permissions.is_local_admin(user, programme.territory_id)


def can_manage_any_programme(user: AnyUser) -> bool:
    """Coordinators and local admins: the "Programmes" and "Prescripteurs" pages."""
    return bool(member_permissions.is_approved(user)) and member_permissions.can_approve_members(user)


def managed_territory_ids(user: AnyUser) -> frozenset[int] | None:
    """None: every programme (coordinators); else the territories whose programmes `user` manages."""
    if member_permissions.is_coordinator(user):
        return None
    return member_permissions.referent_territory_ids(user)


def attached_venue_ids(user: AnyUser) -> frozenset[int]:
    return member_permissions.attached_venue_ids(user)


def can_use_vouchers(user: AnyUser) -> bool:
    """Sees the "Tickets" section at all: managers, prescribers, animators of a venue."""
    return is_prescriber(user) or can_manage_any_programme(user) or bool(attached_venue_ids(user))


# --- Programmes and prescribers ------------------------------------------------------------


def can_create_programme(user: AnyUser) -> Decision:
    if can_manage_any_programme(user):
        return ALLOWED
    return refused(_("Only coordinators and local admins run voucher programmes."))


def can_manage_programme(user: AnyUser, programme: Programme) -> Decision:
    if is_programme_manager(user, programme):
        return ALLOWED
    return refused(_("Only the coordinators and the local admins of its territory run this programme."))


def can_create_organisation(user: AnyUser) -> Decision:
    """Coordinators and local admins add prescribing organisations (of their territories)."""
    if can_manage_any_programme(user):
        return ALLOWED
    return refused(_("Only coordinators and local admins manage prescribers."))


def can_manage_organisation(user: AnyUser, organisation: Organisation) -> Decision:
    """Coordinators; local admins for an organisation of their territory."""
    if not member_permissions.is_approved(user):
        return refused(_("Only coordinators and local admins manage prescribers."))
    if member_permissions.is_coordinator(user):
        return ALLOWED
    if organisation.territory_id is not None and member_permissions.is_local_admin(user, organisation.territory_id):
        return ALLOWED
    return refused(_("Only coordinators and the local admins of its territory manage this organisation."))


# --- Vouchers ------------------------------------------------------------------------------


def can_issue(user: AnyUser, programme: Programme) -> Decision:
    organisation_id = prescriber_organisation_id(user)
    if organisation_id is None:
        return refused(_("Only prescribers issue vouchers."))
    if not programme.is_active:
        return conflict(_("This programme no longer issues vouchers."))
    from mediation.models import Organisation

    if not Organisation.programmes.through.objects.filter(
        organisation_id=organisation_id, programme_id=programme.pk
    ).exists():
        return refused(_("Your organisation does not prescribe this programme."))
    return ALLOWED


def served_by_my_venue(user: AnyUser, voucher: Voucher) -> bool:
    venues = attached_venue_ids(user)
    return bool(venues) and voucher.uses.filter(venue_id__in=venues).exists()


def can_view_voucher(user: AnyUser, voucher: Voucher) -> bool:
    """Its beneficiary data too: the prescriber, the venues that served it, the managers."""
    if prescriber_organisation_id(user) == voucher.organisation_id:
        return True
    if is_programme_manager(user, voucher.programme):
        return True
    return bool(member_permissions.is_approved(user)) and served_by_my_venue(user, voucher)


def can_record_module(user: AnyUser, voucher: Voucher, venue: Venue, on: date) -> Decision:
    """An animator of `venue` (or a manager) records a module of `voucher` attended on `on`."""
    from mediation import validity

    if not member_permissions.is_approved(user):
        return refused(_("Only the animators of a participating venue record modules."))
    if venue.pk not in attached_venue_ids(user) and not is_programme_manager(user, voucher.programme):
        return refused(_("You record modules only at the venues you work in."))
    if not voucher.programme.venues.filter(pk=venue.pk).exists():
        return conflict(_("%(venue)s does not take part in %(programme)s.")
                        % {"venue": venue.name, "programme": voucher.programme.name})
    if voucher.status == voucher.Status.CANCELLED:
        return conflict(_("This voucher was cancelled."))
    if voucher.status == voucher.Status.COMPLETED:
        return conflict(_("Every module of this voucher is already done."))
    if voucher.status == voucher.Status.EXPIRED or on > validity.last_use_day(voucher):
        return conflict(_("This voucher expired on %(date)s.") % {"date": voucher.valid_until.strftime("%d/%m/%Y")})
    if on < voucher.valid_from:
        return conflict(_("This voucher is valid from %(date)s.") % {"date": voucher.valid_from.strftime("%d/%m/%Y")})
    return ALLOWED


def may_look_up(user: AnyUser) -> bool:
    """Approved members who animate a venue, and those who run programmes."""
    return bool(member_permissions.is_approved(user)) and (
        bool(attached_venue_ids(user)) or can_manage_any_programme(user)
    )


def has_participating_venue(user: AnyUser, voucher: Voucher) -> bool:
    """One of the venues `user` works in takes part in the voucher's programme (1 query)."""
    venues = attached_venue_ids(user)
    return bool(venues) and voucher.programme.venues.filter(pk__in=venues).exists()


def may_record_for(user: AnyUser, voucher: Voucher) -> bool:
    """Opens the voucher's "record a module" page (reached through its code): a manager of its
    programme, or an approved animator of a venue taking part in its programme. Whether a
    module may actually be recorded is `can_record_module`."""
    if not member_permissions.is_approved(user):
        return False
    return is_programme_manager(user, voucher.programme) or has_participating_venue(user, voucher)


def can_follow_voucher(user: AnyUser, voucher: Voucher) -> Decision:
    """Erase the beneficiary data, print the card again: its prescriber and the managers."""
    if prescriber_organisation_id(user) == voucher.organisation_id or is_programme_manager(user, voucher.programme):
        return ALLOWED
    return refused(_("Only the prescribing organisation and the programme's coordinators may do this."))


def can_cancel_voucher(user: AnyUser, voucher: Voucher) -> Decision:
    decision = can_follow_voucher(user, voucher)
    if not decision:
        return decision
    if voucher.status != voucher.Status.ACTIVE:
        return conflict(_("Only a voucher in progress can be cancelled."))
    return ALLOWED


def can_view_venue_vouchers(user: AnyUser, venue: Venue) -> bool:
    return venue.pk in attached_venue_ids(user) or (
        bool(member_permissions.is_approved(user)) and member_permissions.is_local_admin(user, venue.territory_id)
    )


def can_settle(user: AnyUser, programme: Programme) -> Decision:
    if is_programme_manager(user, programme):
        return ALLOWED
    return refused(_("Only the programme's coordinators draw up statements."))


def can_view_settlement(user: AnyUser, programme: Programme, venue: Venue) -> bool:
    return is_programme_manager(user, programme) or venue.pk in attached_venue_ids(user)


# --- Activity records ------------------------------------------------------------------------


def can_record_activity(user: AnyUser) -> Decision:
    if member_permissions.is_approved(user):
        return ALLOWED
    return refused(_("Only members of the network record accompaniments."))


def can_view_record(user: AnyUser, record: ActivityRecord) -> bool:
    if not member_permissions.is_approved(user):
        return False
    if record.recorded_by_id == user.pk or member_permissions.is_coordinator(user):
        return True
    if record.venue_id is not None and record.venue_id in attached_venue_ids(user):
        return True
    return record.territory_id is not None and record.territory_id in member_permissions.referent_territory_ids(user)


def can_edit_record(user: AnyUser, record: ActivityRecord) -> Decision:
    if not can_view_record(user, record):
        return refused(_("Only its mediator and the coordinators change this record."))
    if record.source != record.Source.MANUAL:
        return conflict(_("This record follows its session or its voucher: change it there."))
    if record.recorded_by_id == getattr(user, "pk", None) or member_permissions.is_coordinator(user):
        return ALLOWED
    return refused(_("Only its mediator and the coordinators change this record."))


# --- Reports -------------------------------------------------------------------------------


def can_view_report(user: AnyUser, scope: Scope) -> Decision:
    if not member_permissions.is_approved(user):
        return refused(_("Only members of the network read reports."))
    if member_permissions.is_coordinator(user):
        return ALLOWED
    if scope.kind == "territory" and scope.territory_id in member_permissions.referent_territory_ids(user):
        return ALLOWED
    if scope.kind == "venue" and (
        scope.venue_id in attached_venue_ids(user)
        or scope.territory_id in member_permissions.referent_territory_ids(user)
    ):
        return ALLOWED
    return refused(_("You read the reports of your venues and territories only."))


def can_share_report(user: AnyUser, scope: Scope) -> Decision:
    decision = can_view_report(user, scope)
    if not decision:
        return decision
    if not can_manage_any_programme(user):
        return refused(_("Only coordinators and local admins share reports."))
    return ALLOWED


def can_revoke_share(user: AnyUser, share: ReportShare) -> Decision:
    if member_permissions.is_approved(user) and (
        share.created_by_id == getattr(user, "pk", None) or member_permissions.is_coordinator(user)
    ):
        return ALLOWED
    return refused(_("Only who shared this link, or a coordinator, revokes it."))
