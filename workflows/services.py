"""Every business action of the approval flow, one function each, called by the task views, the flow's outcome
nodes and the timers.

Each runs inside the flow lock's transaction (the task view opens it); ``atomic(savepoint=False)`` opens one only
when a caller has none and adds no savepoint inside it: a refused step rolls back the whole request, as the task
views do on any error, so a savepoint would cost two statements per step for nothing. A step checks its input,
leaves the outcome the next gateway reads on the process, completes the task with ``activation.execute()`` and
then writes the ledger entries, with the dossier changes that record their own. The entries are written together
when the flow lock's block ends (``workflows.locks``; ``process_start``, which runs before the process exists,
opens its own batch), so the ledger's chain head is locked only for that write and the commit, whatever the order
of a step's work. Notifications are created in the same transaction and pushed after commit by
``notifications.services.notify``.

A step that ends a stage (the head's signature, a council vote nobody passed, an appraisal returning the dossier)
only chooses: it leaves its ``StageChoice`` on the process and records its own entry; the gateway after it leads
to the flow's outcome node, whose service (``outcome_issue_decision``, ``outcome_reject``, ``outcome_return``) acts.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from audit import services as audit_services
from audit.events import AuditEvent
from documents import services as document_services
from nominations import permissions as nomination_permissions
from nominations import services as nomination_services
from nominations.models import Dossier, Nominee, NomineeOutcome, VoteDenominator
from nominations.numbers import percent
from nominations.services.tracking import REASON_REQUIRED, one_transaction, record
from notifications import services as notification_services
from org_hierarchy.models import Level, OrgUnit, Role
from org_hierarchy.selectors import head_acted_for, holds_role, members_with_role
from web.uploads import sniffed_type

from . import calendar, selectors
from .events import TaskNotice
from .models import CalendarException, DeadlineNotice, NominationProcess, StageOutcome

logger = logging.getLogger(__name__)

CONSULT_ON_ROUTE = _("A unit on the dossier's own route cannot be consulted.")
CONSULT_UNITS_REQUIRED = _("Choose the units whose opinion you ask for.")
RETURN_REQUEST_REQUIRED = _("Say what the submitter must supplement.")
SIGN_CANNOT_DECIDE = _("This stage forwards the dossier; only the deciding authority can decide.")
SIGN_CANNOT_FORWARD = _("This is the deciding authority: decide, reject or return the dossier.")
VOTE_INCONSISTENT = _("Votes for and against cannot exceed the members present, nor the members present the council.")
VOTE_MINUTES_TYPE = _("The minutes must be a PDF or an image file.")
NOMINEE_UNKNOWN = _("A nominee of this list is not pending in this dossier.")
WITHDRAW_DECIDED = _("The dossier can no longer be withdrawn.")

MINUTES_TYPES = {"application/pdf", "image/jpeg", "image/png"}


@dataclass(frozen=True)
class StageChoice:
    """Who chose a stage's outcome, at which unit and why: what the outcome node after the gateway acts on."""

    actor: object
    unit: OrgUnit
    reason: str = ""
    acting_for: object = None
    decision_date: datetime.date | None = None
    not_before: datetime.date | None = None


def _stage(activation) -> tuple[NominationProcess, Dossier, OrgUnit, Level]:
    process = activation.process
    level = Level(activation.flow_task.stage_level)
    task = activation.task
    # A stage step's unit is the route's (cached on the process); a consultation's is the consulted unit.
    if task.owner_permission_obj_pk == str(process.stage_unit_id(level)):
        unit = process.stage_unit(level)
    else:
        unit = task.owner_permission_obj
    return process, process.dossier, unit, level


def _finish(activation, *, outcome: str, task_data: dict, choice: StageChoice | None = None) -> None:
    """Leave the outcome (and who chose it) for the gateways, keep what was decided on the task, and complete it."""
    process = activation.process
    process.stage_outcome = outcome
    process.stage_choice = choice
    process.save(update_fields=["data"])
    activation.task.data = {**activation.task.data, **task_data}
    _complete(activation, reason=f"{activation.flow_task.name}: {outcome or 'done'}")


