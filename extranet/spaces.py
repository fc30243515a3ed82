"""The modules of a space: forum, chat, calendar, files... register a link here.

Each module app calls, in its `AppConfig.ready()`:

    spaces.register_module(SpaceModule(key="forum", label=_("Forum"), order=10,
                                       url=lambda space: reverse("forum:space", args=[space.pk])))

A space's page (a workgroup's, for instance) lists the modules whose `visible(user, space)`
allows it (default: whoever may view the space's content). No module is special-cased:
a new kind of space shows every module at once.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

MODULES = {}


@dataclass(frozen=True)
class SpaceModule:
    key: str
    label: str
    url: Callable  # space -> path
    order: int = 100
    visible: Callable | None = field(default=None)  # (user, space) -> bool


def register_module(module):
    MODULES[module.key] = module


def modules_for(*, user, space):
    """[(module, url)] the user may open in `space`, in order (no query unless a module's check needs one)."""
    if not space.can_view(user):
        return []
    return [
        (module, module.url(space))
        for module in sorted(MODULES.values(), key=lambda m: (m.order, m.key))
        if module.visible is None or module.visible(user, space)
    ]
