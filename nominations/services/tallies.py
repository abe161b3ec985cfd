"""The statistics' counts per dossier (``DossierTally``), rewritten from the nominees by whatever changes them.

Every service that changes a counted fact of a submitted dossier (its submission, a nominee added, edited or
removed after a return, a nominee dropped, the withdrawal, the rejection, the decision, a revocation) calls
``dossier_tally_refresh`` in its own transaction, after its writes: the dossier's rows are deleted and counted
again from its nominees by the database, two statements whatever the number of nominees. The same INSERT …
SELECT copies the dossier's facts the statistics filter and group by (``tallies.CARRIED``: year, award type,
campaign, originating unit, submission time), so ``dossier_update`` refreshes the tallies of a returned dossier
whose year, award type or campaign it changes; the other facts change only with the submission.
"""

from django.db import connection, transaction

from .. import tallies
from ..models import Dossier, DossierStatus, DossierTally

COLUMNS = (
    "dossier_id",
    "subject_type",
    "subject_group_id",
    *(DossierTally._meta.get_field(name).column for name in tallies.CARRIED),
    *tallies.OUTCOMES,
)


def _insert_counted(nominees) -> None:
    """Write the tally rows of these nominees in one INSERT … SELECT (nothing travels through Python)."""
    select, params = tallies.counts_from_nominees(nominees).query.sql_with_params()
    table = connection.ops.quote_name(DossierTally._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(column) for column in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)


def dossier_tally_refresh(*, dossier: Dossier, fresh: bool = False) -> None:
    """Count the dossier's nominees again into its tally rows; a draft is not counted (``fresh``: it has none yet,
    as at its submission, so there is nothing to delete)."""
    if dossier.status == DossierStatus.DRAFT:
        return
    if not fresh:
        DossierTally.objects.filter(dossier=dossier).delete()
    _insert_counted(tallies.counted_nominees().filter(dossier=dossier))


@transaction.atomic
def tallies_rebuild() -> int:
    """Write every dossier's tally rows afresh from the nominees; return how many rows there are."""
    DossierTally.objects.all().delete()
    _insert_counted(tallies.counted_nominees())
    return DossierTally.objects.count()


def tally_differences() -> list[int]:
    """The dossiers whose tally rows differ from the counts of their nominees (none, if every change went through
    the services)."""
    fields = (*tallies.KEYS, *tallies.CARRIED, *tallies.OUTCOMES)
    kept = set(DossierTally.objects.values_list(*fields))
    counted = set(tallies.counts_from_nominees(tallies.counted_nominees()).values_list(*fields))
    return sorted({row[0] for row in kept ^ counted})
