"""Logging out closes the websockets of that browser session.

`user_logged_out` is sent by django.contrib.auth.logout (allauth's logout view included)
before the session is flushed, so `request.session.session_key` is still the key the
tab's socket was opened with. The consumers of `user.<id>` compare it with their own
and close with 4401 on a match; the user's other browsers stay connected. The message
goes through the channel layer, so it reaches sockets held by any server process.
"""

from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.dispatch import receiver

from core import realtime


@receiver(user_logged_out, dispatch_uid="extranet.session_events.close_sockets_on_logout")
def close_sockets_on_logout(sender, request, user, **kwargs):
    if user is None or getattr(user, "pk", None) is None:
        return
    session = getattr(request, "session", None)
    session_key = getattr(session, "session_key", None)
    if not session_key:  # no session, nothing to match (and None would close every socket)
        return
    user_id = user.pk
    # Logging out is not transactional; outside an atomic block this runs at once.
    transaction.on_commit(lambda: realtime.close_session_sockets(user_id, session_key))
