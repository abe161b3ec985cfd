"""Checks ``verify_audit`` runs against the current state: what the ledger says was decided must still hold."""

from collections import Counter, defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from .certification import (
    AWARDEE_COLUMNS,
    AWARDEE_FIELDS,
    DECISION_COLUMNS,
    DECISION_FIELDS,
    awardee_facts_of_row,
    decision_facts_of_row,
    field_label,
    fingerprint,
)
from .models import AwardRecord, Decision, Nominee


def decision_facts_match(entries):
    """Yield each ``decision.issued`` entry whose decision no longer certifies what the entry recorded.

    The decision's number, year, date, issuer, award, signer and principal, each awardee's identity, outcome and
    golden-book number,
    the set of nominees it awards and the award register's rows for it are read in three queries per chunk and
    compared with the entry; the message names the decision, the dossier and the first field that differs.
    An awarded outcome is final: only a revocation (Law 06/2022 ch. VII) may undo it, and that records its own
    entry. Any other difference was written outside the application. Entries written before the certified facts
    were recorded are checked on what they hold: the number and the outcomes.
    """
    decision_ids = {entry.data["decision"] for entry in entries if isinstance(entry.data.get("decision"), int)}
    awarded_ids = {int(pk) for entry in entries for pk in entry.data.get("nominees", {})}
    decisions = {row["pk"]: row for row in Decision.objects.filter(pk__in=decision_ids).values(*DECISION_COLUMNS)}
    nominees = {
        row["pk"]: row
        for row in Nominee.objects.filter(Q(pk__in=awarded_ids) | Q(decision_id__in=decision_ids)).values(
            *AWARDEE_COLUMNS
        )
    }
    records = defaultdict(list)
    for decision_id, *record in AwardRecord.objects.filter(decision_id__in=decision_ids).values_list(
        "decision_id", "subject_name", "national_id", "collective_unit_id", "decision_number", "decision_date"
    ):
        records[decision_id].append(record)
    for entry in entries:
        why = _difference(entry, decisions, nominees, records)
        if why:
            yield entry, why


def _difference(entry, decisions, nominees, records) -> str | None:
    data = entry.data
    if "decision" not in data:
        return None
    named = _("Decision %(number)s of dossier “%(dossier)s”") % {
        "number": data.get("number", ""),
        "dossier": entry.subject_text,
    }
    decision = decisions.get(data.get("decision"))
    if decision is None:
        return _("%(decision)s: the decision no longer exists.") % {"decision": named}
    certified = data.get("certified", {})
    current = decision_facts_of_row(decision)
    number = f"{decision['number']:02d}/{decision['symbol']}"
    for key, recorded in certified.items():
        if current.get(key) != recorded:
            return _differs(named, field_label(Decision, key, DECISION_FIELDS))
    if number != data.get("number"):
        return _differs(named, field_label(Decision, "number", DECISION_FIELDS))
    for pk, outcome in data.get("nominees", {}).items():
        row = nominees.get(int(pk))
        if row is None:
            return _("%(decision)s: an awardee no longer exists.") % {"decision": named}
        if row["outcome"] != outcome:
            return _("%(decision)s: a nominee awarded by this decision no longer has that outcome.") % {
                "decision": named
            }
    awardees = data.get("awardees", {})
    for pk, recorded in awardees.items():
        facts = awardee_facts_of_row(nominees[int(pk)])
        for key, value in recorded.items():
            if facts.get(key) != value:
                return _("%(decision)s: the %(field)s of awardee “%(name)s” differs from what the ledger recorded.") % {
                    "decision": named,
                    "field": field_label(Nominee, key, AWARDEE_FIELDS),
                    "name": recorded.get("name", ""),
                }
    if certified:
        extra = {pk for pk, row in nominees.items() if row["decision_id"] == decision["pk"]} - {
            int(pk) for pk in data.get("nominees", {})
        }
        if extra:
            return _("%(decision)s: nominees it did not award are now linked to it.") % {"decision": named}
        return _register_difference(named, data, certified, awardees, records.get(decision["pk"], []))
    return None


def _register_difference(named, data, certified, awardees, records) -> str | None:
    """The award register's rows of the decision must be its awardees, with its number and date."""
    recorded = Counter((facts["name"], facts["national_id"], facts["collective"]) for facts in awardees.values())
    current = Counter((name, fingerprint(national_id), unit) for name, national_id, unit, _number, _date in records)
    if recorded != current:
        return _("%(decision)s: the award register no longer lists exactly the awardees it recorded.") % {
            "decision": named
        }
    for *_identity, number, date in records:
        if number != data.get("number") or (date.isoformat() if date else None) != certified.get("date"):
            return _("%(decision)s: the award register gives it another number or date.") % {"decision": named}
    return None


def _differs(named: str, field: str) -> str:
    return _("%(decision)s: its %(field)s in the database differs from what the ledger recorded.") % {
        "decision": named,
        "field": field,
    }
