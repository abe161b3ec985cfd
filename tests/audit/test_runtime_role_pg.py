"""The application's runtime role on PostgreSQL may read and append to the ledger, and nothing more."""

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.test import TestCase

from audit.events import AuditEvent
from audit.models import LedgerEntry
from audit.services import record
from audit.verify import verify_ledger

INSUFFICIENT_PRIVILEGE = "42501"


@pytest.mark.postgres
class RuntimeRoleTests(TestCase):
    def setUp(self):
        if connection.vendor != "postgresql" or not settings.DATABASE_RUNTIME_ROLE:
            self.skipTest("needs PostgreSQL and DATABASE_RUNTIME_ROLE")
        self.role = settings.DATABASE_RUNTIME_ROLE
        self.entry = record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="mở đợt")

    def fetch(self, sql, params=()):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def test_the_tests_run_as_the_runtime_role_which_does_not_own_the_ledger(self):
        self.assertEqual(self.fetch("SELECT current_user"), [(self.role,)])
        ((owner, superuser),) = self.fetch(
            "SELECT pg_get_userbyid(relowner), (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
            "FROM pg_class WHERE oid = 'audit_ledgerentry'::regclass"
        )
        self.assertNotEqual(owner, self.role)
        self.assertFalse(superuser)

    def test_it_reads_and_appends_to_the_ledger(self):
        entry = record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="đóng đợt")
        self.assertEqual(LedgerEntry.objects.filter(pk__in=[self.entry.pk, entry.pk]).count(), 2)
        self.assertTrue(verify_ledger().ok)

    def test_changing_emptying_or_unprotecting_the_ledger_is_refused(self):
        statements = [
            "UPDATE audit_ledgerentry SET reason = 'khác'",
            "DELETE FROM audit_ledgerentry",
            "TRUNCATE audit_ledgerentry",
            "TRUNCATE audit_ledgerentry, audit_chainhead CASCADE",
            "ALTER TABLE audit_ledgerentry DISABLE TRIGGER audit_ledger_append_only",
            "ALTER TABLE audit_ledgerentry DISABLE TRIGGER ALL",
            "DROP TRIGGER audit_ledger_append_only ON audit_ledgerentry",
            "DROP TABLE audit_ledgerentry CASCADE",
        ]
        for sql in statements:
            with self.subTest(sql):
                with self.assertRaises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(sql)
                self.assertEqual(raised.exception.__cause__.diag.sqlstate, INSUFFICIENT_PRIVILEGE, raised.exception)
        self.assertEqual(LedgerEntry.objects.get(pk=self.entry.pk).reason, "mở đợt")
        ((enabled,),) = self.fetch("SELECT tgenabled FROM pg_trigger WHERE tgname = 'audit_ledger_append_only'")
        self.assertEqual(enabled, "O")

    def test_it_holds_only_select_and_insert_on_the_ledger_and_truncate_nowhere(self):
        privileges = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
        held = [
            privilege
            for privilege in privileges
            if self.fetch("SELECT has_table_privilege(%s, 'audit_ledgerentry', %s)", [self.role, privilege])[0][0]
        ]
        self.assertEqual(held, ["SELECT", "INSERT"])
        truncatable = self.fetch(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relkind IN ('r', 'p') AND has_table_privilege(%s, c.oid, 'TRUNCATE')",
            [self.role],
        )
        self.assertEqual(truncatable, [])
