"""Out-of-band changes to the ledger, as someone with direct database access would make them."""

from django.db import connection


def trigger_off() -> None:
    """Switch the append-only trigger off, as the table's owner can; the test's transaction switches it back."""
    if connection.vendor == "postgresql":
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
