"""The ledger's details name the nominees, files, decisions and steps its entries store by id, in the reader's
language, in the export and the API alike, looked up once per batch of entries."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from viewflow.workflow.models import Task

from audit import labels
from audit.models import LedgerEntry
from nominations import services as nomination_services
from nominations.models import DocumentKind
from org_hierarchy.models import Role
from tests.base import grant, make_user
from tests.workflows.base import PDF_BYTES, FlowTestCase
from workflows.models import StageOutcome


class LedgerNamesTests(FlowTestCase):
    def decided(self):
        """A ward's dossier: a file, an appraisal, a vote, one nominee left out at the signature and a decision."""
        dossier = self.make_dossier(self.commune_award)
        nomination_services.attachment_add(
            dossier=dossier,
            actor=self.submitter,
            kind=DocumentKind.objects.get(code="achievement_report"),
            file=SimpleUploadedFile("bao-cao-thanh-tich.pdf", PDF_BYTES, "application/pdf"),
        )
        process = self.submit(dossier)
        unit = self.world.haichau_pc
        self.appraise(process, unit)
        self.vote(process, unit)
        left_out = dossier.nominees.get(full_name="Nguyễn Văn B")
        self.sign(process, unit, StageOutcome.DECIDE, drop={left_out.pk: "Chưa đủ thời gian công tác."})
        dossier.refresh_from_db()
        return dossier

    def export(self, language):
        """The auditor's CSV of the whole ledger: each entry's details, and the column's header."""
        self.login(grant(Role.AUDITOR, self.world.danang_pc, make_user(language=language)))
        response = self.client.get(reverse("audit:export", args=["csv"]))
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        details = rows[0].index({"en": "Details", "vi": "Chi tiết"}[language])
        return "\n".join(row[details] for row in rows[1:])

    def test_the_export_names_nominees_files_decisions_and_steps_in_both_languages(self):
        dossier = self.decided()
        for language in ("en", "vi"):
            with translation.override(language):
                nominee, attachment, decision = (
                    str(labels.DATA_KEYS[key]) for key in ("nominee", "attachment", "decision")
                )
            details = self.export(language)
            self.assertIn(f"{nominee}: Nguyễn Văn A", details, language)
            self.assertIn(f"{attachment}: bao-cao-thanh-tich.pdf", details, language)
            self.assertIn(f"{decision}: {dossier.decision.number_display}", details, language)
            # The council's ballots, the appraisal's recommendations, the signature's drops and the decision's
            # awardees are keyed by the nominees' names, not their numbers.
            self.assertIn("Nguyễn Văn A: ", details, language)
            self.assertIn("Nguyễn Văn B: Chưa đủ thời gian công tác.", details, language)
            for pk in dossier.nominees.values_list("pk", flat=True):
                self.assertNotIn(f"#{pk}:", details, language)

    def test_the_ledger_page_shortens_each_digest_and_copies_it_whole(self):
        self.decided()
        self.login(grant(Role.AUDITOR, self.world.danang_pc, make_user(language="en")))
        page = self.client.get(reverse("audit:ledger"))
        digest = LedgerEntry.objects.exclude(version_digest="").latest("sequence").version_digest
        self.assertContains(page, f'data-mf-copy="{digest}"')
        self.assertContains(page, f">{digest[:8]}…<")
        self.assertNotContains(page, f">{digest}<")
        self.assertContains(page, "meritflow/copy.js")

    def test_the_api_ledger_reads_as_the_export(self):
        self.decided()
        self.login(grant(Role.AUDITOR, self.world.danang_pc, make_user(language="en")))
        body = self.client.get("/api/v1/ledger/?event=stage.voted").json()
        entry = body["results"][0]
        stored = LedgerEntry.objects.get(event="stage.voted")
        with translation.override("en"):
            self.assertEqual(entry["data_text"], labels.data_text(stored.data))
        self.assertIn("Nguyễn Văn A: ", entry["data_text"])

    def test_a_removed_nominee_keeps_its_name_and_a_step_reads_as_the_flow_names_it(self):
        dossier = self.make_dossier(self.commune_award, nominees=1)
        nominee = dossier.nominees.get()
        removed = nominee.pk
        nomination_services.nominee_remove(nominee=nominee, actor=self.submitter)
        process = self.submit(self.make_dossier(self.commune_award, nominees=1))
        task = Task.objects.filter(process=process, flow_task_type="HUMAN").get()
        with translation.override("en"):
            names = labels.names_of([{"nominee": removed}, {"task": task.pk}, {"decision": 987654}])
            self.assertEqual(labels.data_text({"nominee": removed}, names=names), "nominee: Nguyễn Văn A")
            self.assertEqual(labels.data_text({"task": task.pk}, names=names), f"step: {task.flow_task.task_title}")
            # A row that was never there keeps its number.
            self.assertEqual(labels.data_text({"decision": 987654}, names=names), "decision: 987654")

    def test_names_cost_one_query_per_kind_whatever_the_number_of_entries(self):
        self.decided()
        one = list(LedgerEntry.objects.values_list("data", flat=True))
        self.decided()
        two = list(LedgerEntry.objects.values_list("data", flat=True))
        self.assertGreater(len(two), len(one))
        counted = []
        for data in (one, two):
            with CaptureQueriesContext(connection) as queries:
                labels.names_of(data)
            counted.append(len(queries))
        self.assertEqual(counted[0], counted[1], counted)
