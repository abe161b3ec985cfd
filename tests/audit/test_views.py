import csv
import datetime
import io
import warnings
from unittest import mock

from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from audit.events import AuditEvent
from audit.exports import LINES_PER_PIECE
from audit.models import LedgerEntry, VerificationRun
from audit.services import personal_data_access_record, record
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, make_user

from .tampering import tamper

LEDGER = reverse("audit:ledger")

# Session, user, the user's seats (read once for every scope), notification badge, the unit, award type and
# campaign choices of the search form, the count for the pager and the page of entries.
LEDGER_QUERIES = 9
# Session, user, the user's seats, notification badge and the last verification run.
VERIFY_PAGE_QUERIES = 5


class AuditorWorkspaceTests(MeritflowTestCase):
    def setUp(self):
        self.officer = make_user(full_name="Đặng Văn Ký")
        self.inside = record(
            AuditEvent.STAGE_SIGNED,
            actor=self.officer,
            unit=self.world.haichau_pc,
            subject=self.world.haichau_pc,
            role=Role.APPROVER,
            reason="Ký tờ trình Hải Châu",
        )
        self.outside = record(
            AuditEvent.STAGE_SIGNED, actor=self.officer, unit=self.world.badinh_pc, reason="Ký tờ trình Ba Đình"
        )
        self.system = record(AuditEvent.AWARD_TYPE_CHANGED, actor=None, reason="Sửa danh mục")

    def sign(self, unit, count):
        return [
            record(AuditEvent.STAGE_SIGNED, actor=self.officer, unit=unit, reason=f"Ký lần {n}") for n in range(count)
        ]

    def test_anonymous_users_are_sent_to_log_in_and_other_roles_are_refused(self):
        self.assertEqual(self.client.get(LEDGER).status_code, 302)
        self.act_as(Role.APPRAISER, self.world.danang_pc)
        for name in ("audit:ledger", "audit:verify", "audit:personal_data"):
            self.assertEqual(self.client.get(reverse(name)).status_code, 403, name)

    def test_an_auditor_sees_their_subtree_and_nothing_outside_it(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(LEDGER)
        self.assertContains(response, "Ký tờ trình Hải Châu")
        self.assertNotContains(response, "Ký tờ trình Ba Đình")
        self.assertNotContains(response, "Sửa danh mục")

    def test_a_foreign_unit_cannot_be_searched(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(LEDGER, {"unit": self.world.badinh_pc.pk})
        self.assertEqual(response.status_code, 400)
        self.assertNotContains(response, "Ký tờ trình Ba Đình", status_code=400)
        self.assertNotContains(response, "Ký tờ trình Hải Châu", status_code=400)

    def test_auditors_of_a_root_unit_also_see_system_entries(self):
        self.act_as(Role.AUDITOR, self.world.government)
        response = self.client.get(LEDGER)
        self.assertContains(response, "Sửa danh mục")
        self.assertContains(response, "Ký tờ trình Ba Đình")

    def test_filters_by_unit_period_actor_and_event(self):
        self.act_as(Role.AUDITOR, self.world.government)
        other = make_user(full_name="Hồ Thị Khác")
        record(AuditEvent.STAGE_VOTED, actor=other, unit=self.world.thanhkhe_pc, reason="Bỏ phiếu Thanh Khê")
        today = timezone.localdate()

        def reasons(**params):
            response = self.client.get(LEDGER, params)
            self.assertEqual(response.status_code, 200)
            return {entry.reason for entry in response.context["entries"]}

        danang = reasons(unit=self.world.danang_pc.pk)
        self.assertIn("Ký tờ trình Hải Châu", danang)
        self.assertIn("Bỏ phiếu Thanh Khê", danang)
        self.assertNotIn("Ký tờ trình Ba Đình", danang)
        self.assertEqual(reasons(unit=self.world.danang_pc.pk, actor="khác"), {"Bỏ phiếu Thanh Khê"})
        self.assertEqual(reasons(event=AuditEvent.STAGE_VOTED), {"Bỏ phiếu Thanh Khê"})
        self.assertIn("Sửa danh mục", reasons(date_from=today, date_to=today))
        self.assertEqual(reasons(date_to=today - datetime.timedelta(days=1)), set())

    def test_a_reversed_period_is_a_clear_400(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(LEDGER, {"date_from": "2026-11-23", "date_to": "2026-11-01"})
        self.assertEqual(response.status_code, 400)
        self.assertTrue(response.context["form"].non_field_errors())

    def test_state_changing_requests_are_refused(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        count = LedgerEntry.objects.count()
        for name in ("audit:ledger", "audit:personal_data"):
            for method in (self.client.post, self.client.put, self.client.delete):
                self.assertEqual(method(reverse(name)).status_code, 403, (name, method))
        # A verification run is the one write an auditor may ask for; other methods on that page are not served.
        for method in (self.client.put, self.client.delete):
            self.assertEqual(method(reverse("audit:verify")).status_code, 403)
        self.assertEqual(LedgerEntry.objects.count(), count)
        self.assertEqual(VerificationRun.objects.count(), 0)

    def test_ledger_page_queries_do_not_grow_with_entries(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        for total in (10, 20):
            self.sign(self.world.thanhkhe_pc, 10)
            with self.assertNumQueries(LEDGER_QUERIES):
                response = self.client.get(LEDGER, {"event": AuditEvent.STAGE_SIGNED})
            self.assertContains(response, 'class="ledger-row"', count=total + 1)

    def test_exports_open_and_match_the_search(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        self.sign(self.world.thanhkhe_pc, 3)
        params = {"event": AuditEvent.STAGE_SIGNED}
        shown = [entry.sequence for entry in self.client.get(LEDGER, params).context["entries"]]
        self.assertEqual(len(shown), 4)

        response = self.client.get(reverse("audit:export", args=["csv"]), params)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        self.assertEqual([int(row[0]) for row in rows[1:]], shown)
        with translation.override("vi"):
            self.assertEqual({row[2] for row in rows[1:]}, {str(AuditEvent.STAGE_SIGNED.label)})
        # Day first with a 24-hour clock; the role and the stage in words, not their codes.
        self.assertRegex(rows[1][1], r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}$")
        self.assertNotIn("approver", {row[4] for row in rows[1:]})
        self.assertNotIn("commune", {row[7] for row in rows[1:]})
        self.assertIn("Ký tờ trình Hải Châu", text)
        self.assertNotIn("Ba Đình", text)

        response = self.client.get(reverse("audit:export", args=["xlsx"]), params)
        self.assertIn('filename="ledger-', response["Content-Disposition"])
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        values = list(sheet.iter_rows(values_only=True))
        self.assertEqual([row[0] for row in values[1:]], shown)
        self.assertEqual(values[-1][6], self.world.haichau_pc.name)
        self.assertIsInstance(values[-1][1], datetime.datetime)

    async def test_exports_are_sent_piece_by_piece_under_asgi(self):
        auditor = await sync_to_async(self.act_as)(Role.AUDITOR, self.world.danang_pc)
        await sync_to_async(self.sign)(self.world.thanhkhe_pc, LINES_PER_PIECE + 50)
        await self.async_client.aforce_login(auditor)
        params = {"event": AuditEvent.STAGE_SIGNED}
        with warnings.catch_warnings():
            # Django warns, then reads the whole stream into memory, when it is handed a synchronous iterator.
            warnings.simplefilter("error")
            response = await self.async_client.get(reverse("audit:export", args=["csv"]), params)
            pieces = [piece async for piece in response]
            response = await self.async_client.get(reverse("audit:export", args=["xlsx"]), params)
            blocks = [block async for block in response]
        self.assertGreater(len(pieces), 1)
        rows = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig"))))
        self.assertEqual(len(rows), 1 + 1 + LINES_PER_PIECE + 50)  # the header, Hải Châu's entry, Thanh Khê's
        sheet = load_workbook(io.BytesIO(b"".join(blocks))).active
        self.assertEqual([row[0] for row in sheet.iter_rows(values_only=True)][1:], [int(row[0]) for row in rows[1:]])

    def test_a_search_too_long_for_an_excel_sheet_is_refused_with_a_message_and_csv_still_works(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        self.sign(self.world.thanhkhe_pc, 3)
        params = {"event": AuditEvent.STAGE_SIGNED}
        with mock.patch("audit.exports.XLSX_MAX_ENTRIES", 3):
            response = self.client.get(reverse("audit:export", args=["xlsx"]), params)
            self.assertEqual(response.status_code, 400)
            self.assertContains(response, "Một trang tính Excel chứa tối đa 3 mục", status_code=400)
            csv_response = self.client.get(reverse("audit:export", args=["csv"]), params)
            self.assertEqual(len(b"".join(csv_response.streaming_content).decode("utf-8-sig").splitlines()), 5)
            fitting = self.client.get(
                reverse("audit:export", args=["xlsx"]), {**params, "unit": self.world.thanhkhe_pc.pk}
            )
            self.assertEqual(fitting.status_code, 200)

    def test_unknown_export_format_is_404(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        self.assertEqual(self.client.get(reverse("audit:export", args=["pdf"])).status_code, 404)

    def test_verification_page_shows_the_last_run_and_runs_a_new_one_on_request(self):
        auditor = self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(reverse("audit:verify"))
        self.assertContains(response, "mf-verify--never")
        response = self.client.post(reverse("audit:verify"))
        self.assertRedirects(response, reverse("audit:verify"))
        run = VerificationRun.objects.get()
        self.assertEqual((run.started_by, run.ok, run.checked), (auditor, True, LedgerEntry.objects.count()))
        response = self.client.get(reverse("audit:verify"))
        self.assertContains(response, "mf-verify--ok")
        # Without a checkpoint key the page says the chain was not compared with signed checkpoints.
        self.assertContains(response, "mf-verify-anchoring--off")

        tamper("UPDATE audit_ledgerentry SET reason = %s WHERE id = %s", ["đã sửa", self.outside.pk])
        # Opening the page does not recompute the chain: it shows the last run until a new one is asked for.
        with self.assertNumQueries(VERIFY_PAGE_QUERIES):
            self.assertContains(self.client.get(reverse("audit:verify")), "mf-verify--ok")
        self.client.post(reverse("audit:verify"))
        response = self.client.get(reverse("audit:verify"))
        self.assertContains(response, "mf-verify--broken")
        self.assertEqual(response.context["run"].problem_sequence, self.outside.sequence)
        self.assertContains(response, auditor.get_full_name())

    def test_the_command_line_run_is_shown_too(self):
        call_command("verify_audit", stdout=io.StringIO())
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(reverse("audit:verify"))
        self.assertContains(response, "mf-verify--ok")
        self.assertIsNone(response.context["run"].started_by)


class PersonalDataAccessPageTests(MeritflowTestCase):
    def test_auditors_see_accesses_in_their_units_only(self):
        viewer = make_user(full_name="Người Xem Căn Cước")
        personal_data_access_record(
            viewer=viewer, subject=self.world.school, field="national_id", unit=self.world.school, context="Hải Châu"
        )
        personal_data_access_record(
            viewer=viewer,
            subject=self.world.badinh_pc,
            field="national_id",
            unit=self.world.badinh_pc,
            context="Ba Đình",
        )
        self.act_as(Role.AUDITOR, self.world.haichau_pc)
        response = self.client.get(reverse("audit:personal_data"))
        self.assertContains(response, 'class="access-row"', count=1)
        self.assertContains(response, "Người Xem Căn Cước")
        self.assertContains(response, "Hải Châu")
        self.assertNotContains(response, "Ba Đình")


class VietnameseByDefaultTests(MeritflowTestCase):
    def test_the_workspace_speaks_vietnamese(self):
        record(AuditEvent.STAGE_SIGNED, actor=None, unit=self.world.haichau_pc)
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        self.client.post(reverse("audit:verify"))
        self.assertContains(self.client.get(reverse("audit:verify")), "Sổ nhật ký nguyên vẹn")
        self.assertContains(self.client.get(LEDGER), "Ký tờ trình")
