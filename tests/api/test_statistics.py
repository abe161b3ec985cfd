"""The statistics and the yearly reports through the API: the page's counts, its filters and its scope.

The Đà Nẵng 2024 situation of the reports tests is built through the services; the API is called with the tokens of
service accounts, and its counts are compared with what the statistics and yearly report pages show to the same
user, filter by filter. A Hà Nội auditor's token sees nothing of Đà Nẵng.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from nominations.models import AwardType, NomineeOutcome, SubjectType
from reports import services as report_services
from reports.statistics import Outcome

from ..nominations.support import TemporaryMediaMixin
from ..reports.support import build_danang_2024, campaign, decide, submitted
from .support import ApiTestCase, Role, grant, issue

STATISTICS = "/api/v1/statistics/"
YEARLY = "/api/v1/yearly-reports/"
TABLES = ("by_award", "by_form", "by_subject", "by_unit", "by_campaign", "by_group")


def page_values(row: dict) -> list[int]:
    """An API row's counts in the page's column order: proposed, awarded by subject kind, then the outcomes."""
    counts = row["counts"]
    return [
        counts[Outcome.PROPOSED],
        *(row["awarded_by_subject"][kind] for kind in SubjectType.values),
        *(counts[outcome] for outcome in Outcome.ALL[1:]),
    ]


def page_table(context, name) -> dict[str, list[int]]:
    return {row["label"]: [cell["value"] for cell in row["cells"]] for row in context[name]}


def api_table(body, name, *, subjects=True) -> dict[str, list[int]]:
    rows = {}
    for row in body[name]:
        values = page_values(row)
        rows[row["label"]] = values if subjects else [values[0], *values[1 + len(SubjectType.values) :]]
    return rows


class StatisticsApiTestCase(TemporaryMediaMixin, ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)
        cls.dossiers = build_danang_2024(cls.world, cls.campaign)
        hanoi, _s = submitted(cls.world.badinh_pc, award_code="bk_chu_tich_tinh", individuals=3, campaign=cls.campaign)
        decide(hanoi)

    def national_auditor(self):
        """A service account auditing the government's tree, also seated at the Ministry of Public Security."""
        account = self.account(self.world.government, Role.AUDITOR)
        grant(Role.AUDITOR, self.world.mps, user=account.user)
        return account, issue(account, scopes=["read"])


