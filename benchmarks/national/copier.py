"""Copy the rows one real dossier lifecycle wrote, as many times as wanted, with every reference remapped.

A *template* is everything the real services wrote while one dossier was made and driven to its state: the rows
of every model whose primary key grew in that time (the dossier, its nominees and attachments, the process, its
tasks and ``task_previous`` links, every ``Historical*`` row, the decision and award records, notifications and
ledger entries). Nothing here names those tables: the models are walked through ``_meta``, so whatever rows a
workflow step writes, the copy writes the same.

A copy gives every row a fresh primary key from a reserved range and rewrites each reference:

- a foreign key (or a historical row's original id, or a generic ``*_type`` + ``*_id`` pair) pointing into the
  template moves with the copy; one pointing at the template's commune or province, or at one of their officers,
  moves to the copy's locality; anything else (award types, the ministry, content types) stays;
- JSON payloads (task data, process route, ledger data) are rewritten by their known keys (nominee, unit and
  user ids, the golden-book numbers a decision certifies);
- texts that quote the template (its title, letter number, unit and officer names, nominee names, decision
  number) quote the copy;
- decisions and submission letters take the next number of their issuer's counter (Decree 30/2020: numbers
  restart each year), award records the next golden-book numbers of their issuer and fresh verification codes;
- ledger entries take the next sequence and are chained with ``audit.chain.entry_hash``, so ``verify_audit``
  passes over the whole ledger.

Rows go in with PostgreSQL's ``COPY`` (``bulk_create`` in batches elsewhere), one transaction per flush;
sequences are reset afterwards.
"""

import datetime
import functools
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from viewflow.workflow.models import Process, Task

from audit.chain import GENESIS_HASH, HASHED_FIELDS, OPTIONAL_HASHED_FIELDS, entry_hash, normalise_data
from audit.models import ChainHead, LedgerEntry
from nominations.certification import GOLDEN_BOOK
from nominations.models import (
    Attachment,
    AwardRecord,
    Decision,
    DecisionCounter,
    Dossier,
    GoldenBookCounter,
    Nominee,
    SubmissionLetter,
    SubmissionLetterCounter,
)
from nominations.services.decisions import verification_code
from notifications.models import OutgoingEmail
from org_hierarchy.models import OrgUnit

# Rows kept once for the whole database, written by the copier itself rather than copied.
SHARED_MODELS = (ChainHead, DecisionCounter, GoldenBookCounter, SubmissionLetterCounter)
# Rows a lifecycle writes that belong to the moment it ran: an e-mail in the outbox copied would be sent again.
NOT_COPIED = (OutgoingEmail,)

# JSON keys whose values are ids (or lists of ids, or mappings keyed by id) of the models named.
JSON_UNIT_KEYS = frozenset({"to", "issuer", "collective"})
JSON_UNIT_LIST_KEYS = frozenset({"route", "consult_unit_ids", "consulted", "units"})
JSON_USER_KEYS = frozenset({"signer", "acting_for", "user"})
JSON_ID_KEYS = {
    "nominee": Nominee,
    "attachment": Attachment,
    "decision": Decision,
    "dossier": Dossier,
    "letter": SubmissionLetter,
}
JSON_NOMINEE_MAPS = frozenset({"recommendations", "ballots", "nominees", "dropped", "awardees"})

# Links stored in notifications: the ids they carry, in order.
URL_IDS = (
    (re.compile(r"^/nomination/(\d+)/\w+/(\d+)/$"), (Process, Task)),
    (re.compile(r"^/dossiers/(\d+)/$"), (Dossier,)),
)

BATCH = 2000


def _concrete_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy and isinstance(model._meta.pk, models.AutoField | models.BigAutoField)
    ]


def high_water() -> dict[type[models.Model], int]:
    """Return the largest primary key of every model: what a template is measured from."""
    marks = {}
    for model in _concrete_models():
        marks[model] = model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0
    return marks


