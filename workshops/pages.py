"""Sections other apps add to a workshop's desk pages: its session page
(/bureau/ateliers/sessions/<pk>/: the equipment booked for it, lending) and the workshop's page
(/bureau/ateliers/<pk>/: the resources it points to as its kit, resources).

The workshops app is below those apps: it keeps the registry, they register in their
`AppConfig.ready()`:

    register_session_section(Section(key="equipment", template="lending/includes/session_equipment.html",
                                     context=lambda session, user: {...} or None, order=50))

`context(session, user)` returns the template's context, or None to show nothing; it runs in
a fixed number of queries. The page renders each section's template, in order, with the
context as `section`, after the session's details. `register_workshop_section` works the same
way on the workshop's page, with `context(workshop, user)`, after its description.
"""

from typing import Any

from core.sections import Section, Sections

SESSION_SECTIONS = Sections()
register_session_section = SESSION_SECTIONS.register


def session_sections(session: Any, user: Any) -> list[tuple[Section, dict[str, Any]]]:
    """[(section, context)] of the sections with something to show on `session`'s page for `user`."""
    return SESSION_SECTIONS.shown(session, user)


WORKSHOP_SECTIONS = Sections()
register_workshop_section = WORKSHOP_SECTIONS.register


def workshop_sections(workshop: Any, user: Any) -> list[tuple[Section, dict[str, Any]]]:
    """[(section, context)] of the sections with something to show on `workshop`'s page for `user`."""
    return WORKSHOP_SECTIONS.shown(workshop, user)
