"""The unit dashboard and the dossier page: the route drawn as progress, filters, and the request for supplement."""

import re

from django.urls import reverse
from django.utils import translation

from nominations import services
from nominations.models import Campaign, DossierStatus
from org_hierarchy.models import Role
from tests.base import make_user
from tests.workflows.base import FlowTestCase
from workflows.models import StageOutcome

from .support import NominationsTestCase, TemporaryMediaMixin, draft, ready_dossier

DASHBOARD = reverse("nominations:dossier_list")


def steps(html: str) -> list[tuple[str, str]]:
    """Return (state, unit name) for each step of the first progress list in the page."""
    progress = re.search(r'<ol class="mf-progress[ "].*?</ol>', html, re.S).group(0)
    return re.findall(r'mf-progress__step--(\w+)".*?<span class="mf-progress__unit">([^<]+)</span>', progress, re.S)


class RouteProgressTests(TemporaryMediaMixin, FlowTestCase):
    def test_the_dashboard_and_the_dossier_page_draw_each_stop_with_its_state_and_the_stage_deadline(self):
        w = self.world
        dossier = self.make_dossier(self.ministry_award)
        process = self.submit(dossier)
        self.appraise(process, w.haichau_police)
        self.vote(process, w.haichau_police)
        self.sign(process, w.haichau_police, StageOutcome.FORWARD)
        process.refresh_from_db()
        expected = [
            ("done", w.haichau_police.name),
            ("current", w.danang_police.name),
            ("upcoming", w.mps.name),
        ]
        self.login(self.submitter)
        for url in (DASHBOARD, reverse("nominations:dossier_detail", args=[dossier.pk])):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                self.assertEqual(steps(html), expected)
                self.assertIn(f'<time datetime="{process.stage_deadline:%Y-%m-%d}">', html)
                self.assertEqual(html.count('aria-current="step"'), 1)
                self.assertIn('class="mf-progress__state"', html)

    def test_a_returned_dossier_shows_the_stage_who_when_and_the_note_until_it_is_resubmitted(self):
        w = self.world
        dossier = self.make_dossier(self.province_award)
        process = self.submit(dossier)
        self.appraise(process, w.haichau_pc)
        self.vote(process, w.haichau_pc)
        self.sign(process, w.haichau_pc, StageOutcome.FORWARD)
        note = "Thiếu báo cáo thành tích có xác nhận của thủ trưởng."
        self.appraise(process, w.danang_pc, return_reason=note)
        appraiser = self.officer(w.danang_pc, Role.APPRAISER)
        self.login(self.submitter)
        detail = reverse("nominations:dossier_detail", args=[dossier.pk])
        for url in (detail, reverse("nominations:dossier_edit", args=[dossier.pk])):
            with self.subTest(url=url):
                html = self.client.get(url).content.decode()
                request = re.search(r'<section class="mf-notice mf-notice--returned".*?</section>', html, re.S)
                self.assertIsNotNone(request, "the request for supplement is missing")
                for fact in (w.danang_pc.name, appraiser.get_full_name(), note):
                    self.assertIn(fact, request.group(0))
                self.assertRegex(request.group(0), r"\d\d/\d\d/\d{4} \d\d:\d\d")
        self.assertEqual(
            steps(self.client.get(detail).content.decode()),
            [("done", w.haichau_pc.name), ("returned", w.danang_pc.name)],
        )
        self.supplement(process)
        html = self.client.get(detail).content.decode()
        self.assertNotIn("mf-notice--returned", html)
        self.assertEqual(steps(html), [("done", w.haichau_pc.name), ("current", w.danang_pc.name)])

    def test_a_rejected_dossier_ends_at_the_rejecting_stage_and_a_decided_one_is_done_everywhere(self):
        w = self.world
        rejected = self.make_dossier(self.province_award, title="Hồ sơ bị từ chối")
        process = self.submit(rejected)
        self.appraise(process, w.haichau_pc)
        self.vote(process, w.haichau_pc)
        self.sign(process, w.haichau_pc, StageOutcome.REJECT, note="Không đủ tiêu chuẩn.")
        decided = self.make_dossier(self.commune_award, title="Hồ sơ đã quyết định")
        process = self.submit(decided)
        self.appraise(process, w.haichau_pc)
        self.vote(process, w.haichau_pc)
        self.sign(process, w.haichau_pc, StageOutcome.DECIDE)
        self.login(self.submitter)
        for dossier, expected in (
            (rejected, [("stopped", w.haichau_pc.name), ("upcoming", w.danang_pc.name)]),
            (decided, [("done", w.haichau_pc.name)]),
        ):
            with self.subTest(dossier=dossier.title):
                html = self.client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).content.decode()
                self.assertEqual(steps(html), expected)


class DashboardFilterTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.submitter = self.act_as(Role.SUBMITTER, self.world.residential_group, user=make_user(language="en"))
        self.campaign = Campaign.objects.create(
            name="Phong trào thi đua 2026", period_start="2026-01-01", launching_unit=self.world.haichau_pc
        )
        self.older, _ = draft(self.world.residential_group, actor=self.submitter, title="Hồ sơ 2025", year=2025)
        self.in_campaign, _ = ready_dossier(
            self.world.residential_group, actor=self.submitter, title="Hồ sơ phong trào", campaign=self.campaign
        )
        services.dossier_submit(dossier=self.in_campaign, actor=self.submitter)

    def titles(self, response):
        return re.findall(r'<tr class="dossier-row">\s*<td[^>]*><a href="[^"]+">([^<]+)</a>', response.content.decode())

    def test_each_filter_narrows_the_list(self):
        self.assertEqual(sorted(self.titles(self.client.get(DASHBOARD))), ["Hồ sơ 2025", "Hồ sơ phong trào"])
        for query, expected in (
            ({"status": DossierStatus.SUBMITTED}, ["Hồ sơ phong trào"]),
            ({"status": DossierStatus.DRAFT}, ["Hồ sơ 2025"]),
            ({"year": 2025}, ["Hồ sơ 2025"]),
            ({"campaign": self.campaign.pk}, ["Hồ sơ phong trào"]),
            ({"status": DossierStatus.DECIDED}, []),
        ):
            with self.subTest(query=query):
                response = self.client.get(DASHBOARD, query)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(self.titles(response), expected)

    def test_a_bad_filter_is_left_out_with_the_reason_next_to_its_field(self):
        response = self.client.get(DASHBOARD, {"year": "năm ngoái", "campaign": 999999})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "These filters were not understood and were left out")
        self.assertContains(response, "Enter a whole number.")
        self.assertContains(response, "Select a valid choice.")

    def test_every_filter_has_a_label_and_vietnamese_is_complete(self):
        self.act_as(Role.SUBMITTER, self.world.residential_group, user=make_user(language="vi"))
        self.client.cookies["django_language"] = "vi"
        with translation.override("vi"):
            html = self.client.get(DASHBOARD).content.decode()
        for field in ("status", "campaign", "year"):
            self.assertIn(f'<label for="id_{field}">', html)
        self.assertIn("Tất cả trạng thái", html)
        self.assertNotIn("All campaigns", html)

    def test_a_neighbouring_wards_submitter_sees_none_of_these_dossiers(self):
        self.act_as(Role.SUBMITTER, self.world.school)
        self.assertEqual(self.titles(self.client.get(DASHBOARD)), [])


class DashboardQueryTests(NominationsTestCase):
    def test_queries_stay_constant_at_n_and_2n_submitted_dossiers(self):
        submitter = self.act_as(Role.SUBMITTER, self.world.residential_group)
        self.client.get(DASHBOARD)
        for total in (4, 8):
            for _ in range(4):
                dossier, _ = ready_dossier(self.world.residential_group, actor=submitter)
                services.dossier_submit(dossier=dossier, actor=submitter)
            with self.assertNumQueries(DASHBOARD_QUERIES):
                response = self.client.get(DASHBOARD)
            html = response.content.decode()
            self.assertEqual(html.count('class="dossier-row"'), total)
            self.assertEqual(html.count("mf-progress__step--current"), total)


# Session, user, memberships (scope), the "may create" check, the paginator's count, the page of dossiers (units,
# award type, campaign, nominee count, deadline and rejecting stage as subqueries), the route stops with their
# units, the unread-notification badge and the filter's campaigns.
DASHBOARD_QUERIES = 9
