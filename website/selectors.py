"""Reads for the public site: key figures of the network, news lists, the site search.

Everything here is public: no reader to scope to. Lists fetch what their templates show
in a fixed number of queries, whatever their length.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import CharField, F, Func, IntegerField, Prefetch, QuerySet, Value
from taggit.models import Tag
from wagtail.images import get_image_model
from wagtail.models import Page

from members.forms import clean_search_text

if TYPE_CHECKING:
    from wagtail.models import Site
    from wagtail.query import PageQuerySet
    from wagtail.search.backends.base import BaseSearchResults

    from website.models import NewsIndexPage, NewsPage

# The rendition the news lists show (templates/website/includes/news_card.html).
NEWS_CARD_IMAGE = "fill-640x360"
TAG_MAX_LENGTH = 100


def network_figures() -> dict[str, int]:
    """Key figures of the network for the home page, in one query.

    venues: every venue of the directory; members: approved, active accounts;
    territories: all of them; workgroups: active groups, not archived, that people may
    know of (secret groups are not counted: only their members know they exist).
    """
    from directory.models import Venue
    from members import permissions
    from members.models import Territory
    from workgroups.models import Workgroup
    from workgroups.permissions import known_to_all_q

    counted = {
        "venues": Venue.objects.all(),
        "members": permissions.approved_members(),
        "territories": Territory.objects.all(),
        "workgroups": Workgroup.objects.not_archived().filter(known_to_all_q()),
    }
    # SELECT 'venues', COUNT(id) FROM ... UNION ALL SELECT 'members', COUNT(id) ...
    count = Func(F("pk"), function="COUNT", output_field=IntegerField())
    rows = [
        queryset.order_by().annotate(key=Value(key, output_field=CharField()), n=count).values_list("key", "n")
        for key, queryset in counted.items()
    ]
    figures = dict.fromkeys(counted, 0)
    figures.update(rows[0].union(*rows[1:], all=True))
    return figures


def _news_queryset(*, with_tags: bool = False) -> "PageQuerySet":
    """Live, public news, newest first, with their lead image and its card rendition
    (one query for the renditions) and, `with_tags`, their tags (one more query)."""
    from website.models import NewsPage, NewsPageTag

    renditions = get_image_model().get_rendition_model().objects.filter(filter_spec=NEWS_CARD_IMAGE)
    news = (
        NewsPage.objects.live()
        .public()
        .defer_streamfields()
        .select_related("lead_image")
        .prefetch_related(Prefetch("lead_image__renditions", queryset=renditions))
        .order_by("-date", "-first_published_at", "-pk")
    )
    if with_tags:
        news = news.prefetch_related(Prefetch("tagged_items", queryset=NewsPageTag.objects.select_related("tag")))
    return news


def latest_news(*, limit: int = 3) -> list["NewsPage"]:
    """The most recent live, public news items of the site."""
    return list(_news_queryset()[:limit])


def news_index() -> "NewsIndexPage | None":
    """The live news index (there is one per site), for links to it and to its feeds."""
    from website.models import NewsIndexPage

    return NewsIndexPage.objects.live().public().first()


def clean_tag(value: Any) -> str:
    """A tag slug from the query string, or "" (long or odd input is cut, never refused)."""
    return clean_search_text(value, max_length=TAG_MAX_LENGTH)


def news_under(index: Page) -> "PageQuerySet":
    """The live, public news items of `index`, newest first, with their tags."""
    return _news_queryset(with_tags=True).child_of(index)


def news_tagged(news: "PageQuerySet", tag: str) -> "PageQuerySet":
    """The items of `news` (a queryset) that have the tag of slug `tag`."""
    from website.models import NewsPageTag

    return news.filter(pk__in=NewsPageTag.objects.filter(tag__slug=tag).values("content_object_id"))


def news_tags(news: "PageQuerySet") -> QuerySet[Tag]:
    """The tags used by the items of `news` (a queryset), by name."""
    return (
        Tag.objects.filter(website_newspagetag_items__content_object__in=news.order_by().values("pk"))
        .distinct()
        .order_by("name")
    )


def pages_matching(text: str, *, site: "Site") -> "BaseSearchResults":
    """Live, public pages of `site` (a Wagtail Site) matching `text`, best first (Wagtail
    search, database backend: SQLite FTS5 or PostgreSQL full text)."""
    return Page.objects.live().public().in_site(site).search(text)


def menu_pages() -> "PageQuerySet":
    """The live children of the home page shown in menus, in the editors' order (one query)."""
    from django.db.models import Subquery

    from website.models import HomePage

    home = HomePage.objects.order_by("path")
    return (
        Page.objects.live()
        .in_menu()
        .filter(
            path__startswith=Subquery(home.values("path")[:1]),
            depth=Subquery(home.values("depth")[:1]) + 1,
        )
        .order_by("path")
    )
