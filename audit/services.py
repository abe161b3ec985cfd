"""The only writers of the audit app: ledger entries and personal data access records.

The ledger is one chain: each entry names its predecessor's hash, so writers queue on the chain head's row lock,
and a transaction holds that lock from its first entry to its commit. A step of the flow therefore records its
entries inside ``ledger_batch()`` (the flow lock opens one, ``workflows.locks``): they are prepared as the step
goes, then chained and written in one statement when the block ends, just before the commit, so the head stays
locked for two round trips and the commit instead of the whole step. Django has no hook before a commit, so the
block is explicit: the code that owns the transaction opens it around everything the transaction does.
"""

import threading
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from .chain import FIELDS, GENESIS_HASH, MODEL, entry_hash, model_name, normalise_data
from .events import AuditEvent
from .facets import AWARD_TYPE, CAMPAIGN, of_subject, outcomes_of
from .models import ChainHead, LedgerEntry, PersonalDataAccess, VerificationRun
from .verify import VerificationResult, verify_ledger

NOT_IN_TRANSACTION = "audit.services.record() must run inside the transaction of the change it records."
BATCH_NOT_IN_TRANSACTION = "audit.services.ledger_batch() must be opened inside the transaction it writes in."

# The entries recorded inside the open ``ledger_batch`` of this thread, waiting to be written, with the on-commit
# marker of each (see ``record``); None when no batch is open.
_pending = threading.local()
UNKNOWN_EVENT = "Unknown audit event: {event!r}."


def _snapshot(value, field: str) -> str:
    """Return the text of ``value`` cut to the column's length, so the hashed text is the stored text."""
    if value is None:
        return ""
    return str(value)[: LedgerEntry._meta.get_field(field).max_length]


def _hashed_value(entry: LedgerEntry, field):
    """The value of one of ``chain.FIELDS`` as the hash takes it."""
    if field.kind == MODEL:
        return model_name(getattr(entry, field.name))
    return getattr(entry, field.column)


def _chain_head() -> ChainHead:
    """Lock and return the chain head, creating it on an empty database.

    ``SELECT … FOR UPDATE`` on the one head row makes concurrent writers queue here, so no two transactions
    read the same predecessor; SQLite serialises writers by itself and ignores the clause.
    """
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # First entry ever: a concurrent first writer's insert waits for ours and is then ignored, so both end
        # up locking the same row instead of one failing.
        ChainHead.objects.bulk_create([ChainHead(pk=1, sequence=0, hash=GENESIS_HASH)], ignore_conflicts=True)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def record(
    event,
    *,
    actor,
    unit=None,
    subject=None,
    version_digest: str = "",
    role: str = "",
    acting_for=None,
    stage: str = "",
    reason: str = "",
    data=None,
) -> LedgerEntry:
    """Append one entry to the ledger, linked to the previous one, in the caller's transaction.

    ``actor`` is a user or None for the system; ``subject`` any saved model instance; ``data`` a JSON-able
    mapping (nominee outcomes, counts…). Raises ``RuntimeError`` outside a transaction: an entry committed
    apart from its change could survive the change's rollback, or the change could commit without its entry.
    Inside a ``ledger_batch`` the entry is written when the batch ends; outside one it is written at once and
    the chain head stays locked until the caller's transaction ends. On PostgreSQL a write costs two round trips
    (the head's lock-and-read, then the INSERT of the entries that also moves it).
    """
    if not connection.in_atomic_block:
        raise RuntimeError(NOT_IN_TRANSACTION)
    if event not in AuditEvent.values:
        raise ValueError(UNKNOWN_EVENT.format(event=event))
    subject_type = ContentType.objects.get_for_model(subject) if subject else None
    entry = LedgerEntry(
        event=str(event),
        occurred_at=timezone.now(),
        actor=actor,
        actor_name=_snapshot(actor.get_full_name() if actor else "", "actor_name"),
        role=_snapshot(role, "role"),
        acting_for=acting_for,
        acting_for_name=_snapshot(acting_for.get_full_name() if acting_for else "", "acting_for_name"),
        unit=unit,
        unit_name=_snapshot(unit, "unit_name"),
        stage=_snapshot(stage, "stage"),
        subject_type=subject_type,
        subject_id=_snapshot(subject.pk if subject else "", "subject_id"),
        subject_text=_snapshot(subject, "subject_text"),
        version_digest=_snapshot(version_digest, "version_digest"),
        reason=str(reason),
        data=normalise_data(data),
    )
    facets = of_subject(subject)
    entry.award_type = _snapshot(facets.get(AWARD_TYPE), "award_type")
    entry.campaign = _snapshot(facets.get(CAMPAIGN), "campaign")
    entry.outcomes = outcomes_of(entry.data)
    batch = getattr(_pending, "entries", None)
    if batch is None:
        _write([entry])
    else:
        # Django drops the on-commit callbacks of a savepoint that rolls back: the marker says whether the part of
        # the transaction that recorded the entry still stands when the batch is written.
        marker = _marker()
        transaction.on_commit(marker)
        batch.append((entry, marker))
    return entry


