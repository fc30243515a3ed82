"""Registrations, the waiting list and the places offered for a limited time.

A registration's `status` is a small state machine:

- a member, a phone-only visitor and a person registered at the venue are **confirmed**
  when a place is free and nobody waits, else **waiting** (`waiting_since`: the list's order);
- a visitor who gave an e-mail is **unconfirmed** until they follow the link of the e-mail
  (`registration_confirm`), and holds no place meanwhile; unconfirmed too long, they are
  dropped (`unconfirmed_drop`);
- when a place frees up (a cancellation, an offer declined or expired, more places), it is
  **offered** to the first person waiting until `offer_expires_at` (`WORKSHOP_OFFER_HOURS`,
  never past the close of registrations); they **accept** (confirmed) or **decline**; when the
  offer **expires**, the next person gets it (`offers_expire`, from the tasks command);
- anyone **cancels** (their account, their personal link, or a host for them) until the end.

Capacity is exact: every service takes the session's row lock first
(`select_for_update`; on SQLite every transaction is IMMEDIATE, see `extranet/settings.py`)
and only then counts the places held (`Registration.HOLDING`: confirmed, and offered not yet
answered). The waiting list's order is the order of the commits. Everyone is told through
`messaging.tell` (a notification for a member, an e-mail with the personal link for a visitor).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import ratelimit
from core.notifications import register_verb
from core.permissions import is_authenticated
from core.services import absolute_url
from workshops import messaging, permissions
from workshops.models import Registration, Session

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from members.models import User

Status = Registration.Status
Kind = Registration.Kind
ACTIVE = [str(status) for status in Registration.ACTIVE]
HOLDING = [str(status) for status in Registration.HOLDING]

NAME_MIN, NAME_MAX = 2, 150
NOTE_MAX = 500

register_verb("workshops.registered", gettext_lazy("You are registered for {target}"))
register_verb("workshops.waiting", gettext_lazy("You are on the waiting list of {target}"))
register_verb("workshops.offered", gettext_lazy("A place is free for you at {target}: accept it or decline it"))
register_verb("workshops.offer_expired", gettext_lazy("The place offered to you at {target} has expired"))
register_verb("workshops.registration_cancelled", gettext_lazy("Your registration to {target} is cancelled"))
register_verb("workshops.reminder", gettext_lazy("Reminder: {target} is coming soon"))


# --- Reading ---------------------------------------------------------------------------------


def session_lock(session: Session | int) -> Session:
    """The session's row, locked until the end of the transaction (with its workshop)."""
    pk = session if isinstance(session, int) else session.pk
    return (Session.objects.select_for_update(of=("self",))
            .select_related("workshop", "workshop__territory", "venue").get(pk=pk))


def held_count(session: Session) -> int:
    return Registration.objects.filter(session=session, status__in=HOLDING).count()


def _place_status(session: Session) -> str:
    """Confirmed when a place is free and nobody waits, else waiting (under the lock)."""
    if held_count(session) < session.capacity and not Registration.objects.filter(
            session=session, status=Status.WAITING).exists():
        return Status.CONFIRMED
    return Status.WAITING


def _reload(registration: Registration, session: Session) -> Registration:
    """The registration as committed, read after the session's lock (its session: `session`)."""
    row = Registration.objects.select_related("user").get(pk=registration.pk)
    row.session = session
    return row


def waiting_position(registration: Registration) -> int | None:
    """1 for the first person waiting, None when not waiting."""
    if registration.status != Status.WAITING or registration.waiting_since is None:
        return None
    ahead = Registration.objects.filter(session_id=registration.session_id, status=Status.WAITING).filter(
        Q(waiting_since__lt=registration.waiting_since)
        | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
    ).count()
    return ahead + 1


def offer_hours() -> int:
    return int(getattr(settings, "WORKSHOP_OFFER_HOURS", 24))


# --- Validating ------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s.\-/()]")


