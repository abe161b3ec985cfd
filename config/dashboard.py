"""The home page's dashboard: what waits for the person and their unit, by role, with counts and links.

Each panel costs a fixed number of queries (a count with its deadline split in one aggregate, then the first
rows), so the page costs the same whatever the number of dossiers and steps.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, DateField, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from audit import selectors as audit_selectors
from audit.events import AuditEvent
from nominations import selectors as nomination_selectors
from nominations.models import Decision, Dossier, DossierStatus
from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.roles import STAGE_ROLES
from org_hierarchy.selectors import seats_of
from workflows import deadlines as flow_deadlines
from workflows import selectors as flow_selectors

ROWS = 5
# What an auditor looks at first: the acts that leave the usual path.
EXCEPTIONS = (
    AuditEvent.STAGE_ESCALATED,
    AuditEvent.STAGE_ESCALATED_ABOVE,
    AuditEvent.STAGE_REJECTED,
    AuditEvent.DOSSIER_RETURNED,
    AuditEvent.DOSSIER_WITHDRAWN,
    AuditEvent.DECISION_REVOKED,
)


@dataclass(frozen=True)
class Row:
    text: str
    url: str
    note: str = ""
    alert: bool = False


@dataclass
class Panel:
    key: str
    title: str
    count: int | None
    url: str
    link_text: str
    rows: list[Row] = field(default_factory=list)
    empty: str = ""
    overdue: int = 0
    due_soon: int = 0
    overdue_url: str = ""
    due_soon_url: str = ""


def _moment(value) -> str:
    """The day of a date or a moment, as everywhere: dd/mm/yyyy."""
    day = timezone.localtime(value) if isinstance(value, datetime.datetime) else value
    return date_format(day, "SHORT_DATE_FORMAT")


def _step_panel(key, title, tasks, *, list_name, today, empty) -> Panel:
    soon_until = flow_deadlines.due_soon_until(today)
    deadline = Cast(KeyTextTransform("stage_deadline", "process__data"), DateField())
    counts = (
        tasks.order_by()
        .alias(stage_deadline=deadline)
        .aggregate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(stage_deadline__lt=today)),
            due_soon=Count("pk", filter=Q(stage_deadline__gte=today, stage_deadline__lte=soon_until)),
        )
    )
    first = list(tasks[:ROWS])
    dossiers = flow_selectors.dossiers_of_tasks(first)
    url = reverse(list_name)
    rows = []
    for task in first:
        dossier = dossiers.get(int(task.process.artifact_object_id))
        stage_deadline = task.process.data.get("stage_deadline")
        due = datetime.date.fromisoformat(stage_deadline) if stage_deadline else None
        sla = flow_deadlines.sla_of(due, today=today, soon_until=soon_until)
        note = str(task.flow_task.task_title or "")
        if due:
            note = f"{note} · {_('due')} {_moment(due)}"
        rows.append(
            Row(
                text=dossier.title if dossier else str(task.flow_task.task_title),
                url=flow_selectors.task_url(task),
                note=note,
                alert=sla == flow_deadlines.Sla.OVERDUE,
            )
        )
    return Panel(
        key=key,
        title=title,
        count=counts["total"],
        url=url,
        link_text=_("Open the list"),
        rows=rows,
        empty=empty,
        overdue=counts["overdue"],
        due_soon=counts["due_soon"],
        overdue_url=f"{url}?{urlencode({'sla': flow_deadlines.Sla.OVERDUE})}",
        due_soon_url=f"{url}?{urlencode({'sla': flow_deadlines.Sla.DUE_SOON})}",
    )


def _dossier_panel(key, title, dossiers, *, status, empty) -> Panel:
    first = list(dossiers.order_by("-updated_at", "-pk")[:ROWS])
    return Panel(
        key=key,
        title=title,
        count=dossiers.count(),
        url=f"{reverse('nominations:dossier_list')}?{urlencode({'status': status})}",
        link_text=_("See them all"),
        rows=[
            Row(
                text=dossier.title,
                url=reverse("nominations:dossier_detail", args=[dossier.pk]),
                note=_("changed %(day)s") % {"day": _moment(dossier.updated_at)},
            )
            for dossier in first
        ],
        empty=empty,
    )


def _decisions_panel(user) -> Panel:
    decisions = (
        Decision.objects.filter(dossier__in=nomination_selectors.dossier_ids_visible_to(user=user))
        .select_related("dossier", "issuer_unit")
        .order_by("-decision_date", "-pk")[:ROWS]
    )
    return Panel(
        key="decisions",
        title=_("Recent decisions"),
        count=None,
        url=f"{reverse('nominations:dossier_list')}?{urlencode({'status': DossierStatus.DECIDED})}",
        link_text=_("See the decided dossiers"),
        rows=[
            Row(
                text=f"{decision.number_display} — {decision.dossier.title}",
                url=reverse("nominations:dossier_detail", args=[decision.dossier_id]),
                note=f"{_moment(decision.decision_date)} · {decision.issuer_unit.name}",
            )
            for decision in decisions
        ],
        empty=_("No decision has been issued on the dossiers you see yet."),
    )


def _escalations_panel(user) -> Panel:
    """The overdue steps escalated from the person's stage units to the level above, or to them from below."""
    units = OrgUnit.objects.filter(pk__in={seat.unit_id for seat in seats_of(user) if seat.role in STAGE_ROLES})
    escalations = nomination_selectors.escalations_open_at(units=units)
    first = list(escalations[:ROWS])
    return Panel(
        key="escalations",
        title=_("Escalated to the level above"),
        count=escalations.count(),
        url=f"{reverse('nominations:dossier_list')}?{urlencode({'status': DossierStatus.SUBMITTED})}",
        link_text=_("See the dossiers in progress"),
        rows=[
            Row(
                text=escalation.dossier.title,
                url=reverse("nominations:dossier_detail", args=[escalation.dossier_id]),
                note=f"{escalation.stage_unit.name} → {escalation.to_unit.name} · {_('due')} "
                f"{_moment(escalation.stage_deadline)}",
                alert=True,
            )
            for escalation in first
        ],
        empty=_("No overdue step of your units or of the units below them went up a level."),
    )


