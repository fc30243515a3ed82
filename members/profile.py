"""Sections other apps add to a member's profile page (workgroups: the member's groups).

An app registers, in its `AppConfig.ready()`:

    profile.register_section(ProfileSection(key="workgroups", template="workgroups/includes/profile_section.html",
                                            context=lambda viewer, member: {...}, order=10))

`context(viewer, member)` returns the template's context, or None to show nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass

SECTIONS: dict[str, "ProfileSection"] = {}


@dataclass(frozen=True)
class ProfileSection:
    key: str
    template: str
    context: Callable  # (viewer, member) -> dict | None
    order: int = 100


def register_section(section: ProfileSection) -> None:
    SECTIONS[section.key] = section


def sections_for(*, viewer, member) -> list[tuple[ProfileSection, dict]]:
    shown = []
    for section in sorted(SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(viewer, member)
        if context is not None:
            shown.append((section, context))
    return shown