def normalise_phone(value: str) -> str:
    """"06 12 34 56 78" from French formats (0612345678, 06.12.34.56.78, +33 6 12 34 56 78,
    0033612345678); an international number of another code (+262 692 12 34 56) as
    "+262692123456"; "" for an empty value; ValueError otherwise."""
    text = _PHONE_SEPARATORS.sub("", value or "")
    if not text:
        return ""
    if text.startswith("0033"):
        text = "+" + text[2:]
    if text.startswith("+33"):
        text = "0" + text[3:]
    elif text.startswith("+"):
        # Another country code (overseas: +262, +590, +594, +596, +269, +687...): kept as typed.
        if re.fullmatch(r"\+[1-9][0-9]{7,14}", text):
            return text
        raise ValueError(value)
    if not re.fullmatch(r"0[1-9][0-9]{8}", text):
        raise ValueError(value)
    return " ".join(text[i:i + 2] for i in range(0, 10, 2))


def _clean_person(*, name: str, email: str, phone: str, note: str, contact_required: bool) -> dict[str, str]:
    """The name, e-mail, phone and note of a visitor or a person registered at the venue;
    ValidationError by field."""
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    email = (email or "").strip()
    note = (note or "").strip()
    if len(name) < NAME_MIN:
        errors["name"] = _("Give a name of at least 2 characters.")
    elif len(name) > NAME_MAX:
        errors["name"] = _("Give a name of at most 150 characters.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid e-mail address.")
    try:
        phone = normalise_phone(phone)
    except ValueError:
        errors["phone"] = _("Enter a phone number: 10 digits (06 12 34 56 78), "
                             "or + and the country code (+262 692 12 34 56).")
        phone = ""
    if contact_required and not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = _("Give an e-mail address or a phone number.")
    if len(note) > NOTE_MAX:
        errors["note"] = _("Keep the note under 500 characters.")
    if errors:
        raise ValidationError({field: ValidationError(message, code="invalid") for field, message in errors.items()})
    return {"name": name, "email": email, "phone": phone, "note": note}


def _same_person(session: Session, *, email: str, phone: str) -> Registration | None:
    """An active registration of `session` with that e-mail (any case) or that phone."""
    match = Q()
    if email:
        match |= Q(email__iexact=email)
    if phone:
        match |= Q(phone=phone)
    if not match:
        return None
    return (Registration.objects.select_related("user").filter(session=session, status__in=ACTIVE)
            .filter(match).order_by("created_at", "pk").first())


# --- Telling ---------------------------------------------------------------------------------


def _nearby(session: Session) -> list[dict[str, Any]]:
    """The other sessions of the workshop close by (PUBLIC slice), for the e-mails."""
    from workshops import nearby

    found = nearby.nearby_sessions(session)
    items = []
    for other, km in found:
        url = (other.workshop.get_public_url() if other.workshop.is_public else other.get_absolute_url())
        items.append({"session": other, "km": km, "url": absolute_url(url)})
    return items


def _tell(registration: Registration, verb: str, subject: Any, template: str, *,
          actor: User | None = None, context: dict[str, Any] | None = None) -> None:
    messaging.tell(registration, verb=f"workshops.{verb}", subject=subject,
                   template=f"workshops/email/booking_{template}.txt", actor=actor,
                   context={"offer_hours": offer_hours(), "public_url": _public_url(registration.session),
                            **(context or {})})


def _public_url(session: Session) -> str:
    workshop = session.workshop
    return absolute_url(workshop.get_public_url() if workshop.is_public else session.get_absolute_url())


def _tell_placed(registration: Registration, *, actor: User | None = None) -> None:
    """Registered, or on the waiting list (with the sessions nearby)."""
    if registration.status == Status.CONFIRMED:
        _tell(registration, "registered", gettext_lazy("Your registration is confirmed"), "registered", actor=actor)
    elif registration.status == Status.WAITING:
        _tell(registration, "waiting", gettext_lazy("You are on the waiting list"), "waiting", actor=actor,
              context={"position": waiting_position(registration), "nearby": _nearby(registration.session)})


def _tell_confirm_link(registration: Registration) -> None:
    messaging.email(
        to=registration.email, subject=gettext_lazy("Confirm your registration"),
        template="workshops/email/booking_confirm.txt",
        context={"registration": registration, "session": registration.session,
                 "workshop": registration.session.workshop,
                 "link": absolute_url(registration.get_token_url()),
                 "confirm_hours": int(getattr(settings, "WORKSHOP_CONFIRM_HOURS", 48))},
    )


