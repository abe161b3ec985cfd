"""Escalation of an overdue stage step to the emulation office of the level above (issue 20, point 4)."""

import datetime

from django.db import transaction

from audit.events import AuditEvent
from org_hierarchy.models import OrgUnit

from ..models import Dossier, StageEscalation
from .tracking import record, save_tracked


@transaction.atomic(savepoint=False)
def escalation_record(
    *,
    dossier: Dossier,
    task,
    stage_unit: OrgUnit,
    to_unit: OrgUnit,
    stage_deadline: datetime.date,
    working_days: int,
    reference: str = "",
) -> StageEscalation | None:
    """Record that the open step ``task`` of the stage at ``stage_unit`` went up to ``to_unit``; None if it already
    had (a step escalates once to a level above). The system acts: there is no actor."""
    if StageEscalation.objects.filter(task=task, to_unit=to_unit).exists():
        return None
    escalation = StageEscalation(
        dossier=dossier,
        task=task,
        stage_unit=stage_unit,
        to_unit=to_unit,
        stage_deadline=stage_deadline,
        working_days=working_days,
        reference=reference,
    )
    save_tracked(escalation, actor=None, reason="escalated")
    record(
        AuditEvent.STAGE_ESCALATED_ABOVE,
        dossier=dossier,
        actor=None,
        stage_unit=stage_unit,
        reason=reference,
        data={
            "task": task.pk,
            "to": to_unit.pk,
            "deadline": stage_deadline.isoformat(),
            "working_days": working_days,
        },
    )
    return escalation
