"""Reminders of events: in the app and by e-mail, N minutes before each occurrence.

`send_due_reminders()` runs from cron every 5 minutes (`manage.py send_event_reminders`,
docs/deployment.md). For each occurrence starting within `LOOK_AHEAD` of an event whose
members answered yes or maybe, the member's own minutes (`Attendee.reminder_minutes`),
or else the event's (`Event.reminder_minutes`; None: no reminder), decide when it is due:
`occurrence start - minutes <= now < occurrence start`.

Never twice, even when two runs overlap: a `ReminderSent(user, event, occurrence start)`
row is claimed (its unique constraint) in the transaction that notifies, and only the run
that created it sends; the e-mail leaves when that transaction commits.

Occurrences come from `selectors.expand`: recurring events follow the wall clock of their
zone (a reminder 30 minutes before a meeting at 10 h is at 9 h 30 Paris time in winter
and in summer), moved occurrences remind at their new time, cancelled ones never.

Queries: a fixed number per run (the events, their exceptions, the answers, the reminders
already sent), plus a fixed number per reminder sent (the claim and the notification).
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from calendar_app import selectors
from calendar_app.models import Attendee, Event, ReminderSent
from core import services as core_services
from core.notifications import register_verb
from core.templatetags.timefmt import clock_text

UTC = ZoneInfo("UTC")
# Minutes before the start that the forms offer (the event's default, a member's own).
REMINDER_CHOICES: tuple[int, ...] = (5, 10, 15, 30, 60, 120, 1440)
# How far ahead a run looks: the largest reminder offered. A larger value (typed in the
# admin, imported) reminds when the occurrence enters this window.
LOOK_AHEAD = timedelta(minutes=max(REMINDER_CHOICES))
VERB = "calendar.reminder"
ANSWERED = (Attendee.Response.YES, Attendee.Response.MAYBE)

# The notification reads as its target's label: the whole sentence, written when sent
# ("Atelier commence à 14 h 30 (dans 30 min)").
register_verb(VERB, "{target}")


def delay_text(minutes: int) -> str:
    """"30 min", "2 h", "1 h 30", "1 jour": how long until the start."""
    if minutes < 60:
        return ngettext("%(count)d min", "%(count)d min", minutes) % {"count": minutes}
    # Runs come every 5 minutes, so a reminder leaves up to 5 minutes after it was due:
    # rounded up, "23 h 57" reads "1 jour" and "1 h 56" reads "2 h".
    minutes = 5 * math.ceil(minutes / 5)
    days, rest = divmod(minutes, 1440)
    if days and not rest:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours, rest = divmod(minutes, 60)
    if not rest:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}


def reminder_text(title: str, start: datetime, now: datetime, *, all_day: bool = False) -> str:
    """The notification's sentence, in the site's language (clock in the event's zone)."""
    minutes = max(1, math.ceil((start - now).total_seconds() / 60))
    with translation.override(settings.LANGUAGE_CODE):
        if all_day:
            return _("%(title)s starts on %(day)s (in %(delay)s)") % {
                "title": title, "day": date_format(start, "l j F"), "delay": delay_text(minutes),
            }
        return _("%(title)s starts at %(time)s (in %(delay)s)") % {
            "title": title, "time": clock_text(start), "delay": delay_text(minutes),
        }


def _candidate_events(now: datetime, horizon: datetime) -> list[Event]:
    """Masters and single events, not cancelled, with a member who answered yes or maybe,
    that may have an occurrence in [now, horizon) (1 query)."""
    answered = Attendee.objects.filter(response__in=ANSWERED).values("event_id")
    return list(
        Event.objects.filter(series__isnull=True, start__lt=horizon, pk__in=answered)
        .filter(Q(last_end__isnull=True) | Q(last_end__gt=now))
        .exclude(status=Event.Status.CANCELLED)
        .with_rules()
        .order_by("start", "pk")
    )


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Send the reminders due at `now` (default: the current time); returns how many were sent."""
    now = now or timezone.now()
    # Occurrences starting in (now, now + LOOK_AHEAD], the end included (a reminder of
    # exactly LOOK_AHEAD is due then): the window asked for ends just after it.
    horizon = now + LOOK_AHEAD + timedelta(seconds=1)
    events = _candidate_events(now, horizon)
    if not events:
        return 0
    ids = [event.pk for event in events]
    items = [
        item for item in selectors.expand(events, now, horizon)
        if item.event is not None and not item.cancelled and now < item.start < horizon
    ]
    if not items:
        return 0
    attendees: dict[int, list[Attendee]] = defaultdict(list)
    for attendee in (Attendee.objects.filter(event_id__in=ids, response__in=ANSWERED)
                     .select_related("user").order_by("pk")):
        attendees[attendee.event_id].append(attendee)
    already = set(
        ReminderSent.objects.filter(event_id__in=ids, occurrence_start__gt=now, occurrence_start__lt=horizon)
        .values_list("user_id", "event_id", "occurrence_start")
    )
    sent = 0
    for item in items:
        row = item.event
        assert row is not None
        master = item.series or row
        start = item.start.astimezone(UTC)
        for attendee in attendees.get(master.pk, []):
            minutes = attendee.reminder_minutes if attendee.reminder_minutes is not None else row.reminder_minutes
            if minutes is None or not attendee.user.is_active:
                continue
            if start - timedelta(minutes=minutes) > now or (attendee.user_id, master.pk, start) in already:
                continue
            text = reminder_text(row.title, item.start, now, all_day=item.all_day)
            if _claim_and_send(attendee, master, item.start, item.url, text):
                sent += 1
    return sent


def _claim_and_send(attendee: Attendee, master: Event, start: datetime, url: str, text: str) -> bool:
    """Claim the reminder and notify, in one transaction; False when another run claimed it."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(user=attendee.user, event=master, occurrence_start=start)
            core_services.notify(recipient=attendee.user, verb=VERB, target=master, url=url, target_label=text)
    except IntegrityError:  # claimed by an overlapping run, which sends it
        return False
    return True
