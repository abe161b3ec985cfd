import io

from django.contrib.auth import get_user_model
from django.urls import reverse

from audit.models import LedgerEntry
from nominations import demo, services
from nominations.models import AwardType, Campaign, Dossier
from org_hierarchy.models import Role
from tests.base import grant, make_user

from .support import NominationsTestCase, award


class DemoSeedTests(NominationsTestCase):
    def test_campaign_is_seeded_once_and_drafts_only_when_the_demo_submitters_exist(self):
        out = io.StringIO()
        demo.seed(out)
        campaign = Campaign.objects.get()
        self.assertEqual(campaign.contents.count(), 6)
        self.assertEqual(campaign.subject_groups.count(), 5)
        self.assertIn("2447/QĐ-TTg", campaign.legal_basis)
        self.assertIn("The demo submitters are absent", out.getvalue())
        self.assertFalse(Dossier.objects.exists())

        grant(Role.SUBMITTER, self.world.residential_group, user=make_user("tdp12.submitter"))
        demo.seed(io.StringIO())
        demo.seed(io.StringIO())
        dossier = Dossier.objects.get()
        self.assertEqual((dossier.campaign, dossier.award_type.code), (campaign, "bk_bo_truong_cong_an"))
        self.assertEqual(dossier.nominees.count(), 3)
        self.assertEqual(dossier.attachments.count(), dossier.award_type.required_documents.count())
        self.assertTrue(all(result.passed for result in services.dossier_check_eligibility(dossier=dossier)))
        self.assertEqual(Campaign.objects.count(), 1)


class CatalogueAdminTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.admin = get_user_model().objects.create_superuser("root", password="pw-for-tests", language="en")
        self.client.force_login(self.admin)

    def test_seeded_catalogue_is_data_with_history(self):
        award_type = award("cstd_tinh")
        self.assertEqual(award_type.rules, [{"rule": "consecutive_titles", "award_codes": ["cstd_co_so"], "years": 3}])
        self.assertEqual((award_type.vote_threshold_pct, award_type.vote_denominator), (90, "all_members"))
        self.assertEqual(award_type.history.get().history_change_reason, "seeded catalogue")

    def test_award_type_edit_in_the_admin_goes_through_the_service(self):
        award_type = award("gk_chu_tich_xa")
        url = reverse("admin:nominations_awardtype_change", args=[award_type.pk])
        form = self.client.get(url).context["adminform"].form
        data = {name: form[name].value() for name in form.fields}
        data = {key: ("" if value is None else value) for key, value in data.items()}
        data["required_documents"] = [kind.pk for kind in award_type.required_documents.all()]
        data["vote_threshold_pct"] = "66.67"
        data["eligible_subjects"] = '["individual", "collective", "household"]'
        data["stage_deadlines"] = '{"commune": 12}'
        data["rules"] = "[]"
        data["is_active"] = "on"
        data["simplified_allowed"] = "on"
        response = self.client.post(url, data)
        self.assertEqual(
            response.status_code, 302, getattr(response, "context", None) and response.context["adminform"].form.errors
        )
        award_type = AwardType.objects.get(pk=award_type.pk)
        self.assertEqual((str(award_type.vote_threshold_pct), award_type.stage_deadlines), ("66.67", {"commune": 12}))
        self.assertEqual(award_type.history.first().history_user, self.admin)
        entry = LedgerEntry.objects.get(event="award_type.changed")
        self.assertIn("vote_threshold_pct", entry.data["fields"])

    def test_unknown_rules_and_malformed_deadlines_are_refused_in_the_form(self):
        award_type = award("gk_chu_tich_xa")
        url = reverse("admin:nominations_awardtype_change", args=[award_type.pk])
        form = self.client.get(url).context["adminform"].form
        data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
        data.update(
            required_documents=[kind.pk for kind in award_type.required_documents.all()],
            eligible_subjects='["individual"]',
            stage_deadlines='{"commune": "mười"}',
            rules='[{"rule": "consecutive_titles", "alternatives": [{"rule": "typo"}]}]',
            is_active="on",
        )
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        errors = response.context["adminform"].form.errors
        self.assertIn("Unknown rules: typo.", errors["rules"][0])
        self.assertIn("stage_deadlines", errors)
        self.assertEqual(AwardType.objects.get(pk=award_type.pk).rules, [])

    def test_dossiers_are_read_only_in_the_admin(self):
        self.assertEqual(self.client.get(reverse("admin:nominations_dossier_add")).status_code, 403)
