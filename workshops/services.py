"""A workshop's lifecycle: proposed → accepted → scheduled → held → closed, or refused, or
cancelled with notice to everyone registered.

- Any approved member proposes a workshop they can lead (`workshop_propose`); the managers
  (coordinators, and the local admins of its territory) are told.
- A manager accepts or refuses it (`workshop_accept`, `workshop_refuse`, with a reason); the
  proposer is told at each step. A session scheduled (slice SESSIONS) makes it *scheduled*;
  the tasks command marks it *held* once every session is over (`workshops_mark_held`), and a
  manager closes it (`workshop_close`); or cancels it (`workshop_cancel`, with a reason),
  which cancels its sessions through `sessions.session_cancel` (that tells the people
  registered).

Every change of status is a conditional UPDATE on the status expected: two coordinators
accepting at once, one wins and the other reads "already examined".

The reads of the desk's workshop pages (index, catalogue, proposals) are at the end.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.activity import register_activity
from core.notifications import register_verb
from core.services import activity_record, notify
from directory.fields import PipeListField
from members import permissions as member_permissions
from workshops import permissions, selectors
from workshops.models import Registration, Session, Workshop

if TYPE_CHECKING:
    from core.models import Space
    from core.permissions import AnyUser
    from members.models import Territory, User
    from workshops.models import Demand

TITLE_MIN = 3
TITLE_MAX = 200
SUMMARY_MAX = 300
DESCRIPTION_MAX = 20000
TEXT_MAX = 2000  # prerequisites, what to bring, a reason
DURATION_MIN = 15
DURATION_MAX = 24 * 60

# What `workshop_update` may change.
EDITABLE = ("title", "summary", "description", "audience", "themes", "publics", "level", "prerequisites",
            "to_bring", "duration_minutes", "territory")

Status = Workshop.Status
# The statuses a workshop may be cancelled from.
CANCELLABLE = (Status.PROPOSED, Status.ACCEPTED, Status.SCHEDULED, Status.HELD)

register_verb("workshops.proposed", gettext_lazy("{actor} proposes a workshop: {target}"))
register_verb("workshops.accepted", gettext_lazy("{actor} accepted your workshop {target}"))
register_verb("workshops.refused", gettext_lazy("{actor} declined your workshop {target}"))
register_verb("workshops.cancelled", gettext_lazy("{actor} cancelled the workshop {target}"))
register_verb("workshops.closed", gettext_lazy("{actor} closed the workshop {target}"))

register_activity("workshops.proposed", gettext_lazy("{actor} proposed the workshop {target}"))
register_activity("workshops.accepted", gettext_lazy("{subject}'s workshop {target} was accepted"), stream=True)


# --- Validation ------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _validate(workshop: Workshop) -> None:
    """Every rule on what a workshop holds; all the errors at once, by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    workshop.title = _text(workshop.title)
    if len(workshop.title) < TITLE_MIN:
        add("title", _("Give the workshop a title of at least %(min)d characters.") % {"min": TITLE_MIN})
    elif len(workshop.title) > TITLE_MAX:
        add("title", _("The title is at most %(max)d characters long.") % {"max": TITLE_MAX})
    workshop.summary = _text(workshop.summary)
    if len(workshop.summary) > SUMMARY_MAX:
        add("summary", _("The summary is at most %(max)d characters long.") % {"max": SUMMARY_MAX})
    workshop.description = _text(workshop.description)
    if len(workshop.description) > DESCRIPTION_MAX:
        add("description", _("The description is at most %(max)d characters long.") % {"max": DESCRIPTION_MAX})
    for field in ("prerequisites", "to_bring"):
        setattr(workshop, field, _text(getattr(workshop, field)))
        if len(getattr(workshop, field)) > TEXT_MAX:
            add(field, _("This text is at most %(max)d characters long.") % {"max": TEXT_MAX})
    if workshop.audience not in Workshop.Audience.values:
        add("audience", _("Choose who the workshop is for."))
    if workshop.level not in Workshop.Level.values:
        add("level", _("Choose the level of the workshop."))
    try:
        minutes = int(workshop.duration_minutes)
    except (TypeError, ValueError):
        minutes = -1
    if not DURATION_MIN <= minutes <= DURATION_MAX:
        add("duration_minutes", _("The duration is between %(min)d minutes and one day (%(max)d minutes).")
            % {"min": DURATION_MIN, "max": DURATION_MAX})
    else:
        workshop.duration_minutes = minutes
    for field in ("themes", "publics"):
        model_field = Workshop._meta.get_field(field)
        assert isinstance(model_field, PipeListField)
        try:
            setattr(workshop, field, model_field.clean(list(getattr(workshop, field) or ()), workshop))
        except ValidationError as error:
            for message in error.messages:
                add(field, message)
    if errors:
        raise ValidationError(errors)


