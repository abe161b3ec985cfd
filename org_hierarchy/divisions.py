"""The official list of administrative divisions and the units of both branches it gives.

The list is the one in force since 1 July 2025 (34 provinces after Resolution 202/2025/QH15; 3,321 commune-level
units), read from the ``vietnam-provinces`` package or from a later edition in the package's flat JSON format.
Each locality has one People's Committee in the civil branch and one police unit in the public-security branch,
named and abbreviated as on their own documents (``UBND``, ``CAT``, ``CATP``, ``CAP``...), so document numbers
built from ``short_name`` come out right.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _
from vietnam_provinces import Province, VietNamDivisionType, Ward

from .models import Branch, Level


class DivisionDataError(ValueError):
    """The data file cannot be read as a list of divisions."""


@dataclass(frozen=True)
class Division:
    """A province or commune-level unit of the official list."""

    code: str
    name: str
    division_type: str
    province_code: str = ""


@dataclass(frozen=True)
class DivisionList:
    provinces: tuple[Division, ...]
    communes: tuple[Division, ...]


@dataclass(frozen=True)
class UnitSpec:
    """What one unit of a branch must look like; ``parent_code`` is the province code of a commune unit."""

    level: int
    admin_code: str
    name: str
    short_name: str
    division_type: str
    parent_code: str = ""


@dataclass(frozen=True)
class BranchSpec:
    branch: str
    root: UnitSpec
    provinces: tuple[UnitSpec, ...]
    communes: tuple[UnitSpec, ...]


# Provincial police of a centrally-run city is "CATP", of a province "CAT"; commune police by the commune's type.
POLICE_ABBREVIATIONS = {
    str(VietNamDivisionType.THANH_PHO_TRUNG_UONG): "CATP",
    str(VietNamDivisionType.TINH): "CAT",
    str(VietNamDivisionType.XA): "CAX",
    str(VietNamDivisionType.PHUONG): "CAP",
    str(VietNamDivisionType.DAC_KHU): "CAĐK",
}


def _code(value) -> str:
    # Official codes are numbers; the package zero-pads nothing and neither do we ("48", "20242").
    return str(int(value))


def official_list() -> DivisionList:
    """Return the list shipped with the installed ``vietnam-provinces`` package."""
    provinces = tuple(
        Division(code=_code(p.code), name=p.name, division_type=str(p.division_type)) for p in Province.iter_all()
    )
    communes = tuple(
        Division(
            code=_code(w.code), name=w.name, division_type=str(w.division_type), province_code=_code(w.province_code)
        )
        for w in Ward.iter_all()
    )
    return DivisionList(provinces=provinces, communes=communes)


def _commune_type_from_name(name: str) -> str:
    # The flat format carries no type; the official name starts with it.
    for division_type in (VietNamDivisionType.PHUONG, VietNamDivisionType.DAC_KHU):
        if name.lower().startswith(f"{division_type} "):
            return str(division_type)
    return str(VietNamDivisionType.XA)


def _province_type_from_name(name: str) -> str:
    if name.lower().startswith("thành phố "):
        return str(VietNamDivisionType.THANH_PHO_TRUNG_UONG)
    return str(VietNamDivisionType.TINH)


def read_flat_file(path: str | Path) -> DivisionList:
    """Read a later edition in the package's flat format: one record per commune-level unit.

    Each record has ``code``, ``name`` and ``province_name``, and either ``province_code`` or the package's
    ``province_codename``; ``division_type`` is optional (it is the first words of the name).
    """
    try:
        records = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DivisionDataError(_("Cannot read the divisions file: %(error)s") % {"error": exc}) from exc
    if not isinstance(records, list):
        raise DivisionDataError(_("The divisions file must hold a JSON list of commune-level units."))
    known = {p.codename: p for p in Province.iter_all()}
    provinces: dict[str, Division] = {}
    communes: list[Division] = []
    for number, record in enumerate(records, start=1):
        try:
            province_code = record.get("province_code") or known[record["province_codename"]].code
            province = Division(
                code=_code(province_code),
                name=record["province_name"],
                division_type=record.get("province_division_type") or _province_type_from_name(record["province_name"]),
            )
            communes.append(
                Division(
                    code=_code(record["code"]),
                    name=record["name"],
                    division_type=record.get("division_type") or _commune_type_from_name(record["name"]),
                    province_code=province.code,
                )
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise DivisionDataError(
                _("Record %(number)s of the divisions file is incomplete or invalid (%(error)s).")
                % {"number": number, "error": exc}
            ) from exc
        if province.division_type not in POLICE_ABBREVIATIONS or communes[-1].division_type not in POLICE_ABBREVIATIONS:
            raise DivisionDataError(
                _("Record %(number)s of the divisions file has an unknown division type.") % {"number": number}
            )
        provinces.setdefault(province.code, province)
    return DivisionList(provinces=tuple(provinces.values()), communes=tuple(communes))


def _civil(divisions: DivisionList) -> BranchSpec:
    return BranchSpec(
        branch=Branch.CIVIL,
        root=UnitSpec(level=Level.CENTRAL, admin_code="", name="Chính phủ", short_name="TTg", division_type=""),
        provinces=tuple(
            UnitSpec(Level.PROVINCE, p.code, f"Ủy ban nhân dân {p.name}", "UBND", p.division_type)
            for p in divisions.provinces
        ),
        communes=tuple(
            UnitSpec(Level.COMMUNE, c.code, f"Ủy ban nhân dân {c.name}", "UBND", c.division_type, c.province_code)
            for c in divisions.communes
        ),
    )


def _security(divisions: DivisionList) -> BranchSpec:
    return BranchSpec(
        branch=Branch.SECURITY,
        root=UnitSpec(level=Level.MINISTRY, admin_code="", name="Bộ Công an", short_name="BCA", division_type=""),
        provinces=tuple(
            UnitSpec(
                Level.PROVINCE, p.code, f"Công an {p.name}", POLICE_ABBREVIATIONS[p.division_type], p.division_type
            )
            for p in divisions.provinces
        ),
        communes=tuple(
            UnitSpec(
                Level.COMMUNE,
                c.code,
                f"Công an {c.name}",
                POLICE_ABBREVIATIONS[c.division_type],
                c.division_type,
                c.province_code,
            )
            for c in divisions.communes
        ),
    )


def branch_specs(divisions: DivisionList) -> Iterable[BranchSpec]:
    """Return the civil and public-security trees the list gives."""
    return (_civil(divisions), _security(divisions))