@dataclass
class Template:
    """The rows one lifecycle wrote, per model, with the places the template's own ids, units and users sit."""

    dossier_id: int
    title: str
    letter_number: str
    units: dict[int, str]  # unit id -> key ("civil-commune", "security-province", ...)
    users: dict[int, tuple[str, str]]  # user id -> (unit key, role)
    texts: dict[str, str]  # quoted text -> key of its replacement
    rows: dict[type[models.Model], list[list]] = field(default_factory=dict)
    ranges: dict[type[models.Model], tuple[int, int]] = field(default_factory=dict)
    ops: dict[type[models.Model], list[list[tuple]]] = field(default_factory=dict)
    # On PostgreSQL: each row already in COPY's text format, so a copy formats only the columns it changes.
    lines: dict[type[models.Model], list[list[str]]] = field(default_factory=dict)
    decision: tuple[int, int, str, int] | None = None  # issuer, year, symbol, number
    letters: dict[int, tuple[int, int, str]] = field(default_factory=dict)  # letter id -> issuer, year, symbol
    golden_numbers: list[int] = field(default_factory=list)  # the award records' golden-book numbers
    codes: list[str] = field(default_factory=list)  # and their verification codes


class Copier:
    """Make templates from real lifecycles and write copies of them at other localities."""

    def __init__(self):
        self.user_model = get_user_model()
        self.content_models = {ct.pk: ct.model_class() for ct in ContentType.objects.all()}
        self.content_names = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
        self.plans: dict[type[models.Model], list[tuple]] = {}
        self.next_pk: dict[type[models.Model], int] = {}
        self.pending: dict[type[models.Model], list] = defaultdict(list)
        self.pending_ledger: list[LedgerEntry] = []
        self.counters: dict[tuple[type[models.Model], int, int], int] = {}  # (counter model, issuer, year) -> last
        self.golden_counters: dict[int, int] = {}
        self.head: tuple[int, str] | None = None
        self.short_names: dict[int, str] = {}

    # Templates --------------------------------------------------------------------------------------------------

    def capture(self, marks, *, dossier, units: dict[str, OrgUnit], seats: dict[tuple[int, str], object]) -> Template:
        """Collect what was written since ``marks`` for ``dossier``, made with ``units`` (key -> unit)."""
        unit_keys = {unit.pk: key for key, unit in units.items()}
        users = {user.pk: (unit_keys[unit_id], role) for (unit_id, role), user in seats.items() if unit_id in unit_keys}
        texts = {unit.name: f"unit:{key}" for key, unit in units.items()}
        texts |= {
            seats[unit.pk, role].get_full_name(): f"user:{key}:{role}"
            for unit_id, (key, role) in users.items()
            for unit in [units[key]]
        }
        template = Template(
            dossier_id=dossier.pk,
            title=dossier.title,
            letter_number=dossier.letter_number,
            units=unit_keys,
            users=users,
            texts=texts,
        )
        template.texts[dossier.title] = "title"
        if dossier.letter_number:
            template.texts[dossier.letter_number] = "letter"
        for letter in SubmissionLetter.objects.filter(dossier=dossier).order_by("pk"):
            template.letters[letter.pk] = (letter.issuer_unit_id, letter.year, letter.symbol)
            template.texts[letter.number_display] = f"letter:{letter.pk}"
        for index, name in enumerate(dossier.nominees.order_by("pk").values_list("full_name", flat=True)):
            template.texts.setdefault(name, f"nominee:{index}")
        decision = Decision.objects.filter(dossier=dossier).first()
        if decision is not None:
            template.decision = (decision.issuer_unit_id, decision.year, decision.symbol, decision.number)
            template.texts[decision.number_display] = "decision"
            template.texts[decision.symbol] = "symbol"
            awards = AwardRecord.objects.filter(decision=decision).order_by("pk")
            template.golden_numbers = [n for n in awards.values_list("golden_book_number", flat=True) if n]
            template.codes = [code for code in awards.values_list("verification_code", flat=True) if code]
        for model in _concrete_models():
            if model in SHARED_MODELS or model in NOT_COPIED:
                continue
            fields = model._meta.concrete_fields
            attnames = [f.attname for f in fields]
            rows = [
                list(row)
                for row in model._base_manager.filter(pk__gt=marks[model]).order_by("pk").values_list(*attnames)
            ]
            # Fields that turn their column into an object (viewflow's flow and task references) keep the column.
            stored = [index for index, f in enumerate(fields) if _converts(f)]
            for row in rows:
                for index in stored:
                    row[index] = fields[index].get_prep_value(row[index])
            if rows:
                template.rows[model] = rows
        for model, rows in template.rows.items():
            pk_index = self._pk_index(model)
            pks = [row[pk_index] for row in rows]
            template.ranges[model] = (min(pks), max(pks))
        for model, rows in template.rows.items():
            template.ops[model] = [self._row_ops(template, model, row) for row in rows]
            # Ledger entries are chained when written, from their values.
            if connection.vendor == "postgresql" and model is not LedgerEntry:
                json_columns = _json_columns(model)
                template.lines[model] = [
                    [_copy_text(value, index in json_columns) for index, value in enumerate(row)] for row in rows
                ]
        return template

    def _pk_index(self, model) -> int:
        return [f.attname for f in model._meta.concrete_fields].index(model._meta.pk.attname)

    def _plan(self, model) -> list[tuple]:
        """How each column of ``model`` is remapped: (kind, argument) per concrete field."""
        if model in self.plans:
            return self.plans[model]
        fields = list(model._meta.concrete_fields)
        names = [f.attname for f in fields]
        original = getattr(model, "instance_type", None)  # simple-history: the model a historical row copies
        plan = []
        for f in fields:
            if f.primary_key:
                plan.append(("id", model))
            elif f.is_relation and f.related_model is ContentType:
                plan.append(("keep", None))
            elif f.is_relation:
                related = f.related_model._meta.concrete_model
                if related is OrgUnit:
                    plan.append(("unit", None))
                elif related is self.user_model:
                    plan.append(("user", None))
                else:
                    plan.append(("id", related))
            elif original is not None and f.attname == original._meta.pk.attname:
                plan.append(("id", original._meta.concrete_model))
            elif isinstance(f, models.JSONField):
                plan.append(("json", None))
            elif isinstance(f, models.CharField | models.TextField):
                plan.append(
                    ("generic", names.index(_type_partner(f.attname, names)))
                    if _type_partner(f.attname, names)
                    else ("text", None)
                )
            elif isinstance(f, models.IntegerField) and _type_partner(f.attname, names):
                plan.append(("generic", names.index(_type_partner(f.attname, names))))
            else:
                plan.append(("keep", None))
        self.plans[model] = plan
        return plan

    def _row_ops(self, template: Template, model, row: list) -> list[tuple]:
        """The changes one template row needs in every copy (columns left out are copied as they are)."""
        ops = []
        for index, (kind, arg) in enumerate(self._plan(model)):
            value = row[index]
            if value is None or kind == "keep":
                continue
            if kind == "id" and arg in template.ranges and _within(value, template.ranges[arg]):
                ops.append((index, "id", arg))
            elif kind == "unit" and value in template.units:
                ops.append((index, "unit", template.units[value]))
            elif kind == "user" and value in template.users:
                ops.append((index, "user", template.users[value]))
            elif kind == "generic":
                target = self.content_models.get(row[arg])
                target = target._meta.concrete_model if target is not None else None
                number = int(value) if str(value).isdigit() else None
                if number is None or target is None:
                    continue
                if target is OrgUnit and number in template.units:
                    ops.append((index, "unit", template.units[number]))
                elif target is self.user_model and number in template.users:
                    ops.append((index, "user", template.users[number]))
                elif target in template.ranges and _within(number, template.ranges[target]):
                    ops.append((index, "id", target))
            elif kind == "text" and isinstance(value, str) and _link(value):
                ops.append((index, "url", None))
            elif kind == "text" and isinstance(value, str):
                quoted = sorted((text for text in template.texts if text and text in value), key=len, reverse=True)
                if quoted:
                    ops.append((index, "text", quoted))
            elif kind == "json" and value:
                ops.append((index, "json", None))
        attnames = [f.attname for f in model._meta.concrete_fields]
        if model._meta.concrete_model is Decision or getattr(model, "instance_type", None) is Decision:
            ops.append((attnames.index("number"), "number", None))
        if model._meta.concrete_model is AwardRecord or getattr(model, "instance_type", None) is AwardRecord:
            for name, kind in (("golden_book_number", "golden"), ("verification_code", "code")):
                if row[attnames.index(name)] is not None:
                    ops.append((attnames.index(name), kind, None))
        if model._meta.concrete_model is SubmissionLetter or getattr(model, "instance_type", None) is SubmissionLetter:
            letter = row[attnames.index("id")]
            ops.append((attnames.index("number"), "letter", letter))
            ops.append((attnames.index("symbol"), "letter_symbol", letter))
        return ops

    # Copies -----------------------------------------------------------------------------------------------------

    def copy(self, template: Template, *, units: dict[str, OrgUnit], seats, index: int, names: list[str]) -> int:
        """Queue one copy of ``template`` at ``units`` as the ``index``-th dossier, its nominees called ``names``;
        return the id the copied dossier will have."""
        self._reserve(template)
        delta = {model: self.next_pk[model] - low for model, (low, _high) in template.ranges.items()}
        for model, (low, high) in template.ranges.items():
            self.next_pk[model] += high - low + 1
        unit_ids = {key: unit.pk for key, unit in units.items()}
        user_ids = {
            (key, role): seats[units[key].pk, role].pk
            for key, role in set(template.users.values())
            if (units[key].pk, role) in seats
        }
        number = None
        golden: dict[int, int] = {}
        if template.decision is not None:
            issuer, year, _symbol, _number = template.decision
            issuer = unit_ids.get(template.units.get(issuer), issuer)
            number = self._next_number(DecisionCounter, issuer, year)
            numbers = self._golden_numbers(issuer, len(template.golden_numbers))
            golden = dict(zip(template.golden_numbers, numbers, strict=True))
        letters = {}
        for letter, (issuer, year, symbol) in template.letters.items():
            issuer_copy = unit_ids.get(template.units.get(issuer), issuer)
            letters[letter] = (
                self._next_number(SubmissionLetterCounter, issuer_copy, year),
                self._symbol(template, units, issuer, symbol),
            )
        replace = self._replacements(template, units, seats, index, names, number, letters)
        context = _Context(
            delta=delta,
            unit_ids=unit_ids,
            user_ids=user_ids,
            units_by_id={pk: unit_ids[key] for pk, key in template.units.items()},
            users_by_id={pk: user_ids[seat] for pk, seat in template.users.items() if seat in user_ids},
            replace=replace,
            number=number,
            letters=letters,
            golden=golden,
            codes={code: verification_code() for code in template.codes},
        )
        for model, rows in template.rows.items():
            model_ops = template.ops[model]
            pending = self.pending[model]
            lines = template.lines.get(model)
            if lines is None:
                for row, ops in zip(rows, model_ops, strict=True):
                    values = row.copy()
                    for column, kind, arg in ops:
                        values[column] = context.apply(kind, arg, values[column])
                    pending.append(values)
                continue
            json_columns = _json_columns(model)
            for row, ops, line in zip(rows, model_ops, lines, strict=True):
                text = line.copy()
                for column, kind, arg in ops:
                    text[column] = _copy_text(context.apply(kind, arg, row[column]), column in json_columns)
                pending.append("\t".join(text))
        return template.dossier_id + delta[Dossier]

    def _replacements(self, template, units, seats, index, names, number, letters) -> dict[str, str]:
        replace = {f"unit:{key}": unit.name for key, unit in units.items()}
        for key, role in template.users.values():
            officer = seats.get((units[key].pk, role))
            if officer is not None:
                replace[f"user:{key}:{role}"] = officer.get_full_name()
        prefix = template.title.rsplit(" (", 1)[0]
        replace["title"] = f"{prefix} ({index + 1})"
        replace["letter"] = re.sub(r"^\d+", str(index + 1), template.letter_number)
        for position, name in enumerate(names):
            replace[f"nominee:{position}"] = name
        for letter, (letter_number, symbol) in letters.items():
            replace[f"letter:{letter}"] = f"{letter_number:02d}/{symbol}"
        if template.decision is not None:
            issuer, _year, symbol, _number = template.decision
            replace["symbol"] = self._symbol(template, units, issuer, symbol)
            replace["decision"] = f"{number:02d}/{replace['symbol']}"
        # Every text the template quotes maps to its replacement (or stays when none applies).
        return {text: replace.get(key, text) for text, key in template.texts.items()}

    def _symbol(self, template: Template, units, issuer: int, symbol: str) -> str:
        """The symbol of a document ``issuer`` gave in the template, as the copy's issuer gives it."""
        if issuer not in self.short_names:
            self.short_names[issuer] = OrgUnit.objects.get(pk=issuer).short_name
        old = self.short_names[issuer]
        new = units[template.units[issuer]].short_name if issuer in template.units else old
        return symbol.replace(old, new)

    def _reserve(self, template: Template) -> None:
        for model in template.ranges:
            if model not in self.next_pk:
                self.next_pk[model] = (model._base_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1

    def _next_number(self, counter_model: type[models.Model], issuer: int, year: int) -> int:
        key = (counter_model, issuer, year)
        if key not in self.counters:
            counter = counter_model.objects.filter(issuer_unit_id=issuer, year=year).first()
            self.counters[key] = counter.last_number if counter else 0
        self.counters[key] += 1
        return self.counters[key]

    def _golden_numbers(self, issuer: int, count: int) -> range:
        if issuer not in self.golden_counters:
            counter = GoldenBookCounter.objects.filter(issuer_unit_id=issuer).first()
            self.golden_counters[issuer] = counter.last_number if counter else 0
        first = self.golden_counters[issuer] + 1
        self.golden_counters[issuer] += count
        return range(first, first + count)

    # Writing ----------------------------------------------------------------------------------------------------

    def flush(self) -> int:
        """Write the queued copies in one transaction; return the number of rows written."""
        written = 0
        with transaction.atomic():
            for model, rows in self.pending.items():
                attnames = [f.attname for f in model._meta.concrete_fields]
                if model is LedgerEntry:
                    rows = self._chain(rows, attnames)
                if connection.vendor == "postgresql":
                    _copy_in(model, rows if isinstance(rows[0], str) else _lines(model, rows))
                else:
                    objects = [model(**dict(zip(attnames, _loaded(model, row), strict=True))) for row in rows]
                    model._base_manager.bulk_create(objects, batch_size=BATCH)
                written += len(rows)
            for (counter_model, issuer, year), number in self.counters.items():
                counter_model.objects.update_or_create(
                    issuer_unit_id=issuer, year=year, defaults={"last_number": number}
                )
            for issuer, number in self.golden_counters.items():
                GoldenBookCounter.objects.update_or_create(issuer_unit_id=issuer, defaults={"last_number": number})
            if self.head is not None:
                ChainHead.objects.filter(pk=1).update(sequence=self.head[0], hash=self.head[1])
        self.pending.clear()
        return written

    def _chain(self, rows: list[list], attnames: list[str]) -> list[list]:
        """Give the copied entries the next sequences, in their order, and chain their hashes."""
        if self.head is None:
            head = ChainHead.objects.filter(pk=1).values_list("sequence", "hash").first()
            self.head = head if head else (0, GENESIS_HASH)
        sequence, previous = self.head
        at = {name: attnames.index(name) for name in attnames}
        for row in sorted(rows, key=lambda row: row[at["id"]]):
            sequence += 1
            row[at["sequence"]] = sequence
            row[at["prev_hash"]] = previous
            row[at["data"]] = normalise_data(row[at["data"]])
            fields = {
                name: row[at[name]] for name in (*HASHED_FIELDS, *OPTIONAL_HASHED_FIELDS) if name != "subject_type"
            }
            fields["subject_type"] = self.content_names.get(row[at["subject_type_id"]], "")
            previous = entry_hash(fields)
            row[at["hash"]] = previous
        self.head = (sequence, previous)
        return rows

    def sync(self) -> None:
        """Write what is queued and move the id sequences past it, so the services can write again after it.

        What the copier remembers of the database (next ids, document and golden-book counters, the chain head) is
        read afresh afterwards, since the services move them all.
        """
        self.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_pk))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.next_pk.clear()
        self.counters.clear()
        self.golden_counters.clear()
        self.head = None


