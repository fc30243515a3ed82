"""Sections other apps add to a page they do not own: the panels of a space's page (the
directory: a territory's venues), the sections of a member's profile (workgroups: the
member's groups). The page's owner keeps one `Sections` registry; each app registers,
in its `AppConfig.ready()`, a `Section`: a template and a context function that returns
the template's context, or None when it has nothing to show on that page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: Callable[..., dict[str, Any] | None]  # (the page's arguments) -> context or None
    order: int = 100


class Sections:
    def __init__(self) -> None:
        self._sections: dict[str, Section] = {}

    def register(self, section: Section) -> None:
        self._sections[section.key] = section

    def shown(self, *args: Any) -> list[tuple[Section, dict[str, Any]]]:
        """[(section, context)] of the sections with something to show for `args`, in order."""
        shown = []
        for section in sorted(self._sections.values(), key=lambda s: (s.order, s.key)):
            context = section.context(*args)
            if context is not None:
                shown.append((section, context))
        return shown
