"""People's words for what a ledger entry stores as codes: the role, the stage's level and the entry's data.

The ledger keeps codes (``appraiser``, ``commune``, ``{"nominee": 9}``) because its hash covers them; pages and
exports show these labels instead, in the reader's language.
"""

import datetime
import re
from collections.abc import Callable, Iterable
from functools import cache

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from org_hierarchy.models import Level, OrgUnit, Role, User

from . import facets

# The keys that the services write into an entry's data, and what each one means.
DATA_KEYS = {
    "against": gettext_lazy("against"),
    "attachment": gettext_lazy("file"),
    "ballots": gettext_lazy("votes"),
    "code": gettext_lazy("code"),
    "count": gettext_lazy("number"),
    "created": gettext_lazy("newly created"),
    "deadline": gettext_lazy("deadline"),
    "decision": gettext_lazy("decision"),
    "dropped": gettext_lazy("nominees dropped"),
    "fields": gettext_lazy("fields changed"),
    "file": gettext_lazy("file"),
    "for": gettext_lazy("for"),
    "kind": gettext_lazy("kind"),
    "letter_number": gettext_lazy("submission letter number"),
    "members": gettext_lazy("council members"),
    "name": gettext_lazy("name"),
    "nominee": gettext_lazy("nominee"),
    "nominees": gettext_lazy("nominees"),
    "note": gettext_lazy("note"),
    "number": gettext_lazy("number"),
    "opinion": gettext_lazy("opinion"),
    "outcome": gettext_lazy("outcome"),
    "passed": gettext_lazy("passed"),
    "present": gettext_lazy("present"),
    "recommendations": gettext_lazy("recommended"),
    "returned_by": gettext_lazy("returned by"),
    "role": gettext_lazy("role"),
    "route": gettext_lazy("route"),
    "sha256": gettext_lazy("file fingerprint"),
    "task": gettext_lazy("step"),
    "to": gettext_lazy("to unit"),
    "units": gettext_lazy("units consulted"),
    "user": gettext_lazy("person"),
    "user_id": gettext_lazy("person no."),
    "valid_from": gettext_lazy("valid from"),
    "valid_to": gettext_lazy("valid to"),
    "version": gettext_lazy("revision"),
    "working_days": gettext_lazy("working days"),
    "posting": gettext_lazy("public posting no."),
    "posted": gettext_lazy("nominees posted"),
    "opens_on": gettext_lazy("posted on"),
    "closes_on": gettext_lazy("open until"),
    "comments": gettext_lazy("comments received"),
    "received_from": gettext_lazy("received from"),
    "acting_for": gettext_lazy("acting for"),
    "agrees": gettext_lazy("agrees"),
    "consulted": gettext_lazy("units consulted"),
    "minutes": gettext_lazy("council minutes"),
    "return_reason": gettext_lazy("reason for return"),
    "unit": gettext_lazy("unit"),
    # What a decision certifies (``nominations.certification``).
    "award": gettext_lazy("award type"),
    "awardees": gettext_lazy("awardees"),
    "born": gettext_lazy("date of birth"),
    "certified": gettext_lazy("certified"),
    "collective": gettext_lazy("collective"),
    "date": gettext_lazy("date"),
    "dossier": gettext_lazy("dossier no."),
    # Documents asked for again, sign-in lockouts and second-factor resets.
    "documents": gettext_lazy("documents (nos.)"),
    "devices": gettext_lazy("devices removed"),
    "ip_address": gettext_lazy("client address"),
    "username": gettext_lazy("user name"),
    "gender": gettext_lazy("gender"),
    "golden_book": gettext_lazy("golden-book number"),
    "issuer": gettext_lazy("issuing unit"),
    "national_id": gettext_lazy("citizen ID number (fingerprint)"),
    "position": gettext_lazy("position"),
    "signer": gettext_lazy("signer"),
    "symbol": gettext_lazy("symbol"),
    "workplace": gettext_lazy("workplace"),
    "year": gettext_lazy("year"),
    # Revocations, forwards, releases, reports, the calendar, imports of people and the second factor.
    "awards": gettext_lazy("awards (nos.)"),
    "campaign": gettext_lazy("campaign no."),
    "counts": gettext_lazy("figures"),
    "day": gettext_lazy("day"),
    "id": gettext_lazy("no."),
    "letter": gettext_lazy("submission letter"),
    "memberships": gettext_lazy("roles granted"),
    "reasons": gettext_lazy("reasons"),
    "recovery_codes": gettext_lazy("recovery codes issued"),
    "recovery_codes_left": gettext_lazy("recovery codes left"),
    "reference": gettext_lazy("legal reference"),
    "removed": gettext_lazy("removed"),
    "revocation": gettext_lazy("revocation no."),
    "revoked_on": gettext_lazy("revoked on"),
    "rows": gettext_lazy("rows"),
    "step": gettext_lazy("step"),
    "unit_id": gettext_lazy("unit"),
    "users_created": gettext_lazy("people created"),
}
# What a step decided (``workflows.models.StageOutcome``, which audit cannot import).
OUTCOMES = {
    "proceed": gettext_lazy("sent to the council"),
    "consult": gettext_lazy("opinions requested"),
    "return": gettext_lazy("returned for supplement"),
    "reject": gettext_lazy("rejected"),
    "forward": gettext_lazy("forwarded to the level above"),
    "decide": gettext_lazy("decided"),
}
# The keys whose values are units' ids: shown by the unit's name.
UNIT_KEYS = frozenset({"to", "returned_by", "route", "units", "consulted", "unit_id", "issuer", "collective"})
# The keys whose values are keyed by nominees' ids ({"ballots": {"9": {…}}}): each key is shown as the nominee's
# name, looked up with the nominees of the other keys (``nominee``, ``posted``).
BY_NOMINEE = frozenset({"nominees", "recommendations", "ballots", "dropped", "awardees", "reasons"})
NOMINEE = "nominee"
# What a decision certifies names its signer and the head it was signed for by their accounts' ids.
PERSON = "person"
# The keys whose values are named as another key's are.
NAMED_AS = {"posted": NOMINEE, "signer": PERSON, "acting_for": PERSON}
# ``names(values)`` returns {stored value as a string: its name} for the given stored values, in one query.
Names = Callable[[set[str]], dict[str, str]]