# --- Registering -----------------------------------------------------------------------------


def _create(session: Session, **fields: Any) -> Registration:
    now = timezone.now()
    status = fields.pop("status", None) or _place_status(session)
    registration = Registration(session=session, status=status, created_at=now, **fields)
    if status == Status.CONFIRMED:
        registration.confirmed_at = now
    elif status == Status.WAITING:
        registration.waiting_since = now
    registration.save()
    return registration


def register_member(*, actor: User, session: Session) -> Registration:
    """Register `actor` (one click): confirmed, or waiting when full. Twice: the same row."""
    permissions.can_register(actor, session).check()
    try:
        with transaction.atomic():
            locked = session_lock(session)
            permissions.can_register(actor, locked).check()
            existing = (Registration.objects.select_related("user")
                        .filter(session=locked, user=actor, status__in=ACTIVE).first())
            if existing is not None:
                existing.session = locked
                return existing
            registration = _create(locked, user=actor, kind=Kind.MEMBER)
            _tell_placed(registration)
            return registration
    except IntegrityError:  # the partial unique constraint: a parallel request won
        existing = Registration.objects.filter(session=session, user=actor, status__in=ACTIVE).first()
        if existing is None:
            raise
        return existing


def register_visitor(*, session: Session, name: str, email: str, phone: str, consent: bool,
                     note: str = "") -> Registration:
    """A visitor on /ateliers/. With an e-mail: unconfirmed (no place held) until they follow
    the link of the e-mail; with a phone only: confirmed or waiting at once. The same e-mail
    or phone again: the registration already made, marked `already_registered` (its e-mail sent
    again to the address on file, not shown to whoever typed the details)."""
    permissions.can_register_publicly(session).check()
    person = _clean_person(name=name, email=email, phone=phone, note=note, contact_required=True)
    if not consent:
        raise ValidationError(
            {"consent": ValidationError(_("Accept that your details are kept to manage your registration."),
                                        code="required")})
    with transaction.atomic():
        locked = session_lock(session)
        permissions.can_register_publicly(locked).check()
        existing = _same_person(locked, email=person["email"], phone=person["phone"])
        if existing is not None:
            # Whoever typed these details may not be that person: the page shows nothing of the
            # registration (`already_registered`), and its link goes again, at most every 15
            # minutes, only to the address given at the time.
            existing.session = locked
            existing.already_registered = True  # type: ignore[attr-defined]
            if not ratelimit.hit(f"workshops:resend:{existing.pk}", limit=1, window=15 * 60):
                if existing.status == Status.UNCONFIRMED:
                    _tell_confirm_link(existing)
                elif existing.status == Status.OFFERED:
                    _tell_offer(existing)
                else:
                    _tell_placed(existing)
            return existing
        now = timezone.now()
        if person["email"]:
            registration = _create(locked, kind=Kind.VISITOR, status=Status.UNCONFIRMED, consent_at=now, **person)
            _tell_confirm_link(registration)
        else:
            registration = _create(locked, kind=Kind.VISITOR, consent_at=now, **person)
            _tell_placed(registration)
    return registration


def register_on_site(*, actor: User, session: Session, name: str, phone: str = "", email: str = "",
                     note: str = "") -> Registration:
    """A host registers a person at the venue (often without e-mail): confirmed or waiting."""
    permissions.can_register_others(actor, session).check()
    person = _clean_person(name=name, email=email, phone=phone, note=note, contact_required=False)
    with transaction.atomic():
        locked = session_lock(session)
        permissions.can_register_others(actor, locked).check()
        existing = _same_person(locked, email=person["email"], phone=person["phone"])
        if existing is not None:
            existing.session = locked
            return existing
        registration = _create(locked, kind=Kind.ON_SITE, registered_by=actor, **person)
        _tell_placed(registration, actor=actor)
    return registration


