"""Public posting before the deciding level's council: opened by the flow, closed by the timer dispatcher."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit.models import LedgerEntry
from nominations import services as nomination_services
from nominations.models import CommendationKind, PostingComment, PublicPosting
from notifications.models import Notification
from org_hierarchy.models import Role
from tests.base import grant, make_user
from workflows import calendar
from workflows.models import CalendarDayKind, CalendarException, StageOutcome
from workflows.services import calendar_exception_save

from .base import FlowTestCase

RULE = "Nghị định 98/2023/NĐ-CP, Điều 46"
# session, user, memberships; the posting with its dossier, award type and unit; its comments with their authors
# and units; the unread notifications' count
POSTING_PAGE_QUERIES = 6
# session, user, memberships; the count and the page of postings (with dossier, award type and unit); the unread
# notifications' count
POSTING_LIST_QUERIES = 6


class PostingFlowCase(FlowTestCase):
    """The provincial award posts its nominees for 10 working days before the province's council votes."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        award = cls.province_award
        award.public_posting_days = 10
        award.public_posting_reference = RULE
        nomination_services.award_type_save(award_type=award, actor=None, changed_fields=["public_posting_days"])

    def to_province(self, *, vote=True, **dossier_fields):
        dossier = self.make_dossier(self.province_award, **dossier_fields)
        process = self.submit(dossier)
        commune = self.world.haichau_pc
        self.appraise(process, commune)
        if vote:
            self.vote(process, commune)
        self.sign(process, commune, StageOutcome.FORWARD)
        process.refresh_from_db()
        return dossier, process

    def to_province_council(self, **kwargs):
        dossier, process = self.to_province(**kwargs)
        self.appraise(process, self.world.danang_pc)
        process.refresh_from_db()
        return dossier, process

    def posting_task(self, process):
        return Task.objects.get(process=process, flow_task=process.flow_class.province_posting)

    def close_period(self, process):
        """Make the posting's timer due and run the dispatcher as the scheduler does."""
        Task.objects.filter(pk=self.posting_task(process).pk).update(
            scheduled=timezone.now() - datetime.timedelta(seconds=1)
        )
        call_command("dispatch_timers", stdout=StringIO())
        process.refresh_from_db()


