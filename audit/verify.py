"""Verification of the ledger: the chain itself, then each entry against the current state it refers to.

The ledger is read once, in sequence order, in chunks (constant memory). For every entry the verifier checks
that the sequence continues without a gap, that ``prev_hash`` is the previous entry's hash and that the stored
hash is the hash of the entry's fields. At the end the last entry must be the chain head. Domain apps add
their own checks with ``register_state_check``; they are called once per chunk, so a check costs one query
per chunk instead of one per entry. When checkpoints are configured (``audit.anchoring``), every signed entry
must still carry the signed hash, the ledger must reach the newest checkpoint, and no entry older than the
checkpoints' maximum age may be left uncovered.
"""

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from . import anchoring
from .chain import FIELDS, GENESIS_HASH, MODEL, SORTED_FIELDS, TIME, timestamp, values_hash
from .facets import outcomes_of
from .models import ChainHead, LedgerEntry

CHUNK_SIZE = 5000

# A state check receives the entries of one chunk that match its key and yields (entry, why) for each entry
# that no longer matches the state it refers to.
StateCheck = Callable[[list[LedgerEntry]], Iterable[tuple[LedgerEntry, str]]]

_state_checks: dict[str | type[models.Model], list[StateCheck]] = defaultdict(list)

# Columns read from the database: the hashed ones (``chain.FIELDS``, a content type by its id), the outcomes
# copied from ``data`` for the search, then the stored hash and the primary key.
_COLUMNS = (*(field.column for field in FIELDS), "outcomes", "hash", "id")
_SEQUENCE, _EVENT, _PREV_HASH, _DATA, _OCCURRED_AT, _OUTCOMES, _HASH = (
    _COLUMNS.index(name) for name in ("sequence", "event", "prev_hash", "data", "occurred_at", "outcomes", "hash")
)
# Where each of ``chain.SORTED_FIELDS`` is in a row.
_SORTED_AT = tuple(_COLUMNS.index(field.column) for field in SORTED_FIELDS)


@dataclass(frozen=True)
class Problem:
    sequence: int | None
    event: str
    why: str


@dataclass(frozen=True)
class VerificationResult:
    checked: int
    problem: Problem | None
    # Whether the chain was compared with signed checkpoints, how many, and the newest one's end and time.
    anchoring: bool = False
    checkpoints: int = 0
    anchored_sequence: int | None = None
    anchored_at: datetime.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def register_state_check(key: str | type[models.Model], check: StateCheck) -> None:
    """Register ``check`` for the entries of one event (an ``AuditEvent``) or whose subject is of one model.

    Call it from the registering app's ``AppConfig.ready``; registering the same function twice has no effect.
    """
    if check not in _state_checks[key]:
        _state_checks[key].append(check)


def unregister_state_check(key: str | type[models.Model], check: StateCheck) -> None:
    """Remove a check registered with ``register_state_check`` (for tests that register their own)."""
    if check in _state_checks.get(key, []):
        _state_checks[key].remove(check)


