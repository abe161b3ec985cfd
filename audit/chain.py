"""The canonical serialisation and hash of a ledger entry, shared by the writer and the verifier.

The hash is SHA-256 over a JSON object with sorted keys and no whitespace, holding every field of the entry,
its sequence and the previous entry's hash. Timestamps are ISO 8601 in UTC with microseconds; Decimal, UUID and
dates in ``data`` are strings; integral floats are written as integers, so the value reads back the same from
PostgreSQL's ``jsonb`` as it was written.
"""

import datetime
import hashlib
import json
from json.encoder import c_make_encoder, encode_basestring

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)

# Every field the hash covers, in the order the verifier reads them from the database.
HASHED_FIELDS = (
    "sequence",
    "event",
    "occurred_at",
    "actor_id",
    "actor_name",
    "role",
    "acting_for_id",
    "acting_for_name",
    "unit_id",
    "unit_name",
    "stage",
    "subject_type",
    "subject_id",
    "subject_text",
    "version_digest",
    "reason",
    "data",
    "prev_hash",
)


# Hashed only when set, so that the entries written before these fields existed keep their hash.
OPTIONAL_HASHED_FIELDS = ("award_type", "campaign")


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
    """Return the SHA-256 hex digest of the entry described by ``fields`` (keys: ``HASHED_FIELDS``, and the
    ``OPTIONAL_HASHED_FIELDS`` that are set).

    ``occurred_at`` is a datetime and ``subject_type`` the ``app_label.model`` name (not the content type id,
    which differs between databases restored from the same dump).
    """
    payload = {name: value for name, value in fields.items() if value or name not in OPTIONAL_HASHED_FIELDS} | {
        "occurred_at": timestamp(fields["occurred_at"])
    }
    return payload_hash(payload)


def payload_hash(payload: dict) -> str:
    """Return the digest of a payload whose ``occurred_at`` is already canonical text (the verifier's path)."""
    return hashlib.sha256(_ENCODER.encode(payload).encode("utf-8")).hexdigest()


# The verifier's path: the same bytes as ``payload_hash``, written without building and sorting a dict per entry.
# The keys are in sorted order, so the payload is a fixed template whose values are encoded one by one;
# ``data`` goes through one reusable C encoder configured exactly as ``_ENCODER`` (sorted keys, compact, no
# ASCII escaping, no NaN), instead of a new encoder per entry.
SORTED_FIELDS = tuple(sorted(HASHED_FIELDS))
PAYLOAD_TEMPLATE = "{" + ",".join(f"{encode_basestring(name)}:%s" for name in SORTED_FIELDS) + "}"
# The templates with one or both optional fields set; both sort right after ``actor_name``, so their values go
# in at the same place of the values tuple.
_OPTIONAL_AT = SORTED_FIELDS.index("actor_name") + 1
_OPTIONAL_TEMPLATES = {
    (with_award_type, with_campaign): "{"
    + ",".join(
        f"{encode_basestring(name)}:%s"
        for name in sorted(
            (*HASHED_FIELDS, *(["award_type"] if with_award_type else []), *(["campaign"] if with_campaign else []))
        )
    )
    + "}"
    for with_award_type in (False, True)
    for with_campaign in (False, True)
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


def template_hash(values: tuple, award_type: str = "", campaign: str = "") -> str:
    """Return the digest of a payload given as its encoded values in ``SORTED_FIELDS`` order, and the optional
    fields as stored ("" when not set)."""
    if award_type or campaign:
        optional = tuple(encode_text(value) for value in (award_type, campaign) if value)
        template = _OPTIONAL_TEMPLATES[bool(award_type), bool(campaign)]
        text = template % (*values[:_OPTIONAL_AT], *optional, *values[_OPTIONAL_AT:])
    else:
        text = PAYLOAD_TEMPLATE % values
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
