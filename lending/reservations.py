"""Reservations: requests, approval, the waiting list and its offers, cancellation, renewal.

A reservation's `status` (lending/models.py):

- a request is **pending** (its days held at once, so that of two requests for one slot the
  first wins even while the managers have not answered), or **approved** at once when the
  item or kit approves automatically (`auto_approve`);
- a request for taken days is refused with the next free periods (`availability.Unavailable`),
  or, when the member asks for it, put on the **waiting** list (its bookings written with
  `holds=False`, `waiting_since` its order);
- when days are released (refused, cancelled, offer declined or expired, early return), the
  oldest waiting request that now fits is **offered** (its days held) until
  `offer_expires_at` (LENDING_OFFER_HOURS, never after its pick-up); accepted, it is pending
  (or approved); declined or expired, the next one is offered (`offer_freed`, `offers_expire`);
- the managers **approve** or **refuse** (with a reason); anyone concerned **cancels**; an
  approved or current loan is **renewed** when nothing is booked after.

Every change of status is a conditional UPDATE on the status read (`filter(pk=,
status=...).update(...)`), after the items' rows are locked (`availability.lock_items`): of two
simultaneous answers exactly one wins, the other reads "already answered".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core import roles
from core.permissions import Conflict
from core.services import notify
from lending import availability, people, permissions
from lending.models import Booking, Item, Kit, Reservation

if TYPE_CHECKING:
    from directory.models import Venue
    from members.models import User
    from workshops.models import Session

Status = Reservation.Status
PURPOSE_MAX = 2000
REASON_MAX = 1000


def day_text(day: date) -> str:
    """"3 mars 2026" (in the active language)."""
    return date_format(day, "j F Y")


# --- Helpers -------------------------------------------------------------------------------


def _items_of(thing: Item | Kit) -> list[Item]:
    if isinstance(thing, Item):
        return [thing]
    return list(thing.items.all())


def _reservation_items(reservation: Reservation) -> list[Item]:
    """The items a reservation books (its bookings' items; a kit's items when it has none)."""
    ids = list(Booking.objects.filter(reservation=reservation).values_list("item_id", flat=True))
    if not ids:
        ids = [item.pk for item in _items_of(reservation.subject)]
    return availability.lock_items([Item(pk=pk) for pk in ids])


def _reload(reservation: Reservation) -> Reservation:
    """The reservation as committed (read after the items' locks)."""
    return (Reservation.objects.select_related("item", "item__owner_venue", "kit", "kit__owner_venue", "venue",
                                               "requester", "session")
            .get(pk=reservation.pk))


def _claim(reservation: Reservation, expected: str | Sequence[str], **changes: Any) -> bool:
    """The conditional UPDATE: True when `reservation` was still in `expected` and is now changed."""
    statuses = [expected] if isinstance(expected, str) else list(expected)
    changes.setdefault("updated_at", timezone.now())
    done = Reservation.objects.filter(pk=reservation.pk, status__in=statuses).update(**changes)
    if done:
        for field, value in changes.items():
            setattr(reservation, field, value)
    return bool(done)


def _already_answered(reservation: Reservation) -> ValidationError:
    current = Reservation.objects.get(pk=reservation.pk)
    return ValidationError(_("This request has already been answered (%(status)s).")
                           % {"status": current.get_status_display()}, code="answered")


def _tell_managers(reservation: Reservation, verb: str, actor: User | None) -> None:
    url = reservation.get_absolute_url()
    for manager in people.managers_of(reservation.subject.owner_venue):
        notify(recipient=manager, verb=verb, target=reservation, actor=actor, url=url)


def _tell_borrowers(reservation: Reservation, verb: str, actor: User | None) -> None:
    url = reservation.get_absolute_url()
    for borrower in people.borrowers_of(reservation):
        notify(recipient=borrower, verb=verb, target=reservation, actor=actor, url=url)


def _tell_requester(reservation: Reservation, verb: str, actor: User | None) -> None:
    notify(recipient=reservation.requester, verb=verb, target=reservation, actor=actor,
           url=reservation.get_absolute_url())


def session_days(session: Session) -> tuple[date, date]:
    zone = ZoneInfo(session.tz or settings.TIME_ZONE)
    return session.start.astimezone(zone).date(), session.end.astimezone(zone).date()


def _offer_deadline(pickup: date, now: datetime) -> datetime:
    """LENDING_OFFER_HOURS from now, never after the start of the pick-up day (the end of it
    when the pick-up is today)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(pickup, time.min, tzinfo=zone)
    if start <= now:
        start = datetime.combine(pickup + timedelta(days=1), time.min, tzinfo=zone)
    return min(now + timedelta(hours=settings.LENDING_OFFER_HOURS), start)


def _check_dates(pickup_date: date, return_date: date, today: date) -> None:
    errors: dict[str, str] = {}
    if return_date < pickup_date:
        errors["return_date"] = _("The return date must be on or after the pick-up date.")
    elif (return_date - pickup_date).days + 1 > settings.LENDING_MAX_DAYS:
        errors["return_date"] = (_("A loan lasts at most %(days)d days, pick-up and return days included.")
                                 % {"days": settings.LENDING_MAX_DAYS})
    if pickup_date < today:
        errors["pickup_date"] = _("The pick-up date is in the past.")
    elif pickup_date > today + timedelta(days=settings.LENDING_MAX_ADVANCE_DAYS):
        errors["pickup_date"] = (_("Equipment is booked at most %(days)d days ahead: choose a pick-up date "
                                   "until %(last)s.")
                                 % {"days": settings.LENDING_MAX_ADVANCE_DAYS,
                                    "last": day_text(today + timedelta(days=settings.LENDING_MAX_ADVANCE_DAYS))})
    if errors:
        raise ValidationError(errors)


def _check_session(session: Session | None, pickup_date: date, return_date: date) -> None:
    if session is None:
        return
    from workshops.models import Session as SessionModel
    from workshops.models import Workshop

    current = SessionModel.objects.select_related("workshop").get(pk=session.pk)
    if current.status != SessionModel.Status.SCHEDULED or current.workshop.status == Workshop.Status.CANCELLED:
        raise ValidationError({"session": _("This workshop session is cancelled.")})
    first, last = session_days(current)
    if first < pickup_date or last > return_date:
        if first == last:
            message = _("The workshop session takes place on %(day)s: the loan must include that day.") % {
                "day": day_text(first)}
        else:
            message = _("The workshop session takes place from %(first)s to %(last)s: the loan must include "
                        "those days.") % {"first": day_text(first), "last": day_text(last)}
        raise ValidationError({"session": message})


def _check_still_bookable(reservation: Reservation, items: Sequence[Item], refusal: str | None = None,
                          field: str | None = None) -> None:
    """The rule of `permissions.can_request` about the items (in repair, retired, a kit no
    longer lent), on the locked rows: a Conflict refuses the approval (or what `refusal`, a
    "…: %(reason)s" sentence, says, on `field` when given) with its reason."""
    thing: Item | Kit
    if reservation.item_id:
        thing = items[0]
    else:
        thing = Kit.objects.get(pk=reservation.kit_id or 0)
    decision = permissions.can_request(reservation.requester, thing, reservation.venue)
    if not decision and isinstance(decision, Conflict):
        message = (refusal or _("Cannot be approved: %(reason)s")) % {"reason": decision.reason}
        if field:
            raise ValidationError({field: ValidationError(message, code="unbookable")})
        raise ValidationError(message, code="unbookable")


# --- Requesting ----------------------------------------------------------------------------


def reservation_request(*, actor: User, item: Item | None = None, kit: Kit | None = None, venue: Venue,
                        pickup_date: date, return_date: date, purpose: str = "", session: Session | None = None,
                        wait: bool = False, today: date | None = None) -> Reservation:
    """Ask for `item` or `kit` for `venue` from `pickup_date` to `return_date` (included).

    Pending (its days held) or approved at once (`auto_approve`). Days taken: raises
    `availability.Unavailable` (with `.suggestions`), or with `wait` puts it on the waiting list."""
    if (item is None) == (kit is None):
        raise TypeError("reservation_request needs an item or a kit, not both")
    thing: Item | Kit = item if item is not None else kit  # type: ignore[assignment]
    with roles.scope():  # the actor's roles read once (a request has its own scope already)
        return _request(actor=actor, thing=thing, venue=venue, pickup_date=pickup_date, return_date=return_date,
                        purpose=purpose, session=session, wait=wait, today=today or timezone.localdate())


def _request(*, actor: User, thing: Item | Kit, venue: Venue, pickup_date: date, return_date: date, purpose: str,
             session: Session | None, wait: bool, today: date) -> Reservation:
    permissions.can_request(actor, thing, venue).check()
    _check_dates(pickup_date, return_date, today)
    purpose = (purpose or "").strip()
    if len(purpose) > PURPOSE_MAX:
        raise ValidationError({"purpose": _("Say it in at most %(count)d characters.") % {"count": PURPOSE_MAX}})
    _check_session(session, pickup_date, return_date)
    with transaction.atomic():
        if isinstance(thing, Kit):
            thing = Kit.objects.select_related("owner_venue").get(pk=thing.pk)
            items = availability.lock_items(list(thing.items.all()))
        else:
            items = availability.lock_items([thing])
            thing = items[0] if items else thing
        # The items' status read again under the lock (sent to repair meanwhile?).
        permissions.can_request(actor, thing, venue).check()
        auto = bool(thing.auto_approve)
        now = timezone.now()
        fields: dict[str, Any] = {
            "item": thing if isinstance(thing, Item) else None, "kit": thing if isinstance(thing, Kit) else None,
            "requester": actor, "venue": venue, "pickup_date": pickup_date, "return_date": return_date,
            "purpose": purpose, "session": session, "created_at": now,
        }
        # Taken: said before anything is written (`hold` checks again, and on PostgreSQL the
        # constraint); the next free dates are looked for after the lock is let go.
        taken = availability.conflicts(items, pickup_date, return_date)
        reservation = None
        if not taken:
            try:
                with transaction.atomic():
                    reservation = Reservation.objects.create(
                        status=Status.APPROVED if auto else Status.PENDING,
                        decided_at=now if auto else None, **fields)
                    availability.hold(reservation, items)
            except availability.Unavailable:
                if not wait:
                    raise
                reservation = None
        if reservation is None and wait:
            reservation = Reservation.objects.create(status=Status.WAITING, waiting_since=now, **fields)
            for one in items:
                start, end = one.blocked_range(pickup_date, return_date)
                Booking.objects.create(reservation=reservation, item=one, blocked_start=start, blocked_end=end,
                                       holds=False)
            return reservation
        if reservation is not None and not auto:
            _tell_managers(reservation, "lending.requested", actor)
    if reservation is None:
        raise availability.unavailable(items, pickup_date, return_date, taken)
    return reservation


# --- Deciding ------------------------------------------------------------------------------


def reservation_approve(*, actor: User, reservation: Reservation) -> Reservation:
    """Approve a pending request (or a waiting one whose days are free now). Its days are held
    again on the locked items: an item in repair or a booking in the way refuses it with the
    reason."""
    permissions.can_decide(actor, reservation).check()
    with transaction.atomic():
        items = _reservation_items(reservation)
        current = _reload(reservation)
        permissions.can_decide(actor, current).check()
        _check_still_bookable(current, items)
        found = availability.conflicts(items, current.pickup_date, current.return_date,
                                       exclude_reservation_id=current.pk)
        if found:
            raise ValidationError(_("Cannot be approved: %(reason)s") % {"reason": availability.describe(found[0])},
                                  code="unavailable")
        try:
            availability.hold(current, items)
        except availability.Unavailable as error:
            raise ValidationError(_("Cannot be approved: %(reason)s") % {"reason": " ".join(error.messages)},
                                  code="unavailable") from error
        now = timezone.now()
        if not _claim(current, [Status.PENDING, Status.WAITING], status=Status.APPROVED, decided_by=actor,
                      decided_at=now, offer_expires_at=None):
            raise _already_answered(current)
        _tell_borrowers(current, "lending.approved", actor)
    return current


def reservation_refuse(*, actor: User, reservation: Reservation, reason: str) -> Reservation:
    """Refuse a pending or waiting request, saying why; its days go to the waiting list."""
    permissions.can_decide(actor, reservation).check()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is refused: the borrower will read it.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Say it in at most %(count)d characters.") % {"count": REASON_MAX}})
    with transaction.atomic():
        items = _reservation_items(reservation)
        current = _reload(reservation)
        permissions.can_decide(actor, current).check()
        if not _claim(current, [Status.PENDING, Status.WAITING], status=Status.REFUSED, decided_by=actor,
                      decided_at=timezone.now(), refusal_reason=reason):
            raise _already_answered(current)
        availability.release(current)
        _tell_borrowers(current, "lending.refused", actor)
        offer_freed(items)
    return current


def reservation_cancel(*, actor: User, reservation: Reservation, reason: str = "") -> Reservation:
    """Cancel a reservation not yet handed over (the borrower, the venue's people, the
    managers); its days go to the waiting list."""
    permissions.can_cancel(actor, reservation).check()
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Say it in at most %(count)d characters.") % {"count": REASON_MAX}})
    with transaction.atomic():
        items = _reservation_items(reservation)
        current = _reload(reservation)
        permissions.can_cancel(actor, current).check()
        before = current.status
        if not _claim(current, before, status=Status.CANCELLED, cancelled_by=actor, cancelled_at=timezone.now(),
                      cancel_reason=reason):
            permissions.can_cancel(actor, Reservation.objects.get(pk=current.pk)).check()
            raise ValidationError(_("This reservation has just changed: reload the page."), code="changed")
        availability.release(current)
        borrower_side = current.requester_id == actor.pk or not permissions.is_manager(actor, current.subject)
        if borrower_side:
            if before in (Status.PENDING, Status.APPROVED):
                _tell_managers(current, "lending.cancelled_by_borrower", actor)
        else:
            _tell_borrowers(current, "lending.cancelled_by_owner", actor)
        if before in Reservation.HOLDING:
            offer_freed(items)
    return current


# --- Renewing ------------------------------------------------------------------------------


def reservation_renew(*, actor: User, reservation: Reservation, return_date: date) -> Reservation:
    """A later return date for an approved or current loan, when nothing is booked after
    (else refused with who booked it from when, and the latest return date possible)."""
    permissions.can_renew(actor, reservation).check()
    if return_date <= reservation.return_date:
        raise ValidationError({"return_date": _("Choose a return date after %(day)s.")
                               % {"day": day_text(reservation.return_date)}})
    if (return_date - reservation.pickup_date).days + 1 > settings.LENDING_MAX_DAYS:
        raise ValidationError({"return_date": _("A loan lasts at most %(days)d days, pick-up and return days "
                                                "included.") % {"days": settings.LENDING_MAX_DAYS}})
    with transaction.atomic():
        items = _reservation_items(reservation)
        current = _reload(reservation)
        permissions.can_renew(actor, current).check()
        _check_still_bookable(current, items, _("Cannot be extended: %(reason)s"), "return_date")
        if return_date <= current.return_date:
            raise ValidationError({"return_date": _("Choose a return date after %(day)s.")
                                   % {"day": day_text(current.return_date)}})
        found = availability.conflicts(items, current.pickup_date, return_date, exclude_reservation_id=current.pk)
        if found:
            raise ValidationError({"return_date": _renewal_refusal(current, items, found)})
        previous = current.return_date
        current.return_date = return_date
        try:
            availability.hold(current, items)
        except availability.Unavailable as error:
            current.return_date = previous
            raise ValidationError({"return_date": " ".join(error.messages)}) from error
        done = Reservation.objects.filter(pk=current.pk, status=current.status, return_date=previous,
                                          renewals=current.renewals).update(
            return_date=return_date, renewals=current.renewals + 1, updated_at=timezone.now(),
            # A new return date: its reminder and, if it passes, its overdue notice are due again.
            return_reminded_at=None, overdue_notified_at=None)
        if not done:
            raise ValidationError(_("This reservation has just changed: reload the page."), code="changed")
        current.renewals += 1
        current.return_reminded_at = current.overdue_notified_at = None
        if permissions.is_manager(actor, current.subject) and current.requester_id != actor.pk:
            _tell_borrowers(current, "lending.renewed", actor)
        else:
            _tell_managers(current, "lending.renewed", actor)
    return current


def _renewal_refusal(reservation: Reservation, items: Sequence[Item], found: Sequence[Booking]) -> str:
    by_id = {item.pk: item for item in items}
    first = min(found, key=lambda booking: (booking.blocked_start, booking.pk))
    # The latest return keeping every item's buffer after clear of the next booking.
    latest = min(booking.blocked_start - timedelta(days=by_id[booking.item_id].buffer_after + 1)
                 for booking in found)
    values = {"day": day_text(first.reservation.pickup_date), "venue": first.reservation.venue.name}
    if latest <= reservation.return_date:
        return _("Booked from %(day)s by %(venue)s: this loan cannot be extended.") % values
    return (_("Booked from %(day)s by %(venue)s: the latest possible return date is %(latest)s.")
            % {**values, "latest": day_text(latest)})


# --- The waiting list ----------------------------------------------------------------------


def offer_freed(items: Sequence[Item], *, now: datetime | None = None) -> int:
    """Offer the periods that became free on `items` to the waiting list: each waiting request
    of these items (oldest first) whose days are all free now is offered (its days held)
    until LENDING_OFFER_HOURS from now, never after its pick-up. Call after any release.
    Returns how many were offered."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ids = sorted({item.pk for item in items})
    if not ids:
        return 0
    offered = 0
    with transaction.atomic():
        waiting = list(Reservation.objects.filter(status=Status.WAITING, pickup_date__gte=today,
                                                  bookings__item_id__in=ids)
                       .distinct().order_by("waiting_since", "pk").select_related("requester"))
        if not waiting:
            return 0
        rows = Booking.objects.filter(reservation__in=[r.pk for r in waiting]).values_list("reservation_id",
                                                                                           "item_id")
        wanted: dict[int, list[int]] = {}
        for reservation_id, item_id in rows:
            wanted.setdefault(reservation_id, []).append(item_id)
        every = sorted(set(ids) | {pk for pks in wanted.values() for pk in pks})
        locked = {item.pk: item for item in availability.lock_items([Item(pk=pk) for pk in every])}
        for candidate in waiting:
            mine = [locked[pk] for pk in wanted.get(candidate.pk, []) if pk in locked]
            if not mine or any(not item.is_bookable for item in mine):
                continue
            if availability.conflicts(mine, candidate.pickup_date, candidate.return_date,
                                      exclude_reservation_id=candidate.pk):
                continue
            expires = _offer_deadline(candidate.pickup_date, now)
            try:
                with transaction.atomic():
                    if not _claim(candidate, Status.WAITING, status=Status.OFFERED, offer_expires_at=expires):
                        continue
                    availability.hold(candidate, mine)
            except availability.Unavailable:
                continue
            offered += 1
            _tell_requester(candidate, "lending.offered", None)
    return offered


def offer_answer(*, actor: User, reservation: Reservation, accept: bool) -> Reservation:
    """The requester takes the period offered (pending, or approved when automatic) or leaves
    it (cancelled; the next waiting request gets it). An offer past its time expires."""
    permissions.can_answer_offer(actor, reservation).check()
    expired = False
    with transaction.atomic():
        items = _reservation_items(reservation)
        current = _reload(reservation)
        now = timezone.now()
        if (current.status == Status.OFFERED and current.offer_expires_at is not None
                and current.offer_expires_at <= now):
            if _claim(current, Status.OFFERED, status=Status.EXPIRED):
                availability.release(current)
                offer_freed(items, now=now)
            expired = True
        else:
            permissions.can_answer_offer(actor, current).check()
            if accept:
                # The rule approval runs (an item sent to repair meanwhile refuses it).
                _check_still_bookable(current, items, _("Cannot be accepted: %(reason)s"))
                auto = bool(current.subject.auto_approve)
                changes: dict[str, Any] = {"status": Status.APPROVED if auto else Status.PENDING}
                if auto:
                    changes["decided_at"] = now
                if not _claim(current, Status.OFFERED, **changes):
                    raise ValidationError(_("This offer is no longer open."), code="closed")
                if not auto:
                    _tell_managers(current, "lending.requested", actor)
            else:
                if not _claim(current, Status.OFFERED, status=Status.CANCELLED, cancelled_by=actor,
                              cancelled_at=now):
                    raise ValidationError(_("This offer is no longer open."), code="closed")
                availability.release(current)
                offer_freed(items, now=now)
    if expired:
        raise ValidationError(_("This offer has expired."), code="expired")
    return current


def offers_expire(now: datetime | None = None) -> int:
    """Offers past their time, and waiting requests whose pick-up date passed, expire; the
    days of an expired offer go to the next waiting request. Returns how many expired."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    count = Reservation.objects.filter(status=Status.WAITING, pickup_date__lt=today).update(
        status=Status.EXPIRED, updated_at=now)
    due = list(Reservation.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
               .order_by("offer_expires_at", "pk"))
    for reservation in due:
        with transaction.atomic():
            items = _reservation_items(reservation)
            if not Reservation.objects.filter(pk=reservation.pk, status=Status.OFFERED,
                                              offer_expires_at__lte=now).update(status=Status.EXPIRED,
                                                                               updated_at=now):
                continue  # answered (or expired by another run) meanwhile
            availability.release(reservation)
            count += 1
            offer_freed(items, now=now)
    return count


# --- Reading -------------------------------------------------------------------------------


def waiting_position(reservation: Reservation) -> int | None:
    """1 for the oldest waiting request sharing one of its items, None when not waiting."""
    if reservation.status != Status.WAITING or reservation.waiting_since is None:
        return None
    item_ids = Booking.objects.filter(reservation=reservation).values("item_id")
    ahead = (Reservation.objects.filter(status=Status.WAITING, bookings__item_id__in=item_ids,
                                        pickup_date__lte=reservation.return_date,
                                        return_date__gte=reservation.pickup_date)
             .filter(Q(waiting_since__lt=reservation.waiting_since)
                     | Q(waiting_since=reservation.waiting_since, pk__lt=reservation.pk))
             .values("pk").distinct().count())
    return ahead + 1
