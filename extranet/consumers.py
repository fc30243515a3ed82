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

Other actions (`chat.send`...) are registered by apps (`realtime.register_action`): the
handler runs in a thread, in the language of the member's page, and what it refuses is
answered with `session.error` and logged; the socket stays open for valid traffic.
"""

import json
import logging
import re

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from core import realtime, roles, selectors
from members import permissions

CLOSE_UNAUTHORIZED = realtime.CLOSE_UNAUTHORIZED
CLOSE_FORBIDDEN = realtime.CLOSE_FORBIDDEN
MAX_SUBSCRIPTIONS = 100
MAX_GROUP_LENGTH = 100
GROUP_RE = re.compile(r"([a-z_]+)\.([0-9]{1,18})", re.ASCII)
# A frame larger than this is refused unread (a chat message is at most 10,000 characters).
MAX_FRAME_BYTES = 256 * 1024
MAX_REF_LENGTH = 64
logger = logging.getLogger(__name__)


def _event(event_type, **data):
    return realtime.envelope(event_type, None, data)


def _ready_data(user_id):
    """The user's unread count, or None when the account can no longer use the desk."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if not permissions.can_access_desk(user):
        return None
    return selectors.unread_notification_count(user=user)


def _language(scope):
    """The language of the member's pages (the language cookie), else the site's."""
    cookies = scope.get("cookies") or {}
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _run_action(handler, socket, content, language):
    """Run an action handler with the member's language; errors become (reason, message).

    One role scope per message (core.roles): its answers never outlive it."""
    with translation.override(language), roles.scope():
        try:
            return handler(socket, content) or [], None
        except PermissionDenied as error:
            return [], ("denied", str(error) or translation.gettext("You may not do that."))
        except ValidationError as error:
            return [], ("invalid", " ".join(error.messages))
        except realtime.RateLimited as error:
            return [], ("rate_limited", str(error))
        except Exception:  # a bug in one action must not close the socket
            logger.exception("Action %s failed for user %s", content.get("action"), socket.user_id)
            return [], ("failed", translation.gettext("That did not work because of an error on our side: try again."))


def _run_disconnect_hooks(socket):
    for hook in realtime.DISCONNECT_HOOKS:
        try:
            hook(socket)
        except Exception:  # one app's hook must not keep the others from running
            logger.exception("Disconnect hook %r failed", hook)


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
        self.state = {}
        self.language = _language(self.scope)
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
        if self.user_id is not None and realtime.DISCONNECT_HOOKS:
            await database_sync_to_async(_run_disconnect_hooks)(self._socket())

    def _socket(self):
        return realtime.Socket(self.user_id, self.channel_name, self.subscriptions, self.state)

    # --- Frames from the browser ------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if self.user_id is None:  # refused socket, closing: ignore
            return
        if text_data is None:
            await self._error("text frames only")
            return
        # Characters first (cheap), then the UTF-8 bytes the limit is stated in.
        if len(text_data) > MAX_FRAME_BYTES or len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            await self._error("frame too large")
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            # RecursionError: JSON nested deeper than the parser's stack ("[[[[...]]]]"
            # under the frame limit). Refused like any other malformed frame.
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
        elif isinstance(action, str) and action in realtime.ACTIONS:
            await self._action(action, content)
        else:
            await self._error("unknown action")

    async def _action(self, action, content):
        ref = content.get("ref")
        ref = ref[:MAX_REF_LENGTH] if isinstance(ref, str) else None
        events, refusal = await database_sync_to_async(_run_action)(
            realtime.ACTIONS[action], self._socket(), content, self.language)
        if refusal is not None:
            reason, message = refusal
            logger.warning("Refused %s from user %s (%s): %s", action, self.user_id, reason, message)
            await self._error(message, action=action, reason=reason, ref=ref)
            return
        for event in events:
            await self.send_json(event)

    async def _error(self, error, **data):
        await self.send_json(_event("session.error", error=error, **data))

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
