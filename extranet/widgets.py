"""The desk shell's own dashboard widgets and navigation entries."""

from django.utils.translation import gettext_lazy as _

from core import selectors
from core.dashboard import NavEntry, Widget, register_nav, register_widget
from extranet import selectors as desk_selectors

ACTIVITY_WIDGET_SIZE = 10


def my_notifications(request):
    latest = list(selectors.notifications_for(user=request.user)[:5])
    return {"notifications": latest}


def my_activity_stream(request):
    return {"activities": list(desk_selectors.activity_stream_for(user=request.user)[:ACTIVITY_WIDGET_SIZE])}


register_widget(Widget(key="notifications", title=_("My notifications"),
                       template="extranet/widgets/notifications.html", context=my_notifications, order=10))
register_widget(Widget(key="activity-stream", title=_("My activity stream"),
                       template="extranet/widgets/activity_stream.html", context=my_activity_stream, order=15))
register_nav(NavEntry(key="home", label=_("Dashboard"), url_name="desk:home", order=0))
register_nav(NavEntry(key="activity", label=_("Activity"), url_name="desk:activity", order=5))
register_nav(NavEntry(key="spaces", label=_("My spaces"), url_name="desk:spaces", order=10))
register_nav(NavEntry(key="notifications", label=_("Notifications"), url_name="desk:notifications", order=90))
register_nav(NavEntry(key="settings", label=_("Account settings"), url_name="desk:settings", order=100))
