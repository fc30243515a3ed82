"""Using a voucher at a venue: an animator enters (or scans) its code, then records the
module the person attended. One voucher is used across the venues of its programme; each
module once; complete when every module is done.

- `voucher_lookup`: the code as typed (spaces, dashes, lower case) or the card's URL → the
  voucher. Failed lookups are rate-limited per person and per address (guessing a code).
- `module_record`: exactly once per (voucher, module), also when two animators record at
  once: the voucher row is locked, the unique constraint is the net. Every module is also an
  activity record (`mediation.activity.record_from_use`), in the same transaction.
- who opens a voucher's "record a module" page: `permissions.may_record_for`.
- `venue_vouchers`: a venue's vouchers in progress (or completed), in one query.
"""

from __future__ import annotations

from datetime import date as date_type
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import ratelimit
from core.services import absolute_url, email_on_commit
from mediation import codes, permissions
from mediation.models import PrescriberSeat, ProgrammeModule, Voucher, VoucherUse
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from directory.models import Venue

DURATION_MIN = 15
DURATION_MAX = 480


# --- Rules of this slice ---------------------------------------------------------------------


# --- Looking a code up -----------------------------------------------------------------------


def _guess_keys(actor: AnyUser, client_key: str) -> list[str]:
    user_id = getattr(actor, "pk", None)
    return [f"mediation:voucher-guess:user:{user_id}", f"mediation:voucher-guess:ip:{client_key}"]


def _too_many() -> ValidationError:
    return ValidationError(_("Too many attempts: try again in a quarter of an hour."), code="rate_limited")


def voucher_lookup(*, actor: AnyUser, typed: str, client_key: str) -> Voucher:
    """The voucher whose code was typed or scanned, with its programme and organisation.

    PermissionDenied for who may not look codes up; ValidationError when the code is empty,
    unknown (counted: beyond settings.VOUCHER_GUESS_LIMIT failures in VOUCHER_GUESS_WINDOW
    seconds, per person or per address, every lookup is refused, even of a good code), or of
    a programme none of the actor's venues takes part in (managers excepted)."""
    if not permissions.may_look_up(actor):
        raise PermissionDenied(_("Only the animators of a participating venue and the coordinators look up vouchers."))
    code = codes.normalise(typed)
    if not code:
        raise ValidationError(_("Type the code printed on the voucher."), code="required")
    keys = _guess_keys(actor, client_key)
    limit = settings.VOUCHER_GUESS_LIMIT
    if any((cache.get(key) or 0) >= limit for key in keys):
        raise _too_many()
    voucher = None
    if codes.looks_valid(code):
        voucher = Voucher.objects.select_related("programme", "organisation").filter(code=code).first()
    if voucher is None:
        window = settings.VOUCHER_GUESS_WINDOW
        beyond = [ratelimit.hit(key, limit=limit, window=window) for key in keys]
        if any(beyond):
            raise _too_many()
        raise ValidationError(_("No voucher has this code: check it on the card."), code="unknown")
    if not (permissions.is_programme_manager(actor, voucher.programme)
            or permissions.has_participating_venue(actor, voucher)):
        raise ValidationError(
            _("None of your venues takes part in %(programme)s.") % {"programme": voucher.programme.name},
            code="outside_programme",
        )
    return voucher


# --- Recording a module ----------------------------------------------------------------------


def _already(use: VoucherUse) -> ValidationError:
    return ValidationError(
        {"module": _("Module %(number)s was already recorded on %(date)s at %(venue)s.") % {
            "number": use.module.position, "date": use.date.strftime("%d/%m/%Y"), "venue": use.venue.name}},
        code="already_recorded",
    )


def _existing_use(voucher: Voucher, module: ProgrammeModule) -> VoucherUse | None:
    return VoucherUse.objects.select_related("module", "venue").filter(voucher=voucher, module=module).first()


