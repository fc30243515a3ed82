"""Desk registries: the dashboard widgets and the navigation entries apps contribute.

An app registers in its `AppConfig.ready()`:

    dashboard.register_widget(Widget(key="my-groups", title=_("My groups"),
        template="workgroups/widgets/my_groups.html", context=my_groups_context, order=30))
    dashboard.register_nav(NavEntry(key="forum", label=_("Forum"), url_name="forum:index", order=20))

A widget's `context(request)` returns a dict for its template (or None to hide the widget)
and must use a fixed number of queries, whatever the data.

Each member may choose which widgets they see and in which order (`DashboardLayout`, saved
by `core.services.dashboard_layout_save`); `arrange` applies a saved layout to the
widgets registered now, and `extranet.selectors.dashboard_widgets_for` reads it with one query.
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
    # Shown to partner organisations' accounts too (members.permissions.is_partner), who see
    # only such entries, and only when `visible` also lets them.
    partner: bool = False


def register_widget(widget):
    WIDGETS[widget.key] = widget


def register_nav(entry):
    NAV[entry.key] = entry


def default_order():
    """The keys of the registered widgets, in their default order."""
    return [w.key for w in sorted(WIDGETS.values(), key=lambda w: (w.order, w.key))]


def arrange(order=(), hidden=()):
    """[(widget, shown)] for every registered widget, following a saved layout.

    Keys in `order` or `hidden` that are not registered (any more) are ignored. A widget
    missing from `order` (registered after the layout was saved) takes its default
    position: right after the widget that precedes it in the default order, and shown.
    """
    default = default_order()
    keys = list(dict.fromkeys(k for k in order if isinstance(k, str) and k in WIDGETS))
    placed = set(keys)
    for index, key in enumerate(default):
        if key in placed:
            continue
        position = 0
        for previous in reversed(default[:index]):
            if previous in placed:
                position = keys.index(previous) + 1
                break
        keys.insert(position, key)
        placed.add(key)
    hidden = {k for k in hidden if isinstance(k, str)}
    return [(WIDGETS[key], key not in hidden) for key in keys]


def nav_for(user):
    return [e for e in sorted(NAV.values(), key=lambda e: (e.order, e.key)) if e.visible is None or e.visible(user)]


def nav_for_partner(user):
    return [e for e in nav_for(user) if e.partner]
