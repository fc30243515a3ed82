"""Reads about members, scoped to the viewer."""

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from members import permissions
from members.models import Follow, Invitation, Territory, User, venue_model

if TYPE_CHECKING:
    from members.forms import DirectoryFilters


def pending_members_for(*, actor: User) -> QuerySet[User]:
    """Pending requests `actor` may decide on, oldest first."""
    ids = permissions.approvable_territory_ids(actor)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    qs = (
        # Only people who proved their address: the others cannot log in yet anyway.
        User.objects.filter(Exists(verified), status=User.Status.PENDING, is_active=True)
        .select_related("territory")
        .prefetch_related("venues")
        .order_by("date_joined", "id")
    )
    return qs if ids is None else qs.filter(territory_id__in=ids)


def invitable_territories_for(*, actor: User) -> QuerySet[Territory]:
    ids = permissions.approvable_territory_ids(actor)
    qs = Territory.objects.all()
    return qs if ids is None else qs.filter(pk__in=ids)


def invitations_for(*, actor: User) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(territory__in=invitable_territories_for(actor=actor))
        .select_related("territory", "venue", "invited_by", "accepted_user")
        .order_by("-created_at")
    )


def invitation_get_for_user(user: User, pk: int) -> Invitation:
    invitation = Invitation.objects.filter(pk=pk).first()
    if invitation is None or not permissions.can_invite_to(user, invitation.territory_id):
        raise Http404
    return invitation


def member_get_for_user(viewer: User, pk: int) -> User:
    """A member's profile, if `viewer` may see it (404 otherwise, no hint it exists)."""
    member = (
        User.objects.select_related("territory")
        .prefetch_related("venues", "skills", "referent_territories")  # type: ignore[misc]  # taggit: no stubs
        .filter(pk=pk, is_active=True)
        .first()
    )
    if member is None or not permissions.can_view_profile(viewer, member):
        raise Http404
    return member


def venue_colleagues(*, user: User, limit: int = 12) -> QuerySet[User]:
    """Approved members sharing a venue with `user` (the dashboard widget)."""
    return (
        permissions.approved_members().filter(venues__in=user.venues.all())
        .exclude(pk=user.pk)
        .distinct()
        .order_by("display_name")[:limit]
    )


def profile_contact(*, viewer: User, member: User) -> dict[str, str]:
    """The contact details of `member` that `viewer` may see."""
    contact = {}
    if permissions.can_see_contact(viewer, member, member.email_visibility):
        contact["email"] = member.email
    if member.phone and permissions.can_see_contact(viewer, member, member.phone_visibility):
        contact["phone"] = member.phone
    return contact




# --- Member directory ------------------------------------------------------------------------


