"""Webhook subscriptions (services, as the unit's administrator) and the outbox the dossiers' steps write."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import override_settings

from api import services, webhooks
from api.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
from audit.events import AuditEvent
from audit.models import LedgerEntry
from nominations import services as nomination_services
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, grant, make_user
from tests.workflows.base import FlowTestCase
from workflows.models import StageOutcome

QUEUED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["webhooks"]}}
URL = "https://lgsp.example.gov.vn/meritflow/events"
ALL_EVENTS = list(WebhookEvent.values)


def subscribe(unit, *, events=ALL_EVENTS, url=URL, actor=None, name=None):
    actor = actor or grant(Role.ADMIN, unit)
    return services.webhook_subscription_create(
        actor=actor, unit=unit, name=name or f"LGSP {unit.pk}", url=url, events=events
    )


@override_settings(WEBHOOK_ALLOW_HTTP_LOOPBACK=True)
class SubscriptionServiceTests(MeritflowTestCase):
    def setUp(self):
        self.admin = grant(Role.ADMIN, self.world.danang_pc)

    def test_an_administrator_subscribes_and_sees_the_secret_once(self):
        subscription, secret = services.webhook_subscription_create(
            actor=self.admin,
            unit=self.world.haichau_pc,
            name="  Cổng   LGSP  ",
            url=URL,
            events=[WebhookEvent.DOSSIER_SUBMITTED, WebhookEvent.DECISION_ISSUED],
        )
        self.assertEqual(subscription.name, "Cổng LGSP")
        self.assertEqual(subscription.events, ["dossier.submitted", "decision.issued"])
        self.assertTrue(secret.startswith("whsec_"))
        # Stored sealed, not as typed: it opens to the same secret for signing.
        stored = WebhookSubscription.objects.get().secret
        self.assertNotIn(secret, stored)
        self.assertEqual(webhooks.secret_open(stored), secret)
        entry = LedgerEntry.objects.get(event=AuditEvent.WEBHOOK_CHANGED)
        self.assertEqual(
            (entry.actor, entry.unit, entry.subject_id), (self.admin, self.world.haichau_pc, str(subscription.pk))
        )
        self.assertEqual(entry.data["kind"], ["dossier.submitted", "decision.issued"])
        self.assertNotIn(secret, str(entry.data))
        self.assertEqual(subscription.history.get().history_user, self.admin)

    def test_only_an_administrator_of_the_unit_subscribes(self):
        for actor in (grant(Role.ADMIN, self.world.hanoi_pc), grant(Role.APPROVER, self.world.danang_pc)):
            with self.assertRaises(PermissionDenied):
                subscribe(self.world.haichau_pc, actor=actor)
        self.assertFalse(WebhookSubscription.objects.exists())

    def test_the_address_is_https_or_loopback_http_where_allowed(self):
        bad = {
            "http://lgsp.example.gov.vn/x": webhooks.URL_HTTP_LOOPBACK_ONLY,
            "ftp://lgsp.example.gov.vn/x": webhooks.URL_INVALID,
            "https://user:pw@lgsp.example.gov.vn/x": webhooks.URL_INVALID,
            "lgsp.example.gov.vn": webhooks.URL_INVALID,
        }
        for url, message in bad.items():
            with self.subTest(url=url), self.assertRaises(ValidationError) as raised:
                subscribe(self.world.danang_pc, url=url, actor=self.admin)
            self.assertEqual(raised.exception.message_dict["url"], [str(message)])
        with override_settings(WEBHOOK_ALLOW_HTTP_LOOPBACK=False), self.assertRaises(ValidationError) as raised:
            subscribe(self.world.danang_pc, url="http://127.0.0.1:8080/hook", actor=self.admin)
        self.assertEqual(raised.exception.message_dict["url"], [str(webhooks.URL_NOT_HTTPS)])
        with override_settings(WEBHOOK_ALLOW_HTTP_LOOPBACK=True):
            subscription, _secret = subscribe(self.world.danang_pc, url="http://127.0.0.1:8080/hook", actor=self.admin)
        self.assertEqual(subscription.url, "http://127.0.0.1:8080/hook")

    def test_an_address_in_a_private_or_reserved_network_is_refused_unless_its_network_is_allowed(self):
        refused = [
            "https://10.0.0.5/hooks",
            "https://192.168.1.10/hooks",
            "https://169.254.169.254/latest/meta-data/",
            "https://[::ffff:10.0.0.1]/hooks",
            "https://[fd00::1]/hooks",
            "https://224.0.0.1/hooks",
        ]
        for url in refused:
            with self.subTest(url=url), self.assertRaises(ValidationError) as raised:
                subscribe(self.world.danang_pc, url=url, actor=self.admin)
            self.assertEqual(raised.exception.message_dict["url"], [str(webhooks.URL_NETWORK_REFUSED)])
        with override_settings(WEBHOOK_ALLOW_HTTP_LOOPBACK=False), self.assertRaises(ValidationError) as raised:
            subscribe(self.world.danang_pc, url="https://localhost/hooks", actor=self.admin)
        self.assertEqual(raised.exception.message_dict["url"], [str(webhooks.URL_NETWORK_REFUSED)])
        with override_settings(WEBHOOK_ALLOWED_NETWORKS=["10.1.0.0/16"]):
            subscription, _secret = subscribe(self.world.danang_pc, url="https://10.1.2.3/lgsp", actor=self.admin)
            with self.assertRaises(ValidationError):
                subscribe(self.world.danang_pc, url="https://10.2.0.1/lgsp", actor=self.admin)
        self.assertEqual(subscription.url, "https://10.1.2.3/lgsp")
        self.assertFalse(WebhookSubscription.objects.filter(url__contains="10.0.0.5").exists())

    def test_a_name_and_an_event_are_required(self):
        with self.assertRaises(ValidationError) as raised:
            subscribe(self.world.danang_pc, events=["stage.appraised"], name=" ", actor=self.admin)
        self.assertEqual(set(raised.exception.message_dict), {"name", "events"})

    def test_change_and_deactivation_are_recorded(self):
        subscription, _secret = subscribe(self.world.danang_pc, actor=self.admin)
        sealed = subscription.secret
        services.webhook_subscription_update(
            actor=self.admin,
            subscription=subscription,
            name="LGSP Đà Nẵng",
            url="https://lgsp.danang.gov.vn/hook",
            events=[WebhookEvent.AWARD_REVOKED],
        )
        subscription.refresh_from_db()
        self.assertEqual(
            (subscription.url, subscription.events), ("https://lgsp.danang.gov.vn/hook", ["award.revoked"])
        )
        self.assertEqual(subscription.secret, sealed)
        services.webhook_subscription_deactivate(actor=self.admin, subscription=subscription)
        subscription.refresh_from_db()
        self.assertFalse(subscription.is_active)
        with self.assertRaises(ValidationError):
            services.webhook_subscription_deactivate(actor=self.admin, subscription=subscription)
        entries = LedgerEntry.objects.filter(event=AuditEvent.WEBHOOK_CHANGED).order_by("sequence")
        self.assertEqual(
            [sorted(entry.data) for entry in entries],
            [["created", "kind", "name"], ["fields", "kind", "name"], ["name", "removed"]],
        )
        self.assertEqual(subscription.history.count(), 3)
        with self.assertRaises(PermissionDenied):
            services.webhook_subscription_update(
                actor=grant(Role.ADMIN, self.world.hanoi_pc),
                subscription=subscription,
                name="x",
                url=URL,
                events=ALL_EVENTS,
            )


@override_settings(TASKS=QUEUED)
class OutboxTests(FlowTestCase):
    """The steps write their deliveries in their own transaction, for the subscriptions whose subtree holds the
    dossier, and nothing is sent inside the step."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.world
        cls.commune, _ = subscribe(w.haichau_pc)
        cls.province, _ = subscribe(w.danang_pc, events=[WebhookEvent.DECISION_ISSUED])
        cls.origin, _ = subscribe(w.residential_group, events=[WebhookEvent.DOSSIER_SUBMITTED])
        cls.foreign, _ = subscribe(w.hanoi_pc)
        cls.police, _ = subscribe(w.danang_police)
        cls.inactive, _ = subscribe(w.haichau_pc, name="old")
        services.webhook_subscription_deactivate(actor=make_user(is_superuser=True), subscription=cls.inactive)

    def deliveries(self, event):
        return set(WebhookDelivery.objects.filter(event=event).values_list("subscription__name", flat=True))

    def test_a_submission_is_written_for_the_subscriptions_over_the_dossier(self):
        dossier = self.make_dossier(self.commune_award)
        with self.captureOnCommitCallbacks(execute=True):
            self.submit(dossier)
        self.assertEqual(self.deliveries("dossier.submitted"), {self.commune.name, self.origin.name})
        delivery = WebhookDelivery.objects.get(subscription=self.commune)
        self.assertEqual((delivery.status, delivery.attempts), (DeliveryStatus.PENDING, 0))
        payload = delivery.payload
        self.assertEqual(payload["event"], "dossier.submitted")
        self.assertEqual(payload["id"], str(delivery.event_id))
        self.assertEqual(payload["dossier"]["id"], dossier.pk)
        self.assertEqual(payload["dossier"]["status"], "submitted")
        self.assertTrue(payload["dossier"]["url"].endswith(f"/api/v1/dossiers/{dossier.pk}/"))
        # One event, one id, whichever subscription it goes to.
        self.assertEqual(WebhookDelivery.objects.values("event_id").distinct().count(), 1)

    def test_a_decision_tells_the_decided_and_issued_events_once_each_and_no_personal_data(self):
        dossier = self.make_dossier(self.commune_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE)
        self.assertEqual(self.deliveries("dossier.decided"), {self.commune.name})
        self.assertEqual(self.deliveries("decision.issued"), {self.commune.name, self.province.name})
        decided = WebhookDelivery.objects.get(event="dossier.decided")
        issued = WebhookDelivery.objects.filter(event="decision.issued").first()
        dossier.refresh_from_db()
        self.assertEqual((decided.payload["outcome"], decided.payload["awarded"]), ("awarded", 2))
        self.assertEqual(issued.payload["decision"], dossier.decision.pk)
        self.assertEqual(issued.payload["number"], dossier.decision.number_display)
        for delivery in WebhookDelivery.objects.all():
            text = str(delivery.payload)
            for nominee in dossier.nominees.all():
                self.assertNotIn(nominee.full_name, text)
            self.assertNotIn("national_id", text)
            self.assertNotIn("born", text)
        self.assertFalse(self.deliveries("dossier.decided") & {self.foreign.name, self.police.name, self.inactive.name})

    def test_a_return_is_written_and_a_rolled_back_step_writes_nothing(self):
        dossier = self.make_dossier(self.commune_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc, return_reason="Thiếu báo cáo thành tích.")
        self.assertEqual(self.deliveries("dossier.returned"), {self.commune.name})
        WebhookDelivery.objects.all().delete()
        approver = self.officer(self.world.haichau_pc, Role.APPROVER)
        with self.assertRaises(RuntimeError), transaction.atomic():
            nomination_services.dossier_reject(
                dossier=dossier, actor=approver, stage_unit=self.world.haichau_pc, reason="Không đủ điều kiện."
            )
            self.assertEqual(self.deliveries("dossier.decided"), {self.commune.name})
            raise RuntimeError("rolled back")
        self.assertFalse(WebhookDelivery.objects.exists())
