"""Sections other apps add to a venue's public page (/annuaire/<slug>/): the calendar's
upcoming public events there, later the workshops.

The directory is below those apps: it keeps the registry, they register, in their
`AppConfig.ready()` (or a module it imports):

    register_venue_section(Section(key="calendar", template="calendar_app/includes/venue_events.html",
                                   context=lambda venue: {...} or None, order=50))

`context(venue)` returns the template's context, or None to show nothing; it runs in a
fixed number of queries. The page renders each section's template, in order, with the
context as `section`, at the end of its main column.
"""

from typing import Any

from core.sections import Section, Sections

VENUE_SECTIONS = Sections()
register_venue_section = VENUE_SECTIONS.register


def venue_sections(venue: Any) -> list[tuple[Section, dict[str, Any]]]:
    """[(section, context)] of the sections with something to show on `venue`'s page."""
    return VENUE_SECTIONS.shown(venue)
