import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook

from nominations import services
from nominations.models import Attachment, Dossier
from nominations.services.attachments import FILE_NAME_REFUSED, FILE_TOO_LARGE, FILE_TYPE_REFUSED

from .support import EXE_BYTES, PDF_BYTES, PNG_BYTES, NominationsTestCase, kind, pdf, ready_dossier


class AttachmentAddTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = ready_dossier(self.world.residential_group)

    def snapshot(self):
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        files = list(Attachment.objects.order_by("pk").values_list("pk", "sha256", "file"))
        return dossier.version, dossier.version_digest, files

    def refused(self, file, message, **kwargs):
        before = self.snapshot()
        with self.assertRaises(ValidationError) as caught:
            services.attachment_add(
                dossier=self.dossier, actor=self.submitter, kind=kind("initiative_proof"), file=file, **kwargs
            )
        self.assertEqual(caught.exception.message_dict, {"file": [message]})
        self.assertEqual(self.snapshot(), before)

    def test_renamed_executable_is_refused(self):
        self.refused(pdf("bao-cao-thanh-tich.pdf", EXE_BYTES), str(FILE_TYPE_REFUSED))

    def test_text_pretending_to_be_a_pdf_is_refused(self):
        self.refused(pdf("x.pdf", b"just text, no magic bytes"), str(FILE_TYPE_REFUSED))

    @override_settings(MERITFLOW_MAX_UPLOAD_MB=1)
    def test_oversize_file_is_refused(self):
        self.refused(pdf("lon.pdf", PDF_BYTES + b"0" * (1024 * 1024)), FILE_TOO_LARGE % {"limit": 1})

    def test_path_traversal_name_is_refused(self):
        self.refused(pdf(), str(FILE_NAME_REFUSED), original_name="../../etc/passwd.pdf")
        self.refused(pdf(), str(FILE_NAME_REFUSED), original_name="..\\..\\windows\\system.pdf")

    def test_accepted_file_is_hashed_sniffed_and_stored_under_a_generated_name(self):
        attachment = services.attachment_add(
            dossier=self.dossier,
            actor=self.submitter,
            kind=kind("initiative_proof"),
            file=pdf("Sáng kiến.png", PNG_BYTES),
        )
        self.assertEqual(attachment.content_type, "image/png")
        self.assertEqual(attachment.original_name, "Sáng kiến.png")
        self.assertRegex(attachment.file.name, rf"^dossiers/{self.dossier.pk}/[0-9a-f]{{32}}\.png$")
        self.assertEqual(len(attachment.sha256), 64)
        with attachment.file.open("rb") as stored:
            self.assertEqual(stored.read(), PNG_BYTES)

    def test_office_documents_are_accepted(self):
        book = Workbook()
        buffer = io.BytesIO()
        book.save(buffer)
        upload = SimpleUploadedFile("bang-diem.xlsx", buffer.getvalue())
        attachment = services.attachment_add(
            dossier=self.dossier, actor=self.submitter, kind=kind("initiative_proof"), file=upload
        )
        self.assertEqual(attachment.content_type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
