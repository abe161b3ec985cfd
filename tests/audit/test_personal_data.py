from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from audit.events import AuditEvent
from audit.models import LedgerEntry, PersonalDataAccess
from audit.services import personal_data_access_record, record
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, make_user
from tests.nominations.support import draft


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


class RevealedNationalIdsReachTheirProvinceTests(MeritflowTestCase):
    """A national ID shown on a dossier is logged with the dossier's unit, so that unit's auditors see it."""

    def reveal(self, unit, name):
        dossier, submitter = draft(unit, nominees=1)
        nominee = dossier.nominees.get()
        submitter.full_name = name
        submitter.save(update_fields=["full_name"])
        self.client.force_login(submitter)
        response = self.client.get(reverse("nominations:national_id", args=[dossier.pk, nominee.pk]))
        self.assertContains(response, nominee.national_id)
        return dossier

    def test_a_provincial_auditor_sees_their_province_and_not_another(self):
        danang = self.reveal(self.world.residential_group, "Người Xem Đà Nẵng")
        self.reveal(self.world.badinh_pc, "Người Xem Hà Nội")
        self.assertEqual(
            PersonalDataAccess.objects.get(viewer__full_name="Người Xem Đà Nẵng").unit, danang.originating_unit
        )

        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(reverse("audit:personal_data"))
        self.assertContains(response, 'class="access-row"', count=1)
        self.assertContains(response, "Người Xem Đà Nẵng")
        self.assertNotContains(response, "Người Xem Hà Nội")

        self.act_as(Role.AUDITOR, self.world.hanoi_pc)
        response = self.client.get(reverse("audit:personal_data"))
        self.assertContains(response, 'class="access-row"', count=1)
        self.assertContains(response, "Người Xem Hà Nội")
