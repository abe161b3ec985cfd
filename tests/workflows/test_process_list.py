"""viewflow's process list, scoped, with its open-step column counted for the page's rows only."""

from viewflow.workflow.models import Task

from org_hierarchy.models import Role
from tests.base import grant

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
        self.assertEqual(response.context["paginator"].count, 0)
        self.assertNotContains(response, f"/nomination/{process.pk}/")
