"""Submission letters (tờ trình): registered with the next number of the forwarding stage's own series."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org_hierarchy.models import OrgUnit, Role

from ..models import Dossier, DossierStatus, SubmissionLetter, SubmissionLetterCounter
from ..permissions import ensure_stage_officer
from .numbering import next_number
from .tracking import lock_dossier, save_tracked, service_transaction

NOT_FORWARDABLE = _("Only a dossier in progress can be forwarded.")


@service_transaction
def submission_letter_register(
    *,
    dossier: Dossier,
    issuer_unit: OrgUnit,
    recipient_unit: OrgUnit,
    signer,
    acting_for=None,
    letter_date: datetime.date | None = None,
) -> SubmissionLetter:
    """Forward the dossier from ``issuer_unit`` to ``recipient_unit``: register the letter, numbered
    ``n/TTr-<issuer>`` in the issuer's series of the year (Decree 30/2020), and hand the dossier to the recipient's
    stage.

    The deciding authority at the end of the route issues a decision, never a letter. The forwarding step's ledger
    entry (``stage.forwarded``) carries the number; the letter keeps its own history, and the dossier's move to
    the next stage is recorded in its history as a change of the system's (no user).
    """
    dossier = lock_dossier(dossier)
    if dossier.status != DossierStatus.SUBMITTED:
        raise ValidationError(NOT_FORWARDABLE, code="not_forwardable")
    ensure_stage_officer(
        user=signer, dossier=dossier, stage_unit=issuer_unit, roles=(Role.APPROVER,), forwarding_to=recipient_unit
    )
    letter_date = letter_date or timezone.localdate()
    letter = SubmissionLetter(
        dossier=dossier,
        issuer_unit=issuer_unit,
        recipient_unit=recipient_unit,
        number=next_number(SubmissionLetterCounter, issuer_unit=issuer_unit, year=letter_date.year),
        year=letter_date.year,
        symbol=f"TTr-{issuer_unit.short_name}",
        letter_date=letter_date,
        signer=signer,
        acting_for=acting_for,
    )
    # The number was just taken under its counter's lock: it is new in the issuer's series.
    save_tracked(letter, actor=signer, reason="registered", unique_by_lock=True)
    dossier.current_stage_unit = recipient_unit
    save_tracked(dossier, actor=None, reason="stage changed", update_fields=["current_stage_unit", "updated_at"])
    return letter
