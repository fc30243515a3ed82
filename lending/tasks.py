"""The periodic work of equipment lending, run by `manage.py run_lending_tasks` from cron
(hourly is plenty; daily is enough): each step is safe to run twice at once and never sends
twice.

1. Offers past their time, and waiting requests whose pick-up date passed, expire
   (`reservations.offers_expire`).
2. Pick-up reminders: approved reservations whose pick-up is today or within
   `LENDING_REMINDER_DAYS` days, to the borrowing side (`people.borrowers_of`).
3. Return reminders: loans handed over whose return date is today or within those days.
4. Overdue notices: loans handed over whose return date has passed, to the borrowing side
   and to the managers of the equipment (`people.managers_of`).

Each message is claimed before it is sent: the candidates are locked and their column
(`pickup_reminded_at`, `return_reminded_at`, `overdue_notified_at`) set in ONE conditional
UPDATE (`WHERE id IN (...) AND column IS NULL`), in the transaction that writes the
notifications. A second run at the same moment waits for the first (PostgreSQL's row locks,
SQLite's IMMEDIATE transactions) and then finds nothing left to claim; a failure while
notifying rolls the claim back with the notifications, so the next run sends them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from core.services import notify
from lending import people
from lending.models import Reservation

if TYPE_CHECKING:
    from members.models import User

Status = Reservation.Status


def _day(day: date, today: date) -> str:
    """"jeudi 10 décembre" (with the year when it is not this year's)."""
    return formats.date_format(day, "l j F" if day.year == today.year else "l j F Y")


def _claim(where: Q, column: str, now: datetime) -> list[Reservation]:
    """Lock the reservations matching `where` whose `column` is empty, set it to `now` in one
    conditional UPDATE and return them (with what the messages read). Call inside a
    transaction: the claim and the messages commit together."""
    pending = {f"{column}__isnull": True}
    ids = list(Reservation.objects.select_for_update().filter(where, **pending)
               .order_by("pk").values_list("pk", flat=True))
    if not ids:
        return []
    Reservation.objects.filter(pk__in=ids, **pending).update(**{column: now})
    return list(
        Reservation.objects.filter(pk__in=ids, **{column: now})
        .select_related("item", "kit", "venue", "item__owner_venue", "kit__owner_venue")
        .order_by("pk")
    )


def _send(where: Q, column: str, now: datetime,
          tell: Callable[[Reservation, date], None]) -> int:
    today = timezone.localdate(now)
    with transaction.atomic():
        claimed = _claim(where, column, now)
        with translation.override(settings.LANGUAGE_CODE):  # stored: in the site's language
            for reservation in claimed:
                tell(reservation, today)
    return len(claimed)


def _to_borrowers(reservation: Reservation, verb: str, label: str) -> None:
    for person in people.borrowers_of(reservation).order_by("pk"):
        notify(recipient=person, verb=verb, target=reservation, url=reservation.get_absolute_url(),
               target_label=label)


def _soon(today: date) -> date:
    return today + timedelta(days=int(settings.LENDING_REMINDER_DAYS))


def pickup_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the borrowing side of the approved reservations to pick up today or within
    LENDING_REMINDER_DAYS days, once each. Returns how many reservations."""
    now = now or timezone.now()
    today = timezone.localdate(now)

    def tell(reservation: Reservation, today: date) -> None:
        label = _("%(thing)s to pick up on %(day)s for %(venue)s") % {
            "thing": reservation.subject.name, "day": _day(reservation.pickup_date, today),
            "venue": reservation.venue.name}
        _to_borrowers(reservation, "lending.pickup_reminder", label)

    where = Q(status=Status.APPROVED, pickup_date__gte=today, pickup_date__lte=_soon(today))
    return _send(where, "pickup_reminded_at", now, tell)


def return_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the borrowing side of the loans to return today or within
    LENDING_REMINDER_DAYS days, once each. Returns how many loans."""
    now = now or timezone.now()
    today = timezone.localdate(now)

    def tell(reservation: Reservation, today: date) -> None:
        label = _("%(thing)s to return on %(day)s (%(venue)s)") % {
            "thing": reservation.subject.name, "day": _day(reservation.return_date, today),
            "venue": reservation.venue.name}
        _to_borrowers(reservation, "lending.return_reminder", label)

    where = Q(status=Status.OUT, return_date__gte=today, return_date__lte=_soon(today))
    return _send(where, "return_reminded_at", now, tell)


def overdue_notices_send(*, now: datetime | None = None) -> int:
    """Tell the borrowing side and the equipment's managers, once, of each loan not returned
    by its return date. Returns how many loans."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    managers: dict[int | None, list[User]] = {}  # by owner venue, read once each

    def tell(reservation: Reservation, today: date) -> None:
        subject = reservation.subject
        words = {"thing": subject.name, "day": _day(reservation.return_date, today),
                 "venue": reservation.venue.name}
        _to_borrowers(reservation, "lending.overdue",
                      _("%(thing)s, to return on %(day)s (%(venue)s)") % words)
        owner = subject.owner_venue
        key = owner.pk if owner is not None else None
        if key not in managers:
            managers[key] = list(people.managers_of(owner).order_by("pk"))
        label = _("%(venue)s has not returned %(thing)s (return planned on %(day)s)") % words
        for person in managers[key]:
            notify(recipient=person, verb="lending.overdue_owner", target=reservation,
                   url=reservation.get_absolute_url(), target_label=label)

    where = Q(status=Status.OUT, return_date__lt=today)
    return _send(where, "overdue_notified_at", now, tell)


def run(now: datetime | None = None) -> dict[str, int]:
    """Expire the offers, then send the pick-up and return reminders and the overdue
    notices. Returns how many of each."""
    from lending import reservations

    now = now or timezone.now()
    return {
        "offers_expired": reservations.offers_expire(now),
        "pickup_reminders": pickup_reminders_send(now=now),
        "return_reminders": return_reminders_send(now=now),
        "overdue_notices": overdue_notices_send(now=now),
    }
