"""Invitations and answers (yes / maybe / no) to an event, with an exact capacity.

An answer belongs to the master of a series (or to the single event): it holds for every
occurrence. The capacity counts the "yes" answers only, and is enforced under a lock of the
event's row (`select_for_update` on PostgreSQL; on SQLite every transaction is IMMEDIATE,
see `extranet/settings.py`, so two answers never count at the same time): a "yes" past the
capacity is refused, a "maybe" never takes a place and never becomes a "yes" by itself, and
changing a "yes" to anything else (or withdrawing) frees the place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from calendar_app import permissions
from calendar_app.models import Attendee, Event
from calendar_app.services import calendar_touch, event_lock
from core.notifications import register_verb
from members import permissions as member_permissions

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from members.models import User

YES = Attendee.Response.YES
MAYBE = Attendee.Response.MAYBE
NO = Attendee.Response.NO
PENDING = Attendee.Response.PENDING
ANSWERS = (YES, MAYBE, NO)
# Listed in this order on the answers page and in the CSV.
ORDER = (YES, MAYBE, NO, PENDING)

# The reminder choices of the answer panel (minutes before the start); None: the event's default.
REMINDER_CHOICES = (5, 15, 30, 60, 120, 1440, 2880, 10080)
REMINDER_MAX = 4 * 7 * 24 * 60  # four weeks

register_verb("calendar.invited", gettext_lazy("{actor} invites you to {target}"))
register_verb("calendar.answer_yes", gettext_lazy("{actor} will come to {target}"))
register_verb("calendar.answer_maybe", gettext_lazy("{actor} may come to {target}"))
register_verb("calendar.answer_no", gettext_lazy("{actor} will not come to {target}"))
register_verb("calendar.answer_withdrawn", gettext_lazy("{actor} withdrew their answer to {target}"))


def events() -> QuerySet[Event]:
    """Events with what the rules and the answers read (calendar, space, organiser)."""
    return Event.objects.with_rules("created_by")


def master_of(event: Event) -> Event:
    """The event that holds the answers: the series' master, or the event itself."""
    if event.series_id is None:
        return event
    return events().get(pk=event.series_id)


def full_text(capacity: int) -> str:
    return ngettext(
        "Full: the only place is taken.", "Full: the %(count)s places are taken.", capacity
    ) % {"count": capacity}


