"""The canonical serialisation and hash of a ledger entry, shared by the writer and the verifier.

The hash is SHA-256 over a JSON object with sorted keys and no whitespace, holding every field of the entry,
its sequence and the previous entry's hash. Timestamps are ISO 8601 in UTC with microseconds; Decimal, UUID and
dates in ``data`` are strings; integral floats are written as integers, so the value reads back the same from
PostgreSQL's ``jsonb`` as it was written.
"""

import datetime
import hashlib
import itertools
import json
from dataclasses import dataclass
from json.encoder import c_make_encoder, encode_basestring

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

# How a field's value is written in the hashed payload.
INTEGER = "integer"  # a number (the sequence)
ID = "id"  # an integer id or None (a user, a unit)
TEXT = "text"  # a string
TIME = "time"  # a moment, as ``timestamp`` writes it
DATA = "data"  # a JSON mapping (``normalise_data``), its keys sorted
MODEL = "model"  # a content type, as its ``app_label.model`` name ("" for none)


@dataclass(frozen=True)
class Field:
    """One field of a ledger entry that the hash covers.

    ``name`` is the key in the hashed payload and the model's field; ``optional`` fields are hashed only when set,
    so that the entries written before they existed keep their hash.
    """

    name: str
    kind: str
    optional: bool = False

    @property
    def column(self) -> str:
        """The model attribute (and column) holding the value: a content type's id for a ``MODEL`` field."""
        return f"{self.name}_id" if self.kind == MODEL else self.name


# The one table of the hashed fields: the writer (``audit.services``), the verifier (``audit.verify``) and the
# encoder below derive their columns and order from it, so a new hashed column is one line here (optional, so the
# existing entries keep their hash) and its model field.
FIELDS = (
    Field("sequence", INTEGER),
    Field("event", TEXT),
    Field("occurred_at", TIME),
    Field("actor_id", ID),
    Field("actor_name", TEXT),
    Field("role", TEXT),
    Field("acting_for_id", ID),
    Field("acting_for_name", TEXT),
    Field("unit_id", ID),
    Field("unit_name", TEXT),
    Field("stage", TEXT),
    Field("subject_type", MODEL),
    Field("subject_id", TEXT),
    Field("subject_text", TEXT),
    Field("version_digest", TEXT),
    Field("reason", TEXT),
    Field("data", DATA),
    Field("prev_hash", TEXT),
    Field("award_type", TEXT, optional=True),
    Field("campaign", TEXT, optional=True),
)

HASHED_FIELDS = tuple(field.name for field in FIELDS if not field.optional)
OPTIONAL_HASHED_FIELDS = tuple(field.name for field in FIELDS if field.optional)


def model_name(content_type) -> str:
    """A content type as the hash names it (``app_label.model``; "" for none)."""
    return f"{content_type.app_label}.{content_type.model}" if content_type else ""


def normalise_data(data) -> dict:
    """Return ``data`` as plain JSON values, exactly as the database will give them back."""
    if data is None:
        return {}
    plain = json.loads(json.dumps(data, cls=DjangoJSONEncoder, allow_nan=False))
    if not isinstance(plain, dict):
        raise TypeError("Ledger data must be a mapping.")
    return _integral_floats_as_ints(plain)


def _integral_floats_as_ints(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(item) for item in value]
    return value


def timestamp(moment: datetime.datetime) -> str:
    """Return the canonical form of a timestamp: UTC, microseconds, ``Z`` suffix."""
    return moment.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def entry_hash(fields: dict) -> str:
    """Return the SHA-256 hex digest of the entry described by ``fields`` (keys: every ``FIELDS`` name).

    ``occurred_at`` is a datetime and ``subject_type`` the ``app_label.model`` name (not the content type id,
    which differs between databases restored from the same dump); ``data`` is normalised (``normalise_data``).
    """
    return values_hash(
        tuple(
            timestamp(fields[field.name]) if field.kind == TIME else fields.get(field.name, "")
            for field in SORTED_FIELDS
        )
    )


def payload_hash(payload: dict) -> str:
    """The reference definition of the hash: the payload (``occurred_at`` already canonical text, optional fields
    left out when not set) as JSON with sorted keys and no whitespace. ``values_hash`` writes the same bytes."""
    return hashlib.sha256(_ENCODER.encode(payload).encode("utf-8")).hexdigest()


# The encoder: the payload's keys are in sorted order, so it is a fixed template whose values are encoded one by
# one, without building and sorting a dict per entry; ``data`` goes through one reusable C encoder configured
# exactly as ``_ENCODER`` (sorted keys, compact, no ASCII escaping, no NaN), instead of a new encoder per entry.
SORTED_FIELDS = tuple(sorted(FIELDS, key=lambda field: field.name))
_OPTIONAL_AT = tuple(position for position, field in enumerate(SORTED_FIELDS) if field.optional)
# One template per combination of the optional fields that are set (their positions in ``SORTED_FIELDS``).
_TEMPLATES = {
    present: "{"
    + ",".join(
        f"{encode_basestring(field.name)}:%s"
        for position, field in enumerate(SORTED_FIELDS)
        if not field.optional or present[_OPTIONAL_AT.index(position)]
    )
    + "}"
    for present in itertools.product((False, True), repeat=len(_OPTIONAL_AT))
}


def _not_serialisable(value):
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _python_data_encoder(value, _level):
    return (_ENCODER.encode(value),)


# CPython's C encoder; interpreters without it take the reference encoder (same bytes, slower).
DATA_ENCODER = (
    c_make_encoder(None, _not_serialisable, encode_basestring, None, ":", ",", True, False, False)
    if c_make_encoder is not None
    else _python_data_encoder
)


encode_text = encode_basestring


def encode_id(value) -> str:
    """An integer id or None, as JSON."""
    return "null" if value is None else str(value)


def encode_data(value) -> str:
    return "".join(DATA_ENCODER(value, 0))


# Each kind's encoder takes the value in its canonical form: ``TIME`` as ``timestamp`` text, ``MODEL`` as the
# ``app_label.model`` name, ``DATA`` as a normalised mapping.
ENCODERS = {INTEGER: str, ID: encode_id, TEXT: encode_text, TIME: encode_text, DATA: encode_data, MODEL: encode_text}
# For each combination of optional fields set, the positions the template takes, with their encoders.
_ENCODED = {
    present: tuple(
        (position, ENCODERS[field.kind])
        for position, field in enumerate(SORTED_FIELDS)
        if not field.optional or present[_OPTIONAL_AT.index(position)]
    )
    for present in _TEMPLATES
}


def values_hash(values: tuple) -> str:
    """Return the digest of an entry given as its canonical values in ``SORTED_FIELDS`` order (an optional field
    not set as "")."""
    present = tuple(bool(values[position]) for position in _OPTIONAL_AT)
    text = _TEMPLATES[present] % tuple([encode(values[position]) for position, encode in _ENCODED[present]])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
