"""The demand for workshops: a member asks for a workshop on a topic, others add their voice
(one each, the author's included), and the coordination sees the requests ranked, with the
members whose skills match.

Rules decided here:
- **One voice per member**, kept by the `demand_vote_once` constraint; the denormalised
  `Demand.votes` moves by `F("votes") ± 1` only when a row was really created or deleted, in
  the same transaction, so parallel clicks never count twice.
- **The author's voice** is recorded when they ask (`votes` = 1). They may withdraw it like
  anyone else (a request is not owned by a vote): the request stays, with one voice less.
- **Voices move only while the request is open** (`permissions.can_vote`): the count of an
  answered or closed request is its record.
- **Similar requests**: two open requests with the same title once case, accents and
  punctuation are ignored are the same request; the second is refused with a link to the
  first ("Ajoutez-y votre voix").
- **Matching members** (`matching_members`): the words of the request (title, description,
  themes), folded (case and accents ignored, hyphens and punctuation split words), without
  French stop words, without the words every request uses ("atelier", "prise en main"...)
  and without words under 4 letters. A skill matches when one of its words and one of the
  request's words match like stems: one starts with the other, both have at least 4 letters,
  and the longer has at most 3 more letters ("tablette" / "tablettes", "administratif" is no
  prefix of "administratives", "main" / "maintenance" do not match: 7 more letters).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.activity import register_activity
from core.notifications import register_verb
from core.services import activity_record, notify
from directory import schema
from members import permissions as member_permissions
from members.selectors import fold
from workshops import permissions
from workshops.models import Demand, DemandVote

if TYPE_CHECKING:
    from core.models import Space
    from core.permissions import AnyUser
    from members.models import Territory, User
    from workshops.models import Workshop

TITLE_MIN = 3
TITLE_MAX = 200
DESCRIPTION_MAX = 5000
# Words of at least this many letters count when matching skills.
WORD_MIN = 4
# A word may be longer than the word it starts with by this many letters at most.
STEM_SLACK = 3

register_verb("workshops.demand_created", gettext_lazy("{actor} asks for a workshop: {target}"))
register_verb("workshops.demand_answered", gettext_lazy("A request you supported is answered: {target}"))
register_activity("workshops.demand_created", gettext_lazy("{actor} asked for a workshop: {target}"), stream=True)

# Folded (no accents, lower case), 4 letters or more: shorter words never count anyway.
STOP_WORDS = frozenset("""
    aans abord afin ainsi alors apres assez aucun aucune aupres aussi autre autres aux avant avec avoir
    beaucoup bien cela celle celles celui cependant certain certaines certains ceci ces cette ceux chaque
    chez comme comment dans depuis derniere dernier donc dont elle elles encore entre etaient etait etre
    faire fait faut leur leurs lors lorsque mais meme memes moins mon notre nous nouveau nouvelle nos
    parce par pendant peut peuvent plus plusieurs pour pourquoi pourrait puis quand quel quelle quelles
    quels quelque quelques sans selon sera seront sont sous souhaite souhaiterais souhaitons surtout tant
    tous tout toute toutes tres trop une unes vers voici voila votre vous vraiment
    atelier ateliers apprendre comprendre debutant debutants decouverte decouvrir initiation initier
    formation former main maitrise maitriser prise savoir seance seances session sessions utiliser
    utilisation usage usages besoin besoins aide aider demande demandes sujet theme themes outil outils
""".split())


# --- Helpers ----------------------------------------------------------------------------------


def normalized_title(title: str) -> str:
    """A title compared loosely: case, accents and punctuation ignored ("L'e-mail !" = "l e mail")."""
    return " ".join(re.findall(r"\w+", fold(title)))


def words_of(text: str) -> set[str]:
    """The words of `text` that count for matching: folded, 4 letters or more, no stop word."""
    return {word for word in re.findall(r"[^\W\d_]+", fold(text))
            if len(word) >= WORD_MIN and word not in STOP_WORDS}


def stems_match(first: str, second: str) -> bool:
    """Two words (folded, 4 letters or more) match when one starts with the other and the
    longer has at most `STEM_SLACK` more letters."""
    short, long = sorted((first, second), key=len)
    return len(short) >= WORD_MIN and long.startswith(short) and len(long) - len(short) <= STEM_SLACK


def demand_words(demand: Demand) -> set[str]:
    return words_of(" ".join([demand.title, demand.description, *demand.themes]))


def space_of(demand: Demand) -> Space:
    """Where the request's activity is read: its territory's space, else the network's."""
    from members.spaces import network_space

    if demand.territory_id is not None and demand.territory is not None:
        return demand.territory.space
    return network_space()


def similar_open_demand(title: str, *, exclude_pk: int | None = None) -> Demand | None:
    """The open request whose title is `title` once case, accents and punctuation are ignored."""
    key = normalized_title(title)
    if not key:
        return None
    rows = Demand.objects.filter(status=Demand.Status.OPEN).order_by("created_at", "pk")
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    for pk, other in rows.values_list("pk", "title"):
        if normalized_title(other) == key:
            return Demand.objects.get(pk=pk)
    return None


