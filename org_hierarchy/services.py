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
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import assign_perm
from guardian.utils import get_group_obj_perms_model
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import selectors
from .divisions import BranchSpec, DivisionDataError, DivisionList, UnitSpec, branch_specs
from .models import Branch, Level, Membership, OrgUnit, Role
from .roles import PERMISSION_APP, ROLE_PERMISSIONS, permission_for
from .signals import membership_changed, users_imported
from .spreadsheets import TableError, read_table

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


def delegation_check(*, user, acting_for, valid_to: datetime.date | None) -> None:
    """Raise ``ValidationError`` unless a delegation (``acting_for`` set) names someone else and has an end date."""
    if acting_for is None:
        return
    if acting_for == user:
        raise ValidationError(_("A person cannot act for themselves."), code="self_delegation")
    if valid_to is None:
        raise ValidationError(_("A delegation needs an end date."), code="open_delegation")


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
    delegation_check(user=user, acting_for=acting_for, valid_to=valid_to)
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


# Messages of the users import; the tests import them.
MISSING_COLUMNS = gettext_lazy("Missing columns: %(columns)s.")
NO_USERNAME = gettext_lazy("The username is empty.")
BAD_USERNAME = gettext_lazy(
    "The username “%(value)s” may have at most 150 characters: letters, digits and @ . + - _ only."
)
BAD_EMAIL = gettext_lazy("The e-mail address “%(value)s” is not valid.")
BAD_ROLE = gettext_lazy("Unknown role “%(value)s”; use one of: %(choices)s.")
BAD_BRANCH = gettext_lazy("Unknown branch “%(value)s”; use one of: %(choices)s.")
BAD_LEVEL = gettext_lazy("Unknown level “%(value)s”; use one of: %(choices)s.")
BAD_DATE = gettext_lazy("“%(value)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY).")
BAD_PERIOD = gettext_lazy("The end date is before the start date.")
NO_UNIT = gettext_lazy("Give the unit as unit_id, unit_path, or branch and admin_code.")
UNKNOWN_UNIT = gettext_lazy("No active unit matches “%(value)s”.")
AMBIGUOUS_UNIT = gettext_lazy("Several units match “%(value)s”; add the level column (commune or province).")
UNIT_OUT_OF_SCOPE = gettext_lazy("You do not administer the unit “%(value)s”.")
CONFLICTING_USER = gettext_lazy("The user “%(value)s” appears on row %(row)d with a different name or e-mail.")
DUPLICATE_ROW = gettext_lazy("The same role at the same unit is already on row %(row)d.")

MAX_USERNAME = 150


@dataclass(frozen=True)
class RowError:
    row: int
    message: str

    def __str__(self):
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class UsersImportReport:
    """What ``users_import`` found in a file and, when it had no error, what it created."""

    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    users_created: int = 0
    users_existing: int = 0
    memberships_created: int = 0
    memberships_unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    username: str
    full_name: str
    email: str
    role: str
    unit_key: tuple
    valid_from: datetime.date
    valid_to: datetime.date | None
    unit: OrgUnit | None = None


def _parse_date(value, *, default=None):
    if value in ("", None):
        return default
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value)
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(BAD_DATE % {"value": text})


def _choice(value, choices, message):
    text = str(value).strip().lower()
    for choice_value, _label in choices:
        if text == str(choice_value):
            return choice_value
    raise ValidationError(message % {"value": value, "choices": ", ".join(str(v) for v, _label in choices)})


_LEVEL_CHOICES = [(level.slug, level.label) for level in Level]


