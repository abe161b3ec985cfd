"""The API's busy reads cost the same number of queries at N and 2N rows (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from nominations import services as nomination_services
from nominations.models import CommendationKind, SubjectType

from .test_lifecycle import ApiFlowTestCase

# Authentication (the token with its account and user), the memberships, the count and the page (nominee counts
# and related rows joined).
DOSSIER_LIST_QUERIES = 4
TASK_LIST_QUERIES = 4


class QueryBudgetTests(ApiFlowTestCase):
    def add_drafts(self, count):
        for index in range(count):
            dossier = nomination_services.dossier_create(
                actor=self.submitter_account.user,
                originating_unit=self.world.residential_group,
                title=f"Hồ sơ {index}",
                kind=CommendationKind.ANNUAL,
                award_type=self.ministry_award,
                year=2026,
            )
            nomination_services.nominee_add(
                dossier=dossier,
                actor=self.submitter_account.user,
                subject_type=SubjectType.INDIVIDUAL,
                full_name=f"Người {index}",
            )
            yield dossier

    def count(self, url, token):
        self.get(url, token)  # the token's first use of the minute also notes when it was used
        with CaptureQueriesContext(connection) as queries:
            response = self.get(url, token)
        self.assertEqual(response.status_code, 200, response.content)
        return len(queries), response.json()

    def test_dossier_list_and_inbox_are_constant(self):
        submitter = self.tokens["submitter"]
        appraiser = self.tokens["haichau_police", "appraiser"]
        for size in (3, 6):
            present = len(self.get("/api/v1/dossiers/", submitter).json()["results"])
            for dossier in list(self.add_drafts(size - present)):
                self.submit(dossier.pk, key=f"submit-{dossier.pk}")
            queries, body = self.count("/api/v1/dossiers/", submitter)
            self.assertEqual(body["count"], size)
            self.assertEqual(queries, DOSSIER_LIST_QUERIES, size)
            queries, body = self.count("/api/v1/tasks/", appraiser)
            self.assertEqual(body["count"], size)
            self.assertEqual(queries, TASK_LIST_QUERIES, size)