def _audit_panels(user) -> list[Panel]:
    run = audit_selectors.verification_last()
    if run is None:
        rows = [Row(text=str(_("The ledger has not been verified yet.")), url=reverse("audit:verify"), alert=True)]
    elif run.ok:
        rows = [
            Row(
                text=str(_("Intact: %(count)s entries verified") % {"count": run.checked}),
                url=reverse("audit:verify"),
                note=_moment(run.started_at),
            )
        ]
    else:
        rows = [
            Row(
                text=str(_("Broken at entry #%(sequence)s") % {"sequence": run.problem_sequence}),
                url=reverse("audit:verify"),
                note=_moment(run.started_at),
                alert=True,
            )
        ]
    verification = Panel(
        key="verification",
        title=_("Last verification of the ledger"),
        count=None,
        url=reverse("audit:verify"),
        link_text=_("Open the verification"),
        rows=rows,
    )
    labels = dict(AuditEvent.choices)
    entries = list(
        audit_selectors.ledger_entry_list(user=user)
        .filter(event__in=EXCEPTIONS)
        .only("sequence", "event", "occurred_at", "subject_text", "subject_type_id", "subject_id", "unit_name")[:ROWS]
    )
    ledger = reverse("audit:ledger")
    exceptions = Panel(
        key="exceptions",
        title=_("Recent exceptions"),
        count=None,
        url=ledger,
        link_text=_("Open the activity log"),
        rows=[
            Row(
                text=f"{labels.get(entry.event, entry.event)}: {entry.subject_text}",
                url=f"{ledger}?{urlencode({'event': entry.event})}",
                note=f"{_moment(entry.occurred_at)} · {entry.unit_name}",
                alert=entry.event
                in (AuditEvent.STAGE_ESCALATED, AuditEvent.STAGE_ESCALATED_ABOVE, AuditEvent.DECISION_REVOKED),
            )
            for entry in entries
        ],
        empty=_("No escalation, rejection, return, withdrawal or revocation recently."),
    )
    return [verification, exceptions]


def dashboard_of(*, user) -> list[Panel]:
    """Return the panels of the person's home page, for the roles they hold today."""
    roles = {seat.role for seat in seats_of(user)}
    today = timezone.localdate()
    panels = []
    if roles.intersection(STAGE_ROLES) or Role.SUBMITTER in roles:
        panels.append(
            _step_panel(
                "inbox",
                _("Waiting for me"),
                flow_selectors.task_inbox(user=user),
                list_name="workflows:inbox",
                today=today,
                empty=_("Nothing waits for you."),
            )
        )
    if roles.intersection(STAGE_ROLES):
        panels.append(
            _step_panel(
                "queue",
                _("Waiting for my unit"),
                flow_selectors.task_queue(user=user),
                list_name="workflows:queue",
                today=today,
                empty=_("Nothing waits for your unit."),
            )
        )
        panels.append(_escalations_panel(user))
    if Role.SUBMITTER in roles:
        units = nomination_selectors.submitter_units(user=user)
        own = Dossier.objects.filter(originating_unit__in=units)
        panels.append(
            _dossier_panel(
                "returned",
                _("Returned for supplement"),
                own.filter(status=DossierStatus.RETURNED),
                status=DossierStatus.RETURNED,
                empty=_("No dossier of yours was returned."),
            )
        )
        panels.append(
            _dossier_panel(
                "drafts",
                _("My drafts"),
                own.filter(status=DossierStatus.DRAFT, created_by=user),
                status=DossierStatus.DRAFT,
                empty=_("You have no draft."),
            )
        )
    if Role.AUDITOR in roles:
        panels.extend(_audit_panels(user))
    panels.append(_decisions_panel(user))
    return panels
