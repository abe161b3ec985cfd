"""The branches of a stage: consultations, partial approval by the council, the simplified procedure, withdrawal,
bad input and two people racing for one step."""

from contextlib import contextmanager
from unittest.mock import patch

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from audit.models import LedgerEntry
from nominations.models import CommendationKind, DossierStatus, NomineeOutcome
from org_hierarchy.models import Role
from tests.base import grant
from workflows.flows import NominationFlow
from workflows.models import StageOutcome
from workflows.selectors import node_url
from workflows.views import TASK_BUSY, TASK_DONE

from .base import PDF_BYTES, FlowTestCase


class ConsultationTests(FlowTestCase):
    def test_the_stage_waits_for_every_consulted_unit(self):
        consulted = [self.world.haichau_police, self.world.thanhkhe_pc, self.world.danang_department]
        appraisers = {unit.pk: grant(Role.APPRAISER, unit) for unit in consulted[1:]}
        appraisers[self.world.haichau_police.pk] = self.officer(self.world.haichau_police, Role.APPRAISER)
        dossier = self.make_dossier(self.province_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc, consult=consulted)

        tasks = list(Task.objects.filter(process=process, flow_task=NominationFlow.commune_consultation))
        self.assertEqual(sorted(int(t.owner_permission_obj_pk) for t in tasks), sorted(u.pk for u in consulted))
        by_unit = {int(t.owner_permission_obj_pk): t for t in tasks}

        # Each unit answers only its own request.
        haichau_police_task = by_unit[self.world.haichau_police.pk]
        self.login(appraisers[self.world.thanhkhe_pc.pk])
        self.assertEqual(self.client.post(self.execute_url(haichau_police_task), {"opinion": "x"}).status_code, 403)

        for index, unit in enumerate(consulted):
            self.assertFalse(Task.objects.filter(process=process, flow_task=NominationFlow.commune_vote).exists())
            self.act(appraisers[unit.pk], by_unit[unit.pk], {"opinion": f"Thống nhất ({index})", "agrees": "on"})
        self.assertEqual(self.open_node_names(process), ["commune_vote"])
        events = LedgerEntry.objects.filter(subject_id=str(dossier.pk), event="stage.consulted")
        self.assertEqual(sorted(events.values_list("unit_id", flat=True)), sorted(u.pk for u in consulted))

        # The council's page shows the opinions given.
        self.login(self.officer(self.world.haichau_pc, Role.SECRETARY))
        self.assertContains(self.client.get(self.execute_url(self.open_task(process))), "Thống nhất (2)")

    def test_a_unit_of_the_route_cannot_be_consulted(self):
        dossier = self.make_dossier(self.province_award)
        process = self.submit(dossier)
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        task = self.open_task(process)
        response = self.client.post(
            self.execute_url(task), {"opinion": "x", "consult_units": [self.world.danang_pc.pk], "act": "consult"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        task.refresh_from_db()
        self.assertEqual((task.status, task.owner_id), (STATUS.NEW, None))


class AppraisalReturnTests(FlowTestCase):
    def test_an_incomplete_dossier_goes_back_from_the_appraisal_and_returns_to_it(self):
        dossier = self.make_dossier(self.province_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.sign(process, self.world.haichau_pc, StageOutcome.FORWARD)
        self.appraise(process, self.world.danang_pc, return_reason="Thiếu báo cáo thành tích có xác nhận.")
        dossier.refresh_from_db()
        self.assertEqual((dossier.status, dossier.returned_by_unit), (DossierStatus.RETURNED, self.world.danang_pc))
        self.assertFalse(Task.objects.filter(process=process, flow_task=NominationFlow.province_vote).exists())
        self.supplement(process)
        self.assertEqual(self.open_node_names(process), ["province_appraise"])


class PartialApprovalTests(FlowTestCase):
    def test_two_of_five_fail_the_council_at_the_province_and_three_are_decided_at_the_ministry(self):
        dossier = self.make_dossier(self.ministry_award, nominees=5)
        process = self.submit(dossier)
        ids = self.nominee_ids(dossier)
        w = self.world
        self.appraise(process, w.haichau_police)
        self.vote(process, w.haichau_police)
        self.sign(process, w.haichau_police, StageOutcome.FORWARD)
        self.appraise(process, w.danang_police)
        self.vote(process, w.danang_police, members=9, votes={ids[1]: 4, ids[3]: 2})
        dropped = dossier.nominees.filter(outcome=NomineeOutcome.DROPPED)
        self.assertEqual(sorted(dropped.values_list("pk", flat=True)), [ids[1], ids[3]])
        for nominee in dropped:
            self.assertEqual(nominee.outcome_stage_unit, w.danang_police)
            self.assertEqual(nominee.outcome_by, self.officer(w.danang_police, Role.SECRETARY))
            self.assertIn("50", nominee.outcome_reason)
        self.sign(process, w.danang_police, StageOutcome.FORWARD)
        self.appraise(process, w.mps)
        self.vote(process, w.mps)
        self.sign(process, w.mps, StageOutcome.DECIDE)
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.DECIDED)
        self.assertEqual(
            sorted(dossier.decision.awarded_nominees.values_list("pk", flat=True)), [ids[0], ids[2], ids[4]]
        )
        # The submitter sees every outcome on the journey page.
        self.login(self.submitter)
        page = self.client.get(self.journey_url(process))
        self.assertContains(page, 'class="nominee-row"', count=5)
        self.assertContains(page, w.danang_police.name)

    def test_a_head_may_leave_a_nominee_out_with_a_reason(self):
        dossier = self.make_dossier(self.commune_award, nominees=2)
        process = self.submit(dossier)
        first, second = self.nominee_ids(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE, drop={second: "Chưa đủ thời gian công tác."})
        dossier.refresh_from_db()
        self.assertEqual(list(dossier.decision.awarded_nominees.values_list("pk", flat=True)), [first])
        self.assertEqual(dossier.nominees.get(pk=second).outcome_reason, "Chưa đủ thời gian công tác.")

    def test_when_nobody_passes_the_council_the_dossier_ends_rejected(self):
        dossier = self.make_dossier(self.commune_award, nominees=2)
        process = self.submit(dossier)
        ids = self.nominee_ids(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc, votes=dict.fromkeys(ids, 1))
        process.refresh_from_db()
        dossier.refresh_from_db()
        self.assertEqual(process.status, PROCESS.DONE)
        self.assertEqual(dossier.status, DossierStatus.REJECTED)
        self.assertTrue(Task.objects.filter(process=process, flow_task=NominationFlow.rejected).exists())
        self.assertEqual(set(dossier.nominees.values_list("outcome", flat=True)), {NomineeOutcome.DROPPED})


class SimplifiedProcedureTests(FlowTestCase):
    def test_an_ad_hoc_award_that_allows_it_skips_the_council(self):
        self.commune_award.simplified_allowed = True
        self.commune_award.save()
        dossier = self.make_dossier(self.commune_award, kind=CommendationKind.AD_HOC)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.assertEqual(self.open_node_names(process), ["commune_sign"])
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE)
        self.assertFalse(Task.objects.filter(process=process, flow_task=NominationFlow.commune_vote).exists())
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.DECIDED)

    def test_an_annual_dossier_still_goes_to_the_council(self):
        self.commune_award.simplified_allowed = True
        self.commune_award.save()
        process = self.submit(self.make_dossier(self.commune_award, kind=CommendationKind.ANNUAL))
        self.appraise(process, self.world.haichau_pc)
        self.assertEqual(self.open_node_names(process), ["commune_vote"])


