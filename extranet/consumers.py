"""The one websocket of each browser tab: /ws/.

Authenticated by the session (AuthMiddlewareStack); anonymous, pending and refused users
are closed at once. The consumer joins `user.<id>` and forwards every event sent to its
groups as JSON. Clients may subscribe to per-object groups (`{"action": "subscribe",
"group": "room.12"}`) when the kind's registered check allows it.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from extranet import realtime
from members import permissions

CLOSE_UNAUTHORIZED = 4401
CLOSE_FORBIDDEN = 4403


class DeskConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if not permissions.is_authenticated(user):
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        allowed = await database_sync_to_async(permissions.can_access_desk)(user)
        if not allowed:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.user = user
        self.subscriptions = set()
        self.personal_group = realtime.user_group(user.pk)
        await self.channel_layer.group_add(self.personal_group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "session.ready", "id": None, "data": {"user": user.pk}})

    async def disconnect(self, code):
        groups = [getattr(self, "personal_group", None), *getattr(self, "subscriptions", ())]
        for group in groups:
            if group:
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        action = content.get("action") if isinstance(content, dict) else None
        group = content.get("group", "") if isinstance(content, dict) else ""
        if action == "ping":
            await self.send_json({"type": "session.pong", "id": None, "data": {}})
        elif action == "subscribe":
            await self._subscribe(group)
        elif action == "unsubscribe" and group in self.subscriptions:
            self.subscriptions.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)
        else:
            await self.send_json({"type": "session.error", "id": None, "data": {"error": "unknown action"}})

    async def _subscribe(self, group):
        kind, _sep, raw_id = str(group).partition(".")
        check = realtime.SUBSCRIPTIONS.get(kind)
        allowed = False
        if check is not None and raw_id.isdigit():
            allowed = await database_sync_to_async(check)(self.user, int(raw_id))
        if not allowed:
            await self.send_json({"type": "session.denied", "id": None, "data": {"group": group}})
            return
        self.subscriptions.add(group)
        await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"type": "session.subscribed", "id": None, "data": {"group": group}})

    async def realtime_event(self, message):
        await self.send_json(message["event"])