def _complete(activation, *, reason: str) -> None:
    """Complete the task; its history row carries the reason (the user comes from the request)."""
    activation.task._change_reason = reason
    activation.execute()


def _start_clock(process: NominationProcess, *, dossier: Dossier, unit: OrgUnit) -> None:
    """Set the deadline of the stage at ``unit`` (working days) before its first step is created."""
    award_type = dossier.award_type
    today = timezone.localdate()
    deadline = calendar.add_working_days(today, award_type.stage_deadline_days(unit.level))
    process.stage_started = today
    process.stage_deadline = deadline
    process.stage_reminder = calendar.subtract_working_days(deadline, award_type.reminder_days_before)
    process.stage_posting_days = None


def _record_received(process: NominationProcess, *, dossier: Dossier, unit: OrgUnit, actor) -> None:
    record(
        AuditEvent.STAGE_RECEIVED,
        dossier=dossier,
        actor=actor,
        stage_unit=unit,
        data={"deadline": process.stage_deadline.isoformat()},
    )


def _next_stop(process: NominationProcess, level: int) -> tuple[int, int] | None:
    return next(((lvl, unit_id) for lvl, unit_id in process.route if lvl > level), None)


def is_last_stop(*, process: NominationProcess, level: int) -> bool:
    """Tell whether the stage at ``level`` is the deciding authority (the route ends there)."""
    return _next_stop(process, level) is None


def _pending_nominees(dossier: Dossier, ids) -> dict[int, Nominee]:
    nominees = {n.pk: n for n in dossier.nominees.filter(outcome=NomineeOutcome.PENDING)}
    unknown = set(ids) - set(nominees)
    if unknown:
        raise ValidationError(NOMINEE_UNKNOWN, code="nominee_unknown")
    return nominees


@transaction.atomic(savepoint=False)
def process_start(*, activation, dossier: Dossier, actor) -> NominationProcess:
    """Submit a draft (eligibility and route are checked by ``dossier_submit``) and send it to its first stage."""
    with audit_services.ledger_batch(), one_transaction():
        dossier = nomination_services.dossier_submit(dossier=dossier, actor=actor)
        stops = list(dossier.route_stops.select_related("unit").order_by("position"))
        process = activation.process
        process.artifact = dossier
        process.route = [[stop.level, stop.unit_id] for stop in stops]
        _start_clock(process, dossier=dossier, unit=stops[0].unit)
        _complete(activation, reason="submit: done")
        _record_received(process, dossier=dossier, unit=stops[0].unit, actor=actor)
    return process


def _appraise(activation, *, actor, opinion: str, recommendations: dict[int, bool], outcome: str, **extra):
    """Record the appraisal opinion and a recommendation per nominee, leave ``outcome`` for the gateway.

    A return is chosen here and done by the return node after the gateway: the appraisal's entry comes before it.
    Return the process, the dossier and the stage unit for the act's own entries.
    """
    process, dossier, unit, _level = _stage(activation)
    _pending_nominees(dossier, recommendations)
    data = {"opinion": opinion, "recommendations": {str(k): bool(v) for k, v in recommendations.items()}, **extra}

    def appraised():
        record(
            AuditEvent.STAGE_APPRAISED,
            dossier=dossier,
            actor=actor,
            stage_unit=unit,
            role=Role.APPRAISER,
            reason=opinion,
            data=data,
        )

    if outcome == StageOutcome.RETURN:
        appraised()
        choice = StageChoice(actor=actor, unit=unit, reason=extra["return_reason"])
        _finish(activation, outcome=outcome, task_data=data, choice=choice)
    else:
        _finish(activation, outcome=outcome, task_data=data)
        appraised()
    return process, dossier, unit


@transaction.atomic(savepoint=False)
def stage_appraise_to_council(*, activation, actor, opinion: str, recommendations: dict[int, bool]) -> None:
    """Appraise the dossier and pass it on to the council (or, where no vote is needed, to the head)."""
    _appraise(activation, actor=actor, opinion=opinion, recommendations=recommendations, outcome=StageOutcome.PROCEED)


