"""Revocation of awards (hủy bỏ quyết định khen thưởng, Law 06/2022 ch. VII): one award or a whole decision.

Nothing is deleted: the decision and its nominees stay as issued (the ledger's ``decision.issued`` entry still
holds), the revoked awards point to the revocation, and the revocation has its own entry and history.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_update_with_history

from audit.events import AuditEvent
from org_hierarchy.models import Role
from org_hierarchy.selectors import holds_role

from ..models import AwardRecord, Decision, Revocation, RevocationScope
from .dossiers import notify_submitters
from .tallies import dossier_tally_refresh
from .tracking import record, save_tracked

NOT_THE_ISSUER = _("Only an approver of the issuing unit can revoke its awards.")
ALREADY_REVOKED = _("This award is already revoked.")
ALL_REVOKED = _("Every award of this decision is already revoked.")
REASON_NEEDED = _("Please give the reason for the revocation.")
REFERENCE_NEEDED = _("Please give the number of the revoking decision.")
DATE_BEFORE_DECISION = _("A revocation cannot be dated before the decision it revokes (%(date)s).")
DATE_IN_FUTURE = _("A revocation cannot be dated in the future.")


def may_revoke(*, user, decision: Decision) -> bool:
    return holds_role(user=user, unit_id=decision.issuer_unit_id, role=Role.APPROVER)


def _check(*, decision: Decision, actor, reason: str, reference: str, revoked_on: datetime.date) -> None:
    if not may_revoke(user=actor, decision=decision):
        raise PermissionDenied(NOT_THE_ISSUER)
    errors = {}
    if not reason.strip():
        errors["reason"] = REASON_NEEDED
    if not reference.strip():
        errors["reference"] = REFERENCE_NEEDED
    if revoked_on < decision.decision_date:
        errors["revoked_on"] = DATE_BEFORE_DECISION % {"date": decision.decision_date.strftime("%d/%m/%Y")}
    elif revoked_on > timezone.localdate():
        errors["revoked_on"] = DATE_IN_FUTURE
    if errors:
        raise ValidationError(errors)


def _revoke(
    *, decision: Decision, records: list[AwardRecord], scope: str, actor, reason, reference, revoked_on
) -> Revocation:
    revocation = Revocation(
        decision=decision,
        scope=scope,
        reason=reason.strip(),
        reference=reference.strip(),
        revoked_on=revoked_on,
        revoked_by=actor,
    )
    save_tracked(revocation, actor=actor, reason="revoked")
    for award in records:
        award.revocation = revocation
    AwardRecord.objects.filter(pk__in=[award.pk for award in records]).update(revocation=revocation)
    bulk_update_with_history(records, AwardRecord, fields=[], default_user=actor, default_change_reason="revoked")
    dossier = decision.dossier
    dossier_tally_refresh(dossier=dossier)
    event = AuditEvent.DECISION_REVOKED if scope == RevocationScope.DECISION else AuditEvent.AWARD_REVOKED
    record(
        event,
        dossier=dossier,
        actor=actor,
        role=Role.APPROVER,
        stage_unit=decision.issuer_unit,
        reason=revocation.reason,
        data={
            "decision": decision.pk,
            "number": decision.number_display,
            "revocation": revocation.pk,
            "reference": revocation.reference,
            "revoked_on": revoked_on.isoformat(),
            "awards": sorted(award.pk for award in records),
        },
    )
    if scope == RevocationScope.DECISION:
        title = format_lazy(_("Decision {number} was revoked"), number=decision.number_display)
    else:
        title = format_lazy(
            _("The award of {name} by decision {number} was revoked"),
            name=records[0].subject_name,
            number=decision.number_display,
        )
    notify_submitters(dossier, event=event, title=title, body=revocation.reason)
    return revocation


def _locked_decision(decision: Decision) -> Decision:
    return (
        Decision.objects.select_for_update()
        .select_related("dossier__originating_unit", "issuer_unit")
        .get(pk=decision.pk)
    )


@transaction.atomic
def award_revoke(
    *, award: AwardRecord, actor, reason: str, reference: str, revoked_on: datetime.date | None = None
) -> Revocation:
    """Revoke one awardee's award of a decision, with the reason and the revoking decision's number."""
    if award.decision_id is None:
        raise PermissionDenied(NOT_THE_ISSUER)
    decision = _locked_decision(award.decision)
    revoked_on = revoked_on or timezone.localdate()
    _check(decision=decision, actor=actor, reason=reason, reference=reference, revoked_on=revoked_on)
    award = AwardRecord.objects.select_for_update().get(pk=award.pk)
    if award.revocation_id is not None:
        raise ValidationError(ALREADY_REVOKED, code="already_revoked")
    return _revoke(
        decision=decision,
        records=[award],
        scope=RevocationScope.AWARD,
        actor=actor,
        reason=reason,
        reference=reference,
        revoked_on=revoked_on,
    )


@transaction.atomic
def decision_revoke(
    *, decision: Decision, actor, reason: str, reference: str, revoked_on: datetime.date | None = None
) -> Revocation:
    """Revoke every award of a decision still in force."""
    decision = _locked_decision(decision)
    revoked_on = revoked_on or timezone.localdate()
    _check(decision=decision, actor=actor, reason=reason, reference=reference, revoked_on=revoked_on)
    records = list(AwardRecord.objects.select_for_update().filter(decision=decision, revocation__isnull=True))
    if not records:
        raise ValidationError(ALL_REVOKED, code="all_revoked")
    return _revoke(
        decision=decision,
        records=records,
        scope=RevocationScope.DECISION,
        actor=actor,
        reason=reason,
        reference=reference,
        revoked_on=revoked_on,
    )
