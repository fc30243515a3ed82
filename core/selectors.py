"""Reads of the desk shell, scoped to a user."""

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.models import Notification

if TYPE_CHECKING:
    from members.models import User


def notifications_for(*, user: "User", unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_notification_count(*, user: "User") -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_for_user(user: "User", pk: Any) -> Notification:
    """A notification of `user`'s own; any other gives 404 (no hint that it exists)."""
    return get_object_or_404(Notification, pk=pk, recipient=user)
