"""The one websocket of each browser tab: /ws/.

Authenticated by the session (AuthMiddlewareStack). Anonymous, pending and refused users
are accepted and closed at once with 4401 / 4403, so that the browser sees the code (a
socket closed before accept() is an HTTP 403 to the browser, i.e. 1006) and stops
retrying. A foreign origin is still refused at the handshake by AllowedHostsOriginValidator.

The consumer joins `user.<id>` and forwards every event sent to its groups as JSON.
Clients may subscribe to per-object groups (`{"action": "subscribe", "group": "room.12"}`)
when the kind's registered check allows it for the user as stored now (reloaded from the
database, not the user seen at connect). The internal message `session.close` on
`user.<id>` closes the socket (logout of its session, account refused or deactivated);
`session.recheck` re-runs the check of every subscription and drops those that fail
(membership lost), telling the browser with `session.unsubscribed`.
"""

import json
import re

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth import get_user_model

from extranet import realtime, selectors
from members import permissions

CLOSE_UNAUTHORIZED = realtime.CLOSE_UNAUTHORIZED
CLOSE_FORBIDDEN = realtime.CLOSE_FORBIDDEN
MAX_SUBSCRIPTIONS = 100
MAX_GROUP_LENGTH = 100
GROUP_RE = re.compile(r"([a-z_]+)\.([0-9]{1,18})", re.ASCII)


def _event(event_type, **data):
    return realtime.envelope(event_type, None, data)


def _ready_data(user_id):
    """The user's unread count, or None when the account can no longer use the desk."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if not permissions.can_access_desk(user):
        return None
    return selectors.unread_notification_count(user=user)


def _check_fresh(check, user_id, object_id):
    """Run a subscription check with the user as stored now (roles, status, is_active)."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if not permissions.can_access_desk(user):
        return False
    return bool(check(user, object_id))


class DeskConsumer(AsyncJsonWebsocketConsumer):
    user_id = None
    session_key = None
    personal_group = None

    async def connect(self):
        user = self.scope.get("user")
        if not permissions.is_authenticated(user):
            await self._refuse(CLOSE_UNAUTHORIZED)
            return
        allowed = await database_sync_to_async(permissions.can_access_desk)(user)
        if not allowed:
            await self._refuse(CLOSE_FORBIDDEN)
            return
        self.user_id = user.pk
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.subscriptions = set()
        self.personal_group = realtime.user_group(user.pk)
        await self.channel_layer.group_add(self.personal_group, self.channel_name)
        await self.accept()
        unread = await database_sync_to_async(_ready_data)(user.pk)
        if unread is None:  # lost access between the two reads
            await self.close(code=CLOSE_FORBIDDEN)
            return
        await self.send_json(_event("session.ready", user=user.pk, unread=unread))

    async def _refuse(self, code):
        # Accept first: only an accepted socket can carry a close code to the browser.
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code):
        groups = [self.personal_group, *getattr(self, "subscriptions", ())]
        for group in groups:
            if group:
                await self.channel_layer.group_discard(group, self.channel_name)

    # --- Frames from the browser ------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.user_id is None:  # refused socket, closing: ignore
            return
        if text_data is None:
            await self._error("text frames only")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._error("invalid JSON")
            return
        await self.receive_json(content, **kwargs)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self._error("unknown action")
            return
        action = content.get("action")
        if action == "ping":
            await self.send_json(_event("session.pong"))
        elif action == "subscribe":
            await self._subscribe(content.get("group"))
        elif action == "unsubscribe":
            await self._unsubscribe(content.get("group"))
        else:
            await self._error("unknown action")

    async def _error(self, reason, **data):
        await self.send_json(_event("session.error", error=reason, **data))

    @staticmethod
    def _parse_group(group):
        """(kind, id, canonical name) of a well-formed group, else None."""
        if not isinstance(group, str) or len(group) > MAX_GROUP_LENGTH:
            return None
        match = GROUP_RE.fullmatch(group)
        if match is None:
            return None
        kind, object_id = match.group(1), int(match.group(2))
        return kind, object_id, f"{kind}.{object_id}"

    async def _subscribe(self, group):
        if not isinstance(group, str):
            await self._error("invalid group")
            return
        parsed = self._parse_group(group)
        check = realtime.SUBSCRIPTIONS.get(parsed[0]) if parsed else None
        allowed = False
        if check is not None:
            kind, object_id, name = parsed
            if name not in self.subscriptions and len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
                await self._error("too many subscriptions", group=group[:MAX_GROUP_LENGTH])
                return
            allowed = await database_sync_to_async(_check_fresh)(check, self.user_id, object_id)
        if not allowed:
            await self.send_json(_event("session.denied", group=group[:MAX_GROUP_LENGTH]))
            return
        self.subscriptions.add(name)
        await self.channel_layer.group_add(name, self.channel_name)
        await self.send_json(_event("session.subscribed", group=group))

    async def _unsubscribe(self, group):
        parsed = self._parse_group(group)
        if parsed is None:
            await self._error("invalid group")
            return
        name = parsed[2]
        if name not in self.subscriptions:
            await self._error("not subscribed", group=group)
            return
        # No reply when it worked (the client forgets the group at once).
        self.subscriptions.discard(name)
        await self.channel_layer.group_discard(name, self.channel_name)

    # --- Messages from the channel layer ------------------------------------------------------

    async def realtime_event(self, message):
        await self.send_json(message["event"])

    async def session_close(self, message):
        """Internal: close when the message is for this socket's session (or for all)."""
        key = message.get("session_key")
        if key is not None and key != self.session_key:
            return
        code = message.get("code", CLOSE_UNAUTHORIZED)
        if code not in (CLOSE_UNAUTHORIZED, CLOSE_FORBIDDEN):
            code = CLOSE_UNAUTHORIZED
        await self.close(code=code)

    async def session_recheck(self, message):
        """Internal: access changed (left or removed from a group): drop what is no longer allowed."""
        for name in sorted(getattr(self, "subscriptions", ())):
            kind, object_id, _name = self._parse_group(name)
            check = realtime.SUBSCRIPTIONS.get(kind)
            allowed = check is not None and await database_sync_to_async(_check_fresh)(check, self.user_id, object_id)
            if not allowed:
                self.subscriptions.discard(name)
                await self.channel_layer.group_discard(name, self.channel_name)
                await self.send_json(_event("session.unsubscribed", group=name))
