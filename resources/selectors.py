"""Reads of the resource library, scoped to a user.

`*_get_for_user(user, pk)` fetch and authorise in one step: 404 when the thing does not exist
or may not be seen (no hint that it exists). Lists are a fixed number of queries whatever the
data: a page of `library()` is its count, its rows, the tags and the authors (with their
user) of the page's resources.

Authors are read in their order through `resource.author_links.all` (each link's `.user`);
`resource.authors.all` is prefetched too where the rules need it (`is_author`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from members import permissions as member_permissions
from resources import permissions
from resources.models import (
    Collection,
    CollectionItem,
    KitStep,
    Licence,
    Rating,
    Report,
    Resource,
    ResourceAuthor,
    ResourceFile,
    Tag,
    WorkshopKit,
)

if TYPE_CHECKING:
    from core.permissions import AnyUser
    from forum.models import Topic
    from workshops.models import Workshop

QUERY_MAX = 200  # characters of a search read
QUERY_WORDS_MAX = 10
TAG_FILTERS_MAX = 10
LINKABLE_WORKSHOPS_MAX = 100
# badge(): the lowest average of each label, best first.
BADGE_THRESHOLDS = ((3.5, Rating.Score.HIGHLY), (2.5, Rating.Score.RECOMMENDED), (1.5, Rating.Score.LITTLE))


def _pk(value: object) -> int:
    """An id from a URL or a form (int or str); anything else is a 404."""
    try:
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError):
        raise Http404 from None


def _authors_prefetch() -> Prefetch:
    return Prefetch("author_links", queryset=ResourceAuthor.objects.select_related("user").order_by("position", "id"))


def _detail_queryset() -> QuerySet[Resource]:
    return Resource.objects.select_related("created_by").prefetch_related(
        _authors_prefetch(), "authors", "tags",
        Prefetch("files", queryset=ResourceFile.objects.order_by("position", "id")),
        Prefetch("steps", queryset=KitStep.objects.order_by("position", "id")),
        "equipment_items", "equipment_kits",
    )


def _listing(queryset: QuerySet[Resource]) -> QuerySet[Resource]:
    # The search text (files' text included) is read by the filter, never shown: not loaded.
    return queryset.defer("search_text").prefetch_related("tags", _authors_prefetch()).order_by(
        F("published_at").desc(nulls_last=True), "-updated_at", "-id")


def _words(q: str) -> list[str]:
    return " ".join((q or "").split())[:QUERY_MAX].lower().split()[:QUERY_WORDS_MAX]


def _filtered(queryset: QuerySet[Resource], *, q: str, tag_slugs: Iterable[str], licence: str) -> QuerySet[Resource]:
    for word in _words(q):
        queryset = queryset.filter(search_text__icontains=word)
    for slug in [str(slug) for slug in tag_slugs or () if slug][:TAG_FILTERS_MAX]:
        queryset = queryset.filter(pk__in=Tag.resources.through.objects.filter(tag__slug=slug).values("resource_id"))
    if licence and licence in Licence.values:
        queryset = queryset.filter(licence=licence)
    return queryset


def _visible(user: AnyUser) -> QuerySet[Resource]:
    return Resource.objects.filter(permissions.visible_q(user))


def is_kit_q() -> Q:
    """Filter on Resource: a workshop kit (steps, or equipment to borrow)."""
    return (
        Q(Exists(KitStep.objects.filter(resource=OuterRef("pk"))))
        | Q(Exists(Resource.equipment_items.through.objects.filter(resource=OuterRef("pk"))))
        | Q(Exists(Resource.equipment_kits.through.objects.filter(resource=OuterRef("pk"))))
    )


# --- Resources --------------------------------------------------------------------------------


def resource_get_for_user(user: AnyUser, pk: object) -> Resource:
    """The resource with its authors (in order: `author_links`), tags, files, steps and
    equipment; 404 when `user` may not read it."""
    resource = _detail_queryset().filter(pk=_pk(pk)).first()
    if resource is None or not permissions.can_view_resource(user, resource):
        raise Http404
    return resource


def public_resource_get(pk: object) -> Resource:
    """A published public resource (the public site), else 404."""
    return resource_get_for_user(None, pk)


def library(user: AnyUser, *, q: str = "", tag_slugs: Iterable[str] = (), licence: str = "", kits: bool = False,
            mine: bool = False, drafts: bool = False) -> QuerySet[Resource]:
    """The resources `user` may read: published ones by default; `mine`: the user's own
    (drafts included); `drafts`: only drafts (one's own; every draft for a moderator);
    `kits`: workshop kits only. Every word of `q` in the search text; every tag of
    `tag_slugs`. Latest published first, then latest updated."""
    queryset = _visible(user)
    if mine:
        pk = getattr(user, "pk", None) or 0
        queryset = queryset.filter(
            Q(created_by_id=pk) | Q(Exists(ResourceAuthor.objects.filter(resource=OuterRef("pk"), user_id=pk))))
    if drafts:
        queryset = queryset.filter(status=Resource.Status.DRAFT)
    elif not mine:
        queryset = queryset.filter(status=Resource.Status.PUBLISHED)
    if kits:
        queryset = queryset.filter(is_kit_q())
    return _listing(_filtered(queryset, q=q, tag_slugs=tag_slugs, licence=licence))


def public_library(*, q: str = "", tag_slugs: Iterable[str] = (), licence: str = "") -> QuerySet[Resource]:
    """The public site's resources (published, public), latest first."""
    return _listing(_filtered(Resource.objects.filter(permissions.public_q()), q=q, tag_slugs=tag_slugs,
                              licence=licence))


def recent_resources(user: AnyUser, *, limit: int = 5) -> list[Resource]:
    """The latest published resources `user` may read (the dashboard widget)."""
    return list(library(user)[:limit])


def badge(resource: Resource) -> tuple[str, float] | None:
    """(label, average) from the resource's rating count and sum; None without ratings."""
    if not resource.rating_count:
        return None
    average = resource.rating_sum / resource.rating_count
    for lowest, score in BADGE_THRESHOLDS:
        if average >= lowest:
            return str(score.label), average
    return str(Rating.Score.NOT.label), average


def user_rating(user: AnyUser, resource: Resource) -> Rating | None:
    pk = getattr(user, "pk", None)
    if pk is None:
        return None
    return Rating.objects.filter(resource=resource, user_id=pk).first()


def resource_ratings(resource: Resource) -> QuerySet[Rating]:
    """The ratings of a resource with their author, latest first (the page's comments)."""
    return Rating.objects.filter(resource=resource).select_related("user").order_by("-updated_at", "-id")


def tag_choices() -> dict[str, list[Tag]]:
    """Every tag by kind (one query): {"theme": [...], "public": [...]}."""
    choices: dict[str, list[Tag]] = {Tag.Kind.THEME.value: [], Tag.Kind.PUBLIC.value: []}
    for tag in Tag.objects.order_by("name", "id"):
        choices.setdefault(tag.kind, []).append(tag)
    return choices


# --- Collections ------------------------------------------------------------------------------


def collections_of(user: AnyUser) -> QuerySet[Collection]:
    """The user's own collections ("Favoris" first), with `resource_count`."""
    if not member_permissions.is_approved(user):
        return Collection.objects.none()
    return (Collection.objects.filter(owner_id=user.pk).annotate(resource_count=Count("items"))
            .order_by("-is_default", "name", "id"))


def shared_collections(user: AnyUser) -> QuerySet[Collection]:
    """Other members' shared collections, with their owner and `resource_count`."""
    if not member_permissions.is_approved(user):
        return Collection.objects.none()
    return (Collection.objects.filter(is_shared=True, owner__in=member_permissions.approved_members())
            .exclude(owner_id=user.pk).select_related("owner").annotate(resource_count=Count("items"))
            .order_by("-updated_at", "-id"))


def collection_get_for_user(user: AnyUser, pk: object) -> Collection:
    collection = Collection.objects.select_related("owner").filter(pk=_pk(pk)).first()
    if collection is None or not permissions.can_view_collection(user, collection):
        raise Http404
    return collection


def collection_resources(collection: Collection, user: AnyUser) -> QuerySet[Resource]:
    """The resources of `collection` that `user` may read, latest added first."""
    items = CollectionItem.objects.filter(collection=collection)
    return (_visible(user).filter(pk__in=items.values("resource_id"))
            .prefetch_related("tags", _authors_prefetch())
            .annotate(added_at=items.filter(resource=OuterRef("pk")).values("added_at")[:1])
            .order_by("-added_at", "-id"))


def collections_holding(user: AnyUser, resource: Resource) -> set[int]:
    """Ids of the user's collections that hold `resource` (the "saved" state of its page)."""
    if not member_permissions.is_approved(user):
        return set()
    return set(CollectionItem.objects.filter(collection__owner_id=user.pk, resource=resource)
               .values_list("collection_id", flat=True))


# --- Reports ----------------------------------------------------------------------------------


def open_reports() -> QuerySet[Report]:
    """Open reports, latest first, with their resource and reporter (the moderators' queue)."""
    return (Report.objects.filter(status=Report.Status.OPEN).select_related("resource", "reporter")
            .order_by("-created_at", "-id"))


# --- Workshop kits ----------------------------------------------------------------------------


def kits_of_workshop(workshop: Workshop, user: AnyUser) -> list[Resource]:
    """The kits a workshop points to that `user` may read, in the order they were linked."""
    links = WorkshopKit.objects.filter(workshop=workshop)
    return list(
        _visible(user).filter(pk__in=links.values("resource_id"))
        .prefetch_related("tags", _authors_prefetch())
        .annotate(linked_at=links.filter(resource=OuterRef("pk")).values("added_at")[:1])
        .order_by("linked_at", "id")
    )


def workshops_of_kit(resource: Resource, user: AnyUser) -> list[Workshop]:
    """The workshops pointing to `resource` that `user` may see."""
    from workshops import permissions as workshop_permissions
    from workshops.models import Workshop

    workshops = (Workshop.objects.filter(pk__in=WorkshopKit.objects.filter(resource=resource).values("workshop_id"))
                 .select_related("territory", "proposed_by").order_by("-created_at", "-pk"))
    return [workshop for workshop in workshops if workshop_permissions.can_view_workshop(user, workshop)]


def linkable_workshops(user: AnyUser) -> QuerySet[Workshop]:
    """The workshops `user` may point to a kit (`permissions.can_link_workshop`, i.e. may
    change), latest first, at most LINKABLE_WORKSHOPS_MAX. Unsliced (a form's choices may
    filter it)."""
    from workshops import permissions as workshop_permissions
    from workshops.models import Workshop

    if not member_permissions.is_approved(user):
        return Workshop.objects.none()
    # The workshops' own rule, as a filter (tested against can_link_workshop).
    candidates = Workshop.objects.filter(workshop_permissions.editable_workshops_q(user)).order_by("-created_at", "-pk")
    capped = candidates.values("pk")[:LINKABLE_WORKSHOPS_MAX]
    return (Workshop.objects.filter(pk__in=capped).select_related("territory", "proposed_by")
            .order_by("-created_at", "-pk"))


# --- Forum ------------------------------------------------------------------------------------


def resource_url_markers(resource: Resource) -> list[str]:
    """What a post links to the resource with: its desk URL contains the public one's prefix."""
    return [f"/ressources/{resource.pk}/"]


def forum_topics_citing(resource: Resource, user: AnyUser, *, limit: int = 10) -> list[Topic]:
    """Live topics `user` may see with a live, visible post linking to the resource's desk
    page (/bureau/ressources/<pk>/...) or public page (/ressources/<pk>/...), latest activity
    first (two queries)."""
    from forum import selectors as forum_selectors
    from forum.models import Post, Topic

    if user is None:
        return []
    marker = resource_url_markers(resource)[0]
    citing = Post.objects.filter(topic=OuterRef("pk"), deleted_at__isnull=True, hidden_at__isnull=True,
                                 body__contains=marker)
    return list(
        Topic.objects.filter(deleted_at__isnull=True, category__in=forum_selectors.categories_visible_to(user))
        .filter(Exists(citing))
        .select_related("category")
        .order_by("-last_post_at", "-id")[:limit]
    )


def licence_label(resource: Resource) -> str:
    """The licence as the public page says it ("Tous droits réservés" without a licence)."""
    if resource.licence == Licence.NONE:
        return _("All rights reserved")
    return str(resource.get_licence_display())
