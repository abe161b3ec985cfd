"""The reads ``benchmarks/bench_api.py`` times cost the same queries at N and 2N rows: a dossier with its
nominees and route, and the queue of free steps (the inbox and the dossier list are pinned in ``test_queries``)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from .support import Role
from .test_lifecycle import DOSSIERS, TASKS, ApiFlowTestCase

# Authentication (the token with its account and user), the memberships, then the dossier with what it shows
# joined, its nominees, its route and its attachments.
DOSSIER_READ_QUERIES = 6
QUEUE_QUERIES = 4


class BenchmarkedReadTests(ApiFlowTestCase):
    def count(self, url, token):
        self.get(url, token)  # the token's first use of the minute also notes when it was used
        with CaptureQueriesContext(connection) as queries:
            response = self.get(url, token)
        self.assertEqual(response.status_code, 200, response.content[:500])
        return len(queries), response.json()

    def test_a_dossier_read_is_constant_in_its_nominees(self):
        for size in (3, 6):
            dossier_id = self.draft(nominees=size)
            self.submit(dossier_id, key=f"submit-{dossier_id}")
            queries, body = self.count(f"{DOSSIERS}{dossier_id}/", self.tokens["submitter"])
            self.assertEqual(len(body["nominees"]), size)
            self.assertEqual(queries, DOSSIER_READ_QUERIES, size)

    def test_the_queue_is_constant_in_its_steps(self):
        appraiser = self.tokens["haichau_police", Role.APPRAISER]
        for size in (3, 6):
            while self.get(f"{TASKS}queue/", appraiser).json()["count"] < size:
                dossier_id = self.draft(nominees=1)
                self.submit(dossier_id, key=f"submit-{dossier_id}")
            queries, body = self.count(f"{TASKS}queue/", appraiser)
            self.assertEqual(body["count"], size)
            self.assertEqual(queries, QUEUE_QUERIES, size)
