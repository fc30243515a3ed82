"""Dashboard widget and navigation entry of workgroups."""

from django.utils.translation import gettext_lazy as _

from core.dashboard import NavEntry, Widget, register_nav, register_widget
from workgroups import selectors


def my_groups(request):
    return {"groups": list(selectors.my_workgroups(user=request.user)[:8])}


register_widget(Widget(key="my-groups", title=_("My groups"),
                       template="workgroups/widgets/my_groups.html", context=my_groups, order=25))
register_nav(NavEntry(key="workgroups", label=_("Workgroups"), url_name="workgroups:list", order=30))
