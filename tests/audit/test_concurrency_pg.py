import threading

import pytest
from django.db import DatabaseError, close_old_connections, connection, transaction
from django.test import TestCase

from audit.checks import check_ledger_trigger
from audit.events import AuditEvent
from audit.models import ChainHead, LedgerEntry
from audit.services import record
from audit.verify import verify_ledger
from tests.base import CommittingTestCase

from .tampering import as_owner, trigger_off

WRITERS = 20


def skip_unless_postgresql(test_case):
    if connection.vendor != "postgresql":
        test_case.skipTest("needs PostgreSQL")


@pytest.mark.postgres
class ConcurrentRecordTests(CommittingTestCase):
    def setUp(self):
        skip_unless_postgresql(self)

    def test_concurrent_writers_leave_one_unforked_chain(self):
        barrier = threading.Barrier(WRITERS)
        errors = []

        def write(n):
            try:
                barrier.wait()
                with transaction.atomic():
                    record(AuditEvent.STAGE_SIGNED, actor=None, data={"writer": n})
            except Exception as exc:
                errors.append(exc)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        self.assertEqual(errors, [])
        entries = list(LedgerEntry.objects.order_by("sequence").values_list("sequence", "prev_hash", "hash"))
        self.assertEqual([sequence for sequence, _, _ in entries], list(range(1, WRITERS + 1)))
        prev_hashes = [prev for _, prev, _ in entries]
        self.assertEqual(len(set(prev_hashes)), WRITERS, "two entries link to the same predecessor")
        self.assertEqual(
            sorted(e[2]["writer"] for e in LedgerEntry.objects.values_list("id", "event", "data")), list(range(WRITERS))
        )
        self.assertEqual(ChainHead.objects.get().sequence, WRITERS)
        result = verify_ledger()
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(result.checked, WRITERS)


@pytest.mark.postgres
class TriggerTests(TestCase):
    """The trigger holds even for the tables' owner (the runtime role is refused earlier, by its privileges)."""

    def setUp(self):
        skip_unless_postgresql(self)
        as_owner()
        self.entry = record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="mở đợt")

    def assert_refused(self, sql):
        with (
            self.assertRaisesMessage(DatabaseError, "append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [self.entry.pk])

    def test_update_is_refused_by_the_database(self):
        self.assert_refused("UPDATE audit_ledgerentry SET reason = 'khác' WHERE id = %s")
        self.assertEqual(LedgerEntry.objects.get(pk=self.entry.pk).reason, "mở đợt")

    def test_delete_is_refused_by_the_database(self):
        self.assert_refused("DELETE FROM audit_ledgerentry WHERE id = %s")
        self.assertTrue(LedgerEntry.objects.filter(pk=self.entry.pk).exists())

    def test_queryset_update_is_refused_too(self):
        with self.assertRaisesMessage(DatabaseError, "append-only"), transaction.atomic():
            LedgerEntry.objects.filter(pk=self.entry.pk).update(reason="khác")


@pytest.mark.postgres
class TriggerCheckTests(TestCase):
    def setUp(self):
        skip_unless_postgresql(self)

    def test_the_database_check_reports_a_disabled_trigger(self):
        self.assertEqual(check_ledger_trigger(databases=["default"]), [])
        trigger_off()
        self.assertEqual([error.id for error in check_ledger_trigger(databases=["default"])], ["audit.W001"])


@pytest.mark.postgres
class RoundTripTests(TestCase):
    def setUp(self):
        skip_unless_postgresql(self)

    def test_an_entry_costs_two_statements_and_moves_the_head(self):
        record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="tạo đầu chuỗi")
        with self.assertNumQueries(2):
            entry = record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="mở đợt", data={"n": 1})
        self.assertEqual(ChainHead.objects.values_list("sequence", "hash").get(), (entry.sequence, entry.hash))
        stored = LedgerEntry.objects.get(pk=entry.pk)
        self.assertEqual((stored.sequence, stored.reason, stored.data), (entry.sequence, "mở đợt", {"n": 1}))
        self.assertTrue(verify_ledger().ok)
