"""Bulk import of users and memberships: all or nothing, row-numbered errors, few queries, scoped to the actor."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import translation
from openpyxl import Workbook

from audit.events import AuditEvent
from audit.models import LedgerEntry
from audit.verify import verify_ledger
from org_hierarchy import services
from org_hierarchy.models import Membership, Role
from org_hierarchy.roles import permission_for
from org_hierarchy.signals import users_imported
from tests.base import MeritflowTestCase, grant, make_user

# Savepoint pair; units; users twice; held memberships; group lookup, insert and re-read; permissions; and the
# inserts of users, memberships (each with history), the group's object permission and the group links; the
# ledger entry: chain head locked, entry inserted, head moved on (on PostgreSQL the INSERT moves the head itself).
USERS_IMPORT_QUERIES = 16 + (2 if connection.vendor == "postgresql" else 3)
HEADER = "username,full_name,email,role,branch,level,admin_code,unit_id,valid_from,valid_to"


def csv_file(*lines: str, name: str = "users.csv") -> io.BytesIO:
    handle = io.BytesIO("\n".join([HEADER, *lines]).encode("utf-8"))
    handle.name = name
    return handle


def xlsx_file(rows: list[list]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    handle.seek(0)
    handle.name = "users.xlsx"
    return handle


class UsersImportTests(MeritflowTestCase):
    def setUp(self):
        # The row errors are compared in English; they are rendered after the import returns.
        self.enterContext(translation.override("en"))
        self.admin = make_user(is_superuser=True, is_staff=True)

    def run_import(self, file, actor=None):
        return services.users_import(file=file, actor=actor or self.admin)

    def test_good_file_creates_users_memberships_and_permissions(self):
        sent = []
        users_imported.connect(lambda **kwargs: sent.append(kwargs), weak=False, dispatch_uid="test-import")
        self.addCleanup(users_imported.disconnect, dispatch_uid="test-import")
        file = csv_file(
            "an.nguyen,Nguyễn Văn An,an@example.vn,appraiser,civil,commune,20242,,,",
            "an.nguyen,Nguyễn Văn An,an@example.vn,auditor,security,province,48,,01/01/2026,",
            f"binh.tran,Trần Thị Bình,,approver,,,,{self.world.badinh_police.pk},2026-01-01,2099-12-31",
        )
        report = self.run_import(file)

        self.assertEqual(report.errors, [])
        self.assertEqual((report.rows, report.users_created, report.memberships_created), (3, 2, 3))
        an = get_user_model().objects.get(username="an.nguyen")
        self.assertEqual((an.full_name, an.email, an.has_usable_password()), ("Nguyễn Văn An", "an@example.vn", False))
        self.assertTrue(an.has_perm(permission_for(Role.APPRAISER), self.world.haichau_pc))
        self.assertTrue(an.has_perm(permission_for(Role.AUDITOR), self.world.danang_police))
        binh = get_user_model().objects.get(username="binh.tran")
        self.assertTrue(binh.has_perm(permission_for(Role.APPROVER), self.world.badinh_police))
        membership = Membership.objects.get(user=an, role=Role.AUDITOR)
        self.assertEqual(str(membership.valid_from), "2026-01-01")
        self.assertEqual(membership.history.get().history_change_reason, "imported")
        self.assertEqual(an.history.get().history_user, self.admin)
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent[0]["actor"], self.admin)

        file.seek(0)
        again = self.run_import(file)
        self.assertEqual((again.users_created, again.users_existing), (0, 2))
        self.assertEqual((again.memberships_created, again.memberships_unchanged), (0, 3))
        self.assertEqual(Membership.objects.filter(user__in=[an, binh]).count(), 3)

    def test_xlsx_file_with_date_cells(self):
        report = self.run_import(
            xlsx_file(
                [["chi.le", "Lê Minh Châu", "", "secretary", "civil", "province", 48, None, datetime.date(2026, 2, 1)]]
            )
        )
        self.assertEqual(report.errors, [])
        membership = Membership.objects.get(user__username="chi.le")
        self.assertEqual((membership.unit, str(membership.valid_from)), (self.world.danang_pc, "2026-02-01"))

    def test_a_bad_row_imports_nothing_and_is_reported_by_row_number(self):
        users_before, memberships_before = get_user_model().objects.count(), Membership.objects.count()
        report = self.run_import(
            csv_file(
                "good.one,Người Tốt,,submitter,civil,commune,20242,,,",
                "bad one,Người Xấu,not-an-email,chief,civil,commune,99999,,31/02/2026,",
                "late.one,Người Muộn,,approver,civil,province,48,,2026-05-01,2026-04-01",
                "good.one,Tên Khác,,appraiser,civil,province,48,,,",
            )
        )
        self.assertFalse(report.ok)
        messages = [str(error) for error in report.errors]
        self.assertIn(
            "Row 3, column “username”: The username “bad one” may have at most 150 characters: "
            "letters, digits and @ . + - _ only.",
            messages,
        )
        self.assertIn("Row 3, column “email”: The e-mail address “not-an-email” is not valid.", messages)
        self.assertTrue(any(m.startswith("Row 3, column “role”: Unknown role “chief”") for m in messages))
        self.assertIn("Row 3, column “valid_from”: “31/02/2026” is not a date (use dd/mm/yyyy).", messages)
        self.assertIn("Row 4, column “valid_to”: The end date is before the start date.", messages)
        self.assertIn(
            "Row 5, column “username”: The user “good.one” appears on row 2 with a different name or e-mail.", messages
        )
        self.assertEqual(get_user_model().objects.count(), users_before)
        self.assertEqual(Membership.objects.count(), memberships_before)

    def test_unknown_unit_and_missing_columns(self):
        report = self.run_import(csv_file("x.y,X Y,,submitter,civil,commune,99999,,,"))
        self.assertEqual(
            [str(e) for e in report.errors], ["Row 2, column “admin_code”: No active unit matches “civil/99999”."]
        )
        missing = io.BytesIO(b"name,role\nx,submitter\n")
        report = self.run_import(missing)
        self.assertEqual([str(e) for e in report.errors], ["Row 1: Missing columns: Username."])
        report = self.run_import(io.BytesIO(b"username,role\nx,submitter\n"))
        self.assertEqual(
            [str(e) for e in report.errors], ["Row 1: Missing columns: Unit code | Unit number | Unit path."]
        )
        report = self.run_import(io.BytesIO(b"PK\x03\x04 not really a workbook"))
        self.assertEqual([str(e) for e in report.errors], ["Row 1: The file is not a readable Excel (.xlsx) workbook."])
        report = self.run_import(io.BytesIO("username;role\n".encode("utf-16")))
        self.assertEqual([str(e) for e in report.errors], ["Row 1: The CSV file must be encoded in UTF-8."])

    def test_a_formula_cell_is_refused_by_its_cell_not_read_as_blank(self):
        users_before = get_user_model().objects.count()
        formula = '=HYPERLINK("http://evil.example","Lê Minh Châu")'
        rows = [["chi.le", formula, "", "secretary", "civil", "province", 48]]
        report = self.run_import(xlsx_file(rows))
        self.assertEqual(
            [str(e) for e in report.errors],
            ["Row 2: Cell B2 holds a formula, and formulas are not accepted: type the value itself."],
        )
        with translation.override("vi"):
            self.assertIn("công thức không được chấp nhận", str(self.run_import(xlsx_file(rows)).errors[0]))
        self.assertEqual(get_user_model().objects.count(), users_before)

    def test_a_unit_administrator_imports_only_into_their_subtree(self):
        danang_admin = grant(Role.ADMIN, self.world.danang_pc)
        report = self.run_import(
            csv_file(
                "ok.user,OK,,submitter,civil,commune,20242,,,",
                "far.user,Far,,submitter,civil,province,1,,,",
            ),
            actor=danang_admin,
        )
        self.assertEqual(
            [str(e) for e in report.errors],
            ["Row 3, column “admin_code”: You do not administer the unit “Ủy ban nhân dân Thành phố Hà Nội”."],
        )
        self.assertFalse(get_user_model().objects.filter(username="ok.user").exists())

    def test_query_count_does_not_grow_with_the_rows(self):
        # One-time costs first (the content-type cache, the ledger's chain head), so both sizes pay the same.
        grant(Role.SUBMITTER, self.world.school)
        # Each size goes to its own unit, so both runs also create that unit's role group.
        for size, prefix, code in ((10, "a", "20242"), (20, "b", "20209")):
            lines = [f"{prefix}{i},Cán bộ {i},,submitter,civil,commune,{code},,," for i in range(size)]
            with self.subTest(rows=size), self.assertNumQueries(USERS_IMPORT_QUERIES):
                report = self.run_import(csv_file(*lines))
            self.assertEqual((report.users_created, report.memberships_created), (size, size))

    def test_an_import_leaves_one_ledger_entry_listing_its_memberships(self):
        self.run_import(
            csv_file(
                "an.nguyen,Nguyễn Văn An,an@example.vn,appraiser,civil,commune,20242,,,",
                "an.nguyen,Nguyễn Văn An,an@example.vn,auditor,security,province,48,,01/01/2026,",
            )
        )
        entry = LedgerEntry.objects.get(event=AuditEvent.USERS_IMPORTED)
        self.assertEqual(entry.actor, self.admin)
        imported = Membership.objects.filter(user__username="an.nguyen")
        self.assertEqual(
            sorted((m["id"], m["role"], m["unit_id"]) for m in entry.data["memberships"]),
            sorted(imported.values_list("pk", "role", "unit_id")),
        )
        self.assertEqual(entry.data["users_created"], 1)
        self.assertTrue(verify_ledger().ok)
