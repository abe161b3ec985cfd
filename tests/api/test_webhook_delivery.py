"""Webhook deliveries to a receiver this test starts on the loopback address: signed, retried, given up, and never
in the way of a step."""

import hashlib
import hmac
import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from api import services, webhooks
from api.models import DeliveryStatus, WebhookDelivery, WebhookEvent
from audit.events import AuditEvent
from audit.models import LedgerEntry
from org_hierarchy.models import Role
from tests.base import grant
from tests.workflows.base import FlowTestCase

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["webhooks"]}}
QUEUED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["webhooks"]}}


class Receiver:
    """An HTTP server on 127.0.0.1 that checks each request's signature and answers the statuses it is given."""

    def __init__(self, secret="", statuses=(), delay=0.0):
        self.secret = secret
        self.statuses = list(statuses)
        self.delay = delay
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-Meritflow-Timestamp"]
                expected = hmac.new(receiver.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
                receiver.received.append(
                    {
                        "headers": dict(self.headers),
                        "body": json.loads(body),
                        "signed": hmac.compare_digest(
                            self.headers["X-Meritflow-Signature"], f"sha256={expected.hexdigest()}"
                        ),
                    }
                )
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # A slow answer to a client that gave up writes to a closed socket: not this test's business.
        self.server.handle_error = lambda request, client_address: None
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/meritflow"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """The address of a port nobody listens on (a dead receiver)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hooks"


@override_settings(WEBHOOK_ALLOW_HTTP_LOOPBACK=True, WEBHOOK_TIMEOUT=2, WEBHOOK_RETRY_BASE_SECONDS=60)
class DeliveryTests(FlowTestCase):
    def setUp(self):
        super().setUp()
        self.admin = grant(Role.ADMIN, self.world.haichau_pc)

    def subscribe(self, url, events=(WebhookEvent.DOSSIER_SUBMITTED,), unit=None):
        return services.webhook_subscription_create(
            actor=self.admin, unit=unit or self.world.haichau_pc, name="LGSP", url=url, events=list(events)
        )

    @override_settings(TASKS=IMMEDIATE)
    def test_a_step_is_posted_after_its_commit_signed_and_only_once(self):
        with Receiver() as receiver:
            _subscription, receiver.secret = self.subscribe(receiver.url)
            dossier = self.make_dossier(self.commune_award)
            with self.captureOnCommitCallbacks(execute=False) as callbacks:
                self.submit(dossier)
            # Nothing is sent inside the step: the delivery waits for its commit.
            self.assertEqual(receiver.received, [])
            for callback in callbacks:
                callback()
            delivery = WebhookDelivery.objects.get()
            self.assertEqual(len(receiver.received), 1)
            request = receiver.received[0]
            self.assertTrue(request["signed"])
            self.assertEqual(request["headers"]["X-Meritflow-Event"], "dossier.submitted")
            self.assertEqual(request["headers"]["X-Meritflow-Event-Id"], str(delivery.event_id))
            self.assertEqual(request["headers"]["X-Meritflow-Delivery"], str(delivery.pk))
            self.assertLess(abs(int(request["headers"]["X-Meritflow-Timestamp"]) - time.time()), 60)
            self.assertEqual(request["body"]["dossier"]["id"], dossier.pk)
            self.assertEqual(request["body"], delivery.payload)
            delivery.refresh_from_db()
            self.assertEqual((delivery.status, delivery.attempts, delivery.last_status_code), ("delivered", 1, 200))
            # A repeat of the same delivery (another worker, a second kick) sends nothing again.
            self.assertFalse(webhooks.webhook_delivery_send(delivery_id=delivery.pk))
            self.assertEqual(webhooks.webhooks_deliver_due(), 0)
            self.assertEqual(len(receiver.received), 1)
            with self.assertRaises(ValidationError):
                services.webhook_delivery_retry(actor=self.admin, delivery=delivery)

    @override_settings(TASKS=QUEUED)
    def test_a_receiver_whose_name_resolves_into_a_refused_network_is_not_sent_to(self):
        with Receiver() as receiver:
            _subscription, receiver.secret = self.subscribe(receiver.url.replace("127.0.0.1", "localhost"))
            self.submit(self.make_dossier(self.commune_award))
            delivery = WebhookDelivery.objects.get()
            # Loopback is no longer allowed when the delivery is sent: the name is resolved and refused.
            with override_settings(WEBHOOK_ALLOW_HTTP_LOOPBACK=False), self.assertLogs("api.webhooks", "WARNING"):
                self.assertEqual(webhooks.webhooks_deliver_due(), 0)
            delivery.refresh_from_db()
            self.assertEqual((delivery.status, delivery.attempts, delivery.last_status_code), ("pending", 1, None))
            self.assertIn("network this server does not send to", delivery.last_error)
            self.assertEqual(receiver.received, [])
            # The operator allows the network: the next attempt goes through.
            with override_settings(
                WEBHOOK_ALLOW_HTTP_LOOPBACK=False, WEBHOOK_ALLOWED_NETWORKS=["127.0.0.0/8", "::1/128"]
            ):
                self.assertEqual(webhooks.webhooks_deliver_due(now=delivery.next_attempt_at), 1)
            self.assertEqual(len(receiver.received), 1)
            self.assertTrue(receiver.received[0]["signed"])

    @override_settings(TASKS=QUEUED)
    def test_a_server_error_is_retried_with_growing_delays_then_delivered(self):
        with Receiver(statuses=[500, 503]) as receiver:
            _subscription, receiver.secret = self.subscribe(receiver.url)
            self.submit(self.make_dossier(self.commune_award))
            delivery = WebhookDelivery.objects.get()
            now = timezone.now()
            with self.assertLogs("api.webhooks", "WARNING"):
                self.assertEqual(webhooks.webhooks_deliver_due(now=now), 0)
            delivery.refresh_from_db()
            self.assertEqual((delivery.status, delivery.attempts, delivery.last_status_code), ("pending", 1, 500))
            first_wait = delivery.next_attempt_at - now
            self.assertGreaterEqual(first_wait, timedelta(seconds=60))
            self.assertLess(first_wait, timedelta(seconds=70))
            # Not due before its delay.
            self.assertEqual(webhooks.webhooks_deliver_due(now=now), 0)
            self.assertEqual(len(receiver.received), 1)
            later = delivery.next_attempt_at
            with self.assertLogs("api.webhooks", "WARNING"):
                webhooks.webhooks_deliver_due(now=later)
            delivery.refresh_from_db()
            self.assertEqual((delivery.attempts, delivery.last_status_code), (2, 503))
            second_wait = delivery.next_attempt_at - later
            self.assertGreaterEqual(second_wait, timedelta(seconds=120))
            self.assertEqual(webhooks.webhooks_deliver_due(now=delivery.next_attempt_at), 1)
            delivery.refresh_from_db()
            self.assertEqual((delivery.status, delivery.attempts, delivery.last_status_code), ("delivered", 3, 200))
            self.assertEqual(len(receiver.received), 3)
            self.assertTrue(all(request["signed"] for request in receiver.received))
            # The same delivery id and event id on every attempt.
            self.assertEqual({r["headers"]["X-Meritflow-Delivery"] for r in receiver.received}, {str(delivery.pk)})

    @override_settings(TASKS=QUEUED, WEBHOOK_MAX_ATTEMPTS=3)
    def test_after_the_last_attempt_the_delivery_fails_and_an_administrator_sends_it_again(self):
        with Receiver(statuses=[500, 500, 500]) as receiver:
            _subscription, receiver.secret = self.subscribe(receiver.url)
            self.submit(self.make_dossier(self.commune_award))
            delivery = WebhookDelivery.objects.get()
            moment = timezone.now()
            with self.assertLogs("api.webhooks", "WARNING") as logs:
                for _attempt in range(3):
                    webhooks.webhooks_deliver_due(now=moment)
                    delivery.refresh_from_db()
                    moment = delivery.next_attempt_at or moment
            self.assertIn("Gave up", logs.output[-1])
            self.assertEqual((delivery.status, delivery.attempts, delivery.next_attempt_at), ("failed", 3, None))
            self.assertEqual(webhooks.webhooks_deliver_due(now=moment + timedelta(days=1)), 0)
            self.assertEqual(len(receiver.received), 3)

            with self.captureOnCommitCallbacks(execute=False) as callbacks:
                services.webhook_delivery_retry(actor=self.admin, delivery=delivery)
            self.assertEqual(len(callbacks), 1)
            delivery.refresh_from_db()
            self.assertEqual((delivery.status, delivery.attempts), ("pending", 0))
            entry = LedgerEntry.objects.get(event=AuditEvent.WEBHOOK_RETRIED)
            self.assertEqual((entry.actor, entry.data["id"]), (self.admin, delivery.pk))
            self.assertEqual(webhooks.webhooks_deliver_due(), 1)
            delivery.refresh_from_db()
            self.assertEqual(delivery.status, DeliveryStatus.DELIVERED)
            self.assertEqual(len(receiver.received), 4)

    @override_settings(TASKS=QUEUED)
    def test_the_subscribers_outside_the_dossier_scope_are_told_nothing(self):
        with Receiver() as receiver:
            _subscription, receiver.secret = self.subscribe(receiver.url)
            admin = grant(Role.ADMIN, self.world.thanhkhe_pc)
            services.webhook_subscription_create(
                actor=admin, unit=self.world.thanhkhe_pc, name="Thanh Khê", url=receiver.url, events=WebhookEvent.values
            )
            self.submit(self.make_dossier(self.commune_award))
            self.assertEqual(webhooks.webhooks_deliver_due(), 1)
            self.assertEqual([r["body"]["event"] for r in receiver.received], ["dossier.submitted"])
            self.assertEqual(WebhookDelivery.objects.get().subscription.name, "LGSP")

    @override_settings(TASKS=IMMEDIATE, WEBHOOK_TIMEOUT=0.5)
    def test_a_dead_or_slow_receiver_does_not_break_a_step(self):
        self.subscribe(closed_port_url())
        with Receiver(delay=3) as slow:
            self.subscribe(slow.url)
            dossier = self.make_dossier(self.commune_award)
            # The immediate backend (development) sends right after the commit, each POST cut at the timeout;
            # production's worker does it in its own process.
            with self.assertLogs("api.webhooks", "WARNING"), self.captureOnCommitCallbacks(execute=True):
                self.submit(dossier)
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, "submitted")
        dead, slow = WebhookDelivery.objects.order_by("subscription_id")
        for delivery in (dead, slow):
            self.assertEqual((delivery.status, delivery.attempts, delivery.last_status_code), ("pending", 1, None))
            self.assertGreater(delivery.next_attempt_at, timezone.now())
        self.assertIn("refused", dead.last_error)
        self.assertIn("timed out", slow.last_error)

    @override_settings(TASKS=QUEUED)
    def test_the_timer_dispatcher_hands_due_retries_to_the_worker(self):
        self.subscribe(closed_port_url())
        self.submit(self.make_dossier(self.commune_award))
        with mock.patch("api.webhooks.webhooks_kick") as kick:
            call_command("dispatch_timers", verbosity=0)
        kick.assert_called_once_with()
        WebhookDelivery.objects.update(next_attempt_at=timezone.now() + timedelta(hours=1))
        with mock.patch("api.webhooks.webhooks_kick") as kick:
            call_command("dispatch_timers", verbosity=0)
        kick.assert_not_called()
