"""The desk shell's own dashboard widgets and navigation entries."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import selectors
from core.dashboard import NavEntry, Widget, register_nav, register_widget
from extranet import selectors as desk_selectors
from members.onboarding import Step, register_step

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


# --- The workgroups' step of the getting started list --------------------------------------------
# Registered by the desk (which may import every app) until the workgroups app registers its own
# in its AppConfig.ready(); the members app keeps the registry (members.onboarding).


def _joined_a_group():
    from django.db.models import Exists, OuterRef

    from workgroups.models import Membership, Workgroup

    return Exists(Membership.objects.filter(user_id=OuterRef("pk"), workgroup__status=Workgroup.Status.ACTIVE))


register_step(Step(
    key="join-group", order=20,
    title=_("Join a workgroup"),
    text=_("Groups share a forum, a chat room and documents around a project or a theme."),
    link_text=_("See the workgroups"),
    done=_joined_a_group, url=lambda values: reverse("workgroups:list"),
))
