"""Voucher programmes and prescribing organisations: what coordinators and local admins run.

- `programme_create` / `programme_update`: name, territory (coordinators: any or none; local
  admins: one of theirs, required), funders, payment rule and amount, validity, grace period,
  participating venues (those the actor may pick; venues picked by someone else are kept);
  `programme_create` adds the default modules ("Module 1".."Module 10", 2 h each).
- `modules_save`: the modules of a programme (number, title, objectives, duration), added,
  changed and removed at once; a module attended with a voucher is never removed.
- `organisation_create` / `organisation_update`: a prescribing organisation and the programmes
  it prescribes (among those the actor runs; the others stay).
- `seat_add` / `seat_remove`: a prescriber's account. An address without account gets a
  partner account (`User.Status.PARTNER`, no territory, no password) and an e-mail with a link
  to choose their password (allauth's password-reset key); a member is told by e-mail. A
  partner account left without seat is deactivated.

The reads of the "Programmes" and "Prescribers" pages are at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import roles
from core.services import absolute_url, email_on_commit
from mediation import permissions, selectors
from mediation.models import Organisation, PrescriberSeat, Programme, ProgrammeModule, Voucher, VoucherUse
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from directory.models import Venue
    from members.models import Territory, User

NAME_MAX = 150
DESCRIPTION_MAX = 4000
FUNDERS_MAX = 300
AMOUNT_MAX = Decimal("999999.99")
VALIDITY_MONTHS_MAX = 60
GRACE_DAYS_MAX = 365
MODULES_DEFAULT = 10
MODULES_MAX = 50
MODULE_TITLE_MAX = 200
OBJECTIVES_MAX = 2000
DURATION_DEFAULT = 120
DURATION_MIN = 15
DURATION_MAX = 8 * 60
DISPLAY_NAME_MAX = 150

Status = Voucher.Status


# --- A rule of this slice ----------------------------------------------------------------------


# --- Validation ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _Errors:
    """Every error at once, by field."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _check_territory(actor: AnyUser, territory: Territory | None, errors: _Errors) -> None:
    """Coordinators choose any territory or none; a local admin one of theirs."""
    if member_permissions.is_coordinator(actor):
        return
    if territory is None:
        errors.add("territory", _("Choose one of your territories."))
    elif territory.pk not in member_permissions.referent_territory_ids(actor):
        errors.add("territory", _("You run programmes of your territories only."))


def _validate_programme(
    *, actor: User, name: Any, description: Any, territory: Territory | None, funders: Any,
    payment_rule: Any, amount: Any, validity_months: Any, grace_days: Any,
) -> dict[str, Any]:
    errors = _Errors()
    clean: dict[str, Any] = {"territory": territory}
    clean["name"] = _text(name)
    if not clean["name"]:
        errors.add("name", _("Give the programme a name."))
    elif len(clean["name"]) > NAME_MAX:
        errors.add("name", _("The name is at most %(max)d characters long.") % {"max": NAME_MAX})
    clean["description"] = _text(description)
    if len(clean["description"]) > DESCRIPTION_MAX:
        errors.add("description", _("The description is at most %(max)d characters long.") % {"max": DESCRIPTION_MAX})
    clean["funders"] = _text(funders)
    if len(clean["funders"]) > FUNDERS_MAX:
        errors.add("funders", _("This text is at most %(max)d characters long.") % {"max": FUNDERS_MAX})
    if payment_rule not in Programme.PaymentRule.values:
        errors.add("payment_rule", _("Choose how the venues are paid."))
    clean["payment_rule"] = payment_rule
    try:
        value = Decimal(str(amount).strip().replace(",", ".")) if amount is not None else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors.add("amount", _("Enter an amount in euros, for example 150,00."))
    elif value < 0:
        errors.add("amount", _("The amount cannot be negative."))
    elif value > AMOUNT_MAX or value != value.quantize(Decimal("0.01")):
        errors.add("amount", _("Enter an amount in euros and cents, at most 999 999,99 €."))
    else:
        clean["amount"] = value.quantize(Decimal("0.01"))
    months = _int(validity_months)
    if months is None or not 1 <= months <= VALIDITY_MONTHS_MAX:
        errors.add("validity_months", _("A voucher is valid between 1 and %(max)d months.")
                   % {"max": VALIDITY_MONTHS_MAX})
    clean["validity_months"] = months
    days = _int(grace_days)
    if days is None or not 0 <= days <= GRACE_DAYS_MAX:
        errors.add("grace_days", _("The grace period is between 0 and %(max)d days.") % {"max": GRACE_DAYS_MAX})
    clean["grace_days"] = days
    _check_territory(actor, territory, errors)
    errors.raise_any()
    return clean


