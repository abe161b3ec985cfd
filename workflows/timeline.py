"""The workflow's part of the audit timeline: each human step of the dossier's process, who held it and how it ended.

Registered in ``WorkflowsConfig.ready``. The steps of every process of the dossier (a withdrawn and resubmitted
dossier has several) are read in one query, their units' names in a second.
"""

from django.contrib.contenttypes.models import ContentType
from viewflow.workflow.models import Task

from audit.events import AuditEvent
from audit.timeline import Kind, TimelineEntry
from nominations.models import Dossier
from org_hierarchy.models import OrgUnit

from .models import StageOutcome

HUMAN_TYPES = ("HUMAN", "HUMAN_START")

# A step's outcome, in the words of the ledger event it led to (``audit`` holds the translations).
OUTCOME_TITLES = {
    StageOutcome.CONSULT: AuditEvent.STAGE_CONSULTATION_REQUESTED.label,
    StageOutcome.RETURN: AuditEvent.DOSSIER_RETURNED.label,
    StageOutcome.REJECT: AuditEvent.STAGE_REJECTED.label,
    StageOutcome.FORWARD: AuditEvent.STAGE_FORWARDED.label,
    StageOutcome.DECIDE: AuditEvent.DECISION_ISSUED.label,
}


def dossier_steps(dossier: Dossier) -> list[TimelineEntry]:
    """One entry per human step, at the time it finished (or was opened, while it is still open)."""
    tasks = list(
        Task.objects.filter(
            process__artifact_content_type=ContentType.objects.get_for_model(Dossier),
            process__artifact_object_id=dossier.pk,
            flow_task_type__in=HUMAN_TYPES,
        )
        .select_related("owner")
        .order_by("created", "pk")
    )
    unit_ids = {int(task.owner_permission_obj_pk) for task in tasks if (task.owner_permission_obj_pk or "").isdigit()}
    units = dict(OrgUnit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    entries = []
    for task in tasks:
        data = task.data or {}
        unit_pk = task.owner_permission_obj_pk or ""
        entries.append(
            TimelineEntry(
                at=task.finished or task.created,
                started_at=task.created,
                kind=Kind.STEP,
                title=str(task.flow_task.task_title or task.flow_task),
                actor=task.owner.get_full_name() if task.owner else "",
                actor_key=task.owner.get_full_name() if task.owner else "",
                unit=units.get(int(unit_pk), "") if unit_pk.isdigit() else "",
                outcome=str(OUTCOME_TITLES.get(data.get("outcome"), task.get_status_display())),
                reason=data.get("return_reason") or data.get("note") or "",
                order=task.pk,
            )
        )
    return entries