def registration_confirm(*, registration: Registration) -> Registration:
    """The visitor followed the link of the e-mail: confirmed or waiting. Twice: unchanged."""
    with transaction.atomic():
        locked = session_lock(registration.session_id)
        current = _reload(registration, locked)
        if current.status in (Status.CANCELLED, Status.DECLINED, Status.EXPIRED):
            raise ValidationError(_("This registration was cancelled: register again if you wish."),
                                  code="cancelled")
        if current.status != Status.UNCONFIRMED:
            return current
        permissions.registration_open(locked).check()
        now = timezone.now()
        current.status = _place_status(locked)
        if current.status == Status.CONFIRMED:
            current.confirmed_at = now
        else:
            current.waiting_since = now
        current.save(update_fields=["status", "confirmed_at", "waiting_since"])
        _tell_placed(current)
    return current


def registration_cancel(*, actor: AnyUser, registration: Registration, by_token: bool = False) -> Registration:
    """Cancel (the person, by their account or their link; or a host for them). A place it
    held goes to the first person waiting."""
    permissions.can_cancel_registration(actor, registration, by_token=by_token).check()
    with transaction.atomic():
        locked = session_lock(registration.session_id)
        current = _reload(registration, locked)
        permissions.can_cancel_registration(actor, current, by_token=by_token).check()
        now = timezone.now()
        held = current.status in HOLDING
        current.status = Status.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        own = by_token or (is_authenticated(actor) and current.user_id == getattr(actor, "pk", None))
        _tell(current, "registration_cancelled", gettext_lazy("Your registration is cancelled"), "cancelled",
              actor=None if own else actor)  # type: ignore[arg-type]
        if held:
            _offer_next(locked, now)
    return current


# --- Offers ----------------------------------------------------------------------------------


def _tell_offer(registration: Registration) -> None:
    _tell(registration, "offered", gettext_lazy("A place is free for you"), "offered",
          context={"nearby": _nearby(registration.session)})


def _offer_next(session: Session, now: datetime) -> int:
    """Offer the free places of `session` (locked) to the first people waiting, each until
    `WORKSHOP_OFFER_HOURS` from now but never past the close of registrations. Returns how
    many were offered (none once registrations are closed)."""
    if not permissions.registration_open(session, now=now):
        return 0
    free = session.capacity - held_count(session)
    if free <= 0:
        return 0
    expires = min(now + timedelta(hours=offer_hours()), session.closes_at)
    chosen = list(Registration.objects.select_related("user").filter(session=session, status=Status.WAITING)
                  .order_by("waiting_since", "pk")[:free])
    for registration in chosen:
        registration.session = session
        registration.status = Status.OFFERED
        registration.offer_expires_at = expires
        registration.save(update_fields=["status", "offer_expires_at"])
        _tell_offer(registration)
    return len(chosen)


def _check_own(actor: AnyUser, registration: Registration, by_token: bool) -> None:
    """Only the person themself answers an offer: their account or their personal link."""
    permissions.can_answer_offer(actor, registration, by_token=by_token).check()


def _expire(registration: Registration, session: Session, now: datetime) -> None:
    registration.status = Status.EXPIRED
    registration.save(update_fields=["status"])
    _tell(registration, "offer_expired", gettext_lazy("The place offered to you has expired"), "expired")


def offer_accept(*, actor: AnyUser, registration: Registration, by_token: bool = False) -> Registration:
    """Take the place offered (until `offer_expires_at`): confirmed. Twice: the same row. An
    expired offer is refused, and its place goes to the next person."""
    _check_own(actor, registration, by_token)
    expired = False
    with transaction.atomic():
        locked = session_lock(registration.session_id)
        current = _reload(registration, locked)
        now = timezone.now()
        if current.status == Status.CONFIRMED:
            return current
        if current.status == Status.OFFERED and current.offer_expires_at and current.offer_expires_at <= now:
            _expire(current, locked, now)
            _offer_next(locked, now)
            expired = True
        elif current.status == Status.OFFERED:
            current.status = Status.CONFIRMED
            current.confirmed_at = now
            current.save(update_fields=["status", "confirmed_at"])
            _tell(current, "registered", gettext_lazy("Your registration is confirmed"), "registered")
            return current
    if expired or current.status == Status.EXPIRED:
        raise ValidationError(_("This offer has expired."), code="expired")
    raise ValidationError(_("No place is offered to you for this session."), code="invalid")


