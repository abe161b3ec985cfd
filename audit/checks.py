"""Database checks of what the ledger's protection relies on (run by ``migrate`` and ``check --database``)."""

from django.core import checks
from django.db import connections

from .models import LedgerEntry

TRIGGER_NAME = "audit_ledger_append_only"

# One row: whether the table exists yet, and the trigger's state ("D" = disabled, NULL = missing).
TRIGGER_STATE_SQL = """
SELECT to_regclass(%s) IS NOT NULL,
       (SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND tgrelid = to_regclass(%s) AND NOT tgisinternal)
"""


def check_ledger_trigger(app_configs=None, databases=None, **kwargs):
    """On PostgreSQL the append-only trigger must exist and be enabled, or raw SQL could rewrite the ledger.

    A warning, not an error: ``migrate`` runs this check first, and an error would stop the very migration that
    installs the trigger.
    """
    errors = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            table = LedgerEntry._meta.db_table
            cursor.execute(TRIGGER_STATE_SQL, [table, TRIGGER_NAME, table])
            table_exists, state = cursor.fetchone()
        if table_exists and state in (None, "D"):
            errors.append(
                checks.Warning(
                    f"The trigger {TRIGGER_NAME} on {LedgerEntry._meta.db_table} is missing or disabled "
                    f"in database {alias!r}.",
                    hint="Run migrate, or ALTER TABLE audit_ledgerentry ENABLE TRIGGER audit_ledger_append_only.",
                    id="audit.W001",
                )
            )
    return errors
