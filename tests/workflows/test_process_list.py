"""viewflow's process list, scoped, newest first, paged without a count, its open-step column counted per row."""

from unittest import mock

from viewflow.workflow.models import Task

from org_hierarchy.models import Role
from tests.base import grant
from workflows import selectors
from workflows.models import StageOutcome
from workflows.viewsets import ProcessListView

from .base import FlowTestCase


class ProcessListTests(FlowTestCase):
    def open_steps(self, response):
        """Return the open-step count each listed process shows, read from the page's rows."""
        view = response.context["view"]
        column = view.list_columns["active_tasks"]
        return {process.pk: column.get_value(process) for process in response.context["page_obj"]}

    def test_each_row_counts_its_own_unfinished_steps(self):
        at_commune = self.submit(self.make_dossier(self.commune_award, title="Hồ sơ ở cấp xã"))
        further = self.submit(self.make_dossier(self.commune_award, title="Hồ sơ đã thẩm định"))
        self.appraise(further, self.world.haichau_pc)
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        response = self.client.get("/nomination/flows/")
        self.assertEqual(response.status_code, 200)
        shown = self.open_steps(response)
        self.assertEqual(set(shown), {at_commune.pk, further.pk})
        for process_id, count in shown.items():
            expected = Task.objects.filter(process_id=process_id, finished__isnull=True).count()
            self.assertGreater(expected, 0)
            self.assertEqual(count, expected, process_id)

    def test_a_neighbouring_ward_lists_nothing_and_the_count_ignores_it(self):
        process = self.submit(self.make_dossier(self.commune_award))
        self.login(grant(Role.APPRAISER, self.world.thanhkhe_police))
        response = self.client.get("/nomination/flows/")
        self.assertEqual(self.open_steps(response), {})
        self.assertFalse(response.context["page_obj"].has_next())
        self.assertNotContains(response, f"/nomination/{process.pk}/")

    def test_pages_go_newest_first_and_are_never_counted(self):
        processes = [self.submit(self.make_dossier(self.commune_award, title=f"Hồ sơ {n}")) for n in range(3)]
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        with mock.patch.object(ProcessListView, "paginate_by", 2):
            first = self.client.get("/nomination/flows/")
            self.assertEqual([p.pk for p in first.context["page_obj"]], [processes[2].pk, processes[1].pk])
            self.assertIsNone(first.context["paginator"].count)
            self.assertContains(first, "1–2")
            self.assertContains(first, 'href="?page=2#pagination"')
            self.assertNotContains(first, "data-total-items-count")
            second = self.client.get("/nomination/flows/?page=2")
            self.assertEqual([p.pk for p in second.context["page_obj"]], [processes[0].pk])
            self.assertContains(second, "3–3")
            self.assertContains(second, 'href="?page=1#pagination"')
            self.assertNotContains(second, 'href="?page=3#pagination"')
            for past_the_end in ("3", "0", "abc"):
                self.assertEqual(self.client.get(f"/nomination/flows/?page={past_the_end}").status_code, 404)

    def test_a_counted_viewflow_list_says_of_in_the_users_language(self):
        # One submitted dossier has three steps so far: the submission, the commune's entry and its appraisal.
        self.submit(self.make_dossier(self.commune_award))
        self.login(self.officer(self.world.haichau_pc, Role.APPRAISER))
        self.assertContains(self.client.get("/nomination/tasks/"), "1–3 trên 3")
        self.client.post("/i18n/setlang/", {"language": "en"})
        self.assertContains(self.client.get("/nomination/tasks/"), "1–3 of 3")


class RowByRowScopeTests(FlowTestCase):
    """The process list of someone seated at a branch's top checks each row; it must see the same processes."""

    def test_both_forms_of_the_scope_give_the_same_processes_to_everyone(self):
        w = self.world
        # A ministry-route dossier that reached the Ministry, a provincial one consulting the other branch, a
        # commune one, one withdrawn, and a draft (no process).
        ministry = self.submit(self.make_dossier(self.ministry_award, title="Hồ sơ lên Bộ"))
        for unit in (w.haichau_police, w.danang_police):
            self.appraise(ministry, unit)
            self.vote(ministry, unit)
            self.sign(ministry, unit, StageOutcome.FORWARD)
        consulting = self.submit(self.make_dossier(self.province_award, title="Hồ sơ hiệp y"))
        self.appraise(consulting, w.haichau_pc, consult=[w.haichau_police, w.danang_department])
        self.submit(self.make_dossier(self.commune_award, title="Hồ sơ cấp xã"))
        self.make_dossier(self.commune_award, title="Hồ sơ nháp")
        users = [
            self.officer(w.mps, Role.APPROVER),
            grant(Role.AUDITOR, w.government),
            self.officer(w.danang_police, Role.APPRAISER),
            self.officer(w.haichau_pc, Role.APPRAISER),
            self.officer(w.haichau_police, Role.APPRAISER),
            grant(Role.APPRAISER, w.danang_department),
            grant(Role.APPRAISER, w.badinh_police),
            self.submitter,
        ]
        for user in users:
            with self.subTest(user=str(user)):
                expected = set(selectors.processes_visible_to(user=user).values_list("pk", flat=True))
                checked = set(selectors._processes_checked_row_by_row(user).values_list("pk", flat=True))
                self.assertEqual(checked, expected)
        self.assertEqual(len(set(selectors.processes_visible_to(user=users[0]).values_list("pk", flat=True))), 1)

    def test_the_ministry_head_lists_its_branchs_processes_newest_first(self):
        civil = self.submit(self.make_dossier(self.commune_award, title="Hồ sơ khối dân chính"))
        first = self.submit(self.make_dossier(self.ministry_award, title="Hồ sơ thứ nhất"))
        second = self.submit(self.make_dossier(self.ministry_award, title="Hồ sơ thứ hai"))
        self.login(self.officer(self.world.mps, Role.APPROVER))
        listed = [process.pk for process in self.client.get("/nomination/flows/").context["page_obj"]]
        self.assertEqual(listed, [second.pk, first.pk])
        self.assertNotIn(civil.pk, listed)