def verify_ledger(*, chunk_size: int = CHUNK_SIZE) -> VerificationResult:
    """Verify the whole ledger and return how many entries were checked and the first problem, if any."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            # One snapshot for the head and every chunk, so entries committed meanwhile do not look inserted.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return _verify(chunk_size)
    return _verify(chunk_size)


def _verify(chunk_size: int) -> VerificationResult:
    anchors = _Anchors()
    result = _walk(chunk_size, anchors)
    newest = anchors.newest
    return replace(
        result,
        anchoring=anchors.enabled,
        checkpoints=len(anchors.signed),
        anchored_sequence=newest.sequence if newest else None,
        anchored_at=newest.taken_at if newest else None,
    )


def _walk(chunk_size: int, anchors: "_Anchors") -> VerificationResult:
    head = ChainHead.objects.filter(pk=1).values_list("sequence", "hash").first() or (0, GENESIS_HASH)
    type_names = _content_type_names()
    times_are_canonical = connection.vendor == "postgresql"
    expected_sequence, previous_hash = 1, GENESIS_HASH
    checked = 0
    # How a stored value becomes the canonical form the hash takes, per field in ``SORTED_FIELDS`` order: the
    # time is already canonical text on PostgreSQL (``_POSTGRESQL_COLUMNS``), ``data`` is parsed once per row.
    convert = {
        TIME: None if times_are_canonical else (lambda value: timestamp(_as_datetime(value))),
        MODEL: lambda type_id: type_names.get(type_id, "") if type_id else "",
    }
    plan = tuple((at, convert.get(field.kind)) for at, field in zip(_SORTED_AT, SORTED_FIELDS, strict=True))
    data_at = _SORTED_AT.index(_DATA)
    for rows in _chunks(chunk_size):
        for position, row in enumerate(rows):
            sequence, event, prev_hash = row[_SEQUENCE], row[_EVENT], row[_PREV_HASH]
            problem = None
            if sequence != expected_sequence:
                if sequence > expected_sequence:
                    why = _("Entries %(first)d to %(last)d are missing before this entry.") % {
                        "first": expected_sequence,
                        "last": sequence - 1,
                    }
                else:
                    why = _("The sequence goes back: entry %(expected)d was expected.") % {
                        "expected": expected_sequence
                    }
                problem = Problem(sequence, event, why)
            elif prev_hash != previous_hash:
                problem = Problem(sequence, event, _("The link to the previous entry is broken."))
            else:
                values = [row[at] if change is None else change(row[at]) for at, change in plan]
                data = values[data_at] = _data_of(row[_DATA])
                stored_hash = row[_HASH]
                if values_hash(values) != stored_hash:
                    problem = Problem(sequence, event, _("The entry was changed after it was written."))
                elif outcomes_of(data) != row[_OUTCOMES]:
                    problem = Problem(sequence, event, _("The entry's outcomes column no longer matches its data."))
                elif sequence in anchors.signed:
                    problem = anchors.check_entry(sequence, event, stored_hash)
                elif sequence == anchors.uncovered_from:
                    anchors.uncovered_at = row[_OCCURRED_AT]
                previous_hash = stored_hash
            if problem:
                return _first_of(_check_state(rows[:position]), problem, checked)
            expected_sequence = sequence + 1
            checked += 1
        if problem := _check_state(rows):
            return VerificationResult(checked, problem)
    problem = _check_head(head, expected_sequence - 1, previous_hash) or anchors.check_end(expected_sequence - 1)
    return VerificationResult(checked, problem)


class _Anchors:
    """The checkpoints verification compares the chain with, and what it noticed about them on the way."""

    def __init__(self):
        self.enabled = anchoring.enabled()
        self.problem = None
        checkpoints = []
        if self.enabled:
            try:
                checkpoints = anchoring.load(anchoring.public_keys())
            except anchoring.CheckpointError as error:
                self.problem = Problem(error.sequence, "", str(error))
        self.signed = {checkpoint.sequence: checkpoint for checkpoint in checkpoints}
        self.newest = checkpoints[-1] if checkpoints else None
        # The first entry no checkpoint covers, and when it was written once the walk has reached it.
        self.uncovered_from = self.newest.sequence + 1 if self.newest else 1
        self.uncovered_at = None

    def check_entry(self, sequence: int, event: str, stored_hash: str) -> Problem | None:
        checkpoint = self.signed[sequence]
        if checkpoint.hash == stored_hash:
            return None
        return Problem(
            sequence,
            event,
            _("This entry is not the one the checkpoint of %(when)s signed: the history was rewritten.")
            % {"when": checkpoint.when},
        )

    def check_end(self, last_sequence: int) -> Problem | None:
        if not self.enabled:
            return None
        if self.problem:
            return self.problem
        if self.newest and self.newest.sequence > last_sequence:
            return Problem(
                last_sequence + 1,
                "",
                _(
                    "The checkpoint of %(when)s signed entries up to %(signed)d but the ledger ends at %(last)d: "
                    "its newest entries were removed and the chain head moved back."
                )
                % {"when": self.newest.when, "signed": self.newest.sequence, "last": last_sequence},
            )
        if self.uncovered_at is not None:
            written = _as_datetime(self.uncovered_at)
            if written < timezone.now() - settings.AUDIT_CHECKPOINT_MAX_AGE:
                return Problem(
                    self.uncovered_from,
                    "",
                    _(
                        "This entry, written on %(when)s, is covered by no checkpoint: a checkpoint is missing or "
                        "the checkpoint job has stopped."
                    )
                    % {"when": formats.date_format(timezone.localtime(written), "SHORT_DATETIME_FORMAT")},
                )
        return None


# On PostgreSQL the database hands over two columns in the form the hash needs: the time already as canonical
# text (``chain.timestamp``), saving a datetime parse and reformat per entry, and ``data`` as JSON text, which the
# C scanner reads faster than the driver's own ``json.loads`` typecaster. SQLite gives both as the text Django
# wrote; ``_as_datetime`` and ``timestamp`` convert the time in Python there.
_POSTGRESQL_COLUMNS = {
    "occurred_at": "to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
    "data": "{column}::text",
}

_scan_json = json.JSONDecoder().scan_once


def _chunks(chunk_size: int) -> Iterator[list[tuple]]:
    """Yield the ledger's rows in sequence order, ``chunk_size`` at a time, as the database driver gives them.

    One plain SQL statement read through a server-side cursor where the database has them (constant memory, one
    index scan instead of one planned query per chunk), and none of the ORM's per-value conversion, which would
    cost more than the hashing itself.
    """
    quote = connection.ops.quote_name
    meta = LedgerEntry._meta
    expressions = _POSTGRESQL_COLUMNS if connection.vendor == "postgresql" else {}
    columns = [expressions.get(name, "{column}").format(column=quote(meta.get_field(name).column)) for name in _COLUMNS]
    sequence_column = quote(meta.get_field("sequence").column)
    sql = f"SELECT {', '.join(columns)} FROM {quote(meta.db_table)} ORDER BY {sequence_column}"
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(chunk_size):
            yield rows


def _data_of(text: str) -> dict:
    return _scan_json(text, 0)[0]


def _as_datetime(value) -> datetime.datetime:
    # SQLite gives the stored text, in UTC without an offset; PostgreSQL an aware datetime.
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def _first_of(state_problem: Problem | None, chain_problem: Problem, checked: int) -> VerificationResult:
    """Return the earlier of a state problem in the pending chunk and the chain problem that ends the run."""
    if state_problem and state_problem.sequence < chain_problem.sequence:
        return VerificationResult(checked, state_problem)
    return VerificationResult(checked, chain_problem)


def _check_head(head: tuple[int, str], last_sequence: int, last_hash: str) -> Problem | None:
    head_sequence, head_hash = head
    if head_sequence > last_sequence:
        return Problem(
            last_sequence + 1,
            "",
            _("Entries %(first)d to %(last)d were removed from the end of the ledger.")
            % {"first": last_sequence + 1, "last": head_sequence},
        )
    if head_sequence < last_sequence:
        return Problem(head_sequence + 1, "", _("This entry and those after it were added outside the application."))
    if head_hash != last_hash:
        return Problem(last_sequence, "", _("The last entry is not the one the chain head recorded."))
    return None


def _content_type_names() -> dict[int, str]:
    return {pk: f"{app}.{model}" for pk, app, model in ContentType.objects.values_list("pk", "app_label", "model")}


def _check_state(rows: list[tuple]) -> Problem | None:
    """Run the registered state checks over one chunk of rows; return the earliest problem found."""
    if not rows or not _state_checks:
        return None
    by_key: dict[str | int, list[LedgerEntry]] = defaultdict(list)
    wanted_events = {key for key in _state_checks if isinstance(key, str)}
    wanted_types = {ContentType.objects.get_for_model(key).pk: key for key in _state_checks if not isinstance(key, str)}
    event_index, type_index = _COLUMNS.index("event"), _COLUMNS.index("subject_type_id")
    for row in rows:
        if row[event_index] in wanted_events or row[type_index] in wanted_types:
            entry = LedgerEntry(**dict(zip(_COLUMNS, row, strict=True)))
            entry.occurred_at = _as_datetime(entry.occurred_at)
            if isinstance(entry.data, str):
                entry.data = json.loads(entry.data)
            if entry.event in wanted_events:
                by_key[entry.event].append(entry)
            if entry.subject_type_id in wanted_types:
                by_key[entry.subject_type_id].append(entry)
    problems = []
    for key, entries in by_key.items():
        registry_key = wanted_types.get(key, key) if isinstance(key, int) else key
        for check in _state_checks[registry_key]:
            problems.extend(Problem(entry.sequence, entry.event, why) for entry, why in check(entries))
    return min(problems, key=lambda problem: problem.sequence, default=None)
