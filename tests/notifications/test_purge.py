import datetime
import io

from django.core.management import CommandError, call_command
from django.utils import timezone

from notifications import services
from notifications.models import EmailMode, Notification
from tests.base import MeritflowTestCase, make_user


class PurgeTests(MeritflowTestCase):
    def test_only_old_read_notifications_go(self):
        user = make_user()
        digest_user = make_user()
        services.preference_set(user=digest_user, email_mode=EmailMode.DIGEST)
        old = timezone.now() - datetime.timedelta(days=400)
        recent = timezone.now() - datetime.timedelta(days=10)
        keep, gone = [], []

        def make(recipient, *, created_at, read, digested=False):
            [notification] = services.notify(recipients=[recipient], event="e", title="t")
            Notification.objects.filter(pk=notification.pk).update(
                created_at=created_at,
                read_at=created_at if read else None,
                digested_at=created_at if digested else None,
            )
            return notification.pk

        gone.append(make(user, created_at=old, read=True))
        gone.append(make(digest_user, created_at=old, read=True, digested=True))
        keep.append(make(user, created_at=old, read=False))
        keep.append(make(digest_user, created_at=old, read=True, digested=False))
        keep.append(make(user, created_at=recent, read=True))

        output = io.StringIO()
        call_command("purge_notifications", "--days", "365", stdout=output)

        self.assertEqual(output.getvalue().strip(), "2 notification(s) deleted.")
        self.assertEqual(sorted(Notification.objects.values_list("pk", flat=True)), sorted(keep))

    def test_days_must_be_positive(self):
        with self.assertRaises(CommandError):
            call_command("purge_notifications", "--days", "0")
