from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from audit.models import LedgerEntry
from nominations import services
from nominations.models import AwardRecord, Nominee
from org_hierarchy.models import Role
from tests.base import grant

from .support import NominationsTestCase, draft, xlsx


def people(count: int) -> list[list]:
    return [
        [f"Nguyễn Văn {n}", f"{48_100_000_000 + n:012d}", "Nam" if n % 2 else "Nữ", "15/03/1985", "Cán bộ"]
        for n in range(count)
    ]


class NomineesImportTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = draft(self.world.residential_group, nominees=0)

    def test_a_thousand_nominees_are_imported_in_list_order_with_history(self):
        created = services.nominees_import_xlsx(dossier=self.dossier, actor=self.submitter, file=xlsx(people(1000)))
        self.assertEqual(len(created), 1000)
        self.assertEqual(self.dossier.nominees.count(), 1000)
        last = self.dossier.nominees.order_by("-list_position").first()
        self.assertEqual((last.full_name, last.gender, last.date_of_birth.year), ("Nguyễn Văn 999", "male", 1985))
        self.assertEqual(Nominee.history.filter(history_change_reason="imported").count(), 1000)
        self.assertEqual(LedgerEntry.objects.get(event="nominees.imported").data, {"count": 1000})

    def test_an_import_costs_the_same_statements_for_n_and_2n_rows(self):
        counts = {}
        for rows in (15, 30):
            dossier, submitter = draft(self.world.residential_group, nominees=0, title=f"Danh sách {rows}")
            with CaptureQueriesContext(connection) as captured:
                services.nominees_import_xlsx(dossier=dossier, actor=submitter, file=xlsx(people(rows)))
            counts[rows] = len(captured)
            self.assertEqual(dossier.nominees.count(), rows)
        self.assertEqual(counts[15], counts[30])
        self.assertLessEqual(counts[30], 15)

    def test_one_bad_row_rejects_the_whole_file_with_that_rows_error(self):
        rows = people(1000)
        rows[499][1] = "04812345"
        with self.assertRaises(services.ImportRejected) as caught:
            services.nominees_import_xlsx(dossier=self.dossier, actor=self.submitter, file=xlsx(rows))
        self.assertEqual(
            caught.exception.row_errors,
            [services.RowError(501, "A citizen ID number has exactly 12 digits.", "Số CCCD")],
        )
        self.assertFalse(Nominee.objects.exists())

    def test_bad_values_are_named(self):
        rows = [["A", "", "Khác", "", ""], ["B", "", "Nam", "31/02/1990", ""], ["", "", "Nam", "", ""]]
        rows.append(["C", "", "", "", ""])
        with self.assertRaises(services.ImportRejected) as caught:
            services.nominees_import_xlsx(dossier=self.dossier, actor=self.submitter, file=xlsx(rows))
        self.assertEqual(
            [(error.row, error.column, error.message) for error in caught.exception.row_errors],
            [
                (2, "Giới tính", "Unknown gender “Khác”."),
                (3, "Ngày sinh", "“31/02/1990” is not a date (use dd/mm/yyyy)."),
                (4, "Họ và tên", "This field cannot be blank."),
            ],
        )

    def test_missing_name_column_and_unreadable_files_are_reported(self):
        with self.assertRaises(services.ImportRejected) as caught:
            services.nominees_import_xlsx(
                dossier=self.dossier, actor=self.submitter, file=xlsx([["x"]], headers=("Ghi chú",))
            )
        self.assertEqual(caught.exception.row_errors[0].row, 1)
        self.assertIn("Missing column", caught.exception.row_errors[0].message)
        with self.assertRaises(services.ImportRejected) as caught:
            services.nominees_import_xlsx(
                dossier=self.dossier, actor=self.submitter, file=SimpleUploadedFile("a.xlsx", b"not a workbook")
            )
        self.assertEqual(caught.exception.row_errors[0].message, "The file is not a readable Excel (.xlsx) workbook.")


class AwardHistoryImportTests(NominationsTestCase):
    def csv(self, text: str):
        return SimpleUploadedFile("lich-su.csv", text.encode("utf-8"))

    def test_administrator_imports_the_registry_from_csv(self):
        admin = grant(Role.ADMIN, self.world.danang_pc)
        created = services.award_history_import(
            actor=admin,
            file=self.csv(
                "name,national_id,award_code,year,decision_number,issuer\n"
                "Trần Thị B,048123456789,cstd_co_so,2024,12/QĐ-UBND,UBND Phường Hải Châu\n"
                "Trần Thị B,048123456789,cstd_co_so,2025,20/QĐ-UBND,UBND Phường Hải Châu\n"
            ),
        )
        self.assertEqual(len(created), 2)
        self.assertEqual(AwardRecord.objects.filter(award_type__code="cstd_co_so").count(), 2)
        self.assertEqual(LedgerEntry.objects.get(event="award_history.imported").data["count"], 2)

    def test_one_bad_row_imports_nothing(self):
        admin = grant(Role.ADMIN, self.world.danang_pc)
        with self.assertRaises(services.ImportRejected) as caught:
            services.award_history_import(
                actor=admin,
                file=self.csv(
                    "name,national_id,award_code,year\nA,048123456789,cstd_co_so,2024\nB,048123456780,khong_co,2024\n"
                ),
            )
        self.assertEqual(
            caught.exception.row_errors, [services.RowError(3, "Unknown award code “khong_co”.", "award_code")]
        )
        self.assertFalse(AwardRecord.objects.exists())

    def test_xlsx_is_accepted_too(self):
        admin = grant(Role.ADMIN, self.world.danang_pc)
        book = xlsx(
            [["Lê Văn C", "048123456781", "Lao động tiên tiến", 2023]],
            headers=("Họ và tên", "Số CCCD", "Danh hiệu", "Năm"),
        )
        self.assertEqual(len(services.award_history_import(actor=admin, file=book)), 1)

    def test_only_administrators_import(self):
        with self.assertRaises(PermissionDenied):
            services.award_history_import(actor=grant(Role.SUBMITTER, self.world.school), file=self.csv("name,year\n"))


class FormulaCellImportTests(NominationsTestCase):
    def test_a_formula_cell_is_refused_with_a_clear_message_and_nothing_is_imported(self):
        dossier, submitter = draft(self.world.residential_group, nominees=0)
        rows = people(3)
        rows[1][0] = '=HYPERLINK("http://evil.example","Nguyễn Văn B")'
        with translation.override("vi"), self.assertRaises(services.ImportRejected) as caught:
            services.nominees_import_xlsx(dossier=dossier, actor=submitter, file=xlsx(rows))
        [error] = caught.exception.row_errors
        self.assertEqual(error.row, 3)
        self.assertIn("công thức không được chấp nhận", error.message)
        self.assertIn("A3", error.message)
        self.assertNotIn("trống", error.message)
        self.assertFalse(dossier.nominees.exists())
