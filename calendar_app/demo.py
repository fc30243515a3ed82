"""Demo events for `seed_demo`, placed relative to today so that the demo always looks alive.

Idempotent: every event has a fixed UID (`demo-<slug>@maillage`); a rerun finds it and
creates nothing twice (its exceptions and answers are looked up the same way). The events
are written with the models directly (`recurrence.last_end` as the services do).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from calendar_app import recurrence, services
from calendar_app.models import DEFAULT_TZ, Attendee, Calendar, Category, Event
from members.demo import DEMO_DOMAIN
from members.models import Territory, User

PARIS = ZoneInfo(DEFAULT_TZ)
UID_SUFFIX = "@maillage"
VENUE_NAME = "Médiathèque municipale de Saint-Aurèle"
TERRITORY_SLUG = "pays-des-causses"
WORKGROUP_NAME = "Accompagnement aux démarches en ligne"
MEMBER = "animateur"
# Answers to the training (capacity 12).
TRAINING_ANSWERS = [("jeanne.roux", "yes"), ("amelie.faure", "yes"), ("animateur", "yes"),
                    ("animatrice", "maybe"), ("thomas.vidal", "no")]


def uid(slug: str) -> str:
    return f"demo-{slug}{UID_SUFFIX}"


def _user(local: str) -> User:
    return User.objects.get(email=f"{local}{DEMO_DOMAIN}")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def second_tuesday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(1 - first.weekday()) % 7 + 7)


def _months_before(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 - months
    return index // 12, index % 12 + 1


def _next_weekday(day: date, weekday: int, *, at_least: int = 0) -> date:
    """The first `weekday` (0 = Monday) on or after `day + at_least` days."""
    day += timedelta(days=at_least)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _event(calendar: Calendar, slug: str, created: list[Event], **fields) -> Event:
    """The demo event `slug` of `calendar`, made the first time."""
    existing = Event.objects.filter(calendar=calendar, uid=uid(slug), series__isnull=True).first()
    if existing is not None:
        return existing
    event = Event(calendar=calendar, uid=uid(slug), **fields)
    event.last_end = recurrence.last_end(event)
    event.save()
    created.append(event)
    return event


def _exception(master: Event, original: datetime, created: list[Event], **changes) -> Event:
    """The exception of `master`'s occurrence starting at `original` (moved or cancelled)."""
    existing = Event.objects.filter(series=master, recurrence_id=original).first()
    if existing is not None:
        return existing
    end = recurrence.occurrence_end(original, master)
    values = {
        "calendar": master.calendar, "uid": master.uid, "title": master.title, "description": master.description,
        "start": original, "end": end, "all_day": master.all_day, "tz": master.tz, "venue": master.venue,
        "location": master.location, "online_url": master.online_url, "category": master.category,
        "visibility": master.visibility, "created_by": master.created_by, "sequence": 1,
    }
    values.update(changes)
    exception = Event(series=master, recurrence_id=original, **values)
    exception.last_end = exception.end
    exception.save()
    created.append(exception)
    return exception