@transaction.atomic(savepoint=False)
def stage_appraise_return(
    *, activation, actor, opinion: str, recommendations: dict[int, bool], return_reason: str
) -> None:
    """Appraise the dossier and return it to its submitter with what to supplement (required)."""
    request = return_reason.strip()
    if not request:
        raise ValidationError({"return_reason": RETURN_REQUEST_REQUIRED}, code="return_request_required")
    _appraise(
        activation,
        actor=actor,
        opinion=opinion,
        recommendations=recommendations,
        outcome=StageOutcome.RETURN,
        return_reason=request,
    )


@transaction.atomic(savepoint=False)
def stage_appraise_consult(*, activation, actor, opinion: str, recommendations: dict[int, bool], consult_units) -> None:
    """Appraise the dossier and ask the chosen units' opinion (hiệp y) before the council."""
    if not consult_units:
        raise ValidationError({"consult_units": CONSULT_UNITS_REQUIRED}, code="consult_units_required")
    process = activation.process
    route_units = {unit_id for _level, unit_id in process.route}
    if any(u.pk in route_units for u in consult_units):
        raise ValidationError({"consult_units": CONSULT_ON_ROUTE}, code="consult_on_route")
    process.consult_unit_ids = [u.pk for u in consult_units]
    _process, dossier, unit = _appraise(
        activation,
        actor=actor,
        opinion=opinion,
        recommendations=recommendations,
        outcome=StageOutcome.CONSULT,
        consulted=process.consult_unit_ids,
    )
    record(
        AuditEvent.STAGE_CONSULTATION_REQUESTED,
        dossier=dossier,
        actor=actor,
        stage_unit=unit,
        role=Role.APPRAISER,
        data={"units": process.consult_unit_ids},
    )


@transaction.atomic(savepoint=False)
def consultation_answer(*, activation, actor, opinion: str, agrees: bool) -> None:
    """Record a consulted unit's opinion (hiệp y); the stage goes on when every consulted unit has answered."""
    _process, dossier, unit, _level = _stage(activation)
    data = {"opinion": opinion, "agrees": bool(agrees)}
    activation.task.data = {**activation.task.data, **data}
    _complete(activation, reason=f"{activation.flow_task.name}: {'agrees' if agrees else 'objects'}")
    record(
        AuditEvent.STAGE_CONSULTED,
        dossier=dossier,
        actor=actor,
        stage_unit=unit,
        role=Role.APPRAISER,
        reason=opinion,
        data=data,
    )


def posting_start(*, activation) -> None:
    """Post the proposed nominees at the deciding unit before its council votes (called by ``nodes.PostingTimer``
    while it builds its task, before the INSERT).

    The posting lasts the award type's working days after today (the calendar's exceptions included); the timer
    is due at the end of its last day, and the stage deadline moves by as many working days: the posting is not
    the council's time. The posting's ledger entry is written here, inside the step that reaches the council.
    """
    process = activation.process
    level = activation.flow_task.stage_level
    dossier = process.dossier
    award_type = dossier.award_type
    days = award_type.public_posting_days
    today = timezone.localdate()
    closes_on = calendar.add_working_days(today, days)
    posting = nomination_services.posting_open(
        dossier=dossier, unit=process.stage_unit(level), opens_on=today, closes_on=closes_on, working_days=days
    )
    activation.task.scheduled = calendar.end_of_day(closes_on)
    activation.task.data = {**activation.task.data, "posting": posting.pk}
    process.stage_deadline = calendar.add_working_days(process.stage_deadline, days)
    process.stage_reminder = calendar.subtract_working_days(process.stage_deadline, award_type.reminder_days_before)
    process.stage_posting_days = days
    process.save(update_fields=["data"])


def posting_end(*, activation) -> None:
    """Close the dossier's posting when its timer fires (``dispatch_timers``); the council's vote opens next."""
    nomination_services.posting_close(dossier=activation.process.dossier)


