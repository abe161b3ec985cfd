"""The signer dates the decision on the sign form; the number is registered today."""

import datetime

from django.test import override_settings
from django.utils import timezone

from nominations.models import Decision
from org_hierarchy.models import Role
from workflows.models import StageOutcome

from .base import FlowTestCase


@override_settings(MERITFLOW_DECISION_DATE_MARGIN_DAYS=7)
class DecisionDateTests(FlowTestCase):
    def at_the_signature(self):
        process = self.submit(self.make_dossier(self.commune_award))
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        return process

    def post_sign(self, process, decision_date, *, expect):
        task = self.open_task(process)
        data = {"outcome": StageOutcome.DECIDE, "letter_number": "", "decision_date": decision_date}
        for pk in self.nominee_ids(process.dossier):
            data[f"keep_{pk}"] = "on"
        return self.act(self.officer(self.world.haichau_pc, Role.APPROVER), task, data, expect=expect)

    def test_the_sign_form_offers_the_date_and_today_is_the_default(self):
        process = self.at_the_signature()
        self.login(self.officer(self.world.haichau_pc, Role.APPROVER))
        page = self.client.get(self.execute_url(self.open_task(process)))
        self.assertContains(page, 'name="decision_date"')
        self.post_sign(process, "", expect=302)
        decision = Decision.objects.get(dossier=process.dossier)
        self.assertEqual(decision.decision_date, timezone.localdate())
        self.assertEqual(decision.registered_on, timezone.localdate())

    def test_a_date_within_the_margin_is_kept_and_the_number_registered_today(self):
        process = self.at_the_signature()
        later = timezone.localdate() + datetime.timedelta(days=7)
        self.post_sign(process, later.isoformat(), expect=302)
        decision = Decision.objects.get(dossier=process.dossier)
        self.assertEqual(decision.decision_date, later)
        self.assertEqual(decision.registered_on, timezone.localdate())

    def test_a_date_beyond_the_margin_or_before_the_last_step_is_refused_with_the_field_kept(self):
        process = self.at_the_signature()
        too_late = timezone.localdate() + datetime.timedelta(days=8)
        response = self.post_sign(process, too_late.isoformat(), expect=200)
        self.assertContains(response, "Không thể ghi ngày quyết định sau ngày")
        self.assertContains(response, too_late.isoformat())
        too_early = timezone.localdate() - datetime.timedelta(days=1)
        response = self.post_sign(process, too_early.isoformat(), expect=200)
        self.assertContains(response, "ngày của bước cuối cùng ở cấp này")
        self.assertFalse(Decision.objects.filter(dossier=process.dossier).exists())

    def test_a_forwarding_stage_has_no_decision_date(self):
        process = self.submit(self.make_dossier(self.province_award))
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.login(self.officer(self.world.haichau_pc, Role.APPROVER))
        page = self.client.get(self.execute_url(self.open_task(process)))
        self.assertNotContains(page, 'name="decision_date"')
