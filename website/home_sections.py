"""Sections of the home page that other apps provide (the hook for "upcoming public
workshops" and the like).

An app registers a provider in its `AppConfig.ready()`:

    from website.home_sections import HomeSection, register

    @register
    def upcoming_workshops(request):
        workshops = selectors.public_workshops_upcoming(limit=3)
        if not workshops:
            return None  # nothing to show: no empty section on the home page
        return HomeSection("workshops/home_section.html", {"workshops": workshops})

The home page renders each section's template, in registration order, after the news
and before the key figures; the template gets the provider's context and `request`.
Registered today: the calendar's next public events (`upcoming_events` below, registered
by `WebsiteConfig.ready()`: the website is above the calendar and asks it).
"""

from dataclasses import dataclass, field

_providers = []


@dataclass(frozen=True)
class HomeSection:
    template: str
    context: dict = field(default_factory=dict)


def register(provider):
    """Add `provider(request) -> HomeSection | None`; usable as a decorator."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister(provider):
    if provider in _providers:
        _providers.remove(provider)


def sections_for(request):
    return [section for provider in _providers if (section := provider(request)) is not None]


def upcoming_events(request):
    """The next public events of the calendar (1 or 2 queries); nothing when none is planned."""
    from calendar_app import public as calendar_public

    events = calendar_public.upcoming(calendar_public.HOME_LIMIT)
    if not events:
        return None
    return HomeSection("calendar_app/includes/home_agenda.html", {"upcoming_events": events})