def vote_passes(*, award_type, members: int, present: int, votes_for: int) -> bool:
    """Tell whether a nominee reaches the award type's threshold of the council (all members or those present)."""
    denominator = members if award_type.vote_denominator == VoteDenominator.ALL_MEMBERS else present
    if denominator <= 0:
        return False
    return Decimal(votes_for) * 100 >= Decimal(award_type.vote_threshold_pct) * denominator


def _store_minutes(dossier: Dossier, minutes) -> str:
    kind = sniffed_type(minutes, allowed=MINUTES_TYPES)
    if kind is None:
        raise ValidationError({"minutes": VOTE_MINUTES_TYPE}, code="minutes_type")
    return default_storage.save(f"council-minutes/{dossier.pk}/{timezone.now():%Y%m%d%H%M%S}.{kind.extension}", minutes)


@transaction.atomic(savepoint=False)
def council_vote_record(*, activation, actor, members: int, ballots: dict[int, tuple[int, int, int]], minutes) -> None:
    """Record the council's secret ballot per nominee; those below the threshold are dropped at this stage.

    ``ballots`` maps a nominee id to (members present, votes for, votes against).
    """
    _process, dossier, unit, _level = _stage(activation)
    nominees = _pending_nominees(dossier, ballots)
    for present, votes_for, votes_against in ballots.values():
        if present > members or votes_for + votes_against > present or min(present, votes_for, votes_against) < 0:
            raise ValidationError(VOTE_INCONSISTENT, code="vote_inconsistent")
    award_type = dossier.award_type
    results = {}
    for nominee_id, (present, votes_for, votes_against) in ballots.items():
        passed = vote_passes(award_type=award_type, members=members, present=present, votes_for=votes_for)
        results[str(nominee_id)] = {"present": present, "for": votes_for, "against": votes_against, "passed": passed}
    minutes_name = _store_minutes(dossier, minutes)
    data = {"members": members, "ballots": results, "minutes": minutes_name}
    failed = {int(nominee_id): result for nominee_id, result in results.items() if not result["passed"]}
    if not failed:
        _finish(activation, outcome=StageOutcome.PROCEED, task_data=data)
    record(AuditEvent.STAGE_VOTED, dossier=dossier, actor=actor, stage_unit=unit, role=Role.SECRETARY, data=data)
    if not failed:
        return
    # The gateway after the vote reads who is left: the drops (recorded together) come before the bookkeeping.
    nomination_services.nominees_drop(
        dossier=dossier,
        actor=actor,
        stage_unit=unit,
        reasons={
            nominee_id: str(
                format_lazy(
                    _("Council vote: {votes_for} for of {denominator}, below the threshold of {threshold}."),
                    votes_for=result["for"],
                    denominator=members
                    if award_type.vote_denominator == VoteDenominator.ALL_MEMBERS
                    else result["present"],
                    threshold=percent(award_type.vote_threshold_pct),
                )
            )
            for nominee_id, result in failed.items()
        },
    )
    # Nobody left: the gateway after the vote leads to the reject node.
    choice = StageChoice(actor=actor, unit=unit, reason=str(_("No nominee reached the council threshold.")))
    _finish(
        activation,
        outcome=StageOutcome.PROCEED,
        task_data=data,
        choice=choice if len(failed) == len(nominees) else None,
    )


def _last_step_day(activation) -> datetime.date | None:
    """The local day on which the process's last step before this one was done."""
    finished = (
        Task.objects.filter(process_id=activation.process.pk, finished__isnull=False)
        .exclude(pk=activation.task.pk)
        .order_by("-finished")
        .values_list("finished", flat=True)
        .first()
    )
    return timezone.localdate(finished) if finished else None


