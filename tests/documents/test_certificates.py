from django.db import IntegrityError, transaction

from documents import rendering, services
from documents.models import DocumentKind, DocumentStatus
from nominations.models import AwardRecord

from .support import DocumentsTestCase, pdf_pages, pdf_text, qr_texts, response_bytes


class CertificateTests(DocumentsTestCase):
    def test_each_awardee_gets_a_golden_book_number_unique_at_the_issuer_and_a_code(self):
        first, _submitter = self.decided(nominees=2)
        second, _submitter = self.decided(nominees=1)
        numbers = list(AwardRecord.objects.order_by("golden_book_number").values_list("golden_book_number", flat=True))
        self.assertEqual(numbers, list(range(1, 8)))
        self.assertEqual(set(second.records.values_list("issuer_unit", flat=True)), {self.world.haichau_pc.pk})
        codes = set(AwardRecord.objects.values_list("verification_code", flat=True))
        self.assertEqual(len(codes), 7)
        record = first.records.first()
        with self.assertRaises(IntegrityError), transaction.atomic():
            AwardRecord.objects.filter(pk=second.records.first().pk).update(
                golden_book_number=record.golden_book_number
            )

    def test_a_certificate_carries_the_award_the_decision_the_golden_book_number_and_a_qr_to_verification(self):
        decision, submitter = self.decided(nominees=1)
        record = decision.records.order_by("nominee__list_position", "pk").first()
        self.login(submitter)
        response = self.download(f"/dossiers/{decision.dossier_id}/certificates/{record.pk}.pdf")
        self.assertEqual(response.status_code, 200)
        content = response_bytes(response)
        text = pdf_text(content)
        self.assertIn("GIẤY KHEN", text)
        self.assertIn("TẶNG", text)
        self.assertIn(record.subject_name, text)
        self.assertIn("Quyết định số 01/QĐ-UBND", text)
        self.assertIn(f"Số sổ vàng: {record.golden_book_number}", text)
        self.assertIn(record.verification_code_display, text)
        self.assertEqual(qr_texts(content), [rendering.verification_url(record.verification_code)])
        self.assertTrue(qr_texts(content)[0].endswith(f"/verify/{record.verification_code}/"))

    def test_the_merged_pdf_has_one_page_per_awardee_with_every_golden_book_number(self):
        decision, submitter = self.decided(nominees=2)
        self.login(submitter)
        response = self.download(f"/dossiers/{decision.dossier_id}/certificates.pdf")
        content = response_bytes(response)
        records = list(decision.records.all())
        self.assertEqual(pdf_pages(content), len(records))
        text = pdf_text(content)
        for record in records:
            self.assertIn(f"Số sổ vàng: {record.golden_book_number}", text)
        expected = {rendering.verification_url(record.verification_code) for record in records}
        self.assertEqual(set(qr_texts(content)), expected)

    def test_a_certificate_of_another_decision_is_not_found(self):
        decision, submitter = self.decided(nominees=1)
        other, _submitter = self.decided(nominees=1)
        self.login(submitter)
        foreign = other.records.first().pk
        self.assertEqual(
            self.client.get(f"/dossiers/{decision.dossier_id}/certificates/{foreign}.pdf").status_code, 404
        )

    def test_asking_twice_serves_the_stored_certificate(self):
        decision, _submitter = self.decided(nominees=1)
        record = decision.records.first()
        first = self.prepared(decision, DocumentKind.CERTIFICATE, record)
        again = services.document_request(decision=decision, kind=DocumentKind.CERTIFICATE, record=record)
        self.assertEqual((again.pk, again.status), (first.pk, DocumentStatus.READY))
