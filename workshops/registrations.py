"""What the workshops register with the rest of the product: the navigation entry, and (on
import of each module) their notification and activity verbs, the calendar source of
sessions, the dashboard widget and the venue page's section."""

from django.utils.translation import gettext_lazy

from core.dashboard import NavEntry, register_nav

register_nav(NavEntry(key="workshops", label=gettext_lazy("Workshops"), url_name="workshops:index", order=37))

# Each of these registers, on import, its verbs, sources, widgets or sections.
from workshops import (  # noqa: E402, F401
    agenda,
    attendance,
    booking,
    demand,
    evaluation,
    public,
    services,
    sessions,
    widgets,
)