@transaction.atomic
def seed(log=print, today: date | None = None) -> int:
    """The demo's events; returns how many rows (events and exceptions) were created."""
    from directory.models import Venue
    from members.spaces import network_space
    from workgroups.models import Workgroup

    today = today or timezone.localdate()
    categories = {category.name: category for category in Category.objects.all()}
    network = Calendar.objects.get(space=network_space())
    coordination = _user("coordination")
    created: list[Event] = []

    # The network's monthly meeting, second Tuesday 14 h - 16 h 30, since three months ago;
    # the next one moved to the Thursday, the one after cancelled.
    year, month = _months_before(today, 3)
    first = second_tuesday(year, month)
    meeting = _event(
        network, "reunion-du-reseau", created, title="Réunion du réseau",
        description="Tour des territoires, actualités du réseau et questions diverses. "
                    "L’ordre du jour est partagé dans le forum une semaine avant.",
        start=_at(first, 14), end=_at(first, 16, 30), rrule="FREQ=MONTHLY;BYDAY=2TU",
        location="Salle du conseil, Maison des associations de Saint-Aurèle",
        category=categories.get("Réunion"), created_by=coordination,
    )
    upcoming = recurrence.occurrence_starts(meeting, _at(today, 0) + timedelta(days=1),
                                            _at(today, 0) + timedelta(days=100), limit=2)
    if len(upcoming) == 2:
        moved, cancelled = upcoming
        new_day = moved.date() + timedelta(days=2)  # the Thursday
        _exception(meeting, moved, created, start=_at(new_day, 14), end=_at(new_day, 16, 30),
                   description=meeting.description + "\n\nExceptionnellement le jeudi cette fois-ci.")
        _exception(meeting, cancelled, created, status=Event.Status.CANCELLED)

    # A public event at a demo venue, three Saturdays from now.
    venue = Venue.objects.filter(slug=slugify(VENUE_NAME)).first()
    party = _next_weekday(today, 5, at_least=15)
    _event(
        network, "fete-de-l-internet", created, title="Fête de l’Internet",
        description="Une journée portes ouvertes : initiation aux tablettes, atelier photo, "
                    "démonstration d’impression 3D et café numérique. Entrée libre.",
        start=_at(party, 10), end=_at(party, 17), venue=venue, category=categories.get("Événement public"),
        visibility=Event.Visibility.PUBLIC, created_by=coordination,
    )

    # A weekly video help desk in a territory's calendar, Wednesdays 10 h - 12 h, since a month.
    territory = Territory.objects.filter(slug=TERRITORY_SLUG).select_related("space").first()
    if territory is not None and hasattr(territory.space, "calendar"):
        wednesday = _next_weekday(today - timedelta(days=28), 2)
        _event(
            territory.space.calendar, "permanence-visio", created, title="Permanence visio",
            description="Une question sur un atelier, un logiciel, une démarche ? Passez nous voir en visio.",
            start=_at(wednesday, 10), end=_at(wednesday, 12), rrule="FREQ=WEEKLY;BYDAY=WE",
            online_url="https://visio.exemple.fr/permanence-causses", category=categories.get("Permanence"),
            created_by=_user("referent"),
        )

    # A workgroup's meeting, in ten days or so, 17 h 30 - 19 h.
    group = Workgroup.objects.filter(name=WORKGROUP_NAME).select_related("space").first()
    if group is not None and hasattr(group.space, "calendar"):
        day = _next_weekday(today, 3, at_least=8)
        _event(
            group.space.calendar, "reunion-groupe-demarches", created, title="Point d’étape du groupe",
            description="Relecture des fiches pratiques ANTS et CAF, et répartition des prochaines.",
            start=_at(day, 17, 30), end=_at(day, 19), online_url="https://visio.exemple.fr/groupe-demarches",
            category=categories.get("Réunion"), created_by=_user("ines.garcia"),
        )

    # A two-day training (all day), 12 places, a few answers.
    monday = _next_weekday(today, 0, at_least=21)
    start, end = recurrence.all_day_bounds(monday, monday + timedelta(days=1), DEFAULT_TZ)
    training = _event(
        network, "formation-demarches", created, title="Formation : accompagner les démarches en ligne",
        description="Deux jours pour se former à l’accompagnement aux démarches administratives "
                    "(FranceConnect, ANTS, CAF, impots.gouv) : cadre, posture, cas pratiques.",
        start=start, end=end, all_day=True, capacity=12, location="Maison des associations de Saint-Aurèle",
        category=categories.get("Formation"), created_by=coordination,
    )
    for local, response in TRAINING_ANSWERS:
        Attendee.objects.get_or_create(
            event=training, user=_user(local),
            defaults={"response": response, "invited_by": coordination, "responded_at": timezone.now()},
        )

    # An online workshop (a link to the meeting), next week.
    day = _next_weekday(today, 1, at_least=5)
    _event(
        network, "webinaire-identite-numerique", created, title="Webinaire : l’identité numérique",
        description="Présentation de France Identité et de l’identité numérique La Poste, puis questions.",
        start=_at(day, 11), end=_at(day, 12), online_url="https://visio.exemple.fr/identite-numerique",
        category=categories.get("Atelier"), created_by=coordination,
    )

    # A demo member's own calendar.
    member = _user(MEMBER)
    personal = services.personal_calendar(member)
    day = _next_weekday(today, 4, at_least=2)
    _event(personal, "rendez-vous-mairie", created, title="Rendez-vous à la mairie",
           description="Présenter le bilan des ateliers du trimestre.", start=_at(day, 9, 30),
           end=_at(day, 10, 30), location="Mairie de Montcabrier-sur-Causse", created_by=member)
    day = _next_weekday(today, 0, at_least=4)
    _event(personal, "preparer-atelier-tablettes", created, title="Préparer l’atelier tablettes",
           start=_at(day, 14), end=_at(day, 15, 30), category=categories.get("Atelier"), created_by=member)

    for calendar_id in sorted({event.calendar_id for event in created}):
        services.calendar_touch(calendar_id)
    log(f"Demo calendar ready: {Event.objects.filter(uid__startswith='demo-').count()} events "
        f"({len(created)} new).")
    return len(created)