def _venue_ids(actor: AnyUser, venues: Iterable[Venue | int], errors: _Errors) -> set[int]:
    wanted = {venue if isinstance(venue, int) else venue.pk for venue in venues}
    allowed = set(venues_choosable(actor).filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()
    if wanted - allowed:
        errors.add("venues", _("You choose the venues of your territories only."))
    return wanted


def _set_venues(actor: AnyUser, programme: Programme, wanted: set[int]) -> None:
    """The venues the actor may pick are those chosen; the others already there stay."""
    choosable = set(venues_choosable(actor).values_list("pk", flat=True))
    current = set(programme.venues.values_list("pk", flat=True))
    kept = current - choosable
    programme.venues.set(kept | (wanted & choosable))


# --- Programmes ------------------------------------------------------------------------------


def programme_create(
    *, actor: User, name: str, description: str = "", territory: Territory | None = None, funders: str = "",
    payment_rule: str = Programme.PaymentRule.PER_VOUCHER, amount: Decimal | str = Decimal("150.00"),
    validity_months: int = 12, grace_days: int = 30, venues: Iterable[Venue | int] = (), is_active: bool = True,
    module_count: int = MODULES_DEFAULT,
) -> Programme:
    permissions.can_create_programme(actor).check()
    errors = _Errors()
    try:
        clean = _validate_programme(
            actor=actor, name=name, description=description, territory=territory, funders=funders,
            payment_rule=payment_rule, amount=amount, validity_months=validity_months, grace_days=grace_days)
    except ValidationError as error:
        errors.errors.update(error.message_dict)
    count = _int(module_count)
    if count is None or not 1 <= count <= MODULES_MAX:
        errors.add("module_count", _("A programme has between 1 and %(max)d modules.") % {"max": MODULES_MAX})
    wanted = _venue_ids(actor, venues, errors)
    errors.raise_any()
    assert count is not None
    with transaction.atomic():
        programme = Programme.objects.create(**clean, is_active=bool(is_active), created_by=actor)
        ProgrammeModule.objects.bulk_create(
            ProgrammeModule(programme=programme, position=number, title=_("Module %(number)d") % {"number": number},
                            duration_minutes=DURATION_DEFAULT)
            for number in range(1, count + 1)
        )
        if wanted:
            programme.venues.set(wanted)
    return programme


def programme_update(
    *, actor: User, programme: Programme, name: str, description: str, territory: Territory | None, funders: str,
    payment_rule: str, amount: Decimal | str, validity_months: int, grace_days: int, venues: Iterable[Venue | int],
    is_active: bool,
) -> Programme:
    permissions.can_manage_programme(actor, programme).check()
    errors = _Errors()
    try:
        clean = _validate_programme(
            actor=actor, name=name, description=description, territory=territory, funders=funders,
            payment_rule=payment_rule, amount=amount, validity_months=validity_months, grace_days=grace_days)
    except ValidationError as error:
        errors.errors.update(error.message_dict)
        clean = {}
    wanted = _venue_ids(actor, venues, errors)
    errors.raise_any()
    with transaction.atomic():
        locked = Programme.objects.select_for_update(of=("self",)).get(pk=programme.pk)
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.is_active = bool(is_active)
        locked.save()
        _set_venues(actor, locked, wanted)
    programme.refresh_from_db()
    return programme


@dataclass
class ModuleRow:
    """One row of the modules form: `pk` None for a new module; `delete` removes it."""

    pk: int | None
    position: Any
    title: Any
    objectives: Any = ""
    duration_minutes: Any = DURATION_DEFAULT
    delete: bool = False


def modules_save(*, actor: User, programme: Programme, rows: Sequence[ModuleRow]) -> list[ProgrammeModule]:
    """Add, change and remove the modules of `programme` at once (all or nothing).

    Errors are keyed "modules" (the whole) or "module-<index>" (the row at that index)."""
    permissions.can_manage_programme(actor, programme).check()
    errors = _Errors()
    with transaction.atomic():
        Programme.objects.select_for_update(of=("self",)).filter(pk=programme.pk).first()
        existing = {module.pk: module for module in programme.modules.all()}
        used = set(VoucherUse.objects.filter(module__programme=programme).values_list("module_id", flat=True))
        kept: list[tuple[int, ModuleRow]] = []
        removed: list[ProgrammeModule] = []
        for index, row in enumerate(rows):
            if row.pk is not None and row.pk not in existing:
                raise ValidationError(_("This module is not one of the programme's: reload the page."))
            if row.delete:
                if row.pk is None:
                    continue
                module = existing[row.pk]
                if module.pk in used:
                    errors.add(f"module-{index}", _(
                        "Module %(number)d “%(title)s” was already attended with a voucher: it cannot be removed."
                    ) % {"number": module.position, "title": module.title})
                else:
                    removed.append(module)
                continue
            kept.append((index, row))
        missing = set(existing) - {row.pk for _i, row in kept} - {module.pk for module in removed}
        for pk in sorted(missing):  # a row the form did not send is kept as it was
            module = existing[pk]
            kept.append((-1, ModuleRow(pk=pk, position=module.position, title=module.title,
                                       objectives=module.objectives, duration_minutes=module.duration_minutes)))
        if not kept:
            errors.add("modules", _("A programme has at least one module."))
        elif len(kept) > MODULES_MAX:
            errors.add("modules", _("A programme has between 1 and %(max)d modules.") % {"max": MODULES_MAX})
        clean: list[tuple[int, ModuleRow, int, str, str, int]] = []
        positions: dict[int, int] = {}
        for index, row in kept:
            field = f"module-{index}" if index >= 0 else "modules"
            position = _int(row.position)
            title = _text(row.title)
            objectives = _text(row.objectives)
            duration = _int(row.duration_minutes)
            if position is None or not 1 <= position <= 99:
                errors.add(field, _("A module's number is between 1 and 99."))
            elif position in positions:
                errors.add(field, _("Two modules have the number %(number)d.") % {"number": position})
            else:
                positions[position] = index
            if not title:
                errors.add(field, _("Give each module a title."))
            elif len(title) > MODULE_TITLE_MAX:
                errors.add(field, _("A module's title is at most %(max)d characters long.") % {"max": MODULE_TITLE_MAX})
            if len(objectives) > OBJECTIVES_MAX:
                errors.add(field, _("The objectives are at most %(max)d characters long.") % {"max": OBJECTIVES_MAX})
            if duration is None or not DURATION_MIN <= duration <= DURATION_MAX:
                errors.add(field, _("A module lasts between %(min)d minutes and %(hours)d hours.")
                           % {"min": DURATION_MIN, "hours": DURATION_MAX // 60})
            clean.append((index, row, position or 0, title, objectives, duration or 0))
        # A voucher's modules are those of the day it was issued: once a voucher exists, adding,
        # removing or renumbering modules would change when it is complete and what each
        # venue is owed (settlement.split_of), so only titles, objectives and durations change.
        reshaped = bool(removed) or any(
            row.pk is None or position != existing[row.pk].position for _i, row, position, *_rest in clean
        )
        if reshaped and Voucher.objects.filter(programme=programme).exists():
            errors.add("modules", _(
                "Vouchers were already issued for this programme: its modules can no longer be added, removed or "
                "renumbered. Change their titles, objectives or durations, or create a new programme."
            ))
        errors.raise_any()
        if removed:
            ProgrammeModule.objects.filter(pk__in=[module.pk for module in removed]).delete()
        # Out of the way first: numbers may be swapped (unique (programme, position)).
        changed = [existing[row.pk] for _i, row, *_rest in clean if row.pk is not None]
        for offset, module in enumerate(changed):
            module.position = 1000 + offset
        ProgrammeModule.objects.bulk_update(changed, ["position"])
        created: list[ProgrammeModule] = []
        for _index, row, position, title, objectives, duration in clean:
            if row.pk is None:
                created.append(ProgrammeModule(programme=programme, position=position, title=title,
                                               objectives=objectives, duration_minutes=duration))
            else:
                module = existing[row.pk]
                module.position, module.title = position, title
                module.objectives, module.duration_minutes = objectives, duration
        ProgrammeModule.objects.bulk_update(changed, ["position", "title", "objectives", "duration_minutes"])
        ProgrammeModule.objects.bulk_create(created)
    return list(programme.modules.order_by("position"))


# --- Organisations -----------------------------------------------------------------------------


def _validate_organisation(
    *, actor: User, name: Any, kind: Any, territory: Territory | None, programmes: Iterable[Programme | int],
) -> tuple[dict[str, Any], set[int]]:
    errors = _Errors()
    clean: dict[str, Any] = {"territory": territory, "kind": kind}
    clean["name"] = _text(name)
    if not clean["name"]:
        errors.add("name", _("Give the organisation a name."))
    elif len(clean["name"]) > NAME_MAX:
        errors.add("name", _("The name is at most %(max)d characters long.") % {"max": NAME_MAX})
    if kind not in Organisation.Kind.values:
        errors.add("kind", _("Choose the kind of organisation."))
    if not member_permissions.is_coordinator(actor):
        if territory is None:
            errors.add("territory", _("Choose one of your territories."))
        elif territory.pk not in member_permissions.referent_territory_ids(actor):
            errors.add("territory", _("You manage the organisations of your territories only."))
    wanted = {programme if isinstance(programme, int) else programme.pk for programme in programmes}
    if wanted:
        allowed = set(selectors.managed_programmes(actor).filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted - allowed:
            errors.add("programmes", _("You choose among the programmes you run only."))
    errors.raise_any()
    return clean, wanted


def organisation_create(
    *, actor: User, name: str, kind: str = Organisation.Kind.OTHER, territory: Territory | None = None,
    programmes: Iterable[Programme | int] = (), is_active: bool = True,
) -> Organisation:
    permissions.can_create_organisation(actor).check()
    clean, wanted = _validate_organisation(actor=actor, name=name, kind=kind, territory=territory,
                                           programmes=programmes)
    with transaction.atomic():
        organisation = Organisation.objects.create(**clean, is_active=bool(is_active))
        if wanted:
            organisation.programmes.set(wanted)
    return organisation


def organisation_update(
    *, actor: User, organisation: Organisation, name: str, kind: str, territory: Territory | None,
    programmes: Iterable[Programme | int], is_active: bool,
) -> Organisation:
    permissions.can_manage_organisation(actor, organisation).check()
    clean, wanted = _validate_organisation(actor=actor, name=name, kind=kind, territory=territory,
                                           programmes=programmes)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.is_active = bool(is_active)
        locked.save()
        managed = set(selectors.managed_programmes(actor).values_list("pk", flat=True))
        current = set(locked.programmes.values_list("pk", flat=True))
        locked.programmes.set((current - managed) | wanted)
    organisation.refresh_from_db()
    return organisation


# --- Prescribers' accounts -----------------------------------------------------------------------


def _account_for(email: str) -> User | None:
    from allauth.account.models import EmailAddress

    from members.models import User

    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address is not None else None
    return user


def set_password_url(user: User) -> str:
    """An absolute link to choose a password: allauth's "password reset from key" page, with the
    key its own reset e-mail would carry (valid PASSWORD_RESET_TIMEOUT, used once)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    path = reverse("account_reset_password_from_key",
                   kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)})
    return absolute_url(path)


def seat_add(*, actor: User, organisation: Organisation, email: str, display_name: str = "") -> PrescriberSeat:
    """Make `email`'s account a prescriber of `organisation`, creating a partner account for an
    address without one (e-mailed a link to choose a password)."""
    from allauth.account.models import EmailAddress

    from members.models import User

    permissions.can_manage_organisation(actor, organisation).check()
    address = _text(email).lower()
    name = _text(display_name)
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}) from None
    if len(name) > DISPLAY_NAME_MAX:
        raise ValidationError({"display_name": _("The name is at most %(max)d characters long.")
                               % {"max": DISPLAY_NAME_MAX}})
    with transaction.atomic():
        user = _account_for(address)
        created = False
        reactivated = False
        if user is not None:
            seat = PrescriberSeat.objects.filter(user=user).select_related("organisation").first()
            if seat is not None and seat.organisation_id == organisation.pk:
                raise ValidationError({"email": _("%(name)s already prescribes for this organisation.")
                                       % {"name": user}})
            if seat is not None:
                raise ValidationError({"email": _("%(name)s already prescribes for %(organisation)s.")
                                       % {"name": user, "organisation": seat.organisation.name}})
            if user.status == User.Status.PARTNER:
                reactivated = not user.is_active
                if reactivated:
                    user.is_active = True
                    user.save(update_fields=["is_active"])
            elif not member_permissions.is_approved(user) or not user.is_active:
                raise ValidationError({"email": _(
                    "The account of %(email)s is not an approved member's: approve it first, or give another "
                    "address.") % {"email": address}})
        else:
            if not name:
                raise ValidationError({"display_name": _("Enter the name of the person.")})
            user = User(email=address, display_name=name, status=User.Status.PARTNER, territory=None)
            user.set_unusable_password()
            try:
                with transaction.atomic():
                    user.save()
                    EmailAddress.objects.create(user=user, email=address, verified=True, primary=True)
            except IntegrityError:
                raise ValidationError({"email": _("An account was just made with this address: try again.")}) from None
            created = True
        try:
            with transaction.atomic():
                seat = PrescriberSeat.objects.create(user=user, organisation=organisation, added_by=actor)
        except IntegrityError:
            raise ValidationError({"email": _("%(name)s already prescribes for another organisation.")
                                   % {"name": user}}) from None
        roles.forget(user)
        context = {"user": user, "organisation": organisation, "actor": actor,
                   "tickets_url": absolute_url(reverse("tickets:index"))}
        if created or reactivated:
            context["password_url"] = set_password_url(user)
            context["login_url"] = absolute_url(reverse("account_login"))
            # Subjects stay lazy: e-mails go out in French (email_on_commit), whatever the
            # language of the page that sent them.
            email_on_commit(to=user.email, subject=gettext_lazy("Your prescriber account for the vouchers"),
                            template="mediation/email/prescriber_welcome.txt", context=context)
        else:
            email_on_commit(to=user.email,
                            subject=format_lazy(gettext_lazy("You now prescribe vouchers for {organisation}"),
                                                organisation=organisation.name),
                            template="mediation/email/prescriber_added.txt", context=context)
    return seat


def seat_remove(*, actor: User, seat: PrescriberSeat) -> None:
    """Remove a prescriber; a partner account left without seat can no longer log in."""
    from members.models import User

    permissions.can_manage_organisation(actor, seat.organisation).check()
    with transaction.atomic():
        deleted, _counts = PrescriberSeat.objects.filter(pk=seat.pk).delete()
        if not deleted:
            return
        user = seat.user
        if user.status == User.Status.PARTNER and not PrescriberSeat.objects.filter(user=user).exists():
            User.objects.filter(pk=user.pk).update(is_active=False)
            user.is_active = False
        roles.forget(user)


# --- Reads ---------------------------------------------------------------------------------------


def programmes_with_counts(user: AnyUser) -> QuerySet[Programme]:
    """The programmes `user` runs, each with `issued`, `in_progress`, `completed` (one query)."""
    return (
        selectors.managed_programmes(user).select_related("territory")
        .annotate(
            issued=Count("vouchers"),
            in_progress=Count("vouchers", filter=Q(vouchers__status=Status.ACTIVE)),
            completed=Count("vouchers", filter=Q(vouchers__status=Status.COMPLETED)),
        )
        .order_by("name", "pk")
    )


def programme_get_for_user(user: AnyUser, pk: int) -> Programme:
    """A programme `user` runs, with its territory; 404 otherwise."""
    programme = selectors.managed_programmes(user).select_related("territory").filter(pk=pk).first()
    if programme is None:
        raise Http404
    return programme


def voucher_counts(programme: Programme) -> dict[str, int]:
    return Voucher.objects.filter(programme=programme).aggregate(
        issued=Count("pk"),
        in_progress=Count("pk", filter=Q(status=Status.ACTIVE)),
        completed=Count("pk", filter=Q(status=Status.COMPLETED)),
    )


def organisations_with_counts(user: AnyUser) -> QuerySet[Organisation]:
    """The organisations `user` manages, each with `seats_count` and `vouchers_count`."""
    return (
        selectors.managed_organisations(user).select_related("territory")
        .annotate(seats_count=Count("seats", distinct=True), vouchers_count=Count("vouchers", distinct=True))
        .order_by("name", "pk")
    )


def organisation_get_for_user(user: AnyUser, pk: int) -> Organisation:
    organisation = selectors.managed_organisations(user).select_related("territory").filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def seat_get_for_user(user: AnyUser, pk: int) -> PrescriberSeat:
    """A seat of an organisation `user` manages; 404 otherwise."""
    seat = (
        PrescriberSeat.objects.filter(organisation__in=selectors.managed_organisations(user))
        .select_related("user", "organisation").filter(pk=pk).first()
    )
    if seat is None:
        raise Http404
    return seat


def venues_choosable(user: AnyUser) -> QuerySet[Venue]:
    """The directory's venues `user` may make take part: coordinators all, local admins those of
    their territories; by territory, then name."""
    from directory.models import Venue

    venues = Venue.objects.select_related("territory").order_by("territory__name", "name", "pk")
    if member_permissions.is_coordinator(user):
        return venues
    return venues.filter(territory_id__in=member_permissions.referent_territory_ids(user))


def territories_choosable(user: AnyUser) -> QuerySet[Territory]:
    from members.models import Territory

    if member_permissions.is_coordinator(user):
        return Territory.objects.order_by("name")
    return Territory.objects.filter(pk__in=member_permissions.referent_territory_ids(user)).order_by("name")