def _parse_row(number: int, cells: dict) -> _Row:
    """Return the row's values, or raise ``ValidationError`` with every problem of the row."""
    problems = []

    def attempt(parse):
        try:
            return parse()
        except ValidationError as exc:
            problems.extend(exc.messages)
            return None

    username = str(cells.get("username", "")).strip()
    if not username:
        problems.append(str(NO_USERNAME))
    else:
        try:
            UnicodeUsernameValidator()(username)
            if len(username) > MAX_USERNAME:
                raise ValidationError(BAD_USERNAME)
        except ValidationError:
            problems.append(str(BAD_USERNAME % {"value": username}))
    email = str(cells.get("email", "")).strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(str(BAD_EMAIL % {"value": email}))
    role = attempt(lambda: _choice(cells.get("role", ""), Role.choices, BAD_ROLE))
    if cells.get("unit_id") not in ("", None):
        unit_key = ("id", str(cells["unit_id"]).removesuffix(".0"))
    elif cells.get("unit_path"):
        unit_key = ("path", str(cells["unit_path"]).upper())
    elif cells.get("branch") and cells.get("admin_code") not in ("", None):
        branch = attempt(lambda: _choice(cells["branch"], Branch.choices, BAD_BRANCH))
        level = None
        if cells.get("level"):
            slug = attempt(lambda: _choice(cells["level"], _LEVEL_CHOICES, BAD_LEVEL))
            level = Level[slug.upper()].value if slug else None
        unit_key = ("code", branch, level, str(cells["admin_code"]).removesuffix(".0"))
    else:
        problems.append(str(NO_UNIT))
        unit_key = ()
    valid_from = attempt(lambda: _parse_date(cells.get("valid_from"), default=timezone.localdate()))
    valid_to = attempt(lambda: _parse_date(cells.get("valid_to")))
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(str(BAD_PERIOD))
    if problems:
        raise ValidationError(problems)
    return _Row(
        number=number,
        username=username,
        full_name=str(cells.get("full_name", "")).strip(),
        email=email,
        role=role,
        unit_key=unit_key,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _describe_key(key: tuple) -> str:
    return key[-1] if key[0] != "code" else f"{key[1]}/{key[3]}"


def _resolve_units(rows: list[_Row]) -> dict[tuple, list[OrgUnit]]:
    """Find the units named by the rows in at most three queries."""
    ids = {key[1] for key in (r.unit_key for r in rows) if key[0] == "id" and key[1].isdigit()}
    paths = {r.unit_key[1] for r in rows if r.unit_key[0] == "path"}
    codes = {r.unit_key[3] for r in rows if r.unit_key[0] == "code"}
    found: dict[tuple, list[OrgUnit]] = {}
    active = OrgUnit.objects.filter(is_active=True)
    for unit in active.filter(pk__in=ids) if ids else ():
        found[("id", str(unit.pk))] = [unit]
    for unit in active.filter(path__in=paths) if paths else ():
        found[("path", unit.path)] = [unit]
    for unit in active.filter(admin_code__in=codes) if codes else ():
        found.setdefault(("code", unit.branch, None, unit.admin_code), []).append(unit)
        found[("code", unit.branch, unit.level, unit.admin_code)] = [unit]
    return found


def _role_groups(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Group]:
    """Return the role groups of many (unit id, role) pairs, creating the missing ones in bulk."""
    names = {role_group_name(unit_id=unit_id, role=role): (unit_id, role) for unit_id, role in pairs}
    groups = {names[g.name]: g for g in Group.objects.filter(name__in=names)}
    new = [Group(name=name) for name, pair in names.items() if pair not in groups]
    if new:
        Group.objects.bulk_create(new)
        new = list(Group.objects.filter(name__in=[g.name for g in new]))
        permissions = {
            p.codename: p
            for p in Permission.objects.filter(
                content_type__app_label=PERMISSION_APP, codename__in=ROLE_PERMISSIONS.values()
            )
        }
        content_type = ContentType.objects.get_for_model(OrgUnit)
        grants = []
        for group in new:
            unit_id, role = names[group.name]
            groups[(unit_id, role)] = group
            grants.append(
                get_group_obj_perms_model()(
                    group=group,
                    permission=permissions[ROLE_PERMISSIONS[role]],
                    content_type=content_type,
                    object_pk=str(unit_id),
                )
            )
        get_group_obj_perms_model().objects.bulk_create(grants)
    return groups


def _check_rows(rows: list[_Row], *, actor, report: UsersImportReport) -> None:
    units = _resolve_units(rows)
    admin_paths = None
    if actor is not None and not actor.is_superuser:
        admin_paths = [seat.path for seat in selectors.seats_of(actor) if seat.role == Role.ADMIN]
    first_of_user: dict[str, _Row] = {}
    first_of_seat: dict[tuple, _Row] = {}
    for row in rows:
        matches = units.get(row.unit_key, [])
        label = _describe_key(row.unit_key)
        if not matches:
            report.errors.append(RowError(row.number, str(UNKNOWN_UNIT % {"value": label})))
            continue
        if len(matches) > 1:
            report.errors.append(RowError(row.number, str(AMBIGUOUS_UNIT % {"value": label})))
            continue
        row.unit = matches[0]
        if admin_paths is not None and not any(row.unit.path.startswith(path) for path in admin_paths):
            report.errors.append(RowError(row.number, str(UNIT_OUT_OF_SCOPE % {"value": row.unit.name})))
            continue
        first = first_of_user.setdefault(row.username, row)
        if (first.full_name, first.email) != (row.full_name, row.email):
            report.errors.append(
                RowError(row.number, str(CONFLICTING_USER % {"value": row.username, "row": first.number}))
            )
        seat = (row.username, row.unit.pk, row.role)
        if (first_seat := first_of_seat.setdefault(seat, row)) is not row:
            report.errors.append(RowError(row.number, str(DUPLICATE_ROW % {"row": first_seat.number})))


@transaction.atomic
def users_import(*, file, actor) -> UsersImportReport:
    """Create the users and memberships listed in a CSV or XLSX file, all or nothing.

    Columns: username, full_name, email, role, the unit (``unit_id``, ``unit_path``, or ``branch`` +
    ``admin_code`` with ``level`` when a code is both a province's and a commune's), valid_from, valid_to.
    Every bad row is reported with its spreadsheet row number and nothing is saved. Existing users (by username)
    keep their profile and get the new memberships; a membership already held for the same period is left
    alone, so a file can be imported twice. New users get no usable password: they set one through the
    password-reset e-mail. A non-superuser actor may only import into units they administer.
    """
    report = UsersImportReport()
    try:
        columns, table = read_table(file)
    except TableError as exc:
        report.errors.append(RowError(1, str(exc)))
        return report
    report.rows = len(table)
    missing = [c for c in ("username", "role") if c not in columns]
    if not set(columns) & {"unit_id", "unit_path", "admin_code"}:
        missing.append("unit_id | unit_path | admin_code")
    if missing:
        report.errors.append(RowError(1, str(MISSING_COLUMNS % {"columns": ", ".join(missing)})))
        return report
    rows = []
    for number, cells in table:
        try:
            rows.append(_parse_row(number, cells))
        except ValidationError as exc:
            report.errors.extend(RowError(number, message) for message in exc.messages)
    _check_rows(rows, actor=actor, report=report)
    if report.errors:
        report.errors.sort(key=lambda error: error.row)
        return report

    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in={r.username for r in rows})}
    report.users_existing = len(users)
    new_users = []
    for row in rows:
        if row.username not in users:
            user = User(username=row.username, full_name=row.full_name, email=row.email)
            user.set_unusable_password()
            users[row.username] = user
            new_users.append(user)
    bulk_create_with_history(new_users, User, batch_size=500, default_user=actor, default_change_reason="imported")
    if new_users:
        # bulk_create returns ids on PostgreSQL and SQLite; read them back by username to be sure of them.
        users.update({u.username: u for u in User.objects.filter(username__in=[u.username for u in new_users])})
    report.users_created = len(new_users)

    held = set(
        Membership.objects.filter(
            user__in=[u.pk for u in users.values()], revoked_at__isnull=True, acting_for__isnull=True
        ).values_list("user_id", "unit_id", "role", "valid_from", "valid_to")
    )
    memberships = []
    for row in rows:
        user = users[row.username]
        if (user.pk, row.unit.pk, row.role, row.valid_from, row.valid_to) in held:
            report.memberships_unchanged += 1
            continue
        memberships.append(
            Membership(user=user, unit=row.unit, role=row.role, valid_from=row.valid_from, valid_to=row.valid_to)
        )
    bulk_create_with_history(
        memberships, Membership, batch_size=500, default_user=actor, default_change_reason="imported"
    )
    report.memberships_created = len(memberships)

    today = timezone.localdate()
    in_force = [m for m in memberships if m.valid_from <= today and (m.valid_to is None or m.valid_to >= today)]
    groups = _role_groups({(m.unit_id, m.role) for m in in_force})
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=m.user.pk, group_id=groups[(m.unit_id, m.role)].pk) for m in in_force],
        ignore_conflicts=True,
    )
    users_imported.send(sender=Membership, actor=actor, report=report, memberships=memberships)
    return report
