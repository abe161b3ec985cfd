"""Auditors cannot change anything, whatever the URL: every state-changing request is a translated 403."""

from django.urls import reverse
from viewflow.workflow.status import STATUS

from nominations.models import Dossier, DossierStatus
from org_hierarchy.models import Role
from tests.workflows.base import FlowTestCase
from workflows.flows import NominationFlow
from workflows.selectors import node_url

REFUSAL = "Kiểm tra viên không được thay đổi dữ liệu"


class AuditorsCannotChangeAnythingTests(FlowTestCase):
    def setUp(self):
        self.dossier = self.make_dossier(self.ministry_award)
        self.process = self.submit(self.dossier)
        self.task = self.open_task(self.process)
        self.auditor = self.act_as(Role.AUDITOR, self.world.mps)
        self.auditor.is_staff = True
        self.auditor.save(update_fields=["is_staff"])
        self.client.logged_in_as = self.auditor.pk

    def assert_refused(self, response):
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, REFUSAL, status_code=403)

    def test_workflow_task_urls_are_refused(self):
        for action in ("assign", "execute"):
            with self.subTest(action=action):
                url = node_url(self.task.flow_task, action, self.process.pk, self.task.pk)
                self.assert_refused(self.client.post(url, {"opinion": "Đồng ý"}))
        self.assert_refused(self.client.post(node_url(NominationFlow.submit, "execute"), {"dossier": self.dossier.pk}))
        self.assert_refused(
            self.client.post(reverse("workflows:withdraw", args=[self.process.pk]), {"reason": "Rút hồ sơ"})
        )
        self.task.refresh_from_db()
        self.assertEqual((self.task.status, self.task.owner), (STATUS.NEW, None))
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.status, DossierStatus.SUBMITTED)

    def test_dossier_editing_is_refused_for_every_write_method(self):
        nominee = self.dossier.nominees.first()
        edit = reverse("nominations:dossier_edit", args=[self.dossier.pk])
        self.assert_refused(self.client.post(edit, {"title": "Tiêu đề mới"}))
        self.assert_refused(self.client.post(reverse("nominations:nominee_remove", args=[self.dossier.pk, nominee.pk])))
        self.assert_refused(self.client.post(reverse("nominations:dossier_create"), {"title": "Hồ sơ mới"}))
        detail = reverse("nominations:dossier_detail", args=[self.dossier.pk])
        for method in (self.client.put, self.client.patch, self.client.delete):
            with self.subTest(method=method.__name__):
                self.assert_refused(method(detail))
        self.assertEqual(Dossier.objects.get(pk=self.dossier.pk).title, self.dossier.title)
        self.assertTrue(self.dossier.nominees.filter(pk=nominee.pk).exists())

    def test_the_admin_is_refused_even_to_a_staff_auditor(self):
        url = reverse("admin:nominations_dossier_change", args=[self.dossier.pk])
        self.assert_refused(self.client.post(url, {"title": "Sửa qua trang quản trị"}))
        self.assert_refused(self.client.post(reverse("admin:audit_ledgerentry_changelist"), {"action": "delete"}))
        self.assertEqual(Dossier.objects.get(pk=self.dossier.pk).title, self.dossier.title)

    def test_personal_actions_pass(self):
        response = self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.post(reverse("notifications:read_all")).status_code, 302)
        self.assertEqual(self.client.post(reverse("logout")).status_code, 302)

    def test_the_refusal_speaks_the_auditors_language(self):
        self.client.post(reverse("set_language"), {"language": "en", "next": "/"})
        response = self.client.post(reverse("nominations:dossier_edit", args=[self.dossier.pk]), {})
        self.assertContains(response, "Auditors cannot change anything", status_code=403)

    def test_an_auditor_who_also_holds_another_role_is_not_an_auditor_only(self):
        self.client.force_login(self.submitter)
        self.client.logged_in_as = self.submitter.pk
        self.act_as(Role.AUDITOR, self.world.haichau_pc, user=self.submitter)
        dossier = self.make_dossier(self.ministry_award, title="Hồ sơ thứ hai")
        self.submit(dossier)
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.SUBMITTED)

    def test_auditors_see_no_action_buttons(self):
        detail = self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        self.assertEqual(detail.status_code, 200)
        for url in (
            reverse("nominations:dossier_edit", args=[self.dossier.pk]),
            reverse("nominations:nominee_create", args=[self.dossier.pk]),
            reverse("nominations:attachment_create", args=[self.dossier.pk]),
        ):
            self.assertNotContains(detail, url)
        journey = self.client.get(self.journey_url(self.process))
        self.assertEqual(journey.status_code, 200)
        self.assertNotContains(journey, reverse("workflows:withdraw", args=[self.process.pk]))
        self.assertNotContains(journey, node_url(self.task.flow_task, "assign", self.process.pk, self.task.pk))
        self.assertNotContains(journey, node_url(self.task.flow_task, "execute", self.process.pk, self.task.pk))
        queue = self.client.get(reverse("workflows:queue"))
        self.assertNotContains(queue, self.execute_url(self.task), status_code=queue.status_code)
