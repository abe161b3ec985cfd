"""Asking for, rendering and storing the documents of a decision; a stored file is never rewritten.

Each document is kept for the state it shows (``IssuedDocument.state``): the decision as issued; a certificate
valid, or revoked by a given revocation. Asking for a state that has no row yet writes one, being prepared, and
kicks the documents worker after the commit (``document_request``); the worker renders it and stores the file
with its SHA-256 (``documents_prepare_due``). Nothing is rendered inside a request. A failed rendering waits a
little longer each time (``RETRY_DELAYS``), then is shown as failed, with its error, to administrators, who can
ask for it again. A revocation makes the next certificate a new version with the revocation printed on it, and
the earlier file stays.
"""

import hashlib
import logging
from datetime import timedelta
from itertools import groupby
from operator import attrgetter

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.events import AuditEvent
from nominations.models import AwardRecord, Decision
from nominations.services import tracking

from . import rendering
from .models import DocumentKind, DocumentStatus, IssuedDocument

logger = logging.getLogger(__name__)

ISSUED = "issued"
VALID = "valid"
# Wait before attempt 2, 3 and 4; after the fourth fails the document is shown as failed.
RETRY_DELAYS = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30)]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A rendering taken by a worker is due again after this long: a worker stopped in the middle leaves it to the next.
LEASE = timedelta(minutes=30)


def decision_with_parts(decision_id: int) -> Decision:
    return Decision.objects.select_related(
        "dossier__award_type", "dossier__originating_unit", "issuer_unit", "signer", "acting_for"
    ).get(pk=decision_id)


def awards_of(decision: Decision) -> list[AwardRecord]:
    """The decision's awards in the dossier's list order, with what the documents print joined."""
    records = list(
        AwardRecord.objects.filter(decision=decision)
        .select_related("nominee__collective_unit", "revocation")
        .order_by("nominee__list_position", "nominee_id", "pk")
    )
    for record in records:
        record.decision = decision
    return records


def _certificate_state(revocation_ids) -> str:
    revoked = sorted({pk for pk in revocation_ids if pk})
    if not revoked:
        return VALID
    return "revoked:" + hashlib.sha256(",".join(map(str, revoked)).encode()).hexdigest()[:32]


def current_state(*, decision: Decision, kind: str, record: AwardRecord | None = None) -> str:
    """The state a document of ``kind`` shows today: what it would print if it were rendered now."""
    if kind == DocumentKind.DECISION:
        return ISSUED
    if kind == DocumentKind.CERTIFICATE:
        return _certificate_state([record.revocation_id])
    revoked = AwardRecord.objects.filter(decision=decision, revocation__isnull=False)
    return _certificate_state(revoked.values_list("revocation_id", flat=True).distinct())


def decision_files(*, decision: Decision) -> dict[str, IssuedDocument | None]:
    """The decision's own document and its printing set in their current states (None: not asked for yet)."""
    states = {
        kind: current_state(decision=decision, kind=kind) for kind in (DocumentKind.DECISION, DocumentKind.CERTIFICATES)
    }
    found = {
        document.kind: document
        for document in IssuedDocument.objects.filter(decision=decision, award_record__isnull=True, kind__in=states)
        if document.state == states[document.kind]
    }
    return {kind: found.get(kind) for kind in states}


def _identity(*, decision: Decision, kind: str, record: AwardRecord | None) -> dict:
    return {"decision": decision, "kind": kind, "award_record": record}


def _request(*, decision: Decision, kind: str, record: AwardRecord | None) -> tuple[IssuedDocument, bool]:
    """The row of the document's current state, and whether it was written now."""
    identity = _identity(decision=decision, kind=kind, record=record)
    state = current_state(decision=decision, kind=kind, record=record)
    found = IssuedDocument.objects.filter(**identity, state=state).first()
    if found is not None:
        return found, False
    version = IssuedDocument.objects.filter(**identity).count() + 1
    try:
        with transaction.atomic():
            return IssuedDocument.objects.create(**identity, state=state, version=version), True
    except IntegrityError:
        # Someone asked for the same state meanwhile: theirs is the one.
        return IssuedDocument.objects.get(**identity, state=state), False


def document_request(*, decision: Decision, kind: str, record: AwardRecord | None = None) -> IssuedDocument:
    """The document of ``kind`` for its current state: stored, being prepared, or asked for now.

    A new row is written in the caller's transaction and the documents worker is kicked after its commit.
    """
    document, created = _request(decision=decision, kind=kind, record=record)
    if created:
        transaction.on_commit(documents_kick, robust=True)
    return document


def decision_documents_schedule(*, decision: Decision) -> None:
    """Once the sign step has committed, ask for the decision with its annex and the certificates for printing.

    The rows are written after the step, in their own transaction, so they cost the step nothing; should that
    fail, the first download asks for what is missing. The worker renders them: a large annex or printing set
    takes seconds to minutes, which neither the sign step nor the first download waits for.
    """

    def request():
        with transaction.atomic():
            created = [
                _request(decision=decision, kind=kind, record=None)[1]
                for kind in (DocumentKind.DECISION, DocumentKind.CERTIFICATES)
            ]
        if any(created):
            documents_kick()

    transaction.on_commit(request, robust=True)


