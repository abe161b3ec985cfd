"""Attachments in an S3-compatible object store (a real moto server on loopback), and X-Accel-Redirect downloads.

The bucket stays private: the file goes up through the upload page and comes back only through the dossier's
scoped view, whose answer names no bucket address; someone outside the dossier gets a 404.
"""

import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
from django.test import override_settings
from django.urls import reverse

from config.storage import media_storage
from nominations.models import Attachment
from org_hierarchy.models import Role

from .support import PDF_BYTES, NominationsTestCase, draft, kind, pdf

BUCKET = "meritflow-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


MOTO_PORT = _free_port()
STORAGE = media_storage(f"s3+http://test-key:test-secret@127.0.0.1:{MOTO_PORT}/{BUCKET}/media")
STATIC = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}


@override_settings(STORAGES={"default": STORAGE, "staticfiles": STATIC})
class ObjectStorageTests(NominationsTestCase):
    @classmethod
    def setUpClass(cls):
        moto = Path(sys.executable).with_name("moto_server")
        cls.moto = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(MOTO_PORT)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        cls.addClassCleanup(cls.moto.wait, 10)
        cls.addClassCleanup(cls.moto.terminate)
        cls.s3 = boto3.client(
            "s3",
            endpoint_url=STORAGE["OPTIONS"]["endpoint_url"],
            aws_access_key_id="test-key",
            aws_secret_access_key="test-secret",
            region_name="us-east-1",
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                cls.s3.create_bucket(Bucket=BUCKET)
                break
            except Exception:
                if time.monotonic() > deadline or cls.moto.poll() is not None:
                    raise
                time.sleep(0.2)
        super().setUpClass()

    def test_an_upload_goes_to_the_bucket_and_comes_back_only_through_the_scoped_view(self):
        dossier, submitter = draft(self.world.residential_group, nominees=0)
        self.client.force_login(submitter)
        response = self.client.post(
            reverse("nominations:attachment_create", args=[dossier.pk]),
            {"kind": kind("achievement_report").pk, "file": pdf("bao-cao.pdf")},
        )
        self.assertEqual(response.status_code, 302)
        attachment = Attachment.objects.get()
        keys = [item["Key"] for item in self.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
        self.assertEqual(keys, [f"media/{attachment.file.name}"])
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read(), PDF_BYTES)
        # Private: no grant to everyone on the object.
        grants = self.s3.get_object_acl(Bucket=BUCKET, Key=keys[0])["Grants"]
        self.assertFalse([grant for grant in grants if "AllUsers" in grant["Grantee"].get("URI", "")])

        download = reverse("nominations:attachment_download", args=[dossier.pk, attachment.pk])
        response = self.client.get(download)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), PDF_BYTES)
        self.assertIn("bao-cao.pdf", response["Content-Disposition"])
        page = self.client.get(reverse("nominations:dossier_detail", args=[dossier.pk])).content.decode()
        self.assertIn(download, page)
        self.assertNotIn("127.0.0.1", page)
        self.assertNotIn(BUCKET, page)

        self.act_as(Role.SUBMITTER, self.world.badinh_pc)
        self.assertEqual(self.client.get(download).status_code, 404)

    def test_a_file_missing_from_the_bucket_is_a_404_and_readiness_checks_the_bucket(self):
        dossier, submitter = draft(self.world.residential_group, nominees=0)
        from nominations import services

        attachment = services.attachment_add(
            dossier=dossier, actor=submitter, kind=kind("achievement_report"), file=pdf()
        )
        self.s3.delete_object(Bucket=BUCKET, Key=f"media/{attachment.file.name}")
        self.client.force_login(submitter)
        response = self.client.get(reverse("nominations:attachment_download", args=[dossier.pk, attachment.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.get("/readyz").json()["checks"]["storage"], "ok")


class AccelRedirectTests(NominationsTestCase):
    def test_behind_nginx_the_scoped_view_hands_the_file_to_nginx(self):
        dossier, submitter = draft(self.world.residential_group, nominees=0)
        from nominations import services

        attachment = services.attachment_add(
            dossier=dossier, actor=submitter, kind=kind("achievement_report"), file=pdf("bao-cao.pdf")
        )
        download = reverse("nominations:attachment_download", args=[dossier.pk, attachment.pk])
        self.client.force_login(submitter)
        with override_settings(MEDIA_ACCEL_REDIRECT="/protected-media/"):
            response = self.client.get(download)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["X-Accel-Redirect"], f"/protected-media/{attachment.file.name}")
            self.assertEqual(response.content, b"")
            self.assertEqual(response["Content-Type"], "application/pdf")
            self.assertTrue(response["Content-Disposition"].startswith("attachment"))
            self.assertEqual(response["Cache-Control"], "private, no-store")
            self.act_as(Role.SUBMITTER, self.world.badinh_pc)
            self.assertEqual(self.client.get(download).status_code, 404)
            self.client.force_login(submitter)
            attachment.file.storage.delete(attachment.file.name)
            self.assertEqual(self.client.get(download).status_code, 404)


class StorageUrlTests(NominationsTestCase):
    def test_the_url_names_the_endpoint_bucket_prefix_and_keys(self):
        options = media_storage("s3://AKIA%2F1:se%40cret@minio.internal:9000/meritflow/prod/media?region=hn-1")[
            "OPTIONS"
        ]
        self.assertEqual(options["endpoint_url"], "https://minio.internal:9000")
        self.assertEqual((options["bucket_name"], options["location"]), ("meritflow", "prod/media"))
        self.assertEqual((options["access_key"], options["secret_key"]), ("AKIA/1", "se@cret"))
        self.assertEqual(options["region_name"], "hn-1")
        self.assertIsNone(options["default_acl"])
        self.assertEqual(media_storage(""), {"BACKEND": "django.core.files.storage.FileSystemStorage"})
