"""Fill the new outcomes column of the entries written before it existed, from the nominee outcomes in their data.

The column is not hashed (verification checks it against the hashed data instead), so filling it leaves the chain
intact. On PostgreSQL the append-only trigger is switched off for this one UPDATE, inside the migration's
transaction, and back on before it commits.
"""

from django.db import migrations

SEPARATOR = ","


def backfill(apps, schema_editor):
    LedgerEntry = apps.get_model("audit", "LedgerEntry")
    postgresql = schema_editor.connection.vendor == "postgresql"
    updates = []
    for pk, data in LedgerEntry.objects.filter(data__has_key="nominees").values_list("pk", "data").iterator():
        nominees = data.get("nominees")
        if isinstance(nominees, dict) and nominees:
            updates.append((pk, SEPARATOR.join(sorted({str(value) for value in nominees.values()}))))
    if not updates:
        return
    if postgresql:
        # ALTER TABLE refuses to run while deferred foreign-key checks on the table are pending: run them first.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("ALTER TABLE audit_ledgerentry DISABLE TRIGGER audit_ledger_append_only")
    for pk, outcomes in updates:
        LedgerEntry.objects.filter(pk=pk).update(outcomes=outcomes)
    if postgresql:
        schema_editor.execute("ALTER TABLE audit_ledgerentry ENABLE TRIGGER audit_ledger_append_only")
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_ledger_search_columns")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