def _reason(reason: Any, message: str) -> str:
    text = _text(reason)
    if not text:
        raise ValidationError({"reason": message}, code="required")
    if len(text) > TEXT_MAX:
        raise ValidationError({"reason": _("The reason is at most %(max)d characters long.") % {"max": TEXT_MAX}},
                              code="max_length")
    return text


# --- Who is told, where it is logged ------------------------------------------------------------


def managers_of(workshop: Workshop) -> list[User]:
    """Who decides on `workshop`: the coordinators and the local admins of its territory."""
    people = {user.pk: user for user in member_permissions.coordinators()}
    if workshop.territory_id is not None:
        for user in member_permissions.referents_of(workshop.territory_id):
            people.setdefault(user.pk, user)
    return [people[pk] for pk in sorted(people)]


def space_of(workshop: Workshop) -> Space:
    """The space of the workshop's territory, else the network's (where activity is logged)."""
    from members.spaces import network_space

    territory = workshop.territory if workshop.territory_id is not None else None
    if territory is not None and territory.space_id is not None:
        return territory.space
    return network_space()


def _tell_proposer(workshop: Workshop, *, actor: User, verb: str) -> None:
    if workshop.proposed_by_id is not None:
        notify(recipient=workshop.proposed_by, verb=verb, target=workshop, actor=actor)


def _change_status(workshop: Workshop, *, actor: User | None, expected: tuple[str, ...], to: str,
                   conflict_message: str, reason: str | None = None) -> None:
    """Move `workshop` to `to` if it is still in one of the `expected` statuses (one UPDATE,
    which the database serialises), else raise ValidationError(`conflict_message`)."""
    now = timezone.now()
    values: dict[str, Any] = {"status": to, "status_changed_at": now, "status_changed_by": actor,
                              "updated_at": now}
    if reason is not None:
        values["status_reason"] = reason
    changed = Workshop.objects.filter(pk=workshop.pk, status__in=[str(s) for s in expected]).update(**values)
    if not changed:
        raise ValidationError(conflict_message, code="conflict")
    for name, value in values.items():
        setattr(workshop, name, value)


# --- Services ----------------------------------------------------------------------------------


def workshop_propose(*, actor: User, title: str, summary: str = "", description: str = "", audience: str,
                     themes: Any = (), publics: Any = (), level: str, prerequisites: str = "",
                     to_bring: str = "", duration_minutes: int, territory: Territory | None = None,
                     demand: Demand | None = None) -> Workshop:
    """A proposal (status proposed) in the proposer's territory unless another is given; the
    managers are told."""
    permissions.can_propose(actor).check()
    if territory is None:
        territory = actor.territory if actor.territory_id is not None else None
    workshop = Workshop(  # type: ignore[misc]  # the PipeListFields take lists
        title=title, summary=summary, description=description, audience=audience, themes=list(themes or ()),
        publics=list(publics or ()), level=level, prerequisites=prerequisites, to_bring=to_bring,
        duration_minutes=duration_minutes, territory=territory, demand=demand, proposed_by=actor,
        status=Status.PROPOSED,
    )
    _validate(workshop)
    with transaction.atomic():
        workshop.save()
        activity_record(actor=actor, verb="workshops.proposed", target=workshop, space=space_of(workshop))
        for manager in managers_of(workshop):
            notify(recipient=manager, verb="workshops.proposed", target=workshop, actor=actor)
    return workshop


