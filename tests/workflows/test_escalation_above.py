"""An overdue step escalates to the emulation office of the level above, through the timer dispatcher."""

import datetime
import re
from io import StringIO

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task

from audit.models import LedgerEntry
from nominations import services as nomination_services
from nominations.models import StageEscalation
from notifications.models import Notification
from org_hierarchy.models import Role
from tests.base import grant, make_user
from workflows import calendar
from workflows.models import CalendarDayKind, CalendarException
from workflows.services import calendar_exception_save, level_above

from .base import FlowTestCase

# session, user, memberships; inbox and queue (counts and rows each); the escalations' rows and count; recent
# decisions; unread notifications; the memberships shown on the page
ESCALATIONS_HOME_QUERIES = 12
RULE = "Quy chế phối hợp số 12/QC-UBND, Điều 9"


def panel(response, key):
    match = re.search(rf'<section class="[^"]*mf-panel--{key}".*?</section>', response.content.decode(), re.S)
    return match.group(0) if match else ""


class EscalationAboveTests(FlowTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        award = cls.province_award
        award.escalation_days = {"commune": 3}
        award.escalation_reference = RULE
        nomination_services.award_type_save(award_type=award, actor=None, changed_fields=["escalation_days"])
        cls.hanoi_appraiser = grant(Role.APPRAISER, cls.world.hanoi_pc, user=make_user("hanoi_appraiser"))

    def setUp(self):
        self.dossier = self.make_dossier(self.province_award)
        self.process = self.submit(self.dossier)
        self.task = self.open_task(self.process)
        self.office_above = self.officer(self.world.danang_pc, Role.APPRAISER)

    def dispatch(self):
        """Make the step's next notice due and run the dispatcher as the scheduler does."""
        Task.objects.filter(pk=self.task.pk).update(scheduled=timezone.now() - datetime.timedelta(seconds=1))
        call_command("dispatch_timers", stdout=StringIO())
        return Task.objects.get(pk=self.task.pk)

    def escalate(self):
        self.dispatch()  # reminder
        self.dispatch()  # the head of the stage unit
        return self.dispatch()  # the level above

    def test_the_level_above_is_the_nearest_unit_of_a_higher_level(self):
        self.assertEqual(level_above(self.world.haichau_pc), self.world.danang_pc)
        self.assertEqual(level_above(self.world.haichau_police), self.world.danang_police)
        self.assertIsNone(level_above(self.world.mps))

    def test_after_the_configured_working_days_overdue_the_office_above_is_told_once(self):
        self.dispatch()
        task = self.dispatch()
        deadline = self.process.stage_deadline
        # Armed at the end of the third working day after the deadline (working-day calendar).
        self.assertEqual(task.scheduled, calendar.end_of_day(calendar.add_working_days(deadline, 3)))
        self.assertFalse(StageEscalation.objects.exists())

        task = self.dispatch()
        escalation = StageEscalation.objects.get()
        self.assertEqual(
            (escalation.task_id, escalation.stage_unit, escalation.to_unit, escalation.working_days),
            (self.task.pk, self.world.haichau_pc, self.world.danang_pc, 3),
        )
        self.assertEqual(escalation.history.count(), 1)
        entry = LedgerEntry.objects.get(event="stage.escalated_above")
        self.assertEqual(entry.reason, RULE)
        self.assertEqual(entry.data["to"], self.world.danang_pc.pk)
        self.assertEqual(entry.subject_id, str(self.dossier.pk))
        notices = Notification.objects.filter(event="task.escalated_above")
        self.assertEqual([n.recipient for n in notices], [self.office_above])
        self.assertEqual(notices.get().url, reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        self.assertIsNone(task.scheduled)
        kinds = [notice["kind"] for notice in task.data["deadline_notices"]]
        self.assertEqual(kinds, ["reminder", "escalation", "escalation_above"])

        # Once per step and level: nothing more, however late it gets.
        Task.objects.filter(pk=self.task.pk).update(scheduled=timezone.now())
        call_command("dispatch_timers", stdout=StringIO())
        self.assertEqual(StageEscalation.objects.count(), 1)
        self.assertEqual(LedgerEntry.objects.filter(event="stage.escalated_above").count(), 1)
        self.assertEqual(Notification.objects.filter(event="task.escalated_above").count(), 1)

    def test_a_day_off_of_the_governments_notice_moves_the_escalation(self):
        deadline = self.process.stage_deadline
        day_off = calendar.add_working_days(deadline, 1)
        without_notice = calendar.add_working_days(deadline, 3)
        calendar_exception_save(
            exception=CalendarException(day=day_off, kind=CalendarDayKind.DAY_OFF, reference="Thông báo 1/TB-BNV"),
            actor=None,
        )
        self.dispatch()
        task = self.dispatch()
        self.assertEqual(task.scheduled, calendar.end_of_day(calendar.add_working_days(day_off, 3)))
        self.assertGreater(timezone.localdate(task.scheduled), without_notice + datetime.timedelta(days=1))

    def test_a_stage_the_award_type_does_not_escalate_stops_at_its_head(self):
        self.province_award.escalation_days = {}
        nomination_services.award_type_save(award_type=self.province_award, actor=None)
        self.dispatch()
        self.assertIsNone(self.dispatch().scheduled)
        self.assertFalse(StageEscalation.objects.exists())

    def test_the_dossier_and_both_dashboards_show_the_mark_while_the_step_is_open(self):
        self.escalate()
        url = reverse("nominations:dossier_detail", args=[self.dossier.pk])
        for user in (self.office_above, self.officer(self.world.haichau_pc, Role.APPRAISER), self.submitter):
            self.login(user)
            page = self.client.get(url)
            self.assertContains(page, "mf-notice--escalated")
            self.assertContains(page, self.world.danang_pc.name)
            self.assertContains(page, RULE)
        for user in (self.office_above, self.officer(self.world.haichau_pc, Role.APPROVER)):
            self.login(user)
            escalations = panel(self.client.get(reverse("index")), "escalations")
            self.assertIn(self.dossier.title, escalations)
            self.assertIn("mf-panel__row--alert", escalations)

        # The level above reads the dossier and the step but cannot act on it.
        self.login(self.office_above)
        self.assertEqual(self.client.get(self.journey_url(self.process)).status_code, 200)
        self.assertEqual(self.client.post(self.execute_url(self.task), {"act": "council"}).status_code, 403)

        # Once the step is done the mark is gone.
        self.appraise(self.process, self.world.haichau_pc)
        self.login(self.office_above)
        self.assertNotContains(self.client.get(url), "mf-notice--escalated")
        self.assertNotIn(self.dossier.title, panel(self.client.get(reverse("index")), "escalations"))

    def test_another_province_sees_neither_the_dossier_nor_the_escalation(self):
        self.escalate()
        self.login(self.hanoi_appraiser)
        self.assertEqual(
            self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk])).status_code, 404
        )
        self.assertEqual(self.client.get(self.journey_url(self.process)).status_code, 404)
        home = self.client.get(reverse("index"))
        self.assertNotIn(self.dossier.title, panel(home, "escalations"))
        self.assertIn("mf-panel--escalations", home.content.decode())
        self.assertFalse(Notification.objects.filter(recipient=self.hanoi_appraiser).exists())

    def test_the_dashboard_costs_the_same_with_more_escalations(self):
        for index in range(3):
            if index:
                self.dossier = self.make_dossier(self.province_award, title=f"Hồ sơ {index}")
                self.process = self.submit(self.dossier)
                self.task = self.open_task(self.process)
            self.escalate()
            if index in (0, 2):  # at one escalation and at three
                self.login(self.office_above)
                with self.assertNumQueries(ESCALATIONS_HOME_QUERIES):
                    home = self.client.get(reverse("index"))
                self.assertIn(self.dossier.title, panel(home, "escalations"))
