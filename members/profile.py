"""Sections other apps add to a member's profile page (workgroups: the member's groups).

An app registers, in its `AppConfig.ready()`:

    profile.register_section(Section(key="workgroups", template="workgroups/includes/profile_section.html",
                                     context=lambda viewer, member: {...}, order=10))

`context(viewer, member)` returns the template's context, or None to show nothing.
"""

from core.sections import Section, Sections

SECTIONS = Sections()
register_section = SECTIONS.register


def sections_for(*, viewer, member) -> list[tuple[Section, dict]]:
    return SECTIONS.shown(viewer, member)
