import datetime
import hashlib
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.tasks import default_task_backend
from django.test import override_settings
from django.utils import timezone, translation

from audit import labels
from audit.models import LedgerEntry
from documents import rendering, services
from documents.models import DocumentKind, DocumentStatus, IssuedDocument
from documents.tasks import prepare_documents
from nominations import services as nomination_services
from org_hierarchy.models import Role

from .support import DocumentsTestCase, pdf_pages, pdf_text, response_bytes

QUEUED = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend", "QUEUES": ["default", "documents"]}}
BROKEN = RuntimeError("no font")


def enqueued_tasks() -> list[str]:
    return [result.task.module_path for result in default_task_backend.results]


@override_settings(TASKS=QUEUED)
class PreparationTests(DocumentsTestCase):
    """With a tasks backend that only queues, as the database backend does until its worker runs."""

    def setUp(self):
        super().setUp()
        default_task_backend.clear()

    def test_the_download_never_renders_it_says_the_file_is_being_prepared_and_queues_it_once(self):
        decision, submitter = self.decided(nominees=2)
        self.login(submitter)
        url = f"/dossiers/{decision.dossier_id}/certificates.pdf"
        with (
            mock.patch.object(rendering, "certificates_pdf", side_effect=AssertionError("rendered in a request")),
            self.captureOnCommitCallbacks(execute=True),
        ):
            first = self.client.get(url)
            again = self.client.get(url)
        for response in (first, again):
            self.assertContains(response, "This document is being prepared", status_code=202)
            self.assertContains(response, '<meta http-equiv="refresh" content="5">', status_code=202)
        self.assertEqual(IssuedDocument.objects.get().status, DocumentStatus.PENDING)
        self.assertEqual(enqueued_tasks(), [prepare_documents.module_path])
        self.assertEqual(prepare_documents.queue_name, "documents")
        page = self.client.get(f"/dossiers/{decision.dossier_id}/")
        self.assertContains(page, "The certificates for printing: being prepared")

        # Vietnamese, the default language, says it in Vietnamese.
        type(submitter).objects.filter(pk=submitter.pk).update(language="vi")
        self.assertContains(self.client.get(url), "Văn bản đang được chuẩn bị", status_code=202)

    def test_the_worker_stores_a_byte_identical_file_with_its_sha256_and_the_download_serves_it(self):
        decision, submitter = self.decided(nominees=2)
        with self.captureOnCommitCallbacks(execute=True):
            services.decision_documents_schedule(decision=decision)
        self.assertEqual(
            set(IssuedDocument.objects.values_list("kind", "status")),
            {(DocumentKind.DECISION, DocumentStatus.PENDING), (DocumentKind.CERTIFICATES, DocumentStatus.PENDING)},
        )
        self.assertEqual(enqueued_tasks(), [prepare_documents.module_path])

        self.assertEqual(services.documents_prepare_due(), 2)

        printing = IssuedDocument.objects.get(kind=DocumentKind.CERTIFICATES)
        content = printing.file.read()
        self.assertEqual((printing.status, printing.size), (DocumentStatus.READY, len(content)))
        self.assertEqual(printing.sha256, hashlib.sha256(content).hexdigest())
        parts = services.decision_with_parts(decision.pk)
        fresh = rendering.certificates_pdf_joined(parts, services.awards_of(parts))
        self.assertEqual(hashlib.sha256(fresh).hexdigest(), printing.sha256)

        self.login(submitter)
        with mock.patch.object(rendering, "certificates_pdf", side_effect=AssertionError("rendered in a request")):
            response = self.client.get(f"/dossiers/{decision.dossier_id}/certificates.pdf")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["X-Document-SHA256"], printing.sha256)
        self.assertEqual(response_bytes(response), content)
        page = self.client.get(f"/dossiers/{decision.dossier_id}/")
        self.assertNotContains(page, "being prepared")

    def test_the_printing_set_is_rendered_in_batches_joined_in_the_list_order(self):
        decision, _submitter = self.decided(nominees=3)
        parts = services.decision_with_parts(decision.pk)
        records = services.awards_of(parts)
        with mock.patch.object(rendering, "certificates_pdf", wraps=rendering.certificates_pdf) as render:
            content = rendering.certificates_pdf_joined(parts, records, batch=2)
        self.assertEqual([len(call.args[1]) for call in render.call_args_list], [2, 2, 1])
        self.assertEqual(pdf_pages(content), len(records))
        text = pdf_text(content)
        positions = [text.index(f"Số sổ vàng: {record.golden_book_number}") for record in records]
        self.assertEqual(positions, sorted(positions))
        self.assertEqual(rendering.certificates_pdf_joined(parts, records, batch=2), content)

    def test_a_failed_rendering_is_retried_later_then_shown_as_failed_and_an_administrator_asks_again(self):
        decision, submitter = self.decided(nominees=1)
        services.document_request(decision=decision, kind=DocumentKind.DECISION)
        document = IssuedDocument.objects.get()
        with mock.patch.object(rendering, "decision_pdf", side_effect=BROKEN):
            for attempt in range(1, services.MAX_ATTEMPTS + 1):
                with self.assertLogs("documents.services", "WARNING"):
                    self.assertEqual(services.documents_prepare_due(), 0)
                document.refresh_from_db()
                self.assertEqual((document.attempts, document.last_error), (attempt, "RuntimeError: no font"))
                if attempt < services.MAX_ATTEMPTS:
                    self.assertEqual(document.status, DocumentStatus.PENDING)
                    self.assertGreater(document.next_attempt_at, timezone.now())
                    # Not due before its delay; then the timer dispatcher's sweep kicks the worker again.
                    self.assertEqual(services.documents_sweep(), 0)
                    IssuedDocument.objects.filter(pk=document.pk).update(next_attempt_at=timezone.now())
                    default_task_backend.clear()
                    call_command("dispatch_timers", stdout=mock.MagicMock())
                    self.assertEqual(enqueued_tasks(), [prepare_documents.module_path])
        self.assertEqual(document.status, DocumentStatus.FAILED)
        self.assertEqual(services.documents_sweep(), 0)

        self.login(submitter)
        response = self.client.get(f"/dossiers/{decision.dossier_id}/decision.pdf")
        self.assertContains(response, "This document could not be prepared", status_code=503)
        self.assertContains(self.client.get(f"/dossiers/{decision.dossier_id}/"), "The decision could not be prepared")

        admin = get_user_model().objects.create_superuser("docadmin", password="x")
        self.client.force_login(admin)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/admin/documents/issueddocument/", {"action": "retry", "_selected_action": [document.pk]})
        document.refresh_from_db()
        self.assertEqual((document.status, document.attempts), (DocumentStatus.PENDING, 0))
        entry = LedgerEntry.objects.get(event="documents.retried")
        self.assertEqual(
            (entry.actor, entry.subject_id, entry.unit), (admin, str(decision.dossier_id), decision.issuer_unit)
        )
        self.assertEqual(entry.data["documents"], [document.pk])
        with translation.override("vi"):
            self.assertEqual(
                labels.data_text(entry.data),
                f"quyết định: {decision.number_display}; văn bản (số): {document.pk}; số: {decision.number_display}",
            )
        self.assertEqual(entry.data["number"], decision.number_display)
        self.assertEqual(services.documents_prepare_due(), 1)
        self.assertEqual(IssuedDocument.objects.get().status, DocumentStatus.READY)

    def test_a_worker_stopped_in_the_middle_leaves_the_document_to_the_next_after_its_lease(self):
        decision, _submitter = self.decided(nominees=1)
        document = services.document_request(decision=decision, kind=DocumentKind.DECISION)
        self.assertIsNotNone(services._claim(document.pk))
        self.assertEqual(services.documents_prepare_due(), 0)
        later = timezone.now() + services.LEASE + datetime.timedelta(seconds=1)
        with mock.patch("django.utils.timezone.now", return_value=later):
            self.assertEqual(services.documents_prepare_due(), 1)
        document.refresh_from_db()
        self.assertEqual((document.status, document.attempts), (DocumentStatus.READY, 2))

    def test_a_revocation_asks_for_a_new_printing_set_and_one_revoked_while_rendering_is_not_stored_as_valid(self):
        decision, _submitter = self.decided(nominees=2)
        valid = services.document_request(decision=decision, kind=DocumentKind.CERTIFICATES)
        award = decision.records.order_by("golden_book_number").first()
        with self.captureOnCommitCallbacks(execute=True):
            nomination_services.award_revoke(
                award=award, actor=self.head, reason="Sai.", reference="25/QĐ-UBND", revoked_on=decision.decision_date
            )
        revoked = IssuedDocument.objects.exclude(pk=valid.pk).get(kind=DocumentKind.CERTIFICATES)
        self.assertEqual((revoked.status, revoked.version), (DocumentStatus.PENDING, 2))
        self.assertTrue(revoked.state.startswith("revoked:"))

        # The "valid" set, asked for before the revocation, renders the revocation now: it is dropped, not stored.
        self.assertEqual(services.documents_prepare_due(), 1)
        self.assertFalse(IssuedDocument.objects.filter(pk=valid.pk).exists())
        stored = IssuedDocument.objects.get(kind=DocumentKind.CERTIFICATES)
        self.assertEqual((stored.pk, stored.status), (revoked.pk, DocumentStatus.READY))
        self.assertIn("ĐÃ HỦY BỎ theo Quyết định số 25/QĐ-UBND", pdf_text(stored.file.read()))

    def test_someone_outside_the_scope_cannot_ask_for_a_document(self):
        decision, _submitter = self.decided(nominees=1)
        self.act_as(Role.APPROVER, self.world.thanhkhe_pc)
        for url in ("decision.pdf", "certificates.pdf", f"certificates/{decision.records.first().pk}.pdf"):
            self.assertEqual(self.client.get(f"/dossiers/{decision.dossier_id}/{url}").status_code, 404, url)
        self.assertFalse(IssuedDocument.objects.exists())
