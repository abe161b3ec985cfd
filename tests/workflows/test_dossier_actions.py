"""The dossier page's own acts: "Submit" once the draft passes its checks, "Send back" after a return."""

from django.urls import reverse

from nominations.models import DossierStatus
from org_hierarchy.models import Role
from tests.base import grant, make_user
from workflows.flows import NominationFlow
from workflows.selectors import node_url

from .base import FlowTestCase


class SubmitFromTheDossierPageTests(FlowTestCase):
    def detail(self, dossier, user):
        self.login(user)
        return self.client.get(reverse("nominations:dossier_detail", args=[dossier.pk]))

    def test_the_submitter_submits_with_the_pages_own_button_without_choosing_the_dossier_again(self):
        dossier = self.make_dossier(self.commune_award)
        response = self.detail(dossier, self.submitter)
        submit_url = node_url(NominationFlow.submit, "execute")
        self.assertContains(response, f'action="{submit_url}"')
        self.assertContains(response, f'<input type="hidden" name="dossier" value="{dossier.pk}">', html=True)
        self.assertContains(response, "Trình")
        self.assertContains(response, "data-mf-confirm=")
        # The form posts exactly what the page holds: the dossier's id, nothing picked from a list.
        response = self.client.post(submit_url, {"dossier": dossier.pk})
        process = NominationFlow.process_class.objects.get(artifact_object_id=dossier.pk)
        self.assertRedirects(response, reverse("workflows:process", args=[process.pk]), fetch_redirect_response=False)
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.SUBMITTED)
        self.assertNotContains(self.detail(dossier, self.submitter), f'action="{submit_url}"')

    def test_a_draft_that_fails_a_check_says_why_instead_of_offering_submit(self):
        dossier = self.make_dossier(self.commune_award, nominees=0)
        response = self.detail(dossier, self.submitter)
        self.assertNotContains(response, 'name="dossier"')
        self.assertContains(response, "Chưa thể trình")
        self.assertContains(response, 'class="check-failed"')

    def test_only_the_units_submitter_gets_the_button(self):
        dossier = self.make_dossier(self.commune_award)
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        self.assertEqual(self.detail(dossier, appraiser).status_code, 404)  # drafts stay in their unit
        colleague = grant(Role.SUBMITTER, self.world.school, user=make_user("school_submitter"))
        self.assertEqual(self.detail(dossier, colleague).status_code, 404)
        # The other unit's submitter cannot submit it by posting its id either: it is not among their drafts.
        self.login(colleague)
        response = self.client.post(node_url(NominationFlow.submit, "execute"), {"dossier": dossier.pk})
        self.assertEqual(response.status_code, 200)
        self.assertFalse(NominationFlow.process_class.objects.filter(artifact_object_id=dossier.pk).exists())

    def test_the_start_page_opened_for_one_dossier_shows_it_instead_of_a_list(self):
        dossier = self.make_dossier(self.commune_award)
        other = self.make_dossier(self.commune_award, title="Khen thưởng khác")
        self.login(self.submitter)
        response = self.client.get(node_url(NominationFlow.submit, "execute") + f"?dossier={dossier.pk}")
        hidden = f'<input type="hidden" name="dossier" value="{dossier.pk}" id="id_dossier">'
        self.assertContains(response, hidden, html=True)
        self.assertNotContains(response, other.title)


class SendBackFromTheDossierPageTests(FlowTestCase):
    def setUp(self):
        self.dossier = self.make_dossier(self.commune_award)
        self.process = self.submit(self.dossier)
        self.appraise(self.process, self.world.haichau_pc, return_reason="Thiếu báo cáo thành tích.")
        self.url = reverse("workflows:resubmit", args=[self.dossier.pk])

    def test_the_submitter_goes_from_the_dossier_page_straight_to_the_supplement_step(self):
        self.login(self.submitter)
        page = self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        self.assertContains(page, f'href="{self.url}"')
        self.assertContains(page, "Gửi lại")
        task = self.open_task(self.process)
        self.assertEqual(task.flow_task.name, "supplement")
        self.assertRedirects(self.client.get(self.url), self.execute_url(task), fetch_redirect_response=False)
        self.supplement(self.process)
        self.assertEqual(self.open_node_names(self.process), ["commune_appraise"])
        page = self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        self.assertNotContains(page, f'href="{self.url}"')
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_nobody_else_is_sent_to_the_step(self):
        appraiser = self.officer(self.world.haichau_pc, Role.APPRAISER)
        self.login(appraiser)
        page = self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, f'href="{self.url}"')
        self.assertEqual(self.client.get(self.url).status_code, 404)
        outsider = grant(Role.SUBMITTER, self.world.hanoi_pc, user=make_user("hanoi_submitter"))
        self.login(outsider)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.client.get(reverse("workflows:resubmit", args=[999999])).status_code, 404)
