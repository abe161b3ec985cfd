"""What the statistics count: the outcome of each nominee of a submitted dossier, as conditions on the nominees.

``DossierTally`` keeps these counts per dossier, subject kind and group (``services.tallies`` writes them); the
same conditions select the nominees behind a count (the statistics' nominee lists), so both always agree.
"""

from django.db.models import Count, F, Q, QuerySet

from .models import AwardRecord, DossierStatus, Nominee, NomineeOutcome

# The counted outcomes, in the order of the statistics' columns (the names of ``DossierTally``'s counts).
OUTCOMES = ("proposed", "awarded", "revoked", "pending", "dropped", "rejected", "withdrawn")
# What a tally row is counted by, besides its dossier.
KEYS = ("dossier", "subject_type", "subject_group")
# The dossier's facts a tally row carries (its fields of the same names), so that the statistics need not join
# the dossiers: what they filter and group by.
CARRIED = ("year", "award_type", "campaign", "originating_unit", "submitted_at")


def condition(outcome: str) -> Q:
    """The nominees of one outcome (``proposed`` is every nominee of a submitted dossier).

    ``awarded`` counts the awards in force: an award later revoked (``AwardRecord.revocation``) leaves it for
    ``revoked``, counted in the year of its dossier like the rest. The revoked nominees are one uncorrelated
    subquery over the few revoked awards (PostgreSQL hashes it once), not a join of every nominee to its award.
    """
    rejected = Q(dossier__status=DossierStatus.REJECTED)
    awarded = Q(outcome=NomineeOutcome.AWARDED)
    revoked_awards = AwardRecord.objects.filter(revocation__isnull=False, nominee__isnull=False)
    revoked = Q(pk__in=revoked_awards.values("nominee"))
    return {
        "proposed": Q(),
        "awarded": awarded & ~revoked,
        "revoked": awarded & revoked,
        "pending": Q(outcome=NomineeOutcome.PENDING),
        "dropped": Q(outcome=NomineeOutcome.DROPPED) & ~rejected,
        "rejected": Q(outcome=NomineeOutcome.DROPPED) & rejected,
        "withdrawn": Q(outcome=NomineeOutcome.WITHDRAWN),
    }[outcome]


def counted_nominees() -> QuerySet[Nominee]:
    """The nominees the statistics count: those of every dossier past its draft."""
    return Nominee.objects.exclude(dossier__status=DossierStatus.DRAFT)


def counts_from_nominees(nominees: QuerySet[Nominee]) -> QuerySet:
    """The tally rows of these nominees, counted from them: one per dossier, subject kind and group, with the
    dossier's ``CARRIED`` facts (named as the tally's fields)."""
    facts = {name: F(f"dossier__{name}") for name in CARRIED}
    return (
        nominees.values(*KEYS, **facts).annotate(
            **{outcome: Count("pk", filter=condition(outcome)) for outcome in OUTCOMES}
        )
    ).order_by()
