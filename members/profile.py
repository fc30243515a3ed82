"""Sections other apps add to a member's profile page (workgroups: the member's groups).

An app registers, in its `AppConfig.ready()`:

    profile.register_section(Section(key="workgroups", template="workgroups/includes/profile_section.html",
                                     context=lambda viewer, member: {...}, order=10))

`context(viewer, member)` returns the template's context, or None to show nothing.

Actions other apps offer on a member's profile, next to "Follow" (the chat: "Send a
message"), are registered the same way with `register_action`: `context(viewer, member)`
returns None (no action for this viewer) or a dict for `members/includes/profile_action.html`:
`label`, `url`, and `method` ("get", a link; "post", a button in a form) with `fields`
({name: value}, hidden inputs of the form), `primary` (the main button of the bar).
"""

from core.sections import Section, Sections

SECTIONS = Sections()
register_section = SECTIONS.register


def sections_for(*, viewer, member) -> list[tuple[Section, dict]]:
    return SECTIONS.shown(viewer, member)


ACTIONS = Sections()
register_action = ACTIONS.register


def actions_for(*, viewer, member) -> list[tuple[Section, dict]]:
    return ACTIONS.shown(viewer, member)