def _reminder(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = -1
    if minutes < 0 or minutes > REMINDER_MAX:
        raise ValidationError(
            {"reminder_minutes": _("Choose a reminder between 0 minutes and four weeks before the event.")},
            code="invalid",
        )
    return minutes


def _notify_organiser(event: Event, actor: User, verb: str) -> None:
    from core.services import notify

    notify(recipient=event.created_by, verb=verb, target=event, actor=actor)


# --- Services --------------------------------------------------------------------------------


def event_invite(*, actor: User, event: Event, users: Iterable[User] = (),
                 space_members: bool = False) -> list[Attendee]:
    """Invite `users` and, with `space_members`, every member of the calendar's space.

    Those already invited (or who answered) are left as they are; each new invitee is
    notified. An invitation lets the person see the event even without access to its
    calendar. Returns the new invitations."""
    from core.services import notify

    event = master_of(event)
    permissions.can_edit_event(actor, event).check()
    chosen = list(users)
    if not chosen and not space_members:
        raise ValidationError(_("Choose the members to invite."), code="required")
    if event.is_cancelled:
        raise ValidationError(_("This event is cancelled: nobody can be invited."), code="cancelled")
    for user in chosen:
        if not member_permissions.is_approved(user) or not user.is_active:
            raise ValidationError(
                _("%(name)s is not an approved member of the network.") % {"name": user}, code="invalid"
            )
    invitees: dict[int, User] = {user.pk: user for user in chosen}
    if space_members:
        space = event.calendar.space
        if space is None:
            raise ValidationError(_("A personal calendar has no members to invite."), code="invalid")
        for member in space.members().filter(is_active=True):
            invitees.setdefault(member.pk, member)
    with transaction.atomic():
        locked = event_lock(event)
        if locked.is_cancelled:
            raise ValidationError(_("This event is cancelled: nobody can be invited."), code="cancelled")
        already = set(Attendee.objects.filter(event=locked).values_list("user_id", flat=True))
        new = [
            Attendee(event=locked, user=user, invited_by=actor)
            for pk, user in sorted(invitees.items()) if pk not in already
        ]
        Attendee.objects.bulk_create(new)
        for attendee in new:
            notify(recipient=attendee.user, verb="calendar.invited", target=locked, actor=actor)
        if new:
            calendar_touch(locked.calendar_id)
    return new


def event_answer(*, actor: User, event: Event, response: str,
                 reminder_minutes: int | None = None) -> Attendee:
    """Answer yes / maybe / no (for the whole series). A "yes" past the capacity is refused."""
    event = master_of(event)
    with transaction.atomic():
        locked = event_lock(event)
        current = (Attendee.objects.filter(event=locked, user=actor).first()
                   if member_permissions.is_approved(actor) else None)
        permissions.can_answer(actor, locked, invited=current is not None).check()
        if response not in ANSWERS:
            raise ValidationError({"response": _("Answer yes, maybe or no.")}, code="invalid")
        minutes = _reminder(reminder_minutes)
        already_yes = current is not None and current.response == YES
        if response == YES and not already_yes and locked.capacity is not None:
            taken = Attendee.objects.filter(event=locked, response=YES).count()
            if taken >= locked.capacity:
                raise ValidationError(full_text(locked.capacity), code="full")
        changed = current is None or current.response != response
        now = timezone.now()
        if current is None:
            current = Attendee.objects.create(
                event=locked, user=actor, response=response, reminder_minutes=minutes, responded_at=now
            )
        else:
            current.response = response
            current.reminder_minutes = minutes
            if changed:
                current.responded_at = now
            current.save(update_fields=["response", "reminder_minutes", "responded_at"])
        if changed:
            _notify_organiser(locked, actor, f"calendar.answer_{response}")
            calendar_touch(locked.calendar_id)
    return current


def event_withdraw(*, actor: User, event: Event) -> None:
    """Take one's answer back (a "yes" frees its place). An invitation stays, unanswered."""
    event = master_of(event)
    if not member_permissions.is_approved(actor):
        permissions.can_answer(actor, event).check()
    with transaction.atomic():
        locked = event_lock(event)
        current = Attendee.objects.filter(event=locked, user=actor).first()
        if current is None or current.response == PENDING:
            raise ValidationError(_("You have not answered this event."), code="invalid")
        if current.invited_by_id is not None:
            current.response = PENDING
            current.responded_at = None
            current.save(update_fields=["response", "responded_at"])
        else:
            current.delete()
        _notify_organiser(locked, actor, "calendar.answer_withdrawn")
        calendar_touch(locked.calendar_id)


# --- Selectors -------------------------------------------------------------------------------


@dataclass
class AnswerGroup:
    response: str
    label: str
    attendees: list[Attendee] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.attendees)


@dataclass
class Answers:
    event: Event
    groups: list[AnswerGroup]

    def count(self, response: str) -> int:
        return next(group.count for group in self.groups if group.response == response)

    @property
    def places_left(self) -> int | None:
        if self.event.capacity is None:
            return None
        return max(self.event.capacity - self.count(YES), 0)


def _attendees(event: Event) -> QuerySet[Attendee]:
    return (Attendee.objects.filter(event=event)
            .select_related("user")
            .prefetch_related(Prefetch("user__venues"))
            .order_by("user__display_name", "pk"))


def answers_of(event: Event) -> Answers:
    """Everyone invited or who answered, grouped by answer (yes, maybe, no, no answer yet),
    each group by name: two queries whatever their number."""
    event = master_of(event)
    groups: dict[str, AnswerGroup] = {
        str(response): AnswerGroup(str(response), str(Attendee.Response(response).label)) for response in ORDER
    }
    for attendee in _attendees(event):
        groups[attendee.response].attendees.append(attendee)
    return Answers(event=event, groups=[groups[response] for response in ORDER])


def counts_of(event: Event) -> dict[str, int]:
    """{response: number} for the event (one query)."""
    counts: dict[str, int] = {str(response): 0 for response in ORDER}
    for row in Attendee.objects.filter(event=event).values("response").annotate(n=Count("pk")).order_by():
        counts[row["response"]] = row["n"]
    return counts


