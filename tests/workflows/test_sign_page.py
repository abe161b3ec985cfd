"""The head's sign page: the summary comes first, the history is folded."""

from org_hierarchy.models import Role
from workflows.models import StageOutcome

from .base import FlowTestCase


class SignPageTests(FlowTestCase):
    def setUp(self):
        self.dossier = self.make_dossier(self.province_award)
        self.process = self.submit(self.dossier)
        w = self.world
        self.appraise(self.process, w.haichau_pc)
        self.vote(self.process, w.haichau_pc, members=9, votes={self.nominee_ids(self.dossier)[1]: 2})
        self.head = self.officer(w.haichau_pc, Role.APPROVER)

    def page(self, user):
        self.login(user)
        return self.client.get(self.execute_url(self.open_task(self.process)))

    def test_the_head_sees_who_what_each_nominee_and_the_council_before_the_form_and_the_history_folded(self):
        response = self.page(self.head)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        summary, form, history = html.index("Tóm tắt"), html.index('id="mf-form"'), html.index('id="mf-steps"')
        self.assertLess(summary, form)
        self.assertLess(form, history)
        self.assertIn("<details", html[form:history])
        block = html[summary:form]
        self.assertIn(self.submitter.get_full_name(), block)
        self.assertIn(self.dossier.award_type.name, block)
        self.assertIn("Nguyễn Văn A", block)
        self.assertIn("9 phiếu đồng ý / 9 thành viên có mặt", block)
        self.assertIn("2 phiếu đồng ý / 9 thành viên có mặt", block)
        self.assertIn("Không đạt", block)
        self.assertIn("Hội đồng của Ủy ban nhân dân Phường Hải Châu: 9 thành viên.", block)

    def test_the_next_stage_without_a_vote_shows_no_earlier_stages_vote(self):
        self.sign(self.process, self.world.haichau_pc, StageOutcome.FORWARD)
        self.appraise(self.process, self.world.danang_pc)
        self.vote(self.process, self.world.danang_pc)
        response = self.page(self.officer(self.world.danang_pc, Role.APPROVER))
        self.assertContains(response, "Hội đồng của Ủy ban nhân dân Thành phố Đà Nẵng")

    def test_only_the_head_opens_the_form(self):
        self.assertEqual(self.page(self.officer(self.world.haichau_pc, Role.SECRETARY)).status_code, 403)
        self.assertEqual(self.page(self.officer(self.world.danang_pc, Role.APPROVER)).status_code, 403)
