import datetime
import hashlib

from django.core.files.storage import default_storage

from documents import rendering, services
from documents.models import DocumentKind, IssuedDocument
from nominations.models import AwardRecord
from org_hierarchy.models import Role
from tests.base import grant, make_user

from .support import DocumentsTestCase, pdf_pages, pdf_text, response_bytes


class DecisionDocumentTests(DocumentsTestCase):
    def test_the_decision_reads_back_with_number_date_signer_and_every_awardee_in_the_annex(self):
        decision, _submitter = self.decided(nominees=3)

        document = self.prepared(decision)

        content = document.file.read()
        text = pdf_text(content)
        self.assertIn("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", text)
        self.assertIn("Độc lập - Tự do - Hạnh phúc", text)
        self.assertIn("Số: 01/QĐ-UBND", text)
        self.assertIn("ngày 19 tháng 8 năm 2026", text)
        self.assertIn("Căn cứ Luật Thi đua, khen thưởng", text)
        self.assertIn("TM. ỦY BAN NHÂN DÂN", text)
        self.assertIn("CHỦ TỊCH", text)
        self.assertIn("Trần Thị Thu Hà", text)
        self.assertIn("Nơi nhận:", text)
        for record in AwardRecord.objects.filter(decision=decision):
            self.assertIn(record.subject_name, text)
        self.assertIn("Bà Nguyễn Văn A0", text)
        self.assertIn("Chi hội Phụ nữ Tổ 12", text)
        self.assertIn("Hộ ông Lê Văn Ánh", text)
        self.assertEqual(document.sha256, hashlib.sha256(content).hexdigest())

    def test_a_deputy_signs_for_the_head_and_an_acting_head_signs_q(self):
        deputy = make_user(full_name="Lê Văn Phó", position="Phó Chủ tịch")
        until = datetime.date.today() + datetime.timedelta(days=30)
        grant(Role.APPROVER, self.world.haichau_pc, user=deputy, acting_for=self.head, valid_to=until)
        decision, _submitter = self.decided(signer=deputy)
        text = pdf_text(self.prepared(decision).file.read())
        self.assertIn("KT. CHỦ TỊCH", text)
        self.assertIn("PHÓ CHỦ TỊCH", text)
        self.assertIn("Lê Văn Phó", text)

        acting = make_user(full_name="Phạm Quyền", position="Quyền Giám đốc")
        grant(Role.APPROVER, self.world.danang_police, user=acting)
        decision.signer, decision.acting_for, decision.issuer_unit = acting, None, self.world.danang_police
        signature = rendering.signature_of(decision)
        self.assertEqual(signature.lines, ["Q. GIÁM ĐỐC"])
        self.assertEqual(signature.authority, "GIÁM ĐỐC CÔNG AN THÀNH PHỐ ĐÀ NẴNG")

    def test_the_stored_file_is_immutable_and_a_new_render_is_byte_identical(self):
        decision, _submitter = self.decided()
        first = self.prepared(decision)
        again = services.document_request(decision=decision, kind=DocumentKind.DECISION)
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(IssuedDocument.objects.filter(kind=DocumentKind.DECISION).count(), 1)
        fresh = rendering.decision_pdf(services.decision_with_parts(decision.pk), services.awards_of(decision))
        self.assertEqual(hashlib.sha256(fresh).hexdigest(), first.sha256)
        self.assertTrue(default_storage.exists(first.file.name))

    def test_the_dossier_page_offers_the_decision_and_only_its_scope_may_download_it(self):
        decision, submitter = self.decided()
        self.login(submitter)
        page = self.client.get(f"/dossiers/{decision.dossier_id}/")
        self.assertContains(page, f"/dossiers/{decision.dossier_id}/decision.pdf")
        self.assertContains(page, f"/dossiers/{decision.dossier_id}/certificates.pdf")

        response = self.download(f"/dossiers/{decision.dossier_id}/decision.pdf")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("Số: 01/QĐ-UBND", pdf_text(response_bytes(response)))

        self.act_as(Role.APPROVER, self.world.thanhkhe_pc)
        for url in ("decision.pdf", "certificates.pdf", f"certificates/{decision.records.first().pk}.pdf"):
            self.assertEqual(self.client.get(f"/dossiers/{decision.dossier_id}/{url}").status_code, 404, url)

    def test_an_annex_of_many_awardees_runs_over_several_pages(self):
        decision, _submitter = self.decided(nominees=60)
        content = self.prepared(decision).file.read()
        self.assertGreaterEqual(pdf_pages(content), 3)
        text = pdf_text(content)
        self.assertIn("Nguyễn Văn H59", text)
