"""Bulk onboarding: users and their memberships from a CSV or XLSX file, all or nothing."""

import datetime
import functools
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Choices
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from guardian.utils import get_group_obj_perms_model
from simple_history.utils import bulk_create_with_history

from web.spreadsheets import MISSING_COLUMNS, Column, RowCheck, RowError, TableError, parse_date_cell, read_table

from .. import selectors
from ..invitations import invitation_link
from ..models import Branch, Level, Membership, OrgUnit, Role
from ..roles import PERMISSION_APP, ROLE_PERMISSIONS
from ..signals import users_imported, users_invited
from .memberships import role_group_name

# Messages of the users import, one constant each so that callers can recognise them.
UNKNOWN_LANGUAGE = gettext_lazy("This language is not available.")
NO_USERNAME = gettext_lazy("The username is empty.")
BAD_USERNAME = gettext_lazy(
    "The username “%(value)s” may have at most 150 characters: letters, digits and @ . + - _ only."
)
BAD_EMAIL = gettext_lazy("The e-mail address “%(value)s” is not valid.")
BAD_ROLE = gettext_lazy("Unknown role “%(value)s”; use one of: %(choices)s.")
BAD_BRANCH = gettext_lazy("Unknown branch “%(value)s”; use one of: %(choices)s.")
BAD_LEVEL = gettext_lazy("Unknown level “%(value)s”; use one of: %(choices)s.")
BAD_PERIOD = gettext_lazy("The end date is before the start date.")
NO_UNIT = gettext_lazy("Give the unit as unit_id, unit_path, or branch and admin_code.")
UNKNOWN_UNIT = gettext_lazy("No active unit matches “%(value)s”.")
AMBIGUOUS_UNIT = gettext_lazy("Several units match “%(value)s”; add the level column (commune or province).")
UNIT_OUT_OF_SCOPE = gettext_lazy("You do not administer the unit “%(value)s”.")
CONFLICTING_USER = gettext_lazy("The user “%(value)s” appears on row %(row)d with a different name or e-mail.")
DUPLICATE_ROW = gettext_lazy("The same role at the same unit is already on row %(row)d.")

MAX_USERNAME = 150
UNIT_COLUMNS = ("unit_id", "unit_path", "admin_code")

# The columns of the users file: the template's headers in Vietnamese and English, and what else is accepted.
USER_COLUMNS = (
    Column("username", "Tên đăng nhập", "Username", (), True, "an.nguyen", "an.nguyen"),
    Column("full_name", "Họ và tên", "Full name", (), False, "Nguyễn Văn An", "Nguyen Van An"),
    Column("email", "Thư điện tử", "E-mail", ("e-mail", "email"), False, "an@example.vn", "an@example.vn"),
    Column("role", "Vai trò", "Role", (), True, Role.APPRAISER, Role.APPRAISER),
    Column("branch", "Khối", "Branch", (), False, Branch.CIVIL, Branch.CIVIL),
    Column("level", "Cấp", "Level", (), False, Level.COMMUNE, Level.COMMUNE),
    Column("admin_code", "Mã đơn vị", "Unit code", ("mã hành chính",), False, "20242", "20242"),
    Column("unit_id", "Số hiệu đơn vị", "Unit number", (), False, "", ""),
    Column("unit_path", "Đường dẫn đơn vị", "Unit path", (), False, "", ""),
    Column("valid_from", "Từ ngày", "Valid from", (), False, "01/01/2026", "01/01/2026"),
    Column("valid_to", "Đến ngày", "Valid to", (), False, "", ""),
)
USER_NOTES = (
    gettext_lazy("Give the unit by its branch, level and administrative code, by its number or by its path."),
    gettext_lazy("Role, branch and level: the names listed in the administration, in Vietnamese or English."),
    gettext_lazy("Valid from and valid to: dd/mm/yyyy; an empty start is today."),
)


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
    check: RowCheck
    unit: OrgUnit | None = None


