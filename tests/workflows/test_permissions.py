"""Who may act, see and list: from the outside, as each kind of person, against every task and page."""

import datetime

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit.models import LedgerEntry
from nominations import services as nomination_services
from nominations.models import SubjectType
from notifications.models import Notification
from org_hierarchy.models import Membership, Role
from org_hierarchy.roles import permission_for
from tests.base import grant, make_user
from workflows.flows import NominationFlow
from workflows.models import StageOutcome
from workflows.selectors import node_url

from .base import FlowTestCase

TASK_URL_NAMES = ("index", "detail", "assign", "unassign", "execute", "cancel", "undo", "revive")


class PermissionMatrixTests(FlowTestCase):
    """A ministry dossier waiting for appraisal at the city police (province stage)."""

    def setUp(self):
        self.dossier = self.make_dossier(self.ministry_award)
        self.process = self.submit(self.dossier)
        self.appraise(self.process, self.world.haichau_police)
        self.vote(self.process, self.world.haichau_police)
        self.sign(self.process, self.world.haichau_police, StageOutcome.FORWARD)
        self.task = self.open_task(self.process)
        self.assertEqual(self.task.flow_task, NominationFlow.province_appraise)

    def task_urls(self, task):
        urls = []
        for name in TASK_URL_NAMES:
            try:
                urls.append(node_url(task.flow_task, name, task.process_id, task.pk))
            except NoReverseMatch:  # this node has no such action
                continue
        return urls

    def process_urls(self, process):
        return [
            f"/nomination/{process.pk}/",
            f"/nomination/{process.pk}/chart/",
            reverse("workflows:process", args=[process.pk]),
            f"/nomination/{process.pk}/cancel/",
            reverse("workflows:withdraw", args=[process.pk]),
        ]

    def assert_cannot_act(self, user, status):
        self.login(user)
        response = self.client.post(self.execute_url(self.task), {"opinion": "x"})
        self.assertEqual(response.status_code, status)
        assign = self.client.post(node_url(self.task.flow_task, "assign", self.process.pk, self.task.pk))
        self.assertEqual(assign.status_code, status)
        self.task.refresh_from_db()
        self.assertEqual((self.task.status, self.task.owner_id), (STATUS.NEW, None))

    def assert_lists_hide(self, user):
        self.login(user)
        for url in (reverse("workflows:inbox"), reverse("workflows:queue")):
            self.assertNotContains(self.client.get(url), self.dossier.title)
        for url in ("/nomination/flows/", "/nomination/tasks/", "/nomination/queue/", "/nomination/inbox/"):
            response = self.client.get(url)
            self.assertIn(response.status_code, (200, 302, 403))
            self.assertNotContains(response, f"/nomination/{self.process.pk}/", status_code=response.status_code)

    def test_the_appraiser_of_the_stage_unit_sees_and_does_it(self):
        appraiser = self.login(self.officer(self.world.danang_police, Role.APPRAISER))
        self.assertContains(self.client.get(reverse("workflows:queue")), self.dossier.title)
        index = self.client.get(node_url(self.task.flow_task, "index", self.process.pk, self.task.pk))
        self.assertRedirects(index, self.execute_url(self.task), fetch_redirect_response=False)
        self.assertEqual(self.client.get(self.execute_url(self.task)).status_code, 200)
        self.assertTrue(Notification.objects.filter(recipient=appraiser, event="task.waiting").exists())
        self.appraise(self.process, self.world.danang_police)
        self.task.refresh_from_db()
        self.assertEqual((self.task.status, self.task.owner), (STATUS.DONE, appraiser))

    def test_another_role_at_the_stage_unit_is_refused(self):
        for role in (Role.SECRETARY, Role.APPROVER, Role.SUBMITTER, Role.AUDITOR):
            with self.subTest(role=role):
                user = grant(role, self.world.danang_police)
                self.assert_cannot_act(user, 403)
                self.login(user)
                self.assertNotContains(self.client.get(reverse("workflows:queue")), self.dossier.title)

    def test_an_earlier_stage_sees_the_dossier_but_cannot_act_here(self):
        self.assert_cannot_act(self.officer(self.world.haichau_police, Role.APPRAISER), 403)

    def test_neighbouring_ward_and_other_province_get_404_everywhere(self):
        outsiders = [
            grant(Role.APPRAISER, self.world.thanhkhe_police),
            grant(Role.APPRAISER, self.world.hanoi_police),
            grant(Role.APPROVER, self.world.badinh_pc),
        ]
        for user in outsiders:
            with self.subTest(user=user):
                self.login(user)
                for url in self.task_urls(self.task) + self.process_urls(self.process):
                    self.assertEqual(self.client.get(url).status_code, 404, url)
                for url in self.task_urls(self.task) + self.process_urls(self.process)[3:]:
                    self.assertEqual(self.client.post(url).status_code, 404, url)
                self.assert_lists_hide(user)
        self.task.refresh_from_db()
        self.assertEqual(self.task.status, STATUS.NEW)

    def test_a_task_id_under_another_process_id_is_404(self):
        other = self.submit(self.make_dossier(self.commune_award, title="Hồ sơ khác"))
        self.login(self.officer(self.world.danang_police, Role.APPRAISER))
        url = node_url(self.task.flow_task, "execute", other.pk, self.task.pk)
        self.assertEqual(self.client.post(url, {"opinion": "x"}).status_code, 404)

    def test_the_submitter_never_acts_on_their_own_dossier(self):
        grant(Role.APPRAISER, self.world.danang_police, user=self.submitter)
        self.assert_cannot_act(self.submitter, 403)
        self.login(self.submitter)
        self.assertNotContains(self.client.get(reverse("workflows:queue")), self.dossier.title)
        task_link = f"/nomination/{self.process.pk}/province_appraise/{self.task.pk}/"
        self.assertNotContains(self.client.get("/nomination/queue/", follow=True), task_link)

    def test_a_nominee_with_an_account_never_acts_on_the_dossier_naming_them(self):
        nominee_user = grant(Role.APPRAISER, self.world.danang_police, user=make_user("nominee_officer"))
        # Another nominee has no account: the excluded set must hold no NULL, or NOT IN would exclude everyone.
        dossier = self.make_dossier(self.ministry_award, nominees=1, title="Hồ sơ có cán bộ được đề nghị")
        nomination_services.nominee_add(
            dossier=dossier,
            actor=self.submitter,
            subject_type=SubjectType.INDIVIDUAL,
            full_name="Cán bộ được đề nghị",
            user=nominee_user,
        )
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_police)
        self.vote(process, self.world.haichau_police)
        self.sign(process, self.world.haichau_police, StageOutcome.FORWARD)
        task = self.open_task(process)
        self.login(nominee_user)
        self.assertEqual(self.client.post(self.execute_url(task), {"opinion": "x"}).status_code, 403)
        self.assertNotContains(self.client.get(reverse("workflows:queue")), dossier.title)
        # Told of the step were the stage's other appraisers, not the nominee.
        told = Notification.objects.filter(event="task.waiting", subject_id=dossier.pk)
        appraiser = self.officer(self.world.danang_police, Role.APPRAISER)
        self.assertIn(appraiser.pk, told.values_list("recipient", flat=True))
        self.assertFalse(told.filter(recipient=nominee_user).exists())

    def test_an_expired_membership_grants_nothing_before_the_groups_are_resynchronised(self):
        user = grant(Role.APPRAISER, self.world.danang_police, valid_from=timezone.localdate() - datetime.timedelta(30))
        # The date passes; the periodic group synchronisation has not run yet, so guardian still grants.
        Membership.objects.filter(user=user).update(valid_to=timezone.localdate() - datetime.timedelta(1))
        user = type(user).objects.get(pk=user.pk)
        self.assertTrue(user.has_perm(permission_for(Role.APPRAISER), self.world.danang_police))
        self.assertFalse(NominationFlow.province_appraise.can_assign(user, self.task))
        # With no role in force anywhere the whole application refuses them, whatever the id.
        self.assert_cannot_act(user, 403)

    def test_a_deputy_acting_for_the_head_signs_and_both_names_are_recorded(self):
        head = self.officer(self.world.danang_police, Role.APPROVER)
        deputy = grant(
            Role.APPROVER,
            self.world.danang_police,
            user=make_user("deputy"),
            acting_for=head,
            valid_to=timezone.localdate() + datetime.timedelta(30),
        )
        self.appraise(self.process, self.world.danang_police)
        self.vote(self.process, self.world.danang_police)
        self.sign(self.process, self.world.danang_police, StageOutcome.FORWARD, user=deputy)
        entry = LedgerEntry.objects.get(
            subject_id=str(self.dossier.pk), event="stage.signed", unit=self.world.danang_police
        )
        self.assertEqual((entry.actor, entry.acting_for), (deputy, head))
        self.assertEqual(Task.objects.get(process=self.process, flow_task=NominationFlow.province_sign).owner, deputy)
