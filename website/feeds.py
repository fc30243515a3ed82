"""RSS 2.0 and Atom feeds of the news (routes `flux/rss/` and `flux/atom/` of the index)."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from website import selectors

FEED_LENGTH = 20


class NewsRssFeed(Feed):
    """Made per request by `NewsIndexPage` (`NewsRssFeed(index)(request)`).

    Links are absolute (`Page.get_full_url`, the Wagtail site's address), so Django's
    `django.contrib.sites` domain is never used.
    """

    feed_type = Rss201rev2Feed
    route = "rss"  # of NewsIndexPage

    def __init__(self, index):
        super().__init__()
        self.index = index
        self.request = None

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return self.index

    def title(self, index):
        return index.seo_title or index.title

    def link(self, index):
        return index.get_full_url(self.request)

    def feed_url(self, index):
        return self.link(index) + index.reverse_subpage(self.route)

    def description(self, index):
        return index.get_meta_description() or _("News of the network")

    def items(self, index):
        return selectors.news_under(index)[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.intro

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_author_name(self, item):
        return item.author_name or None

    def item_pubdate(self, item):
        # The date the editor gave the article (the one shown on the site), at midnight.
        return timezone.make_aware(datetime.combine(item.date, time.min))

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [tagged.tag.name for tagged in item.tagged_items.all()]


class NewsAtomFeed(NewsRssFeed):
    feed_type = Atom1Feed
    route = "atom"
    subtitle = NewsRssFeed.description