@functools.cache
def _labels(choices) -> dict[str, object]:
    """Every name a choice is accepted by: its value, its label in each language of the interface, a level's slug."""
    names = {level.slug: level.value for level in Level} if choices is Level else {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.update({str(label).casefold(): value for value, label in choices.choices})
    names.update({str(value).casefold(): value for value, _label in choices.choices})
    return names


def _choice(value, choices, message):
    """The value of ``choices`` (a ``Choices`` class) that ``value`` names, else ``ValidationError(message)``."""
    found = _labels(choices).get(str(value).strip().casefold())
    if found is None:
        labels = ", ".join(str(label) for _value, label in choices.choices)
        raise ValidationError(message % {"value": value, "choices": labels})
    return found


def users_template_columns() -> list[Column]:
    """The users file's columns with their examples named in the user's language."""
    return [
        replace(column, example_vi=str(column.example_vi.label), example_en=str(column.example_en.label))
        if isinstance(column.example_vi, Choices)
        else column
        for column in USER_COLUMNS
    ]


def _parse_row(cells: dict, check: RowCheck) -> _Row | None:
    """Return the row's values, or ``None`` with every problem of the row recorded in ``check``."""
    username = str(cells.get("username", "")).strip()
    if not username:
        check.add("username", NO_USERNAME)
    else:
        try:
            UnicodeUsernameValidator()(username)
            if len(username) > MAX_USERNAME:
                raise ValidationError(BAD_USERNAME)
        except ValidationError:
            check.add("username", BAD_USERNAME % {"value": username})
    email = str(cells.get("email", "")).strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            check.add("email", BAD_EMAIL % {"value": email})
    role = check.parse("role", lambda: _choice(cells.get("role", ""), Role, BAD_ROLE))
    if cells.get("unit_id") not in ("", None):
        unit_key = ("id", str(cells["unit_id"]).removesuffix(".0"))
    elif cells.get("unit_path"):
        unit_key = ("path", str(cells["unit_path"]).upper())
    elif cells.get("branch") and cells.get("admin_code") not in ("", None):
        branch = check.parse("branch", lambda: _choice(cells["branch"], Branch, BAD_BRANCH))
        level = None
        if cells.get("level"):
            level = check.parse("level", lambda: _choice(cells["level"], Level, BAD_LEVEL))
        unit_key = ("code", branch, level, str(cells["admin_code"]).removesuffix(".0"))
    else:
        check.add("", NO_UNIT)
        unit_key = ()
    valid_from = check.parse("valid_from", lambda: parse_date_cell(cells.get("valid_from")) or timezone.localdate())
    valid_to = check.parse("valid_to", lambda: parse_date_cell(cells.get("valid_to")))
    if valid_from and valid_to and valid_to < valid_from:
        check.add("valid_to", BAD_PERIOD)
    if not check.ok:
        return None
    return _Row(
        number=check.number,
        username=username,
        full_name=str(cells.get("full_name", "")).strip(),
        email=email,
        role=role,
        unit_key=unit_key,
        valid_from=valid_from,
        valid_to=valid_to,
        check=check,
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
        column = {"id": "unit_id", "path": "unit_path", "code": "admin_code"}[row.unit_key[0]]
        if not matches:
            row.check.add(column, UNKNOWN_UNIT % {"value": label})
            continue
        if len(matches) > 1:
            row.check.add(column, AMBIGUOUS_UNIT % {"value": label})
            continue
        row.unit = matches[0]
        if admin_paths is not None and not any(row.unit.path.startswith(path) for path in admin_paths):
            row.check.add(column, UNIT_OUT_OF_SCOPE % {"value": row.unit.name})
            continue
        first = first_of_user.setdefault(row.username, row)
        if (first.full_name, first.email) != (row.full_name, row.email):
            row.check.add("username", CONFLICTING_USER % {"value": row.username, "row": first.number})
        seat = (row.username, row.unit.pk, row.role)
        if (first_seat := first_of_seat.setdefault(seat, row)) is not row:
            row.check.add("", DUPLICATE_ROW % {"row": first_seat.number})
    for row in rows:
        report.errors.extend(row.check.errors)


@transaction.atomic
def users_import(*, file, actor) -> UsersImportReport:
    """Create the users and memberships listed in a CSV or XLSX file, all or nothing.

    Columns: username, full_name, email, role, the unit (``unit_id``, ``unit_path``, or ``branch`` +
    ``admin_code`` with ``level`` when a code is both a province's and a commune's), valid_from, valid_to.
    Every bad row is reported with its spreadsheet row number and nothing is saved. Existing users (by username)
    keep their profile and get the new memberships; a membership already held for the same period is left
    alone, so a file can be imported twice. New users get no usable password: each with an e-mail address is sent
    an invitation to choose one (``users_invite``). A non-superuser actor may only import into units they
    administer.
    """
    report = UsersImportReport()
    try:
        table = read_table(file, columns=USER_COLUMNS)
    except TableError as exc:
        report.errors.append(exc.error)
        return report
    report.rows = len(table.rows)
    if not set(table.headers) & set(UNIT_COLUMNS):
        names = " | ".join(column.header for column in USER_COLUMNS if column.field in UNIT_COLUMNS)
        report.errors.append(RowError(1, str(MISSING_COLUMNS % {"columns": names})))
        return report
    rows = []
    for number, cells in table.rows:
        check = table.check(number, USER_COLUMNS)
        if (row := _parse_row(cells, check)) is not None:
            rows.append(row)
        else:
            report.errors.extend(check.errors)
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
    users_invite(users=[users[user.username] for user in new_users], actor=actor)
    return report


def users_invite(*, users, actor) -> int:
    """Send a one-time link to choose a password to each person with an e-mail address who has none yet; return
    how many were sent. The e-mails go through the notifications app's outbox (``users_invited``), written in the
    caller's transaction (one INSERT) and delivered after its commit.
    """
    invitations = [(user, invitation_link(user)) for user in users if user.email and not user.has_usable_password()]
    if invitations:
        users_invited.send(sender=Membership, invitations=invitations, actor=actor)
    return len(invitations)


@transaction.atomic
def invitation_accept(*, user, password: str) -> None:
    """Set the password the invited person chose (the link's checks are done by the page)."""
    user.set_password(password)
    user._change_reason = "invitation accepted"
    user._history_user = user
    user.save(update_fields=["password"])


@transaction.atomic
def user_language_set(*, user, language: str) -> None:
    """Save the person's interface language, which is also the language of the e-mails they receive."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(UNKNOWN_LANGUAGE, code="unknown_language")
    if user.language == language:
        return
    user.language = language
    user._change_reason = "Interface language changed"
    user.save(update_fields=["language"])