def _person_names(values: set[str]) -> dict[str, str]:
    ids = [int(value) for value in values if value.isdigit()]
    return {str(pk): name for pk, name in User.objects.filter(pk__in=ids).values_list("pk", "full_name")}


_names: dict[str, list[Names]] = {PERSON: [_person_names]}


def register_names(key: str, names: Names) -> None:
    """Name the values stored under ``key`` (codes or ids of the registering app's rows) where entries are read.

    ``audit`` imports no domain app: the app that writes a key's codes registers, from its ``AppConfig.ready``,
    how to name them (a document kind's code, a calendar day's kind, an award type's id).
    """
    _names.setdefault(key, []).append(names)


def _unit_names(values: set[str]) -> dict[str, str]:
    ids = [int(value) for value in values if value.isdigit()]
    return {str(pk): name for pk, name in OrgUnit.objects.filter(pk__in=ids).values_list("pk", "name")}


def _named_as(key: str) -> str:
    """The key under which the names of ``key``'s values are looked up."""
    return NAMED_AS.get(key, key)


def _stored_values(key: str, value, found: dict[str, set[str]]) -> None:
    if isinstance(value, dict):
        if key in BY_NOMINEE:
            found.setdefault(NOMINEE, set()).update(str(inner_key) for inner_key in value)
        for inner_key, inner in value.items():
            _stored_values(inner_key, inner, found)
    elif isinstance(value, list):
        for item in value:
            _stored_values(key, item, found)
    elif (
        (_named_as(key) in _names or key in UNIT_KEYS) and isinstance(value, str | int) and not isinstance(value, bool)
    ):
        found.setdefault(_named_as(key), set()).add(str(value))


def names_of(data: Iterable[dict]) -> dict[str, dict[str, str]]:
    """The names of the ids and codes the entries' data store, per key: one query per kind of name."""
    found: dict[str, set[str]] = {}
    for item in data:
        _stored_values("", item or {}, found)
    units = set().union(*(values for key, values in found.items() if key in UNIT_KEYS))
    unit_names = _unit_names(units) if units else {}
    names = {key: unit_names for key in found if key in UNIT_KEYS}
    for key, values in found.items():
        for provider in _names.get(key, []):
            names[key] = {**names.get(key, {}), **provider(values)}
    return names


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@cache
def _level_labels() -> dict[str, object]:
    return {Level(value).slug: Level(value).label for value in Level.values}


def role_label(role: str) -> str:
    """Return the role's name (``appraiser`` → the appraiser's title), or "" for none."""
    return str(Role(role).label) if role in Role.values else role


def stage_label(stage: str) -> str:
    """Return the level's name of a stage (``commune`` → "Commune")."""
    label = _level_labels().get(stage)
    return str(label) if label is not None else stage


def _value(key: str, value, outcomes: dict, names: dict) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        return "; ".join(_item(k, v, outcomes, names, within=key) for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(key, item, outcomes, names) for item in value) or "—"
    if value is None or value == "":
        return "—"
    name = names.get(_named_as(key), {}).get(str(value))
    if name is not None:
        return name
    if isinstance(value, str):
        if key == "role":
            return role_label(value)
        if key == "outcome" and value in OUTCOMES:
            return str(OUTCOMES[value])
        if value in outcomes:
            return outcomes[value]
        if ISO_DATE.match(value):
            return formats.date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        if ISO_MOMENT.match(value):
            return formats.date_format(datetime.datetime.fromisoformat(value), "SHORT_DATETIME_FORMAT")
    return str(value)


def _item(key: str, value, outcomes: dict, names: dict, within: str = "") -> str:
    if key.isdigit():
        name = names.get(NOMINEE, {}).get(key, f"#{key}") if within in BY_NOMINEE else f"#{key}"
    else:
        name = str(DATA_KEYS.get(key, key.replace("_", " ")))
    return f"{name}: {_value(key, value, outcomes, names)}"


def data_text(data: dict, *, outcomes: dict | None = None, names: dict | None = None) -> str:
    """Return an entry's data as "name: value; …" in the reader's language ("" for none).

    Units, nominees, files, decisions, steps and the other registered ids and codes read by their names (a row no
    longer there keeps its number): ``names`` is what
    ``names_of`` returned for a batch of entries (looked up for this entry alone when not given).
    """
    if not data:
        return ""
    if outcomes is None:
        outcomes = dict(facets.choices_of(facets.OUTCOME))
    if names is None:
        names = names_of([data])
    return "; ".join(_item(key, value, outcomes, names) for key, value in sorted(data.items()))