class WithdrawalTests(FlowTestCase):
    def test_the_submitter_withdraws_before_the_decision(self):
        dossier = self.make_dossier(self.province_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        withdraw = reverse("workflows:withdraw", args=[process.pk])
        self.login(self.officer(self.world.haichau_pc, Role.APPROVER))
        self.assertEqual(self.client.post(withdraw, {"reason": "x"}).status_code, 403)

        self.login(self.submitter)
        self.assertContains(self.client.get(self.journey_url(process)), withdraw)
        response = self.client.post(withdraw, {"reason": "Nộp nhầm đợt."})
        self.assertRedirects(response, self.journey_url(process), fetch_redirect_response=False)
        process.refresh_from_db()
        dossier.refresh_from_db()
        self.assertEqual(process.status, PROCESS.CANCELED)
        self.assertEqual(dossier.status, DossierStatus.WITHDRAWN)
        self.assertFalse(
            Task.objects.filter(process=process).exclude(status__in=[STATUS.DONE, STATUS.CANCELED]).exists()
        )
        self.assertTrue(LedgerEntry.objects.filter(subject_id=str(dossier.pk), event="dossier.withdrawn").exists())

    def test_withdrawing_during_consultations_cancels_every_open_branch(self):
        dossier = self.make_dossier(self.province_award)
        process = self.submit(dossier)
        consulted = [self.world.haichau_police, self.world.thanhkhe_pc]
        self.appraise(process, self.world.haichau_pc, consult=consulted)
        police_task = Task.objects.get(
            process=process,
            flow_task=NominationFlow.commune_consultation,
            owner_permission_obj_pk=str(self.world.haichau_police.pk),
        )
        self.act(self.officer(self.world.haichau_police, Role.APPRAISER), police_task, {"opinion": "Thống nhất"})
        self.login(self.submitter)
        self.client.post(reverse("workflows:withdraw", args=[process.pk]), {"reason": "Rút để bổ sung thành tích."})
        process.refresh_from_db()
        self.assertEqual(process.status, PROCESS.CANCELED)
        self.assertFalse(
            Task.objects.filter(process=process).exclude(status__in=[STATUS.DONE, STATUS.CANCELED]).exists()
        )

    def test_a_decided_dossier_cannot_be_withdrawn(self):
        dossier = self.make_dossier(self.commune_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE)
        self.login(self.submitter)
        response = self.client.post(reverse("workflows:withdraw", args=[process.pk]), {"reason": "Muộn rồi."})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].non_field_errors())
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.DECIDED)