def _marker():
    return lambda: None


@contextmanager
def ledger_batch():
    """Buffer the entries recorded inside the block, then chain and write them together as it ends.

    Open it around all the work of a transaction, as its last step before the commit: the chain head is locked
    only when the block ends. A batch opened inside another joins it. Entries recorded inside a savepoint that
    rolled back are left out, as the database would have left them out; when the block ends by an exception,
    or with its transaction marked for rollback, nothing is written (the transaction rolls back). Inside the
    block ``record`` returns the entry before it has a sequence and a hash; they are set when the block ends.
    """
    if getattr(_pending, "entries", None) is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError(BATCH_NOT_IN_TRANSACTION)
    _pending.entries = []
    try:
        yield
        entries = _pending.entries
    finally:
        _pending.entries = None
    alive = {id(func) for _savepoints, func, _robust in connection.run_on_commit}
    markers = {id(marker) for _entry, marker in entries}
    connection.run_on_commit = [hook for hook in connection.run_on_commit if id(hook[1]) not in markers]
    written = [entry for entry, marker in entries if id(marker) in alive]
    # A transaction marked for rollback (a refused step whose view keeps the form) writes nothing.
    if written and not transaction.get_rollback():
        _write(written)


def _write(entries: list[LedgerEntry]) -> None:
    """Lock the chain head, chain ``entries`` after it in their order and write them (the head moved with them)."""
    head = _chain_head()
    sequence, previous = head.sequence, head.hash
    for entry in entries:
        sequence += 1
        entry.sequence = sequence
        entry.prev_hash = previous
        entry.hash = previous = entry_hash({field.name: _hashed_value(entry, field) for field in FIELDS})
    if connection.vendor == "postgresql":
        _insert_moving_head(entries)
    else:
        for entry in entries:
            entry.save(force_insert=True)
        ChainHead.objects.filter(pk=1).update(sequence=sequence, hash=previous)


def _insert_moving_head(entries: list[LedgerEntry]) -> None:
    """INSERT the entries and move the chain head to the last of them in one statement (a data-modifying ``WITH``).

    With the head's ``SELECT … FOR UPDATE`` that makes two round trips for a transaction's entries, however many.
    The head is still written by the application, not by a trigger on the ledger, so a row inserted out of band
    does not move it and verification still reports the entries past the head as added outside the application.
    """
    meta, head_meta = LedgerEntry._meta, ChainHead._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    row = f"({', '.join(['%s'] * len(fields))})"
    sequence = quote(meta.get_field("sequence").column)
    sql = (
        f"WITH head AS (UPDATE {quote(head_meta.db_table)} SET {quote(head_meta.get_field('sequence').column)} = %s, "
        f"{quote(head_meta.get_field('hash').column)} = %s WHERE {quote(head_meta.pk.column)} = 1) "
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * len(entries))} RETURNING {quote(meta.pk.column)}, {sequence}"
    )
    params = [entries[-1].sequence, entries[-1].hash]
    for entry in entries:
        params += [field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {number: pk for pk, number in cursor.fetchall()}
    for entry in entries:
        entry.pk = ids[entry.sequence]
        entry._state.adding = False
        entry._state.db = connection.alias


@transaction.atomic
def personal_data_access_record(*, viewer, subject, field: str, context: str = "", unit=None) -> PersonalDataAccess:
    """Record that ``viewer`` was shown ``field`` of ``subject`` in full (Decree 13/2023/NĐ-CP, personal data).

    ``unit`` is the unit the subject belongs to (a nominee's dossier unit); the auditors of that unit see the
    record.
    """
    return PersonalDataAccess.objects.create(
        viewer=viewer,
        unit=unit,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=str(subject.pk),
        subject_text=str(subject)[: PersonalDataAccess._meta.get_field("subject_text").max_length],
        field=field,
        context=context[: PersonalDataAccess._meta.get_field("context").max_length],
    )


def verification_run(*, actor) -> VerificationRun:
    """Verify the whole ledger now and keep the result, with who asked and when.

    The verification reads in its own snapshot (``verify_ledger``); only the result is written afterwards. It
    changes nothing of the ledger or of the domain, which is why auditors may start it.
    """
    started_at = timezone.now()
    return verification_record(result=verify_ledger(), actor=actor, started_at=started_at)


@transaction.atomic
def verification_record(*, result: VerificationResult, actor, started_at) -> VerificationRun:
    """Keep the result of a verification that started at ``started_at`` (``actor`` None: the command line)."""
    problem = result.problem
    return VerificationRun.objects.create(
        started_by=actor,
        started_at=started_at,
        finished_at=timezone.now(),
        checked=result.checked,
        ok=result.ok,
        problem_sequence=problem.sequence if problem else None,
        problem_event=problem.event if problem else "",
        problem_why=problem.why if problem else "",
        anchoring=result.anchoring,
        checkpoints=result.checkpoints,
        anchored_sequence=result.anchored_sequence,
        anchored_at=result.anchored_at,
    )
