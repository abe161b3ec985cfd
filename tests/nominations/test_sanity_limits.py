"""Sanity limits: a date of birth before 1900 or in the future, and a multi-megabyte text, are refused."""

import datetime

from django.urls import reverse
from django.utils import timezone

from nominations import services
from nominations.models import Nominee
from tests.workflows.base import FlowTestCase

from .support import NominationsTestCase, draft, xlsx

HUGE_TEXT = "x" * 2_000_000


class NomineeLimitsTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = draft(self.world.residential_group, nominees=0)
        self.submitter.language = "en"
        self.submitter.save()
        self.client.force_login(self.submitter)
        self.url = reverse("nominations:nominee_create", args=[self.dossier.pk])
        self.data = {"subject_type": "individual", "full_name": "Phạm Thị Hoa"}

    def test_a_date_of_birth_before_1900_or_in_the_future_is_refused(self):
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        for born in ("31/12/1899", tomorrow.strftime("%d/%m/%Y")):
            with self.subTest(born=born):
                response = self.client.post(self.url, {**self.data, "date_of_birth": born})
                self.assertContains(response, "A date of birth must be between 01/01/1900 and today.", status_code=400)
        self.assertFalse(Nominee.objects.exists())
        response = self.client.post(self.url, {**self.data, "date_of_birth": "01/01/1900"})
        self.assertEqual(response.status_code, 302)

    def test_a_multi_megabyte_achievement_summary_is_refused_and_the_rest_is_kept(self):
        response = self.client.post(self.url, {**self.data, "achievement_summary": HUGE_TEXT})
        self.assertContains(response, "at most 10000 are accepted", status_code=400)
        self.assertContains(response, "Phạm Thị Hoa", status_code=400)
        self.assertFalse(Nominee.objects.exists())

    def test_an_imported_date_of_birth_before_1900_is_named_by_its_row(self):
        rows = [["Nguyễn Văn A", "", "Nam", "15/03/1850", "Cán bộ"]]
        with self.assertRaises(services.ImportRejected) as caught:
            services.nominees_import_xlsx(dossier=self.dossier, actor=self.submitter, file=xlsx(rows))
        [error] = caught.exception.row_errors
        self.assertEqual(error.row, 2)
        self.assertIn("01/01/1900", error.message)


class StepTextLimitsTests(FlowTestCase):
    def test_a_multi_megabyte_appraisal_opinion_is_refused_with_a_message(self):
        process = self.submit(self.make_dossier(self.commune_award, nominees=1))
        task = self.open_task(process)
        appraiser = self.login(self.officer(self.world.haichau_pc, "appraiser"))
        appraiser.language = "en"
        appraiser.save()
        response = self.client.post(self.execute_url(task), {"opinion": HUGE_TEXT})
        self.assertContains(response, "This text has 2000000 characters; at most 10000 are accepted.")
        task.refresh_from_db()
        self.assertIsNone(task.owner_id)
