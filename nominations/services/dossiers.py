"""Dossier lifecycle: drafting, eligibility, submission, return for supplement, withdrawal, rejection."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from audit.events import AuditEvent
from notifications import services as notification_services
from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.selectors import members_with_role

from .. import rules, tallies
from ..models import AwardType, Campaign, CommendationKind, Dossier, DossierStatus, NomineeOutcome, RouteStop
from ..permissions import STAGE_ROLES, ensure_stage_officer, ensure_submitter
from ..routing import compute_route
from .tallies import dossier_tally_refresh
from .tracking import (
    DIGEST_FIELDS,
    REASON_REQUIRED,
    apply_digest,
    ensure_editable,
    lock_dossier,
    nominees_close,
    record,
    save_tracked,
    service_transaction,
)

DOSSIER_EDITABLE_FIELDS = (
    "title",
    "kind",
    "campaign",
    "award_type",
    "year",
    "letter_number",
    "letter_date",
    "letter_signer",
)

AWARD_TYPE_INACTIVE = _("This award type is no longer in use.")
CAMPAIGN_REQUIRED = _("A campaign or thematic commendation must name its campaign.")
CAMPAIGN_INACTIVE = _("This campaign is closed.")
GROUPS_OF_ANOTHER_CAMPAIGN = _(
    "Some nominees are counted in a subject group of the present campaign: clear their group before changing it."
)
NOT_A_DRAFT = _("Only a draft can be submitted; a returned dossier is resubmitted.")
NOT_RETURNED = _("Only a dossier returned for supplement can be resubmitted.")
NOT_IN_PROGRESS = _("This dossier is not in progress at any stage.")
NOT_WITHDRAWABLE = _("A dossier can be withdrawn only after submission and before its decision.")
NOT_ELIGIBLE = _("The dossier does not pass its eligibility checks.")
ROUTE_FIXED = _(
    "This award type would send the dossier along another route than the one it was submitted on. A returned "
    "dossier keeps its route: withdraw it and prepare a new dossier to propose this award."
)


def _validate_choices(*, kind: str, award_type: AwardType, campaign: Campaign | None) -> None:
    errors = {}
    if not award_type.is_active:
        errors["award_type"] = AWARD_TYPE_INACTIVE
    if kind == CommendationKind.CAMPAIGN and campaign is None:
        errors["campaign"] = CAMPAIGN_REQUIRED
    elif campaign is not None and not campaign.is_active:
        errors["campaign"] = CAMPAIGN_INACTIVE
    if errors:
        raise ValidationError(errors)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    return reason


@transaction.atomic
def dossier_create(
    *,
    actor,
    originating_unit: OrgUnit,
    title: str,
    kind: str,
    award_type: AwardType,
    year: int,
    campaign: Campaign | None = None,
    letter_number: str = "",
    letter_date: datetime.date | None = None,
    letter_signer: str = "",
) -> Dossier:
    """Open a draft dossier at a unit where the actor is a submitter."""
    dossier = Dossier(
        originating_unit=originating_unit,
        title=title,
        kind=kind,
        award_type=award_type,
        year=year,
        campaign=campaign,
        letter_number=letter_number,
        letter_date=letter_date,
        letter_signer=letter_signer,
        created_by=actor,
    )
    ensure_submitter(user=actor, dossier=dossier)
    _validate_choices(kind=kind, award_type=award_type, campaign=campaign)
    apply_digest(dossier)
    save_tracked(dossier, actor=actor, reason="created")
    record(AuditEvent.DOSSIER_CREATED, dossier=dossier, actor=actor, role=Role.SUBMITTER)
    return dossier


@transaction.atomic
def dossier_update(*, dossier: Dossier, actor, **changes) -> Dossier:
    """Change the draft's own fields (title, kind, campaign, award type, year, submission letter)."""
    unknown = set(changes) - set(DOSSIER_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"dossier_update() got unexpected fields: {sorted(unknown)}")
    dossier = lock_dossier(dossier)
    ensure_submitter(user=actor, dossier=dossier)
    ensure_editable(dossier)
    changed = [field for field, value in changes.items() if getattr(dossier, field) != value]
    if not changed:
        return dossier
    for field in changed:
        setattr(dossier, field, changes[field])
    if {"kind", "award_type", "campaign"} & set(changed):
        _validate_choices(kind=dossier.kind, award_type=dossier.award_type, campaign=dossier.campaign)
    if "award_type" in changed and dossier.status == DossierStatus.RETURNED:
        _ensure_same_route(dossier)
    if "campaign" in changed and dossier.nominees.exclude(subject_group=None).exists():
        raise ValidationError({"campaign": GROUPS_OF_ANOTHER_CAMPAIGN})
    apply_digest(dossier)
    save_tracked(dossier, actor=actor, reason="updated", update_fields=[*changed, *DIGEST_FIELDS])
    if set(tallies.CARRIED) & set(changed):
        # A returned dossier's tallies carry these facts (a draft has none: nothing is written).
        dossier_tally_refresh(dossier=dossier)
    record(AuditEvent.DOSSIER_UPDATED, dossier=dossier, actor=actor, role=Role.SUBMITTER, data={"fields": changed})
    return dossier


