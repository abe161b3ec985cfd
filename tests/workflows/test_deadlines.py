"""Stage deadlines in Vietnamese working days, and the reminder and escalation the dispatcher sends."""

import datetime
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit.models import LedgerEntry
from notifications.models import Notification
from org_hierarchy.models import Membership, Role
from org_hierarchy.roles import permission_for
from workflows import calendar
from workflows.flows import NominationFlow
from workflows.services import deadlines_fire

from .base import FlowTestCase


class WorkingDayTests(TestCase):
    def test_a_deadline_across_a_weekend_and_tet_lands_on_the_right_working_day(self):
        # Thursday 12 Feb 2026; Tết Bính Ngọ closes 16-20 Feb, with the weekends around it.
        start = datetime.date(2026, 2, 12)
        self.assertEqual(calendar.add_working_days(start, 1), datetime.date(2026, 2, 13))
        self.assertEqual(calendar.add_working_days(start, 2), datetime.date(2026, 2, 23))
        self.assertEqual(calendar.add_working_days(start, 5), datetime.date(2026, 2, 26))
        self.assertEqual(calendar.subtract_working_days(datetime.date(2026, 2, 23), 1), datetime.date(2026, 2, 13))

    def test_weekends_and_national_day_are_not_working_days(self):
        self.assertFalse(calendar.is_working_day(datetime.date(2026, 11, 21)))  # Saturday
        self.assertFalse(calendar.is_working_day(datetime.date(2026, 9, 2)))  # National Day
        self.assertTrue(calendar.is_working_day(datetime.date(2026, 9, 3)))

    def test_a_deadline_day_counts_in_full(self):
        day = datetime.date(2026, 3, 2)
        self.assertEqual(calendar.end_of_day(day) - calendar.start_of_day(day), datetime.timedelta(days=1))
        self.assertEqual(timezone.localtime(calendar.start_of_day(day)).hour, 0)


class DeadlineNoticeTests(FlowTestCase):
    def setUp(self):
        self.dossier = self.make_dossier(self.province_award)
        self.process = self.submit(self.dossier)
        self.task = self.open_task(self.process)

    def next_notice_due(self):
        return Task.objects.get(pk=self.task.pk).scheduled

    def make_due(self):
        Task.objects.filter(pk=self.task.pk).update(scheduled=timezone.now() - datetime.timedelta(seconds=1))

    def test_the_step_carries_its_deadline_from_the_award_types_working_days_and_no_timer_rows(self):
        self.process.refresh_from_db()
        deadline = calendar.add_working_days(timezone.localdate(), 10)
        self.assertEqual(self.process.stage_deadline, deadline)
        reminder_day = calendar.subtract_working_days(deadline, 2)
        self.assertEqual(self.next_notice_due(), calendar.start_of_day(reminder_day))
        self.assertFalse(Task.objects.filter(process=self.process, flow_task_type="TIMER").exists())

    def test_reminder_then_escalation_fire_and_the_step_stays_open(self):
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        head = self.officer(self.world.haichau_pc, Role.APPROVER)
        self.assertEqual(deadlines_fire(), 0)

        self.make_due()
        self.assertEqual(deadlines_fire(), 1)
        self.assertTrue(Notification.objects.filter(recipient=appraiser, event="task.due_soon").exists())
        self.assertFalse(Notification.objects.filter(recipient=self.submitter, event="task.due_soon").exists())
        self.assertTrue(LedgerEntry.objects.filter(subject_id=str(self.dossier.pk), event="stage.reminded").exists())
        # The reminder armed the escalation for the end of the deadline day, and fires only once.
        self.assertEqual(self.next_notice_due(), calendar.end_of_day(self.process.stage_deadline))
        self.assertEqual(deadlines_fire(), 0)

        self.make_due()
        self.assertEqual(deadlines_fire(), 1)
        self.assertTrue(Notification.objects.filter(recipient=head, event="task.overdue").exists())
        self.assertFalse(Notification.objects.filter(recipient=appraiser, event="task.overdue").exists())
        self.assertTrue(LedgerEntry.objects.filter(subject_id=str(self.dossier.pk), event="stage.escalated").exists())
        self.assertIsNone(self.next_notice_due())
        self.assertEqual(deadlines_fire(now=timezone.now() + datetime.timedelta(days=365)), 0)

        self.task.refresh_from_db()
        self.assertEqual(self.task.status, STATUS.NEW)
        # Each notice left a history row on the step, written by the system.
        reasons = list(
            Task.history.filter(id=self.task.pk).order_by("history_id").values_list("history_change_reason", flat=True)
        )
        self.assertEqual(reasons[-2:], ["commune_appraise: reminder", "commune_appraise: escalation"])
        self.login(appraiser)
        page = self.client.get(self.execute_url(self.task))
        self.assertContains(page, 'class="deadline-notice"', count=2)
        self.assertContains(page, "Nhắc hạn")
        # The step can still be done.
        self.appraise(self.process, self.world.haichau_pc)
        self.assertEqual(self.open_node_names(self.process), ["commune_vote"])

    def test_a_finished_step_sends_no_notice(self):
        self.appraise(self.process, self.world.haichau_pc)
        self.make_due()
        self.assertEqual(deadlines_fire(), 0)
        self.assertFalse(LedgerEntry.objects.filter(event="stage.reminded").exists())

    def test_the_task_page_shows_the_deadline_and_the_overdue_badge(self):
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        page = self.client.get(self.execute_url(self.task))
        self.assertContains(page, self.process.stage_deadline.strftime("%d/%m/%Y"))
        self.assertNotContains(page, "--overdue")
        self.assertNotContains(page, 'class="deadline-notice"')
        process = NominationFlow.process_class.objects.get(pk=self.process.pk)
        process.stage_deadline = timezone.localdate() - datetime.timedelta(days=1)
        process.save(update_fields=["data"])
        self.assertContains(self.client.get(self.execute_url(self.task)), "--overdue")  # badge class

    def test_the_dispatcher_sends_due_notices_and_drops_expired_role_groups(self):
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        self.make_due()
        # The appraiser's membership expired yesterday; nothing but the calendar changed.
        Membership.objects.filter(user=appraiser, unit=self.world.haichau_pc).update(
            valid_from=timezone.localdate() - datetime.timedelta(days=30),
            valid_to=timezone.localdate() - datetime.timedelta(days=1),
        )
        perm = permission_for(Role.APPRAISER)
        self.assertTrue(get_user_model().objects.get(pk=appraiser.pk).has_perm(perm, self.world.haichau_pc))

        out = StringIO()
        call_command("dispatch_timers", stdout=out)

        self.assertTrue(LedgerEntry.objects.filter(subject_id=str(self.dossier.pk), event="stage.reminded").exists())
        self.assertFalse(get_user_model().objects.get(pk=appraiser.pk).has_perm(perm, self.world.haichau_pc))
        self.assertEqual(deadlines_fire(), 0)
