"""The import pages: a template to download next to each form, and every error of every row listed at once."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from nominations.models import AwardRecord, Nominee
from org_hierarchy.models import Role
from tests.base import grant, make_user
from tests.reports.support import campaign

from .support import NominationsTestCase, draft, xlsx


def as_upload(response, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"".join(response), content_type=response["Content-Type"])


class NomineeImportPageTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = draft(self.world.residential_group, nominees=0)
        self.import_url = reverse("nominations:nominee_import", args=[self.dossier.pk])
        self.template_url = reverse("nominations:nominee_template", args=[self.dossier.pk])

    def test_the_form_links_to_a_template_in_the_users_language_that_imports_as_it_is(self):
        for language, headers, name in (
            ("vi", ["Họ và tên", "Đối tượng", "Giới tính", "Ngày sinh"], "Nguyễn Văn An"),
            ("en", ["Full name", "Subject type", "Gender", "Date of birth"], "Nguyen Van An"),
        ):
            with self.subTest(language):
                self.submitter.language = language
                self.submitter.save(update_fields=["language"])
                self.client.force_login(self.submitter)
                self.assertContains(self.client.get(self.import_url), f'href="{self.template_url}"')
                response = self.client.get(self.template_url)
                self.assertEqual(response.status_code, 200)
                self.assertIn("attachment", response["Content-Disposition"])
                self.assertIn(".xlsx", response["Content-Disposition"])
                book = load_workbook(io.BytesIO(b"".join(response)))
                self.assertEqual([cell.value for cell in book.worksheets[0][1]][:4], headers)
                self.assertEqual(len(book.worksheets), 2)
                response = self.client.post(self.import_url, {"file": as_upload(response, "template.xlsx")})
                self.assertEqual(response.status_code, 302)
                self.assertEqual(self.dossier.nominees.get(full_name=name).date_of_birth.isoformat(), "1985-03-15")

    def test_a_campaign_dossiers_template_names_its_campaigns_first_group_and_imports_as_it_is(self):
        group_campaign = campaign(self.world)
        first = group_campaign.subject_groups.order_by("position").first()
        dossier, submitter = draft(self.world.residential_group, nominees=0, kind="campaign", campaign=group_campaign)
        for language, example in (("vi", first.name_vi), ("en", first.name_en)):
            with self.subTest(language):
                submitter.language = language
                submitter.save(update_fields=["language"])
                self.client.force_login(submitter)
                template = self.client.get(reverse("nominations:nominee_template", args=[dossier.pk]))
                rows = list(load_workbook(io.BytesIO(b"".join(template))).worksheets[0].values)
                self.assertEqual(rows[0][-1], "Nhóm đối tượng" if language == "vi" else "Subject group")
                self.assertEqual(rows[1][-1], example)
                response = self.client.post(
                    reverse("nominations:nominee_import", args=[dossier.pk]),
                    {"file": as_upload(template, "template.xlsx")},
                )
                self.assertEqual(response.status_code, 302)
        self.assertEqual([nominee.subject_group for nominee in dossier.nominees.all()], [first, first])

    def test_every_error_of_every_row_is_listed_with_its_column(self):
        self.submitter.language = "en"
        self.submitter.save(update_fields=["language"])
        self.client.force_login(self.submitter)
        rows = [
            ["Trần Thị B", "12AB", "Khác", "31/02/1980", "Tổ trưởng"],
            ["", "048123456789", "Nam", "", ""],
            ["Lê Văn C", "048123456780", "Nam", "01/01/1850", ""],
        ]
        response = self.client.post(self.import_url, {"file": xlsx(rows)})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            [(error.row, error.column) for error in response.context["row_errors"]],
            [(2, "Giới tính"), (2, "Ngày sinh"), (2, "Số CCCD"), (3, "Họ và tên"), (4, "Ngày sinh")],
        )
        self.assertContains(response, 'class="row-error"', count=5, status_code=400)
        self.assertContains(response, "5 errors to correct", status_code=400)
        self.assertContains(response, "Unknown gender “Khác”.", status_code=400)
        self.assertContains(response, "A citizen ID number has exactly 12 digits.", status_code=400)
        self.assertFalse(Nominee.objects.exists())

    def test_a_semicolon_csv_with_a_byte_order_mark_imports_like_the_workbook(self):
        self.client.force_login(self.submitter)
        content = "\ufeffHọ và tên;Giới tính;Ngày sinh\nTrần Thị Bình;Nữ;01/02/1980\n".encode()
        response = self.client.post(self.import_url, {"file": SimpleUploadedFile("danh-sach.csv", content)})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.dossier.nominees.get().gender, "female")

    def test_the_template_is_for_the_dossiers_submitters_only(self):
        self.client.force_login(grant(Role.SUBMITTER, self.world.school))
        self.assertEqual(self.client.get(self.template_url).status_code, 404)
        self.client.force_login(grant(Role.APPRAISER, self.world.haichau_pc))
        self.assertEqual(self.client.get(self.template_url).status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(self.template_url).status_code, 302)


class AwardHistoryImportPageTests(NominationsTestCase):
    def test_administrators_download_the_template_and_it_imports_as_it_is(self):
        self.client.force_login(grant(Role.ADMIN, self.world.danang_pc, user=make_user(language="en")))
        page = self.client.get(reverse("nominations:award_history_import"))
        template_url = reverse("nominations:award_history_template")
        self.assertContains(page, f'href="{template_url}"')
        template = self.client.get(template_url)
        response = self.client.post(
            reverse("nominations:award_history_import"), {"file": as_upload(template, "history.xlsx")}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(AwardRecord.objects.get().subject_name, "Tran Thi Binh")

    def test_every_error_of_a_row_is_listed(self):
        self.client.force_login(grant(Role.ADMIN, self.world.danang_pc, user=make_user(language="en")))
        content = b"name,award_code,year,decision_date\n,khong_co,abc,32/01/2024\n"
        response = self.client.post(
            reverse("nominations:award_history_import"), {"file": SimpleUploadedFile("h.csv", content)}
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            sorted(error.column for error in response.context["row_errors"]),
            ["Citizen ID number", "award_code", "decision_date", "name", "year"],
        )

    def test_others_may_not_download_it(self):
        self.client.force_login(grant(Role.SUBMITTER, self.world.school))
        self.assertEqual(self.client.get(reverse("nominations:award_history_template")).status_code, 403)