def _ensure_same_route(dossier: Dossier) -> None:
    """Refuse an award type that would change a returned dossier's route: its stages have already seen it."""
    submitted = list(dossier.route_stops.order_by("position").values_list("unit_id", flat=True))
    route = compute_route(originating_unit=dossier.originating_unit, award_type=dossier.award_type)
    if [unit.pk for unit in route] != submitted:
        raise ValidationError({"award_type": ROUTE_FIXED}, code="route_fixed")


def dossier_check_eligibility(*, dossier: Dossier) -> list[rules.RuleResult]:
    """Evaluate the award type's eligibility rules against the dossier; a pure read."""
    return rules.evaluate(dossier=dossier)


def _ensure_eligible(dossier: Dossier, *, context: rules.Context | None = None) -> None:
    failures = [result for result in rules.evaluate(dossier=dossier, context=context) if not result.passed]
    if failures:
        raise ValidationError([NOT_ELIGIBLE, *(result.reason for result in failures)], code="not_eligible")


@service_transaction
def dossier_submit(*, dossier: Dossier, actor) -> Dossier:
    """Send a draft on its way: check eligibility, store the route, lock the dossier."""
    dossier = lock_dossier(dossier)
    ensure_submitter(user=actor, dossier=dossier)
    if dossier.status != DossierStatus.DRAFT:
        raise ValidationError(NOT_A_DRAFT, code="not_draft")
    context = rules.context_for(dossier)
    _ensure_eligible(dossier, context=context)
    route = context.route  # already computed by the rule that checks it (``route_computable``)
    RouteStop.objects.filter(dossier=dossier).delete()
    RouteStop.objects.bulk_create(
        RouteStop(dossier=dossier, position=position, unit=unit, level=unit.level)
        for position, unit in enumerate(route)
    )
    dossier.status = DossierStatus.SUBMITTED
    dossier.submitted_at = timezone.now()
    dossier.current_stage_unit = route[0]
    save_tracked(
        dossier,
        actor=actor,
        reason="submitted",
        update_fields=["status", "submitted_at", "current_stage_unit", "updated_at"],
    )
    dossier_tally_refresh(dossier=dossier, fresh=True)
    record(
        AuditEvent.DOSSIER_SUBMITTED,
        dossier=dossier,
        actor=actor,
        role=Role.SUBMITTER,
        data={"route": [unit.pk for unit in route]},
    )
    return dossier


@service_transaction
def dossier_return_for_supplement(*, dossier: Dossier, actor, stage_unit: OrgUnit, reason: str) -> Dossier:
    """Hand the dossier back to its submitters with a written request; it comes back to ``stage_unit``."""
    reason = _require_reason(reason)
    dossier = lock_dossier(dossier)
    if dossier.status != DossierStatus.SUBMITTED:
        raise ValidationError(NOT_IN_PROGRESS, code="not_in_progress")
    ensure_stage_officer(user=actor, dossier=dossier, stage_unit=stage_unit)
    dossier.status = DossierStatus.RETURNED
    dossier.returned_reason = reason
    dossier.returned_by_unit = stage_unit
    save_tracked(
        dossier,
        actor=actor,
        reason="returned",
        update_fields=["status", "returned_reason", "returned_by_unit", "updated_at"],
    )
    record(AuditEvent.DOSSIER_RETURNED, dossier=dossier, actor=actor, stage_unit=stage_unit, reason=reason)
    return dossier


