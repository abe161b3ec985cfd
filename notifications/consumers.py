"""The websocket through which a signed-in browser hears about its user's new notifications."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .selectors import unread_count
from .services import group_name

# Close codes (application range 4000-4999). Refused: the browser stops trying; session ended: it reconnects,
# and is refused if its session is gone.
FORBIDDEN = 4403
SESSION_ENDED = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Join the group of the session's own user; anonymous sockets are refused.

    The group is derived from the authenticated session only, never from the URL or a message, so a socket can
    only ever receive its own user's notifications.
    """

    group = None

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=FORBIDDEN)
            return
        self.group = group_name(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Ignore whatever the browser sends: the socket only carries pushes from the server."""

    async def notification_push(self, event):
        """Forward a push queued by ``services.push`` (message type ``notification.push``).

        A new notice arrives without the unread count: it is counted here, for the pages that are open only.
        """
        payload = event["payload"]
        if "unread" not in payload:
            payload = {**payload, "unread": await database_sync_to_async(unread_count)(user=self.scope["user"])}
        await self.send_json(payload)

    async def session_ended(self, event):
        """Close the socket when one of the user's sessions ends (``services.sockets_close``)."""
        await self.close(code=SESSION_ENDED)
