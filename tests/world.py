"""A small two-branch organisation tree shaped like the imported national one, for tests.

The names and codes are the real ones of Da Nang (province code 48) and Hanoi (code 1), so routing and
locality lookups behave as on the full import.
"""

from dataclasses import dataclass

from org_hierarchy.models import Branch, Level, OrgUnit


@dataclass
class World:
    government: OrgUnit
    danang_pc: OrgUnit
    haichau_pc: OrgUnit
    thanhkhe_pc: OrgUnit
    residential_group: OrgUnit
    school: OrgUnit
    danang_department: OrgUnit
    hanoi_pc: OrgUnit
    badinh_pc: OrgUnit
    mps: OrgUnit
    danang_police: OrgUnit
    haichau_police: OrgUnit
    thanhkhe_police: OrgUnit
    hanoi_police: OrgUnit
    badinh_police: OrgUnit


def _child(parent: OrgUnit, **fields) -> OrgUnit:
    return OrgUnit.objects.add_child(parent, instance=OrgUnit(branch=parent.branch, **fields))


def build_world() -> World:
    """Create the tree; callers add people with ``org_hierarchy.services``."""
    government = OrgUnit.objects.add_root(
        instance=OrgUnit(name="Chính phủ", short_name="TTg", branch=Branch.CIVIL, level=Level.CENTRAL)
    )
    danang_pc = _child(
        government, name="Ủy ban nhân dân Thành phố Đà Nẵng", short_name="UBND", level=Level.PROVINCE, admin_code="48"
    )
    haichau_pc = _child(
        danang_pc, name="Ủy ban nhân dân Phường Hải Châu", short_name="UBND", level=Level.COMMUNE, admin_code="20242"
    )
    thanhkhe_pc = _child(
        danang_pc, name="Ủy ban nhân dân Phường Thanh Khê", short_name="UBND", level=Level.COMMUNE, admin_code="20209"
    )
    residential_group = _child(haichau_pc, name="Tổ dân phố 12, Phường Hải Châu", short_name="TDP12", level=Level.UNIT)
    school = _child(haichau_pc, name="Trường THCS Nguyễn Huệ", short_name="THCSNH", level=Level.UNIT)
    danang_department = _child(danang_pc, name="Sở Nội vụ Thành phố Đà Nẵng", short_name="SNV", level=Level.UNIT)
    hanoi_pc = _child(
        government, name="Ủy ban nhân dân Thành phố Hà Nội", short_name="UBND", level=Level.PROVINCE, admin_code="1"
    )
    badinh_pc = _child(
        hanoi_pc, name="Ủy ban nhân dân Phường Ba Đình", short_name="UBND", level=Level.COMMUNE, admin_code="4"
    )
    mps = OrgUnit.objects.add_root(
        instance=OrgUnit(name="Bộ Công an", short_name="BCA", branch=Branch.SECURITY, level=Level.MINISTRY)
    )
    danang_police = _child(
        mps, name="Công an Thành phố Đà Nẵng", short_name="CATP", level=Level.PROVINCE, admin_code="48"
    )
    haichau_police = _child(
        danang_police, name="Công an Phường Hải Châu", short_name="CAP", level=Level.COMMUNE, admin_code="20242"
    )
    thanhkhe_police = _child(
        danang_police, name="Công an Phường Thanh Khê", short_name="CAP", level=Level.COMMUNE, admin_code="20209"
    )
    hanoi_police = _child(mps, name="Công an Thành phố Hà Nội", short_name="CATP", level=Level.PROVINCE, admin_code="1")
    badinh_police = _child(
        hanoi_police, name="Công an Phường Ba Đình", short_name="CAP", level=Level.COMMUNE, admin_code="4"
    )
    return World(
        **{name: OrgUnit.objects.get(pk=unit.pk) for name, unit in locals().items() if isinstance(unit, OrgUnit)}
    )
