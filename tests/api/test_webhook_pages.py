"""The administrators' webhook pages and the same reads in the API: reached from the menu, scoped to the units
administered (others' ids are 404), in people's words, with the "retry now" action."""

import uuid

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api import services, webhooks
from api.models import DeliveryStatus, WebhookDelivery, WebhookEvent, WebhookSubscription
from audit.events import AuditEvent
from audit.models import LedgerEntry
from org_hierarchy.models import Role
from tests.api.support import ApiTestCase
from tests.base import grant
from tests.config.raw_codes import findings, html_pieces

URL = "https://lgsp.example.gov.vn/meritflow/events"
QUEUED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["webhooks"]}}


def deliveries(subscription, count, *, status=DeliveryStatus.FAILED):
    now = timezone.now()
    return WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            subscription=subscription,
            event_id=uuid.uuid4(),
            event=WebhookEvent.DECISION_ISSUED,
            payload={"event": "decision.issued"},
            status=status,
            attempts=8 if status == DeliveryStatus.FAILED else 1,
            last_status_code=500,
            last_error="HTTP 500",
            next_attempt_at=None if status == DeliveryStatus.FAILED else now,
            created_at=now,
        )
        for _ in range(count)
    )


@override_settings(TASKS=QUEUED)
class WebhookPageTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin = grant(Role.ADMIN, cls.world.haichau_pc)
        cls.foreign_admin = grant(Role.ADMIN, cls.world.hanoi_pc)
        cls.subscription, _secret = services.webhook_subscription_create(
            actor=cls.admin, unit=cls.world.haichau_pc, name="LGSP Hải Châu", url=URL, events=WebhookEvent.values
        )

    def test_the_menu_leads_an_administrator_to_the_page(self):
        self.client.force_login(self.admin)
        home = self.client.get("/")
        self.assertContains(home, f'href="{reverse("api:webhooks")}"')
        page = self.client.get(reverse("api:webhooks"))
        self.assertContains(page, "LGSP Hải Châu")
        self.client.force_login(grant(Role.SUBMITTER, self.world.haichau_pc))
        self.assertNotContains(self.client.get("/"), f'href="{reverse("api:webhooks")}"')
        self.assertEqual(self.client.get(reverse("api:webhooks")).status_code, 403)

    def test_subscribing_on_the_page_shows_the_secret_once(self):
        self.client.force_login(self.admin)
        form = self.client.get(reverse("api:webhook_create"))
        self.assertEqual(form.status_code, 200)
        data = {"name": "Hệ thống tỉnh", "unit": self.world.haichau_pc.pk, "url": URL, "events": ["dossier.submitted"]}
        response = self.client.post(reverse("api:webhook_create"), data)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "no-store")
        subscription = WebhookSubscription.objects.get(name="Hệ thống tỉnh")
        self.assertContains(response, webhooks.secret_open(subscription.secret))
        detail = self.client.get(reverse("api:webhook", args=[subscription.pk]))
        self.assertNotContains(detail, webhooks.secret_open(subscription.secret))

    def test_a_bad_address_is_refused_with_the_form_kept(self):
        self.client.force_login(self.admin)
        data = {"name": "Hệ thống tỉnh", "unit": self.world.haichau_pc.pk, "url": "http://lgsp.example.gov.vn/x"}
        response = self.client.post(reverse("api:webhook_create"), {**data, "events": ["dossier.submitted"]})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Hệ thống tỉnh", status_code=400)
        self.assertContains(response, "http://lgsp.example.gov.vn/x", status_code=400)
        self.assertFalse(WebhookSubscription.objects.filter(name="Hệ thống tỉnh").exists())

    def test_change_deactivate_and_retry_now_through_the_pages(self):
        self.client.force_login(self.admin)
        pk = self.subscription.pk
        data = {"name": "LGSP mới", "url": "https://lgsp.danang.gov.vn/x", "events": ["award.revoked"]}
        self.assertRedirects(
            self.client.post(reverse("api:webhook_edit", args=[pk]), data), reverse("api:webhook", args=[pk])
        )
        self.subscription.refresh_from_db()
        self.assertEqual((self.subscription.name, self.subscription.events), ("LGSP mới", ["award.revoked"]))
        (failed,) = deliveries(self.subscription, 1)
        page = self.client.get(reverse("api:webhook", args=[pk]))
        self.assertContains(page, reverse("api:webhook_retry", args=[failed.pk]))
        with self.captureOnCommitCallbacks(execute=False):
            response = self.client.post(
                reverse("api:webhook_retry", args=[failed.pk]), {"next": reverse("api:webhooks")}
            )
        self.assertRedirects(response, reverse("api:webhooks"))
        failed.refresh_from_db()
        self.assertEqual((failed.status, failed.attempts), (DeliveryStatus.PENDING, 0))
        self.assertTrue(LedgerEntry.objects.filter(event=AuditEvent.WEBHOOK_RETRIED, actor=self.admin).exists())
        response = self.client.post(reverse("api:webhook_deactivate", args=[pk]))
        self.assertRedirects(response, reverse("api:webhook", args=[pk]))
        self.subscription.refresh_from_db()
        self.assertFalse(self.subscription.is_active)

    def test_another_units_administrator_gets_404(self):
        (delivery,) = deliveries(self.subscription, 1)
        self.client.force_login(self.foreign_admin)
        pk = self.subscription.pk
        for url in (
            reverse("api:webhook", args=[pk]),
            reverse("api:webhook_edit", args=[pk]),
            reverse("api:webhook_deactivate", args=[pk]),
        ):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(reverse("api:webhook_deactivate", args=[pk])).status_code, 404)
        self.assertEqual(self.client.post(reverse("api:webhook_retry", args=[delivery.pk])).status_code, 404)
        self.assertNotContains(self.client.get(reverse("api:webhooks")), "LGSP Hải Châu")
        for url in (
            reverse("api:v1_webhook", args=[pk]),
            reverse("api:v1_webhook_deliveries", args=[pk]),
        ):
            self.assertProblem(self.get(url), 404)
        self.assertEqual(self.get(reverse("api:v1_webhooks")).json()["results"], [])
        self.subscription.refresh_from_db()
        self.assertTrue(self.subscription.is_active)

    def test_the_pages_speak_in_peoples_words_in_both_languages(self):
        deliveries(self.subscription, 2)
        deliveries(self.subscription, 1, status=DeliveryStatus.PENDING)
        self.client.force_login(self.admin)
        urls = [
            reverse("api:webhooks"),
            reverse("api:webhook", args=[self.subscription.pk]),
            reverse("api:webhook_create"),
            reverse("api:webhook_edit", args=[self.subscription.pk]),
        ]
        for url in urls:
            response = self.client.get(url, headers={"Accept-Language": "vi"})
            text = response.content.decode()
            self.assertEqual(findings(html_pieces(text), ignore=[self.admin.username]), [], url)
            for code in WebhookEvent.values:
                self.assertNotIn(code, text.replace(f'value="{code}"', ""), url)
        page = self.client.get(reverse("api:webhooks"))
        self.assertContains(page, str(WebhookEvent.DECISION_ISSUED.label))
        self.admin.language = "en"
        self.admin.save(update_fields=["language"])
        self.client.force_login(self.admin)
        english = self.client.get(reverse("api:webhooks"))
        self.assertContains(english, "Decision issued")
        self.assertContains(english, "Failed (given up)")

    def test_the_list_page_reads_the_same_number_of_queries_at_n_and_2n_deliveries(self):
        self.client.force_login(self.admin)
        counts = []
        for _ in range(2):
            deliveries(self.subscription, 5)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(reverse("api:webhooks")).status_code, 200)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])


