"""State changes of the organisation: memberships, delegations and the guardian grants that follow them.

Each role at each unit has one group (``unit-<pk>-<role>``) holding that role's object permission on the unit:
a few rows per unit, never per dossier. A user is in the group exactly while one of their memberships for that
unit and role is in force. Services re-synchronise a user's groups on every change, and
``memberships_sync_due`` (run by the timer dispatcher) catches memberships that start or expire by date.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import selectors
from .divisions import BranchSpec, DivisionDataError, DivisionList, UnitSpec, branch_specs
from .models import Level, Membership, OrgUnit
from .roles import permission_for
from .signals import membership_changed

GROUP_PREFIX = "unit-"


def role_group_name(*, unit_id: int, role: str) -> str:
    return f"{GROUP_PREFIX}{unit_id}-{role}"


def role_group(*, unit: OrgUnit, role: str) -> Group:
    """Return the unit's group for ``role``, creating it with its object permission the first time."""
    group, created = Group.objects.get_or_create(name=role_group_name(unit_id=unit.pk, role=role))
    if created:
        assign_perm(permission_for(role), group, unit)
    return group


def user_groups_sync(*, user) -> None:
    """Make the user's unit role groups match their memberships in force today."""
    wanted = {
        role_group(unit=m.unit, role=m.role)
        for m in Membership.objects.active().filter(user=user, unit__is_active=True).select_related("unit")
    }
    current = set(user.groups.filter(name__startswith=GROUP_PREFIX))
    if stale := current - wanted:
        user.groups.remove(*stale)
    if missing := wanted - current:
        user.groups.add(*missing)
    selectors.forget_seats(user)
    # ModelBackend and guardian cache permissions on the user object.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_viewflow_per_object_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def _save_with_reason(instance, *, actor, reason: str) -> None:
    instance.full_clean()
    instance._change_reason = reason
    if actor is not None:
        instance._history_user = actor
    instance.save()


@transaction.atomic
def membership_grant(
    *,
    user,
    unit: OrgUnit,
    role: str,
    actor=None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
    acting_for=None,
    note: str = "",
) -> Membership:
    """Give ``user`` a role at ``unit`` for a period; with ``acting_for`` it is a delegation from that head."""
    if acting_for is not None:
        if acting_for == user:
            raise ValidationError(_("A person cannot act for themselves."))
        if valid_to is None:
            raise ValidationError(_("A delegation needs an end date."))
    membership = Membership(
        user=user,
        unit=unit,
        role=role,
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
        acting_for=acting_for,
        note=note,
    )
    _save_with_reason(membership, actor=actor, reason="delegated" if acting_for else "granted")
    user_groups_sync(user=user)
    membership_changed.send(
        sender=Membership, membership=membership, action="delegated" if acting_for else "granted", actor=actor
    )
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, actor=None, on: datetime.date | None = None) -> Membership:
    """End a membership at the close of ``on`` (yesterday by default, so it grants nothing from now)."""
    end = on or timezone.localdate() - datetime.timedelta(days=1)
    if end < membership.valid_from:
        # A membership ended before it began never applied: withdraw it, keeping the record valid.
        return membership_revoke(membership=membership, actor=actor, reason=_("Ended before it started."))
    membership.valid_to = end
    _save_with_reason(membership, actor=actor, reason="ended")
    user_groups_sync(user=membership.user)
    membership_changed.send(sender=Membership, membership=membership, action="ended", actor=actor)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, actor=None, reason: str = "") -> Membership:
    """Withdraw a membership at once; it stays on record with who revoked it and why."""
    if membership.revoked_at is not None:
        return membership
    membership.revoked_at = timezone.now()
    membership.revoked_by = actor
    if reason:
        membership.note = f"{membership.note}\n{reason}".strip()
    _save_with_reason(membership, actor=actor, reason=reason or "revoked")
    user_groups_sync(user=membership.user)
    membership_changed.send(sender=Membership, membership=membership, action="revoked", actor=actor)
    return membership


def memberships_sync_due(*, on: datetime.date | None = None) -> int:
    """Re-synchronise the groups of users whose memberships started or expired recently; return how many.

    Run by the timer dispatcher. Access checks read memberships by date anyway, so this only keeps the
    guardian tables (and so viewflow's queue) in step with the calendar.
    """
    on = on or timezone.localdate()
    window = on - datetime.timedelta(days=2)
    user_ids = set(
        Membership.objects.filter(valid_from__gt=window, valid_from__lte=on).values_list("user_id", flat=True)
    ) | set(Membership.objects.filter(valid_to__gte=window, valid_to__lt=on).values_list("user_id", flat=True))
    for user in get_user_model().objects.filter(pk__in=user_ids):
        with transaction.atomic():
            user_groups_sync(user=user)
    return len(user_ids)


@dataclass
class BranchImportReport:
    """What ``divisions_import`` did to one branch."""

    branch: str
    created: int = 0
    unchanged: int = 0
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)


_SYNCED_FIELDS = ("name", "short_name", "division_type", "is_active")


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
    return OrgUnit(
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


def _branch_root(spec: BranchSpec, *, actor, report: BranchImportReport, changed: list[OrgUnit]) -> OrgUnit:
    root = OrgUnit.get_root_nodes().filter(branch=spec.branch, level=spec.root.level).first()
    if root is None:
        root = OrgUnit(branch=spec.branch, level=spec.root.level, name=spec.root.name, short_name=spec.root.short_name)
        root._change_reason = "imported"
        root._history_user = actor
        report.created += 1
        return OrgUnit.add_root(instance=root)
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
            old_parent = unit.get_parent()
            unit.move(parent, pos="last-child")
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
