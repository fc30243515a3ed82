"""The dashboard widget "Prochains événements": the member's next items of "Mon agenda"."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dashboard import Widget, register_widget
from members import permissions as member_permissions

UPCOMING_COUNT = 5
UPCOMING_DAYS = 30


def upcoming_events(request):
    """The next 5 items of "Mon agenda" in the next 30 days (those under way included): the
    calendars (1), the events (1), their exceptions (1), whatever their number."""
    from calendar_app import selectors

    user = request.user
    if not member_permissions.is_approved(user):
        return None
    now = timezone.now()
    items = selectors.agenda_items(user, now, now + timedelta(days=UPCOMING_DAYS))
    return {"items": items[:UPCOMING_COUNT], "days": UPCOMING_DAYS}


register_widget(Widget(key="upcoming-events", title=_("Coming events"),
                       template="calendar_app/widgets/upcoming.html", context=upcoming_events, order=20))