@transaction.atomic(savepoint=False)
def stage_sign(
    *,
    activation,
    actor,
    outcome: str,
    note: str = "",
    dropped: dict[int, str] | None = None,
    decision_date: datetime.date | None = None,
) -> None:
    """Record the head's choice at this stage: decide (deciding authority), forward, reject or return.

    Forwarding is done here; deciding, rejecting and returning by the outcome node the gateway after the
    signature leads to (``outcome_issue_decision``, ``outcome_reject``, ``outcome_return``).

    Deciding, the head may date the decision (``decision_date``, today by default) but not before the day the
    stage's last step before this one was done.

    Forwarding registers the submission letter with the stage's next number (``n/TTr-…``); nobody types it.

    ``dropped`` maps nominees the head leaves out to the reason; the others go on. A deputy acting for the head
    signs in their own name and the head's name is recorded with it.
    """
    process, dossier, unit, level = _stage(activation)
    dropped = dropped or {}
    nominees = _pending_nominees(dossier, dropped)
    next_stop = _next_stop(process, level)
    if outcome == StageOutcome.DECIDE and next_stop is not None:
        raise ValidationError(SIGN_CANNOT_DECIDE, code="cannot_decide")
    if outcome == StageOutcome.FORWARD and next_stop is None:
        raise ValidationError(SIGN_CANNOT_FORWARD, code="cannot_forward")
    if outcome in (StageOutcome.RETURN, StageOutcome.REJECT) and not note.strip():
        raise ValidationError({"note": REASON_REQUIRED}, code="reason_required")
    acting_for = head_acted_for(user=actor, unit_id=unit.pk, role=Role.APPROVER)
    data = {
        "outcome": outcome,
        "note": note,
        "dropped": {str(k): v for k, v in dropped.items()},
    }
    drops = dropped if outcome in (StageOutcome.DECIDE, StageOutcome.FORWARD) else {}
    if drops and len(drops) == len(nominees):
        outcome = StageOutcome.REJECT
        note = note.strip() or str(_("Every nominee was left out."))
    if outcome == StageOutcome.FORWARD:
        next_unit = process.stage_unit(next_stop[0])
        letter = nomination_services.submission_letter_register(
            dossier=dossier, issuer_unit=unit, recipient_unit=next_unit, signer=actor, acting_for=acting_for
        )
        data["letter_number"] = letter.number_display
        _start_clock(process, dossier=dossier, unit=next_unit)
    # The signature and the nominees left out come before the outcome node's own entries.
    record(
        AuditEvent.STAGE_SIGNED,
        dossier=dossier,
        actor=actor,
        stage_unit=unit,
        role=Role.APPROVER,
        acting_for=acting_for,
        reason=data["note"],
        data=data,
    )
    if drops:
        nomination_services.nominees_drop(dossier=dossier, actor=actor, stage_unit=unit, reasons=drops)
    choice = StageChoice(
        actor=actor,
        unit=unit,
        reason=note,
        acting_for=acting_for,
        decision_date=decision_date,
        not_before=_last_step_day(activation) if outcome == StageOutcome.DECIDE else None,
    )
    _finish(activation, outcome=outcome, task_data=data, choice=choice)
    if outcome == StageOutcome.FORWARD:
        record(
            AuditEvent.STAGE_FORWARDED,
            dossier=dossier,
            actor=actor,
            stage_unit=unit,
            role=Role.APPROVER,
            acting_for=acting_for,
            data={"to": next_unit.pk, "letter_number": data["letter_number"], "letter": letter.pk},
        )
        _record_received(process, dossier=dossier, unit=next_unit, actor=actor)


def _choice_of(activation) -> tuple[Dossier, StageChoice]:
    process = activation.process
    return process.dossier, process.stage_choice


@transaction.atomic(savepoint=False)
def outcome_issue_decision(*, activation) -> None:
    """Issue the numbered decision the deciding authority's head signed, and schedule its documents."""
    dossier, choice = _choice_of(activation)
    decision = nomination_services.decision_issue(
        dossier=dossier,
        issuer_unit=choice.unit,
        signer=choice.actor,
        acting_for=choice.acting_for,
        decision_date=choice.decision_date,
        not_before=choice.not_before,
    )
    document_services.decision_documents_schedule(decision=decision)


@transaction.atomic(savepoint=False)
def outcome_reject(*, activation) -> None:
    """Reject the dossier at the stage that chose to (the head, or a council vote nobody passed)."""
    dossier, choice = _choice_of(activation)
    nomination_services.dossier_reject(
        dossier=dossier, actor=choice.actor, stage_unit=choice.unit, reason=choice.reason
    )


