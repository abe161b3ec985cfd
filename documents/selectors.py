"""Scoped reads of a decision's documents, and the public lookup by verification code."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from nominations import selectors as nomination_selectors
from nominations.models import AwardRecord, Decision
from nominations.services.decisions import CODE_ALPHABET, CODE_LENGTH, normalize_verification_code


def decision_visible(*, user, dossier_pk) -> Decision:
    """The decision of a dossier the user may see; 404 when the dossier is outside their scope or undecided."""
    dossier = nomination_selectors.dossier_get_visible(user=user, pk=dossier_pk)
    return get_object_or_404(Decision, dossier=dossier)


def decision_list_visible(*, user) -> QuerySet[Decision]:
    """The decisions of the dossiers the user may see, newest first, with how many awards each made and revoked."""
    return (
        Decision.objects.filter(dossier_id__in=nomination_selectors.dossier_ids_visible_to(user=user))
        .select_related("issuer_unit", "signer", "acting_for")
        .annotate(
            award_count=Count("records"),
            revoked_count=Count("records", filter=Q(records__revocation__isnull=False)),
        )
        .order_by("-decision_date", "-pk")
    )


def decision_get_visible(*, user, pk) -> Decision:
    """A decision of a dossier the user may see, by its own id; 404 otherwise."""
    return get_object_or_404(decision_list_visible(user=user), pk=pk)


def award_list(*, decision: Decision) -> QuerySet[AwardRecord]:
    """The awards a decision made, in golden-book order, with what their certificates show."""
    return (
        AwardRecord.objects.filter(decision=decision)
        .select_related("award_type", "revocation")
        .order_by("golden_book_number", "pk")
    )


def award_get_visible(*, user, pk) -> AwardRecord:
    """An award of a decision of a dossier the user may see; 404 otherwise (also for imported history)."""
    records = AwardRecord.objects.filter(
        decision__dossier_id__in=nomination_selectors.dossier_ids_visible_to(user=user)
    ).select_related("decision__issuer_unit", "award_type", "revocation")
    return get_object_or_404(records, pk=pk)


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
