import datetime
import decimal
import uuid

from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from audit.chain import GENESIS_HASH
from audit.events import AuditEvent
from audit.models import ChainHead, LedgerEntry, LedgerIsAppendOnly
from audit.services import BATCH_NOT_IN_TRANSACTION, NOT_IN_TRANSACTION, ledger_batch, record
from audit.verify import verify_ledger
from org_hierarchy import services as org_services
from org_hierarchy.models import Role
from tests.base import MeritflowTestCase, make_user

from .tampering import tamper


class RecordTests(MeritflowTestCase):
    def test_entries_form_a_linked_chain_with_snapshots(self):
        actor = make_user(full_name="Nguyễn Văn An")
        head = make_user(full_name="Trần Thị Bình")
        unit = self.world.danang_police
        start = LedgerEntry.objects.count()
        first = record(
            AuditEvent.STAGE_APPRAISED,
            actor=actor,
            unit=unit,
            subject=unit,
            role=Role.APPRAISER,
            acting_for=head,
            stage="province_appraise",
            version_digest="abc123",
            reason="Đủ điều kiện",
            data={"score": decimal.Decimal("9.50"), "ref": uuid.UUID(int=7), "on": datetime.date(2026, 11, 23)},
        )
        second = record(AuditEvent.STAGE_SIGNED, actor=None)

        self.assertEqual(LedgerEntry.objects.count(), start + 2)
        self.assertEqual(second.sequence, first.sequence + 1)
        self.assertEqual(second.prev_hash, first.hash)
        self.assertEqual(len(first.hash), 64)
        stored = LedgerEntry.objects.get(pk=first.pk)
        self.assertEqual(stored.actor_name, "Nguyễn Văn An")
        self.assertEqual(stored.acting_for_name, "Trần Thị Bình")
        self.assertEqual(stored.unit_name, unit.name)
        self.assertEqual(stored.subject_text, unit.name)
        self.assertEqual(stored.subject_id, str(unit.pk))
        self.assertEqual(stored.data, {"score": "9.50", "ref": str(uuid.UUID(int=7)), "on": "2026-11-23"})
        self.assertEqual(second.actor_name, "")
        self.assertEqual(ChainHead.objects.get().sequence, second.sequence)
        self.assertEqual(ChainHead.objects.get().hash, second.hash)

    def test_first_entry_links_to_the_genesis_hash(self):
        tamper("DELETE FROM audit_ledgerentry")
        ChainHead.objects.all().delete()
        entry = record(AuditEvent.USERS_IMPORTED, actor=None, data={"count": 3})
        self.assertEqual(entry.sequence, 1)
        self.assertEqual(entry.prev_hash, GENESIS_HASH)

    def test_unknown_event_is_refused(self):
        with self.assertRaises(ValueError):
            record("dossier.teleported", actor=None)

    def test_entries_cannot_be_changed_or_deleted_through_the_model(self):
        entry = record(AuditEvent.CAMPAIGN_CHANGED, actor=None)
        entry.reason = "rewritten"
        with self.assertRaises(LedgerIsAppendOnly):
            entry.save()
        with self.assertRaises(LedgerIsAppendOnly):
            entry.delete()
        self.assertEqual(LedgerEntry.objects.get(pk=entry.pk).reason, "")