class StatisticsMatchThePageTests(StatisticsApiTestCase):
    def compare(self, account, token, params):
        self.client.force_login(account.user)
        page = self.client.get(reverse("reports:statistics"), params, headers={"Accept-Language": "vi"})
        self.assertEqual(page.status_code, 200)
        self.client.logout()
        response = self.get(STATISTICS + "?" + "&".join(f"{k}={v}" for k, v in params.items()), token, language="vi")
        self.assertEqual(response.status_code, 200, response.content[:500])
        body = response.json()
        self.assertEqual(page_values(body["total"]), [cell["value"] for cell in page.context["total"]])
        for name in TABLES:
            subjects = name not in ("by_subject", "by_group")
            self.assertEqual(api_table(body, name, subjects=subjects), page_table(page.context, name), name)
        self.assertEqual([[item["year"], item["awarded"]] for item in body["by_year"]], page.context["by_year"])
        return body

    def test_the_counts_are_the_pages_filter_by_filter(self):
        account, token = self.national_auditor()
        w = self.world
        city_chair = AwardType.objects.get(code="bk_chu_tich_tinh")
        for params in (
            {},
            {"year": 2024, "province": "48"},
            {"year": 2024, "award_type": city_chair.pk},
            {"year": 2024, "campaign": self.campaign.pk, "subject_type": "collective"},
            {"campaign": "none"},
            {"submitted_from": "01/01/2020", "submitted_to": "31/12/2030", "form": "bang_khen"},
            {"year": 2024, "unit": w.danang_pc.pk},
            {"year": 2024, "unit": w.haichau_pc.pk, "direct": "true"},
        ):
            with self.subTest(**params):
                self.compare(account, token, params)

    def test_danang_2024_reads_the_minister_and_the_city_chair_awards(self):
        _account, token = self.national_auditor()
        body = self.get(f"{STATISTICS}?year=2024&province=48", token, language="vi").json()
        awards = {row["label"]: page_values(row) for row in body["by_award"]}
        self.assertEqual(awards["Bằng khen của Bộ trưởng Bộ Công an"], [8, 0, 8, 0, 8, 0, 0, 0, 0, 0])
        self.assertEqual(awards["Bằng khen của Chủ tịch Ủy ban nhân dân cấp tỉnh"], [35, 7, 24, 0, 31, 0, 1, 1, 2, 0])
        self.assertEqual(page_values(body["total"])[:5], [43, 7, 32, 0, 39])
        # Codes come with their labels; the rows' keys are the values of the filters that select them.
        self.assertEqual(body["outcomes"][1], {"code": "awarded", "label": "Được khen thưởng (còn hiệu lực)"})
        self.assertEqual({row["key"] for row in body["by_subject"]}, {"collective", "individual"})
        city_chair = AwardType.objects.get(code="bk_chu_tich_tinh")
        narrowed = self.get(f"{STATISTICS}?year=2024&award_type={city_chair.pk}", token).json()
        self.assertEqual([row["key"] for row in narrowed["by_award"]], [str(city_chair.pk)])

    def test_english_labels_for_an_english_caller(self):
        _account, token = self.national_auditor()
        response = self.get(f"{STATISTICS}?year=2024", token, language="en")
        self.assertEqual(response["Content-Language"], "en")
        body = response.json()
        self.assertEqual(body["outcomes"][1]["label"], "Awarded (in force)")
        self.assertEqual(body["total"]["label"], "Total")
        self.assertIn("Individual", {kind["label"] for kind in body["subject_kinds"]})
        self.assertIn("Minister of Public Security's diploma of merit", {r["label"] for r in body["by_award"]})

    def test_the_drill_down_names_its_unit_and_its_trail(self):
        _account, token = self.national_auditor()
        w = self.world
        body = self.get(f"{STATISTICS}?year=2024&unit={w.danang_pc.pk}", token, language="vi").json()
        self.assertEqual(body["unit"], {"id": w.danang_pc.pk, "name": w.danang_pc.name})
        self.assertEqual([unit["id"] for unit in body["trail"]], [w.government.pk, w.danang_pc.pk])
        rows = {row["label"]: (row["counts"]["awarded"], row["drillable"]) for row in body["by_unit"]}
        self.assertEqual(
            rows, {"Ủy ban nhân dân Phường Hải Châu": (18, True), "Ủy ban nhân dân Phường Thanh Khê": (13, False)}
        )

    def test_each_cell_lists_the_nominees_behind_it(self):
        account, token = self.national_auditor()
        city_chair = AwardType.objects.get(code="bk_chu_tich_tinh")
        cell = f"year=2024&province=48&award_type={city_chair.pk}"
        awarded = self.get(f"{STATISTICS}nominees/?{cell}&subject_type=collective&outcome=awarded", token).json()
        self.assertEqual(awarded["count"], 24)
        self.assertEqual({n["subject_type"]["code"] for n in awarded["results"]}, {"collective"})
        self.assertEqual({n["outcome"]["code"] for n in awarded["results"]}, {"awarded"})
        rejected = self.get(f"{STATISTICS}nominees/?{cell}&outcome=rejected", token, language="vi").json()
        self.assertEqual([n["dossier"]["id"] for n in rejected["results"]], [self.dossiers["rejected"].pk] * 2)
        outcome = rejected["results"][0]["outcome"]
        with translation.override("vi"):
            self.assertEqual(outcome["label"], str(NomineeOutcome(outcome["code"]).label))
        # The page's list of the same cell, as the same user.
        self.client.force_login(account.user)
        page = self.client.get(reverse("reports:nominees"), {"year": 2024, "province": "48", "outcome": "pending"})
        listed = self.get(f"{STATISTICS}nominees/?year=2024&province=48&outcome=pending", token).json()
        self.assertEqual([n["id"] for n in listed["results"]], [n.pk for n in page.context["nominees"]])
        self.assertEqual(listed["count"], 1)
        body = self.assertProblem(self.get(f"{STATISTICS}nominees/?outcome=everything", token), 400)
        self.assertIn("outcome", body["errors"])

    def test_bad_filters_are_problems_with_the_pages_messages(self):
        _account, token = self.national_auditor()
        body = self.assertProblem(self.get(f"{STATISTICS}?year=abc&submitted_from=31/02/2024", token), 400)
        self.assertEqual(set(body["errors"]), {"year", "submitted_from"})
        body = self.assertProblem(
            self.get(f"{STATISTICS}?submitted_from=2024-05-01&submitted_to=2024-04-01", token, language="en"), 400
        )
        self.assertEqual(body["errors"]["submitted_to"], ["The end of the period is before its start."])
        for bad in ("unit=abc", "unit=-1", "campaign=999999", "subject_group=abc", "award_type=0", "province=99"):
            with self.subTest(bad):
                self.assertProblem(self.get(f"{STATISTICS}?{bad}", token), 400)
        self.assertProblem(self.get(f"{STATISTICS}?unit=999999", token), 404)

    def test_only_reporting_roles_read_the_statistics(self):
        submitter = self.token_for(self.world.haichau_pc, Role.SUBMITTER)
        urls = (
            STATISTICS,
            f"{STATISTICS}nominees/",
            YEARLY,
            f"{YEARLY}{self.campaign.pk}/2024/{self.world.haichau_pc.pk}/",
        )
        for url in urls:
            self.assertProblem(self.get(url, submitter), 403, code="forbidden")
            self.assertProblem(self.get(url), 401)


