"""Demo data of the organisation: two originating units under a Da Nang ward and one user per role.

Called by ``manage.py seed_demo``; idempotent. Demo users share the password ``demo12345`` in development; in
production (only with ``--allow-production``) they get no usable password and an administrator sets one.
"""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services
from .divisions import official_list
from .models import Branch, Level, Membership, OrgUnit, Role

DEMO_PASSWORD = "demo12345"
WARD_CODE = "20242"  # Phường Hải Châu, Thành phố Đà Nẵng
PROVINCE_CODE = "48"  # Thành phố Đà Nẵng

# (username prefix, branch, level, admin code): the stage units where every role gets a demo user.
STAGE_SEATS = [
    ("hc", Branch.CIVIL, Level.COMMUNE, WARD_CODE),
    ("hcpolice", Branch.SECURITY, Level.COMMUNE, WARD_CODE),
    ("dn", Branch.CIVIL, Level.PROVINCE, PROVINCE_CODE),
    ("dnpolice", Branch.SECURITY, Level.PROVINCE, PROVINCE_CODE),
    ("bca", Branch.SECURITY, Level.MINISTRY, ""),
]
# The heads' titles, printed in the signature block of the decisions they sign (Decree 30/2020 Art 13).
HEAD_POSITIONS = {
    "hc": "Chủ tịch",
    "hcpolice": "Trưởng Công an",
    "dn": "Chủ tịch",
    "dnpolice": "Giám đốc",
    "bca": "Bộ trưởng",
}
ORIGINATING_UNITS = [
    ("tdp12", "Tổ dân phố 12", "TDP12"),
    ("school", "Trường THCS Nguyễn Huệ", "THCSNH"),
]
FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi"]
GIVEN_NAMES = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thị Hà", "Đức Hải", "Thanh Hương", "Hữu Khang"]


def _demo_name(index: int) -> str:
    """Return the ``index``-th demo person's name: no two of the first 64 are alike (nobody seems to vote twice)."""
    round_, family = divmod(index, len(FAMILY_NAMES))
    return f"{FAMILY_NAMES[family]} {GIVEN_NAMES[round_ % len(GIVEN_NAMES)]}"


def _stage_unit(branch: str, level: int, admin_code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(branch=branch, level=level, admin_code=admin_code, is_active=True).first()
    if unit is None:
        raise LookupError(
            _("Unit %(key)s is missing: run import_divisions first.") % {"key": f"{branch}/{level}/{admin_code}"}
        )
    return unit


def _originating_unit(ward: OrgUnit, name: str, short_name: str) -> tuple[OrgUnit, bool]:
    unit = OrgUnit.objects.get_children(ward).filter(name=name).first()
    if unit is not None:
        return unit, False
    return services.orgunit_create(parent=ward, name=name, short_name=short_name, level=Level.UNIT), True


class _People:
    """Create demo users once, with one password hash shared by all (hashing is deliberately slow)."""

    def __init__(self):
        self.password = make_password(None if settings.PRODUCTION else DEMO_PASSWORD)
        self.created = 0
        self.index = 0

    def get(self, username: str, **fields):
        User = get_user_model()
        self.index += 1
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=_demo_name(self.index), password=self.password, **fields)
            user._change_reason = "demo"
            user.save()
            self.created += 1
        return user


def _seat(user, unit: OrgUnit, role: str, **kwargs) -> bool:
    if Membership.objects.active().filter(user=user, unit=unit, role=role).exists():
        return False
    services.membership_grant(user=user, unit=unit, role=role, note="demo", **kwargs)
    return True


@transaction.atomic
def seed(stdout) -> None:
    """Create the organisation's demo data and print the logins."""
    if not OrgUnit.objects.exists():
        services.divisions_import(divisions=official_list())
        stdout.write(_("Imported the official administrative divisions."))
    people = _People()
    granted = 0
    table: list[tuple[str, str, str]] = []
    ward = _stage_unit(Branch.CIVIL, Level.COMMUNE, WARD_CODE)
    stage_units = {}
    for prefix, branch, level, code in STAGE_SEATS:
        unit = stage_units[prefix] = _stage_unit(branch, level, code)
        for role in Role:
            position = {"position": HEAD_POSITIONS[prefix]} if role == Role.APPROVER else {}
            user = people.get(f"{prefix}.{role.value}", email=f"{prefix}.{role.value}@demo.meritflow.local", **position)
            granted += _seat(user, unit, role)
            table.append((user.username, role.label, unit.name))
    for prefix, name, short_name in ORIGINATING_UNITS:
        unit, _created = _originating_unit(ward, name, short_name)
        user = people.get(f"{prefix}.submitter", email=f"{prefix}.submitter@demo.meritflow.local")
        granted += _seat(user, unit, Role.SUBMITTER)
        table.append((user.username, Role.SUBMITTER.label, unit.name))

    # The Da Nang chair's deputy signs while the chair is away: a delegation, which always has an end date.
    head = get_user_model().objects.get(username="dn.approver")
    deputy = people.get("dn.deputy", email="dn.deputy@demo.meritflow.local", position="Phó Chủ tịch")
    until = timezone.localdate() + datetime.timedelta(days=90)
    granted += _seat(deputy, stage_units["dn"], Role.APPROVER, acting_for=head, valid_to=until)
    table.append((deputy.username, f"{Role.APPROVER.label} ({head.username})", stage_units["dn"].name))

    superuser = people.get("admin", is_staff=True, is_superuser=True, email="admin@demo.meritflow.local")
    table.append((superuser.username, _("superuser"), "—"))

    stdout.write(
        _("Demo users: %(created)d created, %(granted)d roles granted.")
        % {"created": people.created, "granted": granted}
    )
    width = max(len(row[0]) for row in table)
    role_width = max(len(str(row[1])) for row in table)
    for username, role, unit_name in table:
        stdout.write(f"  {username:<{width}}  {role!s:<{role_width}}  {unit_name}")
    if settings.PRODUCTION:
        stdout.write(_("Demo users have no usable password in production: set one in the admin."))
    else:
        stdout.write(_("Password for every demo user: %(password)s") % {"password": DEMO_PASSWORD})