def _clean(title: str, description: str, themes: Any) -> tuple[str, str, list[str]]:
    errors: dict[str, list[str]] = {}
    title = " ".join(str(title or "").split())
    description = str(description or "").strip()
    if len(title) < TITLE_MIN:
        errors.setdefault("title", []).append(_("Give the topic in a few words (3 characters at least)."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(_("The topic is too long (200 characters at most)."))
    if len(description) > DESCRIPTION_MAX:
        errors.setdefault("description", []).append(_("The description is too long (5,000 characters at most)."))
    chosen: list[str] = []
    for theme in themes or ():
        if theme not in schema.Service.values:
            errors.setdefault("themes", []).append(_("Choose themes from the list."))
            break
        if theme not in chosen:
            chosen.append(theme)
    if errors:
        raise ValidationError(errors, code="invalid")
    return title, description, chosen


def _voter_ids(demand: Demand) -> set[int]:
    ids = set(DemandVote.objects.filter(demand=demand).values_list("user_id", flat=True))
    if demand.created_by_id is not None:
        ids.add(demand.created_by_id)
    return ids


def _tell_voters(demand: Demand, *, actor: User | None, url: str) -> None:
    """Tell every voice of `demand` (and its author) that it is answered."""
    from members.models import User

    recipients = User.objects.filter(pk__in=_voter_ids(demand), is_active=True).order_by("pk")
    for recipient in recipients:
        notify(recipient=recipient, verb="workshops.demand_answered", target=demand, actor=actor, url=url)


# --- Services ---------------------------------------------------------------------------------


def demand_create(*, actor: User, title: str, description: str = "", themes: Any = (),
                  territory: Territory | None = None) -> Demand:
    """Ask for a workshop on a topic. The author's voice is counted; the coordination and the
    local admins of the territory (the author's by default) are told."""
    permissions.can_ask(actor).check()
    title, description, themes = _clean(title, description, themes)
    if territory is None:
        territory = actor.territory
    with transaction.atomic():
        existing = similar_open_demand(title)
        if existing is not None:
            raise ValidationError(
                {"title": ValidationError(
                    _("A similar request already exists: “%(title)s”. Add your voice to it."),
                    code="duplicate",
                    params={"title": existing.title, "pk": existing.pk, "url": existing.get_absolute_url()},
                )}
            )
        demand = Demand.objects.create(
            title=title, description=description, themes=themes, territory=territory, created_by=actor, votes=1,
        )
        DemandVote.objects.create(demand=demand, user=actor)
        for recipient in member_permissions.approvers_of(territory.pk if territory else None).order_by("pk"):
            notify(recipient=recipient, verb="workshops.demand_created", target=demand, actor=actor)
        activity_record(actor=actor, verb="workshops.demand_created", target=demand, space=space_of(demand))
    return demand


def demand_vote(*, actor: User, demand: Demand) -> bool:
    """Add `actor`'s voice. True when it was added, False when it was already there."""
    permissions.can_vote(actor, demand).check()
    with transaction.atomic():
        current = Demand.objects.select_for_update().filter(pk=demand.pk).first()
        if current is None:
            raise ValidationError(_("This request no longer exists."), code="gone")
        permissions.can_vote(actor, current).check()
        try:
            with transaction.atomic():
                DemandVote.objects.create(demand=current, user=actor)
        except IntegrityError:
            added = False
        else:
            Demand.objects.filter(pk=current.pk).update(votes=F("votes") + 1)
            added = True
    demand.refresh_from_db(fields=["votes", "status"])
    return added


def demand_unvote(*, actor: User, demand: Demand) -> bool:
    """Withdraw `actor`'s voice (the author may, too). True when a voice was withdrawn."""
    permissions.can_vote(actor, demand).check()
    with transaction.atomic():
        current = Demand.objects.select_for_update().filter(pk=demand.pk).first()
        if current is None:
            raise ValidationError(_("This request no longer exists."), code="gone")
        permissions.can_vote(actor, current).check()
        deleted, _rows = DemandVote.objects.filter(demand=current, user=actor).delete()
        if deleted:
            Demand.objects.filter(pk=current.pk, votes__gt=0).update(votes=F("votes") - 1)
    demand.refresh_from_db(fields=["votes", "status"])
    return bool(deleted)


def demand_set_status(*, actor: User, demand: Demand, status: str, workshop: Workshop | None = None) -> Demand:
    """Mark a request answered (optionally by `workshop`, which then names it), close it, or
    reopen it. Its voices are told when it is answered."""
    permissions.can_manage_demand(actor, demand).check()
    if status not in Demand.Status.values:
        raise ValidationError({"status": _("Choose open, answered or closed.")}, code="invalid")
    if workshop is not None:
        if status != Demand.Status.ANSWERED:
            raise ValidationError({"workshop": _("A workshop is given only to answer a request.")}, code="invalid")
        if not permissions.can_view_workshop(actor, workshop) or workshop.status in ("refused", "cancelled"):
            raise ValidationError({"workshop": _("Choose a workshop that was accepted.")}, code="invalid")
        if workshop.demand_id is not None and workshop.demand_id != demand.pk:
            raise ValidationError({"workshop": _("This workshop already answers another request.")},
                                  code="invalid")
    with transaction.atomic():
        current = Demand.objects.select_for_update(of=("self",)).select_related("territory").get(pk=demand.pk)
        if current.status == status and workshop is None:
            raise ValidationError(
                _("This request is already %(status)s.") % {"status": current.get_status_display().lower()},
                code="unchanged",
            )
        changed = current.status != status
        current.status = status
        current.save(update_fields=["status"])
        if workshop is not None:
            type(workshop).objects.filter(pk=workshop.pk).update(demand=current)
            workshop.demand = current
        if status == Demand.Status.ANSWERED and (changed or workshop is not None):
            url = workshop.get_absolute_url() if workshop is not None else current.get_absolute_url()
            _tell_voters(current, actor=actor, url=url)
    demand.status = current.status
    return current


def demand_answered(*, workshop: Workshop) -> Demand | None:
    """A workshop proposed for a request was accepted (called by `services.workshop_accept`):
    the request is answered and its voices are told, with a link to the workshop."""
    if workshop.demand_id is None:
        return None
    with transaction.atomic():
        demand = Demand.objects.select_for_update().filter(pk=workshop.demand_id).first()
        if demand is None:
            return None
        if demand.status != Demand.Status.ANSWERED:
            demand.status = Demand.Status.ANSWERED
            demand.save(update_fields=["status"])
        _tell_voters(demand, actor=None, url=workshop.get_absolute_url())
    return demand


# --- Selectors --------------------------------------------------------------------------------


def demands() -> QuerySet[Demand]:
    return Demand.objects.select_related("created_by", "territory")


def demands_ranked(*, user: AnyUser, status: str | None = "open", theme: str | None = None,
                   territory: Territory | int | None = None) -> QuerySet[Demand]:
    """Requests with the most voices first, then the newest; each annotated with `voted`
    (whether `user` added their voice), in the same query. `status` None: every status."""
    queryset = demands()
    if status:
        queryset = queryset.filter(status=status)
    if theme:
        queryset = queryset.filter(themes__has=theme)
    if territory is not None:
        queryset = queryset.filter(territory=territory)
    user_id = getattr(user, "pk", 0) if member_permissions.is_authenticated(user) else 0  # 0: nobody
    return queryset.annotate(
        voted=Exists(DemandVote.objects.filter(demand=OuterRef("pk"), user_id=user_id))
    ).order_by("-votes", "-created_at", "-pk")


def demand_get_for_user(user: AnyUser, pk: int) -> Demand:
    """The request `pk` for a member who may read requests, else 404."""
    from django.http import Http404

    if not permissions.can_ask(user):
        raise Http404
    demand = demands_ranked(user=user, status=None).filter(pk=pk).first()
    if demand is None:
        raise Http404
    return demand


def voices(demand: Demand) -> list[User]:
    """Who added their voice, first voices first (one query)."""
    rows = DemandVote.objects.filter(demand=demand).select_related("user").order_by("created_at", "pk")
    return [row.user for row in rows]


@dataclass
class MatchingMember:
    member: User
    skills: list[str] = field(default_factory=list)


def matching_skill_ids(words: set[str]) -> dict[int, str]:
    """The skills (tag id → name) of approved members that match one of `words` (one query)."""
    if not words:
        return {}
    rows = (
        member_permissions.approved_members().filter(skills__isnull=False).order_by()
        .values_list("skills__id", "skills__name").distinct()
    )
    found: dict[int, str] = {}
    for tag_id, name in rows:
        skill_words = {word for word in re.findall(r"[^\W\d_]+", fold(name)) if len(word) >= WORD_MIN}
        if any(stems_match(skill_word, word) for skill_word in skill_words for word in words):
            found[tag_id] = name
    return found


def matching_members(demand: Demand, *, limit: int = 12) -> list[MatchingMember]:
    """Approved active members whose skills match the request's words (see the module's
    rule), most matching skills first (then by name), each with those skills. Three queries
    whatever the number of members: the skills, the members, their matching skills."""
    from taggit.models import TaggedItem

    from members.models import User

    skills = matching_skill_ids(demand_words(demand))
    if not skills:
        return []
    members = list(
        member_permissions.approved_members()
        .filter(skills__id__in=list(skills))
        .annotate(matches=Count("skills", filter=Q(skills__id__in=list(skills)), distinct=True))
        .select_related("territory")
        .order_by("-matches", "display_name", "pk")[:limit]
    )
    if not members:
        return []
    by_member: dict[int, list[str]] = defaultdict(list)
    rows = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_id__in=[member.pk for member in members],
        tag_id__in=list(skills),
    ).values_list("object_id", "tag_id")
    for object_id, tag_id in rows:
        by_member[object_id].append(skills[tag_id])
    return [MatchingMember(member=member, skills=sorted(by_member[member.pk], key=fold)) for member in members]