def workshop_update(*, actor: User, workshop: Workshop, **fields: Any) -> Workshop:
    """Change what the workshop holds (its proposer while it waits; its managers until it is
    over). Raises ValidationError when it changed status meanwhile."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise TypeError(f"workshop_update() cannot change: {', '.join(unknown)}")
    permissions.can_edit_workshop(actor, workshop).check()
    for name, value in fields.items():
        if name in ("themes", "publics"):
            value = list(value or ())
        setattr(workshop, name, value)
    _validate(workshop)
    now = timezone.now()
    values = {name: getattr(workshop, name) for name in fields}
    if "territory" in values:
        values["territory_id"] = workshop.territory.pk if workshop.territory is not None else None
        del values["territory"]
    if "title" in values:
        values["slug"] = slugify(workshop.title)[:200] or "atelier"
    values["updated_at"] = now
    with transaction.atomic():
        changed = Workshop.objects.filter(pk=workshop.pk, status=workshop.status).update(**values)
        if not changed:
            raise ValidationError(_("This workshop changed meanwhile: reload the page and try again."),
                                  code="conflict")
    workshop.updated_at = now
    if "slug" in values:
        workshop.slug = values["slug"]
    return workshop


def workshop_accept(*, actor: User, workshop: Workshop) -> Workshop:
    """Accept a proposal: sessions may then be scheduled. The proposer is told; the demand it
    answers, if any, is marked answered."""
    permissions.can_decide(actor, workshop).check()
    with transaction.atomic():
        _change_status(workshop, actor=actor, expected=(Status.PROPOSED,), to=Status.ACCEPTED, reason="",
                       conflict_message=_("This proposal was already examined."))
        proposer = workshop.proposed_by if workshop.proposed_by_id is not None else None
        activity_record(actor=actor, verb="workshops.accepted", target=workshop, space=space_of(workshop),
                        data={"subject": str(proposer) if proposer is not None else ""})
        _tell_proposer(workshop, actor=actor, verb="workshops.accepted")
        if workshop.demand_id is not None:
            from workshops import demand

            demand.demand_answered(workshop=workshop)
    return workshop


def workshop_refuse(*, actor: User, workshop: Workshop, reason: str) -> Workshop:
    """Decline a proposal, saying why; the proposer is told."""
    permissions.can_decide(actor, workshop).check()
    text = _reason(reason, _("Say why the proposal is declined: its author will read it."))
    with transaction.atomic():
        _change_status(workshop, actor=actor, expected=(Status.PROPOSED,), to=Status.REFUSED, reason=text,
                       conflict_message=_("This proposal was already examined."))
        _tell_proposer(workshop, actor=actor, verb="workshops.refused")
    return workshop


def sessions_to_cancel(workshop: Workshop, *, now: datetime | None = None) -> QuerySet[Session]:
    """The sessions a cancellation cancels: those scheduled and not yet over (the past ones
    stay as they were held)."""
    now = now or timezone.now()
    return Session.objects.filter(workshop=workshop, status=Session.Status.SCHEDULED, end__gt=now)


def people_to_tell(workshop: Workshop, *, now: datetime | None = None) -> int:
    """How many live registrations a cancellation of `workshop` tells (one query)."""
    return Registration.objects.filter(
        session__in=sessions_to_cancel(workshop, now=now), status__in=selectors.ACTIVE
    ).count()


def workshop_cancel(*, actor: User, workshop: Workshop, reason: str) -> Workshop:
    """Cancel the workshop and each of its coming sessions (whose people registered are told by
    `sessions.session_cancel`); the proposer is told."""
    from workshops import sessions

    permissions.can_cancel_workshop(actor, workshop).check()
    text = _reason(reason, _("Say why the workshop is cancelled: the people registered will read it."))
    with transaction.atomic():
        for session in selectors.sessions().filter(pk__in=sessions_to_cancel(workshop).values("pk")):
            sessions.session_cancel(actor=actor, session=session, reason=text)
        _change_status(workshop, actor=actor, expected=CANCELLABLE, to=Status.CANCELLED, reason=text,
                       conflict_message=_("This workshop is already over."))
        _tell_proposer(workshop, actor=actor, verb="workshops.cancelled")
    return workshop


def workshop_close(*, actor: User, workshop: Workshop) -> Workshop:
    """Close a held workshop (its sessions are over): nothing more happens to it."""
    permissions.can_close_workshop(actor, workshop).check()
    with transaction.atomic():
        _change_status(workshop, actor=actor, expected=(Status.HELD,), to=Status.CLOSED,
                       conflict_message=_("A workshop is closed once its sessions are held."))
        _tell_proposer(workshop, actor=actor, verb="workshops.closed")
    return workshop


def workshops_mark_held(*, now: datetime | None = None) -> int:
    """Scheduled workshops whose every session (cancelled ones aside) has ended become held, in
    one UPDATE. Returns how many."""
    now = now or timezone.now()
    live = Session.objects.filter(workshop=OuterRef("pk")).exclude(status=Session.Status.CANCELLED)
    return (
        Workshop.objects.filter(status=Status.SCHEDULED)
        .filter(Exists(live))
        .exclude(Exists(live.filter(end__gt=now)))
        .update(status=Status.HELD, status_changed_at=now, status_changed_by=None, updated_at=now)
    )


# --- Reads of the desk's pages -----------------------------------------------------------------

# The statuses of the catalogue: workshops one can follow, or that were held.
CATALOGUE_STATUSES = (Status.ACCEPTED, Status.SCHEDULED, Status.HELD)


def upcoming_sessions(*, now: datetime | None = None) -> QuerySet[Session]:
    """Sessions not yet over of the open workshops (every approved member sees them)."""
    now = now or timezone.now()
    return selectors.sessions().filter(
        status=Session.Status.SCHEDULED, end__gt=now,
        workshop__status__in=[Status.ACCEPTED, Status.SCHEDULED],
    ).order_by("start", "pk")


def sessions_led_by(user: User, *, now: datetime | None = None) -> QuerySet[Session]:
    now = now or timezone.now()
    return upcoming_sessions(now=now).filter(animators=user)


def live_registrations(user: User, *, now: datetime | None = None) -> QuerySet[Registration]:
    """`user`'s registrations that still hold or wait for a place, to sessions not yet over."""
    now = now or timezone.now()
    return (
        Registration.objects.filter(user=user, status__in=selectors.ACTIVE, session__end__gt=now)
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("session", "session__workshop", "session__venue")
        .order_by("session__start", "pk")
    )


