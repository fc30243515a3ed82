from django.urls import reverse

from core import dashboard, selectors
from members import permissions
from members import selectors as member_selectors
from website import footer

PENDING_COUNT_ATTRIBUTE = "_maillage_pending_count"
UNREAD_COUNT_ATTRIBUTE = "_maillage_unread_count"


def _unread_count(request, user):
    """The member's unread notifications: one query, once per request (the header shows it twice)."""
    if not hasattr(request, UNREAD_COUNT_ATTRIBUTE):
        setattr(request, UNREAD_COUNT_ATTRIBUTE, selectors.unread_notification_count(user=user))
    return getattr(request, UNREAD_COUNT_ATTRIBUTE)


def _pending_count(request, user):
    """Membership requests `user` may decide on: one query, once per request (the members
    app's selector decides which requests, its permission who may see them)."""
    if not hasattr(request, PENDING_COUNT_ATTRIBUTE):
        count = member_selectors.pending_members_for(actor=user).count() if permissions.can_approve_members(user) else 0
        setattr(request, PENDING_COUNT_ATTRIBUTE, count)
    return getattr(request, PENDING_COUNT_ATTRIBUTE)


class NavItem:
    """A desk navigation entry as the template shows it; `count` (a number to show next to
    the label, or None) is counted only when the template reads it."""

    def __init__(self, entry, count=None):
        self.entry = entry
        self.key = entry.key
        self.label = entry.label
        self.url_name = entry.url_name
        self.url = reverse(entry.url_name)
        self.current = None  # "page" on the entry's own page, "true" below it
        self._count = count

    def count(self):
        return self._count() if self._count is not None else None


# Entries that show how many things wait for the member (counted once per request).
NAV_COUNTS = {"pending": _pending_count}


def _mark_current(items, path):
    """The entry of the current page ("page"), else the one whose address is the longest
    start of it ("true": a topic is in the forum), the dashboard's "/bureau/" aside."""
    exact = next((item for item in items if item.url == path), None)
    if exact is not None:
        exact.current = "page"
        return
    within = [item for item in items if path.startswith(item.url) and item.url.count("/") > 2]
    if within:
        max(within, key=lambda item: len(item.url)).current = "true"


def desk(request):
    """Navigation and unread badge for approved members; the footer's pages for everyone."""
    user = getattr(request, "user", None)
    context = {
        # Lazy: read only when the footer is rendered (one query at most, cached).
        "footer_pages": lambda: footer.footer_pages(request),
    }
    if permissions.is_partner(user):
        # A prescriber's account: the entries registered for partners only (NavEntry.partner).
        items = [NavItem(entry) for entry in dashboard.nav_for_partner(user)]
        _mark_current(items, request.path)
        context.update({"desk_member": False, "desk_partner": True, "desk_nav": items})
        return context
    if not permissions.is_approved(user):
        context["desk_member"] = False
        return context

    def item(entry):
        counter = NAV_COUNTS.get(entry.key)
        return NavItem(entry, (lambda: counter(request, user)) if counter else None)

    items = [item(entry) for entry in dashboard.nav_for(user)]
    _mark_current(items, request.path)
    context.update({
        "desk_member": True,
        "desk_nav": items,
        # Lazy: counted only when a template shows it.
        "unread_notifications": lambda: _unread_count(request, user),
    })
    return context