def documents_kick() -> None:
    """Ask the documents worker to render what is due; call it outside the asking transaction or after its commit."""
    from .tasks import prepare_documents

    prepare_documents.enqueue()


def documents_sweep() -> int:
    """Kick the worker when documents are due (retries, or left by a stopped worker); return how many are due."""
    due = IssuedDocument.objects.due(now=timezone.now()).count()
    if due:
        documents_kick()
    return due


def documents_prepare_due(*, limit: int = 100) -> int:
    """Render the due documents (at most ``limit``), oldest first; return how many were stored."""
    due = IssuedDocument.objects.due(now=timezone.now()).order_by("next_attempt_at", "pk").values_list("pk", flat=True)
    return sum(document_prepare(document_id=pk) for pk in list(due[:limit]))


def _claim(document_id: int) -> IssuedDocument | None:
    """Take a due document for this worker for ``LEASE``, counting the attempt; None if another worker has it."""
    with transaction.atomic():
        document = (
            IssuedDocument.objects.due(now=timezone.now())
            .select_for_update(skip_locked=True)
            .filter(pk=document_id)
            .order_by()
            .first()
        )
        if document is None:
            return None
        document.attempts += 1
        document.next_attempt_at = timezone.now() + LEASE
        document.save(update_fields=["attempts", "next_attempt_at"])
    return document


def _render(document: IssuedDocument, decision: Decision) -> tuple[bytes, str]:
    """The document's bytes, and the state of the data they were rendered from."""
    if document.kind == DocumentKind.DECISION:
        return rendering.decision_pdf(decision, awards_of(decision)), ISSUED
    if document.kind == DocumentKind.CERTIFICATE:
        record = AwardRecord.objects.select_related("nominee__collective_unit", "revocation").get(
            pk=document.award_record_id
        )
        record.decision = decision
        return rendering.certificates_pdf(decision, [record]), _certificate_state([record.revocation_id])
    records = awards_of(decision)
    state = _certificate_state(record.revocation_id for record in records)
    return rendering.certificates_pdf_joined(decision, records), state


def document_prepare(*, document_id: int) -> bool:
    """Render one due document and store its file with its SHA-256; True when it was stored.

    A document whose state changed before it was rendered (an award revoked meanwhile) is dropped, never having had
    a file, and its current state is asked for instead: a row always holds what its state says.
    """
    document = _claim(document_id)
    if document is None:
        return False
    decision = decision_with_parts(document.decision_id)
    try:
        content, state = _render(document, decision)
    except Exception as error:
        _failed(document, error)
        return False
    if state != document.state:
        IssuedDocument.objects.filter(pk=document.pk, status=DocumentStatus.PENDING).delete()
        record = AwardRecord.objects.filter(pk=document.award_record_id).first()
        document_request(decision=decision, kind=document.kind, record=record)
        return False
    digest = hashlib.sha256(content).hexdigest()
    subject = document.award_record_id or "all"
    name = default_storage.save(
        f"documents/{decision.pk}/{document.kind}-{subject}-v{document.version}-{digest[:16]}.pdf",
        ContentFile(content),
    )
    stored = IssuedDocument.objects.filter(pk=document.pk, status=DocumentStatus.PENDING).update(
        status=DocumentStatus.READY, file=name, sha256=digest, size=len(content), last_error="", ready_at=timezone.now()
    )
    if not stored:
        default_storage.delete(name)
    return bool(stored)


def _failed(document: IssuedDocument, error: Exception) -> None:
    last_error = f"{type(error).__name__}: {error}"[:2000]
    if document.attempts >= MAX_ATTEMPTS:
        changes = {"status": DocumentStatus.FAILED, "last_error": last_error}
        logger.error("Gave up rendering document %s: %s", document.pk, last_error, exc_info=error)
    else:
        changes = {"last_error": last_error, "next_attempt_at": timezone.now() + RETRY_DELAYS[document.attempts - 1]}
        logger.warning("Rendering document %s failed (attempt %d): %s", document.pk, document.attempts, last_error)
    IssuedDocument.objects.filter(pk=document.pk, status=DocumentStatus.PENDING).update(**changes)


@transaction.atomic
def documents_retry(*, document_ids, actor) -> int:
    """Ask again for documents that could not be prepared (an administrator's action); return how many.

    Each decision whose documents are asked for again gets a ledger entry with their numbers.
    """
    documents = list(
        IssuedDocument.objects.select_for_update(of=("self",))
        .filter(pk__in=list(document_ids), status=DocumentStatus.FAILED)
        .select_related("decision__dossier__originating_unit", "decision__issuer_unit")
        .order_by("decision_id", "pk")
    )
    IssuedDocument.objects.filter(pk__in=[document.pk for document in documents]).update(
        status=DocumentStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    for decision, group in groupby(documents, key=attrgetter("decision")):
        tracking.record(
            AuditEvent.DOCUMENTS_RETRIED,
            dossier=decision.dossier,
            actor=actor,
            stage_unit=decision.issuer_unit,
            data={
                "decision": decision.pk,
                "number": decision.number_display,
                "documents": [document.pk for document in group],
            },
        )
    if documents:
        transaction.on_commit(documents_kick, robust=True)
    return len(documents)
