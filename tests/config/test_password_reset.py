"""The password-reset e-mail goes through the outbox like every other: written with the request, delivered after
the commit, retried when the mail server fails, and its link lets the person choose a new password."""

import re
from unittest import mock

from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutgoingEmail, OutgoingEmailStatus
from notifications.outbox import outbox_deliver_due
from tests.base import MeritflowTestCase, make_user

LINK = re.compile(r"https?://\S+/accounts/reset/\S+/")
PASSWORD = "Hoa-sen-2026-tím"


class PasswordResetOutboxTests(MeritflowTestCase):
    def ask_for_reset(self, email):
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("password_reset"), {"email": email})
        self.assertRedirects(response, reverse("password_reset_done"))

    def test_the_reset_mail_is_written_to_the_outbox_and_its_link_works(self):
        officer = make_user("hc.appraiser", email="lan.tran@danang.gov.vn")
        self.ask_for_reset("lan.tran@danang.gov.vn")
        outgoing = OutgoingEmail.objects.get()
        self.assertEqual(outgoing.recipient, "lan.tran@danang.gov.vn")
        self.assertEqual(outgoing.status, OutgoingEmailStatus.SENT)
        self.assertEqual(len(mail.outbox), 1)
        link = LINK.search(mail.outbox[0].body).group(0)
        form = self.client.get(link, follow=True)
        response = self.client.post(
            form.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True
        )
        self.assertEqual(response.status_code, 200)
        officer.refresh_from_db()
        self.assertTrue(officer.check_password(PASSWORD))

    def test_a_failing_mail_server_leaves_the_reset_mail_waiting_for_a_retry(self):
        make_user("hc.appraiser", email="lan.tran@danang.gov.vn")
        with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")):
            self.ask_for_reset("lan.tran@danang.gov.vn")
        outgoing = OutgoingEmail.objects.get()
        self.assertEqual(outgoing.status, OutgoingEmailStatus.PENDING)
        self.assertEqual(outgoing.attempts, 1)
        self.assertIn("down", outgoing.last_error)
        OutgoingEmail.objects.update(next_attempt_at=timezone.now())  # the retry's time has come
        self.assertEqual(outbox_deliver_due(), 1)
        self.assertEqual(len(mail.outbox), 1)

    def test_the_administration_never_shows_the_reset_link(self):
        make_user("hc.appraiser", email="lan.tran@danang.gov.vn")
        self.ask_for_reset("lan.tran@danang.gov.vn")
        link = LINK.search(mail.outbox[0].body).group(0)
        outgoing = OutgoingEmail.objects.get()
        root = get_user_model().objects.create_superuser("root", password="pw-for-tests")
        self.client.force_login(root)
        for page in ("change", "history"):
            with self.subTest(page=page):
                response = self.client.get(reverse(f"admin:notifications_outgoingemail_{page}", args=[outgoing.pk]))
                self.assertContains(response, "lan.tran@danang.gov.vn")
                self.assertNotContains(response, link.split("/accounts/")[1])

    def test_an_unknown_address_writes_nothing(self):
        self.ask_for_reset("nobody@example.vn")
        self.assertFalse(OutgoingEmail.objects.exists())
