import datetime
import io

from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications import services
from notifications.models import EmailMode, Notification
from tests.base import MeritflowTestCase, make_user

EVENT = "stage.returned"


class ImmediateEmailTests(MeritflowTestCase):
    def test_one_message_per_event_in_each_recipients_language(self):
        vietnamese = make_user(language="vi", email="vi@example.vn")
        english = make_user(language="en", email="en@example.vn")
        with self.captureOnCommitCallbacks(execute=True):
            services.notify(recipients=[vietnamese, english], event=EVENT, title=_("Notifications"), url="/d/3/")
        self.assertEqual(len(mail.outbox), 2)
        by_address = {message.to[0]: message for message in mail.outbox}
        vi_message, en_message = by_address["vi@example.vn"], by_address["en@example.vn"]
        self.assertEqual(vi_message.subject, "[meritflow] Thông báo")
        self.assertIn("Kính gửi", vi_message.body)
        self.assertIn("Xem tại đây", vi_message.body)
        self.assertEqual(en_message.subject, "[meritflow] Notifications")
        self.assertIn("Dear", en_message.body)
        self.assertIn("Open it here", en_message.body)
        notification = Notification.objects.get(recipient=english)
        self.assertIn(f"/notifications/{notification.pk}/open/", en_message.body)

    def test_off_sends_no_mail_but_keeps_the_notification(self):
        user = make_user(email="off@example.vn")
        services.preference_set(user=user, email_mode=EmailMode.OFF)
        with self.captureOnCommitCallbacks(execute=True):
            services.notify(recipients=[user], event=EVENT, title="t")
        self.assertEqual(mail.outbox, [])
        self.assertTrue(Notification.objects.filter(recipient=user).exists())

    def test_user_without_address_gets_no_mail(self):
        user = make_user(email="")
        with self.captureOnCommitCallbacks(execute=True):
            services.notify(recipients=[user], event=EVENT, title="t")
        self.assertEqual(mail.outbox, [])
        self.assertIsNone(Notification.objects.get().emailed_at)

    def test_a_header_injection_in_the_title_stays_on_one_line(self):
        user = make_user(email="x@example.vn")
        with self.captureOnCommitCallbacks(execute=True):
            services.notify(recipients=[user], event=EVENT, title="Hồ sơ\nBcc: spy@example.com")
        self.assertEqual(mail.outbox[0].subject, "[meritflow] Hồ sơ Bcc: spy@example.com")
        self.assertEqual(mail.outbox[0].bcc, [])

    @override_settings(SITE_URL="https://khenthuong.example.gov.vn:8443")
    def test_links_start_with_the_configured_site_address(self):
        user = make_user(email="site@example.vn")
        with self.captureOnCommitCallbacks(execute=True):
            [notification] = services.notify(recipients=[user], event=EVENT, title="Hồ sơ bị trả lại", url="/d/3/")
        body = mail.outbox[0].body
        self.assertIn(f"https://khenthuong.example.gov.vn:8443/notifications/{notification.pk}/open/", body)
        self.assertNotIn("localhost", body)
        self.assertNotIn("127.0.0.1", body)


class DigestTests(MeritflowTestCase):
    def setUp(self):
        self.reader = make_user(language="en", email="digest@example.vn")
        services.preference_set(user=self.reader, email_mode=EmailMode.DIGEST)
        self.today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
        self.yesterday = self.today - datetime.timedelta(days=1)

    def notify_at(self, when, user=None, title="t"):
        with self.captureOnCommitCallbacks(execute=True):
            [notification] = services.notify(recipients=[user or self.reader], event=EVENT, title=title)
        Notification.objects.filter(pk=notification.pk).update(created_at=when)
        return notification

    def test_one_summary_of_the_previous_day_sent_once(self):
        self.notify_at(self.yesterday, title="First dossier returned")
        self.notify_at(self.yesterday, title="Second dossier returned")
        waiting = self.notify_at(self.today, title="Today's")
        self.assertEqual(mail.outbox, [])

        output = io.StringIO()
        call_command("send_notification_digest", stdout=output)
        self.assertEqual(output.getvalue().strip(), "1 digest e-mail(s) sent.")
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["digest@example.vn"])
        self.assertEqual(message.subject, "[meritflow] Daily digest: 2 notifications")
        self.assertIn("First dossier returned", message.body)
        self.assertIn("Second dossier returned", message.body)
        self.assertNotIn("Today's", message.body)

        call_command("send_notification_digest", stdout=io.StringIO())
        self.assertEqual(len(mail.outbox), 1)
        waiting.refresh_from_db()
        self.assertIsNone(waiting.digested_at)
        self.assertEqual(Notification.objects.filter(digested_at__isnull=False).count(), 2)

    def test_each_user_gets_their_own_summary_in_their_language(self):
        other = make_user(language="vi", email="khac@example.vn")
        services.preference_set(user=other, email_mode=EmailMode.DIGEST)
        immediate = make_user(email="now@example.vn")
        self.notify_at(self.yesterday)
        self.notify_at(self.yesterday, user=other)
        self.notify_at(self.yesterday, user=immediate)
        mail.outbox.clear()

        self.assertEqual(services.notifications_send_digest(), 2)

        subjects = {message.to[0]: message.subject for message in mail.outbox}
        self.assertEqual(
            subjects,
            {
                "digest@example.vn": "[meritflow] Daily digest: 1 notification",
                "khac@example.vn": "[meritflow] Tổng hợp hằng ngày: 1 thông báo",
            },
        )

    @override_settings(SITE_URL="https://khenthuong.example.gov.vn:8443")
    def test_the_digests_links_start_with_the_configured_site_address(self):
        self.notify_at(self.yesterday, title="Dossier returned")
        call_command("send_notification_digest", stdout=io.StringIO())
        body = mail.outbox[0].body
        self.assertIn("https://khenthuong.example.gov.vn:8443/notifications/", body)
        self.assertIn("https://khenthuong.example.gov.vn:8443/notifications/preferences/", body)
        self.assertNotIn("localhost", body)
        self.assertNotIn("127.0.0.1", body)

    def test_nothing_due_sends_nothing(self):
        self.assertEqual(services.notifications_send_digest(), 0)
        self.assertEqual(mail.outbox, [])
