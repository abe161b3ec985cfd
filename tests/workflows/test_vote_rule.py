"""The council's threshold is data on the award type: its denominator and legal reference show on the vote form."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from nominations import services as nomination_services
from nominations.models import NomineeOutcome, VoteDenominator
from org_hierarchy.models import Role

from .base import PDF_BYTES, FlowTestCase

REFERENCE = "Nghị định 98/2023/NĐ-CP, Điều 48"


class VoteRuleTests(FlowTestCase):
    def setUp(self):
        award = self.province_award
        award.vote_threshold_pct = Decimal("66.67")
        award.vote_denominator = VoteDenominator.ALL_MEMBERS
        award.vote_rule_reference = REFERENCE
        nomination_services.award_type_save(award_type=award, actor=None)
        self.dossier = self.make_dossier(award)
        self.process = self.submit(self.dossier)
        self.appraise(self.process, self.world.haichau_pc)
        self.secretary = self.officer(self.world.haichau_pc, Role.SECRETARY)

    def vote_page(self, language):
        type(self.secretary).objects.filter(pk=self.secretary.pk).update(language=language)
        self.client.logged_in_as = None
        self.login(self.secretary)
        response = self.client.get(self.execute_url(self.open_task(self.process)))
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_vote_form_states_the_threshold_the_denominator_and_the_legal_reference(self):
        page = self.vote_page("vi")
        self.assertContains(page, "66,67%")
        self.assertNotContains(page, "66.67%")
        self.assertContains(page, "tổng số thành viên Hội đồng")
        self.assertContains(page, REFERENCE)
        english = self.vote_page("en")
        self.assertContains(english, "at least 66.67% of all the council&#x27;s members")

    def test_a_whole_percentage_has_no_decimals_and_the_members_present_are_the_denominator(self):
        award = self.province_award
        award.vote_threshold_pct = Decimal("50.00")
        award.vote_denominator = VoteDenominator.PRESENT_MEMBERS
        nomination_services.award_type_save(award_type=award, actor=None)
        page = self.vote_page("vi")
        self.assertContains(page, "50% số thành viên có mặt")
        self.assertNotContains(page, "50,00%")

    def test_with_all_members_as_denominator_the_absent_count_against_and_the_reason_says_so(self):
        first, second = self.nominee_ids(self.dossier)
        data = {"members": 9, "minutes": SimpleUploadedFile("bien-ban.pdf", PDF_BYTES, "application/pdf")}
        # Six of nine present, all for: 100% of those present but 66.66…% of the council, below 66.67%.
        data |= {f"present_{first}": 6, f"for_{first}": 6, f"against_{first}": 0}
        data |= {f"present_{second}": 7, f"for_{second}": 7, f"against_{second}": 0}
        self.act(self.secretary, self.open_task(self.process), data)
        dropped = self.dossier.nominees.get(pk=first)
        self.assertEqual(dropped.outcome, NomineeOutcome.DROPPED)
        self.assertIn("66,67%", dropped.outcome_reason)
        self.assertIn("6", dropped.outcome_reason)
        self.assertIn("9", dropped.outcome_reason)
        self.assertEqual(self.dossier.nominees.get(pk=second).outcome, NomineeOutcome.PENDING)