class BadInputTests(FlowTestCase):
    def setUp(self):
        self.dossier = self.make_dossier(self.province_award)
        self.process = self.submit(self.dossier)
        self.appraise(self.process, self.world.haichau_pc)

    def test_inconsistent_votes_are_refused_and_nothing_is_saved(self):
        task = self.open_task(self.process)
        ids = self.nominee_ids(self.dossier)
        data = {"members": 5, "minutes": self.minutes()}
        for pk in ids:
            data |= {f"present_{pk}": 5, f"for_{pk}": 4, f"against_{pk}": 3}
        self.login(self.officer(self.world.haichau_pc, Role.SECRETARY))
        response = self.client.post(self.execute_url(task), data)
        self.assertEqual(response.status_code, 200)
        # Each nominee's row says what is wrong with its own counts.
        self.assertEqual(sorted(response.context["form"].errors), sorted(f"for_{pk}" for pk in ids))
        task.refresh_from_db()
        self.assertEqual((task.status, task.owner_id), (STATUS.NEW, None))
        self.assertFalse(self.dossier.nominees.exclude(outcome=NomineeOutcome.PENDING).exists())

    def test_minutes_that_are_not_a_document_are_refused(self):
        task = self.open_task(self.process)
        data = {"members": 5, "minutes": self.minutes(b"MZ\x90\x00 not a pdf", "bien-ban.pdf")}
        for pk in self.nominee_ids(self.dossier):
            data |= {f"present_{pk}": 5, f"for_{pk}": 5, f"against_{pk}": 0}
        self.login(self.officer(self.world.haichau_pc, Role.SECRETARY))
        response = self.client.post(self.execute_url(task), data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("minutes", response.context["form"].errors)

    def test_a_stage_below_the_authority_cannot_decide(self):
        self.vote(self.process, self.world.haichau_pc)
        task = self.open_task(self.process)
        self.login(self.officer(self.world.haichau_pc, Role.APPROVER))
        response = self.client.post(self.execute_url(task), {"outcome": StageOutcome.DECIDE})
        self.assertEqual(response.status_code, 200)
        self.assertIn("outcome", response.context["form"].errors)
        self.assertFalse(hasattr(self.dossier, "decision") and self.dossier.decision)

    def test_returning_needs_a_reason(self):
        self.vote(self.process, self.world.haichau_pc)
        task = self.open_task(self.process)
        data = {"outcome": StageOutcome.RETURN, "note": ""}
        for pk in self.nominee_ids(self.dossier):
            data[f"keep_{pk}"] = "on"
        self.login(self.officer(self.world.haichau_pc, Role.APPROVER))
        response = self.client.post(self.execute_url(task), data)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors)
        self.dossier.refresh_from_db()
        self.assertEqual(self.dossier.status, DossierStatus.SUBMITTED)

    def minutes(self, content=None, name="bien-ban.pdf"):
        return SimpleUploadedFile(name, content or PDF_BYTES, "application/pdf")


class RaceTests(FlowTestCase):
    """Two approvers of one unit open the same step; the second to confirm is told it is done (SQLite has no
    row locks, so the real race runs on PostgreSQL in ``test_concurrency_pg``)."""

    def test_the_second_approver_gets_a_clear_message_not_an_error(self):
        dossier = self.make_dossier(self.commune_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        other = grant(Role.APPROVER, self.world.haichau_pc)
        task = self.open_task(process)
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE)
        self.login(other)
        data = {"outcome": StageOutcome.DECIDE}
        for pk in self.nominee_ids(dossier):
            data[f"keep_{pk}"] = "on"
        response = self.client.post(self.execute_url(task), data)
        self.assertContains(response, TASK_DONE, status_code=409)
        self.assertEqual(dossier.__class__.objects.get(pk=dossier.pk).decision.number, 1)


class LockTimeoutTests(FlowTestCase):
    def test_a_lock_timeout_asks_to_try_again_on_every_task_action(self):
        dossier = self.make_dossier(self.commune_award)
        process = self.submit(dossier)
        task = self.open_task(process)
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))

        @contextmanager
        def busy(flow_class, process_pk):
            raise FlowLockFailed("busy")
            yield

        with patch.object(NominationFlow, "lock_impl", busy):
            for name in ("execute", "assign"):
                response = self.client.post(node_url(task.flow_task, name, process.pk, task.pk), {"opinion": "x"})
                self.assertContains(response, TASK_BUSY, status_code=409)
            self.login(self.submitter)
            withdraw = self.client.post(reverse("workflows:withdraw", args=[process.pk]), {"reason": "x"})
            self.assertContains(withdraw, TASK_BUSY, status_code=409)
        task.refresh_from_db()
        self.assertEqual((task.status, task.owner_id), (STATUS.NEW, None))
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.SUBMITTED)
