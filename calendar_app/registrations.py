"""What the calendar registers with the rest of the desk: a calendar for every new space,
the module link on every space's page, the navigation entry."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from core import spaces
from core.dashboard import NavEntry, register_nav


def create_space_calendar(sender, space, **kwargs):
    """A new space gets its calendar in the transaction that made it (core.spaces.space_created)."""
    from calendar_app import services

    services.space_calendar_create(space=space)


spaces.space_created.connect(create_space_calendar, dispatch_uid="calendar_space_calendar")

spaces.register_module(spaces.SpaceModule(
    key="calendar", label=gettext_lazy("Calendar"), order=30,
    url=lambda space: reverse("calendar:space", args=[space.pk]),
))

register_nav(NavEntry(key="calendar", label=gettext_lazy("Calendar"), url_name="calendar:index", order=35))

# Each of these registers, on import, its widgets, verbs, sections or sources.
from calendar_app import invitations, public, reminders, widgets  # noqa: E402, F401
