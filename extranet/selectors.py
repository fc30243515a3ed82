"""Reads of the desk shell, scoped to a user."""

from django.shortcuts import get_object_or_404

from extranet.models import Notification


def notifications_for(*, user, unread_only=False):
    qs = Notification.objects.filter(recipient=user).select_related("actor")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def unread_notification_count(*, user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_for_user(user, pk):
    """A notification of `user`'s own; any other gives 404 (no hint that it exists)."""
    return get_object_or_404(Notification, pk=pk, recipient=user)
