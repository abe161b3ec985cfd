"""Decisions and certificates through the API: scoped reads, the stored PDFs, and the public verification."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from documents.models import DocumentStatus, IssuedDocument
from nominations import services as nomination_services

from ..documents.support import DocumentsTestCase, pdf_text, response_bytes
from .support import ApiTestCase, Role

DECISIONS = "/api/v1/decisions/"
CERTIFICATES = "/api/v1/certificates/"
QUEUED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "documents"]}}
# Authentication (the token with its account and user), the memberships, the count and the page.
DECISION_LIST_QUERIES = 4
# The same, and the decision the awards belong to.
CERTIFICATE_LIST_QUERIES = 5


class DecisionApiTestCase(DocumentsTestCase, ApiTestCase):
    def setUp(self):
        super().setUp()
        w = self.world
        self.submitter = self.token_for(w.residential_group, Role.SUBMITTER)
        self.approver = self.token_for(w.haichau_pc, Role.APPROVER)
        self.auditor = self.token_for(w.haichau_pc, Role.AUDITOR)
        self.foreign = self.token_for(w.hanoi_pc, Role.APPROVER)
        self.sibling = self.token_for(w.school, Role.SUBMITTER)

    def fetch(self, url, token, **kwargs):
        """Ask for a document; the first answer says it is being prepared, the worker renders it after commit."""
        with self.captureOnCommitCallbacks(execute=True):
            first = self.get(url, token, **kwargs)
        if first.status_code != 202:
            return first
        return self.get(url, token, **kwargs)


class DecisionReadTests(DecisionApiTestCase):
    def test_the_decision_and_its_awards_are_read_in_the_dossiers_scope_only(self):
        decision, _submitter = self.decided(nominees=2)
        for token in (self.submitter, self.approver, self.auditor):
            [listed] = self.get(DECISIONS, token).json()["results"]
            self.assertEqual(listed["id"], decision.pk)
        body = self.get(f"{DECISIONS}{decision.pk}/", self.approver).json()
        self.assertEqual(body["number"], "01/QĐ-UBND")
        self.assertEqual(body["decision_date"], "2026-08-19")
        self.assertEqual(body["dossier"], decision.dossier_id)
        self.assertEqual(body["issuer_unit"], self.world.haichau_pc.pk)
        self.assertEqual(body["signer"], "Trần Thị Thu Hà")
        self.assertEqual((body["award_count"], body["revoked_count"]), (4, 0))
        self.assertEqual(body["revocations"], [])
        self.assertEqual(body["document"], f"{DECISIONS}{decision.pk}/document/")
        awards = self.get(body["certificates"], self.submitter, language="en").json()["results"]
        self.assertEqual([a["golden_book_number"] for a in awards], [1, 2, 3, 4])
        self.assertEqual(awards[2]["subject_type"], {"code": "collective", "label": "Collective"})
        one = self.get(f"{CERTIFICATES}{awards[0]['id']}/", self.auditor).json()
        record = decision.records.get(pk=one["id"])
        self.assertEqual(one["verification_code"], record.verification_code_display)
        self.assertEqual(one["nominee"], record.nominee_id)
        self.assertNotIn("national_id", one)
        # Another province, or a sibling unit the dossier never passed through: none of it exists for them.
        for token in (self.foreign, self.sibling):
            self.assertEqual(self.get(DECISIONS, token).json()["results"], [])
            for url in (
                f"{DECISIONS}{decision.pk}/",
                f"{DECISIONS}{decision.pk}/certificates/",
                f"{DECISIONS}{decision.pk}/document/",
                f"{DECISIONS}{decision.pk}/certificates/document/",
                f"{CERTIFICATES}{record.pk}/",
                f"{CERTIFICATES}{record.pk}/document/",
            ):
                self.assertProblem(self.get(url, token), 404, code="not-found")
        self.assertFalse(IssuedDocument.objects.exists())

    def test_a_revocation_shows_on_the_decision_and_the_certificate(self):
        decision, _submitter = self.decided(nominees=1)
        award = decision.records.order_by("golden_book_number").first()
        nomination_services.award_revoke(
            award=award,
            actor=self.head,
            reason="Kê khai thành tích không trung thực.",
            reference="25/QĐ-UBND",
            revoked_on=datetime.date(2026, 10, 1),
        )
        body = self.get(f"{DECISIONS}{decision.pk}/", self.approver, language="en").json()
        self.assertEqual(body["revoked_count"], 1)
        [revocation] = body["revocations"]
        self.assertEqual(revocation["scope"], {"code": "award", "label": "One award"})
        self.assertEqual((revocation["reference"], revocation["award_count"]), ("25/QĐ-UBND", 1))
        one = self.get(f"{CERTIFICATES}{award.pk}/", self.approver).json()
        self.assertEqual((one["revocation"], one["revoked_on"]), (revocation["id"], "2026-10-01"))

    def test_list_queries_do_not_grow_with_the_rows(self):
        for size in (2, 4):
            while self.get(DECISIONS, self.approver).json()["count"] < size:
                self.decided(nominees=size)
            self.get(DECISIONS, self.approver)
            with CaptureQueriesContext(connection) as queries:
                response = self.get(DECISIONS, self.approver)
            self.assertEqual(response.json()["count"], size)
            self.assertEqual(len(queries), DECISION_LIST_QUERIES, size)
            newest = response.json()["results"][0]
            with CaptureQueriesContext(connection) as queries:
                awards = self.get(newest["certificates"], self.approver).json()
            self.assertEqual(awards["count"], size + 2)
            self.assertEqual(len(queries), CERTIFICATE_LIST_QUERIES, size)


class DocumentDownloadTests(DecisionApiTestCase):
    def test_the_stored_pdfs_are_downloaded_once_prepared(self):
        decision, _submitter = self.decided(nominees=1)
        response = self.fetch(f"{DECISIONS}{decision.pk}/document/", self.submitter, headers={"Accept": "*/*"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        content = response_bytes(response)
        self.assertIn("01/QĐ-UBND", pdf_text(content))
        self.assertEqual(response["X-Document-SHA256"], IssuedDocument.objects.get(kind="decision").sha256)
        self.assertIn("01-Q%C4%90-UBND.pdf", response["Content-Disposition"])
        record = decision.records.filter(subject_type="individual").first()
        single = self.fetch(f"{CERTIFICATES}{record.pk}/document/", self.auditor, headers={"Accept": "application/pdf"})
        self.assertEqual(single.status_code, 200)
        self.assertIn(record.subject_name, pdf_text(response_bytes(single)))
        printing = self.fetch(f"{DECISIONS}{decision.pk}/certificates/document/", self.approver)
        self.assertEqual(printing.status_code, 200)
        self.assertIn("-bang.pdf", printing["Content-Disposition"])
        # A client that only accepts PDFs still gets its errors as problem details.
        missing = self.get(f"{CERTIFICATES}0/document/", self.approver, headers={"Accept": "application/pdf"})
        self.assertProblem(missing, 404)

    @override_settings(TASKS=QUEUED)
    def test_a_document_being_prepared_answers_202_and_one_that_failed_503(self):
        decision, _submitter = self.decided(nominees=1)
        url = f"{DECISIONS}{decision.pk}/document/"
        with self.captureOnCommitCallbacks(execute=True):
            preparing = self.get(url, self.submitter, language="en")
        self.assertEqual(preparing.status_code, 202)
        self.assertEqual(preparing["Retry-After"], "5")
        self.assertEqual(preparing.json()["status"], {"code": "pending", "label": "Being prepared"})
        self.assertIn("being prepared", preparing.json()["detail"])
        self.assertEqual(IssuedDocument.objects.get().status, DocumentStatus.PENDING)
        self.assertEqual(self.get(url, self.submitter).status_code, 202)
        self.assertEqual(IssuedDocument.objects.count(), 1)
        IssuedDocument.objects.update(status=DocumentStatus.FAILED)
        failed = self.get(url, self.submitter, language="en")
        body = self.assertProblem(failed, 503, code="unavailable")
        self.assertIn("could not be prepared", body["detail"])


class VerificationApiTests(DecisionApiTestCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(cache.clear)

    def verify(self, code, **kwargs):
        return self.get(f"/api/v1/verify/{code}/", **kwargs)

    def test_anyone_checks_a_certificate_by_its_code_and_sees_no_personal_data(self):
        decision, _submitter = self.decided(nominees=1)
        record = decision.records.filter(subject_type="individual").first()
        for code in (record.verification_code, record.verification_code_display.lower()):
            response = self.verify(code, language="en")
            self.assertEqual(response.status_code, 200, response.content)
            body = response.json()
            self.assertEqual(body["status"], {"code": "valid", "label": "Valid"})
            self.assertEqual(body["awarded_to"], record.subject_name)
            self.assertEqual((body["decision_number"], body["decision_date"]), ("01/QĐ-UBND", "2026-08-19"))
            self.assertEqual(body["issuer"], "Ủy ban nhân dân Phường Hải Châu")
            self.assertEqual(body["code"], record.verification_code_display)
            self.assertNotIn(record.nominee.national_id, response.content.decode())
        # A token is not needed, and a wrong one is not even looked at.
        self.assertEqual(self.verify(record.verification_code, headers={"Authorization": "Bearer x"}).status_code, 200)
        nomination_services.award_revoke(
            award=record, actor=self.head, reason="Sai.", reference="25/QĐ-UBND", revoked_on=datetime.date(2026, 9, 1)
        )
        body = self.verify(record.verification_code).json()
        self.assertEqual(body["status"]["code"], "revoked")
        self.assertEqual((body["revoked_on"], body["revoking_decision"]), ("2026-09-01", "25/QĐ-UBND"))

    def test_unknown_and_malformed_codes_get_the_same_answer(self):
        self.decided(nominees=1)
        answers = [self.verify(code, language="en") for code in ("ZZZZZZZZZZ", "not-a-code!", "12")]
        bodies = [self.assertProblem(response, 404, code="not-found") for response in answers]
        self.assertEqual(bodies[0], bodies[1])
        self.assertEqual(bodies[0], bodies[2])
        self.assertIn("No certificate has this code", bodies[0]["detail"])

    @override_settings(MERITFLOW_VERIFY_PER_MINUTE=3)
    def test_lookups_share_the_pages_allowance_per_client_address(self):
        self.assertEqual(self.client.get("/verify/ZZZZZZZZZZ/").status_code, 404)
        for _attempt in range(2):
            self.assertEqual(self.verify("ZZZZZZZZZZ").status_code, 404)
        refused = self.verify("ZZZZZZZZZZ", language="en")
        body = self.assertProblem(refused, 429, code="throttled")
        self.assertEqual(refused["Retry-After"], "60")
        self.assertIn("Too many lookups", body["detail"])
        self.assertEqual(self.client.get("/verify/ZZZZZZZZZZ/").status_code, 429)
        other = self.verify("ZZZZZZZZZZ", REMOTE_ADDR="192.0.2.7")
        self.assertEqual(other.status_code, 404)
