"""Decided dossiers for the documents tests, and reading the PDFs back."""

import datetime
import io

import zxingcpp
from PIL import Image
from pypdf import PdfReader

from documents import services as document_services
from documents.models import DocumentKind
from nominations import services
from nominations.models import Gender, SubjectType
from org_hierarchy.models import Role
from tests.base import grant, make_user
from tests.nominations.support import NominationsTestCase, ready_dossier

DECISION_DATE = datetime.date(2026, 8, 19)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def qr_texts(content: bytes) -> list[str]:
    """Decode every QR code drawn as an image in the PDF, page by page."""
    texts = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for image in page.images:
            picture = Image.open(io.BytesIO(image.data)).convert("L")
            texts += [result.text for result in zxingcpp.read_barcodes(picture)]
    return texts


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


class DocumentsTestCase(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.head = make_user(full_name="Trần Thị Thu Hà", position="Chủ tịch")
        grant(Role.APPROVER, self.world.haichau_pc, user=self.head)

    def login(self, user):
        """Log in with English saved on the account (the page language follows the account, not the cookie)."""
        type(user).objects.filter(pk=user.pk).update(language="en")
        self.client.force_login(user)
        return user

    def act_as(self, role, unit, user=None, **kwargs):
        return self.login(super().act_as(role, unit, user=user, **kwargs))

    def decided(self, *, nominees: int = 3, signer=None, acting_for=None, **kwargs):
        """A dossier of the residential group decided by Hải Châu, with a collective and a household too."""
        dossier, submitter = ready_dossier(self.world.residential_group, nominees=nominees, **kwargs)
        services.nominee_update(
            nominee=dossier.nominees.first(),
            actor=submitter,
            gender=Gender.FEMALE,
            position="Tổ trưởng",
            workplace="Tổ dân phố 12",
        )
        services.nominee_add(
            dossier=dossier, actor=submitter, subject_type=SubjectType.COLLECTIVE, full_name="Chi hội Phụ nữ Tổ 12"
        )
        services.nominee_add(
            dossier=dossier, actor=submitter, subject_type=SubjectType.HOUSEHOLD, full_name="Hộ ông Lê Văn Ánh"
        )
        dossier = services.dossier_submit(dossier=dossier, actor=submitter)
        decision = services.decision_issue(
            dossier=dossier,
            issuer_unit=self.world.haichau_pc,
            signer=signer or self.head,
            acting_for=acting_for,
            decision_date=DECISION_DATE,
        )
        return decision, submitter

    def download(self, url):
        """Ask for a document, let the documents worker render it (the tasks backend of the tests runs at once),
        and download it: the first answer only says it is being prepared."""
        with self.captureOnCommitCallbacks(execute=True):
            first = self.client.get(url)
        if first.status_code != 202:
            return first
        return self.client.get(url)

    def prepared(self, decision, kind=DocumentKind.DECISION, record=None):
        """The stored document of ``kind``, asked for and rendered by the worker."""
        with self.captureOnCommitCallbacks(execute=True):
            document = document_services.document_request(decision=decision, kind=kind, record=record)
        document.refresh_from_db()
        return document
