"""The facts a decision certifies, in the form its ledger entry records them and verification compares them.

A commendation decision certifies its number, year and date, its issuer and award, who signed it and for whom,
and each awardee's identity, outcome and golden-book number (số sổ vàng, kept on the award register's row).
``decision_issue`` writes these facts into the ``decision.issued`` entry, whose hash covers them;
``state_checks.decision_facts_match`` computes them again from the database and names each one that differs.
The citizen ID number is recorded as its SHA-256 fingerprint: the ledger and its exports are read by auditors,
and the full number is only shown with a personal data access record.
"""

import hashlib

from .models import AwardRecord, Decision, Dossier, Nominee

# Keys of the decision's facts in the entry's ``data["certified"]``, with the model field each one comes from.
DECISION_FIELDS = {
    "dossier": "dossier",
    "issuer": "issuer_unit",
    "number": "number",
    "symbol": "symbol",
    "year": "year",
    "date": "decision_date",
    "signer": "signer",
    "acting_for": "acting_for",
}

# Keys of one awardee's facts in ``data["awardees"]``, with the nominee field each one comes from.
AWARDEE_FIELDS = {
    "kind": "subject_type",
    "name": "full_name",
    "national_id": "national_id",
    "born": "date_of_birth",
    "gender": "gender",
    "position": "position",
    "workplace": "workplace",
    "collective": "collective_unit",
    "user": "user",
    "decision": "decision",
}


def _attnames(model, fields: dict) -> dict[str, str]:
    """Each fact's key with the column name of the field it comes from."""
    return {key: model._meta.get_field(field).attname for key, field in fields.items()}


# Key of the awardee's golden-book number, which its award record holds rather than the nominee; entries written
# before it was certified do not have it, and are checked on the facts they hold.
GOLDEN_BOOK = "golden_book"
GOLDEN_BOOK_COLUMN = "award_record__golden_book_number"

_DECISION_ATTNAMES = _attnames(Decision, DECISION_FIELDS)
_AWARDEE_ATTNAMES = _attnames(Nominee, AWARDEE_FIELDS)
AWARDEE_COLUMNS = ["pk", "outcome", "dossier_id", GOLDEN_BOOK_COLUMN, *_AWARDEE_ATTNAMES.values()]
DECISION_COLUMNS = ["pk", "dossier__award_type", *_DECISION_ATTNAMES.values()]


def fingerprint(value: str) -> str:
    """The SHA-256 of a personal number, "" for none: enough to notice a change, without showing the number."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else ""


def _plain(value):
    """A fact as JSON gives it back: dates as ISO text, ids and text as they are."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def decision_facts(decision: Decision) -> dict:
    """The decision's own facts, keyed as ``DECISION_FIELDS``, and its award, from a model instance."""
    facts = {key: _plain(getattr(decision, name)) for key, name in _DECISION_ATTNAMES.items()}
    return facts | {"award": decision.dossier.award_type_id}


def decision_facts_of_row(row: dict) -> dict:
    """The same facts from a ``values(*DECISION_COLUMNS)`` row."""
    facts = {key: _plain(row[name]) for key, name in _DECISION_ATTNAMES.items()}
    return facts | {"award": row["dossier__award_type"]}


def awardee_facts(nominee, *, golden_book_number: int | None) -> dict:
    """One awardee's identity and decision, keyed as ``AWARDEE_FIELDS``, from a nominee or a values() row, with the
    golden-book number of its award record under ``GOLDEN_BOOK``."""
    get = nominee.get if isinstance(nominee, dict) else lambda name: getattr(nominee, name)
    facts = {key: _plain(get(name)) for key, name in _AWARDEE_ATTNAMES.items()}
    facts["national_id"] = fingerprint(facts["national_id"])
    return facts | {GOLDEN_BOOK: golden_book_number}


def awardee_facts_of_row(row: dict) -> dict:
    """The same facts from a ``values(*AWARDEE_COLUMNS)`` row."""
    return awardee_facts(row, golden_book_number=row[GOLDEN_BOOK_COLUMN])


def field_label(model, key: str, fields: dict) -> str:
    """The translated name of the field a fact comes from, for the verification's message."""
    if key == "award":
        return str(Dossier._meta.get_field("award_type").verbose_name)
    if key == "dossier":
        return str(Dossier._meta.verbose_name)
    if key == GOLDEN_BOOK:
        return str(AwardRecord._meta.get_field("golden_book_number").verbose_name)
    return str(model._meta.get_field(fields[key]).verbose_name)