class ForeignUnitTests(StatisticsApiTestCase):
    """A Hà Nội auditor's token: nothing of Đà Nẵng, anywhere."""

    def setUp(self):
        super().setUp()
        self.token = self.token_for(self.world.hanoi_pc, Role.AUDITOR, scopes=["read"])
        head = grant(Role.APPROVER, self.world.danang_pc)
        report_services.yearly_report_save(
            actor=head,
            campaign=self.campaign,
            year=2024,
            unit=self.world.danang_pc,
            results=[],
            lessons="",
            proposals="",
        )

    def test_the_counts_are_hanoi_only(self):
        response = self.get(f"{STATISTICS}?year=2024", self.token, language="vi")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(page_values(body["total"])[:5], [3, 3, 0, 0, 3])
        self.assertEqual([row["label"] for row in body["by_unit"]], ["Ủy ban nhân dân Thành phố Hà Nội"])
        self.assertNotIn("Đà Nẵng", response.content.decode())
        self.assertNotIn("Bộ Công an", response.content.decode())
        listed = self.get(f"{STATISTICS}nominees/", self.token).json()
        self.assertEqual(listed["count"], 3)
        self.assertEqual({n["originating_unit"]["id"] for n in listed["results"]}, {self.world.badinh_pc.pk})

    def test_danang_units_are_not_found_and_its_province_is_refused(self):
        w = self.world
        for unit in (w.danang_pc, w.danang_police, w.haichau_pc):
            with self.subTest(unit=unit.name):
                self.assertProblem(self.get(f"{STATISTICS}?unit={unit.pk}", self.token), 404)
                self.assertProblem(self.get(f"{STATISTICS}nominees/?unit={unit.pk}", self.token), 404)
                self.assertProblem(self.get(f"{YEARLY}{self.campaign.pk}/2024/{unit.pk}/", self.token), 404)
        body = self.assertProblem(self.get(f"{STATISTICS}?province=48", self.token), 400)
        self.assertIn("province", body["errors"])

    def test_the_yearly_reports_of_danang_are_not_listed(self):
        body = self.get(YEARLY, self.token).json()
        self.assertEqual(body["count"], 0)
        own = self.get(f"{YEARLY}{self.campaign.pk}/2024/{self.world.hanoi_pc.pk}/", self.token, language="vi")
        self.assertEqual(own.status_code, 200)
        self.assertNotIn("Đà Nẵng", own.content.decode())
        self.assertEqual(page_values(own.json()["figures"]["statistics"]["total"])[:5], [3, 3, 0, 0, 3])


