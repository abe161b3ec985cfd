"""Out-of-band changes to the ledger, as someone with direct database access would make them."""

from django.db import connection

from audit.chain import GENESIS_HASH, HASHED_FIELDS, entry_hash
from audit.models import ChainHead, LedgerEntry


def as_owner() -> None:
    """Act as the tables' owner for the rest of the test's transaction (its rollback returns to the runtime role).

    When the suite runs as the runtime role (``DATABASE_RUNTIME_ROLE``, tests/conftest.py), the session still
    belongs to the owner, as an insider holding the owner's password would connect.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET ROLE NONE")


def trigger_off() -> None:
    """Switch the append-only trigger off, as the table's owner can; the test's transaction switches it back."""
    if connection.vendor == "postgresql":
        as_owner()
        with connection.cursor() as cursor:
            # Deferred foreign-key checks pending on the table would block ALTER TABLE; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_ledgerentry DISABLE TRIGGER audit_ledger_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def tamper(sql: str, params=()) -> None:
    """Run SQL against the ledger as someone with direct database access would."""
    trigger_off()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def move_head(sequence: int) -> None:
    """Point the chain head at the entry ``sequence``, as someone hiding the entries after it would."""
    as_owner()
    entry = LedgerEntry.objects.get(sequence=sequence)
    ChainHead.objects.filter(pk=1).update(sequence=entry.sequence, hash=entry.hash)


def rewrite_chain(from_sequence: int) -> None:
    """Recompute every hash from ``from_sequence`` on and move the head, as anyone who read ``audit.chain`` can."""
    trigger_off()
    previous = LedgerEntry.objects.filter(sequence__lt=from_sequence).order_by("-sequence").first()
    previous_hash = previous.hash if previous else GENESIS_HASH
    for entry in LedgerEntry.objects.filter(sequence__gte=from_sequence).select_related("subject_type"):
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS if name != "subject_type"}
        fields |= {
            "subject_type": f"{entry.subject_type.app_label}.{entry.subject_type.model}" if entry.subject_type else "",
            "prev_hash": previous_hash,
            "award_type": entry.award_type,
            "campaign": entry.campaign,
        }
        previous_hash = entry_hash(fields)
        LedgerEntry.objects.filter(pk=entry.pk).update(prev_hash=fields["prev_hash"], hash=previous_hash)
    move_head(LedgerEntry.objects.order_by("-sequence").values_list("sequence", flat=True).first())