@dataclass
class _Context:
    delta: dict
    unit_ids: dict[str, int]
    user_ids: dict[tuple[str, str], int]
    units_by_id: dict[int, int]
    users_by_id: dict[int, int]
    replace: dict[str, str]
    number: int | None
    letters: dict[int, tuple[int, str]]
    golden: dict[int, int]
    codes: dict[str, str]

    def apply(self, kind: str, arg, value):
        if kind == "id":
            return _same_type(value, int(value) + self.delta[arg])
        if kind == "unit":
            return _same_type(value, self.unit_ids[arg])
        if kind == "user":
            return _same_type(value, self.user_ids.get(arg, int(value)))
        if kind == "text":
            # One pass, longest text first: a replacement is never replaced again (a symbol inside a new number).
            pattern = "|".join(re.escape(text) for text in sorted(arg, key=len, reverse=True))
            return re.sub(pattern, lambda match: self.replace[match.group(0)], value)
        if kind == "number":
            return self.number
        if kind == "letter":
            return self.letters[int(arg)][0]
        if kind == "letter_symbol":
            return self.letters[int(arg)][1]
        if kind == "golden":
            return self.golden[int(value)]
        if kind == "code":
            return self.codes[value]
        if kind == "url":
            return _relink(value, self.delta)
        return self.json(value, None)

    def json(self, value, key):
        if isinstance(value, dict):
            if key in JSON_NOMINEE_MAPS:
                return {str(self.json_id(Nominee, item)): self.json(val, None) for item, val in value.items()}
            return {item: self.json(val, item) for item, val in value.items()}
        if isinstance(value, list):
            if key in JSON_UNIT_LIST_KEYS:
                return [self.json_unit(item) for item in value]
            return [self.json(item, None) for item in value]
        if key in JSON_UNIT_KEYS:
            return self.json_unit(value)
        if key in JSON_USER_KEYS and isinstance(value, int):
            return self.user_of(value)
        if key in JSON_ID_KEYS:
            return self.json_id(JSON_ID_KEYS[key], value)
        if key == "number" and isinstance(value, str):
            return self.replace.get(value, value)
        if key == "number" and isinstance(value, int) and self.number is not None:
            return self.number
        if key == GOLDEN_BOOK and isinstance(value, int):
            return self.golden[value]
        if isinstance(value, str) and value in self.replace:
            return self.replace[value]
        return value

    def json_id(self, model, value):
        return _same_type(value, int(value) + self.delta[model]) if model in self.delta else value

    def json_unit(self, value):
        if isinstance(value, list) and len(value) == 2:  # [level, unit id]
            return [value[0], self.json_unit(value[1])]
        return value if not isinstance(value, int) else self.units_by_id.get(value, value)

    def user_of(self, value):
        return self.users_by_id.get(value, value)