class LedgerBatchTests(MeritflowTestCase):
    """A transaction's entries are chained and written together as its batch ends, the chain head locked then."""

    def test_entries_are_written_in_their_order_when_the_batch_ends_and_the_head_is_locked_only_then(self):
        start = ChainHead.objects.get().sequence if ChainHead.objects.exists() else 0
        with CaptureQueriesContext(connection) as captured, ledger_batch():
            first = record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="một")
            second = record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="hai")
            in_block = len(captured)
            self.assertIsNone(second.pk)
        self.assertFalse(any("audit_" in query["sql"] for query in captured[:in_block]))
        self.assertTrue(all("audit_" in query["sql"] for query in captured[in_block:]))
        self.assertEqual((first.sequence, second.sequence), (start + 1, start + 2))
        self.assertEqual(second.prev_hash, first.hash)
        self.assertEqual(
            list(LedgerEntry.objects.filter(sequence__gt=start).values_list("pk", "reason")),
            [(first.pk, "một"), (second.pk, "hai")],
        )
        self.assertEqual(ChainHead.objects.get().sequence, second.sequence)
        self.assertTrue(verify_ledger().ok)

    def test_an_entry_of_a_savepoint_rolled_back_is_left_out_as_the_database_leaves_its_change_out(self):
        with ledger_batch():
            record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="kept")
            try:
                with transaction.atomic():
                    record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="undone")
                    raise ValueError
            except ValueError:
                pass
            with transaction.atomic():
                record(AuditEvent.CAMPAIGN_CHANGED, actor=None, reason="released")
        reasons = list(LedgerEntry.objects.values_list("reason", flat=True))
        self.assertEqual(reasons[-2:], ["kept", "released"])
        self.assertNotIn("undone", reasons)
        self.assertTrue(verify_ledger().ok)
        self.assertFalse(connection.run_on_commit)

    def test_a_batch_ended_by_an_error_writes_nothing_and_a_nested_one_joins_its_outer_batch(self):
        count = LedgerEntry.objects.count()
        with self.assertRaises(ValueError), ledger_batch():
            record(AuditEvent.CAMPAIGN_CHANGED, actor=None)
            raise ValueError
        self.assertEqual(LedgerEntry.objects.count(), count)
        with transaction.atomic(), ledger_batch():
            record(AuditEvent.CAMPAIGN_CHANGED, actor=None)
            transaction.set_rollback(True)
        self.assertEqual(LedgerEntry.objects.count(), count)
        with ledger_batch():
            with ledger_batch():
                inner = record(AuditEvent.CAMPAIGN_CHANGED, actor=None)
            self.assertIsNone(inner.pk)
        self.assertIsNotNone(inner.pk)
        self.assertEqual(LedgerEntry.objects.count(), count + 1)


class RecordOutsideTransactionTests(TestCase):
    # TestCase wraps each test in a transaction; leave it to see what a caller without one gets.
    def test_record_requires_the_callers_transaction(self):
        connection = transaction.get_connection()
        saved = connection.in_atomic_block
        connection.in_atomic_block = False
        try:
            with self.assertRaisesMessage(RuntimeError, NOT_IN_TRANSACTION):
                record(AuditEvent.CAMPAIGN_CHANGED, actor=None)
            with self.assertRaisesMessage(RuntimeError, BATCH_NOT_IN_TRANSACTION), ledger_batch():
                pass
        finally:
            connection.in_atomic_block = saved


class MembershipEntriesTests(MeritflowTestCase):
    def test_grant_delegate_end_and_revoke_each_write_their_entry(self):
        admin = make_user(full_name="Quản trị viên")
        officer = make_user(full_name="Lê Văn Cường")
        head = make_user(full_name="Phạm Thủ Trưởng")
        unit = self.world.haichau_pc
        membership = org_services.membership_grant(user=officer, unit=unit, role=Role.APPRAISER, actor=admin)
        delegation = org_services.membership_grant(
            user=officer,
            unit=unit,
            role=Role.APPROVER,
            actor=admin,
            acting_for=head,
            valid_to=datetime.date.today() + datetime.timedelta(days=10),
        )
        org_services.membership_revoke(membership=delegation, actor=admin, reason="Hết ủy quyền")
        org_services.membership_end(membership=membership, actor=admin, on=datetime.date.today())

        entries = list(LedgerEntry.objects.filter(subject_id__in=[membership.pk, delegation.pk]).order_by("sequence"))
        self.assertEqual(
            [e.event for e in entries],
            [
                AuditEvent.MEMBERSHIP_GRANTED,
                AuditEvent.MEMBERSHIP_DELEGATED,
                AuditEvent.MEMBERSHIP_REVOKED,
                AuditEvent.MEMBERSHIP_ENDED,
            ],
        )
        granted, delegated, revoked, ended = entries
        self.assertEqual(granted.actor, admin)
        self.assertEqual(granted.unit, unit)
        self.assertEqual(granted.data["role"], Role.APPRAISER)
        self.assertEqual(granted.data["user"], "Lê Văn Cường")
        self.assertEqual(delegated.acting_for, head)
        self.assertEqual(delegated.acting_for_name, "Phạm Thủ Trưởng")
        self.assertEqual(revoked.reason, "Hết ủy quyền")
        self.assertEqual(ended.data["valid_to"], datetime.date.today().isoformat())
