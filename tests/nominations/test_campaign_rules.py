"""A campaign's period and submission window are eligibility rules, explained before the submitter submits."""

import datetime

from django.urls import reverse
from django.utils import timezone

from nominations.models import Campaign, CommendationKind, Dossier, DossierStatus

from .support import NominationsTestCase, ready_dossier

BASIS = "Quyết định số 2447/QĐ-TTg"


class CampaignRuleTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        today = timezone.localdate()
        self.campaign = Campaign.objects.create(
            name="Toàn dân bảo vệ an ninh Tổ quốc",
            legal_basis=BASIS,
            period_start=datetime.date(2025, 11, 6),
            launching_unit=self.world.government,
            submission_opens=today - datetime.timedelta(days=3),
            submission_deadline=today + datetime.timedelta(days=3),
        )

    def dossier(self, *, year):
        dossier, submitter = ready_dossier(
            self.world.residential_group, kind=CommendationKind.CAMPAIGN, campaign=self.campaign, year=year
        )
        submitter.language = "vi"
        submitter.save()
        self.client.force_login(submitter)
        return dossier

    def eligibility(self, dossier):
        response = self.client.get(reverse("nominations:eligibility", args=[dossier.pk]))
        self.assertEqual(response.status_code, 200)
        return response

    def submit(self, dossier):
        return self.client.post(reverse("nomination:submit:execute"), {"dossier": dossier.pk})

    def test_a_year_before_the_campaign_is_explained_and_cannot_be_submitted(self):
        dossier = self.dossier(year=2024)
        page = self.eligibility(dossier)
        self.assertContains(
            page,
            f"Phong trào “Toàn dân bảo vệ an ninh Tổ quốc” diễn ra từ 06/11/2025 ({BASIS}): "
            "thành tích năm 2024 nằm ngoài thời gian này.",
        )
        self.assertContains(page, 'class="check-failed"', count=1)
        response = self.submit(dossier)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "thành tích năm 2024 nằm ngoài thời gian này")
        self.assertEqual(Dossier.objects.get(pk=dossier.pk).status, DossierStatus.DRAFT)

    def test_a_year_after_the_end_of_the_period_is_refused_and_one_within_it_passes(self):
        self.campaign.period_end = datetime.date(2026, 12, 31)
        self.campaign.save()
        late = self.dossier(year=2027)
        self.assertContains(self.eligibility(late), "đến 31/12/2026")
        self.assertContains(self.eligibility(late), 'class="check-failed"', count=1)
        within = self.dossier(year=2026)
        page = self.eligibility(within)
        self.assertContains(page, "thành tích năm 2026 được xét")
        self.assertNotContains(page, 'class="check-failed"')
        self.assertEqual(self.submit(within).status_code, 302)
        self.assertEqual(Dossier.objects.get(pk=within.pk).status, DossierStatus.SUBMITTED)

    def test_before_the_submission_window_opens_the_dossier_waits(self):
        opens = timezone.localdate() + datetime.timedelta(days=2)
        self.campaign.submission_opens = opens
        self.campaign.save()
        dossier = self.dossier(year=2026)
        page = self.eligibility(dossier)
        self.assertContains(page, f"nhận hồ sơ từ {opens:%d/%m/%Y}")
        self.assertContains(page, 'class="check-failed"', count=1)
        self.assertEqual(self.submit(dossier).status_code, 200)
        self.assertEqual(Dossier.objects.get(pk=dossier.pk).status, DossierStatus.DRAFT)

    def test_an_annual_dossier_without_a_campaign_is_not_checked(self):
        dossier, submitter = ready_dossier(self.world.residential_group, year=2024)
        self.client.force_login(submitter)
        self.assertNotContains(self.eligibility(dossier), "Toàn dân bảo vệ an ninh Tổ quốc")
