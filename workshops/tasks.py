"""The periodic work of the workshops, run by `manage.py run_workshop_tasks` from cron (every
15 minutes is enough): each step is safe to run twice at once and never sends twice."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone


def run(now: datetime | None = None) -> dict[str, int]:
    """Expire offers (the next person gets the place), drop unconfirmed visitor registrations,
    send the 48 h reminders, mark workshops held, send the evaluation requests. Returns how
    many of each."""
    from workshops import booking, evaluation, services

    now = now or timezone.now()
    return {
        "offers_expired": booking.offers_expire(now=now),
        "unconfirmed_dropped": booking.unconfirmed_drop(now=now),
        "reminders_sent": booking.reminders_send(now=now),
        "workshops_held": services.workshops_mark_held(now=now),
        "evaluations_requested": evaluation.requests_send(now=now),
    }
