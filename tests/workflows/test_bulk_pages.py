"""viewflow's bulk assign/unassign pages and the process list, probed from outside as the right and the wrong user."""

from django.urls import reverse
from viewflow.workflow.models import Task

from nominations import services as nomination_services
from nominations.models import CommendationKind, Dossier, SubjectType
from org_hierarchy.models import Role
from tests.base import grant
from workflows.flows import NominationFlow
from workflows.selectors import node_url

from .base import FlowTestCase

HUGE = "99999999999999999999"


class BulkPagesTests(FlowTestCase):
    def setUp(self):
        # A dossier waiting for the ward's appraisal (own) and one waiting for the ward police's (foreign).
        self.own = self.submit(self.make_dossier(self.commune_award, nominees=1, title="Hồ sơ của phường"))
        foreign_submitter = grant(Role.SUBMITTER, self.world.thanhkhe_pc)
        self.foreign = self.submit_as(foreign_submitter, title="Hồ sơ của phường Thanh Khê")
        self.own_task, self.foreign_task = self.open_task(self.own), self.open_task(self.foreign)

    def submit_as(self, submitter, *, title):
        dossier = nomination_services.dossier_create(
            actor=submitter,
            originating_unit=self.world.thanhkhe_pc,
            title=title,
            kind=CommendationKind.ANNUAL,
            award_type=self.commune_award,
            year=2026,
        )
        nomination_services.nominee_add(
            dossier=dossier, actor=submitter, subject_type=SubjectType.INDIVIDUAL, full_name="Trần Thị Khác"
        )
        self.login(submitter)
        self.client.post(node_url(NominationFlow.submit, "execute"), {"dossier": dossier.pk})
        return NominationFlow.process_class.objects.get(artifact_object_id=dossier.pk)

    def label(self, task):
        """The task's row: its dossier's title."""
        return f"<td>{Dossier.objects.get(pk=task.process.artifact_object_id).title}</td>"

    def test_assign_page_without_ids_lists_only_the_users_queue(self):
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        response = self.client.post(reverse("nomination:tasks_assign"), {})
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn(self.label(self.own_task), page)
        self.assertNotIn(self.label(self.foreign_task), page)

    def test_a_foreign_id_is_not_assigned(self):
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        response = self.client.post(reverse("nomination:tasks_assign"), {"pk": [self.foreign_task.pk], "_confirm": "1"})
        self.assertLess(response.status_code, 500)
        self.foreign_task.refresh_from_db()
        self.assertIsNone(self.foreign_task.owner_id)

    def test_own_ids_are_assigned_then_unassigned(self):
        appraiser = self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        response = self.client.post(reverse("nomination:tasks_assign"), {"pk": [self.own_task.pk], "_confirm": "1"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Task.objects.get(pk=self.own_task.pk).owner, appraiser)
        response = self.client.post(reverse("nomination:tasks_unassign"), {})
        self.assertIn(self.label(self.own_task), response.content.decode())
        self.client.post(reverse("nomination:tasks_unassign"), {"pk": [self.own_task.pk], "_confirm": "1"})
        self.assertIsNone(Task.objects.get(pk=self.own_task.pk).owner_id)

    def test_unassign_page_without_ids_lists_only_the_users_steps(self):
        police = grant(Role.APPRAISER, self.world.thanhkhe_pc)
        self.login(police)
        self.client.post(reverse("nomination:tasks_assign"), {"pk": [self.foreign_task.pk], "_confirm": "1"})
        self.assertEqual(Task.objects.get(pk=self.foreign_task.pk).owner, police)
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        page = self.client.post(reverse("nomination:tasks_unassign"), {}).content.decode()
        self.assertNotIn(self.label(self.foreign_task), page)

    def test_an_id_out_of_range_is_a_404(self):
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        for name in ("nomination:tasks_assign", "nomination:tasks_unassign"):
            with self.subTest(name=name):
                response = self.client.post(reverse(name), {"pk": [HUGE], "_confirm": "1"})
                self.assertEqual(response.status_code, 404)

    def test_a_page_number_out_of_range_is_a_404(self):
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        response = self.client.get(reverse("nomination:process_list"), {"page": HUGE})
        self.assertEqual(response.status_code, 404)


class OneStepPagesTests(FlowTestCase):
    """viewflow's pages that take one step and hand it back, in the application's words and without inline styles."""

    def test_the_step_is_taken_then_handed_back(self):
        process = self.submit(self.make_dossier(self.commune_award, nominees=1, title="Hồ sơ của phường"))
        task = self.open_task(process)
        appraiser = self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        page = self.client.get(node_url(task.flow_task, "assign", process.pk, task.pk))
        self.assertContains(page, "Nhận bước này")
        self.assertContains(page, "Hồ sơ của phường")
        self.assertContains(page, str(task.flow_task.task_title))
        self.assertNotContains(page, "style=")
        self.client.post(node_url(task.flow_task, "assign", process.pk, task.pk))
        self.assertEqual(Task.objects.get(pk=task.pk).owner, appraiser)
        page = self.client.get(node_url(task.flow_task, "unassign", process.pk, task.pk))
        self.assertContains(page, "Trả bước này lại hàng chờ")
        self.assertNotContains(page, "style=")
        self.client.post(node_url(task.flow_task, "unassign", process.pk, task.pk))
        self.assertIsNone(Task.objects.get(pk=task.pk).owner_id)
