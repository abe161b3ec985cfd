"""Submission letters (tờ trình): registered with the next number of the forwarding stage's own series."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org_hierarchy.models import OrgUnit, Role

from ..models import Dossier, DossierStatus, SubmissionLetter, SubmissionLetterCounter
from ..permissions import ensure_stage_officer
from .numbering import next_number
from .tracking import lock_dossier, save_tracked

NOT_FORWARDABLE = _("Only a dossier in progress can be forwarded.")
NOT_A_FORWARDING_STAGE = _("A submission letter goes from a stage of the route to the next one.")


@transaction.atomic
def submission_letter_register(
    *,
    dossier: Dossier,
    issuer_unit: OrgUnit,
    recipient_unit: OrgUnit,
    signer,
    acting_for=None,
    letter_date: datetime.date | None = None,
) -> SubmissionLetter:
    """Register the letter with which ``issuer_unit`` forwards the dossier to ``recipient_unit``, numbered
    ``n/TTr-<issuer>`` in the issuer's series of the year (Decree 30/2020).

    The deciding authority at the end of the route issues a decision, never a letter. The forwarding step's ledger
    entry (``stage.forwarded``) carries the number; the letter keeps its own history.
    """
    dossier = lock_dossier(dossier)
    if dossier.status != DossierStatus.SUBMITTED:
        raise ValidationError(NOT_FORWARDABLE, code="not_forwardable")
    ensure_stage_officer(user=signer, dossier=dossier, stage_unit=issuer_unit, roles=(Role.APPROVER,))
    positions = dict(dossier.route_stops.values_list("unit_id", "position"))
    if positions.get(recipient_unit.pk, -1) <= positions.get(issuer_unit.pk, len(positions)):
        raise ValidationError(NOT_A_FORWARDING_STAGE, code="not_forwarding")
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
    save_tracked(letter, actor=signer, reason="registered")
    return letter
