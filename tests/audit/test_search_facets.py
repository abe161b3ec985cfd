"""The auditor's search by award type, campaign and nominee outcome, and its exports matching the screen."""

import csv
import datetime
import importlib
import io

from django.apps import apps as django_apps
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import LedgerEntry
from audit.verify import verify_ledger
from nominations import services as nomination_services
from nominations.models import Campaign, CommendationKind, NomineeOutcome, SubjectType
from org_hierarchy.models import Role
from tests.workflows.base import FlowTestCase
from workflows.models import StageOutcome

from .tampering import tamper


class LedgerFacetSearchTests(FlowTestCase):
    def setUp(self):
        # A ward-level dossier decided to the end (its nominees awarded), and a provincial one filed under a campaign
        # and only submitted.
        self.decided = self.make_dossier(self.commune_award, title="Hồ sơ Giấy khen phường")
        process = self.submit(self.decided)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE)
        self.campaign = nomination_services.campaign_save(
            campaign=Campaign(
                name="Phong trào thi đua Vì an ninh Tổ quốc",
                period_start=datetime.date(2026, 1, 1),
                launching_unit=self.world.danang_pc,
            ),
            actor=None,
        )
        self.filed = nomination_services.dossier_create(
            actor=self.submitter,
            originating_unit=self.world.residential_group,
            title="Hồ sơ Bằng khen theo phong trào",
            kind=CommendationKind.ANNUAL,
            award_type=self.province_award,
            year=2026,
            campaign=self.campaign,
        )
        nomination_services.nominee_add(
            dossier=self.filed, actor=self.submitter, subject_type=SubjectType.INDIVIDUAL, full_name="Trần Thị B"
        )
        self.submit(self.filed)
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        self.client.logged_in_as = None

    def search(self, **params):
        response = self.client.get(reverse("audit:ledger"), params)
        self.assertEqual(response.status_code, 200)
        return response, [entry.sequence for entry in response.context["entries"]]

    def exported(self, params):
        text = b"".join(self.client.get(reverse("audit:export", args=["csv"]), params).streaming_content)
        csv_rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
        workbook = self.client.get(reverse("audit:export", args=["xlsx"]), params)
        book = load_workbook(io.BytesIO(b"".join(workbook.streaming_content)))
        xlsx_rows = list(book.active.iter_rows(values_only=True))
        return csv_rows, xlsx_rows

    def expected(self, **lookup):
        return list(LedgerEntry.objects.filter(**lookup).order_by("-sequence").values_list("sequence", flat=True))

    def test_award_type_campaign_and_outcome_each_select_their_entries_and_the_exports_follow(self):
        award = str(self.commune_award.pk)
        response, shown = self.search(award_type=award)
        self.assertEqual(shown, self.expected(award_type=award, subject_id=str(self.decided.pk)))
        self.assertGreaterEqual(len(shown), 6)
        self.assertContains(response, "Hồ sơ Giấy khen phường")
        self.assertNotContains(response, "Hồ sơ Bằng khen theo phong trào")

        csv_rows, xlsx_rows = self.exported({"award_type": award})
        self.assertEqual([int(row[0]) for row in csv_rows[1:]], shown)
        self.assertEqual([row[0] for row in xlsx_rows[1:]], shown)
        award_column = csv_rows[0].index("Hình thức khen thưởng")
        self.assertEqual({row[award_column] for row in csv_rows[1:]}, {str(self.commune_award)})
        self.assertEqual({row[award_column] for row in xlsx_rows[1:]}, {str(self.commune_award)})

        _response, shown = self.search(campaign=str(self.campaign.pk))
        self.assertEqual(shown, self.expected(campaign=str(self.campaign.pk)))
        self.assertTrue(shown)
        self.assertEqual(
            set(LedgerEntry.objects.filter(sequence__in=shown).values_list("subject_id", flat=True)),
            {str(self.filed.pk)},
        )

        _response, shown = self.search(outcome=NomineeOutcome.AWARDED)
        awarded = LedgerEntry.objects.get(event="decision.issued")
        self.assertEqual(shown, [awarded.sequence])
        csv_rows, xlsx_rows = self.exported({"outcome": NomineeOutcome.AWARDED})
        self.assertEqual([int(row[0]) for row in csv_rows[1:]], shown)
        self.assertEqual([row[0] for row in xlsx_rows[1:]], shown)
        self.assertEqual(csv_rows[1][csv_rows[0].index("Kết quả của người được đề nghị")], "Được khen thưởng")
        self.assertEqual(self.search(outcome=NomineeOutcome.DROPPED)[1], [])
        # Combined with the other filters.
        self.assertEqual(self.search(outcome=NomineeOutcome.AWARDED, award_type=str(self.province_award.pk))[1], [])

    def test_a_value_not_offered_is_a_bad_request(self):
        response = self.client.get(reverse("audit:ledger"), {"award_type": "999999"})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].errors["award_type"])

    def test_the_search_columns_are_verified(self):
        self.assertTrue(verify_ledger().ok)
        awarded = LedgerEntry.objects.get(event="decision.issued")
        tamper("UPDATE audit_ledgerentry SET outcomes = %s WHERE id = %s", ["dropped", awarded.pk])
        result = verify_ledger()
        self.assertEqual(result.problem.sequence, awarded.sequence)
        self.assertIn("Cột kết quả", result.problem.why)

    def test_the_award_type_and_campaign_are_hashed(self):
        filed = LedgerEntry.objects.filter(campaign=str(self.campaign.pk)).earliest("sequence")
        tamper("UPDATE audit_ledgerentry SET campaign = '' WHERE id = %s", [filed.pk])
        self.assertEqual(verify_ledger().problem.sequence, filed.sequence)
        tamper("UPDATE audit_ledgerentry SET campaign = %s WHERE id = %s", [str(self.campaign.pk), filed.pk])
        self.assertTrue(verify_ledger().ok)
        decided = LedgerEntry.objects.filter(award_type=str(self.commune_award.pk)).latest("sequence")
        tamper("UPDATE audit_ledgerentry SET award_type = %s WHERE id = %s", [str(self.province_award.pk), decided.pk])
        result = verify_ledger()
        self.assertEqual(result.problem.sequence, decided.sequence)
        self.assertIn("bị sửa sau khi ghi", result.problem.why)


class _SchemaEditor:
    """What the backfill uses of a schema editor, usable inside the test's transaction."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


class OutcomesBackfillTests(FlowTestCase):
    def test_entries_written_before_the_column_get_their_outcomes_and_still_verify(self):
        dossier = self.make_dossier(self.commune_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE)
        decided = LedgerEntry.objects.get(event="decision.issued")
        tamper("UPDATE audit_ledgerentry SET outcomes = ''")
        self.assertFalse(verify_ledger().ok)

        migration = importlib.import_module("audit.migrations.0007_ledger_outcomes_backfill")
        migration.backfill(django_apps, _SchemaEditor())

        self.assertEqual(LedgerEntry.objects.get(pk=decided.pk).outcomes, NomineeOutcome.AWARDED)
        self.assertTrue(verify_ledger().ok)