def _converts(f) -> bool:
    return hasattr(f, "from_db_value") and not isinstance(f, models.JSONField)


def _loaded(model, row: list) -> list:
    """The row as the model holds it: columns that fields turn into objects are turned into them again."""
    return [
        f.from_db_value(value, None, connection) if _converts(f) else value
        for f, value in zip(model._meta.concrete_fields, row, strict=True)
    ]


@functools.cache
def _json_columns(model) -> frozenset[int]:
    return frozenset(index for index, f in enumerate(model._meta.concrete_fields) if isinstance(f, models.JSONField))


def _lines(model, rows: list[list]) -> list[str]:
    json_columns = _json_columns(model)
    return ["\t".join(_copy_text(value, index in json_columns) for index, value in enumerate(row)) for row in rows]


def _copy_in(model, lines: list[str]) -> None:
    """Write ``lines`` (rows in COPY's text format) with PostgreSQL's COPY, the fastest way in."""
    buffer = io.StringIO("\n".join(lines) + "\n")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN", buffer
        )


def _copy_text(value, is_json: bool) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if is_json:
        value = json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    elif isinstance(value, datetime.date | datetime.time):
        value = value.isoformat()
    else:
        value = str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _type_partner(attname: str, names: list[str]) -> str | None:
    """The content type column of a generic reference (``subject_id`` -> ``subject_type_id``), if any."""
    for suffix in ("_object_id", "_obj_pk", "_id"):
        if attname.endswith(suffix):
            stem = attname[: -len(suffix)]
            for partner in (f"{stem}_content_type_id", f"{stem}_type_id"):
                if partner in names:
                    return partner
    return None


def _link(value: str) -> bool:
    return any(pattern.match(value) for pattern, _targets in URL_IDS)


def _relink(value: str, delta: dict) -> str:
    """Move the ids a stored link carries (process and task, or dossier) with the copy."""
    for pattern, targets in URL_IDS:
        match = pattern.match(value)
        if match is None:
            continue
        parts, last = [], 0
        for group, target in enumerate(targets, start=1):
            start, end = match.span(group)
            number = int(match.group(group))
            parts += [value[last:start], str(number + delta[target] if target in delta else number)]
            last = end
        return "".join([*parts, value[last:]])
    return value


def _within(value, bounds: tuple[int, int]) -> bool:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return False
    return bounds[0] <= number <= bounds[1]


def _same_type(old, new: int):
    return str(new) if isinstance(old, str) else new
