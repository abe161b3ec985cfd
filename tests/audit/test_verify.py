from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import translation

from audit.chain import entry_hash
from audit.events import AuditEvent
from audit.models import ChainHead, LedgerEntry
from audit.services import record
from audit.verify import register_state_check, unregister_state_check, verify_ledger
from org_hierarchy import services as org_services
from org_hierarchy.models import Membership, OrgUnit, Role
from tests.base import MeritflowTestCase, make_user

from .tampering import tamper, trigger_off


class VerifyTests(MeritflowTestCase):
    def setUp(self):
        self.enterContext(translation.override("en"))
        self.actor = make_user(full_name="Võ Thị Thẩm Định")
        self.entries = [
            record(
                AuditEvent.STAGE_APPRAISED,
                actor=self.actor,
                unit=self.world.danang_police,
                subject=self.world.danang_police,
                role=Role.APPRAISER,
                data={"outcomes": {"1": "approved", "2": "dropped"}, "score": 9.0},
            )
            for _ in range(5)
        ]
        self.middle = self.entries[2]

    def assert_broken_at(self, sequence: int, why: str):
        result = verify_ledger(chunk_size=2)
        self.assertFalse(result.ok)
        self.assertEqual(result.problem.sequence, sequence)
        self.assertIn(why, result.problem.why)

    def test_untouched_ledger_verifies(self):
        result = verify_ledger(chunk_size=2)
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(result.checked, LedgerEntry.objects.count())

    def test_a_field_changed_by_raw_sql_names_the_entry(self):
        tamper("UPDATE audit_ledgerentry SET reason = %s WHERE id = %s", ["sửa lén", self.middle.pk])
        self.assert_broken_at(self.middle.sequence, "changed after it was written")

    def test_data_changed_by_queryset_update_names_the_entry(self):
        trigger_off()
        LedgerEntry.objects.filter(pk=self.middle.pk).update(data={"outcomes": {"1": "approved", "2": "approved"}})
        self.assert_broken_at(self.middle.sequence, "changed after it was written")

    def test_a_removed_entry_is_named_by_the_gap_it_leaves(self):
        tamper("DELETE FROM audit_ledgerentry WHERE id = %s", [self.middle.pk])
        self.assert_broken_at(self.middle.sequence + 1, f"{self.middle.sequence} to {self.middle.sequence}")

    def test_removing_the_last_entries_is_caught_by_the_chain_head(self):
        first_removed = self.entries[-2]
        tamper("DELETE FROM audit_ledgerentry WHERE sequence >= %s", [first_removed.sequence])
        self.assert_broken_at(first_removed.sequence, "removed from the end")

    def test_an_entry_inserted_with_a_valid_hash_is_caught_by_the_chain_head(self):
        last = self.entries[-1]
        forged = {
            "sequence": last.sequence + 1,
            "event": AuditEvent.DECISION_ISSUED.value,
            "occurred_at": last.occurred_at,
            "actor_id": None,
            "actor_name": "",
            "role": "",
            "acting_for_id": None,
            "acting_for_name": "",
            "unit_id": None,
            "unit_name": "",
            "stage": "",
            "subject_type": "",
            "subject_id": "",
            "subject_text": "",
            "version_digest": "",
            "reason": "",
            "data": {},
            "prev_hash": last.hash,
        }
        LedgerEntry.objects.create(
            **{k: v for k, v in forged.items() if k not in {"actor_id", "acting_for_id", "unit_id", "subject_type"}},
            hash=entry_hash(forged),
        )
        self.assert_broken_at(last.sequence + 1, "added outside the application")

    def test_an_entry_swapped_into_the_middle_breaks_the_link(self):
        # Replace the middle entry with a forged one carrying its own valid hash: the next link no longer holds.
        tamper("DELETE FROM audit_ledgerentry WHERE id = %s", [self.middle.pk])
        previous = self.entries[1]
        forged = {
            field: getattr(self.middle, field)
            for field in ("sequence", "event", "occurred_at", "actor_id", "actor_name", "role", "acting_for_id")
        }
        forged.update(
            acting_for_name="",
            unit_id=None,
            unit_name="",
            stage="",
            subject_type="",
            subject_id="",
            subject_text="",
            version_digest="",
            reason="",
            data={"outcomes": {"1": "approved", "2": "approved"}},
            prev_hash=previous.hash,
        )
        LedgerEntry.objects.create(
            **{k: v for k, v in forged.items() if k not in {"unit_id", "subject_type"}}, hash=entry_hash(forged)
        )
        self.assert_broken_at(self.middle.sequence + 1, "link to the previous entry")

    def test_first_problem_wins_over_later_ones(self):
        tamper("UPDATE audit_ledgerentry SET role = 'x' WHERE id IN (%s, %s)", [self.entries[1].pk, self.entries[3].pk])
        self.assert_broken_at(self.entries[1].sequence, "changed after it was written")

    def test_state_checks_run_once_per_chunk_and_name_the_first_mismatch(self):
        calls = []

        def unit_still_named_as_recorded(entries):
            calls.append(len(entries))
            names = dict(OrgUnit.objects.filter(pk__in=[e.unit_id for e in entries]).values_list("pk", "name"))
            for entry in entries:
                if names.get(entry.unit_id) != entry.unit_name:
                    yield entry, "unit renamed"

        register_state_check(OrgUnit, unit_still_named_as_recorded)
        self.addCleanup(unregister_state_check, OrgUnit, unit_still_named_as_recorded)
        total = LedgerEntry.objects.count()
        self.assertTrue(verify_ledger(chunk_size=2).ok)
        self.assertEqual(sum(calls), LedgerEntry.objects.filter(subject_type__model="orgunit").count())
        self.assertEqual(len(calls), (total + 1) // 2)

        OrgUnit.objects.filter(pk=self.world.danang_police.pk).update(name="Công an khác")
        self.assert_broken_at(self.entries[0].sequence, "unit renamed")

    def test_a_membership_given_another_role_in_the_database_is_caught(self):
        clerk = make_user()
        membership = org_services.membership_grant(user=clerk, unit=self.world.haichau_pc, role=Role.SUBMITTER)
        grant_entry = LedgerEntry.objects.get(event=AuditEvent.MEMBERSHIP_GRANTED, subject_id=str(membership.pk))
        self.assertTrue(verify_ledger().ok)

        Membership.objects.filter(pk=membership.pk).update(role=Role.APPROVER)
        self.assert_broken_at(grant_entry.sequence, "user, role, unit or principal")


class VerifyCommandTests(TestCase):
    def setUp(self):
        self.enterContext(translation.override("en"))

    def test_clean_ledger_exits_zero(self):
        record(AuditEvent.USERS_IMPORTED, actor=None, data={"count": 2})
        out = StringIO()
        call_command("verify_audit", stdout=out)
        self.assertIn("1", out.getvalue())

    def test_broken_ledger_exits_non_zero_and_names_the_entry(self):
        entries = [record(AuditEvent.USERS_IMPORTED, actor=None, data={"count": n}) for n in range(3)]
        tamper("UPDATE audit_ledgerentry SET data = %s WHERE id = %s", ['{"count": 99}', entries[1].pk])
        with self.assertRaises(CommandError) as raised:
            call_command("verify_audit")
        self.assertEqual(raised.exception.returncode, 1)
        self.assertIn(str(entries[1].sequence), str(raised.exception))
        self.assertIn("users.imported", str(raised.exception))

    def test_an_empty_ledger_is_intact(self):
        ChainHead.objects.all().delete()
        self.assertTrue(verify_ledger().ok)


class CanonicalFormTests(MeritflowTestCase):
    """The verifier's fast encoding must give the writer's bytes for every kind of value an entry can hold."""

    def test_entries_with_awkward_values_verify_and_a_changed_one_does_not(self):
        actor = make_user(full_name='Lê "Tí" Nguyễn\tThị\\Ánh')
        awkward = [
            {},
            {"nominees": {"12": "awarded", "7": "dropped"}, "score": 9.5, "ratio": 0.1, "big": 10**20},
            {"text": 'Điều 24 \u2028 «trích dẫn» \x01 "nháy" \\ /', "list": [1, 2.5, None, True, False, "ơ"]},
            {"nested": {"b": [{"z": 1, "a": 2}], "a": {"ä": 1, "a": 2, "A": 3}}, "neg": -3, "exp": 1e-7},
        ]
        for index, data in enumerate(awkward):
            record(
                AuditEvent.STAGE_VOTED,
                actor=actor,
                acting_for=actor if index % 2 else None,
                unit=self.world.haichau_pc if index % 2 else None,
                subject=self.world.haichau_pc,
                reason=f"Lý do {index}\nxuống dòng",
                data=data,
            )
        result = verify_ledger(chunk_size=3)
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(result.checked, len(awkward))
        tamper("UPDATE audit_ledgerentry SET reason = %s WHERE sequence = 3", ["Lý do 2\nxuống  dòng"])
        self.assertEqual(verify_ledger().problem.sequence, 3)
