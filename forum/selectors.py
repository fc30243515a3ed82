"""Forum reads, scoped to a user. Each list is a fixed number of queries whatever the data.

`<thing>_get_for_user(user, pk)` fetches and authorises in one step: 404 when the thing does
not exist or may not be seen (no hint that it exists), as the views need it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from core import markdown, spaces
from core.models import Space
from forum import permissions
from forum.models import (
    Attachment,
    Category,
    CategoryRead,
    CategorySubscription,
    Level,
    ModerationLog,
    Post,
    PostRevision,
    Report,
    Topic,
    TopicRead,
    TopicSubscription,
)
from members import permissions as member_permissions

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.contrib.auth.models import AnonymousUser

    from members.models import User

    AnyUser = User | AnonymousUser

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 20
INDEX_TOPICS = 8  # topics in each of the index's lists (latest, active)
SEARCH_MAX = 100


def _space_related(prefix: str = "space") -> list[str]:
    """`prefix` (the path to a Space) and what the rules of the spaces read from there."""
    return [prefix, *spaces.related_for_rules(prefix)]


def space_get_for_user(user: AnyUser, pk: int) -> Space:
    space = Space.objects.select_related(*spaces.related_for_rules()).filter(pk=pk).first()
    if space is None or not space.can_view(user):
        raise Http404
    return space


def categories_visible_to(user: AnyUser) -> QuerySet[Category]:
    return Category.objects.filter(space__in=Space.objects.visible_to(user))


def categories_for_search(user: AnyUser) -> list[Category]:
    """The categories `user` sees, with their space's name at hand (the search form's choices)."""
    return list(categories_visible_to(user).select_related(*_space_related()).order_by("space_id", "position"))


def with_read_state(topics: QuerySet[Topic], user: User) -> QuerySet[Topic]:
    """Annotate `last_read` (None: never opened), `level` and `read_floor` (mark-category-read time)."""
    floor = CategoryRead.objects.filter(user=user, category=OuterRef("category_id")).values("read_at")[:1]
    return topics.annotate(
        last_read=Subquery(TopicRead.objects.filter(user=user, topic=OuterRef("pk"))
                           .values("last_read_number")[:1], output_field=IntegerField()),
        level=Subquery(TopicSubscription.objects.filter(user=user, topic=OuterRef("pk")).values("level")[:1],
                       output_field=IntegerField()),
        read_floor=Subquery(floor),
    )


def _unread_q(user: User) -> Q:
    """On topics annotated by `with_read_state`: has posts the user has not read."""
    joined = getattr(user, "date_joined", None)
    if not isinstance(joined, datetime):
        joined = None
    q = (Q(last_read__isnull=True) | Q(last_read__lt=F("last_number"))) & (
        Q(read_floor__isnull=True) | Q(last_post_at__gt=F("read_floor"))
    ) & (Q(level__isnull=True) | ~Q(level=Level.MUTED))
    if joined is not None:
        q &= Q(last_post_at__gt=joined)
    return q


def unread_topics(user: User) -> QuerySet[Topic]:
    """Topics of the spaces `user` sees with posts they have not read, newest activity first."""
    topics = Topic.objects.filter(deleted_at__isnull=True, category__in=categories_visible_to(user))
    return with_read_state(topics, user).filter(_unread_q(user)).order_by("-last_post_at", "-id")


def categories_overview(user: User) -> list[Category]:
    """Visible categories with counts and unread counts: 2 queries."""
    categories: list[Category] = list(
        categories_visible_to(user)
        .select_related(*_space_related())
        .annotate(topic_count=Count("topics", filter=Q(topics__deleted_at__isnull=True)),
                  last_topic_id=Subquery(Topic.objects.filter(category=OuterRef("pk"), deleted_at__isnull=True)
                                         .order_by("-last_post_at", "-id").values("pk")[:1]))
        .order_by("space__kind", "space_id", "position", "name")
    )
    unread = dict(
        unread_topics(user).order_by().values("category_id").annotate(n=Count("id")).values_list("category_id", "n")
    )
    for category in categories:
        category.unread_count = unread.get(category.pk, 0)  # type: ignore[attr-defined]
    return categories


def _index_topics(user: User) -> QuerySet[Topic]:
    topics = Topic.objects.filter(deleted_at__isnull=True, category__in=categories_visible_to(user))
    return with_read_state(topics.select_related("category", "last_author"), user)


def latest_topics(user: User, limit: int = INDEX_TOPICS) -> list[Topic]:
    """The newest topics `user` may read (1 query), with their unread marks (`annotate_unread`)."""
    topics = list(_index_topics(user).order_by("-created_at", "-id")[:limit])
    annotate_unread(topics, user)
    return topics


def active_topics(user: User, limit: int = INDEX_TOPICS) -> list[Topic]:
    """The topics `user` may read whose conversation moved last: replied to, latest reply first (1 query)."""
    topics = list(_index_topics(user).filter(reply_count__gt=0).order_by("-last_post_at", "-id")[:limit])
    annotate_unread(topics, user)
    return topics


def with_last_topics(categories: list[Category]) -> list[Category]:
    """Set `last_topic` (the live topic whose last post is the latest, its last poster at hand)
    on each category of `categories_overview`: 1 query."""
    ids = {c.last_topic_id for c in categories if c.last_topic_id}  # type: ignore[attr-defined]
    topics = Topic.objects.select_related("last_author").in_bulk(ids) if ids else {}
    for category in categories:
        category.last_topic = topics.get(category.last_topic_id)  # type: ignore[attr-defined]
    return categories


def category_get_for_user(user: AnyUser, pk: int) -> Category:
    category = Category.objects.select_related(*_space_related()).filter(pk=pk).first()
    if category is None or not permissions.can_view_category(user, category):
        raise Http404
    return category


def topics_for_category(user: User, category: Category) -> QuerySet[Topic]:
    topics = Topic.objects.filter(category=category, deleted_at__isnull=True).select_related(
        "author", "last_author")
    return with_read_state(topics, user).order_by("-pinned", "-last_post_at", "-id")


def annotate_unread(topics: Iterable[Any], user: User) -> Iterable[Any]:
    """Set `unread_posts` (count) and `is_new` on each topic of an evaluated page (no query)."""
    joined = getattr(user, "date_joined", None)
    for topic in topics:
        floor = topic.read_floor
        stale = (floor is not None and topic.last_post_at <= floor) or (
            joined is not None and topic.last_post_at <= joined)
        muted = topic.level == Level.MUTED
        if stale or muted:
            topic.is_new, topic.unread_posts = False, 0
        elif topic.last_read is None:
            topic.is_new, topic.unread_posts = True, topic.last_number
        else:
            topic.is_new, topic.unread_posts = False, max(0, topic.last_number - topic.last_read)
    return topics


def topic_get_for_user(user: AnyUser, pk: int) -> Topic:
    """The topic, or 404 when it does not exist or may not be seen. A deleted one is returned
    (the view answers 410) only to whoever could see it."""
    topic = Topic.objects.select_related(*_space_related("category__space"), "author").filter(pk=pk).first()
    if topic is None or not permissions.can_view_category(user, topic.category):
        raise Http404
    return topic


def posts_for_topic(topic: Topic) -> QuerySet[Post]:
    return (
        Post.objects.filter(topic=topic)
        .select_related("author", "reply_to__author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("number")
    )


def post_get_for_user(user: AnyUser, pk: int) -> Post:
    post = Post.objects.select_related(*_space_related("topic__category__space"), "author").filter(pk=pk).first()
    if post is None or not permissions.can_view_topic(user, post.topic):
        raise Http404
    return post


def post_to_quote(user: AnyUser, topic: Topic, pk: object) -> Post | None:
    """The post of `topic` numbered by id `pk` (raw input), if `user` may quote it in a reply."""
    try:
        pk = int(str(pk))
    except ValueError:
        return None
    post = Post.objects.select_related("author").filter(pk=pk, topic=topic).first()
    if post is None:
        return None
    post.topic = topic
    return post if permissions.can_quote_post(user, post) else None


def attachment_get_for_user(user: AnyUser, pk: int) -> Attachment:
    """A file of a post whose text `user` may read (404 otherwise: a hidden post's files go with it)."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise Http404
    post = post_get_for_user(user, attachment.post_id)
    if not permissions.can_see_post_body(user, post):
        raise Http404
    return attachment


def report_get_for_user(user: AnyUser, pk: int) -> Report:
    """An open or closed report, for the moderators of its space only (404 for everyone else)."""
    report = Report.objects.select_related(*_space_related("post__topic__category__space")).filter(pk=pk).first()
    if report is None or not permissions.can_resolve_report(user, report):
        raise Http404
    return report


def first_unread_number(user: User, topic: Topic) -> int:
    read = TopicRead.objects.filter(user=user, topic=topic).values_list("last_read_number", flat=True).first()
    if read is None:
        return 1
    return min(read + 1, topic.last_number)


def topic_level(user: User, topic: Topic) -> int:
    level = TopicSubscription.objects.filter(user=user, topic=topic).values_list("level", flat=True).first()
    if level is None:
        level = CategorySubscription.objects.filter(user=user, category_id=topic.category_id).values_list(
            "level", flat=True).first()
    return Level.NORMAL if level is None else level


def category_level(user: User, category: Category) -> int:
    level = CategorySubscription.objects.filter(user=user, category=category).values_list("level", flat=True).first()
    return Level.NORMAL if level is None else level


def moderation_queue(user: AnyUser, space_ids: list[int] | None = None) -> QuerySet[Report]:
    """Open reports of the posts in the spaces `user` moderates (`space_ids`, if known), oldest first."""
    if space_ids is None:
        space_ids = permissions.moderated_space_ids(user)
    return (
        Report.objects.filter(status=Report.Status.OPEN, post__topic__category__space_id__in=space_ids)
        .select_related("reporter", "post__author", *_space_related("post__topic__category__space"))
        .order_by("created_at", "id")
    )


def moderation_log(user: AnyUser, space_ids: list[int] | None = None) -> QuerySet[ModerationLog]:
    if space_ids is None:
        space_ids = permissions.moderated_space_ids(user)
    return ModerationLog.objects.filter(space_id__in=space_ids).select_related("actor", "topic", "post").order_by(
        "-created_at", "-id")


def moderation_for_user(user: AnyUser) -> tuple[QuerySet[Report], QuerySet[ModerationLog]]:
    """The moderation page: (open reports, log) of the spaces `user` moderates; PermissionDenied
    with the reason for who moderates none."""
    space_ids = permissions.moderated_space_ids(user)
    permissions.can_open_moderation(user, space_ids).check()
    return moderation_queue(user, space_ids), moderation_log(user, space_ids)


def move_destinations(user: AnyUser, topic: Topic) -> QuerySet[Category]:
    """The categories `user` may move `topic` to (those of the spaces they moderate but its own);
    PermissionDenied with the reason when they may not move it."""
    permissions.can_moderate_topic(user, topic).check()
    return (Category.objects.filter(space_id__in=permissions.moderated_space_ids(user))
            .exclude(pk=topic.category_id).select_related(*_space_related())
            .order_by("space_id", "position", "name"))


def search_posts(user: AnyUser, *, query: str | None = "", category: Category | None = None,
                 author: User | None = None, date_from: date | None = None,
                 date_to: date | None = None) -> QuerySet[Post]:
    """Visible, live posts matching every word of `query` (PostgreSQL: French full text)."""
    posts = Post.objects.filter(
        deleted_at__isnull=True, hidden_at__isnull=True, topic__deleted_at__isnull=True,
        topic__category__in=categories_visible_to(user),
    )
    query = " ".join((query or "").split())[:SEARCH_MAX]
    if query:
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            vector = SearchVector("topic__title", weight="A", config="french") + SearchVector(
                "body", weight="B", config="french")
            posts = posts.annotate(search=vector).filter(search=SearchQuery(query, config="french",
                                                                           search_type="websearch"))
        else:
            for word in query.split():
                posts = posts.filter(Q(body__icontains=word) | Q(topic__title__icontains=word))
    if category is not None:
        posts = posts.filter(topic__category=category)
    if author is not None:
        posts = posts.filter(author=author)
    if date_from is not None:
        posts = posts.filter(created_at__date__gte=date_from)
    if date_to is not None:
        posts = posts.filter(created_at__date__lte=date_to)
    return posts.select_related("author", "topic__category").order_by("-created_at", "-id")


def author_named(name: str) -> User | None:
    """The approved member whose name contains `name` (the search's author filter), if any."""
    return member_permissions.approved_members().filter(display_name__icontains=name).first()


def mention_candidates(user: AnyUser, space: Space, query: str, limit: int = 8) -> list[dict[str, Any]]:
    """Members of `space` whose name starts a word with `query` (autocomplete)."""
    if not space.can_view(user):
        return []
    return markdown.name_candidates(space.members(), query, limit, among=member_permissions.approved_members())


def body_for_editing(body: str) -> str:
    """A stored post body as its writer reads it (`@Thomas Vidal` rather than `@**Thomas Vidal|7**`)."""
    return markdown.editable_mentions(body, among=member_permissions.approved_members())


def post_revisions(post: Post) -> QuerySet[PostRevision]:
    return post.revisions.select_related("editor").order_by("-created_at", "-id")