def fold(text: object) -> str:
    """A skill name compared loosely: case, accents, hyphens and extra spaces ignored."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(plain.replace("-", " ").replace("_", " ").split())


@dataclass
class Skill:
    """A skill as the directory shows it: the tags spelled alike ("Linux", "linux") merged."""

    name: str
    slug: str
    count: int
    tag_ids: set[int] = field(default_factory=set)
    slugs: set[str] = field(default_factory=set)

    @property
    def key(self) -> str:
        return fold(self.name)


def directory_skills() -> list[Skill]:
    """The skills of approved members, most used first (one query, whatever the data)."""
    rows = (
        permissions.approved_members()
        .filter(skills__isnull=False)
        .order_by()  # no GROUP BY on the display name (User.Meta.ordering)
        .values("skills__id", "skills__name", "skills__slug")
        .annotate(uses=Count("pk"))
    )
    skills: dict[str, Skill] = {}
    # The most used spelling of a skill names it.
    for row in sorted(rows, key=lambda r: (-r["uses"], r["skills__name"])):
        key = fold(row["skills__name"])
        if not key:
            continue
        skill = skills.get(key)
        if skill is None:
            skill = skills[key] = Skill(name=row["skills__name"], slug=row["skills__slug"], count=0)
        skill.count += row["uses"]
        skill.tag_ids.add(row["skills__id"])
        skill.slugs.add(row["skills__slug"])
    return sorted(skills.values(), key=lambda s: (-s.count, s.key))


def matching_skill_tag_ids(skills: Sequence[Skill], wanted: str) -> set[int]:
    """Tag ids of the skill `wanted` (a slug or a name, accents and case ignored).

    A skill of exactly that name or slug wins; otherwise every skill whose name contains
    the words ("vidéo" finds "montage vidéo").
    """
    key = fold(wanted)
    if not key:
        return set()
    exact = [s for s in skills if s.key == key or wanted in s.slugs]
    found = exact or [s for s in skills if key in s.key]
    return set().union(*(s.tag_ids for s in found))


def _member_cards(queryset: QuerySet[User], *, viewer: User) -> QuerySet[User]:
    """What a member card shows: territory, venues, skills, and whether `viewer` follows them."""
    return (
        queryset.select_related("territory")
        .prefetch_related(  # type: ignore[misc]  # "skills" is taggit's manager, unknown to django-stubs
            Prefetch("venues", queryset=venue_model().objects.order_by("name")), "skills"
        )
        .annotate(is_followed=Exists(Follow.objects.filter(follower_id=viewer.pk, followed=OuterRef("pk"))))
        .order_by("display_name", "pk")
    )


def directory_members(*, viewer: User, filters: "DirectoryFilters", skills: Sequence[Skill]) -> QuerySet[User]:
    """Approved members matching `filters` (members.forms.DirectoryFilters), by name."""
    members = permissions.approved_members()
    for word in filters.words:
        members = members.filter(
            Q(display_name__icontains=word) | Q(job_title__icontains=word) | Q(bio__icontains=word)
        )
    if filters.venue:
        venue = Q(venues__name__icontains=filters.venue)
        if filters.venue_id is not None:
            venue |= Q(venues__pk=filters.venue_id)
        members = members.filter(pk__in=User.objects.filter(venue).values("pk"))
    if filters.territory_id is not None:
        members = members.filter(territory_id=filters.territory_id)
    if filters.skill:
        tag_ids = matching_skill_tag_ids(skills, filters.skill)
        members = members.filter(pk__in=User.objects.filter(skills__id__in=tag_ids).values("pk"))
    if filters.followed_only:
        members = members.filter(pk__in=Follow.objects.filter(follower_id=viewer.pk).values("followed_id"))
    return _member_cards(members, viewer=viewer)


def attach_contacts(*, viewer: User, members: Iterable[User]) -> list[User]:
    """Set `member.contact` (what `viewer` may see of their e-mail and phone) on each member.

    Decided in Python from the loaded fields: no query per member (the viewer's local
    admin territories are cached on the viewer).
    """
    members = list(members)
    for member in members:
        member.contact = profile_contact(viewer=viewer, member=member)  # type: ignore[attr-defined]
    return members


def directory_territories() -> QuerySet[Territory]:
    return Territory.objects.only("id", "name").order_by("name")


def directory_venue_names(limit: int = 500) -> list[str]:
    return list(venue_model().objects.order_by("name").values_list("name", flat=True).distinct()[:limit])


# --- Follows (contacts) ----------------------------------------------------------------------


def following_of(*, user: User, viewer: User | None = None) -> QuerySet[User]:
    """The approved members `user` follows, as member cards for `viewer` (by default `user`)."""
    followed = Follow.objects.filter(follower_id=user.pk).values("followed_id")
    return _member_cards(permissions.approved_members().filter(pk__in=followed), viewer=viewer or user)


def followers_of(*, user: User, viewer: User | None = None) -> QuerySet[User]:
    """The approved members who follow `user`, as member cards for `viewer` (by default `user`)."""
    followers = Follow.objects.filter(followed_id=user.pk).values("follower_id")
    return _member_cards(permissions.approved_members().filter(pk__in=followers), viewer=viewer or user)


def follow_summary(*, viewer: User, member: User) -> dict[str, Any]:
    """How many approved members `member` follows and is followed by, and whether `viewer` follows them.

    One query.
    """
    approved = User.Status.APPROVED
    counts = Follow.objects.filter(Q(follower_id=member.pk) | Q(followed_id=member.pk)).aggregate(
        following=Count("pk", filter=Q(follower_id=member.pk, followed__status=approved, followed__is_active=True)),
        followers=Count("pk", filter=Q(followed_id=member.pk, follower__status=approved, follower__is_active=True)),
        viewer_follows=Count("pk", filter=Q(follower_id=viewer.pk, followed_id=member.pk)),
    )
    counts["viewer_follows"] = bool(counts["viewer_follows"])
    return counts
