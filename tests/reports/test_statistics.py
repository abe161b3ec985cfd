import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from nominations.models import AwardType
from org_hierarchy.models import Role
from reports.statistics import Criteria, statistics
from tests.base import grant
from tests.nominations.support import NominationsTestCase

from .support import build_danang_2024, campaign, decide, submitted

MINISTER = "Bằng khen của Bộ trưởng Bộ Công an"
CITY_CHAIR = "Bằng khen của Chủ tịch Ủy ban nhân dân cấp tỉnh"


def award_row(response, label):
    return next(row for row in response.context["by_award"] if row["label"] == label)


def values(row):
    """The row's cells: proposed, awarded individuals, collectives, households, awarded (in force), revoked,
    in progress, dropped, rejected, withdrawn."""
    return [cell["value"] for cell in row["cells"]]


def sheet_rows(response):
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


class DanangStatisticsTests(NominationsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)
        cls.dossiers = build_danang_2024(cls.world, cls.campaign)

    def danang_auditor(self):
        """An auditor seated at both branches' tops: the figures of every province, Đà Nẵng's among them."""
        user = grant(Role.AUDITOR, self.world.government)
        return self.act_as(Role.AUDITOR, self.world.mps, user=user)

    def test_the_statistics_of_danang_2024_show_the_minister_and_the_city_chair_awards(self):
        self.danang_auditor()
        response = self.client.get(reverse("reports:statistics"), {"year": 2024, "province": "48"})
        self.assertEqual(response.status_code, 200)
        # proposed, awarded (individuals, collectives, households), awarded, revoked, in progress, dropped, rejected,
        # withdrawn
        self.assertEqual(values(award_row(response, MINISTER)), [8, 0, 8, 0, 8, 0, 0, 0, 0, 0])
        self.assertEqual(values(award_row(response, CITY_CHAIR)), [35, 7, 24, 0, 31, 0, 1, 1, 2, 0])
        self.assertEqual(values({"cells": response.context["total"]})[:5], [43, 7, 32, 0, 39])
        self.assertContains(response, "<svg", count=3)
        self.assertContains(response, "Số được khen thưởng theo đơn vị")

    def test_another_province_and_another_year_show_nothing_of_danang_2024(self):
        self.danang_auditor()
        response = self.client.get(reverse("reports:statistics"), {"year": 2024, "province": "1"})
        self.assertEqual(response.context["by_award"], [])
        self.assertEqual(values({"cells": response.context["total"]}), [0] * 10)
        earlier = self.client.get(reverse("reports:statistics"), {"year": 2023, "province": "48"})
        self.assertEqual(values(award_row(earlier, CITY_CHAIR))[:5], [5, 5, 0, 0, 5])

    def test_each_cell_opens_the_nominees_behind_it(self):
        self.danang_auditor()
        response = self.client.get(reverse("reports:statistics"), {"year": 2024, "province": "48"})
        collectives = award_row(response, CITY_CHAIR)["cells"][2]
        listing = self.client.get(collectives["url"])
        self.assertEqual(listing.status_code, 200)
        self.assertEqual(len(listing.context["nominees"]), 24)
        self.assertEqual({n.subject_type for n in listing.context["nominees"]}, {"collective"})
        self.assertEqual({n.outcome for n in listing.context["nominees"]}, {"awarded"})
        rejected = self.client.get(award_row(response, CITY_CHAIR)["cells"][8]["url"])
        self.assertEqual([n.dossier_id for n in rejected.context["nominees"]], [self.dossiers["rejected"].pk] * 2)

    def test_the_units_drill_down_along_the_tree(self):
        self.danang_auditor()
        top = self.client.get(reverse("reports:statistics"), {"year": 2024})
        labels = {row["label"]: values(row)[4] for row in top.context["by_unit"]}
        self.assertEqual(labels, {"Chính phủ": 31, "Bộ Công an": 8})
        city = self.client.get(top.context["by_unit"][0]["drill_url"])
        labels = {row["label"]: values(row)[4] for row in city.context["by_unit"]}
        self.assertEqual(labels, {"Ủy ban nhân dân Thành phố Đà Nẵng": 31})
        commune = self.client.get(reverse("reports:statistics"), {"year": 2024, "unit": self.world.danang_pc.pk})
        labels = {row["label"]: values(row)[4] for row in commune.context["by_unit"]}
        self.assertEqual(labels, {"Ủy ban nhân dân Phường Hải Châu": 18, "Ủy ban nhân dân Phường Thanh Khê": 13})
        self.assertEqual([u.pk for u in commune.context["trail"]], [self.world.government.pk, self.world.danang_pc.pk])

    def test_the_xlsx_export_has_the_same_counts(self):
        self.danang_auditor()
        response = self.client.get(
            reverse("reports:statistics_export", args=["xlsx"]), {"year": 2024, "province": "48"}
        )
        self.assertEqual(response.status_code, 200)
        rows = sheet_rows(response)
        minister = next(row for row in rows if row[0] == MINISTER)
        chair = next(row for row in rows if row[0] == CITY_CHAIR)
        self.assertEqual(list(minister[1:11]), [8, 0, 8, 0, 8, 0, 0, 0, 0, 0])
        self.assertEqual(list(chair[1:11]), [35, 7, 24, 0, 31, 0, 1, 1, 2, 0])
        elsewhere = sheet_rows(
            self.client.get(reverse("reports:statistics_export", args=["xlsx"]), {"year": 2024, "province": "1"})
        )
        self.assertFalse([row for row in elsewhere if row[0] in (MINISTER, CITY_CHAIR)])

    def test_the_pdf_export_is_a_pdf(self):
        self.danang_auditor()
        response = self.client.get(reverse("reports:statistics_export", args=["pdf"]), {"year": 2024, "province": "48"})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.content.startswith(b"%PDF"))

    def test_bad_filters_get_a_message_and_a_400(self):
        self.danang_auditor()
        response = self.client.get(reverse("reports:statistics"), {"year": "abc", "submitted_from": "31/02/2024"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("year", response.context["form"].errors)
        self.assertIn("submitted_from", response.context["form"].errors)
        export = self.client.get(reverse("reports:statistics_export", args=["xlsx"]), {"year": "abc"})
        self.assertEqual(export.status_code, 400)

    def test_a_danang_auditor_is_offered_danang_only(self):
        user = grant(Role.AUDITOR, self.world.danang_pc)
        self.act_as(Role.AUDITOR, self.world.danang_police, user=user)
        response = self.client.get(reverse("reports:statistics"), {"year": 2024, "province": "48"})
        self.assertEqual([code for code, _name in response.context["form"].fields["province"].choices], ["", "48"])
        self.assertEqual(values(award_row(response, MINISTER))[4], 8)
        self.assertEqual(values(award_row(response, CITY_CHAIR))[4], 31)

    def test_a_submitter_has_no_statistics(self):
        self.act_as(Role.SUBMITTER, self.world.haichau_pc)
        self.assertEqual(self.client.get(reverse("reports:statistics")).status_code, 403)
        self.assertNotContains(self.client.get("/"), reverse("reports:statistics"))


class HanoiAuditorTests(NominationsTestCase):
    """Scoping from the outside: a Hà Nội auditor sees nothing of Đà Nẵng anywhere."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)
        build_danang_2024(cls.world, cls.campaign)
        hanoi, _s = submitted(cls.world.badinh_pc, award_code="bk_chu_tich_tinh", individuals=3, campaign=cls.campaign)
        decide(hanoi)

    def setUp(self):
        super().setUp()
        user = grant(Role.AUDITOR, self.world.hanoi_pc)
        self.act_as(Role.AUDITOR, self.world.hanoi_police, user=user)

    def test_the_figures_count_hanoi_only(self):
        response = self.client.get(reverse("reports:statistics"), {"year": 2024})
        self.assertEqual(values({"cells": response.context["total"]})[:5], [3, 3, 0, 0, 3])
        self.assertEqual([row["label"] for row in response.context["by_unit"]], ["Ủy ban nhân dân Thành phố Hà Nội"])
        self.assertNotContains(response, "Đà Nẵng")
        self.assertEqual([row["label"] for row in response.context["by_award"]], [CITY_CHAIR])
        # Đà Nẵng is not among the localities offered, and asking for it is refused.
        danang = self.client.get(reverse("reports:statistics"), {"year": 2024, "province": "48"})
        self.assertEqual(danang.status_code, 400)
        self.assertFalse(danang.context["has_data"])

    def test_danang_units_answer_404(self):
        for unit in (self.world.danang_pc, self.world.danang_police, self.world.haichau_pc):
            for name in ("reports:statistics", "reports:nominees"):
                self.assertEqual(self.client.get(reverse(name), {"unit": unit.pk}).status_code, 404)
            self.assertEqual(
                self.client.get(reverse("reports:statistics_export", args=["xlsx"]), {"unit": unit.pk}).status_code,
                404,
            )

    def test_the_nominee_lists_and_exports_hold_nothing_of_danang(self):
        listing = self.client.get(reverse("reports:nominees"), {"outcome": "proposed"})
        self.assertEqual(
            {n.dossier.originating_unit_id for n in listing.context["nominees"]}, {self.world.badinh_pc.pk}
        )
        rows = sheet_rows(self.client.get(reverse("reports:statistics_export", args=["xlsx"])))
        text = " ".join(str(cell) for row in rows for cell in row if cell is not None)
        self.assertNotIn("Đà Nẵng", text)
        self.assertNotIn(MINISTER, text)
        chair = next(row for row in rows if row[0] == CITY_CHAIR)
        self.assertEqual(list(chair[1:6]), [3, 3, 0, 0, 3])


class StatisticsQueryCountTests(NominationsTestCase):
    """The page costs the same number of queries with N and 2N dossiers."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)

    def add(self, count):
        units = [self.world.haichau_pc, self.world.thanhkhe_pc, self.world.danang_police, self.world.badinh_pc]
        for index in range(count):
            unit = units[index % len(units)]
            code = "bk_bo_truong_cong_an" if unit.branch == "security" else "bk_chu_tich_tinh"
            dossier, _s = submitted(unit, award_code=code, collectives=1, individuals=1, campaign=self.campaign)
            if index % 2:
                decide(dossier)

    def queries(self, params):
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(reverse("reports:statistics"), params)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_query_count_does_not_grow_with_the_data(self):
        user = grant(Role.AUDITOR, self.world.danang_pc)
        self.act_as(Role.AUDITOR, self.world.mps, user=user)
        grant(Role.AUDITOR, self.world.hanoi_pc, user=user)
        params = {"year": 2024}
        self.add(4)
        small = self.queries(params)
        small_unit = self.queries({"year": 2024, "unit": self.world.danang_pc.pk})
        self.add(4)
        self.assertEqual(self.queries(params), small)
        self.assertEqual(self.queries({"year": 2024, "unit": self.world.danang_pc.pk}), small_unit)
        self.assertLessEqual(small, 14)


class FormulaEscapeTests(NominationsTestCase):
    def test_text_that_looks_like_a_formula_is_written_as_text(self):
        user = self.act_as(Role.AUDITOR, self.world.danang_pc)
        AwardType.objects.filter(code="bk_chu_tich_tinh").update(name_vi="=HYPERLINK(1)")
        submitted(self.world.haichau_pc, award_code="bk_chu_tich_tinh", individuals=1)
        self.assertTrue(user.is_active)
        book = load_workbook(io.BytesIO(self.client.get(reverse("reports:statistics_export", args=["xlsx"])).content))
        cells = [cell for row in book.active.iter_rows() for cell in row if cell.value]
        names = [cell for cell in cells if "HYPERLINK" in str(cell.value)]
        self.assertTrue(names)
        self.assertTrue(all(cell.data_type == "s" and cell.value.startswith("'=") for cell in names))


class ChartAndSubmissionDatesTests(NominationsTestCase):
    """The tables and the chart of awards by year come from one statement: the chart keeps its ten years up to the
    selected one whatever the submission dates chosen for the tables."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for year, collectives in ((2014, 3), (2020, 1), (2024, 2)):
            dossier, _submitter = submitted(
                cls.world.haichau_pc, award_code="bk_chu_tich_tinh", collectives=collectives, year=year
            )
            decide(dossier)

    def figures(self, **criteria):
        result = statistics(user=None, criteria=Criteria(**criteria))
        return result.total.counts["proposed"], result.total.counts["awarded"], result.by_year

    def test_the_chart_goes_back_ten_years_from_the_selected_one(self):
        self.assertEqual(self.figures(year=2024), (2, 2, [(2020, 1), (2024, 2)]))
        self.assertEqual(self.figures(), (6, 6, [(2014, 3), (2020, 1), (2024, 2)]))
        self.assertEqual(self.figures(year=2020), (1, 1, [(2014, 3), (2020, 1)]))

    def test_the_submission_dates_narrow_the_tables_not_the_chart(self):
        today = timezone.localdate()
        tomorrow = today + datetime.timedelta(days=1)
        self.assertEqual(self.figures(year=2024, submitted_from=tomorrow), (0, 0, [(2020, 1), (2024, 2)]))
        self.assertEqual(self.figures(year=2024, submitted_to=today), (2, 2, [(2020, 1), (2024, 2)]))
        every = [(2014, 3), (2020, 1), (2024, 2)]
        self.assertEqual(self.figures(submitted_from=today, submitted_to=today), (6, 6, every))

    def test_the_page_shows_the_same_as_the_counts(self):
        self.act_as(Role.AUDITOR, self.world.government)
        response = self.client.get(
            reverse("reports:statistics"), {"year": 2024, "submitted_from": timezone.localdate().strftime("%d/%m/%Y")}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(values({"cells": response.context["total"]})[:5], [2, 0, 2, 0, 2])