@service_transaction
def dossier_resubmit(*, dossier: Dossier, actor) -> Dossier:
    """Send a supplemented dossier back to the stage that returned it, as a new version if it was edited."""
    dossier = lock_dossier(dossier)
    ensure_submitter(user=actor, dossier=dossier)
    if dossier.status != DossierStatus.RETURNED:
        raise ValidationError(NOT_RETURNED, code="not_returned")
    _ensure_eligible(dossier)
    dossier.status = DossierStatus.SUBMITTED
    dossier.current_stage_unit = dossier.returned_by_unit or dossier.current_stage_unit
    save_tracked(
        dossier, actor=actor, reason="resubmitted", update_fields=["status", "current_stage_unit", "updated_at"]
    )
    record(
        AuditEvent.DOSSIER_RESUBMITTED,
        dossier=dossier,
        actor=actor,
        role=Role.SUBMITTER,
        data={"version": dossier.version, "returned_by": dossier.returned_by_unit_id},
    )
    return dossier


def _close_pending_nominees(dossier: Dossier, *, outcome: str, actor, stage_unit: OrgUnit | None, reason: str) -> None:
    nominees = list(dossier.nominees.filter(outcome=NomineeOutcome.PENDING))
    nominees_close(nominees, outcome=outcome, actor=actor, stage_unit=stage_unit, reasons=reason, change_reason=outcome)


@service_transaction
def dossier_withdraw(*, dossier: Dossier, actor, reason: str) -> Dossier:
    """Take a submitted dossier back before its decision; every pending nominee is withdrawn with it."""
    reason = _require_reason(reason)
    dossier = lock_dossier(dossier)
    ensure_submitter(user=actor, dossier=dossier)
    if dossier.status not in (DossierStatus.SUBMITTED, DossierStatus.RETURNED):
        raise ValidationError(NOT_WITHDRAWABLE, code="not_withdrawable")
    _close_pending_nominees(dossier, outcome=NomineeOutcome.WITHDRAWN, actor=actor, stage_unit=None, reason=reason)
    dossier.status = DossierStatus.WITHDRAWN
    dossier.closed_reason = reason
    dossier.current_stage_unit = None
    save_tracked(
        dossier,
        actor=actor,
        reason="withdrawn",
        update_fields=["status", "closed_reason", "current_stage_unit", "updated_at"],
    )
    dossier_tally_refresh(dossier=dossier)
    record(AuditEvent.DOSSIER_WITHDRAWN, dossier=dossier, actor=actor, role=Role.SUBMITTER, reason=reason)
    return dossier


@service_transaction
def dossier_reject(*, dossier: Dossier, actor, stage_unit: OrgUnit, reason: str) -> Dossier:
    """End the dossier at a stage; every nominee still pending is dropped with the same reason."""
    reason = _require_reason(reason)
    dossier = lock_dossier(dossier)
    if dossier.status not in (DossierStatus.SUBMITTED, DossierStatus.RETURNED):
        raise ValidationError(NOT_IN_PROGRESS, code="not_in_progress")
    ensure_stage_officer(user=actor, dossier=dossier, stage_unit=stage_unit, roles=STAGE_ROLES)
    _close_pending_nominees(dossier, outcome=NomineeOutcome.DROPPED, actor=actor, stage_unit=stage_unit, reason=reason)
    dossier.status = DossierStatus.REJECTED
    dossier.closed_reason = reason
    dossier.current_stage_unit = None
    save_tracked(
        dossier,
        actor=actor,
        reason="rejected",
        update_fields=["status", "closed_reason", "current_stage_unit", "updated_at"],
    )
    dossier_tally_refresh(dossier=dossier)
    record(AuditEvent.STAGE_REJECTED, dossier=dossier, actor=actor, stage_unit=stage_unit, reason=reason)
    notify_submitters(
        dossier,
        event=AuditEvent.STAGE_REJECTED,
        title=format_lazy(_("Dossier rejected: {title}"), title=dossier.title),
        body=reason,
    )
    return dossier


def notify_submitters(dossier: Dossier, *, event, title, body: str = "") -> None:
    """Tell the originating unit's submitters about a final outcome of their dossier (sent after commit)."""
    notification_services.notify(
        recipients=members_with_role(unit=dossier.originating_unit, role=Role.SUBMITTER),
        event=event,
        title=title,
        body=body,
        subject=dossier,
        url=reverse("nominations:dossier_detail", args=[dossier.pk]),
    )
