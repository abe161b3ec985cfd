"""Decision issuance at the deciding authority, with gap-free numbering per issuer and year."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from audit.events import AuditEvent
from org_hierarchy.models import OrgUnit, Role
from org_hierarchy.selectors import head_acted_for

from ..certification import awardee_facts, decision_facts
from ..models import (
    AwardRecord,
    AwardRecordSource,
    Decision,
    DecisionCounter,
    Dossier,
    DossierStatus,
    GoldenBookCounter,
    Nominee,
    NomineeOutcome,
)
from ..permissions import ensure_stage_officer
from .dossiers import notify_submitters
from .numbering import next_number, take_numbers
from .tallies import dossier_tally_refresh
from .tracking import lock_dossier, nominees_close, record, save_tracked, service_transaction

NOT_DECIDABLE = _("Only a dossier in progress can be decided.")
NO_NOMINEE_LEFT = _("No nominee is left to award in this dossier.")
DATE_BEFORE_LAST_STEP = _("The decision cannot be dated before %(date)s, the day of the stage's last step.")
DATE_TOO_FAR = _("The decision cannot be dated after %(date)s.")

# Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or typed from paper is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


def verification_code() -> str:
    """A random code of 10 base-32 characters (50 bits): guessing one among a million awards takes ~10⁹ tries."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_verification_code(text: str) -> str:
    """Read a code as typed: spaces, dashes and case ignored, and O, I, L read as 0, 1, 1 (Crockford)."""
    cleaned = "".join(text.split()).replace("-", "").upper()
    return cleaned.translate(str.maketrans("OIL", "011"))


def check_decision_date(
    decision_date: datetime.date, *, not_before: datetime.date | None, today: datetime.date | None = None
) -> None:
    """Refuse a decision date before the stage's last step or beyond the configured margin after today."""
    today = today or timezone.localdate()
    latest = today + datetime.timedelta(days=settings.MERITFLOW_DECISION_DATE_MARGIN_DAYS)
    if not_before is not None and decision_date < not_before:
        raise ValidationError(
            {"decision_date": DATE_BEFORE_LAST_STEP % {"date": not_before.strftime("%d/%m/%Y")}}, code="date_early"
        )
    if decision_date > latest:
        raise ValidationError({"decision_date": DATE_TOO_FAR % {"date": latest.strftime("%d/%m/%Y")}}, code="date_late")


@service_transaction
def decision_issue(
    *,
    dossier: Dossier,
    issuer_unit: OrgUnit,
    signer,
    acting_for=None,
    decision_date: datetime.date | None = None,
    not_before: datetime.date | None = None,
) -> Decision:
    """Issue the numbered decision awarding every nominee still pending, and register the awards.

    The signer dates the decision (today by default; not before ``not_before``, the day of the stage's last step,
    nor beyond ``MERITFLOW_DECISION_DATE_MARGIN_DAYS`` ahead); the number is registered today. Each award gets
    the issuer's next golden-book number and a verification code for its certificate.
    """
    dossier = lock_dossier(dossier)
    if dossier.status != DossierStatus.SUBMITTED:
        raise ValidationError(NOT_DECIDABLE, code="not_decidable")
    ensure_stage_officer(user=signer, dossier=dossier, stage_unit=issuer_unit, roles=(Role.APPROVER,), deciding=True)
    awarded = list(dossier.nominees.select_for_update().filter(outcome=NomineeOutcome.PENDING))
    if not awarded:
        raise ValidationError(NO_NOMINEE_LEFT, code="no_nominee")
    acting_for = acting_for or head_acted_for(user=signer, unit_id=issuer_unit.pk, role=Role.APPROVER)
    today = timezone.localdate()
    decision_date = decision_date or today
    check_decision_date(decision_date, not_before=not_before, today=today)
    number = next_number(DecisionCounter, issuer_unit=issuer_unit, year=decision_date.year)
    decision = Decision(
        dossier=dossier,
        issuer_unit=issuer_unit,
        number=number,
        year=decision_date.year,
        symbol=f"QĐ-{issuer_unit.short_name}",
        decision_date=decision_date,
        signer=signer,
        acting_for=acting_for,
        registered_on=today,
    )
    # Its number was just taken under the counter's lock, and the dossier, locked, was in progress: it has no
    # decision yet and the number is new in the issuer's series.
    save_tracked(decision, actor=signer, reason="issued", unique_by_lock=True)
    nominees_close(
        awarded,
        outcome=NomineeOutcome.AWARDED,
        actor=signer,
        stage_unit=issuer_unit,
        reasons=None,
        change_reason="awarded",
        decision=decision,
    )
    numbers = take_numbers(GoldenBookCounter, issuer_unit=issuer_unit, count=len(awarded))
    records = [
        _award_record(nominee, dossier=dossier, decision=decision, golden_book_number=number)
        for nominee, number in zip(awarded, numbers, strict=True)
    ]
    bulk_create_with_history(
        records,
        AwardRecord,
        default_user=signer,
        default_change_reason="decision issued",
    )
    dossier.status = DossierStatus.DECIDED
    dossier.current_stage_unit = None
    save_tracked(dossier, actor=signer, reason="decided", update_fields=["status", "current_stage_unit", "updated_at"])
    dossier_tally_refresh(dossier=dossier)
    record(
        AuditEvent.DECISION_ISSUED,
        dossier=dossier,
        actor=signer,
        role=Role.APPROVER,
        stage_unit=issuer_unit,
        acting_for=acting_for,
        data={
            "number": decision.number_display,
            "decision": decision.pk,
            "nominees": {str(nominee.pk): NomineeOutcome.AWARDED.value for nominee in awarded},
            # What the decision certifies, compared with the database by verification (``certification``).
            "certified": decision_facts(decision),
            "awardees": {
                str(record.nominee.pk): awardee_facts(record.nominee, golden_book_number=record.golden_book_number)
                for record in records
            },
        },
    )
    notify_submitters(
        dossier,
        event=AuditEvent.DECISION_ISSUED,
        title=format_lazy(
            _("Decision {number} issued for “{title}”"), number=decision.number_display, title=dossier.title
        ),
    )
    return decision


def _award_record(nominee: Nominee, *, dossier: Dossier, decision: Decision, golden_book_number: int) -> AwardRecord:
    return AwardRecord(
        nominee=nominee,
        issuer_unit=decision.issuer_unit,
        golden_book_number=golden_book_number,
        verification_code=verification_code(),
        subject_type=nominee.subject_type,
        national_id=nominee.national_id,
        collective_unit_id=nominee.collective_unit_id,
        subject_name=nominee.full_name,
        award_type=dossier.award_type,
        title=dossier.award_type.name_vi,
        year=dossier.year,
        decision_number=decision.number_display,
        decision_date=decision.decision_date,
        issuer=decision.issuer_unit.name,
        source=AwardRecordSource.DECISION,
        decision=decision,
    )