class YearlyReportApiTests(StatisticsApiTestCase):
    def test_the_report_reads_the_pages_figures_and_then_its_frozen_ones(self):
        w = self.world
        account, token = self.national_auditor()
        url = f"{YEARLY}{self.campaign.pk}/2024/{w.danang_pc.pk}/"
        body = self.get(url, token, language="vi").json()
        self.assertIsNone(body["status"])
        self.client.force_login(account.user)
        page = self.client.get(
            reverse("reports:yearly_report", args=[self.campaign.pk, 2024, w.danang_pc.pk]),
            headers={"Accept-Language": "vi"},
        )
        figures = page.context["figures"]
        for name in ("dossiers", "in_progress", "overdue_count", "silent_count"):
            self.assertEqual(body["figures"][name], figures[name], name)
        self.assertEqual((body["figures"]["dossiers"], body["figures"]["in_progress"]), (4, 1))
        self.assertEqual(
            api_table(body["figures"]["statistics"], "by_award"), page_table(page.context["counts"], "by_award")
        )
        self.assertEqual([item["name"] for item in body["figures"]["silent"]], [s["name"] for s in figures["silent"]])
        self.assertEqual(
            [r["heading"] for r in body["results"]], list(self.campaign.contents.values_list("text", flat=True))
        )

        head = grant(Role.APPROVER, w.danang_pc)
        contents = list(self.campaign.contents.all())
        report = report_services.yearly_report_save(
            actor=head,
            campaign=self.campaign,
            year=2024,
            unit=w.danang_pc,
            results=[{"content": c.pk, "text": f"Kết quả {c.position}"} for c in contents],
            lessons="Bài học",
            proposals="Đề xuất",
        )
        report_services.yearly_report_finalise(actor=head, report=report)
        later, _s = submitted(w.haichau_pc, award_code="bk_chu_tich_tinh", individuals=2, campaign=self.campaign)
        decide(later)
        body = self.get(url, token, language="vi").json()
        self.assertEqual(body["status"], {"code": "final", "label": "Đã hoàn thành"})
        self.assertEqual(body["finalised_by"], head.get_full_name())
        self.assertEqual([r["text"] for r in body["results"]], ["Kết quả 1", "Kết quả 2", "Kết quả 3"])
        self.assertEqual((body["lessons"], body["proposals"]), ("Bài học", "Đề xuất"))
        # Frozen: the awards decided after the finalisation are not in it, as on the page.
        self.assertEqual(body["figures"]["statistics"]["total"]["counts"]["awarded"], 31)
        live = self.get(f"{STATISTICS}?year=2024&unit={w.danang_pc.pk}", token).json()
        self.assertEqual(live["total"]["counts"]["awarded"], 33)
        listed = self.get(YEARLY, token, language="vi").json()
        self.assertEqual(listed["count"], 1)
        self.assertEqual(listed["results"][0]["url"], url)
        self.assertEqual(listed["results"][0]["status"]["code"], "final")

    def test_a_year_out_of_range_or_an_unknown_campaign_is_not_found(self):
        _account, token = self.national_auditor()
        unit = self.world.danang_pc.pk
        for url in (f"{YEARLY}{self.campaign.pk}/1800/{unit}/", f"{YEARLY}999999/2024/{unit}/"):
            self.assertProblem(self.get(url, token), 404)


class StatisticsQueryCountTests(TemporaryMediaMixin, ApiTestCase):
    """The statistics and a yearly report cost the same queries with N and 2N dossiers."""

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

    def queries(self, url, token):
        self.get(url, token)  # the token's first use of the minute also notes when it was used
        with CaptureQueriesContext(connection) as captured:
            response = self.get(url, token)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return len(captured)

    def test_query_counts_do_not_grow_with_the_data(self):
        w = self.world
        account = self.account(w.government, Role.AUDITOR)
        grant(Role.AUDITOR, w.mps, user=account.user)
        token = issue(account, scopes=["read"])
        head = grant(Role.APPROVER, w.danang_pc)
        report_services.yearly_report_save(
            actor=head, campaign=self.campaign, year=2024, unit=w.danang_pc, results=[], lessons="", proposals=""
        )
        urls = [
            f"{STATISTICS}?year=2024",
            f"{STATISTICS}?year=2024&unit={w.danang_pc.pk}&campaign={self.campaign.pk}",
            f"{STATISTICS}nominees/?year=2024&outcome=awarded",
            f"{YEARLY}{self.campaign.pk}/2024/{w.danang_pc.pk}/",
            YEARLY,
        ]
        self.add(4)
        small = [self.queries(url, token) for url in urls]
        self.add(4)
        self.assertEqual([self.queries(url, token) for url in urls], small)
        self.assertEqual(small, STATISTICS_QUERIES)


# Authentication (the token with its account and user) and the seats, then the pages' own queries: the statistics,
# drilled down into a unit (its scope check and trail), the nominees behind a cell (the count and the page), one
# yearly report (its figures) and the list of reports.
STATISTICS_QUERIES = [8, 10, 6, 19, 4]
