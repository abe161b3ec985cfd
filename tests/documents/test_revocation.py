import datetime

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import LedgerEntry
from audit.verify import verify_ledger
from documents.models import DocumentKind, IssuedDocument
from nominations import services
from nominations.models import AwardRecord, Nominee, NomineeOutcome, Revocation
from notifications.models import Notification
from org_hierarchy.models import Role
from tests.base import grant

from .support import DocumentsTestCase, pdf_text, response_bytes

REVOKED_ON = datetime.date(2026, 9, 1)


class RevocationTests(DocumentsTestCase):
    def revoke_one(self, decision, **kwargs):
        award = decision.records.filter(subject_type="individual").order_by("golden_book_number").first()
        fields = {"reason": "Kê khai thành tích không trung thực.", "reference": "25/QĐ-UBND", "revoked_on": REVOKED_ON}
        return award, services.award_revoke(award=award, actor=self.head, **(fields | kwargs))

    def test_revoking_one_award_keeps_everything_records_it_and_tells_the_submitters(self):
        decision, submitter = self.decided(nominees=2)
        count = AwardRecord.objects.count()
        award, revocation = self.revoke_one(decision)

        award.refresh_from_db()
        self.assertEqual(award.revocation, revocation)
        self.assertEqual(AwardRecord.objects.count(), count)
        self.assertEqual(AwardRecord.objects.filter(revocation__isnull=False).count(), 1)
        self.assertEqual(Nominee.objects.get(pk=award.nominee_id).outcome, NomineeOutcome.AWARDED)
        entry = LedgerEntry.objects.get(event="award.revoked")
        self.assertEqual(entry.data["awards"], [award.pk])
        self.assertEqual(entry.data["reference"], "25/QĐ-UBND")
        self.assertEqual(award.history.first().history_change_reason, "revoked")
        self.assertEqual(revocation.history.count(), 1)
        self.assertTrue(Notification.objects.filter(recipient=submitter, event="award.revoked").exists())
        self.assertTrue(verify_ledger().ok)

    def test_revoking_the_whole_decision_marks_every_award_still_in_force(self):
        decision, _submitter = self.decided(nominees=2)
        self.revoke_one(decision)
        revocation = services.decision_revoke(
            decision=decision, actor=self.head, reason="Sai thẩm quyền.", reference="26/QĐ-UBND", revoked_on=REVOKED_ON
        )
        self.assertEqual(revocation.records.count(), decision.records.count() - 1)
        self.assertFalse(decision.records.filter(revocation__isnull=True).exists())
        self.assertTrue(LedgerEntry.objects.filter(event="decision.revoked").exists())
        self.assertEqual(Revocation.objects.count(), 2)

    def test_only_an_approver_of_the_issuer_revokes_and_bad_input_is_refused(self):
        decision, submitter = self.decided(nominees=1)
        award = decision.records.first()
        with self.assertRaises(PermissionDenied):
            services.award_revoke(award=award, actor=submitter, reason="x", reference="1/QĐ", revoked_on=REVOKED_ON)
        with self.assertRaises(ValidationError) as raised:
            services.award_revoke(award=award, actor=self.head, reason=" ", reference="", revoked_on=REVOKED_ON)
        self.assertEqual(set(raised.exception.error_dict), {"reason", "reference"})
        with self.assertRaises(ValidationError) as raised:
            services.award_revoke(
                award=award, actor=self.head, reason="x", reference="1/QĐ", revoked_on=datetime.date(2026, 8, 1)
            )
        self.assertEqual(set(raised.exception.error_dict), {"revoked_on"})

    def test_the_verification_page_the_dossier_and_a_new_certificate_show_the_revocation(self):
        cache.clear()
        decision, submitter = self.decided(nominees=1)
        award = decision.records.filter(subject_type="individual").first()
        before = self.prepared(decision, DocumentKind.CERTIFICATE, award)
        self.revoke_one(decision)

        page = self.client.get(f"/verify/{award.verification_code}/")
        self.assertContains(page, "Revoked on 01/09/2026")
        self.assertContains(page, "25/QĐ-UBND")

        self.login(submitter)
        dossier_page = self.client.get(f"/dossiers/{decision.dossier_id}/")
        self.assertContains(dossier_page, "Revoked on 01/09/2026 by 25/QĐ-UBND")

        response = self.download(f"/dossiers/{decision.dossier_id}/certificates/{award.pk}.pdf")
        self.assertIn("ĐÃ HỦY BỎ theo Quyết định số 25/QĐ-UBND ngày 01/09/2026", pdf_text(response_bytes(response)))
        versions = IssuedDocument.objects.filter(kind=DocumentKind.CERTIFICATE, award_record=award).order_by("version")
        self.assertEqual([doc.version for doc in versions], [1, 2])
        self.assertEqual(versions[0].sha256, before.sha256)
        self.assertNotIn("ĐÃ HỦY BỎ", pdf_text(versions[0].file.read()))

    def test_the_revocation_page_revokes_for_the_issuer_and_refuses_others(self):
        decision, submitter = self.decided(nominees=1)
        url = f"/dossiers/{decision.dossier_id}/revoke/"
        self.login(submitter)
        self.assertEqual(self.client.get(url).status_code, 403)
        self.act_as(Role.APPROVER, self.world.thanhkhe_pc)
        self.assertEqual(self.client.get(url).status_code, 404)

        self.login(self.head)
        detail = self.client.get(f"/dossiers/{decision.dossier_id}/")
        self.assertContains(detail, url)
        refused = self.client.post(url, {"award": "", "reference": "", "revoked_on": "2026-09-01", "reason": "Sai."})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "Sai.", status_code=400)
        response = self.client.post(
            url, {"award": "", "reference": "27/QĐ-UBND", "revoked_on": "2026-09-01", "reason": "Sai thẩm quyền."}
        )
        self.assertRedirects(response, f"/dossiers/{decision.dossier_id}/")
        self.assertFalse(decision.records.filter(revocation__isnull=True).exists())
        detail = self.client.get(f"/dossiers/{decision.dossier_id}/")
        self.assertContains(detail, "The decision was revoked by 27/QĐ-UBND of 01/09/2026")

    def test_a_deputy_without_the_issuer_seat_cannot_revoke(self):
        decision, _submitter = self.decided(nominees=1)
        other = grant(Role.APPROVER, self.world.danang_pc)
        with self.assertRaises(PermissionDenied):
            services.decision_revoke(
                decision=decision, actor=other, reason="x", reference="1/QĐ", revoked_on=REVOKED_ON
            )