@transaction.atomic(savepoint=False)
def outcome_return(*, activation) -> None:
    """Return the dossier to its submitter with what to supplement (chosen by the appraisal or the head)."""
    dossier, choice = _choice_of(activation)
    nomination_services.dossier_return_for_supplement(
        dossier=dossier, actor=choice.actor, stage_unit=choice.unit, reason=choice.reason
    )


@transaction.atomic(savepoint=False)
def dossier_supplement(*, activation, actor, note: str = "") -> None:
    """Resubmit a returned dossier (a new version if it was edited); it goes back to the stage that returned it."""
    process = activation.process
    dossier = nomination_services.dossier_resubmit(dossier=process.dossier, actor=actor)
    unit = dossier.returned_by_unit
    _start_clock(process, dossier=dossier, unit=unit)
    _finish(activation, outcome="", task_data={"note": note, "version": dossier.version})
    _record_received(process, dossier=dossier, unit=unit, actor=actor)


@transaction.atomic
def process_withdraw(*, process: NominationProcess, actor, reason: str) -> None:
    """Withdraw the dossier before its decision: its open steps are cancelled and the withdrawal recorded."""
    if process.finished is not None:
        raise ValidationError(WITHDRAW_DECIDED, code="not_withdrawable")
    flow = process.flow_class.instance
    with flow.lock(process.pk):
        nomination_services.dossier_withdraw(dossier=process.dossier, actor=actor, reason=reason)
        flow.cancel(process)


def _people_to_tell(task, dossier_id: int):
    """Return who may act on the task: its owner, or the holders of its role at its unit, parties excluded."""
    if task.owner_id:
        return [task.owner]
    role = task.flow_task.role
    parties = nomination_permissions.users_party_to(dossier_id=dossier_id)
    return members_with_role(unit=task.owner_permission_obj, role=role).exclude(pk__in=parties)


def task_announce(*, activation) -> None:
    """Tell the people who can act on a newly created task (called by the nodes' ``onCreate``)."""
    task = activation.task
    dossier = activation.process.dossier
    notification_services.notify(
        recipients=_people_to_tell(task, dossier.pk),
        event=TaskNotice.TASK_WAITING,
        title=format_lazy(_("{task}: {dossier}"), task=task.flow_task.task_title, dossier=dossier.title),
        url=selectors.task_url(task),
        subject=dossier,
    )


def steps_release_unseated(*, user, actor=None) -> int:
    """Hand back to its unit's queue every step the user had taken and no longer holds a role for; return how many.

    A seat ends by date (the delegation of a deputy runs out) or by an administrator; a step taken under it would
    otherwise stay with someone who may no longer do it, and nobody else could take it. Each step is released
    under its dossier's lock, recorded in the ledger and announced to the unit's holders of the role.
    """
    released = 0
    held = Task.objects.filter(owner=user, status=STATUS.ASSIGNED, flow_task_type="HUMAN").values_list(
        "pk", "process_id"
    )
    for task_pk, process_pk in held:
        task = Task.objects.select_related("process").get(pk=task_pk)
        node = task.flow_task
        unit_id = node.unit_id_of(task) if hasattr(node, "unit_id_of") else None
        if unit_id is None or holds_role(user=user, unit_id=unit_id, role=node.role):
            continue
        with node.flow_class.lock(process_pk):
            task.refresh_from_db()
            if task.owner_id != user.pk or task.status != STATUS.ASSIGNED:
                continue
            node.activation_class(task).unassign()
            dossier = task.process.coerced.dossier
            unit = task.owner_permission_obj
            record(
                AuditEvent.STEP_RELEASED,
                dossier=dossier,
                actor=actor,
                stage_unit=unit,
                role=node.role,
                data={"task": task.pk, "step": str(node.task_title), "user_id": user.pk, "user": user.get_full_name()},
            )
            notification_services.notify(
                recipients=_people_to_tell(task, dossier.pk),
                event=TaskNotice.TASK_WAITING,
                title=format_lazy(_("{task}: {dossier}"), task=node.task_title, dossier=dossier.title),
                body=format_lazy(
                    _("{name} no longer holds this role: the step is back in your unit's queue."),
                    name=user.get_full_name(),
                ),
                url=selectors.task_url(task),
                subject=dossier,
            )
            released += 1
    return released


