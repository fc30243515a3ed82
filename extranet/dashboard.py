"""Desk registries: the dashboard widgets and the navigation entries apps contribute.

An app registers in its `AppConfig.ready()`:

    dashboard.register_widget(Widget(key="my-groups", title=_("My groups"),
        template="workgroups/widgets/my_groups.html", context=my_groups_context, order=30))
    dashboard.register_nav(NavEntry(key="forum", label=_("Forum"), url_name="forum:index", order=20))

A widget's `context(request)` returns a dict for its template (or None to hide the widget)
and must use a fixed number of queries, whatever the data.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

WIDGETS = {}
NAV = {}


@dataclass(frozen=True)
class Widget:
    key: str
    title: str
    template: str
    context: Callable
    order: int = 100


@dataclass(frozen=True)
class NavEntry:
    key: str
    label: str
    url_name: str
    order: int = 100
    # callable(user) -> bool; None means every approved member sees the entry
    visible: Callable | None = field(default=None)


def register_widget(widget):
    WIDGETS[widget.key] = widget


def register_nav(entry):
    NAV[entry.key] = entry


def widgets_for(request):
    """Rendered-ready widgets for the dashboard: [(widget, context)] in order."""
    result = []
    for widget in sorted(WIDGETS.values(), key=lambda w: (w.order, w.key)):
        context = widget.context(request)
        if context is not None:
            result.append((widget, context))
    return result


def nav_for(user):
    return [e for e in sorted(NAV.values(), key=lambda e: (e.order, e.key)) if e.visible is None or e.visible(user)]
