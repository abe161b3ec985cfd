"""The Government's notices of extra days off and make-up working days, entered by an administrator, move every
deadline counted from then on, and the step's page explains the deadline with them."""

import datetime

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from audit.models import LedgerEntry
from org_hierarchy.models import Role
from workflows import calendar
from workflows.models import CalendarDayKind, CalendarException

from .base import FlowTestCase

NOTICE = "Thông báo số 6150/TB-BNV ngày 01/12/2026 của Bộ Nội vụ"


def next_working_day(day):
    return calendar.add_working_days(day, 1)


def next_saturday(day):
    return day + datetime.timedelta(days=(5 - day.weekday()) % 7 or 7)


class CalendarExceptionTests(FlowTestCase):
    def setUp(self):
        self.admin = get_user_model().objects.create_superuser("root", password="pw-for-tests", language="vi")
        self.today = timezone.localdate()

    def enter(self, day, kind, reference=NOTICE):
        self.login(self.admin)
        response = self.client.post(
            reverse("admin:workflows_calendarexception_add"),
            {"day": day.isoformat(), "kind": kind, "reference": reference, "note": "Nghỉ bù"},
        )
        self.assertEqual(response.status_code, 302, response.context and response.context["adminform"].form.errors)
        return CalendarException.objects.get(day=day)

    def test_an_extra_day_off_pushes_the_deadline_and_the_appraiser_reads_why(self):
        before = calendar.add_working_days(self.today, 10)
        day_off = next_working_day(self.today)
        exception = self.enter(day_off, CalendarDayKind.DAY_OFF)
        self.assertEqual(exception.history.get().history_user, self.admin)
        entry = LedgerEntry.objects.get(event="calendar.changed")
        self.assertEqual(entry.reason, NOTICE)
        self.assertEqual(entry.data["day"], day_off.isoformat())

        process = self.submit(self.make_dossier(self.province_award))
        process.refresh_from_db()
        self.assertFalse(calendar.is_working_day(day_off))
        self.assertEqual(process.stage_deadline, calendar.add_working_days(before, 1))
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        page = self.client.get(self.execute_url(self.open_task(process)))
        self.assertContains(page, process.stage_deadline.strftime("%d/%m/%Y"))
        self.assertContains(page, f"10 ngày làm việc kể từ {self.today:%d/%m/%Y}")
        self.assertContains(page, f"{day_off:%d/%m/%Y}: Ngày nghỉ ({NOTICE})")

    def test_a_make_up_working_saturday_brings_the_deadline_forward(self):
        before = calendar.add_working_days(self.today, 10)
        saturday = next_saturday(self.today)
        self.enter(saturday, CalendarDayKind.WORKING_DAY)
        self.assertTrue(calendar.is_working_day(saturday))
        process = self.submit(self.make_dossier(self.province_award))
        process.refresh_from_db()
        self.assertEqual(process.stage_deadline, calendar.subtract_working_days(before, 1))

    def test_a_correction_and_a_removal_are_kept_in_the_history_and_the_ledger(self):
        day = next_working_day(self.today)
        exception = self.enter(day, CalendarDayKind.DAY_OFF, reference="Thông báo số 1/TB")
        url = reverse("admin:workflows_calendarexception_change", args=[exception.pk])
        response = self.client.post(
            url, {"day": day.isoformat(), "kind": CalendarDayKind.DAY_OFF, "reference": NOTICE, "note": ""}
        )
        self.assertEqual(response.status_code, 302)
        response = self.client.post(
            reverse("admin:workflows_calendarexception_delete", args=[exception.pk]), {"post": "yes"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(CalendarException.objects.exists())
        self.assertTrue(calendar.is_working_day(day))
        self.assertEqual(
            [row.history_type for row in CalendarException.history.filter(day=day).order_by("history_id")],
            ["+", "~", "-"],
        )
        self.assertEqual(LedgerEntry.objects.filter(event="calendar.changed").count(), 3)

    def test_a_day_entered_twice_is_refused_with_a_message(self):
        day = next_working_day(self.today)
        self.enter(day, CalendarDayKind.DAY_OFF)
        response = self.client.post(
            reverse("admin:workflows_calendarexception_add"),
            {"day": day.isoformat(), "kind": CalendarDayKind.WORKING_DAY, "reference": NOTICE},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["adminform"].form.errors["day"])

    def test_an_officer_without_administration_rights_cannot_edit_the_calendar(self):
        self.login(self.officer(self.world.haichau_pc, Role.APPROVER))
        response = self.client.get(reverse("admin:workflows_calendarexception_add"))
        self.assertIn(response.status_code, (302, 403))
        self.assertFalse(CalendarException.objects.exists())