@override_settings(TASKS=QUEUED)
class WebhookApiTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.admin = grant(Role.ADMIN, cls.world.danang_pc)
        cls.subscription, _secret = services.webhook_subscription_create(
            actor=cls.admin, unit=cls.world.haichau_pc, name="LGSP", url=URL, events=[WebhookEvent.DECISION_ISSUED]
        )

    def test_an_administrator_reads_subscriptions_and_deliveries(self):
        deliveries(self.subscription, 2)
        self.client.force_login(self.admin)
        listing = self.get(reverse("api:v1_webhooks"), language="en").json()
        self.assertEqual([item["id"] for item in listing["results"]], [self.subscription.pk])
        item = listing["results"][0]
        self.assertEqual(item["events"], [{"code": "decision.issued", "label": "Decision issued"}])
        self.assertNotIn("secret", item)
        detail = self.get(reverse("api:v1_webhook", args=[self.subscription.pk])).json()
        self.assertEqual((detail["url"], detail["unit"]), (URL, self.world.haichau_pc.pk))
        page = self.get(reverse("api:v1_webhook_deliveries", args=[self.subscription.pk]), language="en").json()
        self.assertEqual(len(page["results"]), 2)
        first = page["results"][0]
        self.assertEqual(first["status"], {"code": "failed", "label": "Failed (given up)"})
        self.assertEqual((first["attempts"], first["last_status_code"]), (8, 500))

    def test_someone_who_administers_nothing_is_refused(self):
        token = self.token_for(self.world.haichau_pc, Role.APPROVER)
        self.assertProblem(self.get(reverse("api:v1_webhooks"), token), 403)
        self.assertProblem(self.get(reverse("api:v1_webhook", args=[self.subscription.pk]), token), 403)
        self.client.force_login(grant(Role.SUBMITTER, self.world.haichau_pc))
        self.assertProblem(self.get(reverse("api:v1_webhooks")), 403)
