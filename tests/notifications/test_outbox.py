"""The e-mail outbox: written with the transition, delivered after its commit, retried, given up, never doubled."""

import email.utils
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from notifications import outbox, services
from notifications.models import Notification, OutgoingEmail, OutgoingEmailStatus
from tests.base import MeritflowTestCase, make_user
from tests.smtp_sink import SmtpSink

EVENT = "stage.received"
QUEUED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


class OutboxTests(MeritflowTestCase):
    def setUp(self):
        self.reader = make_user(email="reader@example.vn")

    def test_the_email_is_written_with_the_transition_and_sent_after_its_commit(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            notification = services.notify(recipients=[self.reader], event=EVENT, title="Hồ sơ mới")[0]
        email_row = OutgoingEmail.objects.get()
        self.assertEqual(email_row.notification, notification)
        self.assertEqual((email_row.recipient, email_row.status), ("reader@example.vn", OutgoingEmailStatus.PENDING))
        self.assertEqual(mail.outbox, [])
        for callback in callbacks:
            callback()
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].extra_headers["Message-ID"], email_row.message_id)
        email_row.refresh_from_db()
        self.assertEqual(email_row.status, OutgoingEmailStatus.SENT)
        self.assertEqual(email_row.attempts, 1)
        notification.refresh_from_db()
        self.assertEqual(notification.emailed_at, email_row.sent_at)

    def test_a_rolled_back_transition_leaves_nothing_to_send(self):
        with self.captureOnCommitCallbacks(execute=True):
            try:
                with transaction.atomic():
                    services.notify(recipients=[self.reader], event=EVENT, title="t")
                    raise RuntimeError("the transition failed")
            except RuntimeError:
                pass
        self.assertFalse(OutgoingEmail.objects.exists())
        self.assertEqual(mail.outbox, [])

    @override_settings(TASKS=QUEUED)
    def test_a_failing_mail_server_is_retried_later_and_finally_given_up(self):
        services.notify(recipients=[self.reader], event=EVENT, title="t")
        email_row = OutgoingEmail.objects.get()
        now = timezone.now()
        with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=OSError("down")):
            with self.assertLogs("notifications.outbox", "WARNING"):
                self.assertEqual(outbox.outbox_deliver_due(now=now), 0)
            email_row.refresh_from_db()
            self.assertEqual((email_row.status, email_row.attempts), (OutgoingEmailStatus.PENDING, 1))
            self.assertEqual(email_row.last_error, "OSError: down")
            self.assertGreaterEqual(email_row.next_attempt_at, now + outbox.RETRY_DELAYS[0])
            # Not due again before its delay; each failure waits longer.
            self.assertEqual(outbox.outbox_deliver_due(now=now), 0)
            self.assertEqual(OutgoingEmail.objects.get().attempts, 1)
            delays = []
            with self.assertLogs("notifications.outbox", "WARNING"):
                for _attempt in range(outbox.MAX_ATTEMPTS - 1):
                    before = OutgoingEmail.objects.get().next_attempt_at
                    OutgoingEmail.objects.update(next_attempt_at=timezone.now())
                    outbox.outbox_deliver_due()
                    delays.append(OutgoingEmail.objects.get().next_attempt_at - before)
        email_row.refresh_from_db()
        self.assertEqual(email_row.status, OutgoingEmailStatus.DEAD)
        self.assertEqual(email_row.attempts, outbox.MAX_ATTEMPTS)
        self.assertEqual(outbox.outbox_deliver_due(now=now + timedelta(days=30)), 0)
        self.assertEqual(mail.outbox, [])

    def test_administrators_see_the_given_up_emails_and_retry_them(self):
        with self.captureOnCommitCallbacks(execute=False):
            services.notify(recipients=[self.reader], event=EVENT, title="Thư bị trả lại")
        OutgoingEmail.objects.update(status=OutgoingEmailStatus.DEAD, attempts=8, last_error="SMTPRecipientsRefused")
        admin = get_user_model().objects.create_superuser("root", "root@example.vn", "pw-for-tests")
        self.client.force_login(admin)
        page = self.client.get("/admin/notifications/outgoingemail/", {"status__exact": "dead"})
        self.assertContains(page, "reader@example.vn")
        self.assertContains(page, "SMTPRecipientsRefused")
        email_row = OutgoingEmail.objects.get()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                "/admin/notifications/outgoingemail/",
                {"action": "retry", "_selected_action": [email_row.pk]},
                follow=True,
            )
        self.assertContains(response, "1 thư đang chờ được gửi lại.")
        email_row.refresh_from_db()
        self.assertEqual(email_row.status, OutgoingEmailStatus.SENT)
        self.assertEqual(len(mail.outbox), 1)
        retried = email_row.history.get(history_change_reason=outbox.RETRY_CHANGE_REASON)
        self.assertEqual((retried.history_user, retried.status), (admin, OutgoingEmailStatus.PENDING))

    def test_someone_without_the_right_cannot_retry(self):
        with self.captureOnCommitCallbacks(execute=False):
            services.notify(recipients=[self.reader], event=EVENT, title="t")
        OutgoingEmail.objects.update(status=OutgoingEmailStatus.DEAD)
        staff = make_user("staff", is_staff=True)
        self.client.force_login(staff)
        response = self.client.post(
            "/admin/notifications/outgoingemail/",
            {"action": "retry", "_selected_action": [OutgoingEmail.objects.get().pk]},
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(OutgoingEmail.objects.get().status, OutgoingEmailStatus.DEAD)

    @override_settings(TASKS=QUEUED)
    def test_the_dispatcher_brings_due_retries_to_the_worker(self):
        services.notify(recipients=[self.reader], event=EVENT, title="t")
        with mock.patch("notifications.outbox.outbox_kick") as kick:
            call_command("dispatch_timers", stdout=io.StringIO())
        kick.assert_called_once()
        self.assertEqual(Notification.objects.get().emailed_at, None)


# Five e-mails in the outbox; the mail server holds the third before accepting it and the worker is killed then.
SEED = """
from django.core.mail import EmailMessage
from notifications import outbox
outbox.outbox_write([EmailMessage(subject=f"Thư {n}", body="Nội dung", to=[f"r{n}@example.vn"]) for n in range(5)])
outbox.outbox_kick()
"""
REPORT = """
import json
from notifications.models import OutgoingEmail
print(json.dumps({row.subject: [row.status, row.attempts, row.message_id] for row in OutgoingEmail.objects.all()}))
"""


def _manage(env, *args) -> str:
    completed = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def _worker(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )


def test_a_worker_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(tmp_path):
    with SmtpSink() as sink:
        sink.hold_message = 3
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "MERITFLOW_MODE": "development",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'outbox.sqlite3'}",
            "TASKS_BACKEND": "database",
            "EMAIL_URL": sink.url,
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("REDIS_URL", None)
        _manage(env, "migrate", "--noinput")
        _manage(env, "shell", "--no-imports", "-c", SEED)
        log = tmp_path / "worker.log"
        first = _worker(env, log)
        try:
            assert sink.holding.wait(60), log.read_text()
            # The mail server has the third message but has not accepted it: the worker dies now.
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        assert len(sink.messages) == 2
        sink.hold_message = None
        second = _worker(env, log)
        try:
            # The killed worker's task never finishes; the minute's dispatcher run hands the rest to the new one.
            _manage(env, "dispatch_timers")
            deadline = time.monotonic() + 60
            while len(sink.messages) < 5 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(1)  # anything sent twice would have arrived by now
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(20)
    report = json.loads(_manage(env, "shell", "--no-imports", "-c", REPORT).strip().splitlines()[-1])
    received = sorted(message["Subject"] for message in sink.messages)
    assert received == [f"Thư {n}" for n in range(5)], log.read_text()
    assert sorted(message["Message-ID"] for message in sink.messages) == sorted(row[2] for row in report.values())
    assert {subject: row[:2] for subject, row in report.items()} == {
        "Thư 0": ["sent", 1],
        "Thư 1": ["sent", 1],
        "Thư 2": ["sent", 1],  # the killed attempt rolled back with its transaction
        "Thư 3": ["sent", 1],
        "Thư 4": ["sent", 1],
    }
    assert all(email.utils.parseaddr(message["To"])[1].startswith("r") for message in sink.messages)
