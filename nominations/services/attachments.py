"""Files of a dossier: type sniffed from the bytes, size limited, hashed, stored under a generated name."""

import hashlib
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.events import AuditEvent
from org_hierarchy.models import Role
from web.uploads import sniffed_type

from ..models import Attachment, DocumentKind, Dossier
from ..permissions import ensure_submitter
from .tracking import ensure_editable, lock_dossier, record, refresh_digest, save_tracked

# Detected MIME type -> extension used for the stored file. Anything else is refused, whatever its name says.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}

FILE_TYPE_REFUSED = _(
    "This file is not a PDF, JPEG, PNG, DOCX or XLSX document (its content was checked, not its name)."
)
FILE_TOO_LARGE = _("The file is larger than the %(limit)d MB allowed.")
FILE_EMPTY = _("The file is empty.")
FILE_NAME_REFUSED = _("The file name must be a plain name without folders or “..”.")


def max_upload_bytes() -> int:
    return int(getattr(settings, "MERITFLOW_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def clean_original_name(name: str) -> str:
    """Return the name as shown to users; refuse any folder part, so no name can point outside its place."""
    name = unicodedata.normalize("NFC", name or "").strip()
    if not name or "/" in name or "\\" in name or name in {".", ".."} or name.startswith(".."):
        raise ValidationError({"file": FILE_NAME_REFUSED}, code="file_name")
    if any(not character.isprintable() for character in name):
        raise ValidationError({"file": FILE_NAME_REFUSED}, code="file_name")
    return name[:255]


def _sniff(file) -> str:
    kind = sniffed_type(file, allowed=ALLOWED_TYPES)
    if kind is None:
        raise ValidationError({"file": FILE_TYPE_REFUSED}, code="file_type")
    return kind.mime


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(65536), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


@transaction.atomic
def attachment_add(
    *, dossier: Dossier, actor, kind: DocumentKind, file, original_name: str | None = None
) -> Attachment:
    """Attach a checked file to an editable dossier; a refused file changes nothing."""
    dossier = lock_dossier(dossier)
    ensure_submitter(user=actor, dossier=dossier)
    ensure_editable(dossier)
    name = clean_original_name(original_name if original_name is not None else getattr(file, "name", ""))
    size = file.size
    if size == 0:
        raise ValidationError({"file": FILE_EMPTY}, code="file_empty")
    if size > max_upload_bytes():
        raise ValidationError(
            {"file": FILE_TOO_LARGE % {"limit": max_upload_bytes() // (1024 * 1024)}}, code="file_size"
        )
    mime = _sniff(file)
    attachment = Attachment(
        dossier=dossier,
        kind=kind,
        original_name=name,
        content_type=mime,
        size=size,
        sha256=_sha256(file),
        uploaded_by=actor,
    )
    attachment.file.save(f"upload.{ALLOWED_TYPES[mime]}", file, save=False)
    stored = attachment.file.name
    try:
        save_tracked(attachment, actor=actor, reason="added")
        refresh_digest(dossier, actor=actor, reason="attachment added")
        record(
            AuditEvent.ATTACHMENT_ADDED,
            dossier=dossier,
            actor=actor,
            role=Role.SUBMITTER,
            data={"attachment": attachment.pk, "sha256": attachment.sha256, "kind": kind.code},
        )
    except Exception:
        attachment.file.storage.delete(stored)
        raise
    return attachment


@transaction.atomic
def attachment_remove(*, attachment: Attachment, actor) -> None:
    """Remove a file from an editable dossier.

    The stored bytes stay: the history row still points at them, and an earlier version's digest cites their
    SHA-256, so an auditor can still open exactly what a stage acted on.
    """
    dossier = lock_dossier(attachment.dossier)
    ensure_submitter(user=actor, dossier=dossier)
    ensure_editable(dossier)
    data = {"attachment": attachment.pk, "sha256": attachment.sha256, "name": attachment.original_name}
    attachment._change_reason = "removed"
    attachment._history_user = actor
    attachment.delete()
    refresh_digest(dossier, actor=actor, reason="attachment removed")
    record(AuditEvent.ATTACHMENT_REMOVED, dossier=dossier, actor=actor, role=Role.SUBMITTER, data=data)
