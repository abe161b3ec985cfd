import datetime
import io

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from viewflow.workflow.models import Task

from audit.models import LedgerEntry
from nominations import services as nomination_services
from notifications.models import Notification
from org_hierarchy.models import Role
from reports import services
from reports.models import ReportSchedule, ReportStatus, YearlyReport
from tests.base import grant
from tests.nominations.support import NominationsTestCase
from tests.workflows.base import FlowTestCase
from workflows.models import StageOutcome

from .support import build_danang_2024, campaign, decide, submitted
from .test_statistics import CITY_CHAIR, MINISTER, values


def report_url(campaign, year, unit, name="reports:yearly_report", *args):
    return reverse(name, args=[campaign.pk, year, unit.pk, *args])


class YearlyReportTests(NominationsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)
        cls.dossiers = build_danang_2024(cls.world, cls.campaign)

    def award(self, response, label):
        return next(row for row in response.context["counts"]["by_award"] if row["label"] == label)

    def test_the_yearly_reports_of_danang_2024_show_exactly_its_awards(self):
        self.act_as(Role.AUDITOR, self.world.mps, user=grant(Role.AUDITOR, self.world.government))
        city = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc))
        self.assertEqual(city.status_code, 200)
        self.assertEqual(values(self.award(city, CITY_CHAIR))[:5], [35, 7, 24, 0, 31])
        self.assertEqual(city.context["figures"]["in_progress"], 1)
        self.assertEqual(city.context["figures"]["dossiers"], 4)
        police = self.client.get(report_url(self.campaign, 2024, self.world.danang_police))
        self.assertEqual(values(self.award(police, MINISTER))[:5], [8, 0, 8, 0, 8])
        # Another province, or another year: nothing.
        hanoi = self.client.get(report_url(self.campaign, 2024, self.world.hanoi_pc))
        self.assertEqual(hanoi.context["counts"]["by_award"], [])
        self.assertEqual(hanoi.context["figures"]["silent_count"], 1)
        self.assertEqual(
            self.client.get(report_url(self.campaign, 2023, self.world.danang_pc)).context["counts"]["by_award"], []
        )

    def test_the_units_that_submitted_nothing_are_named(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc))
        self.assertEqual([u["name"] for u in response.context["figures"]["silent"]], ["Sở Nội vụ Thành phố Đà Nẵng"])

    def test_the_xlsx_and_pdf_exports_of_the_report(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(
            report_url(self.campaign, 2024, self.world.danang_pc, "reports:yearly_export", "xlsx")
        )
        self.assertEqual(response.status_code, 200)
        rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
        chair = next(row for row in rows if row[0] == CITY_CHAIR)
        self.assertEqual(list(chair[1:6]), [35, 7, 24, 0, 31])
        pdf = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc, "reports:yearly_export", "pdf"))
        self.assertTrue(pdf.content.startswith(b"%PDF"))

    def test_a_draft_is_saved_then_finalised_by_the_head_and_never_changes_again(self):
        officer = self.act_as(Role.APPRAISER, self.world.danang_pc)
        contents = list(self.campaign.contents.all())
        data = {f"content_{c.pk}": f"Kết quả {c.position}" for c in contents}
        data |= {"lessons": "Bài học kinh nghiệm", "proposals": "=cmd|' /C calc'!A0"}
        response = self.client.post(report_url(self.campaign, 2024, self.world.danang_pc), data)
        self.assertEqual(response.status_code, 302)
        report = YearlyReport.objects.get(campaign=self.campaign, year=2024, unit=self.world.danang_pc)
        self.assertEqual(report.status, ReportStatus.DRAFT)
        self.assertEqual([item["text"] for item in report.results], ["Kết quả 1", "Kết quả 2", "Kết quả 3"])
        self.assertEqual(LedgerEntry.objects.filter(event="report.saved").count(), 1)
        # An officer saves but does not finalise.
        self.assertEqual(
            self.client.post(
                report_url(self.campaign, 2024, self.world.danang_pc, "reports:yearly_finalise")
            ).status_code,
            403,
        )

        head = self.act_as(Role.APPROVER, self.world.danang_pc)
        page = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc))
        self.assertContains(page, report_url(self.campaign, 2024, self.world.danang_pc, "reports:yearly_finalise"))
        response = self.client.post(report_url(self.campaign, 2024, self.world.danang_pc, "reports:yearly_finalise"))
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual((report.status, report.finalised_by), (ReportStatus.FINAL, head))
        entry = LedgerEntry.objects.get(event="report.finalised")
        self.assertEqual(entry.data["counts"]["awarded"], 31)

        # New awards after the finalisation do not change the finalised report.
        later, _s = submitted(
            self.world.haichau_pc, award_code="bk_chu_tich_tinh", individuals=2, campaign=self.campaign
        )
        decide(later)
        page = self.client.get(report_url(self.campaign, 2024, self.world.danang_pc))
        self.assertEqual(values(self.award(page, CITY_CHAIR))[4], 31)
        self.assertContains(page, "Kết quả 2")
        self.assertNotContains(page, 'name="lessons"')
        # Nothing is written to it any more, by the page or the services.
        self.client.force_login(officer)
        refused = self.client.post(report_url(self.campaign, 2024, self.world.danang_pc), data | {"lessons": "Sửa"})
        self.assertEqual(refused.status_code, 400)
        self.assertEqual(YearlyReport.objects.get(pk=report.pk).lessons, "Bài học kinh nghiệm")
        with self.assertRaises(ValidationError):
            services.yearly_report_finalise(actor=head, report=report)
        # The export keeps a formula-looking text as text.
        book = load_workbook(
            io.BytesIO(
                self.client.get(
                    report_url(self.campaign, 2024, self.world.danang_pc, "reports:yearly_export", "xlsx")
                ).content
            )
        )
        proposal = next(cell for row in book.worksheets[1].iter_rows() for cell in row if "calc" in str(cell.value))
        self.assertEqual((proposal.data_type, proposal.value[:2]), ("s", "'="))

    def test_the_level_above_sees_the_reports_below_and_a_roll_up(self):
        head = grant(Role.APPROVER, self.world.danang_pc)
        grant(Role.APPRAISER, self.world.danang_pc, user=head)
        report = services_save(head, self.campaign, self.world.danang_pc)
        services.yearly_report_finalise(actor=head, report=report)
        self.act_as(Role.AUDITOR, self.world.government)
        listing = self.client.get(reverse("reports:yearly_list"))
        self.assertContains(listing, report_url(self.campaign, 2024, self.world.danang_pc))
        national = self.client.get(report_url(self.campaign, 2024, self.world.government))
        lines = {line["row"]["label"]: line for line in national.context["rollup"]}
        self.assertEqual(lines["Ủy ban nhân dân Thành phố Đà Nẵng"]["report"], report)
        self.assertEqual(values(lines["Ủy ban nhân dân Thành phố Đà Nẵng"]["row"])[4], 31)
        self.assertContains(national, report_url(self.campaign, 2024, self.world.danang_pc))

    def test_a_hanoi_auditor_sees_no_report_of_danang(self):
        head = grant(Role.APPROVER, self.world.danang_pc)
        services_save(head, self.campaign, self.world.danang_pc)
        self.act_as(Role.AUDITOR, self.world.hanoi_pc)
        for unit in (self.world.danang_pc, self.world.haichau_pc, self.world.danang_police):
            self.assertEqual(self.client.get(report_url(self.campaign, 2024, unit)).status_code, 404)
            for fmt in ("xlsx", "pdf"):
                export = self.client.get(report_url(self.campaign, 2024, unit, "reports:yearly_export", fmt))
                self.assertEqual(export.status_code, 404)
        self.assertNotContains(self.client.get(reverse("reports:yearly_list")), "Đà Nẵng")
        own = self.client.get(report_url(self.campaign, 2024, self.world.hanoi_pc))
        self.assertEqual(own.context["counts"]["by_award"], [])

    def test_the_picker_opens_a_report_of_the_scope(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        response = self.client.get(
            reverse("reports:yearly_list"),
            {"campaign": self.campaign.pk, "year": 2024, "unit": self.world.danang_pc.pk},
        )
        self.assertRedirects(response, report_url(self.campaign, 2024, self.world.danang_pc))
        refused = self.client.get(
            reverse("reports:yearly_list"), {"campaign": self.campaign.pk, "year": 2024, "unit": self.world.hanoi_pc.pk}
        )
        self.assertEqual(refused.status_code, 400)

    def test_the_report_page_costs_the_same_queries_with_more_dossiers(self):
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        url = report_url(self.campaign, 2024, self.world.danang_pc)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url)
        for _index in range(3):
            extra, _s = submitted(
                self.world.thanhkhe_pc, award_code="bk_chu_tich_tinh", individuals=2, campaign=self.campaign
            )
            decide(extra)
        with CaptureQueriesContext(connection) as large:
            self.client.get(url)
        self.assertEqual(len(large), len(small))


