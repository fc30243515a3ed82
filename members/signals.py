"""Reactions of the members app to allauth's signals and to accounts being switched off."""

from allauth.account.signals import email_confirmed
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from core import realtime
from members import services


@receiver(email_confirmed, dispatch_uid="members_announce_request")
def announce_request_once_verified(sender, request=None, email_address=None, **kwargs):
    if email_address is not None:
        services.member_request_announce(member=email_address.user)


@receiver(post_save, sender=get_user_model(), dispatch_uid="members_close_inactive_sockets")
def close_sockets_of_inactive_account(sender, instance, created=False, **kwargs):
    """An account deactivated anywhere (Wagtail's user editor, the Django admin, a script) loses
    its live sockets at once: no more messages, typing or presence pushed to it."""
    if not created and not instance.is_active:
        realtime.close_user_sockets(instance.pk)
