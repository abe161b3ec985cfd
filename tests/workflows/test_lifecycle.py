"""The whole journey of a dossier, written once and run for a ward, a province and a ministry award."""

from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from audit.models import LedgerEntry
from nominations import services as nomination_services
from nominations.models import DossierStatus, NomineeOutcome
from org_hierarchy.models import Level
from workflows.models import StageOutcome

from .base import FlowTestCase


def slug(unit):
    return Level(unit.level).slug


class LifecycleScenario:
    """Mixed into a ``FlowTestCase``; subclasses name the award and the stage units of its route, bottom up."""

    award_attr = ""
    route_attrs: tuple[str, ...] = ()
    issuer_symbol = ""

    @property
    def route(self):
        return [getattr(self.world, name) for name in self.route_attrs]

    def run_stage(self, process, unit, *, last):
        self.appraise(process, unit)
        self.vote(process, unit)
        self.sign(process, unit, StageOutcome.DECIDE if last else StageOutcome.FORWARD)

    def test_full_lifecycle_ends_with_a_numbered_decision(self):
        dossier = self.make_dossier(getattr(self, self.award_attr))
        process = self.submit(dossier)
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.SUBMITTED)
        self.assertEqual([unit_id for _level, unit_id in process.route], [u.pk for u in self.route])
        for index, unit in enumerate(self.route):
            self.assertEqual(self.open_node_names(process), [f"{slug(unit)}_appraise"])
            self.run_stage(process, unit, last=index == len(self.route) - 1)

        process.refresh_from_db()
        dossier.refresh_from_db()
        self.assertEqual(process.status, PROCESS.DONE)
        self.assertEqual(dossier.status, DossierStatus.DECIDED)
        decision = dossier.decision
        self.assertEqual(decision.issuer_unit, self.route[-1])
        self.assertEqual(decision.number, 1)
        self.assertEqual(decision.number_display, f"01/QĐ-{self.issuer_symbol}")
        self.assertEqual(decision.signer, self.officer(self.route[-1], "approver"))
        self.assertEqual(set(dossier.nominees.values_list("outcome", flat=True)), {NomineeOutcome.AWARDED})
        self.assertTrue(Task.objects.filter(process=process, flow_task=process.flow_class.decided).exists())

        events = list(LedgerEntry.objects.filter(subject_id=str(dossier.pk)).values_list("event", flat=True))
        stages = len(self.route)
        self.assertEqual(events.count("stage.received"), stages)
        self.assertEqual(events.count("stage.appraised"), stages)
        self.assertEqual(events.count("stage.voted"), stages)
        self.assertEqual(events.count("stage.signed"), stages)
        self.assertEqual(events.count("stage.forwarded"), stages - 1)
        self.assertEqual(events.count("decision.issued"), 1)
        # Every step left a field-level history of its task with the acting user.
        history = Task.history.filter(process_id=process.pk, flow_task_type="HUMAN", status=STATUS.DONE)
        self.assertEqual(history.count(), 3 * stages)
        self.assertFalse(history.filter(history_user__isnull=True).exists())
        self.assertFalse(history.filter(history_change_reason__isnull=True).exists())
        self.assertTrue(history.filter(history_change_reason=f"{slug(self.route[-1])}_sign: decide").exists())

    def test_return_for_supplement_comes_back_to_the_stage_that_returned_it(self):
        dossier = self.make_dossier(getattr(self, self.award_attr))
        process = self.submit(dossier)
        for unit in self.route[:-1]:
            self.run_stage(process, unit, last=False)
        last = self.route[-1]
        self.appraise(process, last)
        self.vote(process, last)
        self.sign(process, last, StageOutcome.RETURN, note="Thiếu biên bản họp xét của cơ sở.")

        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.RETURNED)
        self.assertEqual(dossier.returned_by_unit, last)
        self.assertEqual(self.open_node_names(process), ["supplement"])
        supplement = self.open_task(process)
        self.assertEqual(supplement.owner, self.submitter)
        self.login(self.submitter)
        page = self.client.get(self.execute_url(supplement))
        self.assertContains(page, "Thiếu biên bản họp xét của cơ sở.")
        self.assertContains(page, reverse("nominations:dossier_edit", args=[dossier.pk]))

        version = dossier.version
        nominee = dossier.nominees.first()
        nomination_services.nominee_update(nominee=nominee, actor=self.submitter, position="Tổ trưởng")
        self.supplement(process)

        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.SUBMITTED)
        self.assertEqual(dossier.version, version + 1)
        self.assertEqual(self.open_node_names(process), [f"{slug(last)}_appraise"])
        # The earlier stages did not see it again.
        for unit in self.route[:-1]:
            appraise_node = getattr(process.flow_class, f"{slug(unit)}_appraise")
            appraisals = Task.objects.filter(process=process, flow_task=appraise_node)
            self.assertEqual(appraisals.count(), 1)
        self.run_stage(process, last, last=True)
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.DECIDED)


class WardLevelLifecycleTests(LifecycleScenario, FlowTestCase):
    """Commune chair's Giấy khen: stops at the ward."""

    award_attr = "commune_award"
    route_attrs = ("haichau_pc",)
    issuer_symbol = "UBND"


class ProvinceLevelLifecycleTests(LifecycleScenario, FlowTestCase):
    """Provincial chair's Bằng khen: ward People's Committee, then the city's."""

    award_attr = "province_award"
    route_attrs = ("haichau_pc", "danang_pc")
    issuer_symbol = "UBND"


class MinistryLevelLifecycleTests(LifecycleScenario, FlowTestCase):
    """Minister of Public Security's Bằng khen: ward police, city police, the Ministry."""

    award_attr = "ministry_award"
    route_attrs = ("haichau_police", "danang_police", "mps")
    issuer_symbol = "BCA"
