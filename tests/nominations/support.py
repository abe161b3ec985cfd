"""Dossiers built through the services, for the nominations tests."""

import io
import tempfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook

from nominations import services
from nominations.models import AwardType, CommendationKind, DocumentKind, SubjectType
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, grant

# The smallest byte strings the content sniffer recognises as each type.
PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64


def pdf(name: str = "to-trinh.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def award(code: str) -> AwardType:
    return AwardType.objects.get(code=code)


def submitter_at(unit, user=None):
    return grant(Role.SUBMITTER, unit, user=user)


def draft(
    unit,
    *,
    actor=None,
    award_code: str = "gk_chu_tich_xa",
    title: str = "Khen thưởng phong trào năm 2026",
    kind: str = CommendationKind.ANNUAL,
    year: int = 2026,
    nominees: int = 1,
    **fields,
):
    """Create a draft with ``nominees`` individuals, returning (dossier, submitter)."""
    actor = actor or submitter_at(unit)
    dossier = services.dossier_create(
        actor=actor, originating_unit=unit, title=title, kind=kind, award_type=award(award_code), year=year, **fields
    )
    for index in range(nominees):
        services.nominee_add(
            dossier=dossier,
            actor=actor,
            subject_type=SubjectType.INDIVIDUAL,
            full_name=f"Nguyễn Văn {chr(65 + index % 26)}{index}",
            national_id=f"{48_000_000_000 + dossier.pk * 1000 + index:012d}",
        )
    return dossier, actor


def attach_required(dossier, actor) -> None:
    """Attach one PDF of every document kind the award type requires."""
    for kind in dossier.award_type.required_documents.all():
        services.attachment_add(dossier=dossier, actor=actor, kind=kind, file=pdf(f"{kind.code}.pdf"))


def ready_dossier(unit, **kwargs):
    """A draft that passes every eligibility check."""
    dossier, actor = draft(unit, **kwargs)
    attach_required(dossier, actor)
    return dossier, actor


def kind(code: str) -> DocumentKind:
    return DocumentKind.objects.get(code=code)


def xlsx(rows: list[list], headers=("Họ và tên", "Số CCCD", "Giới tính", "Ngày sinh", "Chức vụ")) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(
        "danh-sach.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


class TemporaryMediaMixin:
    """Store uploads in a throw-away folder for the duration of the test class.

    Test users' passwords are hashed with a fast hasher: the production one costs a second per user here.
    """

    @classmethod
    def setUpClass(cls):
        cls._media = tempfile.TemporaryDirectory()
        cls._media_override = override_settings(
            MEDIA_ROOT=cls._media.name, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        )
        cls._media_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls._media_override.disable()
        cls._media.cleanup()


class NominationsTestCase(TemporaryMediaMixin, MeritflowTestCase):
    """The world tree, English messages (the tests compare reasons word for word) and throw-away uploads."""

    def setUp(self):
        super().setUp()
        translation.activate("en")
        self.addCleanup(translation.deactivate)
        self.client.cookies["django_language"] = "en"
