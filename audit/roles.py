"""The application's PostgreSQL runtime role: what ``migrate``, run as the owner of the tables, grants it.

The owner role creates and alters the tables (migrations); the application runs as another role, named by
``DATABASE_RUNTIME_ROLE``, which may read and write the domain tables but only read and append to the ledger.
Not owning the ledger, it can neither disable the append-only trigger nor alter or drop the table, and it holds
no TRUNCATE anywhere. The grants are applied after every ``migrate`` by the owner, so new tables are covered.
"""

from django.conf import settings
from django.db import connections

from .models import LedgerEntry

# Exactly these privileges: everything earlier granted to the role on the schema's tables is revoked first.
GRANTS = """
GRANT USAGE ON SCHEMA {schema} TO {role};
REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role};
REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
REVOKE UPDATE, DELETE ON {ledger} FROM {role};
"""

# Whether the current role owns the ledger (directly or through a role it belongs to), i.e. may grant on it.
OWNS_LEDGER_SQL = "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(%s)"


def runtime_role_grant(*, using: str, role: str) -> bool:
    """Give ``role`` the runtime privileges on database ``using``; return False when the current role cannot
    (it does not own the ledger, e.g. it is the runtime role itself) and nothing was done."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(OWNS_LEDGER_SQL, [LedgerEntry._meta.db_table])
        row = cursor.fetchone()
        if not row or not row[0]:
            return False
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        cursor.execute(GRANTS.format(schema=quote(schema), role=quote(role), ledger=quote(LedgerEntry._meta.db_table)))
    return True


def runtime_role_grant_after_migrate(sender, using, **kwargs):
    """``post_migrate``: on PostgreSQL with ``DATABASE_RUNTIME_ROLE`` set, grant it its privileges."""
    role = settings.DATABASE_RUNTIME_ROLE
    if role and connections[using].vendor == "postgresql":
        runtime_role_grant(using=using, role=role)
