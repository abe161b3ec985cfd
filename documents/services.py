"""Rendering and storing the documents of a decision; a stored file is never rewritten.

Each document is kept for the state it shows (``IssuedDocument.state``): the decision as issued; a certificate
valid, or revoked by a given revocation. Asking again for the same state returns the stored file; a revocation
makes the next certificate a new version with the revocation printed on it, and the earlier file stays.
"""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from nominations.models import AwardRecord, Decision

from . import rendering, tasks
from .models import DocumentKind, IssuedDocument

ISSUED = "issued"
VALID = "valid"


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


def _store(*, decision: Decision, kind: str, record: AwardRecord | None, state: str, render) -> IssuedDocument:
    found = IssuedDocument.objects.filter(decision=decision, kind=kind, award_record=record, state=state).first()
    if found is not None:
        return found
    content = render()
    digest = hashlib.sha256(content).hexdigest()
    version = IssuedDocument.objects.filter(decision=decision, kind=kind, award_record=record).count() + 1
    subject = record.pk if record else "all"
    name = default_storage.save(
        f"documents/{decision.pk}/{kind}-{subject}-v{version}-{digest[:16]}.pdf", ContentFile(content)
    )
    try:
        with transaction.atomic():
            return IssuedDocument.objects.create(
                decision=decision,
                kind=kind,
                award_record=record,
                state=state,
                version=version,
                file=name,
                sha256=digest,
                size=len(content),
            )
    except IntegrityError:
        # Someone stored the same state meanwhile: theirs is kept, this copy was never referenced.
        default_storage.delete(name)
        return IssuedDocument.objects.get(decision=decision, kind=kind, award_record=record, state=state)


def _certificate_state(records: list[AwardRecord]) -> str:
    revoked = sorted(record.revocation_id for record in records if record.revocation_id)
    if not revoked:
        return VALID
    return "revoked:" + hashlib.sha256(",".join(map(str, revoked)).encode()).hexdigest()[:32]


def decision_document(*, decision: Decision) -> IssuedDocument:
    """The decision with its annex, rendered once when first needed (normally right after it is issued)."""
    decision = decision_with_parts(decision.pk)
    return _store(
        decision=decision,
        kind=DocumentKind.DECISION,
        record=None,
        state=ISSUED,
        render=lambda: rendering.decision_pdf(decision, awards_of(decision)),
    )


def certificate_document(*, record: AwardRecord) -> IssuedDocument:
    """One awardee's certificate as it stands: a new version once the award is revoked."""
    decision = decision_with_parts(record.decision_id)
    record = AwardRecord.objects.select_related("nominee__collective_unit", "revocation").get(pk=record.pk)
    record.decision = decision
    return _store(
        decision=decision,
        kind=DocumentKind.CERTIFICATE,
        record=record,
        state=_certificate_state([record]),
        render=lambda: rendering.certificates_pdf(decision, [record]),
    )


def certificates_document(*, decision: Decision) -> IssuedDocument:
    """Every certificate of the decision in one PDF for printing, one page each."""
    decision = decision_with_parts(decision.pk)
    records = awards_of(decision)
    return _store(
        decision=decision,
        kind=DocumentKind.CERTIFICATES,
        record=None,
        state=_certificate_state(records),
        render=lambda: rendering.certificates_pdf(decision, records),
    )


def decision_documents_schedule(*, decision: Decision) -> None:
    """Render the decision document once the decision is committed, in the tasks backend's worker.

    Rendering a large annex takes seconds: it does not hold the sign step's transaction or the flow lock. Should it
    fail, the first download renders it.
    """
    transaction.on_commit(lambda: tasks.decision_document_generate.enqueue(decision.pk))
