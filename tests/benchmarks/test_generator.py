"""The national data generator at a tiny size: every state it promises, written as the real flow writes it."""

import io
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from audit.models import LedgerEntry
from audit.verify import verify_ledger
from benchmarks.national.generator import STATES
from nominations.models import Dossier, DossierStatus, NomineeOutcome
from notifications.models import Notification
from org_hierarchy.models import Membership
from tests.nominations.support import TemporaryMediaMixin
from workflows.flows import NominationFlow

OPEN = [STATUS.NEW, STATUS.ASSIGNED]


class GeneratorTests(TemporaryMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.output = io.StringIO()
        # One dossier per state (the first len(STATES) follow the table's order), two nominees each, all written by
        # the services: the reference the bulk copies are compared with (test_bulk_copy).
        call_command(
            "generate_national_data",
            dossiers=len(STATES),
            nominees_per_dossier=2,
            users=300,
            seed=7,
            exact=True,
            stdout=cls.output,
        )

    def process_of(self, dossier):
        return NominationFlow.process_class.objects.get(artifact_object_id=dossier.pk)

    def test_users_and_memberships_at_every_level(self):
        self.assertGreaterEqual(get_user_model().objects.count(), 280)
        levels = set(Membership.objects.values_list("unit__level", flat=True))
        self.assertGreaterEqual(len(levels), 3)
        self.assertIn("users, ", self.output.getvalue())

    def test_one_dossier_in_each_state(self):
        statuses = Counter(Dossier.objects.values_list("status", flat=True))
        self.assertEqual(
            statuses,
            {
                DossierStatus.DRAFT: 1,
                DossierStatus.SUBMITTED: 4,
                DossierStatus.RETURNED: 1,
                DossierStatus.REJECTED: 1,
                DossierStatus.WITHDRAWN: 1,
                DossierStatus.DECIDED: 1,
            },
        )
        self.assertEqual(Dossier.objects.filter(nominees__isnull=False).distinct().count(), len(STATES))

    def test_every_submitted_dossier_has_its_process_and_tasks(self):
        self.assertFalse(NominationFlow.process_class.objects.filter(artifact_object_id__in=self.drafts()).exists())
        for dossier in Dossier.objects.exclude(status=DossierStatus.DRAFT):
            process = self.process_of(dossier)
            open_steps = Task.objects.filter(process=process, flow_task_type="HUMAN", status__in=OPEN)
            with self.subTest(dossier=dossier.title, status=dossier.status):
                self.assertTrue(Task.objects.filter(process=process, flow_task=NominationFlow.submit).exists())
                if dossier.status == DossierStatus.SUBMITTED:
                    self.assertEqual(process.status, PROCESS.NEW)
                    self.assertEqual(open_steps.count(), 1)
                    self.assertEqual(int(open_steps.get().owner_permission_obj_pk), dossier.current_stage_unit_id)
                elif dossier.status == DossierStatus.RETURNED:
                    self.assertEqual([t.flow_task for t in open_steps], [NominationFlow.supplement])
                elif dossier.status == DossierStatus.DECIDED:
                    self.assertEqual(process.status, PROCESS.DONE)
                    self.assertTrue(Task.objects.filter(process=process, flow_task=NominationFlow.decided).exists())
                    self.assertTrue(dossier.nominees.filter(outcome=NomineeOutcome.AWARDED).exists())
                elif dossier.status == DossierStatus.REJECTED:
                    self.assertEqual(process.status, PROCESS.DONE)
                    self.assertFalse(open_steps.exists())
                else:
                    self.assertEqual(process.status, PROCESS.CANCELED)
                    self.assertFalse(open_steps.exists())

    def drafts(self):
        return list(Dossier.objects.filter(status=DossierStatus.DRAFT).values_list("pk", flat=True))

    def test_history_names_who_acted(self):
        done = Task.history.filter(flow_task_type="HUMAN", status=STATUS.DONE)
        self.assertTrue(done.exists())
        self.assertFalse(done.filter(history_user__isnull=True).exists())
        # nominations writes the stage move (forwarding's letter) as a system change, in real use too.
        edits = Dossier.history.exclude(history_change_reason="stage changed")
        self.assertFalse(edits.filter(history_user__isnull=True).exists())

    def test_ledger_is_intact_and_tells_the_story(self):
        result = verify_ledger()
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(result.checked, LedgerEntry.objects.count())
        events = Counter(LedgerEntry.objects.values_list("event", flat=True))
        for event in ("dossier.created", "dossier.submitted", "stage.appraised", "stage.voted", "stage.signed"):
            self.assertGreater(events[event], 0, event)
        self.assertEqual(events["decision.issued"], 1)
        self.assertEqual(events["dossier.returned"], 1)
        self.assertEqual(events["dossier.withdrawn"], 1)

    def test_people_were_told_of_their_steps(self):
        self.assertTrue(Notification.objects.exists())