OPEN_STATUSES = (STATUS.NEW, STATUS.ASSIGNED, STATUS.STARTED)


def deadlines_fire(*, now=None) -> int:
    """Send every deadline notice due by ``now`` (the reminder, then the escalation) and return how many were sent.

    A step with a deadline keeps the moment of its next notice in ``scheduled`` (``nodes.StageTask``); the due ones
    are found with one query on the partial index of open scheduled steps. Each is re-read under its flow lock, so
    several dispatchers may run at once; a step whose dossier someone else's step holds waits for the next run.
    """
    now = now or timezone.now()
    due = Task.objects.filter(flow_task_type="HUMAN", status__in=OPEN_STATUSES, scheduled__lte=now).order_by(
        "scheduled", "pk"
    )
    sent = 0
    for task in due:
        try:
            with task.flow_task.flow_class.lock(task.process_id):
                task = (
                    Task.objects.select_related("process", "owner")
                    .filter(pk=task.pk, status__in=OPEN_STATUSES, scheduled__lte=now)
                    .first()
                )
                if task is not None:
                    _deadline_notice(task, now=now)
                    sent += 1
        except FlowLockFailed:
            logger.info("Step %s is locked by another transaction; its deadline notice waits for the next run", task.pk)
    return sent


def level_above(unit: OrgUnit) -> OrgUnit | None:
    """Return the unit a stage at ``unit`` escalates to: its nearest ancestor of a higher level (None at a top)."""
    above = [ancestor for ancestor in OrgUnit.objects.get_ancestors(unit) if ancestor.level > unit.level]
    return above[-1] if above else None


def _escalation_above_due(task, process: NominationProcess) -> datetime.datetime | None:
    """Return when the step goes up a level: the award type's working days past the stage deadline at its level
    (the calendar's exceptions included), or None where the award type sets none or there is no level above."""
    level = getattr(task.flow_task, "stage_level", None)
    days = process.dossier.award_type.escalation_days_at(level) if level is not None else None
    if days is None or level_above(task.owner_permission_obj) is None:
        return None
    return calendar.end_of_day(calendar.add_working_days(process.stage_deadline, days))


def _deadline_notice(task, *, now) -> None:
    """Send the step's next deadline notice, keep it on the step, and arm the following one (if any)."""
    process = task.process.coerced
    dossier = process.dossier
    deadline = process.stage_deadline.strftime("%d/%m/%Y")
    notices = task.data.get("deadline_notices", [])
    unit = task.owner_permission_obj
    if not notices:
        kind, event = DeadlineNotice.REMINDER, AuditEvent.STAGE_REMINDED
        notification_services.notify(
            recipients=_people_to_tell(task, dossier.pk),
            event=TaskNotice.TASK_DUE_SOON,
            title=format_lazy(_("Due on {deadline}: {dossier}"), deadline=deadline, dossier=dossier.title),
            url=selectors.task_url(task),
            subject=dossier,
        )
        task.scheduled = calendar.end_of_day(process.stage_deadline)
    elif len(notices) == 1:
        # Past the deadline the step goes up to the head of its unit; it stays with the people who hold it.
        kind, event = DeadlineNotice.ESCALATION, AuditEvent.STAGE_ESCALATED
        heads = members_with_role(unit=unit, role=Role.APPROVER).exclude(
            pk__in=nomination_permissions.users_party_to(dossier_id=dossier.pk)
        )
        notification_services.notify(
            recipients=heads,
            event=TaskNotice.TASK_OVERDUE,
            title=format_lazy(
                _("Overdue since {deadline}: {task} — {dossier}"),
                deadline=deadline,
                task=task.flow_task.task_title,
                dossier=dossier.title,
            ),
            url=selectors.task_url(task),
            subject=dossier,
        )
        task.scheduled = _escalation_above_due(task, process)
    else:
        _escalate_above(task, process=process, now=now)
        return
    task.data = {**task.data, "deadline_notices": [*notices, {"kind": kind, "at": now.isoformat()}]}
    task._change_reason = f"{task.flow_task.name}: {kind}"
    task.save(update_fields=["data", "scheduled"])
    record(event, dossier=dossier, actor=None, stage_unit=unit, data={"task": task.pk})


