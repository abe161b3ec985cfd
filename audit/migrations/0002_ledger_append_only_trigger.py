"""On PostgreSQL, make the database itself refuse UPDATE and DELETE on the ledger table.

The model already refuses both in Python; the trigger also stops raw SQL, ``QuerySet.update()`` and
``QuerySet.delete()``. TRUNCATE is left to privileges (the application's database role should not hold it):
Django's test runner empties tables with TRUNCATE, and an entry removed that way is still
caught by verification against the chain head.
"""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION audit_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_ledgerentry is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS audit_ledger_append_only ON audit_ledgerentry;
CREATE TRIGGER audit_ledger_append_only
    BEFORE UPDATE OR DELETE ON audit_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION audit_ledger_refuse_change();
"""

REMOVE = """
DROP TRIGGER IF EXISTS audit_ledger_append_only ON audit_ledgerentry;
DROP FUNCTION IF EXISTS audit_ledger_refuse_change();
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
