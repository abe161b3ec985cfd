"""The unit tree: adding units, and building or updating both branches from the official divisions."""

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from ..divisions import BranchSpec, DivisionDataError, DivisionList, UnitSpec, branch_specs
from ..models import Level, OrgUnit
from .memberships import user_groups_sync


@transaction.atomic
def orgunit_create(
    *, parent: OrgUnit, name: str, level: int, short_name: str = "", admin_code: str = "", actor=None
) -> OrgUnit:
    """Add a unit under ``parent`` in the parent's branch (an originating unit, a department...)."""
    if level > parent.level:
        raise ValidationError(_("A unit cannot rank above the unit it belongs to."))
    unit = OrgUnit(
        branch=parent.branch, level=level, name=name, short_name=short_name, admin_code=admin_code, path="", depth=0
    )
    unit.full_clean(exclude=["path", "depth", "numchild"])
    unit._change_reason = "created"
    unit._history_user = actor
    return OrgUnit.objects.add_child(parent, instance=unit)


@dataclass
class BranchImportReport:
    """What ``divisions_import`` did to one branch."""

    branch: str
    created: int = 0
    unchanged: int = 0
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


_SYNCED_FIELDS = ("name", "short_name", "search_name", "division_type", "is_active")


def _describe_changes(unit: OrgUnit, spec: UnitSpec) -> list[str]:
    """Apply ``spec`` to ``unit`` in memory and describe what changed."""
    changes = []
    if unit.name != spec.name:
        changes.append(_("renamed from “%(old)s”") % {"old": unit.name})
    if not unit.is_active:
        changes.append(_("reactivated"))
    if (unit.short_name, unit.division_type) != (spec.short_name, spec.division_type):
        changes.append(_("abbreviation or type changed"))
    unit.name, unit.short_name, unit.division_type, unit.is_active = (
        spec.name,
        spec.short_name,
        spec.division_type,
        True,
    )
    unit.refresh_search_name()
    return changes


class _PathAllocator:
    """Hand out treebeard paths for new children, after the last existing child of each parent."""

    def __init__(self, parents: list[OrgUnit]):
        self.last_step: Counter[str] = Counter()
        self.added: Counter[str] = Counter()
        depths = {parent.depth + 1 for parent in parents}
        prefixes = sorted({parent.path[: OrgUnit.steplen] for parent in parents})
        paths = OrgUnit.objects.subtree_of(*prefixes).filter(depth__in=depths).values_list("path", flat=True)
        for path in paths:
            parent, step = path[: -OrgUnit.steplen], OrgUnit._str2int(path[-OrgUnit.steplen :])
            self.last_step[parent] = max(self.last_step[parent], step)

    def child_of(self, parent: OrgUnit) -> tuple[str, int]:
        self.last_step[parent.path] += 1
        self.added[parent.path] += 1
        return OrgUnit._get_path(parent.path, parent.depth + 1, self.last_step[parent.path]), parent.depth + 1

    def create(self, units: list[OrgUnit], *, actor) -> None:
        """Bulk-create the new units with their history and count them in their parents' ``numchild``."""
        bulk_create_with_history(units, OrgUnit, batch_size=500, default_user=actor, default_change_reason="imported")
        by_count: dict[int, list[str]] = {}
        for path, count in self.added.items():
            by_count.setdefault(count, []).append(path)
        for count, paths in by_count.items():
            OrgUnit.objects.filter(path__in=paths).update(numchild=F("numchild") + count)


def _new_unit(branch: str, spec: UnitSpec, allocator: _PathAllocator, parent: OrgUnit) -> OrgUnit:
    path, depth = allocator.child_of(parent)
    unit = OrgUnit(
        branch=branch,
        level=spec.level,
        admin_code=spec.admin_code,
        name=spec.name,
        short_name=spec.short_name,
        division_type=spec.division_type,
        path=path,
        depth=depth,
        numchild=0,
    )
    unit.refresh_search_name()  # bulk_create does not call save()
    return unit


def _branch_root(spec: BranchSpec, *, actor, report: BranchImportReport, changed: list[OrgUnit]) -> OrgUnit:
    root = OrgUnit.objects.get_root_nodes().filter(branch=spec.branch, level=spec.root.level).first()
    if root is None:
        root = OrgUnit(branch=spec.branch, level=spec.root.level, name=spec.root.name, short_name=spec.root.short_name)
        root._change_reason = "imported"
        root._history_user = actor
        report.created += 1
        return OrgUnit.objects.add_root(instance=root)
    if changes := _describe_changes(root, spec.root):
        report.updated.append(f"{root.name}: {', '.join(changes)}")
        changed.append(root)
    else:
        report.unchanged += 1
    return root


