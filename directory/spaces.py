"""The directory's panel on a territory's space page: the venues of the territory.

Registered in `DirectoryConfig.ready()` (core.spaces.register_panel).
"""

from core import spaces
from core.sections import Section
from directory.models import Venue
from members import permissions
from members.spaces import territory_of

VENUES_SHOWN = 50


def territory_venues(user, space) -> dict | None:
    """The venues of the territory whose space this is (None for another kind of space)."""
    territory = territory_of(space)
    if territory is None:
        return None
    venues = Venue.objects.filter(territory=territory).order_by("name", "pk")
    return {
        "territory": territory,
        "venues": list(venues.only("pk", "name", "slug", "city")[:VENUES_SHOWN]),
        "count": venues.count(),
        "can_add": permissions.can_create_venue(user, territory),
    }


def register() -> None:
    spaces.register_panel(Section(
        key="venues", template="directory/includes/space_venues.html", context=territory_venues, order=10,
    ))

