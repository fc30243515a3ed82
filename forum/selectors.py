"""Forum reads, scoped to a user. Each list is a fixed number of queries whatever the data."""

from datetime import datetime

from django.db import connection
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.http import Http404

from extranet import markdown
from extranet.models import Space
from forum import permissions
from forum.models import (
    Attachment,
    Category,
    CategoryRead,
    Level,
    ModerationLog,
    Post,
    Report,
    Topic,
    TopicRead,
    TopicSubscription,
)
from members import permissions as member_permissions

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 20
SEARCH_MAX = 100


def _space_related():
    return ("space__territory", "space__workgroup")


def categories_visible_to(user):
    return Category.objects.filter(space__in=Space.objects.visible_to(user))


def with_read_state(topics, user):
    """Annotate `last_read` (None: never opened), `level` and `read_floor` (mark-category-read time)."""
    floor = CategoryRead.objects.filter(user=user, category=OuterRef("category_id")).values("read_at")[:1]
    return topics.annotate(
        last_read=Subquery(TopicRead.objects.filter(user=user, topic=OuterRef("pk"))
                           .values("last_read_number")[:1], output_field=IntegerField()),
        level=Subquery(TopicSubscription.objects.filter(user=user, topic=OuterRef("pk")).values("level")[:1],
                       output_field=IntegerField()),
        read_floor=Subquery(floor),
    )


def _unread_q(user):
    """On topics annotated by `with_read_state`: has posts the user has not read."""
    joined = user.date_joined if isinstance(getattr(user, "date_joined", None), datetime) else None
    q = (Q(last_read__isnull=True) | Q(last_read__lt=F("last_number"))) & (
        Q(read_floor__isnull=True) | Q(last_post_at__gt=F("read_floor"))
    ) & (Q(level__isnull=True) | ~Q(level=Level.MUTED))
    if joined is not None:
        q &= Q(last_post_at__gt=joined)
    return q


def unread_topics(user):
    """Topics of the spaces `user` sees with posts they have not read, newest activity first."""
    topics = Topic.objects.filter(deleted_at__isnull=True, category__in=categories_visible_to(user))
    return with_read_state(topics, user).filter(_unread_q(user)).order_by("-last_post_at", "-id")


def categories_overview(user):
    """Visible categories with counts and unread counts: 2 queries."""
    categories = list(
        categories_visible_to(user)
        .select_related(*_space_related())
        .annotate(topic_count=Count("topics", filter=Q(topics__deleted_at__isnull=True)))
        .order_by("space__kind", "space_id", "position", "name")
    )
    unread = dict(
        unread_topics(user).order_by().values("category_id").annotate(n=Count("id")).values_list("category_id", "n")
    )
    for category in categories:
        category.unread_count = unread.get(category.pk, 0)
    return categories


def category_get_for_user(user, pk):
    category = Category.objects.select_related(*_space_related()).filter(pk=pk).first()
    if category is None or not permissions.can_view_category(user, category):
        raise Http404
    return category


def topics_for_category(user, category):
    topics = Topic.objects.filter(category=category, deleted_at__isnull=True).select_related("author", "last_author")
    return with_read_state(topics, user).order_by("-pinned", "-last_post_at", "-id")


def annotate_unread(topics, user):
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


def topic_get_for_user(user, pk):
    """The topic, or 404 when it does not exist or may not be seen. A deleted one is returned
    (the view answers 410) only to whoever could see it."""
    topic = Topic.objects.select_related("category__space__territory", "category__space__workgroup", "author").filter(
        pk=pk).first()
    if topic is None or not permissions.can_view_category(user, topic.category):
        raise Http404
    return topic


def posts_for_topic(topic):
    return (
        Post.objects.filter(topic=topic)
        .select_related("author", "reply_to__author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
        .order_by("number")
    )


def post_get_for_user(user, pk):
    post = Post.objects.select_related(
        "topic__category__space__territory", "topic__category__space__workgroup", "author"
    ).filter(pk=pk).first()
    if post is None or not permissions.can_view_topic(user, post.topic):
        raise Http404
    return post


def first_unread_number(user, topic):
    read = TopicRead.objects.filter(user=user, topic=topic).values_list("last_read_number", flat=True).first()
    if read is None:
        return 1
    return min(read + 1, topic.last_number)


def topic_level(user, topic):
    level = TopicSubscription.objects.filter(user=user, topic=topic).values_list("level", flat=True).first()
    if level is None:
        from forum.models import CategorySubscription

        level = CategorySubscription.objects.filter(user=user, category_id=topic.category_id).values_list(
            "level", flat=True).first()
    return Level.NORMAL if level is None else level


def category_level(user, category):
    from forum.models import CategorySubscription

    level = CategorySubscription.objects.filter(user=user, category=category).values_list("level", flat=True).first()
    return Level.NORMAL if level is None else level


def moderation_queue(user):
    """Open reports of the posts in the spaces `user` moderates, oldest first."""
    space_ids = permissions.moderated_space_ids(user)
    return (
        Report.objects.filter(status=Report.Status.OPEN, post__topic__category__space_id__in=space_ids)
        .select_related("reporter", "post__author", "post__topic__category__space__territory",
                        "post__topic__category__space__workgroup")
        .order_by("created_at", "id")
    )


def moderation_log(user):
    space_ids = permissions.moderated_space_ids(user)
    return ModerationLog.objects.filter(space_id__in=space_ids).select_related("actor", "topic", "post").order_by(
        "-created_at", "-id")


def search_posts(user, *, query="", category=None, author=None, date_from=None, date_to=None):
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


def mention_candidates(user, space, query, limit=8):
    """Members of `space` whose name starts a word with `query` (autocomplete)."""
    if not space.can_view(user):
        return []
    members = space.members() if space.kind != Space.Kind.NETWORK else member_permissions.approved_members()
    return markdown.name_candidates(members, query, limit)


def post_revisions(post):
    return post.revisions.select_related("editor").order_by("-created_at", "-id")


def spaces_with_categories(user):
    """Spaces `user` sees that may hold categories (for the index and the move form)."""
    return Space.objects.visible_to(user).select_related("territory", "workgroup")