def offer_decline(*, actor: AnyUser, registration: Registration, by_token: bool = False) -> Registration:
    """Leave the place offered: declined; the next person waiting gets it. Twice: unchanged."""
    _check_own(actor, registration, by_token)
    expired = False
    with transaction.atomic():
        locked = session_lock(registration.session_id)
        current = _reload(registration, locked)
        now = timezone.now()
        if current.status == Status.DECLINED:
            return current
        if current.status == Status.OFFERED:
            if current.offer_expires_at and current.offer_expires_at <= now:
                _expire(current, locked, now)
                expired = True
            else:
                current.status = Status.DECLINED
                current.cancelled_at = now
                current.save(update_fields=["status", "cancelled_at"])
            _offer_next(locked, now)
            if not expired:
                return current
    if expired or current.status == Status.EXPIRED:
        raise ValidationError(_("This offer has expired."), code="expired")
    if current.status == Status.CONFIRMED:
        raise ValidationError(_("You already accepted this place: cancel your registration instead."),
                              code="invalid")
    raise ValidationError(_("No place is offered to you for this session."), code="invalid")


def places_changed(*, session: Session) -> int:
    """Offer the places freed (after a capacity rise) to the waiting list. Returns how many."""
    with transaction.atomic():
        locked = session_lock(session)
        return _offer_next(locked, timezone.now())


# --- Periodic work (workshops.tasks) ---------------------------------------------------------


def offers_expire(*, now: datetime | None = None) -> int:
    """Offers past their time expire; the next person waiting gets the place. Returns how many."""
    now = now or timezone.now()
    due: dict[int, list[int]] = {}
    for pk, session_id in (Registration.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
                           .order_by("offer_expires_at", "pk").values_list("pk", "session_id")):
        due.setdefault(session_id, []).append(pk)
    count = 0
    for session_id, pks in due.items():
        with transaction.atomic():
            locked = session_lock(session_id)
            for pk in pks:
                if not Registration.objects.filter(pk=pk, status=Status.OFFERED,
                                                   offer_expires_at__lte=now).update(status=Status.EXPIRED):
                    continue  # answered (or expired by another run) meanwhile
                count += 1
                row = Registration.objects.select_related("user").get(pk=pk)
                row.session = locked
                _tell(row, "offer_expired", gettext_lazy("The place offered to you has expired"), "expired")
            _offer_next(locked, now)
    return count


def unconfirmed_drop(*, now: datetime | None = None) -> int:
    """Visitors who did not confirm within `WORKSHOP_CONFIRM_HOURS`: cancelled (they held no place)."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=int(getattr(settings, "WORKSHOP_CONFIRM_HOURS", 48)))
    return Registration.objects.filter(status=Status.UNCONFIRMED, created_at__lte=cutoff).update(
        status=Status.CANCELLED, cancelled_at=now)


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind the confirmed people of the sessions starting within `WORKSHOP_REMINDER_HOURS`,
    once: each reminder is claimed by a conditional update before it is sent."""
    now = now or timezone.now()
    until = now + timedelta(hours=int(getattr(settings, "WORKSHOP_REMINDER_HOURS", 48)))
    candidates = (Registration.objects.select_related("user", "session", "session__workshop", "session__venue")
                  .filter(status=Status.CONFIRMED, reminder_sent_at__isnull=True,
                          session__status=Session.Status.SCHEDULED, session__start__gt=now,
                          session__start__lte=until)
                  .exclude(session__workshop__status="cancelled").order_by("session__start", "pk"))
    sent = 0
    for registration in candidates:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration.pk, status=Status.CONFIRMED, reminder_sent_at__isnull=True,
            ).update(reminder_sent_at=now)
            if claimed != 1:
                continue
            registration.reminder_sent_at = now
            _tell(registration, "reminder", gettext_lazy("Reminder: your workshop is coming soon"), "reminder")
            sent += 1
    return sent
