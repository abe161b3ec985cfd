"""The home page's dashboard: each role sees what waits for it, with counts and links, at a constant cost."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from audit import verify
from audit.models import VerificationRun
from nominations.models import Dossier, DossierStatus
from org_hierarchy.models import Role
from tests.base import grant
from tests.workflows.base import FlowTestCase
from workflows.models import StageOutcome
from workflows.selectors import node_url

# session, user, memberships; the inbox's counts (one aggregate), first rows and their dossiers; the queue's the
# same; the escalations to the level above (rows and count); recent decisions; unread notifications; the
# session's save
APPRAISER_QUERIES = 14
# session, user, memberships; the inbox's counts, rows and dossiers; returned: count and rows; drafts: count and
# rows; recent decisions; unread notifications; the session's save
SUBMITTER_QUERIES = 13
# session, user, memberships; last verification; recent exceptions; decisions; unread notifications; the save
AUDITOR_QUERIES = 8


def panel(response, key):
    """Return the HTML of one panel of the dashboard."""
    match = re.search(rf'<section class="[^"]*mf-panel--{key}".*?</section>', response.content.decode(), re.S)
    return match.group(0) if match else ""


def count_of(response, key):
    found = re.search(r'class="mf-panel__count">(\d+)<', panel(response, key))
    return int(found.group(1)) if found else None


class DashboardTests(FlowTestCase):
    def add_dossiers(self, count, start):
        for index in range(start, start + count):
            process = self.submit(self.make_dossier(self.commune_award, nominees=1, title=f"Hồ sơ số {index:03d}"))
            if index % 4 == 0:  # one in four is taken by the appraiser: it moves to their inbox
                task = self.open_task(process)
                self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
                self.client.post(node_url(task.flow_task, "assign", process.pk, task.pk))
        return process

    def test_the_appraiser_sees_their_steps_and_their_units_with_a_constant_number_of_queries(self):
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        for start, batch in ((0, 4), (4, 4)):
            self.add_dossiers(batch, start)
            total = start + batch
            self.login(appraiser)
            with self.assertNumQueries(APPRAISER_QUERIES):
                response = self.client.get(reverse("index"))
            self.assertEqual(count_of(response, "inbox"), total // 4)
            self.assertEqual(count_of(response, "queue"), total - total // 4)
            self.assertContains(response, f'href="{reverse("workflows:queue")}"')
            self.assertIn("Hồ sơ số 001", panel(response, "queue"))
        self.assertNotIn("Your roles", response.content.decode())
        self.assertEqual(panel(response, "drafts"), "")

    def test_overdue_and_due_soon_steps_are_counted_and_lead_to_the_filtered_list(self):
        process = self.add_dossiers(2, 1)
        process.stage_deadline = timezone.localdate() - datetime.timedelta(days=3)
        process.save()
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        queue = panel(self.client.get(reverse("index")), "queue")
        self.assertIn(f'href="{reverse("workflows:queue")}?sla=overdue"', queue)
        self.assertIn("1 quá hạn", queue)
        self.assertIn("mf-panel__row--alert", queue)

    def test_the_submitter_sees_drafts_and_returned_dossiers_with_a_constant_number_of_queries(self):
        for start, batch in ((0, 3), (3, 3)):
            for index in range(start, start + batch):
                self.make_dossier(self.commune_award, title=f"Nháp số {index}")
            process = self.submit(self.make_dossier(self.commune_award, title=f"Bị trả lại số {start}"))
            self.appraise(process, self.world.haichau_pc, return_reason="Bổ sung báo cáo thành tích.")
            self.login(self.submitter)
            with self.assertNumQueries(SUBMITTER_QUERIES):
                response = self.client.get(reverse("index"))
            self.assertEqual(count_of(response, "drafts"), start + batch)
            self.assertEqual(count_of(response, "returned"), start // 3 + 1)
            self.assertIn(f"Bị trả lại số {start}", panel(response, "returned"))
            self.assertIn(f"?status={DossierStatus.DRAFT}", panel(response, "drafts"))
            # The supplement step waits in the submitter's own inbox.
            self.assertEqual(count_of(response, "inbox"), start // 3 + 1)
        self.assertEqual(panel(response, "queue"), "")

    def test_recent_decisions_show_to_the_dossiers_people_and_not_to_another_ward(self):
        process = self.submit(self.make_dossier(self.commune_award, title="Hồ sơ được khen"))
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.sign(process, self.world.haichau_pc, StageOutcome.DECIDE)
        number = Dossier.objects.get(pk=process.dossier.pk).decision.number_display
        self.login(self.submitter)
        self.assertIn(number, panel(self.client.get(reverse("index")), "decisions"))
        self.login(grant(Role.APPRAISER, self.world.thanhkhe_pc))
        response = self.client.get(reverse("index"))
        self.assertNotIn("Hồ sơ được khen", response.content.decode())
        self.assertEqual(count_of(response, "queue"), 0)

    def test_the_auditor_sees_the_last_verification_and_recent_exceptions(self):
        auditor = grant(Role.AUDITOR, self.world.danang_pc)
        self.login(auditor)
        self.assertIn("chưa được kiểm tra", panel(self.client.get(reverse("index")), "verification"))
        for index in range(2):
            process = self.submit(self.make_dossier(self.commune_award, title=f"Trả lại {index}"))
            self.appraise(process, self.world.haichau_pc, return_reason="Thiếu tài liệu.")
            VerificationRun.objects.create(
                started_at=timezone.now(), finished_at=timezone.now(), checked=verify.verify_ledger().checked, ok=True
            )
            self.login(auditor)
            with self.assertNumQueries(AUDITOR_QUERIES):
                response = self.client.get(reverse("index"))
            self.assertIn("Nguyên vẹn", panel(response, "verification"))
            self.assertIn(f"Trả lại {index}", panel(response, "exceptions"))
        self.assertEqual(panel(response, "queue"), "")
