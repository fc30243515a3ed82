"""Reactions of the members app to allauth's signals."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from members import services


@receiver(email_confirmed, dispatch_uid="members_announce_request")
def announce_request_once_verified(sender, request=None, email_address=None, **kwargs):
    if email_address is not None:
        services.member_request_announce(member=email_address.user)
