from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.events import AuditEvent
from audit.models import LedgerEntry, PersonalDataAccess
from audit.services import personal_data_access_record, record
from tests.base import MeritflowTestCase, make_user


class PersonalDataAccessTests(MeritflowTestCase):
    def test_each_reveal_is_recorded_with_viewer_subject_and_field(self):
        viewer = make_user(full_name="Cán bộ Thẩm định")
        subject = self.world.school
        access = personal_data_access_record(viewer=viewer, subject=subject, field="national_id", context="dossier 12")
        personal_data_access_record(viewer=viewer, subject=subject, field="national_id")

        stored = PersonalDataAccess.objects.get(pk=access.pk)
        self.assertEqual(stored.viewer, viewer)
        self.assertEqual(stored.subject_type, ContentType.objects.get_for_model(subject))
        self.assertEqual(stored.subject_id, str(subject.pk))
        self.assertEqual(stored.subject_text, subject.name)
        self.assertEqual(stored.field, "national_id")
        self.assertEqual(stored.context, "dossier 12")
        self.assertIsNotNone(stored.viewed_at)
        self.assertEqual(PersonalDataAccess.objects.filter(viewer=viewer).count(), 2)


class AdminIsReadOnlyTests(MeritflowTestCase):
    def test_superuser_can_list_but_not_change_or_delete(self):
        entry = record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="mở đợt")
        superuser = make_user(is_superuser=True, is_staff=True)
        self.client.force_login(superuser)
        self.assertContains(self.client.get(reverse("admin:audit_ledgerentry_changelist")), "campaign.changed")
        change_url = reverse("admin:audit_ledgerentry_change", args=[entry.pk])
        self.assertNotContains(self.client.get(change_url), 'name="_save"')
        self.client.post(change_url, {"reason": "sửa"})
        self.assertEqual(self.client.get(reverse("admin:audit_ledgerentry_add")).status_code, 403)
        self.assertEqual(self.client.post(reverse("admin:audit_ledgerentry_delete", args=[entry.pk])).status_code, 403)
        self.assertEqual(LedgerEntry.objects.get(pk=entry.pk).reason, "mở đợt")