def catalogue(*, theme: str = "", level: str = "", audience: str = "",
              now: datetime | None = None) -> QuerySet[Workshop]:
    """Accepted, scheduled and held workshops with `next_start` (their next session's start)
    and `upcoming` (how many sessions are to come), soonest first; filtered."""
    now = now or timezone.now()
    coming = Q(sessions__status=Session.Status.SCHEDULED, sessions__start__gt=now)
    queryset = Workshop.objects.filter(status__in=CATALOGUE_STATUSES).select_related("territory")
    if theme:
        queryset = queryset.filter(themes__has=theme)
    if level:
        queryset = queryset.filter(level=level)
    if audience:
        queryset = queryset.filter(audience=audience)
    return queryset.annotate(
        next_start=Min("sessions__start", filter=coming),
        upcoming=Count("sessions", filter=coming, distinct=True),
    ).order_by(F("next_start").asc(nulls_last=True), "title", "pk")


def waiting_proposals(user: AnyUser) -> QuerySet[Workshop]:
    """The proposals `user` decides on (none for whoever manages nothing), oldest first."""
    queryset = (
        Workshop.objects.filter(status=Status.PROPOSED)
        .select_related("proposed_by", "territory")
        .prefetch_related("proposed_by__skills")  # type: ignore[misc]  # taggit's manager prefetches
        .order_by("created_at", "pk")
    )
    if not permissions.can_manage_any(user):
        return queryset.none()
    territory_ids = permissions.managed_territory_ids(user)
    if territory_ids is not None:
        queryset = queryset.filter(territory_id__in=territory_ids)
    return queryset


def own_proposals(user: User) -> QuerySet[Workshop]:
    """The workshops `user` proposed, newest first, with who decided."""
    return (
        Workshop.objects.filter(proposed_by=user)
        .select_related("status_changed_by", "territory")
        .order_by("-created_at", "-pk")
    )
