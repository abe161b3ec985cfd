"""Nothing uploaded is lost on a validation error: a file chosen with a refused form is kept for the next attempt,
for the same user on the same page only."""

from django.core.files.storage import default_storage
from django.urls import reverse

from nominations.models import Attachment

from .support import EXE_BYTES, PDF_BYTES, NominationsTestCase, draft, kind, pdf, submitter_at

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


class KeptAttachmentTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = draft(self.world.residential_group, nominees=0)
        self.submitter.language = "en"
        self.submitter.save(update_fields=["language"])
        self.client.force_login(self.submitter)
        self.url = reverse("nominations:attachment_create", args=[self.dossier.pk])
        self.report = kind("achievement_report")

    def refused_without_a_kind(self, **extra):
        response = self.client.post(self.url, {"file": pdf("to-trinh.pdf")}, **extra)
        self.assertEqual(response.status_code, 400)
        self.assertIn("kind", response.context["form"].errors)
        return response, response.context["form"].kept_uploads["file"]

    def test_a_file_sent_without_its_kind_is_kept_and_used_by_the_next_attempt(self):
        response, kept = self.refused_without_a_kind()
        self.assertContains(response, "The file “to-trinh.pdf” is kept", status_code=400)
        self.assertContains(response, f'name="kept_file" value="{kept["token"]}"', status_code=400)
        self.assertTrue(default_storage.exists(kept["path"]))
        response = self.client.post(self.url, {"kind": self.report.pk, "kept_file": kept["token"]})
        self.assertRedirects(response, reverse("nominations:dossier_detail", args=[self.dossier.pk]))
        attachment = Attachment.objects.get(dossier=self.dossier)
        self.assertEqual(attachment.original_name, "to-trinh.pdf")
        with attachment.file.open("rb") as stored:
            self.assertEqual(stored.read(), PDF_BYTES)
        self.assertFalse(default_storage.exists(kept["path"]))

    def test_the_script_driven_upload_gets_the_form_back_with_the_kept_file(self):
        response, kept = self.refused_without_a_kind(**XHR)
        self.assertContains(response, 'name="kept_file"', status_code=400)
        response = self.client.post(self.url, {"kind": self.report.pk, "kept_file": kept["token"]}, **XHR)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Attachment.objects.filter(dossier=self.dossier).count(), 1)

    def test_a_new_file_replaces_the_kept_one(self):
        _response, kept = self.refused_without_a_kind()
        response = self.client.post(self.url, {"file": pdf("bao-cao.pdf"), "kept_file": kept["token"]})
        self.assertFalse(default_storage.exists(kept["path"]))
        self.assertContains(response, "The file “bao-cao.pdf” is kept", status_code=400)

    def test_a_refused_file_is_not_kept(self):
        upload = pdf("virus.pdf", EXE_BYTES)
        response = self.client.post(self.url, {"kind": self.report.pk, "file": upload})
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.context["form"].errors)
        self.assertEqual(response.context["form"].kept_uploads, {})
        self.assertNotContains(response, 'name="kept_file"', status_code=400)

    def test_a_kept_file_is_the_users_own_for_this_dossier(self):
        _response, kept = self.refused_without_a_kind()
        data = {"kind": self.report.pk, "kept_file": kept["token"]}
        colleague = submitter_at(self.world.residential_group)
        self.client.force_login(colleague)
        response = self.client.post(self.url, data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.context["form"].errors)
        other, _submitter = draft(self.world.residential_group, actor=self.submitter, nominees=0, title="Hồ sơ khác")
        self.client.force_login(self.submitter)
        response = self.client.post(reverse("nominations:attachment_create", args=[other.pk]), data)
        self.assertEqual(response.status_code, 400)
        self.assertIn("file", response.context["form"].errors)
        forged = {**data, "kept_file": kept["token"][:-2] + "xx"}
        self.assertIn("file", self.client.post(self.url, forged).context["form"].errors)
        self.assertFalse(Attachment.objects.exists())
