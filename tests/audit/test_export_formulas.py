"""Formula injection: a name or reason that a spreadsheet would run as a formula is exported as plain text."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from audit.events import AuditEvent
from audit.services import record
from nominations import services as nomination_services
from nominations.models import SubjectType
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, grant, make_user
from tests.nominations.support import draft

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn"]


class ExportFormulaTests(MeritflowTestCase):
    def setUp(self):
        submitter = make_user(full_name=HOSTILE[0])
        dossier, _ = draft(
            self.world.residential_group,
            actor=grant(Role.SUBMITTER, self.world.residential_group, submitter),
            title=HOSTILE[1],
            nominees=0,
        )
        nominee = nomination_services.nominee_add(
            dossier=dossier, actor=submitter, subject_type=SubjectType.INDIVIDUAL, full_name=HOSTILE[2]
        )
        record(AuditEvent.STAGE_SIGNED, actor=submitter, unit=self.world.haichau_pc, subject=nominee, reason=HOSTILE[3])
        record(AuditEvent.STAGE_SIGNED, actor=submitter, unit=self.world.haichau_pc, reason=HOSTILE[4])
        record(AuditEvent.STAGE_SIGNED, actor=submitter, unit=self.world.haichau_pc, reason=HOSTILE[5])
        self.act_as(Role.AUDITOR, self.world.danang_pc)

    def cells(self, fmt):
        response = self.client.get(reverse("audit:export", args=[fmt]))
        self.assertEqual(response.status_code, 200)
        content = b"".join(response.streaming_content)
        if fmt == "csv":
            return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
        sheet = load_workbook(io.BytesIO(content)).active
        for row in sheet.iter_rows():
            for cell in row:
                self.assertNotEqual(cell.data_type, "f", cell.value)
        return [cell.value for row in sheet.iter_rows() for cell in row]

    def test_csv_and_xlsx_cells_never_start_a_formula(self):
        for fmt in ("csv", "xlsx"):
            with self.subTest(fmt=fmt):
                cells = [cell for cell in self.cells(fmt) if isinstance(cell, str)]
                self.assertEqual([cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))], [])
                self.assertIn("'" + HOSTILE[0], cells)  # the actor's name
                self.assertIn("'" + HOSTILE[3], cells)  # the reason
                self.assertTrue(any(cell.startswith("'" + HOSTILE[2]) for cell in cells), "the nominee's name")