def module_record(
    *, actor: AnyUser, voucher: Voucher, module: ProgrammeModule, venue: Venue, date: date_type,
    duration_minutes: int | None = None,
) -> VoucherUse:
    """Record that the person holding `voucher` attended `module` at `venue` on `date` for
    `duration_minutes` (default: the module's). Exactly once per module; the voucher is
    completed (and its prescribing organisation told by e-mail) with its last module."""
    duration = module.duration_minutes if duration_minutes is None else duration_minutes
    with transaction.atomic():
        # The lock serialises two animators recording on the same voucher (SQLite: IMMEDIATE).
        locked = Voucher.objects.select_for_update(of=("self",)).select_related("programme").get(pk=voucher.pk)
        permissions.can_record_module(actor, locked, venue, date).check()
        errors: dict[str, str] = {}
        if date > timezone.localdate():
            errors["date"] = _("The date cannot be in the future.")
        if module.programme_id != locked.programme_id:
            errors["module"] = _("This module is not one of the voucher's programme.")
        if not DURATION_MIN <= duration <= DURATION_MAX:
            errors["duration_minutes"] = _("The duration is between 15 minutes and 8 hours.")
        if errors:
            raise ValidationError(errors)
        existing = _existing_use(locked, module)
        if existing is not None:
            raise _already(existing)
        try:
            with transaction.atomic():
                use = VoucherUse.objects.create(
                    voucher=locked, module=module, venue=venue, date=date, duration_minutes=duration,
                    recorded_by=actor if member_permissions.is_approved(actor) else None,
                )
        except IntegrityError:  # the unique (voucher, module) constraint: recorded meanwhile
            existing = _existing_use(locked, module)
            if existing is None:
                raise
            raise _already(existing) from None
        done = VoucherUse.objects.filter(voucher=locked).count()
        total = ProgrammeModule.objects.filter(programme_id=locked.programme_id).count()
        Voucher.objects.filter(pk=locked.pk).update(modules_done=done)
        locked.modules_done = done
        if done >= total:
            now = timezone.now()
            completed = Voucher.objects.filter(pk=locked.pk, status=Voucher.Status.ACTIVE).update(
                status=Voucher.Status.COMPLETED, completed_at=now)
            if completed:
                locked.status, locked.completed_at = Voucher.Status.COMPLETED, now
                _tell_completed(locked)
        from mediation import activity

        activity.record_from_use(use)
    voucher.modules_done, voucher.status, voucher.completed_at = locked.modules_done, locked.status, locked.completed_at
    return use


def _tell_completed(voucher: Voucher) -> None:
    """E-mail each prescriber of the voucher's organisation (after the commit)."""
    seats = PrescriberSeat.objects.filter(organisation_id=voucher.organisation_id, user__is_active=True).select_related(
        "user", "organisation")
    url = absolute_url(voucher.get_absolute_url())
    for seat in seats:
        if not seat.user.email:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Voucher %(code)s completed") % {"code": voucher.display_code}
        email_on_commit(
            to=seat.user.email, subject=subject, template="mediation/email/voucher_completed.txt",
            context={"voucher": voucher, "programme": voucher.programme, "organisation": seat.organisation,
                     "user": seat.user, "url": url},
        )


def recorded_message(use: VoucherUse, voucher: Voucher) -> str:
    """What the animator reads once a module is recorded."""
    if voucher.status == Voucher.Status.COMPLETED:
        return _("Module %(number)s recorded: the voucher is completed.") % {"number": use.module.position}
    left = max(voucher_module_total(voucher) - voucher.modules_done, 0)
    return ngettext(
        "Module %(number)s recorded: %(count)d module left.",
        "Module %(number)s recorded: %(count)d modules left.", left,
    ) % {"number": use.module.position, "count": left}


def voucher_module_total(voucher: Voucher) -> int:
    return ProgrammeModule.objects.filter(programme_id=voucher.programme_id).count()


# --- Reads -----------------------------------------------------------------------------------


def recording_venues(user: AnyUser, voucher: Voucher) -> QuerySet[Venue]:
    """Where `user` may record a module of `voucher`: their venues taking part in its programme;
    for a manager of the programme, every participating venue."""
    from directory.models import Venue

    if permissions.is_programme_manager(user, voucher.programme):
        return Venue.objects.filter(voucher_programmes=voucher.programme_id).order_by("name", "pk")
    venues = permissions.attached_venue_ids(user)
    if not venues:
        return Venue.objects.none()
    return Venue.objects.filter(pk__in=venues, voucher_programmes=voucher.programme_id).order_by("name", "pk")


def voucher_uses(voucher: Voucher) -> dict[int, VoucherUse]:
    """{module id: its use} of `voucher` (1 query)."""
    return {use.module_id: use for use in VoucherUse.objects.filter(voucher=voucher).select_related("venue")}


def venue_vouchers(venue: Venue, *, completed: bool = False) -> QuerySet[Voucher]:
    """The vouchers `venue` served at least once, in progress (or completed), the latest module
    first; each with `modules_total` and `last_use` (its last module, at any venue). One query."""
    modules_total = (
        ProgrammeModule.objects.filter(programme_id=OuterRef("programme_id")).order_by()
        .values("programme_id").annotate(count=Count("pk")).values("count")
    )
    last_use = VoucherUse.objects.filter(voucher_id=OuterRef("pk")).order_by("-date").values("date")[:1]
    status = Voucher.Status.COMPLETED if completed else Voucher.Status.ACTIVE
    return (
        Voucher.objects.filter(Exists(VoucherUse.objects.filter(voucher_id=OuterRef("pk"), venue_id=venue.pk)),
                               status=status)
        .select_related("programme")
        .annotate(modules_total=Subquery(modules_total, output_field=IntegerField()), last_use=Subquery(last_use))
        .order_by("-last_use", "-pk")
    )