def _escalate_above(task, *, process: NominationProcess, now) -> None:
    """Send the overdue step to the emulation office of the level above: a notice to its appraisers, the
    escalation (history and ledger entry, ``nominations.services.escalation_record``) and the mark on the step.

    The step stays where it is, with the people who may do it; the level above sees the dossier (its scope covers
    the units below it) and cannot act on the step.
    """
    dossier = process.dossier
    unit = task.owner_permission_obj
    above = level_above(unit)
    award_type = dossier.award_type
    days = award_type.escalation_days_at(task.flow_task.stage_level)
    escalation = None
    if above is not None and days is not None:  # the catalogue may have changed since the notice was armed
        escalation = nomination_services.escalation_record(
            dossier=dossier,
            task=task,
            stage_unit=unit,
            to_unit=above,
            stage_deadline=process.stage_deadline,
            working_days=days,
            reference=award_type.escalation_reference,
        )
    task.scheduled = None
    if escalation is not None:
        notices = task.data.get("deadline_notices", [])
        task.data = {
            **task.data,
            "deadline_notices": [*notices, {"kind": DeadlineNotice.ESCALATION_ABOVE, "at": now.isoformat()}],
        }
    task._change_reason = f"{task.flow_task.name}: {DeadlineNotice.ESCALATION_ABOVE}"
    task.save(update_fields=["data", "scheduled"])
    if escalation is None:
        return
    office = members_with_role(unit=above, role=Role.APPRAISER).exclude(
        pk__in=nomination_permissions.users_party_to(dossier_id=dossier.pk)
    )
    notification_services.notify(
        recipients=office,
        event=TaskNotice.TASK_ESCALATED_ABOVE,
        title=format_lazy(
            _("{days} working days overdue at {unit}: {task} — {dossier}"),
            days=days,
            unit=unit.name,
            task=task.flow_task.task_title,
            dossier=dossier.title,
        ),
        body=format_lazy(
            _("The deadline was {deadline}. The step stays with {unit}; you can follow the dossier."),
            deadline=process.stage_deadline.strftime("%d/%m/%Y"),
            unit=unit.name,
        ),
        url=reverse("nominations:dossier_detail", args=[dossier.pk]),
        subject=dossier,
    )


@transaction.atomic
def calendar_exception_save(*, exception: CalendarException, actor, changed_fields=()) -> CalendarException:
    """Enter or correct a day of the Government's notice; deadlines counted from now on follow it."""
    created = exception.pk is None
    previous_day = None if created else CalendarException.objects.values_list("day", flat=True).get(pk=exception.pk)
    exception.full_clean()
    exception._change_reason = "created" if created else "changed"
    exception._history_user = actor
    exception.save()
    for year in {exception.day.year, previous_day.year if previous_day else exception.day.year}:
        calendar.forget_year(year)
        transaction.on_commit(lambda year=year: calendar.forget_year(year))
    audit_services.record(
        AuditEvent.CALENDAR_CHANGED,
        actor=actor,
        subject=exception,
        reason=exception.reference,
        data={
            "day": exception.day.isoformat(),
            "kind": exception.kind,
            "created": created,
            "fields": sorted(changed_fields),
        },
    )
    return exception


@transaction.atomic
def calendar_exception_remove(*, exception: CalendarException, actor) -> None:
    """Remove a day entered by mistake; its history and the ledger keep it."""
    day = exception.day
    audit_services.record(
        AuditEvent.CALENDAR_CHANGED,
        actor=actor,
        subject=exception,
        reason=exception.reference,
        data={"day": day.isoformat(), "kind": exception.kind, "removed": True},
    )
    exception._change_reason = "removed"
    exception._history_user = actor
    exception.delete()
    calendar.forget_year(day.year)
    transaction.on_commit(lambda: calendar.forget_year(day.year))
