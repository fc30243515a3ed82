"""Attendance: who came to each date of a session (present, excused absence, no-show with a
reason), recorded by the session's hosts and its managers from the start of the session on,
at any time after it (a paper sheet typed in later), and the figures read from it.

- `attendance_record` writes a sheet (one row per registration and date, replaced when it
  is recorded again);
- `no_show_counts` tells, for registrations on a sheet, how many no-shows the same person
  has across every session (a member by their account; a visitor or a person registered at
  the venue by their e-mail address, else their phone);
- `attendance_summary` and `attendance_counts` are the figures of one session and of a list;
- `attendees` are those who came at least once (the evaluation asks them, not the no-shows).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone
from django.utils.translation import gettext as _

from workshops import permissions, signals
from workshops.models import Attendance, Registration, Session, SessionDate

if TYPE_CHECKING:
    from members.models import User

PRESENT = Attendance.Status.PRESENT
EXCUSED = Attendance.Status.EXCUSED
NO_SHOW = Attendance.Status.NO_SHOW
STATUSES = tuple(str(status) for status in Attendance.Status)
REASON_MAX = 300
CONFIRMED = Registration.Status.CONFIRMED
# Left out of a phone number to compare two of them ("06 12 34 56 78" is "06.12.34.56.78").
PHONE_SEPARATORS = (" ", ".", "-", "\u00a0")


# --- Recording ---------------------------------------------------------------------------------


def _mark(value: Any) -> tuple[str, str]:
    """(status, reason) of one mark: a pair, or a status alone."""
    if isinstance(value, str):
        return value, ""
    status, reason = value
    return status, (reason or "")


def attendance_record(*, actor: User, date: SessionDate, marks: Mapping[int, Any]) -> int:
    """Record the attendance of `date` (a `SessionDate`): `marks` maps a registration's id to
    (status, reason). Only the session's confirmed registrations; a reason (at most 300
    characters) is kept for an excused absence or a no-show. A registration recorded again is
    replaced. Everything or nothing is saved; returns how many rows were created or changed."""
    session = Session.objects.select_related("workshop", "workshop__territory", "venue").get(pk=date.session_id)
    permissions.can_take_attendance(actor, session).check()
    wanted: dict[int, tuple[str, str]] = {}
    for key, value in marks.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise ValidationError(_("This person is not registered to this session."), code="invalid") from None
        status, reason = _mark(value)
        status = str(status or "")
        if status not in STATUSES:
            raise ValidationError(_("Choose present, excused absence or no-show."), code="invalid")
        reason = str(reason).strip() if status != PRESENT else ""
        if len(reason) > REASON_MAX:
            raise ValidationError(
                _("Write the reason in at most %(max)d characters.") % {"max": REASON_MAX}, code="max_length"
            )
        wanted[pk] = (status, reason)
    if not wanted:
        return 0
    with transaction.atomic():
        registrations = {
            registration.pk: registration
            for registration in Registration.objects.select_related("user").filter(pk__in=list(wanted))
        }
        for pk in wanted:
            registration = registrations.get(pk)
            if registration is None or registration.session_id != date.session_id:
                raise ValidationError(_("This person is not registered to this session."), code="invalid")
            if registration.status != CONFIRMED:
                raise ValidationError(
                    _("%(name)s is not registered (anymore): no attendance for them.")
                    % {"name": registration.display_name},
                    code="invalid",
                )
        existing = {
            row.registration_id: row for row in Attendance.objects.filter(date=date, registration_id__in=list(wanted))
        }
        now = timezone.now()
        changed = [
            Attendance(registration_id=pk, date_id=date.pk, status=status, reason=reason,
                       recorded_by=actor, recorded_at=now)
            for pk, (status, reason) in sorted(wanted.items())
            if pk not in existing or (existing[pk].status, existing[pk].reason) != (status, reason)
        ]
        if changed:
            # One upsert on (registration, date): a sheet saved twice at once keeps one row each.
            Attendance.objects.bulk_create(
                changed, update_conflicts=True, unique_fields=["registration", "date"],
                update_fields=["status", "reason", "recorded_by", "recorded_at"],
            )
            transaction.on_commit(
                lambda: signals.attendance_recorded.send(sender=SessionDate, date=date, actor=actor)
            )
    return len(changed)


# --- No-shows per person -----------------------------------------------------------------------


def _phone_key(phone: str) -> str:
    for separator in PHONE_SEPARATORS:
        phone = phone.replace(separator, "")
    return phone.strip()


def person_key(*, user_id: int | None, email: str, phone: str) -> tuple[str, Any] | None:
    """Who a registration is: the member's account; for anyone else the e-mail address (any
    case), else the phone; None when nothing tells (a purged registration)."""
    if user_id is not None:
        return ("user", user_id)
    if email and email.strip():
        return ("email", email.strip().lower())
    key = _phone_key(phone or "")
    if key:
        return ("phone", key)
    return None


def _phone_expression() -> Any:
    expression: Any = F("registration__phone")
    for separator in PHONE_SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""))
    return expression


def no_show_counts(registrations: Iterable[Registration]) -> dict[int, int]:
    """For each registration, how many no-shows (one per date) the same person has across
    every session (`person_key`). One query, whatever the number of registrations."""
    keys: dict[int, tuple[str, Any] | None] = {
        registration.pk: person_key(user_id=registration.user_id, email=registration.email,
                                    phone=registration.phone)
        for registration in registrations
    }
    counts = dict.fromkeys(keys, 0)
    user_ids = {key[1] for key in keys.values() if key and key[0] == "user"}
    emails = {key[1] for key in keys.values() if key and key[0] == "email"}
    phones = {key[1] for key in keys.values() if key and key[0] == "phone"}
    if not (user_ids or emails or phones):
        return counts
    wanted = Q(pk__in=[])
    if user_ids:
        wanted |= Q(registration__user_id__in=user_ids)
    if emails:
        wanted |= Q(registration__user__isnull=True, email_key__in=emails)
    if phones:
        wanted |= Q(registration__user__isnull=True, registration__email="", phone_key__in=phones)
    rows = (
        Attendance.objects.filter(status=NO_SHOW)
        .annotate(email_key=Lower("registration__email"), phone_key=_phone_expression())
        .filter(wanted)
        .values("registration__user_id", "registration__email", "registration__phone")
        .annotate(n=Count("pk"))
        .order_by()
    )
    per_person: Counter[tuple[str, Any]] = Counter()
    for row in rows:
        key = person_key(user_id=row["registration__user_id"], email=row["registration__email"],
                         phone=row["registration__phone"])
        if key is not None:
            per_person[key] += row["n"]
    return {pk: (per_person[key] if key is not None else 0) for pk, key in keys.items()}


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """The attendance of one date (or of the whole session, every date added up)."""

    registered: int = 0  # confirmed registrations (× the number of dates for a session)
    present: int = 0
    excused: int = 0
    no_show: int = 0
    date: SessionDate | None = None

    @property
    def recorded(self) -> int:
        return self.present + self.excused + self.no_show

    @property
    def not_recorded(self) -> int:
        return max(0, self.registered - self.recorded)

    @property
    def rate(self) -> float | None:
        """present / registered (None when nobody is registered)."""
        return self.present / self.registered if self.registered else None

    @property
    def rate_percent(self) -> int | None:
        """The rate in percent, rounded half up (5 of 8: 63)."""
        if not self.registered:
            return None
        return (self.present * 200 + self.registered) // (2 * self.registered)

    def add(self, status: str, count: int = 1) -> None:
        setattr(self, status, getattr(self, status) + count)

    def as_dict(self) -> dict[str, Any]:
        return {
            "registered": self.registered, "present": self.present, "excused": self.excused,
            "no_show": self.no_show, "not_recorded": self.not_recorded, "rate": self.rate,
            "rate_percent": self.rate_percent, "date": self.date,
        }


@dataclass
class Summary:
    registered: int
    dates: list[Tally] = field(default_factory=list)
    total: Tally = field(default_factory=Tally)


def _confirmed_attendances() -> QuerySet[Attendance]:
    return Attendance.objects.filter(registration__status=CONFIRMED)


def attendance_summary(session: Session) -> dict[str, Any]:
    """The figures of a session: `registered` (confirmed registrations), `dates`: for each date
    {date, registered, present, excused, no_show, not_recorded, rate, rate_percent}, and
    `total`: the same over every date (registered × dates). The rate is present / registered.
    Three queries."""
    registered = Registration.objects.filter(session=session, status=CONFIRMED).count()
    dates = list(SessionDate.objects.filter(session=session).order_by("start", "pk"))
    tallies = {date.pk: Tally(registered=registered, date=date) for date in dates}
    total = Tally(registered=registered * len(dates))
    rows = (
        _confirmed_attendances().filter(date__session=session)
        .values("date_id", "status").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        if row["date_id"] in tallies and row["status"] in STATUSES:
            tallies[row["date_id"]].add(row["status"], row["n"])
            total.add(row["status"], row["n"])
    return {
        "registered": registered,
        "dates": [tallies[date.pk].as_dict() for date in dates],
        "total": total.as_dict(),
    }


def attendance_counts(sessions: Iterable[Session | int]) -> dict[int, dict[str, int]]:
    """{session id: {"present", "excused", "no_show", "recorded"}} over every date of each
    session (confirmed registrations only), in one query, for lists and reports."""
    ids: list[int] = [session if isinstance(session, int) else session.pk for session in sessions]
    counts: dict[int, dict[str, int]] = {
        pk: {"present": 0, "excused": 0, "no_show": 0, "recorded": 0} for pk in ids
    }
    if not ids:
        return counts
    rows = (
        _confirmed_attendances().filter(date__session_id__in=ids)
        .values("date__session_id", "status").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        figures = counts[row["date__session_id"]]
        if row["status"] in figures:
            figures[row["status"]] += row["n"]
            figures["recorded"] += row["n"]
    return counts


def attendees(session: Session) -> QuerySet[Registration]:
    """The confirmed registrations present at least once at the session (not those who were
    only absent, nor a registration cancelled since)."""
    present = Attendance.objects.filter(date__session=session, status=PRESENT)
    return (
        Registration.objects.filter(session=session, status=CONFIRMED, pk__in=present.values("registration_id"))
        .select_related("user")
        .order_by("created_at", "pk")
    )


def tally(statuses: Iterable[str], registered: int) -> Tally:
    """The figures of one sheet from the statuses already read (no query)."""
    result = Tally(registered=registered)
    for status in statuses:
        if status in STATUSES:
            result.add(status)
    return result
