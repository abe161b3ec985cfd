"""The websocket: a signed-in user's socket gets their pushes, after commit only, and nobody else's."""

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from config.asgi import application
from notifications import services
from notifications.consumers import FORBIDDEN, SESSION_ENDED
from notifications.models import Notification
from tests.base import CommittingTestCase, make_user

PATH = "/ws/notifications/"
ORIGIN = (b"origin", b"http://localhost")


def session_cookie_for(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def notify_in_transaction(recipients, *, fail=False):
    try:
        with transaction.atomic():
            services.notify(recipients=recipients, event="stage.received", title="Hồ sơ chờ thẩm định", url="/d/1/")
            if fail:
                raise RuntimeError("the transition failed")
    except RuntimeError:
        pass


class NotificationSocketTests(CommittingTestCase):
    async def connect_as(self, user) -> WebsocketCommunicator:
        cookie = await sync_to_async(session_cookie_for)(user)
        communicator = WebsocketCommunicator(application, PATH, headers=[ORIGIN, (b"cookie", cookie)])
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
        return communicator

    async def test_push_reaches_its_user_and_nobody_else(self):
        alice = await sync_to_async(make_user)("alice")
        bob = await sync_to_async(make_user)("bob")
        alice_socket = await self.connect_as(alice)
        bob_socket = await self.connect_as(bob)

        await sync_to_async(notify_in_transaction)([alice])

        payload = await alice_socket.receive_json_from(timeout=2)
        notification = await Notification.objects.aget(recipient=alice)
        self.assertEqual(
            payload,
            {
                "id": notification.pk,
                "title": "Hồ sơ chờ thẩm định",
                "url": reverse("notifications:open", args=[notification.pk]),
                "unread": 1,
            },
        )
        self.assertTrue(await bob_socket.receive_nothing(timeout=0.3))
        await alice_socket.disconnect()
        await bob_socket.disconnect()

    async def test_rolled_back_transaction_pushes_nothing(self):
        alice = await sync_to_async(make_user)("alice")
        socket = await self.connect_as(alice)

        await sync_to_async(notify_in_transaction)([alice], fail=True)

        self.assertTrue(await socket.receive_nothing(timeout=0.3))
        self.assertFalse(await Notification.objects.aexists())
        await socket.disconnect()

    async def test_reading_updates_the_count_on_other_open_pages(self):
        alice = await sync_to_async(make_user)("alice")
        socket = await self.connect_as(alice)
        await sync_to_async(notify_in_transaction)([alice])
        pushed = await socket.receive_json_from(timeout=2)

        await sync_to_async(services.notification_mark_read)(user=alice, notification_id=pushed["id"])

        self.assertEqual(await socket.receive_json_from(timeout=2), {"unread": 0})
        await socket.disconnect()

    async def test_anonymous_socket_is_refused(self):
        communicator = WebsocketCommunicator(application, PATH, headers=[ORIGIN])
        connected, code = await communicator.connect()
        self.assertFalse(connected)
        self.assertEqual(code, FORBIDDEN)

    async def test_socket_from_another_site_is_refused(self):
        alice = await sync_to_async(make_user)("alice")
        cookie = await sync_to_async(session_cookie_for)(alice)
        headers = [(b"origin", b"https://evil.example"), (b"cookie", cookie)]
        communicator = WebsocketCommunicator(application, PATH, headers=headers)
        connected, _ = await communicator.connect()
        self.assertFalse(connected)

    async def test_logout_closes_the_users_sockets(self):
        alice = await sync_to_async(make_user)("alice")
        client = Client()
        await sync_to_async(client.force_login)(alice)
        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()
        socket = WebsocketCommunicator(application, PATH, headers=[ORIGIN, (b"cookie", cookie)])
        self.assertTrue((await socket.connect())[0])

        await sync_to_async(client.post)(reverse("logout"))

        self.assertEqual(await socket.receive_output(timeout=2), {"type": "websocket.close", "code": SESSION_ENDED})
        again = WebsocketCommunicator(application, PATH, headers=[ORIGIN, (b"cookie", cookie)])
        self.assertEqual(await again.connect(), (False, FORBIDDEN))

    async def test_forged_session_is_refused(self):
        cookie = f"{settings.SESSION_COOKIE_NAME}=not-a-session".encode()
        communicator = WebsocketCommunicator(application, PATH, headers=[ORIGIN, (b"cookie", cookie)])
        connected, _ = await communicator.connect()
        self.assertFalse(connected)

    async def test_messages_from_the_browser_are_ignored(self):
        alice = await sync_to_async(make_user)("alice")
        socket = await self.connect_as(alice)
        await socket.send_json_to({"type": "notification.push", "payload": {"unread": 99}})
        self.assertTrue(await socket.receive_nothing(timeout=0.3))
        await socket.disconnect()