def _sync_units(
    specs, existing: dict, parent_of, *, report: BranchImportReport, changed: list[OrgUnit], moved: dict
) -> list[tuple[UnitSpec, OrgUnit]]:
    """Update the existing units of ``specs`` in memory; return the specs still to create with their parents."""
    missing = []
    for unit_spec in specs:
        unit = existing.get((unit_spec.level, unit_spec.admin_code))
        if unit is None:
            missing.append((unit_spec, parent_of(unit_spec)))
            continue
        changes = _describe_changes(unit, unit_spec)
        if unit.pk in moved:
            changes.append(moved[unit.pk])
        if changes:
            changed.append(unit)
            report.updated.append(f"{unit.name}: {', '.join(changes)}")
        else:
            report.unchanged += 1
    return missing


def _province_of(provinces: dict[str, OrgUnit]):
    def parent_of(unit_spec: UnitSpec) -> OrgUnit:
        try:
            return provinces[unit_spec.parent_code]
        except KeyError:
            raise DivisionDataError(
                _("Commune %(code)s belongs to province %(province)s, which is not in the list.")
                % {"code": unit_spec.admin_code, "province": unit_spec.parent_code}
            ) from None

    return parent_of


def _branch_sync(spec: BranchSpec, *, actor) -> BranchImportReport:
    report = BranchImportReport(branch=spec.branch)
    changed: list[OrgUnit] = []
    moved: dict[int, str] = {}
    root = _branch_root(spec, actor=actor, report=report, changed=changed)
    existing = {
        (unit.level, unit.admin_code): unit
        for unit in OrgUnit.objects.filter(
            branch=spec.branch, level__in=(Level.PROVINCE, Level.COMMUNE), path__startswith=root.path
        ).exclude(admin_code="")
    }

    # Provinces first: a commune may move to a province that is new in this edition.
    missing = _sync_units(spec.provinces, existing, lambda _spec: root, report=report, changed=changed, moved=moved)
    allocator = _PathAllocator([root] if missing else [])
    new_provinces = [_new_unit(spec.branch, unit_spec, allocator, parent) for unit_spec, parent in missing]
    allocator.create(new_provinces, actor=actor)
    provinces = {unit.admin_code: unit for (level, _code), unit in existing.items() if level == Level.PROVINCE}
    provinces.update({unit.admin_code: unit for unit in new_provinces})
    parent_of = _province_of(provinces)

    # Then moves (treebeard rewrites the whole subtree's paths), before any commune path is allocated.
    for unit_spec in spec.communes:
        unit = existing.get((Level.COMMUNE, unit_spec.admin_code))
        if unit is None:
            continue
        parent = parent_of(unit_spec)
        if unit.path[: -OrgUnit.steplen] != parent.path:
            old_parent = OrgUnit.objects.get_parent(unit)
            OrgUnit.objects.move(unit, parent, pos="last-child")
            unit.refresh_from_db(fields=["path", "depth"])
            unit._change_reason = "moved"
            moved[unit.pk] = _("moved from “%(old)s” to “%(new)s”") % {"old": old_parent, "new": parent}

    missing = _sync_units(spec.communes, existing, parent_of, report=report, changed=changed, moved=moved)
    allocator = _PathAllocator(list({parent.pk: parent for _spec, parent in missing}.values()))
    new_communes = [_new_unit(spec.branch, unit_spec, allocator, parent) for unit_spec, parent in missing]
    allocator.create(new_communes, actor=actor)
    report.created += len(new_provinces) + len(new_communes)

    # A unit dropped from the list is retired, never deleted: memberships, dossiers and history point at it.
    wanted = {(s.level, s.admin_code) for s in (*spec.provinces, *spec.communes)}
    gone = [unit for key, unit in existing.items() if key not in wanted and unit.is_active]
    for unit in gone:
        unit.is_active = False
        unit._change_reason = "deactivated"
        report.deactivated.append(unit.name)
    if changed or gone:
        bulk_update_with_history(
            [*changed, *gone],
            OrgUnit,
            fields=list(_SYNCED_FIELDS),
            batch_size=500,
            default_user=actor,
            default_change_reason="updated",
        )
    for user in get_user_model().objects.filter(memberships__unit__in=gone).distinct():
        user_groups_sync(user=user)
    return report


@transaction.atomic
def divisions_import(*, divisions: DivisionList, actor=None) -> list[BranchImportReport]:
    """Build or update the civil and public-security trees from the official list of divisions.

    Units are matched on (branch, level, administrative code), so a rerun changes nothing; renamed units are
    renamed, units moved to another province are moved with their subtree (memberships and history follow
    the row), and units no longer listed are deactivated, never deleted. New units are bulk-created with
    precomputed materialised paths.
    """
    return [_branch_sync(spec, actor=actor) for spec in branch_specs(divisions)]
