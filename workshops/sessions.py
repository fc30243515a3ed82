"""Scheduling sessions: their dates (one, or several for a cycle), venue or online link,
capacity and animators; changing them; cancelling them.

A session with several `SessionDate` rows is a **cycle**: one registration for all its
dates. Times are aware datetimes; the session's `tz` is its venue's zone (Paris without a
venue), and the texts that name a date read it in that zone.

Booking an animator or a venue twice at the same time is not forbidden (a venue may have two
rooms, an animator may lead two groups side by side) but it is most often a mistake:
`conflicts()` lists the other sessions, and the services refuse with the code "conflict"
until the caller confirms (`confirm_conflicts=True`, the form's "Schedule anyway").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from core.activity import register_activity
from core.notifications import register_verb
from core.services import absolute_url, activity_record, notify
from members import permissions as member_permissions
from workshops import messaging, permissions, signals
from workshops.models import DEFAULT_TZ, Registration, Session, SessionDate, Workshop

if TYPE_CHECKING:
    from directory.models import Venue
    from members.models import User

CAPACITY_MAX = 1000
DATE_MAX_HOURS = 12
ACTIVE = [str(status) for status in Registration.ACTIVE]
HOLDING = [str(status) for status in Registration.HOLDING]

register_activity("workshops.session_scheduled",
                  gettext_lazy("{actor} scheduled a session of the workshop {target}"), stream=True)
register_activity("workshops.session_changed", gettext_lazy("{actor} changed a session of the workshop {target}"))
register_activity("workshops.session_cancelled",
                  gettext_lazy("{actor} cancelled a session of the workshop {target}"))
register_verb("workshops.animator_assigned", gettext_lazy("{actor} asks you to lead a session of {target}"))
register_verb("workshops.scheduled", gettext_lazy("{actor} scheduled a session of your workshop {target}"))
register_verb("workshops.session_changed", gettext_lazy("{actor} changed the date or the place of {target}"))
register_verb("workshops.session_cancelled", gettext_lazy("{actor} cancelled the session {target}"))


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


# --- Texts ------------------------------------------------------------------------------------


def hour_text(moment: datetime) -> str:
    """"14 h", "14 h 30" in French ("14:00" in English)."""
    from core.templatetags import timefmt

    return timefmt.hour_text(moment.replace(tzinfo=None))


def day_text(moment: datetime) -> str:
    """"mardi 12 janvier" (with the year when it is not this one; "1er" on the first)."""
    text = formats.date_format(moment, "l j F")
    if moment.day == 1:
        weekday = formats.date_format(moment, "l")
        month = formats.date_format(moment, "F")
        text = f"{weekday} {pgettext('first day of a month', '1st')} {month}"
    if moment.year != timezone.localtime().year:
        text = f"{text} {moment.year}"
    return text


def when_text(start: datetime, end: datetime, tz: str = DEFAULT_TZ) -> str:
    """"le mardi 12 janvier de 14 h à 16 h", read in `tz`."""
    zone = ZoneInfo(tz or DEFAULT_TZ)
    start, end = start.astimezone(zone), end.astimezone(zone)
    if start.date() == end.date():
        return _("on %(day)s from %(start)s to %(end)s") % {
            "day": day_text(start), "start": hour_text(start), "end": hour_text(end)}
    return _("from %(day)s at %(start)s to %(last)s at %(end)s") % {
        "day": day_text(start), "start": hour_text(start), "last": day_text(end), "end": hour_text(end)}


def session_label(session: Session) -> str:
    return session.title or session.workshop.title


# --- Conflicts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """Another session meeting at the same time at the same venue, or with the same animator."""

    session: Session
    date: SessionDate
    reason: str

    def __str__(self) -> str:
        return self.reason


def _ids(items: Iterable[Any]) -> set[int]:
    return {item if isinstance(item, int) else item.pk for item in items}


def conflicts(*, dates: Sequence[tuple[datetime, datetime]], venue: Venue | None,
              animators: Iterable[User] = (), exclude_session: Session | None = None) -> list[Conflict]:
    """The other scheduled sessions having a date that overlaps one of `dates` (touching is
    not overlapping) at `venue` or with one of `animators` (2 queries)."""
    dates = [(start, end) for start, end in dates if start is not None and end is not None and end > start]
    animator_ids = _ids(animators)
    venue_id = venue if isinstance(venue, int) else getattr(venue, "pk", None)
    if not dates or (venue_id is None and not animator_ids):
        return []
    when = Q()
    for start, end in dates:
        when |= Q(start__lt=end, end__gt=start)
    who = Q()
    if venue_id is not None:
        who |= Q(session__venue_id=venue_id)
    if animator_ids:
        who |= Q(session__animators__in=animator_ids)
    rows = (
        SessionDate.objects.filter(when, who, session__status=Session.Status.SCHEDULED)
        .exclude(session__workshop__status=Workshop.Status.CANCELLED)
        .select_related("session", "session__workshop", "session__venue")
        .prefetch_related(Prefetch("session__animators"))
        .order_by("start", "pk")
        .distinct()
    )
    if exclude_session is not None and exclude_session.pk is not None:
        rows = rows.exclude(session_id=exclude_session.pk)
    found: list[Conflict] = []
    for row in rows:
        session = row.session
        if not any(row.start < end and row.end > start for start, end in dates):
            continue
        label = session_label(session)
        when_row = when_text(row.start, row.end, session.tz)
        if venue_id is not None and session.venue_id == venue_id:
            found.append(Conflict(session, row, _("The venue %(venue)s already hosts “%(session)s” %(when)s.") % {
                "venue": session.venue.name if session.venue else "", "session": label, "when": when_row}))
        for animator in sorted(session.animators.all(), key=lambda user: str(user)):
            if animator.pk in animator_ids:
                found.append(Conflict(session, row, _("%(animator)s already leads “%(session)s” %(when)s.") % {
                    "animator": str(animator), "session": label, "when": when_row}))
    return found


def _conflict_error(found: list[Conflict]) -> ValidationError:
    error = ValidationError([ValidationError(item.reason, code="conflict") for item in found])
    error.code = "conflict"
    error.conflicts = found  # type: ignore[attr-defined]
    return error


# --- Validation -------------------------------------------------------------------------------


def _add(errors: dict[str, list[str]], key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def _check_dates(errors: dict[str, list[str]], dates: Sequence[tuple[datetime, datetime]], tz: str, *,
                 now: datetime, kept: frozenset[tuple[datetime, datetime]] = frozenset()) -> None:
    if not dates:
        _add(errors, "dates", _("Give at least one date."))
        return
    zone = ZoneInfo(tz)
    for start, end in dates:
        local_start, local_end = start.astimezone(zone), end.astimezone(zone)
        if end <= start:
            _add(errors, "dates", _("%(day)s: the end must come after the start.") % {"day": day_text(local_start)})
            continue
        if local_start.date() != local_end.date() and end - start > timedelta(hours=DATE_MAX_HOURS):
            _add(errors, "dates", _("%(day)s: a date ends on the same day or lasts at most %(hours)d hours.")
                 % {"day": day_text(local_start), "hours": DATE_MAX_HOURS})
        if start < now and (start, end) not in kept:
            _add(errors, "dates", _("%(day)s is in the past: a session cannot be scheduled in the past.")
                 % {"day": day_text(local_start)})
    ordered = sorted((start, end) for start, end in dates if end > start)
    for (first_start, first_end), (second_start, second_end) in zip(ordered, ordered[1:], strict=False):
        if second_start < first_end:
            _add(errors, "dates", _("Two dates of the session overlap: %(first)s and %(second)s.") % {
                "first": when_text(first_start, first_end, tz), "second": when_text(second_start, second_end, tz)})


def _check_place(errors: dict[str, list[str]], venue: Venue | None, online_url: str) -> None:
    if online_url:
        try:
            URLValidator(schemes=["http", "https"])(online_url)
        except ValidationError:
            _add(errors, "online_url", _("Give a web address starting with https:// (or http://)."))
    if venue is None and not online_url:
        _add(errors, "venue", _("Choose a venue of the directory, or give an online meeting link."))


def _check_capacity(errors: dict[str, list[str]], capacity: Any) -> None:
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= CAPACITY_MAX:
        _add(errors, "capacity", _("The number of places is between 1 and %(max)s.")
             % {"max": formats.number_format(CAPACITY_MAX, force_grouping=True)})


def _check_deadline(errors: dict[str, list[str]], deadline: datetime | None,
                    dates: Sequence[tuple[datetime, datetime]], *, now: datetime, unchanged: bool = False) -> None:
    if deadline is None:
        return
    if dates and deadline > min(start for start, _end in dates):
        _add(errors, "registration_deadline", _("Registrations must close before the first date."))
    elif deadline < now and not unchanged:
        _add(errors, "registration_deadline", _("The registration deadline cannot be in the past."))


def _check_animators(errors: dict[str, list[str]], animators: Sequence[User]) -> list[User]:
    ids = _ids(animators)
    if not ids:
        return []
    approved = {user.pk: user for user in member_permissions.approved_members().filter(pk__in=ids)}
    for item in animators:
        if (item if isinstance(item, int) else item.pk) not in approved:
            _add(errors, "animators", _("%(name)s is not an approved member of the network: choose another animator.")
                 % {"name": str(item)})
    return sorted(approved.values(), key=lambda user: str(user))


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors, code="invalid")


def _tz(venue: Venue | None) -> str:
    from calendar_app.timezones import venue_timezone

    return venue_timezone(venue) if venue is not None else DEFAULT_TZ


def _space(workshop: Workshop) -> Any:
    from members.spaces import network_space

    if workshop.territory_id is not None and workshop.territory is not None:
        return workshop.territory.space
    return network_space()


# --- Services ---------------------------------------------------------------------------------


def session_create(*, actor: User, workshop: Workshop, dates: Sequence[tuple[datetime, datetime]],
                   venue: Venue | None = None, location: str = "", online_url: str = "", capacity: int,
                   animators: Iterable[User] = (), registration_deadline: datetime | None = None,
                   title: str = "", confirm_conflicts: bool = False) -> Session:
    """Schedule a session of `workshop` (a cycle when several dates). ValidationError with the
    code "conflict" (French messages naming the other sessions) when a venue or an animator is
    booked at the same time, unless `confirm_conflicts`."""
    permissions.can_schedule(actor, workshop).check()
    now = timezone.now()
    dates = sorted((start, end) for start, end in dates)
    animators = list(animators)
    location, online_url, title = (location or "").strip(), (online_url or "").strip(), (title or "").strip()
    tz = _tz(venue)
    errors: dict[str, list[str]] = {}
    _check_dates(errors, dates, tz, now=now)
    _check_place(errors, venue, online_url)
    _check_capacity(errors, capacity)
    _check_deadline(errors, registration_deadline, dates, now=now)
    chosen = _check_animators(errors, animators)
    _raise(errors)
    if not confirm_conflicts:
        found = conflicts(dates=dates, venue=venue, animators=chosen)
        if found:
            raise _conflict_error(found)
    with transaction.atomic():
        session = Session.objects.create(
            workshop=workshop, title=title[:200], venue=venue, location=location[:255], online_url=online_url,
            capacity=capacity, tz=tz, start=dates[0][0], end=max(end for _start, end in dates),
            registration_deadline=registration_deadline, created_by=actor, created_at=now, updated_at=now,
        )
        SessionDate.objects.bulk_create([SessionDate(session=session, start=start, end=end) for start, end in dates])
        if chosen:
            session.animators.set(chosen)
        moved = Workshop.objects.filter(
            pk=workshop.pk, status__in=[Workshop.Status.ACCEPTED, Workshop.Status.HELD],
        ).update(status=Workshop.Status.SCHEDULED, status_changed_at=now, status_changed_by=actor, updated_at=now)
        if moved:
            workshop.status = Workshop.Status.SCHEDULED
            workshop.status_changed_at, workshop.status_changed_by = now, actor
        url = session.get_absolute_url()
        activity_record(actor=actor, verb="workshops.session_scheduled", target=workshop, space=_space(workshop),
                        url=url)
        for animator in chosen:
            notify(recipient=animator, verb="workshops.animator_assigned", target=workshop, actor=actor, url=url)
        if workshop.proposed_by_id is not None and workshop.proposed_by_id not in {user.pk for user in chosen}:
            notify(recipient=workshop.proposed_by, verb="workshops.scheduled", target=workshop, actor=actor, url=url)
    return session


def session_update(*, actor: User, session: Session, dates: Any = UNSET, venue: Any = UNSET, location: Any = UNSET,
                   online_url: Any = UNSET, capacity: Any = UNSET, animators: Any = UNSET,
                   registration_deadline: Any = UNSET, title: Any = UNSET,
                   confirm_conflicts: bool = False) -> Session:
    """Change what is given of a session. Lowering the capacity below the places already held
    is refused; raising it offers the new places to the waiting list; a new date or place is
    told to everyone registered."""
    permissions.can_edit_session(actor, session).check()
    now = timezone.now()
    with transaction.atomic():
        locked = Session.objects.select_for_update(of=("self",)).select_related(
            "workshop", "workshop__territory", "workshop__proposed_by", "venue").get(pk=session.pk)
        permissions.can_edit_session(actor, locked).check()
        existing = list(locked.dates.order_by("start", "pk"))
        old_dates = [(row.start, row.end) for row in existing]
        old_animators = list(locked.animators.all())
        new_dates = sorted(dates) if dates is not UNSET else old_dates
        new_venue = venue if venue is not UNSET else locked.venue
        new_location = (location or "").strip() if location is not UNSET else locked.location
        new_online = (online_url or "").strip() if online_url is not UNSET else locked.online_url
        new_capacity = capacity if capacity is not UNSET else locked.capacity
        new_deadline = registration_deadline if registration_deadline is not UNSET else locked.registration_deadline
        new_title = (title or "").strip() if title is not UNSET else locked.title
        tz = _tz(new_venue) if venue is not UNSET else locked.tz
        errors: dict[str, list[str]] = {}
        if dates is not UNSET:
            _check_dates(errors, new_dates, tz, now=now, kept=frozenset(old_dates))
        if venue is not UNSET or online_url is not UNSET:
            _check_place(errors, new_venue, new_online)
        taken = 0
        if capacity is not UNSET:
            _check_capacity(errors, new_capacity)
            taken = locked.registrations.filter(status__in=HOLDING).count()
            if "capacity" not in errors and new_capacity < taken:
                _add(errors, "capacity", ngettext(
                    "%(count)d person is already registered: the capacity cannot go below %(count)d.",
                    "%(count)d people are already registered: the capacity cannot go below %(count)d.",
                    taken) % {"count": taken})
        if registration_deadline is not UNSET or dates is not UNSET:
            _check_deadline(errors, new_deadline, new_dates, now=now,
                            unchanged=new_deadline == locked.registration_deadline)
        new_animators = _check_animators(errors, list(animators)) if animators is not UNSET else old_animators
        _raise(errors)
        dates_changed = new_dates != old_dates
        place_changed = (getattr(new_venue, "pk", None) != locked.venue_id or new_location != locked.location
                         or new_online != locked.online_url)
        new_animator_ids = {user.pk for user in new_animators}
        added = [user for user in new_animators if user.pk not in {old.pk for old in old_animators}]
        if not confirm_conflicts and (dates_changed or getattr(new_venue, "pk", None) != locked.venue_id or added):
            found = conflicts(dates=new_dates, venue=new_venue, animators=new_animators, exclude_session=locked)
            if found:
                raise _conflict_error(found)
        if dates_changed:
            _replace_dates(locked, existing, new_dates)
            if new_dates[0][0] != locked.start:
                # The reminder before the old start no longer holds: one goes before the new one.
                Registration.objects.filter(session=locked, reminder_sent_at__isnull=False).update(
                    reminder_sent_at=None)
        raised = new_capacity > locked.capacity
        locked.venue, locked.location, locked.online_url = new_venue, new_location[:255], new_online
        locked.capacity, locked.registration_deadline, locked.title = new_capacity, new_deadline, new_title[:200]
        locked.tz = tz
        locked.start, locked.end = new_dates[0][0], max(end for _start, end in new_dates)
        locked.updated_at = now
        locked.save()
        if animators is not UNSET and new_animator_ids != {old.pk for old in old_animators}:
            locked.animators.set(new_animators)
        url = locked.get_absolute_url()
        for animator in added:
            notify(recipient=animator, verb="workshops.animator_assigned", target=locked.workshop, actor=actor,
                   url=url)
        if dates_changed or place_changed:
            activity_record(actor=actor, verb="workshops.session_changed", target=locked.workshop,
                            space=_space(locked.workshop), url=url)
            _tell_changed(locked, actor=actor)
            # What was recorded of its dates (attendance, activity records) follows the change.
            dates_now = list(locked.dates.all())
            transaction.on_commit(lambda: [
                signals.attendance_recorded.send(sender=SessionDate, date=date, actor=actor) for date in dates_now
            ])
        if raised:
            from workshops import booking

            booking.places_changed(session=locked)
    return locked


def _replace_dates(session: Session, existing: list[SessionDate], dates: list[tuple[datetime, datetime]]) -> None:
    """Keep the rows whose date did not change (their attendance with them), move the others
    in order, add or remove the difference (a fixed number of queries)."""
    unchanged = {(row.start, row.end): row for row in existing}
    kept = [unchanged.pop(pair) for pair in dates if pair in unchanged]
    kept_ids = {row.pk for row in kept}
    free = [row for row in existing if row.pk not in kept_ids]
    moved: list[SessionDate] = []
    created: list[SessionDate] = []
    for start, end in dates:
        if any(row.start == start and row.end == end for row in kept):
            continue
        if free:
            row = free.pop(0)
            row.start, row.end = start, end
            moved.append(row)
        else:
            created.append(SessionDate(session=session, start=start, end=end))
    if free:
        SessionDate.objects.filter(pk__in=[row.pk for row in free]).delete()
    if moved:
        SessionDate.objects.bulk_update(moved, ["start", "end"])
    if created:
        SessionDate.objects.bulk_create(created)


def _active_registrations(session: Session) -> list[Registration]:
    rows = list(Registration.objects.filter(session=session, status__in=ACTIVE).select_related("user")
                .order_by("created_at", "pk"))
    for row in rows:
        row.session = session
    return rows


def place_text(session: Session) -> str:
    parts = []
    if session.venue is not None:
        venue = session.venue
        parts.append(f"{venue.name}, {venue.address}, {venue.postal_code} {venue.city}")
    if session.location:
        parts.append(session.location)
    if session.online_url:
        parts.append(session.online_url)
    return " — ".join(parts)


def dates_text(session: Session) -> list[str]:
    return [when_text(row.start, row.end, session.tz) for row in session.dates.order_by("start", "pk")]


def _tell_changed(session: Session, *, actor: User) -> None:
    registrations = _active_registrations(session)
    if not registrations:
        return
    with translation.override(settings.LANGUAGE_CODE):  # the e-mails are in French
        context = {"dates": dates_text(session), "place": place_text(session)}
    for registration in registrations:
        messaging.tell(
            registration, verb="workshops.session_changed", actor=actor,
            subject=_("New date or place: %(session)s") % {"session": session_label(session)},
            template="workshops/email/sessions_changed.txt", context=context,
        )


def _others_link(workshop_pk: int, session_pk: int, now: datetime) -> Any:
    """The public page of the workshop when it still has other coming sessions, read when the
    e-mail is rendered (after the commit: a workshop being cancelled cancels its sessions one
    by one, then itself, and its people get no link to it). Templates call it."""
    cache: dict[str, str] = {}

    def link() -> str:
        if "url" not in cache:
            workshop = Workshop.objects.filter(pk=workshop_pk).first()
            open_ = workshop is not None and workshop.is_public and workshop.is_open and (
                Session.objects.filter(workshop_id=workshop_pk, status=Session.Status.SCHEDULED, start__gt=now)
                .exclude(pk=session_pk).exists())
            cache["url"] = absolute_url(workshop.get_public_url()) if open_ and workshop is not None else ""
        return cache["url"]

    return link


def session_cancel(*, actor: User, session: Session, reason: str) -> Session:
    """Cancel a session (also for a workshop being cancelled): everyone registered is told,
    with the reason."""
    permissions.can_edit_session(actor, session).check()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason: it is sent to the people registered.")]},
                              code="required")
    now = timezone.now()
    with transaction.atomic():
        locked = Session.objects.select_for_update(of=("self",)).select_related(
            "workshop", "workshop__territory", "venue").get(pk=session.pk)
        permissions.can_edit_session(actor, locked).check()
        locked.status = Session.Status.CANCELLED
        locked.cancel_reason = reason[:2000]
        locked.updated_at = now
        locked.save(update_fields=["status", "cancel_reason", "updated_at"])
        registrations = _active_registrations(locked)
        Registration.objects.filter(pk__in=[row.pk for row in registrations]).update(
            status=Registration.Status.CANCELLED, cancelled_at=now, offer_expires_at=None)
        workshop = locked.workshop
        others_url = _others_link(workshop.pk, locked.pk, now) if workshop.is_public else ""
        with translation.override(settings.LANGUAGE_CODE):  # the e-mails are in French
            context = {"reason": reason, "dates": dates_text(locked) if registrations else [],
                       "others_url": others_url}
        for registration in registrations:
            registration.status, registration.cancelled_at = Registration.Status.CANCELLED, now
            messaging.tell(
                registration, verb="workshops.session_cancelled", actor=actor,
                subject=_("Cancelled: %(session)s") % {"session": session_label(locked)},
                template="workshops/email/sessions_cancelled.txt", context=context,
            )
        activity_record(actor=actor, verb="workshops.session_cancelled", target=workshop, space=_space(workshop),
                        url=locked.get_absolute_url())
    session.status, session.cancel_reason, session.updated_at = locked.status, locked.cancel_reason, now
    return locked