class PostingFlowTests(PostingFlowCase):
    def test_the_deciding_level_posts_before_its_council_and_the_vote_opens_when_the_period_ends(self):
        dossier, process = self.to_province()
        deadline_before = process.stage_deadline
        self.appraise(process, self.world.danang_pc)
        process.refresh_from_db()
        posting = PublicPosting.objects.get()
        today = timezone.localdate()
        self.assertEqual((posting.dossier, posting.unit), (dossier, self.world.danang_pc))
        self.assertEqual((posting.opens_on, posting.working_days, posting.reference), (today, 10, RULE))
        self.assertEqual(posting.closes_on, calendar.add_working_days(today, 10))
        self.assertEqual([n["name"] for n in posting.nominees], ["Nguyễn Văn A", "Nguyễn Văn B"])
        self.assertEqual(posting.history.count(), 1)
        opened = LedgerEntry.objects.get(event="posting.opened")
        self.assertEqual((opened.reason, opened.data["closes_on"]), (RULE, posting.closes_on.isoformat()))

        # No vote before the period is over: the step waiting is the posting's timer, due at the end of its last day.
        self.assertEqual(self.open_node_names(process), [])
        self.login(self.officer(self.world.danang_pc, Role.SECRETARY))
        self.assertContains(self.client.get(self.journey_url(process)), "công khai danh sách")
        timer = self.posting_task(process)
        self.assertEqual((timer.status, timer.scheduled), (STATUS.SCHEDULED, calendar.end_of_day(posting.closes_on)))
        call_command("dispatch_timers", stdout=StringIO())
        self.assertEqual(self.open_node_names(process), [])
        # The posting is not the council's time: the stage deadline moved by its working days.
        self.assertEqual(process.stage_deadline, calendar.add_working_days(deadline_before, 10))
        self.assertEqual(process.stage_posting_days, 10)

        self.close_period(process)
        posting.refresh_from_db()
        self.assertIsNotNone(posting.closed_at)
        self.assertEqual(posting.history.count(), 2)
        closed = LedgerEntry.objects.get(event="posting.closed")
        self.assertEqual(closed.data["comments"], 0)
        self.assertEqual(self.open_node_names(process), ["province_vote"])
        self.assertEqual(self.posting_task(process).status, STATUS.DONE)

        # The vote's page explains its deadline with the posting's working days.
        self.login(self.officer(self.world.danang_pc, Role.SECRETARY))
        page = self.client.get(self.execute_url(self.open_task(process)))
        self.assertContains(page, "deadline-posting")
        self.assertContains(page, "mf-notice--posting")
        self.assertContains(page, process.stage_deadline.strftime("%d/%m/%Y"))

        self.vote(process, self.world.danang_pc)
        self.sign(process, self.world.danang_pc, StageOutcome.DECIDE)
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, "decided")

    def test_the_units_concerned_are_told_when_the_posting_opens_and_closes(self):
        commune_office = self.officer(self.world.haichau_pc, Role.APPRAISER)
        commune_office.language = "en"
        commune_office.save(update_fields=["language"])
        _dossier, process = self.to_province_council()
        posting = PublicPosting.objects.get()
        url = reverse("nominations:posting_detail", args=[posting.pk])
        opened = Notification.objects.filter(event="posting.opened")
        # The commune's emulation office the dossier came through and the proposing unit's submitters; not the
        # posting unit itself, nor a unit the dossier never went through.
        self.assertEqual({n.recipient for n in opened}, {commune_office, self.submitter})
        self.assertEqual({n.url for n in opened}, {url})
        closes_on = posting.closes_on.strftime("%d/%m/%Y")
        by_recipient = {n.recipient: n for n in opened}
        self.assertEqual(by_recipient[self.submitter].title, "Công khai danh sách: Khen thưởng tổ dân phố 12")
        self.assertIn(f"đến hết ngày {closes_on}", by_recipient[self.submitter].body)
        self.assertEqual(by_recipient[commune_office].title, "Public posting: Khen thưởng tổ dân phố 12")
        self.assertIn(f"until {closes_on}", by_recipient[commune_office].body)

        self.login(self.submitter)
        inbox = self.client.get(reverse("notifications:list"))
        self.assertContains(inbox, "Công khai danh sách: Khen thưởng tổ dân phố 12")
        self.assertNotContains(inbox, "posting.opened")
        response = self.client.post(url, {"nominee": "", "text": "Đề nghị bổ sung thành tích năm 2025."})
        self.assertEqual(response.status_code, 302)

        self.close_period(process)
        closed = {n.recipient: n for n in Notification.objects.filter(event="posting.closed")}
        self.assertEqual(set(closed), {commune_office, self.submitter})
        self.assertEqual(closed[self.submitter].title, "Đã kết thúc công khai: Khen thưởng tổ dân phố 12")
        self.assertEqual(PostingComment.objects.count(), 1)
        self.assertIn("1 ý kiến", closed[self.submitter].body)
        self.assertIn("1 comment;", closed[commune_office].body)

    def test_a_day_off_of_the_governments_notice_lengthens_the_period(self):
        today = timezone.localdate()
        day_off = calendar.add_working_days(today, 1)
        without_notice = calendar.add_working_days(today, 10)
        calendar_exception_save(
            exception=CalendarException(day=day_off, kind=CalendarDayKind.DAY_OFF, reference="Thông báo 1/TB-BNV"),
            actor=None,
        )
        self.to_province_council()
        posting = PublicPosting.objects.get()
        # The day off does not count: the ten working days are those after it.
        self.assertEqual(posting.closes_on, calendar.add_working_days(day_off, 10))
        self.assertGreater(posting.closes_on, without_notice)

    def test_lower_stages_and_award_types_without_a_period_do_not_post(self):
        dossier = self.make_dossier(self.province_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        # The commune forwards: only the deciding level posts.
        self.assertEqual(self.open_node_names(process), ["commune_vote"])
        other = self.make_dossier(self.commune_award, title="Hồ sơ cấp xã")
        other_process = self.submit(other)
        self.appraise(other_process, self.world.haichau_pc)
        self.assertEqual(self.open_node_names(other_process), ["commune_vote"])
        self.assertFalse(PublicPosting.objects.exists())

    def test_the_simplified_procedure_has_no_council_and_no_posting(self):
        self.province_award.simplified_allowed = True
        nomination_services.award_type_save(award_type=self.province_award, actor=None)
        _dossier, process = self.to_province_council(kind=CommendationKind.AD_HOC, vote=False)
        self.assertEqual(self.open_node_names(process), ["province_sign"])
        self.assertFalse(PublicPosting.objects.exists())

    def test_a_withdrawn_dossier_cancels_the_posting_timer(self):
        _dossier, process = self.to_province_council()
        self.login(self.submitter)
        response = self.client.post(reverse("workflows:withdraw", args=[process.pk]), {"reason": "Đơn vị rút hồ sơ."})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.posting_task(process).status, STATUS.CANCELED)
        self.assertFalse(PublicPosting.objects.select_related("dossier").get().is_open)
        call_command("dispatch_timers", stdout=StringIO())
        self.assertFalse(LedgerEntry.objects.filter(event="posting.closed").exists())


