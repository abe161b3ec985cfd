"""The approval route of a dossier (architecture §3).

The route is the list of stage units of the award type's deciding branch, from the commune level up to the
deciding level, that serve the originating unit's locality. Territorial stages (commune, province) are found by
administrative code, so a residential group under a ward's People's Committee reaches the ward's police for a
public-security award; the levels above the province are the originating unit's own ancestor when it has one in
that branch, otherwise the branch's only unit at that level (a sector branch with several ministries has none).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from org_hierarchy.models import Branch, Level, OrgUnit
from org_hierarchy.selectors import lineage, locality_in, units_serving

from .models import AwardType

TERRITORIAL_LEVELS = (Level.COMMUNE, Level.PROVINCE)


def _missing(*, branch: str, level: int, unit: OrgUnit) -> ValidationError:
    return ValidationError(
        _("No %(level)s-level unit of the %(branch)s branch serves %(unit)s, so the dossier cannot be routed.")
        % {"level": Level(level).label.lower(), "branch": Branch(branch).label.lower(), "unit": unit.name},
        code="route_missing_stage",
    )


def _sole_unit(*, branch: str, level: int) -> OrgUnit | None:
    """Return the branch's only active unit at a level (the Ministry of Public Security, the Government).

    A branch with several units at the level (ministries of the sector branch) gives None: a unit outside all of
    them has no authority there to climb to.
    """
    units = list(OrgUnit.objects.filter(branch=branch, level=level, is_active=True).order_by("path")[:2])
    return units[0] if len(units) == 1 else None


def compute_route(*, originating_unit: OrgUnit, award_type: AwardType) -> list[OrgUnit]:
    """Return the stage units a dossier passes, bottom up, ending at the deciding authority.

    Raise ``ValidationError`` when a stage unit the route needs does not exist.
    """
    branch, deciding_level = award_type.deciding_branch, award_type.deciding_level
    chain = lineage(originating_unit)
    locality = locality_in(chain)
    ancestors = {(node.branch, node.level): node for node in chain}
    territorial = units_serving(
        branch=branch, locality={level: code for level, code in locality.items() if level <= deciding_level}
    )
    route: list[OrgUnit] = []
    for level in Level:
        if level == Level.UNIT or level > deciding_level:
            continue
        if level in TERRITORIAL_LEVELS:
            code = locality.get(level)
            if code is None:
                if level < deciding_level:
                    # A provincial department lies in no commune, a ministry's own department in no province:
                    # its dossier starts at the first level that serves it.
                    continue
                raise _missing(branch=branch, level=level, unit=originating_unit)
            stage = territorial.get(level)
        else:
            stage = ancestors.get((branch, level)) or _sole_unit(branch=branch, level=level)
            if stage is None and level < deciding_level:
                # The civil tree has no ministry level between the province and the Government.
                continue
        if stage is None:
            raise _missing(branch=branch, level=level, unit=originating_unit)
        route.append(stage)
    if not route:
        raise _missing(branch=branch, level=deciding_level, unit=originating_unit)
    return route