def services_save(actor, campaign, unit):
    return services.yearly_report_save(
        actor=actor, campaign=campaign, year=2024, unit=unit, results=[], lessons="Bài học", proposals="Đề xuất"
    )


class ReportReminderTests(NominationsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)
        ReportSchedule.objects.create(campaign=cls.campaign, due_day=30, due_month=11, reminder_days_before=10)

    def test_the_heads_of_units_due_are_reminded_once_before_the_30_november(self):
        danang_head = grant(Role.APPROVER, self.world.danang_pc)
        police_head = grant(Role.APPROVER, self.world.danang_police)
        hanoi_head = grant(Role.APPROVER, self.world.hanoi_pc)
        self.assertEqual(services.report_reminders_send(today=datetime.date(2024, 11, 1)), 0)
        sent = services.report_reminders_send(today=datetime.date(2024, 11, 20))
        self.assertEqual(sent, 4)  # the People's Committees and the police of Đà Nẵng and Hà Nội
        reminded = set(Notification.objects.filter(event="report.due").values_list("recipient_id", flat=True))
        self.assertEqual(reminded, {danang_head.pk, police_head.pk, hanoi_head.pk})
        notice = Notification.objects.filter(recipient=danang_head).get()
        self.assertIn("30/11/2024", str(notice.title))
        self.assertEqual(services.report_reminders_send(today=datetime.date(2024, 11, 21)), 0)

    def test_a_finalised_unit_is_not_reminded_and_the_dispatcher_sends_the_reminders(self):
        today = timezone.localdate()
        ReportSchedule.objects.filter(campaign=self.campaign).update(due_day=today.day, due_month=today.month)
        hanoi_head = grant(Role.APPROVER, self.world.hanoi_pc)
        grant(Role.APPRAISER, self.world.hanoi_pc, user=hanoi_head)
        report = services.yearly_report_save(
            actor=hanoi_head,
            campaign=self.campaign,
            year=today.year,
            unit=self.world.hanoi_pc,
            results=[],
            lessons="",
            proposals="",
        )
        services.yearly_report_finalise(actor=hanoi_head, report=report)
        danang_head = grant(Role.APPROVER, self.world.danang_pc)
        call_command("dispatch_timers", verbosity=0, stdout=io.StringIO())
        reminded = set(Notification.objects.filter(event="report.due").values_list("recipient_id", flat=True))
        self.assertEqual(reminded, {danang_head.pk})


