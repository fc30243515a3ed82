"""What the forum registers with the desk: activity and notification sentences, realtime
event types and subscriptions, the space module, the dashboard widget and navigation."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import realtime, spaces
from core.activity import register_activity
from core.dashboard import NavEntry, Widget, register_nav, register_widget
from core.notifications import register_verb

register_activity("forum.topic_created", _("{actor} started the topic {target}"), stream=True)

register_verb("forum.mentioned", _("{actor} mentioned you in {target}"))
register_verb("forum.replied_to_you", _("{actor} replied to you in {target}"))
register_verb("forum.new_reply", _("{actor} replied in {target}"))
register_verb("forum.new_topic", _("{actor} started the topic {target}"))
register_verb("forum.reported", _("{actor} reported a post in {target}"))

realtime.register_event_type(
    "forum.post_created", "A reply was posted in a topic; data: topic, number, fragment (URL of its HTML)."
)
realtime.register_event_type(
    "forum.post_updated", "A post was edited, deleted or hidden; data: topic, fragment (URL of its HTML)."
)
realtime.register_event_type(
    "forum.topic_activity", "A topic of a category got a post; data: category, last_number, new_topic."
)


def _can_follow_topic(user, pk):
    from forum import permissions
    from forum.models import Topic

    topic = (Topic.objects.select_related("category__space", *spaces.related_for_rules("category__space"))
             .filter(pk=pk).first())
    return topic is not None and bool(permissions.can_view_topic(user, topic))


def _can_follow_category(user, pk):
    from forum import permissions
    from forum.models import Category

    category = Category.objects.select_related("space", *spaces.related_for_rules("space")).filter(pk=pk).first()
    return category is not None and bool(permissions.can_view_category(user, category))


realtime.register_subscription("topic", _can_follow_topic)
realtime.register_subscription("forumcategory", _can_follow_category)


def _space_groups(space):
    from forum.models import Category
    from forum.services import category_group

    return [category_group(pk) for pk in Category.objects.filter(space=space).values_list("pk", flat=True)]


realtime.register_space_groups(_space_groups)

spaces.register_module(spaces.SpaceModule(
    key="forum", label=_("Forum"), order=10, url=lambda space: reverse("forum:space", args=[space.pk]),
))


def _unread_widget(request):
    from forum import selectors

    topics = list(selectors.unread_topics(request.user).select_related("category", "last_author")[:8])
    return {"topics": selectors.annotate_unread(topics, request.user)}


register_widget(Widget(key="forum-unread", title=_("Unread topics"), template="forum/widgets/unread.html",
                       context=_unread_widget, order=15))
register_nav(NavEntry(key="forum", label=_("Forum"), url_name="forum:index", order=20))
