"""Activity records: services and the records kept in step with vouchers and sessions.

Owned by the activity slice; `record_from_use` is the contract the vouchers' module
recording calls inside its transaction.

- `record_create`, `record_update`, `record_delete`: an accompaniment recorded by hand
  (mediation.permissions.can_record_activity / can_edit_record), everything or nothing saved.
- `session_date_sync(date=, actor=)`: the collective record of one workshop date, upserted
  from its attendance sheet (deleted when nobody came). Connected here to
  `workshops.signals.attendance_recorded` (sent after the sheet's commit), and run for
  every date by `manage.py sync_activity_records`.

Rule of this module (not in mediation.permissions): a record "at a venue" names a venue the
actor works in, or a venue of a territory they are local admin of; coordinators name any.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import date as date_type
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.schema import INSEE_CODE_RE
from mediation import coop, permissions
from mediation.models import ActivityBeneficiary, ActivityRecord
from members import permissions as member_permissions

if TYPE_CHECKING:
    from directory.models import Venue
    from mediation.models import VoucherUse
    from members.models import User
    from workshops.models import SessionDate

logger = logging.getLogger(__name__)

DURATION_MAX = 600
PARTICIPANTS_MAX = 500
TITLE_MAX = 200
COMMUNE_MAX = 100
FIRST_NAME_MAX = 80
NOTES_MAX = 2000
REDIRECTED_MAX = 200
BENEFICIARY_FIELDS = ("first_name", "gender", "age_bracket", "situation", "commune", "commune_insee")


def record_from_use(use: VoucherUse) -> ActivityRecord:
    """The individual record of one voucher module (in the caller's transaction): at the
    venue, the module's duration, the beneficiary described by their age bracket only: the
    record is read by more people than the voucher (the local admins of the venue's
    territory), and outlives the voucher's erasure."""
    voucher = use.voucher
    record = ActivityRecord.objects.create(
        kind=coop.Kind.INDIVIDUAL, source=ActivityRecord.Source.VOUCHER, date=use.date,
        duration_minutes=use.duration_minutes, place_type=coop.PlaceType.VENUE, venue=use.venue,
        territory_id=use.venue.territory_id, title=use.module.title, participants=1,
        recorded_by=use.recorded_by, voucher_use=use,
    )
    ActivityBeneficiary.objects.create(record=record, age_bracket=voucher.age_bracket)
    return record


# --- Validation --------------------------------------------------------------------------------


def one_year_before(day: date_type) -> date_type:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def recordable_venue_ids(actor: User) -> frozenset[int] | None:
    """None: any venue (coordinators); else the venues `actor` may record an accompaniment at."""
    if member_permissions.is_coordinator(actor):
        return None
    from directory.models import Venue

    ids = set(permissions.attached_venue_ids(actor))
    territories = member_permissions.referent_territory_ids(actor)
    if territories:
        ids |= set(Venue.objects.filter(territory_id__in=territories).values_list("pk", flat=True))
    return frozenset(ids)


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _text(value: Any) -> str:
    return str(value or "").strip()


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    cleaned: list[str] = []
    for item in value:
        item = str(item).strip()
        if item and item not in cleaned:
            cleaned.append(item)
    return cleaned


def _check_insee(errors: dict[str, list[str]], field: str, code: str) -> None:
    if code and not INSEE_CODE_RE.match(code):
        _add(errors, field, _("Give the commune's INSEE code in 5 characters (e.g. 46042, 2A004)."))


def _venue(errors: dict[str, list[str]], actor: User, value: Any, kept: int | None = None) -> Venue | None:
    from directory.models import Venue

    allowed = recordable_venue_ids(actor)
    if value is None or value == "":
        if allowed is not None and len(permissions.attached_venue_ids(actor)) == 1:
            (only,) = permissions.attached_venue_ids(actor)
            return Venue.objects.filter(pk=only).first()
        _add(errors, "venue", _("Choose the venue."))
        return None
    venue = value if isinstance(value, Venue) else Venue.objects.filter(pk=_int(value) or 0).first()
    if venue is None:
        _add(errors, "venue", _("Choose the venue."))
        return None
    if allowed is not None and venue.pk not in allowed and venue.pk != kept:
        _add(errors, "venue", _("You record accompaniments only at the venues you work in."))
        return None
    return venue


def _beneficiaries(errors: dict[str, list[str]], items: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    cleaned: list[dict[str, str]] = []
    for item in items:
        row = {name: _text(item.get(name)) for name in BENEFICIARY_FIELDS}
        row["gender"] = row["gender"] or coop.Gender.UNKNOWN
        row["age_bracket"] = row["age_bracket"] or coop.AgeBracket.UNKNOWN
        row["situation"] = row["situation"] or coop.Situation.UNKNOWN
        if len(row["first_name"]) > FIRST_NAME_MAX:
            _add(errors, "beneficiaries", _("Write the first name in at most %(max)d characters.")
                 % {"max": FIRST_NAME_MAX})
        if row["gender"] not in coop.Gender.values:
            _add(errors, "beneficiaries", _("Choose a gender from the list."))
        if row["age_bracket"] not in coop.AgeBracket.values:
            _add(errors, "beneficiaries", _("Choose an age bracket from the list."))
        if row["situation"] not in coop.Situation.values:
            _add(errors, "beneficiaries", _("Choose a situation from the list."))
        if len(row["commune"]) > COMMUNE_MAX:
            _add(errors, "beneficiaries", _("Write the commune in at most %(max)d characters.") % {"max": COMMUNE_MAX})
        _check_insee(errors, "beneficiaries", row["commune_insee"])
        cleaned.append(row)
    return cleaned


def _validated(
    actor: User, data: Mapping[str, Any], *, kept_venue_id: int | None = None
) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """(the record's fields, the beneficiaries) of `data`; ValidationError with every problem.
    `kept_venue_id`: a record's venue, kept when changed by someone who left that venue."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    today = timezone.localdate()

    kind = _text(data.get("kind"))
    if kind not in coop.Kind.values:
        _add(errors, "kind", _("Choose individual or collective."))
    fields["kind"] = kind

    day = data.get("date")
    if not isinstance(day, date_type):
        _add(errors, "date", _("Give the date of the accompaniment."))
    elif day > today:
        _add(errors, "date", _("The date cannot be in the future."))
    elif day < one_year_before(today):
        _add(errors, "date", _("Record accompaniments of the last twelve months only."))
    fields["date"] = day

    duration = _int(data.get("duration_minutes"))
    if duration is None or not 1 <= duration <= DURATION_MAX:
        _add(errors, "duration_minutes", _("Give a duration between 1 and %(max)d minutes.") % {"max": DURATION_MAX})
    fields["duration_minutes"] = duration

    place = _text(data.get("place_type"))
    fields.update(venue=None, commune="", commune_insee="")
    if place not in coop.PlaceType.values:
        _add(errors, "place_type", _("Choose where the accompaniment took place."))
    elif place == coop.PlaceType.VENUE:
        fields["venue"] = _venue(errors, actor, data.get("venue"), kept_venue_id)
    elif place in (coop.PlaceType.HOME, coop.PlaceType.OTHER):
        commune = _text(data.get("commune"))
        insee = _text(data.get("commune_insee")).upper()
        if not commune:
            _add(errors, "commune", _("Give the commune."))
        elif len(commune) > COMMUNE_MAX:
            _add(errors, "commune", _("Write the commune in at most %(max)d characters.") % {"max": COMMUNE_MAX})
        _check_insee(errors, "commune_insee", insee)
        fields.update(commune=commune, commune_insee=insee)
    fields["place_type"] = place

    themes = _values(data.get("themes"))
    if not themes:
        _add(errors, "themes", _("Choose at least one theme."))
    elif any(theme not in coop.Theme.values for theme in themes):
        _add(errors, "themes", _("Choose the themes from the list."))
    elif any(theme in coop.PROCEDURE_THEMES for theme in themes) and coop.Theme.PAPERWORK not in themes:
        _add(errors, "themes", _("Tick “Help with administrative procedures” to choose a procedure."))
    fields["themes"] = themes

    equipment = _values(data.get("equipment"))
    if any(item not in coop.Equipment.values for item in equipment):
        _add(errors, "equipment", _("Choose the equipment from the list."))
    fields["equipment"] = equipment

    level = _text(data.get("level"))
    autonomy = _text(data.get("autonomy"))
    title = _text(data.get("title"))
    participants = _int(data.get("participants"))
    beneficiaries = _beneficiaries(errors, data.get("beneficiaries") or ())
    if kind == coop.Kind.INDIVIDUAL:
        # The collective part (shown without JavaScript too) is left aside.
        level, title, participants = "", "", 1
        if autonomy and autonomy not in coop.Autonomy.values:
            _add(errors, "autonomy", _("Choose the person's autonomy from the list."))
        if len(beneficiaries) > 1:
            _add(errors, "beneficiaries", _("An individual accompaniment describes one person at most."))
    elif kind == coop.Kind.COLLECTIVE:
        autonomy = ""
        if level and level not in coop.Level.values:
            _add(errors, "level", _("Choose the level from the list."))
        if not title:
            _add(errors, "title", _("Give the workshop's title."))
        elif len(title) > TITLE_MAX:
            _add(errors, "title", _("Write the title in at most %(max)d characters.") % {"max": TITLE_MAX})
        if participants is None or not 1 <= participants <= PARTICIPANTS_MAX:
            _add(errors, "participants", _("Give a number of participants between 1 and %(max)d.")
                 % {"max": PARTICIPANTS_MAX})
        elif len(beneficiaries) > participants:
            _add(errors, "beneficiaries", _("Describe at most as many people as took part."))
    fields.update(level=level, autonomy=autonomy, title=title, participants=participants)

    notes = _text(data.get("notes"))
    if len(notes) > NOTES_MAX:
        _add(errors, "notes", _("Write the notes in at most %(max)d characters.") % {"max": NOTES_MAX})
    redirected = _text(data.get("redirected_to"))
    if len(redirected) > REDIRECTED_MAX:
        _add(errors, "redirected_to", _("Write it in at most %(max)d characters.") % {"max": REDIRECTED_MAX})
    fields.update(notes=notes, redirected_to=redirected)

    if errors:
        raise ValidationError(errors)
    venue = fields["venue"]
    fields["territory_id"] = venue.territory_id if venue is not None else actor.territory_id
    return fields, beneficiaries


def _save_beneficiaries(record: ActivityRecord, beneficiaries: list[dict[str, str]]) -> None:
    ActivityBeneficiary.objects.bulk_create([ActivityBeneficiary(record=record, **row) for row in beneficiaries])


# --- Services ----------------------------------------------------------------------------------


def record_create(
    *, actor: User, kind: str, date: date_type | None, duration_minutes: int | None, place_type: str,
    themes: Sequence[str], venue: Venue | int | None = None, commune: str = "", commune_insee: str = "",
    level: str = "", autonomy: str = "", equipment: Sequence[str] = (), title: str = "", participants: int | None = 1,
    beneficiaries: Sequence[Mapping[str, Any]] = (), notes: str = "", redirected_to: str = "",
) -> ActivityRecord:
    """Record an accompaniment by hand. Individual: one person, described (a mapping of
    first_name, gender, age_bracket, situation, commune, commune_insee) or not; collective:
    a title and 1 to 500 participants, at most as many described. At a venue (by default
    the actor's only venue), at home or elsewhere (a commune), or remotely; 1 to 600 minutes;
    in the last twelve months; at least one theme (the procedures with "Help with
    administrative procedures")."""
    permissions.can_record_activity(actor).check()
    fields, described = _validated(actor, {
        "kind": kind, "date": date, "duration_minutes": duration_minutes, "place_type": place_type,
        "themes": themes, "venue": venue, "commune": commune, "commune_insee": commune_insee, "level": level,
        "autonomy": autonomy, "equipment": equipment, "title": title, "participants": participants,
        "beneficiaries": beneficiaries, "notes": notes, "redirected_to": redirected_to,
    })
    with transaction.atomic():
        record = ActivityRecord.objects.create(source=ActivityRecord.Source.MANUAL, recorded_by=actor, **fields)
        _save_beneficiaries(record, described)
    return record


def _current(record: ActivityRecord) -> dict[str, Any]:
    return {
        "kind": record.kind, "date": record.date, "duration_minutes": record.duration_minutes,
        "place_type": record.place_type, "themes": list(record.themes), "venue": record.venue_id,
        "commune": record.commune, "commune_insee": record.commune_insee, "level": record.level,
        "autonomy": record.autonomy, "equipment": list(record.equipment), "title": record.title,
        "participants": record.participants, "notes": record.notes, "redirected_to": record.redirected_to,
        "beneficiaries": [
            {name: getattr(row, name) for name in BENEFICIARY_FIELDS} for row in record.beneficiaries.all()
        ],
    }


def record_update(*, actor: User, record: ActivityRecord, **changes: Any) -> ActivityRecord:
    """Change a record made by hand: `changes` takes `record_create`'s keywords (those left
    out keep their value; `beneficiaries` replaces the people described)."""
    permissions.can_edit_record(actor, record).check()
    unknown = set(changes) - {*_current(record), "beneficiaries"}
    if unknown:
        raise TypeError(f"record_update() got unexpected keywords: {sorted(unknown)}")
    data = {**_current(record), **changes}
    if data["venue"] == record.venue_id and record.venue_id is not None and "venue" not in changes:
        data["venue"] = record.venue
    fields, described = _validated(actor, data, kept_venue_id=record.venue_id)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(record, name, value)
        record.updated_at = timezone.now()
        record.save()
        record.beneficiaries.all().delete()
        _save_beneficiaries(record, described)
    return record


def record_delete(*, actor: User, record: ActivityRecord) -> None:
    permissions.can_edit_record(actor, record).check()
    with transaction.atomic():
        record.delete()


# --- Workshop sessions -------------------------------------------------------------------------


def session_themes(workshop_themes: Sequence[str]) -> list[str]:
    """The Coop themes nearest to a workshop's (national schema services); digital culture
    when none maps."""
    themes: list[str] = []
    for service in workshop_themes:
        for theme in coop.SERVICE_THEMES.get(service, ()):
            if theme.value not in themes:
                themes.append(theme.value)
    return themes or [coop.Theme.CULTURE.value]


def session_date_sync(*, date: SessionDate, actor: User | None) -> ActivityRecord | None:
    """Keep the collective record of one workshop date in step with its attendance sheet:
    created or updated with the number of people present, deleted when nobody came.
    Idempotent; returns the record (None when there is none)."""
    from workshops.models import Attendance, SessionDate

    with transaction.atomic():
        day = SessionDate.objects.select_related("session__workshop", "session__venue").get(pk=date.pk)
        session = day.session
        workshop = session.workshop
        present = Attendance.objects.filter(date_id=day.pk, status=Attendance.Status.PRESENT).count()
        record = ActivityRecord.objects.select_for_update(of=("self",)).filter(session_date_id=day.pk).first()
        if present == 0:
            if record is not None:
                record.delete()
            return None
        online = session.venue_id is None
        territory_id = (
            session.venue.territory_id if session.venue is not None
            else workshop.territory_id or (actor.territory_id if actor is not None else None)
        )
        minutes = max(1, min(int((day.end - day.start).total_seconds() // 60), 32767))
        values: dict[str, Any] = {
            "kind": coop.Kind.COLLECTIVE, "source": ActivityRecord.Source.WORKSHOP,
            "date": day.start.astimezone(ZoneInfo(session.tz)).date(), "duration_minutes": minutes,
            "place_type": coop.PlaceType.REMOTE if online else coop.PlaceType.VENUE,
            "venue": session.venue, "commune": "", "commune_insee": "", "territory_id": territory_id,
            "themes": session_themes(workshop.themes), "level": coop.WORKSHOP_LEVELS.get(workshop.level, ""),
            "autonomy": "", "title": (session.title or workshop.title)[:TITLE_MAX], "participants": present,
            "updated_at": timezone.now(),
        }
        if record is None:
            try:
                with transaction.atomic():
                    # The mediator is who first filled the sheet; later saves keep them.
                    return ActivityRecord.objects.create(session_date=day, recorded_by=actor, **values)
            except IntegrityError:  # made at the same moment by another save of the sheet
                record = ActivityRecord.objects.select_for_update(of=("self",)).get(session_date_id=day.pk)
        for name, value in values.items():
            setattr(record, name, value)
        record.save()
        return record


def sessions_sync() -> tuple[int, int]:
    """Every workshop date with an attendance sheet gets its record (the sheets filled in
    before records existed): (records kept, dates nobody came to). The mediator is who last
    saved the sheet."""
    from django.db.models import OuterRef, Subquery

    from workshops.models import Attendance, SessionDate

    last_recorder = Attendance.objects.filter(date_id=OuterRef("pk")).order_by("-recorded_at", "-pk")
    dates = (
        SessionDate.objects.filter(attendances__isnull=False).distinct()
        .annotate(recorder_id=Subquery(last_recorder.values("recorded_by_id")[:1])).order_by("pk")
    )
    from members.models import User

    kept = empty = 0
    for day in dates.iterator(chunk_size=200):
        actor = User.objects.filter(pk=day.recorder_id).first() if day.recorder_id else None
        if session_date_sync(date=day, actor=actor) is None:
            empty += 1
        else:
            kept += 1
    return kept, empty


def _on_attendance_recorded(sender: Any, *, date: SessionDate, actor: User | None = None, **kwargs: Any) -> None:
    # After the sheet's commit: a failure here must not turn the saved sheet into an error page
    # (`manage.py sync_activity_records` catches up).
    try:
        session_date_sync(date=date, actor=actor)
    except Exception:
        logger.exception("Activity record of session date %s not synchronised", date.pk)


def _connect() -> None:
    from workshops.signals import attendance_recorded

    attendance_recorded.connect(_on_attendance_recorded, dispatch_uid="mediation.activity.attendance_recorded")


_connect()


def duration_text(minutes: int) -> str:
    """French style: "45 min", "1 h", "1 h 30"."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest}\u00a0min"
    if not rest:
        return f"{hours}\u00a0h"
    return f"{hours}\u00a0h\u00a0{rest:02d}"

