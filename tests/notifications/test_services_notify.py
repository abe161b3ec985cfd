import datetime

from django.contrib.auth import get_user_model
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils.translation import gettext_lazy as _

from notifications import services
from notifications.models import EmailMode, Notification, OutgoingEmail, OutgoingEmailStatus
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, grant, make_user

EVENT = "stage.received"


class NotifyTests(MeritflowTestCase):
    def setUp(self):
        self.appraiser = grant(Role.APPRAISER, self.world.danang_police, user=make_user(email="a@example.vn"))
        self.other_appraiser = grant(Role.APPRAISER, self.world.danang_police, user=make_user(email="b@example.vn"))
        self.bystander = grant(Role.APPRAISER, self.world.hanoi_police, user=make_user(email="c@example.vn"))

    def test_creates_one_row_per_recipient_and_nobody_else(self):
        with self.captureOnCommitCallbacks(execute=True):
            created = services.notify(
                recipients=[self.appraiser, self.other_appraiser, self.appraiser],
                event=EVENT,
                title="A dossier awaits appraisal",
                body="Hồ sơ 12",
                url="/dossiers/12/",
                subject=self.world.danang_police,
                data={"dossier": 12, "deadline": datetime.date(2026, 12, 31)},
            )
        self.assertEqual(len(created), 2)
        rows = Notification.objects.order_by("recipient_id")
        self.assertEqual([n.recipient_id for n in rows], sorted([self.appraiser.pk, self.other_appraiser.pk]))
        first = rows[0]
        self.assertEqual(
            (first.event, first.url, first.data), (EVENT, "/dossiers/12/", {"dossier": 12, "deadline": "2026-12-31"})
        )
        self.assertEqual(first.subject, self.world.danang_police)
        self.assertIsNone(first.read_at)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["a@example.vn", "b@example.vn"])
        self.assertFalse(Notification.objects.filter(recipient=self.bystander).exists())
        self.assertFalse(Notification.objects.filter(emailed_at__isnull=True).exists())

    def test_inactive_users_are_skipped(self):
        self.other_appraiser.is_active = False
        self.other_appraiser.save(update_fields=["is_active"])
        with self.captureOnCommitCallbacks(execute=True):
            services.notify(recipients=[self.appraiser, self.other_appraiser], event=EVENT, title="t")
        self.assertEqual(list(Notification.objects.values_list("recipient_id", flat=True)), [self.appraiser.pk])

    def test_no_recipients_creates_nothing_and_queues_nothing(self):
        with self.captureOnCommitCallbacks() as callbacks:
            self.assertEqual(services.notify(recipients=[], event=EVENT, title="t"), [])
        self.assertEqual(callbacks, [])

    def test_rolled_back_transaction_sends_nothing(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    services.notify(recipients=[self.appraiser], event=EVENT, title="t")
                    raise RuntimeError("the transition failed")
            except RuntimeError:
                pass
        self.assertEqual(callbacks, [])
        self.assertEqual(mail.outbox, [])
        self.assertFalse(Notification.objects.exists())

    def test_title_is_rendered_in_each_recipients_language(self):
        english = make_user(language="en", email="en@example.vn")
        with self.captureOnCommitCallbacks(execute=True):
            services.notify(recipients=[self.appraiser, english], event=EVENT, title=_("Notifications"))
        titles = dict(Notification.objects.values_list("recipient_id", "title"))
        self.assertEqual(titles[english.pk], "Notifications")
        self.assertEqual(titles[self.appraiser.pk], "Thông báo")

    def test_email_mode_follows_the_event_rule_then_the_default(self):
        services.preference_set(user=self.appraiser, email_mode=EmailMode.DIGEST)
        services.preference_set(user=self.appraiser, event=EVENT, email_mode=EmailMode.OFF)
        services.preference_set(user=self.other_appraiser, email_mode=EmailMode.DIGEST)
        with self.captureOnCommitCallbacks(execute=True):
            services.notify(recipients=[self.appraiser, self.other_appraiser], event=EVENT, title="t")
            services.notify(recipients=[self.appraiser], event="stage.reminded", title="t")
        modes = set(Notification.objects.values_list("recipient_id", "event", "email_mode"))
        self.assertEqual(
            modes,
            {
                (self.appraiser.pk, EVENT, EmailMode.OFF),
                (self.other_appraiser.pk, EVENT, EmailMode.DIGEST),
                (self.appraiser.pk, "stage.reminded", EmailMode.DIGEST),
            },
        )
        self.assertEqual(mail.outbox, [])


# The e-mails are delivered by the tasks worker, not in the request: a backend that only records the task.
@override_settings(TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}})
class NotifyQueryCountTests(MeritflowTestCase):
    def test_queries_do_not_grow_with_the_recipients(self):
        people = [make_user(email=f"p{n}@example.vn") for n in range(20)]
        services.preference_set(user=people[0], email_mode=EmailMode.DIGEST)
        for batch in (people[:10], people):
            # In the transition: the preferences, the notifications, the outbox; after commit the pushes read
            # nothing (the open sockets count their user's unread notices).
            with self.assertNumQueries(3), self.captureOnCommitCallbacks(execute=True):
                services.notify(recipients=batch, event=EVENT, title="t", subject=self.world.danang_pc)
        self.assertEqual(Notification.objects.count(), 30)
        self.assertEqual(OutgoingEmail.objects.filter(status=OutgoingEmailStatus.PENDING).count(), 28)
        self.assertEqual(mail.outbox, [])

    def test_a_queryset_of_recipients_is_read_with_their_email_modes(self):
        people = [make_user(email=f"q{n}@example.vn") for n in range(3)]
        services.preference_set(user=people[0], email_mode=EmailMode.DIGEST)
        services.preference_set(user=people[1], event=EVENT, email_mode=EmailMode.OFF)
        recipients = get_user_model().objects.filter(pk__in=[person.pk for person in people])
        # In the transition: the recipients with their modes, the notifications, the one e-mail in the outbox.
        with self.assertNumQueries(3), self.captureOnCommitCallbacks(execute=False):
            services.notify(recipients=recipients, event=EVENT, title="t")
        self.assertEqual(
            dict(Notification.objects.values_list("recipient_id", "email_mode")),
            {people[0].pk: EmailMode.DIGEST, people[1].pk: EmailMode.OFF, people[2].pk: EmailMode.IMMEDIATE},
        )
