"""The campaign's subject groups: an individual nominee's group, chosen on the nominee form or named in the XLSX
import among its dossier's campaign's groups, and the individuals counted by group in the statistics and the
yearly report."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from nominations.models import Nominee, SubjectType
from org_hierarchy.models import Role
from tests.base import make_user
from tests.nominations.support import NominationsTestCase, draft, xlsx

from .support import campaign, decide, submitted
from .test_statistics import sheet_rows, values
from .test_yearly import report_url

RESIDENTIAL = "Khu dân cư, thôn, tổ dân phố"
HOUSEHOLDS = "Hộ gia đình và cá nhân"


class NomineeGroupTests(NominationsTestCase):
    """The submitter picks an individual's group among the groups of the dossier's campaign."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)
        cls.residential, cls.households = cls.campaign.subject_groups.order_by("position")

    def setUp(self):
        super().setUp()
        self.submitter = self.act_as(Role.SUBMITTER, self.world.haichau_pc)
        self.dossier, _s = draft(
            self.world.haichau_pc, actor=self.submitter, nominees=0, kind="campaign", campaign=self.campaign
        )

    def add(self, dossier=None, **data):
        return self.client.post(reverse("nominations:nominee_create", args=[(dossier or self.dossier).pk]), data)

    def test_the_form_offers_the_campaigns_groups_and_saves_the_chosen_one_with_history(self):
        other = campaign(self.world)
        page = self.client.get(reverse("nominations:nominee_create", args=[self.dossier.pk]))
        self.assertContains(page, 'name="subject_group"')
        self.assertEqual(
            list(page.context["form"].fields["subject_group"].queryset), [self.residential, self.households]
        )
        self.assertNotIn(other.subject_groups.first(), page.context["form"].fields["subject_group"].queryset)
        response = self.add(subject_type=SubjectType.INDIVIDUAL, full_name="Lê Văn A", subject_group=self.households.pk)
        self.assertRedirects(response, reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        nominee = Nominee.objects.get()
        self.assertEqual(nominee.subject_group, self.households)
        self.assertEqual(nominee.history.first().subject_group_id, self.households.pk)
        self.assertContains(self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk])), HOUSEHOLDS)
        edit = self.client.post(
            reverse("nominations:nominee_edit", args=[self.dossier.pk, nominee.pk]),
            {"subject_type": SubjectType.INDIVIDUAL, "full_name": "Lê Văn A", "subject_group": self.residential.pk},
        )
        self.assertEqual(edit.status_code, 302)
        nominee.refresh_from_db()
        self.assertEqual(nominee.subject_group, self.residential)
        self.assertEqual(nominee.history.first().history_change_reason, "updated")

    def test_the_english_form_names_the_groups_in_english(self):
        self.act_as(Role.SUBMITTER, self.world.haichau_pc, user=make_user(language="en"))
        page = self.client.get(reverse("nominations:nominee_create", args=[self.dossier.pk]))
        self.assertContains(page, "Households and individuals")
        self.assertNotContains(page, HOUSEHOLDS)

    def test_a_foreign_group_or_a_group_on_a_collective_is_refused_with_a_400_keeping_the_input(self):
        foreign = campaign(self.world).subject_groups.first()
        response = self.add(subject_type=SubjectType.INDIVIDUAL, full_name="Lê Văn B", subject_group=foreign.pk)
        self.assertContains(response, "Hãy chọn một lựa chọn hợp lệ", status_code=400)
        self.assertContains(response, "Lê Văn B", status_code=400)
        collective = self.add(
            subject_type=SubjectType.COLLECTIVE, full_name="Tổ dân phố 12", subject_group=self.residential.pk
        )
        self.assertContains(collective, "Chỉ cá nhân mới được xếp vào nhóm đối tượng.", status_code=400)
        self.assertFalse(Nominee.objects.exists())

    def test_a_dossier_under_no_campaign_has_no_group_field(self):
        plain, _s = draft(self.world.haichau_pc, actor=self.submitter, nominees=0, title="Hồ sơ thường")
        page = self.client.get(reverse("nominations:nominee_create", args=[plain.pk]))
        self.assertNotContains(page, 'name="subject_group"')
        ignored = self.add(plain, subject_type=SubjectType.INDIVIDUAL, full_name="C", subject_group=self.residential.pk)
        self.assertEqual(ignored.status_code, 302)
        self.assertIsNone(Nominee.objects.get().subject_group)

    def test_the_import_reads_the_group_column_by_either_name(self):
        rows = [["Nguyễn Văn A", "Cá nhân", RESIDENTIAL], ["Trần Thị B", "cá nhân", "households and individuals"]]
        rows.append(["Lê Văn C", "Cá nhân", ""])
        response = self.client.post(
            reverse("nominations:nominee_import", args=[self.dossier.pk]),
            {"file": xlsx(rows, headers=("Họ và tên", "Đối tượng", "Nhóm đối tượng"))},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(
            dict(Nominee.objects.values_list("full_name", "subject_group")),
            {"Nguyễn Văn A": self.residential.pk, "Trần Thị B": self.households.pk, "Lê Văn C": None},
        )

    def test_an_unknown_group_in_the_import_names_its_row_and_nothing_is_imported(self):
        rows = [["Nguyễn Văn A", "Cá nhân", RESIDENTIAL], ["Trần Thị B", "Cá nhân", "Nhóm không có"]]
        response = self.client.post(
            reverse("nominations:nominee_import", args=[self.dossier.pk]),
            {"file": xlsx(rows, headers=("Họ và tên", "Đối tượng", "Nhóm đối tượng"))},
        )
        self.assertContains(response, 'class="row-error"', count=1, status_code=400)
        self.assertContains(
            response,
            "Phong trào không có nhóm đối tượng “Nhóm không có”; "
            f"các nhóm của phong trào: {RESIDENTIAL}; {HOUSEHOLDS}.",
            status_code=400,
        )
        self.assertFalse(Nominee.objects.exists())


class GroupStatisticsTests(NominationsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)
        residential, households = cls.campaign.subject_groups.order_by("position")
        dossier, _s = submitted(
            cls.world.haichau_pc,
            award_code="bk_chu_tich_tinh",
            individuals=4,
            collectives=1,
            campaign=cls.campaign,
            groups=[residential, residential, households],
        )
        decide(dossier)
        hanoi, _s = submitted(
            cls.world.badinh_pc,
            award_code="bk_chu_tich_tinh",
            individuals=1,
            campaign=cls.campaign,
            groups=[households],
        )
        decide(hanoi)

    def groups(self, response, key="by_group"):
        return {row["label"]: values(row)[:2] for row in response.context[key]}

    def test_the_statistics_count_the_individuals_by_group_and_each_cell_lists_them(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(reverse("reports:statistics"), {"year": 2024})
        self.assertContains(response, "Cá nhân theo nhóm đối tượng")
        self.assertEqual(
            self.groups(response), {RESIDENTIAL: [2, 2], HOUSEHOLDS: [1, 1], "Không thuộc nhóm đối tượng nào": [1, 1]}
        )
        cell = next(row for row in response.context["by_group"] if row["label"] == RESIDENTIAL)["cells"][1]
        listing = self.client.get(cell["url"])
        self.assertEqual(listing.context["paginator"].count, 2)
        self.assertContains(listing, RESIDENTIAL)
        nobody = next(row for row in response.context["by_group"] if row["label"].startswith("Không"))["cells"][0]
        self.assertEqual([n.full_name for n in self.client.get(nobody["url"]).context["nominees"]], ["Cá nhân 4"])

    def test_the_xlsx_export_and_the_yearly_report_show_the_groups(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        rows = sheet_rows(self.client.get(reverse("reports:statistics_export", args=["xlsx"]), {"year": 2024}))
        self.assertIn("Cá nhân theo nhóm đối tượng", [row[0] for row in rows])
        self.assertEqual(list(next(row for row in rows if row[0] == RESIDENTIAL)[1:3]), [2, 2])
        page = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc))
        groups = {row["label"]: values(row)[:2] for row in page.context["counts"]["by_group"]}
        self.assertEqual(groups[HOUSEHOLDS], [1, 1])
        self.assertContains(page, "Cá nhân theo nhóm đối tượng")
        export = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc, "reports:yearly_export", "xlsx"))
        sheet = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
        self.assertEqual(list(next(row for row in sheet if row[0] == RESIDENTIAL)[1:3]), [2, 2])

    def test_a_hanoi_auditor_counts_only_hanois_group(self):
        self.act_as(Role.AUDITOR, self.world.hanoi_pc)
        response = self.client.get(reverse("reports:statistics"), {"year": 2024})
        self.assertEqual(self.groups(response), {HOUSEHOLDS: [1, 1]})

    def test_an_unknown_group_in_the_filters_is_a_400(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        self.assertEqual(self.client.get(reverse("reports:nominees"), {"subject_group": "999999"}).status_code, 400)
