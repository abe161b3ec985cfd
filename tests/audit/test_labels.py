"""A ledger entry's data reads in people's words: every key has its label, ids and codes their names.

Every key a ledger entry's data is written with has its words in ``audit.labels.DATA_KEYS``.
The keys are read from the source: each call of ``record`` (``audit.services.record`` and the apps' wrappers of it)
with a ``data`` argument, whether written in the call, built earlier in the same function (a dict, or keys
assigned one by one) or nested in another key's value. A key without words would reach the ledger's exports as
its code.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from audit import labels
from nominations.models import DocumentKind
from tests.world import build_world

APPS = ["config", "org_hierarchy", "audit", "notifications", "nominations", "documents", "workflows", "reports", "api"]
RECORDERS = {"record", "_record"}


def _keys(node, built: dict[str, list]) -> set[str]:
    """The constant string keys of a dict (and of the dicts in its values, lists and comprehensions)."""
    keys = set()
    if isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.add(key.value)
            if value is not None:
                keys |= _keys(value, built)
    elif isinstance(node, ast.Name):
        for value in built.get(node.id, []):
            keys |= _keys(value, {})
    elif isinstance(node, ast.List | ast.Tuple):
        for element in node.elts:
            keys |= _keys(element, built)
    elif isinstance(node, ast.ListComp | ast.DictComp):
        keys |= _keys(node.elt if isinstance(node, ast.ListComp) else node.value, built)
    return keys


def _outer_functions(tree):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            yield node
        elif isinstance(node, ast.ClassDef):
            yield from (item for item in node.body if isinstance(item, ast.FunctionDef))


def written_keys() -> dict[str, str]:
    """Every data key a ledger entry is written with, and one place that writes it."""
    found = {}
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for function in _outer_functions(ast.parse(path.read_text())):
                built: dict[str, list] = {}
                for node in ast.walk(function):
                    if isinstance(node, ast.Assign):
                        for target in node.targets:
                            if isinstance(target, ast.Name):
                                built.setdefault(target.id, []).append(node.value)
                            elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                                built.setdefault(target.value.id, []).append(ast.Dict([target.slice], [node.value]))
                for node in ast.walk(function):
                    if not isinstance(node, ast.Call):
                        continue
                    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                    data = next((keyword.value for keyword in node.keywords if keyword.arg == "data"), None)
                    if name in RECORDERS and data is not None:
                        place = f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}"
                        for key in _keys(data, built):
                            found.setdefault(key, place)
    return found


def test_the_source_is_read_for_the_keys_it_writes():
    keys = written_keys()
    # Written in the call, built before it, nested in a list of dicts, assigned one by one.
    for key in ("nominee", "opinion", "memberships", "unit_id", "letter_number"):
        assert key in keys, key
    assert len(keys) > 40, keys


def test_every_key_written_to_the_ledger_has_its_words():
    missing = {key: place for key, place in written_keys().items() if key not in labels.DATA_KEYS}
    assert not missing, missing


def test_a_key_without_words_would_show_as_its_code():
    assert labels.data_text({"recovery_codes_left": 3}) == f"{labels.DATA_KEYS['recovery_codes_left']}: 3"
    assert labels.data_text({"planted_key": 3}) == "planted key: 3"


@pytest.mark.django_db
def test_units_document_kinds_and_days_read_by_their_names():
    world = build_world()
    report = DocumentKind.objects.get(code="achievement_report")
    data = {
        "to": world.danang_pc.pk,
        "route": [world.haichau_pc.pk, world.danang_pc.pk],
        "kind": report.code,
        "memberships": [{"unit_id": world.school.pk, "role": "submitter", "valid_from": "2026-01-05"}],
    }
    with translation.override("en"):
        names = labels.names_of([data, {"kind": "day_off", "day": "2026-02-16"}])
        assert labels.data_text(data, names=names) == (
            f"kind: {report.name}; roles granted: unit: Trường THCS Nguyễn Huệ; role: Submitter; "
            "valid from: 05/01/2026; route: Ủy ban nhân dân Phường Hải Châu, Ủy ban nhân dân Thành phố Đà Nẵng; "
            "to unit: Ủy ban nhân dân Thành phố Đà Nẵng"
        )
        assert labels.data_text({"kind": "day_off", "day": "2026-02-16"}) == "day: 16/02/2026; kind: Day off"
    # A unit no longer there keeps its number.
    assert labels.data_text({"to": 987654}) == f"{labels.DATA_KEYS['to']}: 987654"


@pytest.mark.django_db
def test_names_cost_one_query_per_kind_of_name_whatever_the_entries(django_assert_num_queries):
    world = build_world()
    units = [world.haichau_pc, world.danang_pc, world.school, world.hanoi_pc]
    few = [{"to": unit.pk, "kind": "achievement_report"} for unit in units[:2]]
    many = [{"to": unit.pk, "route": [u.pk for u in units], "kind": "achievement_report"} for unit in units]
    for data in (few, many):
        with django_assert_num_queries(2):
            labels.names_of(data)