def counts_text(counts: dict[str, int]) -> str:
    """ "12 oui · 3 peut-être · 2 non" """
    return " · ".join([
        ngettext("%(count)s yes", "%(count)s yes", counts[YES]) % {"count": counts[YES]},
        ngettext("%(count)s maybe", "%(count)s maybe", counts[MAYBE]) % {"count": counts[MAYBE]},
        ngettext("%(count)s no", "%(count)s no", counts[NO]) % {"count": counts[NO]},
    ])


def places_text(capacity: int | None, yes: int) -> str:
    """ "4 places restantes", "Complet", or "" without a capacity."""
    if capacity is None:
        return ""
    left = capacity - yes
    if left <= 0:
        return pgettext("event places", "Full")
    return ngettext("%(count)s place left", "%(count)s places left", left) % {"count": left}


def reminder_label(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        if days % 7 == 0:
            weeks = days // 7
            return ngettext("%(count)s week before", "%(count)s weeks before", weeks) % {"count": weeks}
        return ngettext("%(count)s day before", "%(count)s days before", days) % {"count": days}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("%(count)s hour before", "%(count)s hours before", hours) % {"count": hours}
    return ngettext("%(count)s minute before", "%(count)s minutes before", minutes) % {"count": minutes}


def panel(user: AnyUser, event: Event) -> dict | None:
    """Context of `calendar_app/includes/answer_panel.html` on an event's page, or None
    (anonymous visitors and accounts not approved). Three queries, plus the space rules'."""
    if not member_permissions.is_approved(user):
        return None
    event = master_of(event)
    current = Attendee.objects.filter(event=event, user=user).first()
    counts = counts_of(event)
    decision = permissions.can_answer(user, event, invited=current is not None)
    answer = current.response if current is not None and current.response != PENDING else None
    left = None if event.capacity is None else max(event.capacity - counts[YES], 0)
    chosen = current.reminder_minutes if current is not None else None
    choices = list(REMINDER_CHOICES)
    if chosen is not None and chosen not in choices:
        choices = sorted([*choices, chosen])
    if event.reminder_minutes is not None:
        default_label = _("The event's default (%(when)s)") % {"when": reminder_label(event.reminder_minutes)}
    else:
        default_label = _("The event's default (none)")
    return {
        "event": event,
        "action": reverse("calendar:event-answer", args=[event.pk]),
        "answer": answer,
        "answer_label": str(Attendee.Response(answer).label) if answer else "",
        "invited": current is not None and current.invited_by_id is not None,
        "buttons": [
            {"value": response, "label": str(Attendee.Response(response).label), "pressed": answer == response}
            for response in ANSWERS
        ],
        "counts": counts,
        "counts_text": counts_text(counts),
        "capacity": event.capacity,
        "places_left": left,
        "places_text": places_text(event.capacity, counts[YES]),
        "full": left == 0,
        "can_answer": bool(decision),
        "reason": "" if decision else decision.reason,
        "reminder_minutes": chosen,
        "reminder_choices": [
            {"value": "", "label": default_label, "selected": chosen is None},
            *({"value": str(value), "label": reminder_label(value), "selected": value == chosen}
              for value in choices),
        ],
        "can_manage": bool(permissions.can_edit_event(user, event)),
        "answers_url": reverse("calendar:event-answers", args=[event.pk]),
        "invite_url": reverse("calendar:event-invite", args=[event.pk]),
    }


def answers_csv_rows(event: Event) -> Iterator[list[str]]:
    """The CSV export: a header, then one row per person (grouped by answer, by name)."""
    answers = answers_of(event)
    zone = ZoneInfo(answers.event.tz)
    yield [_("Name"), _("E-mail"), _("Venue"), _("Answer"), _("Date of the answer")]
    for group in answers.groups:
        for attendee in group.attendees:
            user = attendee.user
            venues = ", ".join(sorted(venue.name for venue in user.venues.all()))
            when = attendee.responded_at.astimezone(zone).strftime("%d/%m/%Y %H:%M") if attendee.responded_at else ""
            yield [str(user), user.email, venues, group.label, when]
