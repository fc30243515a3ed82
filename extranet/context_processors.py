from core import dashboard, selectors
from members import permissions


def desk(request):
    """Navigation and unread badge for approved members; nothing for others."""
    user = getattr(request, "user", None)
    if not permissions.is_approved(user):
        return {"desk_member": False}
    return {
        "desk_member": True,
        "desk_nav": dashboard.nav_for(user),
        # Lazy: counted only when a template shows it.
        "unread_notifications": lambda: selectors.unread_notification_count(user=user),
    }
