import re

from django.core.cache import cache
from django.test import override_settings

from .support import DocumentsTestCase


def answer(response) -> str:
    """The page without what differs by request only: CSRF token, CSP nonce, the language switch's return path."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    text = re.sub(r'name="csp-nonce" content="[^"]*"', "", text)
    return re.sub(r'name="next" value="[^"]*"', "", text)


class VerificationTests(DocumentsTestCase):
    def setUp(self):
        super().setUp()
        cache.clear()
        self.addCleanup(cache.clear)

    def test_anyone_checks_a_certificate_by_its_code_and_sees_no_personal_data(self):
        decision, _submitter = self.decided(nominees=1)
        record = decision.records.filter(subject_type="individual").first()
        nominee = record.nominee

        response = self.client.get(f"/verify/{record.verification_code}/")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Valid")
        self.assertContains(response, record.subject_name)
        self.assertContains(response, "01/QĐ-UBND")
        self.assertContains(response, "19/08/2026")
        self.assertContains(response, "Ủy ban nhân dân Phường Hải Châu")
        self.assertNotContains(response, nominee.national_id)
        self.assertNotContains(response, "Tổ trưởng")

    def test_the_code_as_typed_from_paper_is_found(self):
        decision, _submitter = self.decided(nominees=1)
        record = decision.records.first()
        response = self.client.get("/verify/", {"code": record.verification_code_display.lower()}, follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, record.subject_name)

    def test_unknown_and_malformed_codes_get_the_same_answer(self):
        self.decided(nominees=1)
        unknown = self.client.get("/verify/ZZZZZZZZZZ/")
        malformed = self.client.get("/verify/not-a-code!/")
        short = self.client.get("/verify/12/")
        self.assertEqual(unknown.status_code, 404)
        self.assertEqual(malformed.status_code, 404)
        self.assertEqual(short.status_code, 404)
        self.assertEqual(answer(unknown), answer(malformed))
        self.assertEqual(answer(unknown), answer(short))
        self.assertContains(unknown, "No certificate has this code", status_code=404)

    @override_settings(MERITFLOW_VERIFY_PER_MINUTE=3)
    def test_lookups_are_throttled_per_client_address(self):
        for _attempt in range(3):
            self.assertEqual(self.client.get("/verify/ZZZZZZZZZZ/").status_code, 404)
        refused = self.client.get("/verify/ZZZZZZZZZZ/")
        self.assertEqual(refused.status_code, 429)
        self.assertContains(refused, "Too many lookups", status_code=429)
        other = self.client.get("/verify/ZZZZZZZZZZ/", REMOTE_ADDR="203.0.113.9")
        self.assertEqual(other.status_code, 404)

    def test_the_form_without_a_code_asks_for_one(self):
        self.assertEqual(self.client.get("/verify/").status_code, 200)
        response = self.client.get("/verify/", {"code": "!!"})
        self.assertContains(response, "Type the code printed under the QR code.", status_code=400)
