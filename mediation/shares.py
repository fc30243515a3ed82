"""Shared reports: a read-only link to a report (a scope and a period) for a funder.

- **Who shares**: `permissions.can_share_report` (coordinators, and local admins for the
  scopes they may read). **Who revokes**: `permissions.can_revoke_share` (who shared it, or a
  coordinator).
- **The link** is `/rapports/<token>/`: the token is random (`models.new_share_token`, 32
  characters) and looked up by its unique index, so no timing attack is worth guarding
  against. A revoked link answers 404, like an unknown one (nothing tells them apart).
- **Revoking** is a conditional UPDATE (`revoked_at` null → now): two revocations at once
  revoke once; the second is told "already revoked" (a Conflict, a ValidationError).
- **Views** are counted by `F("views") + 1` in the database: parallel readers never lose a
  count.
- **Nothing about beneficiaries** is shown: the page is the report, which holds only counts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import conflict
from mediation import permissions
from mediation.models import ReportShare
from mediation.scopes import Period, Scope
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser

LABEL_MAX = 150


def share_create(*, actor: AnyUser, label: str, scope: Scope, period: Period) -> ReportShare:
    """A new link to the report of `scope` over `period`, named `label` (for whom)."""
    permissions.can_share_report(actor, scope).check()
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError({"label": _("Say for whom this link is (e.g. CAF du Lot).")})
    if len(label) > LABEL_MAX:
        raise ValidationError({"label": _("At most %(max)d characters.") % {"max": LABEL_MAX}})
    with transaction.atomic():
        return ReportShare.objects.create(
            label=label,
            venue_id=scope.venue_id if scope.kind == "venue" else None,
            territory_id=scope.territory_id if scope.kind == "territory" else None,
            period=period.kind, year=period.year, number=period.number,
            created_by=actor if member_permissions.is_approved(actor) else None,
        )


def share_revoke(*, actor: AnyUser, share: ReportShare) -> ReportShare:
    """Revoke the link: it answers 404 from now on. Revoking twice is a Conflict."""
    permissions.can_revoke_share(actor, share).check()
    now = timezone.now()
    with transaction.atomic():
        done = ReportShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(revoked_at=now)
    if not done:
        conflict(_("This link is already revoked.")).check()
    share.revoked_at = now
    return share


def share_get(token: str) -> ReportShare:
    """The live share of `token` (its venue and territory read with it); 404 when the token is
    unknown or the link revoked."""
    share = (
        ReportShare.objects.select_related("venue", "territory")
        .filter(token=token, revoked_at__isnull=True).first()
    )
    if share is None:
        raise Http404("unknown or revoked share")
    return share


def share_viewed(share: ReportShare) -> None:
    """Count one view of the shared page (in the database: no view lost to a race)."""
    now = timezone.now()
    ReportShare.objects.filter(pk=share.pk).update(views=F("views") + 1, last_viewed_at=now)


def share_scope(share: ReportShare) -> Scope:
    """The report's scope, rebuilt from the share (its venue and territory already read)."""
    if share.venue_id is not None and share.venue is not None:
        return Scope.of_venue(share.venue)
    if share.territory_id is not None and share.territory is not None:
        return Scope.of_territory(share.territory)
    return Scope.network()


def share_period(share: ReportShare) -> Period:
    return Period(share.period, share.year, share.number)


def shares_for_user(user: AnyUser) -> QuerySet[ReportShare]:
    """The links `user` created (every link for a coordinator), newest first."""
    shares = ReportShare.objects.select_related("venue", "territory", "created_by").order_by("-created_at", "-pk")
    if member_permissions.is_coordinator(user):
        return shares
    if not member_permissions.is_approved(user):
        return shares.none()
    return shares.filter(created_by_id=user.pk)


def share_get_for_user(user: AnyUser, pk: int) -> ReportShare:
    """A link `user` may see in their list (404 otherwise)."""
    share = shares_for_user(user).filter(pk=pk).first()
    if share is None:
        raise Http404("no such share")
    return share
