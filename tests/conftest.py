"""Suite-wide fixtures."""

from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.postgresql.operations import DatabaseOperations
from django.utils import translation


@pytest.fixture(autouse=True)
def default_language():
    """Start every test in the default language, so no test depends on what an earlier one activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def _flush_as_owner(self, sql_list):
    """Empty the tables after a transactional test as the owner: the runtime role holds no TRUNCATE."""
    with self.connection.cursor() as cursor:
        cursor.execute("SET ROLE NONE")
    try:
        _execute_sql_flush(self, sql_list)
    finally:
        with self.connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


_execute_sql_flush = DatabaseOperations.execute_sql_flush


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """With ``DATABASE_RUNTIME_ROLE`` on PostgreSQL, the tests run as the application's runtime role.

    The test database is created and migrated by the ``DATABASE_URL`` role, its owner, whose ``migrate`` grants
    the runtime role its privileges (``audit.roles``). Then every connection starts as the runtime role (the
    startup option ``role``), so each test may do exactly what the application may. Only what the application
    never does goes back to the owner with ``SET ROLE NONE``: emptying the tables after a transactional test, and
    the tampering of ``tests/audit/tampering.py``, which plays an insider holding the owner's password.
    """
    role = settings.DATABASE_RUNTIME_ROLE
    aliases = [alias for alias in connections if connections[alias].vendor == "postgresql"]
    if not role or not aliases:
        yield
        return
    with django_db_blocker.unblock():
        for alias in aliases:
            connections[alias].close()
            connections[alias].settings_dict.setdefault("OPTIONS", {})["options"] = f"-c role={role}"
    with mock.patch.object(DatabaseOperations, "execute_sql_flush", _flush_as_owner):
        yield
    with django_db_blocker.unblock():
        for alias in aliases:
            connections[alias].close()
            del connections[alias].settings_dict["OPTIONS"]["options"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Start every test with an empty cache: what a rolled-back test read (the calendar's exceptions) is gone."""
    cache.clear()
    yield
