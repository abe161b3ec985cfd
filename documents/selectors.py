"""Scoped reads of a decision's documents, and the public lookup by verification code."""

from django.shortcuts import get_object_or_404

from nominations import selectors as nomination_selectors
from nominations.models import AwardRecord, Decision
from nominations.services.decisions import CODE_ALPHABET, CODE_LENGTH, normalize_verification_code


def decision_visible(*, user, dossier_pk) -> Decision:
    """The decision of a dossier the user may see; 404 when the dossier is outside their scope or undecided."""
    dossier = nomination_selectors.dossier_get_visible(user=user, pk=dossier_pk)
    return get_object_or_404(Decision, dossier=dossier)


def award_of(*, decision: Decision, pk) -> AwardRecord:
    return get_object_or_404(AwardRecord, decision=decision, pk=pk)


def award_by_code(text: str) -> AwardRecord | None:
    """The award a certificate's code names, or None for a code that is unknown or not a code at all."""
    code = normalize_verification_code(text or "")
    if len(code) != CODE_LENGTH or any(char not in CODE_ALPHABET for char in code):
        return None
    return (
        AwardRecord.objects.filter(verification_code=code)
        .select_related("decision__issuer_unit", "award_type", "revocation")
        .first()
    )
