"""The generator's bulk path: copied dossiers are indistinguishable from the real lifecycles they copy.

The first dossier of each kind (award type, state, dropped nominee) is written by the services; the others are
bulk copies of it at other localities. Each copy must hold the same rows as its template (process, tasks, field
histories, ledger story, notifications), point at its own people and units, keep the ledger verifiable, show its
pages to the people who use it, and go on through the real task views to its decision.
"""

import io
from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.test import TestCase
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit.models import LedgerEntry
from audit.verify import verify_ledger
from benchmarks.national.generator import Command as Generator
from nominations.models import (
    AwardRecord,
    Decision,
    Dossier,
    DossierStatus,
    DossierTally,
    GoldenBookCounter,
    Nominee,
    NomineeOutcome,
    SubmissionLetter,
)
from nominations.services import tally_differences
from notifications.models import Notification
from org_hierarchy.models import Level, Membership, OrgUnit, Role
from tests.nominations.support import TemporaryMediaMixin
from tests.workflows.base import FlowActions
from workflows.flows import NominationFlow
from workflows.models import StageOutcome

OPEN = [STATUS.NEW, STATUS.ASSIGNED]


class BulkCopyTests(TemporaryMediaMixin, FlowActions, TestCase):
    @classmethod
    def setUpTestData(cls):
        generator = Generator(stdout=io.StringIO())
        generator.handle(dossiers=60, nominees_per_dossier=2, users=400, seed=3)
        cls.officers = generator.seats
        cls.copied_from = generator.copied_from
        cls.template_ids = {template.dossier_id for template in generator.templates.values()}

    def process_of(self, dossier):
        return NominationFlow.process_class.objects.filter(artifact_object_id=dossier.pk).first()

    def shape(self, dossier):
        """Everything about a dossier that does not depend on where or when it was made."""
        process = self.process_of(dossier)
        dossier_type = ContentType.objects.get_for_model(Dossier)
        tasks = Task.objects.filter(process=process) if process else Task.objects.none()
        links = [f"/dossiers/{dossier.pk}/"] + ([f"/nomination/{process.pk}/"] if process else [])
        notices = Notification.objects.filter(url__startswith=links[-1]) | Notification.objects.filter(url=links[0])
        return {
            "dossier": (dossier.status, dossier.version, dossier.kind, dossier.award_type_id, dossier.year),
            "stage level": dossier.current_stage_unit.level if dossier.current_stage_unit else None,
            "nominees": sorted(dossier.nominees.values_list("list_position", "outcome")),
            "attachments": Counter(dossier.attachments.values_list("kind__code", flat=True)),
            "process": (process.status, sorted(process.data)) if process else None,
            "tasks": sorted((t.flow_task.name, t.status, t.owner_id is not None, t.previous.count()) for t in tasks),
            "task history": Task.history.filter(process_id=process.pk).count() if process else 0,
            "dossier history": list(
                dossier.history.order_by("history_id").values_list("history_change_reason", "status")
            ),
            "nominee history": Nominee.history.filter(dossier_id=dossier.pk).count(),
            "ledger": list(
                LedgerEntry.objects.filter(subject_type=dossier_type, subject_id=str(dossier.pk))
                .order_by("sequence")
                .values_list("event", "role", "stage")
            ),
            "notices": sorted(notices.values_list("event", flat=True)),
        }

    def test_most_dossiers_are_copies_of_a_real_lifecycle(self):
        self.assertEqual(Dossier.objects.count(), 60)
        self.assertGreater(len(self.copied_from), 10)
        self.assertEqual(Dossier.objects.count(), len(self.copied_from) + len(self.template_ids))
        self.assertTrue(set(self.copied_from.values()) <= self.template_ids)
        self.assertFalse(set(self.copied_from) & self.template_ids)

    def test_each_copy_has_the_rows_of_its_template(self):
        for copy_id, template_id in self.copied_from.items():
            copy, template = Dossier.objects.get(pk=copy_id), Dossier.objects.get(pk=template_id)
            with self.subTest(copy=copy.title, template=template.title):
                self.assertEqual(self.shape(copy), self.shape(template))
                self.assertNotEqual(copy.title, template.title)
                self.assertTrue(copy.title.endswith(f"({copy.letter_number.split('/')[0]})"))

    def test_copies_point_at_their_own_people_and_units(self):
        copies = Dossier.objects.filter(pk__in=self.copied_from)
        self.assertGreater(len({d.originating_unit_id for d in copies}), 5)
        for dossier in copies:
            with self.subTest(dossier=dossier.title):
                self.assertTrue(
                    Membership.objects.filter(
                        user=dossier.created_by, unit=dossier.originating_unit, role=Role.SUBMITTER
                    ).exists()
                )
                self.assertEqual(
                    set(dossier.nominees.values_list("workplace", flat=True)), {dossier.originating_unit.name}
                )
                process = self.process_of(dossier)
                if process is None:
                    continue
                self.assertEqual(process.route[0][1], dossier.originating_unit_id)
                for task in Task.objects.filter(process=process).exclude(owner_permission_obj_pk=None):
                    unit_id = int(task.owner_permission_obj_pk)
                    self.assertIn(unit_id, [unit for _level, unit in process.route])
                    if task.owner_id is not None:
                        self.assertTrue(Membership.objects.filter(user_id=task.owner_id, unit_id=unit_id).exists())

    def test_decisions_are_numbered_in_turn_and_award_their_nominees(self):
        numbers = Counter(Decision.objects.values_list("issuer_unit", "year", "number"))
        self.assertTrue(numbers)
        self.assertEqual(max(numbers.values()), 1)
        for decision in Decision.objects.filter(dossier__in=list(self.copied_from)):
            with self.subTest(decision=decision.number_display):
                self.assertTrue(decision.dossier.nominees.filter(outcome=NomineeOutcome.AWARDED).exists())
                entry = LedgerEntry.objects.get(event="decision.issued", subject_id=str(decision.dossier_id))
                self.assertEqual(entry.data["number"], decision.number_display)
                self.assertEqual(entry.data["decision"], decision.pk)

    def test_copies_take_their_own_letter_and_golden_book_numbers_and_verification_codes(self):
        letters = SubmissionLetter.objects.filter(dossier__in=list(self.copied_from))
        self.assertTrue(letters.exists())
        numbers = Counter(SubmissionLetter.objects.values_list("issuer_unit", "year", "number"))
        self.assertEqual(max(numbers.values()), 1)
        for letter in letters:
            with self.subTest(letter=letter.number_display):
                self.assertTrue(letter.symbol.endswith(letter.issuer_unit.short_name))
                entry = LedgerEntry.objects.get(data__letter=letter.pk)
                self.assertEqual(entry.data["letter_number"], letter.number_display)
        awards = AwardRecord.objects.filter(decision__dossier__in=list(self.copied_from))
        self.assertTrue(awards.exists())
        codes = list(AwardRecord.objects.exclude(verification_code=None).values_list("verification_code", flat=True))
        self.assertEqual(len(codes), len(set(codes)))
        for issuer, last in GoldenBookCounter.objects.values_list("issuer_unit", "last_number"):
            numbers = sorted(
                AwardRecord.objects.filter(issuer_unit=issuer).values_list("golden_book_number", flat=True)
            )
            self.assertEqual(numbers, list(range(1, last + 1)))

    def test_ledger_is_one_intact_chain(self):
        result = verify_ledger()
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(result.checked, LedgerEntry.objects.count())

    def test_copies_have_their_statistics_tallies(self):
        self.assertEqual(tally_differences(), [])
        self.assertTrue(DossierTally.objects.filter(dossier__in=list(self.copied_from)).exists())

    def a_copy(self, status):
        dossier = Dossier.objects.filter(pk__in=list(self.copied_from), status=status).order_by("pk").first()
        self.assertIsNotNone(dossier, status)
        return dossier

    def test_pages_of_a_copy_render_for_its_people(self):
        dossier = self.a_copy(DossierStatus.DECIDED)
        process = self.process_of(dossier)
        last_unit = OrgUnit.objects.get(pk=process.route[-1][1])
        province = next(
            unit
            for unit in [*OrgUnit.objects.get_ancestors(dossier.originating_unit), dossier.originating_unit]
            if unit.level == Level.PROVINCE
        )
        people = {
            "submitter": dossier.created_by,
            "approver": self.officers[last_unit.pk, Role.APPROVER],
            "auditor": self.officers[province.pk, Role.AUDITOR],
        }
        for who, user in people.items():
            with self.subTest(who=who):
                self.client.force_login(user)
                response = self.client.get(reverse("nominations:dossier_detail", args=[dossier.pk]))
                self.assertContains(response, dossier.title)
                self.assertContains(response, dossier.decision.number_display)
        self.client.force_login(people["auditor"])
        response = self.client.get(reverse("audit:ledger"), {"unit": province.pk})
        self.assertContains(response, dossier.title)

    def test_a_copy_waiting_for_appraisal_goes_on_to_its_decision(self):
        waiting = Dossier.objects.filter(pk__in=list(self.copied_from), status=DossierStatus.SUBMITTED)
        for dossier in waiting.order_by("pk"):
            process = self.process_of(dossier)
            if self.open_node_names(process) == ["commune_appraise"]:
                break
        else:
            self.fail("no copy waits for its first appraisal")
        route = [OrgUnit.objects.get(pk=unit_id) for _level, unit_id in process.route]
        self.login(self.officer(route[0], Role.APPRAISER))
        queue = self.client.get(reverse("workflows:queue"))
        self.assertContains(queue, dossier.title)
        for unit in route:
            self.appraise(process, unit)
            self.vote(process, unit)
            self.sign(process, unit, StageOutcome.FORWARD if unit != route[-1] else StageOutcome.DECIDE)
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.DECIDED)
        self.assertEqual(dossier.nominees.filter(outcome=NomineeOutcome.AWARDED).count(), 2)
        self.assertTrue(verify_ledger().ok)
