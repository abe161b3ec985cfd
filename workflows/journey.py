"""Reads of a process's journey: the steps done with what each decided, and the flow diagram coloured by them."""

from dataclasses import dataclass, field

from django.db.models import CharField, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Cast
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _
from viewflow.workflow import chart
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from org_hierarchy.models import Level, OrgUnit

from .models import StageOutcome

# Statuses of a diagram node the dossier has reached.
REACHED = {STATUS.DONE, STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED}


def tasks_done_on(*, process) -> QuerySet[Task]:
    """Return the finished human steps of a process, oldest first, with who did them."""
    return (
        Task.objects.filter(process=process, flow_task_type__in=["HUMAN", "HUMAN_START"], status=STATUS.DONE)
        .select_related("owner")
        .order_by("finished", "pk")
    )


OUTCOME_LABELS = {
    StageOutcome.FORWARD: _("Forwarded to the next level"),
    StageOutcome.DECIDE: _("Award decided"),
    StageOutcome.RETURN: _("Returned for supplement"),
    StageOutcome.REJECT: _("Rejected"),
}


@dataclass
class StepRecord:
    """What an earlier step decided, in the words of the task pages (read from the task's data)."""

    task: Task
    unit_name: str
    outcome: str = ""
    opinion: str = ""
    agrees: bool | None = None
    note: str = ""
    return_reason: str = ""
    letter_number: str = ""
    members: int | None = None
    consulted: list[str] = field(default_factory=list)
    recommendations: list[tuple[str, bool]] = field(default_factory=list)
    ballots: list[dict] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)


def step_history(*, process) -> list[StepRecord]:
    """Return the finished human steps with their outcomes and opinions, in three queries whatever their number.

    Consultation answers, per-nominee recommendations, ballots and left-out nominees, and the notes of returns
    are named here; nominees and consulted units are read once for all steps.
    """
    units = OrgUnit.objects.filter(pk=Cast(OuterRef("owner_permission_obj_pk"), IntegerField()))
    steps = list(
        tasks_done_on(process=process).annotate(unit_name=Subquery(units.values("name")[:1], output_field=CharField()))
    )
    names = dict(process.dossier.nominees.values_list("pk", "full_name"))
    consulted_ids = {unit_id for step in steps for unit_id in step.data.get("consulted", [])}
    unit_names = dict(OrgUnit.objects.filter(pk__in=consulted_ids).values_list("pk", "name")) if consulted_ids else {}
    records = []
    for step in steps:
        data = step.data or {}
        records.append(
            StepRecord(
                task=step,
                unit_name=step.unit_name or "",
                outcome=OUTCOME_LABELS.get(data.get("outcome"), ""),
                opinion=data.get("opinion", ""),
                agrees=data.get("agrees"),
                note=data.get("note", ""),
                return_reason=data.get("return_reason", ""),
                letter_number=data.get("letter_number", ""),
                members=data.get("members"),
                consulted=[unit_names.get(unit_id, str(unit_id)) for unit_id in data.get("consulted", [])],
                recommendations=[
                    (names.get(int(pk), pk), bool(kept)) for pk, kept in data.get("recommendations", {}).items()
                ],
                ballots=[{"name": names.get(int(pk), pk), **ballot} for pk, ballot in data.get("ballots", {}).items()],
                dropped=[(names.get(int(pk), pk), reason) for pk, reason in data.get("dropped", {}).items()],
            )
        )
    return records


@dataclass(frozen=True)
class RouteStep:
    """A step of the dossier's own route, and where the dossier stands with it: done, current, waiting, cancelled."""

    title: str
    state: str


@dataclass(frozen=True)
class RouteStop:
    """One stage unit of the dossier's route (or none, for the submission and the decision) and its steps."""

    unit: str
    steps: tuple[RouteStep, ...]


# The steps a stage always shows, then those it shows only once the dossier has reached them.
STAGE_STEPS = ("appraise", "vote", "sign")
STAGE_STEPS_IF_REACHED = {"appraise": ("consultation",), "vote": ("posting",)}


def _state(status) -> str:
    if status == STATUS.DONE:
        return "done"
    if status in REACHED:
        return "current"
    if status == STATUS.CANCELED:
        return "canceled"
    return "waiting"


def _route(process, grid, units: dict[int, str]) -> list[RouteStop]:
    """The dossier's route only, top down: the submission, each stage unit's steps, and how the dossier ended."""
    flow_class = process.flow_class

    def step(node) -> RouteStep:
        return RouteStep(title=str(node.task_title), state=_state(grid[node].status))

    stops = [RouteStop(unit="", steps=(step(flow_class.submit),))]
    for level, unit_id in process.route:
        slug = Level(level).slug
        steps = []
        for name in STAGE_STEPS:
            steps.append(step(getattr(flow_class, f"{slug}_{name}")))
            for optional in STAGE_STEPS_IF_REACHED.get(name, ()):
                node = getattr(flow_class, f"{slug}_{optional}")
                if grid[node].status is not None:
                    steps.append(step(node))
        stops.append(RouteStop(unit=units.get(unit_id, ""), steps=tuple(steps)))
    end = flow_class.rejected if grid[flow_class.rejected].status is not None else flow_class.decided
    stops.append(RouteStop(unit="", steps=(step(end),)))
    return stops


def flow_diagram(*, process, units: dict[int, str] | None = None) -> dict:
    """Draw the flow from its definition, as viewflow lays it out, with each node coloured by this process's tasks.

    viewflow's chart (``calc_cell_status``) marks the nodes done, open (new, assigned) or cancelled; the arrows
    the dossier has travelled (from a done node to a done or open one) are marked, and the journey page's legend
    and text alternative say the same in words. The drawing is ``workflows/diagram.svg`` rather than viewflow's
    ``graph.svg``, whose <style> element and style attributes the Content-Security-Policy refuses.

    ``route`` gives the same statuses on the dossier's own route only (``units`` names its stage units by id): the
    journey page shows it first, as a vertical list a phone shows whole, and the full drawing one click away.
    """
    flow_class = process.flow_class
    grid = chart.calc_layout_data(flow_class)
    chart.calc_cell_status(flow_class, grid, process.pk)
    edges = [(edge, grid[edge.src].status == STATUS.DONE and grid[edge.dst].status in REACHED) for edge in grid.edges]
    # Autoescaped by the template: the result is already a safe string.
    return {
        "svg": get_template("workflows/diagram.svg").render({"grid": grid, "cells": grid.cells, "edges": edges}),
        "route": _route(process, grid, units or {}),
    }
