"""Scoped reads of the reports: the units a user may report on or read reports of, and the reports themselves.

A user reads the reports (and statistics) of the subtrees where they hold a reporting role; the level above so
sees the reports of the units below. An id outside that scope is a 404.
"""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from nominations.models import Campaign
from org_hierarchy.models import OrgUnit
from org_hierarchy.selectors import seats_of, units_in_scope

from .models import YearlyReport
from .services import WRITER_ROLES
from .statistics import REPORT_ROLES


def report_scope(*, user) -> QuerySet[OrgUnit]:
    """The units whose statistics and reports the user may read."""
    if getattr(user, "is_superuser", False):
        return OrgUnit.objects.all()
    return units_in_scope(user=user, roles=REPORT_ROLES)


def unit_get_visible(*, user, pk) -> OrgUnit:
    return get_object_or_404(report_scope(user=user), pk=pk)


def scope_tops(*, user) -> list[OrgUnit]:
    """The highest units of the user's reporting scope (the drill-down starts there)."""
    if getattr(user, "is_superuser", False):
        return list(OrgUnit.get_root_nodes())
    paths = {seat.path for seat in seats_of(user) if seat.role in REPORT_ROLES}
    tops = sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))
    return list(OrgUnit.objects.filter(path__in=tops))


def trail(*, user, unit: OrgUnit | None) -> list[OrgUnit]:
    """The drill-down's way from the top of the user's scope to ``unit`` (the units the user may open)."""
    if unit is None:
        return []
    prefixes = [unit.path[:length] for length in range(OrgUnit.steplen, len(unit.path) + 1, OrgUnit.steplen)]
    return list(report_scope(user=user).filter(path__in=prefixes).order_by("depth"))


def writable_units(*, user) -> QuerySet[OrgUnit]:
    """The units whose report the user writes (where they hold a writer's role in person)."""
    ids = {seat.unit_id for seat in seats_of(user) if seat.role in WRITER_ROLES}
    return OrgUnit.objects.filter(pk__in=ids).order_by("path")


def reports_visible_to(*, user) -> QuerySet[YearlyReport]:
    return (
        YearlyReport.objects.filter(unit__in=report_scope(user=user).values("pk"))
        .select_related("campaign", "unit", "finalised_by")
        .order_by("-year", "unit__path", "campaign_id")
    )


def report_of(*, campaign: Campaign, year: int, unit: OrgUnit) -> YearlyReport | None:
    return YearlyReport.objects.filter(campaign=campaign, year=year, unit=unit).select_related("finalised_by").first()


def child_reports(*, campaign: Campaign, year: int, unit: OrgUnit) -> dict[int, YearlyReport]:
    """The reports of the unit's direct children for the same campaign and year, by unit id."""
    reports = YearlyReport.objects.filter(
        campaign=campaign, year=year, unit__path__startswith=unit.path, unit__depth=unit.depth + 1
    )
    return {report.unit_id: report for report in reports}
