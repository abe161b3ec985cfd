"""Busy pages keep a constant number of queries as dossiers grow; the flow chart renders."""

from django.urls import reverse

from org_hierarchy.models import Role
from tests.base import grant
from workflows.selectors import node_url

from .base import FlowTestCase

# session, user, the user's memberships, unread notifications, the page count, the rows, their dossiers, the
# campaign and award filters' choices; viewflow's process list: its rows (uncounted), the menu's queue count
# through the step list's selector, and the session's save
QUEUE_QUERIES = 9
INBOX_QUERIES = 9
# The process list also reads its rows' dossiers (their titles), in one query.
PROCESS_LIST_QUERIES = 10


class PageQueryCountTests(FlowTestCase):
    def add_dossiers(self, count, start):
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        for index in range(start, start + count):
            process = self.submit(self.make_dossier(self.commune_award, nominees=1, title=f"Hồ sơ số {index:03d}"))
            if index % 5 < 2:  # two of every five are taken by the appraiser: they move to the inbox
                task = self.open_task(process)
                self.login(appraiser)
                self.client.post(node_url(task.flow_task, "assign", process.pk, task.pk))
        return self.login(appraiser)

    def test_queue_inbox_and_process_list_queries_do_not_grow(self):
        for start, batch in ((0, 5), (5, 5)):
            self.add_dossiers(batch, start)
            total = start + batch
            with self.assertNumQueries(QUEUE_QUERIES):
                queue = self.client.get(reverse("workflows:queue"))
            self.assertContains(queue, 'class="task-row"', count=total * 3 // 5)
            with self.assertNumQueries(INBOX_QUERIES):
                inbox = self.client.get(reverse("workflows:inbox"))
            # "My steps": the ones taken and the ones waiting at the unit.
            self.assertContains(inbox, 'class="task-row"', count=total)
            self.assertContains(inbox, "Hồ sơ số 000")
            with self.assertNumQueries(PROCESS_LIST_QUERIES):
                flows = self.client.get("/nomination/flows/")
            self.assertContains(flows, "/nomination/", status_code=200)

    def test_the_flow_menu_counts_what_the_queue_shows_and_has_one_my_steps(self):
        self.add_dossiers(5, 0)  # three wait in the ward's queue, two were taken by the appraiser
        page = self.client.get("/nomination/flows/").content.decode()
        queue_link = page.index('href="/nomination/queue/"')
        self.assertIn('<span class="mdc-list-item__meta">3</span>', page[queue_link : queue_link + 400])
        self.assertNotIn('href="/nomination/inbox/"', page)
        self.assertEqual(page.count("Việc của tôi"), 1)
        self.assertEqual(page.count('href="/steps/inbox/"'), 1)
        self.assertRedirects(self.client.get("/nomination/inbox/"), reverse("workflows:inbox"))
        self.assertRedirects(self.client.get("/nomination/queue/"), reverse("workflows:queue"))

    def test_a_new_step_is_in_my_steps_at_once_and_nobody_elses(self):
        process = self.submit(self.make_dossier(self.commune_award, nominees=1, title="Hồ sơ mới đến"))
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        mine = self.client.get(reverse("workflows:inbox"))
        self.assertContains(mine, "Hồ sơ mới đến")
        self.assertContains(mine, f"/commune_appraise/{self.open_task(process).pk}/")
        for user in (
            self.officer(self.world.haichau_police, Role.APPRAISER),  # another unit
            self.officer(self.world.haichau_pc, Role.SECRETARY),  # another role: its step has not come yet
            self.submitter,  # the dossier's own submitter
        ):
            self.login(user)
            self.assertNotContains(self.client.get(reverse("workflows:inbox")), "Hồ sơ mới đến")

    def test_the_other_ward_sees_an_empty_queue(self):
        self.add_dossiers(2, 0)
        self.login(self.officer(self.world.haichau_police, Role.APPRAISER))
        self.assertNotContains(self.client.get(reverse("workflows:queue")), 'class="task-row"')


class ChartTests(FlowTestCase):
    def test_the_flow_chart_renders_every_stage(self):
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        svg = self.client.get("/nomination/chart/")
        self.assertEqual(svg.status_code, 200)
        for node in ("commune_appraise", "province_vote", "ministry_sign", "supplement", "decided"):
            self.assertContains(svg, f'<g id="{node}"')
        bpmn = self.client.get("/nomination/chart/?format=bpmn")
        self.assertContains(bpmn, "bpmn:userTask")


class HomeTests(FlowTestCase):
    def test_the_flow_home_is_the_users_queue_with_a_way_to_submit(self):
        self.login(self.submitter)
        self.assertRedirects(self.client.get("/nomination/"), reverse("workflows:queue"), fetch_redirect_response=False)
        self.assertContains(self.client.get(reverse("workflows:queue")), 'href="/nomination/submit/"')
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        self.assertNotContains(self.client.get(reverse("workflows:queue")), 'href="/nomination/submit/"')

    def test_the_submit_page_offers_only_the_users_drafts(self):
        mine = self.make_dossier(self.commune_award, title="Hồ sơ nháp của tôi")
        self.login(self.submitter)
        page = self.client.get(f"/nomination/submit/?dossier={mine.pk}")
        self.assertContains(page, "Hồ sơ nháp của tôi")
        other = grant(Role.SUBMITTER, self.world.school)
        self.login(other)
        response = self.client.post("/nomination/submit/", {"dossier": mine.pk})
        self.assertEqual(response.status_code, 200)
        self.assertIn("dossier", response.context["form"].errors)


class TaskPageTests(FlowTestCase):
    """Each kind of step page renders its form, the dossier and the earlier opinions, in both languages."""

    def get_page(self, user, process):
        self.login(user)
        task = self.open_task(process)
        pages = {}
        for language in ("en", "vi"):
            # The shell renders each page in the user's own language.
            type(user).objects.filter(pk=user.pk).update(language=language)
            pages[language] = self.client.get(self.execute_url(task))
            self.assertEqual(pages[language].status_code, 200)
        return pages

    def test_every_kind_of_step_page(self):
        w = self.world
        dossier = self.make_dossier(self.province_award)
        process = self.submit(dossier)
        pages = self.get_page(self.officer(w.haichau_pc, Role.APPRAISER), process)
        self.assertContains(pages["vi"], "Ý kiến thẩm định")
        self.assertContains(pages["en"], "Appraisal opinion")
        dossier.refresh_from_db()
        self.assertContains(pages["en"], dossier.version_digest)
        self.assertContains(pages["en"], 'name="consult_units"')

        self.appraise(process, w.haichau_pc, consult=[w.haichau_police])
        pages = self.get_page(self.officer(w.haichau_police, Role.APPRAISER), process)
        self.assertContains(pages["en"], "We agree with the proposal")
        self.assertContains(pages["en"], "Đủ điều kiện, đề nghị trình Hội đồng.")

        self.act(self.officer(w.haichau_police, Role.APPRAISER), self.open_task(process), {"opinion": "Thống nhất"})
        pages = self.get_page(self.officer(w.haichau_pc, Role.SECRETARY), process)
        self.assertContains(pages["en"], 'name="minutes"')
        self.assertContains(pages["vi"], "Biên bản họp")

        self.vote(process, w.haichau_pc)
        pages = self.get_page(self.officer(w.haichau_pc, Role.APPROVER), process)
        self.assertContains(pages["en"], "Forward to the next level with a submission letter")
        self.assertNotContains(pages["en"], "Decide the award")

        self.sign(process, w.haichau_pc, "forward")
        self.appraise(process, w.danang_pc)
        self.vote(process, w.danang_pc)
        pages = self.get_page(self.officer(w.danang_pc, Role.APPROVER), process)
        self.assertContains(pages["en"], "Decide the award")
        self.assertContains(pages["vi"], "Quyết định khen thưởng")

        self.sign(process, w.danang_pc, "return", note="Bổ sung biên bản.")
        pages = self.get_page(self.submitter, process)
        self.assertContains(pages["en"], "What was supplemented")
        self.assertContains(pages["vi"], "Bổ sung biên bản.")
