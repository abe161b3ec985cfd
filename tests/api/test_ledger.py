"""The ledger through the API: auditors read the entries of the units they audit with the ledger page's search,
and read or start the verification of the chain; nobody else does."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit import labels
from audit.forms import PERIOD_REVERSED
from audit.models import LedgerEntry
from org_hierarchy.models import OrgUnit

from .support import Role
from .test_lifecycle import ApiFlowTestCase

LEDGER = "/api/v1/ledger/"
VERIFICATION = "/api/v1/ledger/verification/"


class LedgerTests(ApiFlowTestCase):
    def appraised(self):
        dossier_id = self.draft(nominees=1)
        self.submit(dossier_id)
        self.appraise(dossier_id, "haichau_police")
        return dossier_id

    def test_an_auditor_reads_the_entries_of_the_units_they_audit_and_no_others(self):
        w = self.world
        dossier_id = self.appraised()
        body = self.get(f"{LEDGER}?event=stage.appraised", self.auditor, language="en").json()
        self.assertEqual(body["count"], 1)
        entry = body["results"][0]
        stored = LedgerEntry.objects.get(event="stage.appraised")
        self.assertEqual(entry["sequence"], stored.sequence)
        self.assertEqual(entry["hash"], stored.hash)
        self.assertEqual(entry["event"]["code"], "stage.appraised")
        self.assertEqual(entry["event"]["label"], str(stored.get_event_display()))
        self.assertEqual(entry["unit"], w.haichau_police.pk)
        self.assertEqual(entry["role"]["code"], Role.APPRAISER)
        self.assertEqual(entry["role"]["label"], str(Role.APPRAISER.label))
        self.assertEqual(entry["actor"], stored.actor_name)
        self.assertEqual(entry["data"], stored.data)
        with translation.override("en"):
            self.assertEqual(entry["data_text"], labels.data_text(stored.data))  # the keys in words, as on the page
        # The whole ledger, newest first; the unit filter takes the subtree.
        everything = self.get(f"{LEDGER}?unit={w.danang_police.pk}&limit=200", self.auditor).json()["results"]
        sequences = [item["sequence"] for item in everything]
        self.assertEqual(sequences, sorted(sequences, reverse=True))
        self.assertIn(stored.sequence, sequences)
        # Another province's auditor: nothing of it.
        foreign = self.token_for(w.hanoi_police, Role.AUDITOR)
        self.assertEqual(self.get(f"{LEDGER}?event=stage.appraised", foreign).json()["count"], 0)
        self.assertProblem(self.get(f"{LEDGER}?unit={w.danang_police.pk}", foreign), 400)
        self.assertTrue(LedgerEntry.objects.filter(event="dossier.submitted", subject_id=str(dossier_id)).exists())

    def test_a_bad_search_is_the_pages_message_and_not_auditors_are_refused(self):
        w = self.world
        reversed_period = self.get(f"{LEDGER}?date_from=2026-05-02&date_to=2026-05-01", self.auditor, language="en")
        body = self.assertProblem(reversed_period, 400)
        self.assertEqual(body["detail"], str(PERIOD_REVERSED))
        vietnamese = self.assertProblem(
            self.get(f"{LEDGER}?date_from=2026-05-02&date_to=2026-05-01", self.auditor, language="vi"), 400
        )
        self.assertNotEqual(vietnamese["detail"], body["detail"])
        # A unit the auditor does not audit is not a choice.
        foreign_unit = self.assertProblem(self.get(f"{LEDGER}?unit={w.hanoi_police.pk}", self.auditor), 400)
        self.assertIn("unit", foreign_unit["errors"])
        for token in (self.tokens["submitter"], self.tokens["mps", Role.APPROVER]):
            self.assertProblem(self.get(LEDGER, token), 403, code="forbidden")
            self.assertProblem(self.get(VERIFICATION, token), 403, code="forbidden")
            self.assertProblem(self.post(VERIFICATION, token=token), 403, code="forbidden")

    def test_an_auditor_reads_and_starts_the_verification_of_the_chain(self):
        self.appraised()
        self.assertProblem(self.get(VERIFICATION, self.auditor, language="en"), 404)
        started = self.post(VERIFICATION, token=self.auditor)
        self.assertEqual(started.status_code, 201, started.content)
        run = started.json()
        self.assertTrue(run["intact"])
        self.assertEqual(run["checked"], LedgerEntry.objects.count())
        self.assertIsNone(run["problem_sequence"])
        self.assertTrue(run["started_by"])
        self.assertEqual(self.get(VERIFICATION, self.auditor).json(), run)

    def test_a_page_of_entries_costs_the_same_queries_at_n_and_2n(self):
        auditor = self.token_for(self.world.government, Role.AUDITOR)  # a root's auditor: every entry
        counted = []
        for size in (3, 6):
            while LedgerEntry.objects.filter(event="dossier.submitted").count() < size:
                self.submit(self.draft(nominees=1), key=f"submit-{LedgerEntry.objects.count()}")
            url = f"{LEDGER}?event=dossier.submitted"
            self.get(url, auditor)  # the token's first use of the minute also notes when it was used
            with CaptureQueriesContext(connection) as queries:
                body = self.get(url, auditor).json()
            self.assertEqual(body["count"], size)
            # each entry's route is written with its units' names, looked up once for the page
            names = dict(OrgUnit.objects.values_list("pk", "name"))
            for row in body["results"]:
                self.assertIn(", ".join(names[pk] for pk in row["data"]["route"]), row["data_text"])
            counted.append(len(queries))
        self.assertEqual(counted[0], counted[1], counted)
