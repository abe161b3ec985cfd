"""The figures of a unit's yearly report on a campaign: counts, dossiers in progress, stage times, silent units.

Every figure is for the unit's whole subtree, whoever reads it (the reader may see the unit, so they may see its
subtree). Each part costs a fixed number of queries; the stage times are aggregated per dossier and stage in
the database and turned into working days here, with one pass over the calendar.
"""

import datetime
import math
import statistics as stats

from django.db.models import Case, CharField, IntegerField, Max, Min, Q, QuerySet, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from nominations.models import Campaign, Dossier, DossierStatus
from org_hierarchy.models import Level, OrgUnit
from workflows import calendar
from workflows.flows import NominationFlow

from .statistics import Criteria, statistics

IN_PROGRESS = (DossierStatus.SUBMITTED, DossierStatus.RETURNED)
STAGE_LEVELS = (Level.COMMUNE, Level.PROVINCE, Level.MINISTRY)
# How many overdue dossiers and silent units the report names (the counts are always complete).
NAMED_AT_MOST = 100


def report_dossiers(*, campaign: Campaign, year: int, unit: OrgUnit) -> QuerySet[Dossier]:
    """The submitted dossiers of the unit's subtree for the campaign and year."""
    return Dossier.objects.filter(campaign=campaign, year=year, originating_unit__path__startswith=unit.path).exclude(
        status=DossierStatus.DRAFT
    )


def working_days_between(start: datetime.date, end: datetime.date, *, working: dict) -> int:
    """Working days after ``start`` up to ``end`` included; ``working`` is the running count by date."""
    return max(working[end] - working[start], 0)


def _running_count(first: datetime.date, last: datetime.date) -> dict[datetime.date, int]:
    running, count, day = {}, 0, first
    while day <= last:
        count += calendar.is_working_day(day)
        running[day] = count
        day += datetime.timedelta(days=1)
    return running


def percentile(values: list[int], share: float) -> int:
    """The nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def stage_times(dossiers: QuerySet[Dossier]) -> list[dict]:
    """Median and 90th percentile of the working days each stage took, from receipt to the head's signature.

    A stage counts once it is signed; the supplement the submitter writes in between is part of the stage's time.
    """
    stage = Case(
        *(When(flow_task__contains=f".{level.slug}_", then=Value(level.value)) for level in STAGE_LEVELS),
        output_field=IntegerField(),
    )
    rows = (
        Task.objects.filter(
            process__flow_class=NominationFlow,
            process__artifact_object_id__in=dossiers.values("pk"),
            flow_task_type="HUMAN",
        )
        .annotate(stage=stage)
        .exclude(stage=None)
        .values("process_id", "stage")
        .annotate(
            received=Min("created"),
            signed=Max("finished", filter=Q(flow_task__endswith="_sign", status=STATUS.DONE)),
        )
        .filter(signed__isnull=False)
        .order_by()
        .values_list("stage", "received", "signed")
    )
    spans = [
        (level, timezone.localdate(received), timezone.localdate(signed)) for level, received, signed in rows.iterator()
    ]
    if not spans:
        return []
    working = _running_count(min(s[1] for s in spans), max(s[2] for s in spans))
    by_level: dict[int, list[int]] = {}
    for level, received, signed in spans:
        by_level.setdefault(level, []).append(working_days_between(received, signed, working=working))
    return [
        {
            "level": level,
            "label": str(Level(level).label),
            "count": len(days),
            "median": float(stats.median(days)),
            "p90": percentile(days, 0.9),
        }
        for level, days in sorted(by_level.items())
    ]


def _overdue(dossiers: QuerySet[Dossier], *, today: datetime.date) -> tuple[int, list[dict]]:
    """The dossiers in progress whose running stage is past its deadline, the first ones named."""
    deadline = NominationFlow.process_class.objects.filter(
        flow_class=NominationFlow,
        status=PROCESS.NEW,
        artifact_object_id__in=dossiers.filter(status__in=IN_PROGRESS).values("pk"),
    ).annotate(deadline=Cast(KeyTextTransform("stage_deadline", "data"), output_field=CharField()))
    late = deadline.filter(deadline__lt=today.isoformat())
    count = late.count()
    named = list(late.order_by("deadline", "pk").values_list("artifact_object_id", "deadline")[:NAMED_AT_MOST])
    titles = {
        d.pk: d
        for d in Dossier.objects.filter(pk__in=[pk for pk, _d in named]).select_related(
            "originating_unit", "current_stage_unit"
        )
    }
    return count, [
        {
            "dossier": pk,
            "title": titles[pk].title,
            "unit": titles[pk].originating_unit.name,
            "stage": titles[pk].current_stage_unit.name if titles[pk].current_stage_unit else "",
            "deadline": datetime.date.fromisoformat(day).strftime("%d/%m/%Y"),
        }
        for pk, day in named
        if pk in titles
    ]


def silent_units(*, campaign: Campaign, year: int, unit: OrgUnit) -> tuple[int, list[dict]]:
    """The unit's direct children from whose subtree no dossier was submitted for the campaign and year."""
    key_length = OrgUnit.steplen * (unit.depth + 1)
    with_dossiers = (
        report_dossiers(campaign=campaign, year=year, unit=unit)
        .exclude(originating_unit=unit)
        .values_list("originating_unit__path", flat=True)
    )
    prefixes = {path[:key_length] for path in with_dossiers.distinct()}
    children = OrgUnit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1, is_active=True)
    silent = [(pk, name) for pk, path, name in children.values_list("pk", "path", "name") if path not in prefixes]
    return len(silent), [{"unit": pk, "name": name} for pk, name in silent[:NAMED_AT_MOST]]


def figures(*, campaign: Campaign, year: int, unit: OrgUnit, today: datetime.date | None = None) -> dict:
    """Every figure of the report as plain data (kept as is when the report is finalised)."""
    today = today or timezone.localdate()
    dossiers = report_dossiers(campaign=campaign, year=year, unit=unit)
    in_progress = dossiers.filter(status__in=IN_PROGRESS).count()
    overdue_count, overdue = _overdue(dossiers, today=today)
    silent_count, silent = silent_units(campaign=campaign, year=year, unit=unit)
    counts = statistics(user=None, criteria=Criteria(year=year, campaign=campaign, unit=unit))
    return {
        "computed_on": today.strftime("%d/%m/%Y"),
        "statistics": counts.as_data(),
        "dossiers": dossiers.count(),
        "in_progress": in_progress,
        "overdue_count": overdue_count,
        "overdue": overdue,
        "stage_times": stage_times(dossiers),
        "silent_count": silent_count,
        "silent": silent,
    }