class StageTimeTests(FlowTestCase):
    """The processing time of each stage, from dossiers that went through the flow."""

    def test_stage_times_and_overdue_dossiers(self):
        self.province_award.stage_deadlines = {"commune": 10, "province": 15}
        w = self.world
        campaign_2447 = campaign(w)
        done = self.make_dossier(self.province_award)
        nomination_services.dossier_update(dossier=done, actor=self.submitter, campaign=campaign_2447, kind="campaign")
        process = self.submit(done)
        for unit, outcome in ((w.haichau_pc, StageOutcome.FORWARD), (w.danang_pc, StageOutcome.DECIDE)):
            self.appraise(process, unit)
            self.vote(process, unit)
            self.sign(process, unit, outcome)
        # The commune stage received the dossier three weeks before its head signed.
        Task.objects.filter(process=process, flow_task__contains=".commune_").update(
            created=timezone.now() - datetime.timedelta(days=21)
        )
        late = self.make_dossier(self.province_award, title="Hồ sơ quá hạn")
        nomination_services.dossier_update(dossier=late, actor=self.submitter, campaign=campaign_2447, kind="campaign")
        late_process = self.submit(late)
        late_process.stage_deadline = datetime.date(2020, 1, 2)
        late_process.save(update_fields=["data"])

        self.act_as(Role.AUDITOR, w.danang_pc)
        response = self.client.get(report_url(campaign_2447, 2026, w.danang_pc))
        stages = response.context["figures"]["stage_times"]
        self.assertEqual([(s["level"], s["count"]) for s in stages], [(20, 1), (30, 1)])
        self.assertGreaterEqual(stages[0]["median"], 12)
        self.assertEqual(stages[0]["p90"], stages[0]["median"])
        self.assertEqual((stages[1]["median"], stages[1]["p90"]), (0, 0))
        self.assertEqual(response.context["figures"]["overdue_count"], 1)
        self.assertEqual(response.context["figures"]["overdue"][0]["title"], "Hồ sơ quá hạn")
        self.assertEqual(response.context["figures"]["overdue"][0]["deadline"], "02/01/2020")
        self.assertContains(response, "<svg", count=4)


class ReportPercentileTests(NominationsTestCase):
    def test_nearest_rank_percentile_and_working_days(self):
        from reports.yearly import _running_count, percentile, working_days_between

        self.assertEqual(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9)
        self.assertEqual(percentile([4], 0.9), 4)
        days = _running_count(datetime.date(2024, 8, 30), datetime.date(2024, 9, 9))
        # 2 and 3 September are the National Day holidays; 31 August, 1, 7 and 8 September a weekend.
        self.assertEqual(working_days_between(datetime.date(2024, 8, 30), datetime.date(2024, 9, 9), working=days), 4)