class PostingPageTests(PostingFlowCase):
    """The posting's pages, as the people of the units concerned and of the others."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.thanhkhe_officer = grant(Role.APPRAISER, cls.world.thanhkhe_pc, user=make_user("thanhkhe_appraiser"))
        cls.hanoi_officer = grant(Role.APPRAISER, cls.world.hanoi_pc, user=make_user("hanoi_appraiser"))
        cls.police_officer = cls.officers[cls.world.danang_police.pk, Role.APPRAISER]

    def setUp(self):
        self.dossier, self.process = self.to_province_council()
        self.posting = PublicPosting.objects.get()
        self.url = reverse("nominations:posting_detail", args=[self.posting.pk])
        self.office = self.officer(self.world.danang_pc, Role.APPRAISER)

    def comment(self, user, data, *, expect=302):
        self.login(user)
        response = self.client.post(self.url, data)
        self.assertEqual(
            response.status_code, expect, getattr(response, "context", None) and response.context["form"].errors
        )
        return response

    def test_the_units_concerned_find_the_list_from_the_menu_and_the_others_get_404(self):
        for user in (
            self.office,
            self.thanhkhe_officer,
            self.submitter,
            self.officer(self.world.haichau_pc, Role.APPROVER),
        ):
            self.login(user)
            home = self.client.get(reverse("nominations:dossier_list"))
            self.assertContains(home, reverse("nominations:posting_list"))
            listing = self.client.get(reverse("nominations:posting_list"))
            self.assertContains(listing, self.url)
            page = self.client.get(self.url)
            self.assertContains(page, "Nguyễn Văn A")
            self.assertContains(page, RULE)
            self.assertContains(page, self.posting.closes_on.strftime("%d/%m/%Y"))
        for user in (self.hanoi_officer, self.police_officer):
            self.login(user)
            self.assertNotContains(self.client.get(reverse("nominations:posting_list")), self.url)
            self.assertEqual(self.client.get(self.url).status_code, 404)
            self.assertEqual(self.client.post(self.url, {"text": "Ý kiến"}).status_code, 404)
        self.assertFalse(LedgerEntry.objects.filter(event="posting.commented").exists())

    def test_the_dossier_page_links_to_its_posting(self):
        self.login(self.submitter)
        page = self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        self.assertContains(page, "mf-notice--posting")
        self.assertContains(page, self.url)

    def test_a_unit_concerned_comments_and_the_posting_units_officers_read_it(self):
        nominee_id = self.posting.nominees[1]["id"]
        self.comment(self.thanhkhe_officer, {"nominee": nominee_id, "text": "Ông B đang bị xem xét kỷ luật."})
        comment = PostingComment.objects.get()
        self.assertEqual(
            (comment.nominee_id, comment.author, comment.author_unit, comment.received_from),
            (nominee_id, self.thanhkhe_officer, self.world.thanhkhe_pc, ""),
        )
        self.assertEqual(comment.history.get().history_user, self.thanhkhe_officer)
        entry = LedgerEntry.objects.get(event="posting.commented")
        self.assertEqual((entry.actor_id, entry.data["nominee"]), (self.thanhkhe_officer.pk, nominee_id))

        for reader in (self.office, self.officer(self.world.danang_pc, Role.SECRETARY)):
            self.login(reader)
            page = self.client.get(self.url)
            self.assertContains(page, "Ông B đang bị xem xét kỷ luật.")
            self.assertContains(page, self.world.thanhkhe_pc.name)
        # Someone else of a unit concerned reads only their own comments.
        self.login(self.submitter)
        self.assertNotContains(self.client.get(self.url), "Ông B đang bị xem xét kỷ luật.")

        # The council's vote opens with the count of comments in the closing entry, and its page links to them.
        self.close_period(self.process)
        self.assertEqual(LedgerEntry.objects.get(event="posting.closed").data["comments"], 1)
        self.login(self.officer(self.world.danang_pc, Role.SECRETARY))
        vote_page = self.client.get(self.execute_url(self.open_task(self.process)))
        self.assertContains(vote_page, "1 ý kiến")
        self.assertContains(vote_page, self.url)

    def test_the_office_enters_a_comment_it_received_by_letter(self):
        self.login(self.thanhkhe_officer)
        self.assertNotContains(self.client.get(self.url), 'name="received_from"')
        self.login(self.office)
        self.assertContains(self.client.get(self.url), 'name="received_from"')
        self.comment(self.office, {"nominee": "", "text": "Đồng ý với danh sách.", "received_from": "Ông Trần Văn C"})
        comment = PostingComment.objects.get()
        self.assertEqual((comment.nominee_id, comment.received_from), (None, "Ông Trần Văn C"))
        self.assertContains(self.client.get(self.url), "Ông Trần Văn C")

    def test_bad_comments_are_refused_with_a_message_and_kept(self):
        response = self.comment(self.thanhkhe_officer, {"text": "   "}, expect=400)
        self.assertContains(response, "mf-error", status_code=400)
        response = self.comment(
            self.thanhkhe_officer, {"nominee": "999999", "text": "Ý kiến về người khác"}, expect=400
        )
        self.assertContains(response, "Ý kiến về người khác", status_code=400)
        self.assertFalse(PostingComment.objects.exists())

    def test_no_comment_after_the_period(self):
        self.close_period(self.process)
        self.login(self.thanhkhe_officer)
        page = self.client.get(self.url)
        self.assertNotContains(page, 'name="text"')
        response = self.comment(self.thanhkhe_officer, {"text": "Muộn"}, expect=400)
        self.assertContains(response, "mf-errors", status_code=400)
        self.assertFalse(PostingComment.objects.exists())

    def test_the_pages_cost_the_same_with_twice_the_comments_and_postings(self):
        def counts():
            for index in range(3):
                nomination_services.posting_comment_add(
                    posting=self.posting,
                    actor=self.thanhkhe_officer,
                    author_unit=self.world.thanhkhe_pc,
                    text=f"Ý kiến {index}",
                )
            self.login(self.office)
            with CaptureQueriesContext(connection) as detail:
                self.assertEqual(self.client.get(self.url).status_code, 200)
            with CaptureQueriesContext(connection) as listing:
                self.assertEqual(self.client.get(reverse("nominations:posting_list")).status_code, 200)
            return len(detail), len(listing)

        first = counts()
        self.to_province_council(title="Hồ sơ thứ hai")
        self.to_province_council(title="Hồ sơ thứ ba")
        self.assertEqual(counts(), first)
        self.assertEqual(first, (POSTING_PAGE_QUERIES, POSTING_LIST_QUERIES))
