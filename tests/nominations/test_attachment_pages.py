"""Attachments: the inline preview of PDFs and images, thumbnails, and the script-driven upload's answers."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from nominations import services
from nominations.models import Attachment
from org_hierarchy.models import Role

from .support import EXE_BYTES, PNG_BYTES, NominationsTestCase, draft, kind, pdf

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def png(name="anh-khen-thuong.png"):
    return SimpleUploadedFile(name, PNG_BYTES, content_type="image/png")


def xlsx_file(name="danh-sach.xlsx"):
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


class AttachmentPreviewTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = draft(self.world.residential_group, nominees=0)
        report = kind("achievement_report")
        add = services.attachment_add
        self.pdf = add(dossier=self.dossier, actor=self.submitter, kind=report, file=pdf("bao-cao.pdf"))
        self.png = add(dossier=self.dossier, actor=self.submitter, kind=report, file=png())
        self.xlsx = add(dossier=self.dossier, actor=self.submitter, kind=report, file=xlsx_file())
        self.submitter.language = "en"
        self.submitter.save()
        self.client.force_login(self.submitter)

    def preview(self, attachment, dossier=None):
        return self.client.get(
            reverse("nominations:attachment_preview", args=[(dossier or self.dossier).pk, attachment.pk])
        )

    def test_pdfs_and_images_open_inline_with_their_own_type(self):
        for attachment, content_type, content in (
            (self.pdf, "application/pdf", pdf().read()),
            (self.png, "image/png", PNG_BYTES),
        ):
            with self.subTest(content_type=content_type):
                response = self.preview(attachment)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Type"], content_type)
                self.assertTrue(response["Content-Disposition"].startswith("inline"))
                self.assertIn(attachment.original_name, response["Content-Disposition"])
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(b"".join(response.streaming_content), content)

    def test_other_kinds_are_only_downloaded(self):
        self.assertEqual(self.preview(self.xlsx).status_code, 404)
        response = self.client.get(reverse("nominations:attachment_download", args=[self.dossier.pk, self.xlsx.pk]))
        self.assertTrue(response["Content-Disposition"].startswith("attachment"))

    def test_the_dossier_page_shows_a_thumbnail_for_images_and_a_preview_link_for_pdfs_only(self):
        page = self.client.get(reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        html = page.content.decode()
        preview = reverse("nominations:attachment_preview", args=[self.dossier.pk, self.png.pk])
        self.assertInHTML(
            f'<img src="{preview}" alt="Preview of anh-khen-thuong.png" width="96" height="96" loading="lazy">', html
        )
        self.assertEqual(html.count("<img src="), 1)
        self.assertIn(reverse("nominations:attachment_preview", args=[self.dossier.pk, self.pdf.pk]), html)
        self.assertNotIn(reverse("nominations:attachment_preview", args=[self.dossier.pk, self.xlsx.pk]) + '"', html)

    def test_people_outside_the_dossier_and_foreign_ids_get_404(self):
        other, other_submitter = draft(self.world.badinh_pc, nominees=0)
        foreign = services.attachment_add(
            dossier=other, actor=other_submitter, kind=kind("achievement_report"), file=pdf()
        )
        self.assertEqual(self.preview(foreign).status_code, 404)
        self.assertEqual(self.preview(foreign, dossier=other).status_code, 404)
        self.act_as(Role.SUBMITTER, self.world.school)
        self.assertEqual(self.preview(self.pdf).status_code, 404)
        self.act_as(Role.APPRAISER, self.world.danang_pc)
        self.assertEqual(self.preview(self.pdf).status_code, 404, "a draft is not shown above its unit")


class ScriptedUploadTests(NominationsTestCase):
    """What static/meritflow/upload.js receives: the next page's address, or the form again with its errors."""

    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = draft(self.world.residential_group, nominees=0)
        self.submitter.language = "en"
        self.submitter.save()
        self.client.force_login(self.submitter)
        self.url = reverse("nominations:attachment_create", args=[self.dossier.pk])

    def test_the_form_page_loads_the_script_and_its_progress_bar(self):
        response = self.client.get(self.url)
        self.assertContains(response, "data-mf-upload")
        self.assertContains(response, '<progress max="100" value="0" aria-labelledby="mf-upload-status">')
        self.assertContains(response, "meritflow/upload.js")

    def test_a_kept_file_answers_with_the_dossier_page_and_keeps_the_message_for_it(self):
        response = self.client.post(self.url, {"kind": kind("achievement_report").pk, "file": pdf()}, **XHR)
        detail = reverse("nominations:dossier_detail", args=[self.dossier.pk])
        self.assertEqual(response.json(), {"redirect": detail})
        self.assertContains(self.client.get(detail), "The file was attached.")
        self.assertEqual(self.dossier.attachments.count(), 1)

    def test_a_refused_file_answers_with_the_form_and_its_translated_error(self):
        response = self.client.post(
            self.url, {"kind": kind("achievement_report").pk, "file": pdf("bao-cao.pdf", EXE_BYTES)}, **XHR
        )
        self.assertContains(response, "This file is not a PDF, JPEG, PNG, DOCX or XLSX document", status_code=400)
        self.assertContains(response, "data-mf-upload", status_code=400)
        self.assertFalse(Attachment.objects.filter(dossier=self.dossier).exists())
