import base64
import datetime
import hashlib
import json
import tempfile
from io import StringIO
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import translation

from audit import chain, verify
from audit.chain import entry_hash
from audit.events import AuditEvent
from audit.models import ChainHead, LedgerEntry
from audit.services import record
from audit.verify import register_state_check, unregister_state_check, verify_ledger
from nominations import services as nomination_services
from nominations.models import AwardRecord, AwardType, Decision, Dossier, Nominee, NomineeOutcome
from notifications.models import OutgoingEmail, OutgoingEmailStatus
from org_hierarchy import services as org_services
from org_hierarchy.models import Membership, OrgUnit, Role
from tests.base import MeritflowTestCase, grant, make_user
from tests.nominations.support import NominationsTestCase, ready_dossier

from .tampering import as_owner, move_head, rewrite_chain, tamper, trigger_off


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

    def test_the_encoder_writes_the_reference_json_of_every_field_of_the_table(self):
        moment = datetime.datetime(2026, 12, 7, 1, 2, 3, 456789, tzinfo=datetime.UTC)
        values = {
            field.name: {
                chain.INTEGER: 41,
                chain.ID: 7,
                chain.TEXT: f'{field.name} "ơ"\n',
                chain.TIME: moment,
                chain.DATA: {"b": [1, 2.5], "a": {"ä": None}},
                chain.MODEL: "nominations.dossier",
            }[field.kind]
            for field in chain.FIELDS
        }
        for unset in ({}, {"award_type": ""}, {"campaign": ""}, {"award_type": "", "campaign": ""}):
            fields = values | unset
            reference = {name: value for name, value in fields.items() if value or name not in unset} | {
                "occurred_at": chain.timestamp(moment)
            }
            self.assertEqual(chain.entry_hash(fields), chain.payload_hash(reference), unset)

    def test_every_field_of_the_table_is_a_column_the_verifier_reads(self):
        columns = {field.attname for field in LedgerEntry._meta.concrete_fields}
        for field in chain.FIELDS:
            self.assertIn(field.column, columns)
            self.assertIn(field.column, verify._COLUMNS)
        actor = make_user(full_name="Nguyễn Văn An")
        unit = self.world.haichau_pc
        record(AuditEvent.STAGE_VOTED, actor=actor, acting_for=actor, unit=unit, subject=unit, data={"n": 1})
        for field in chain.FIELDS:
            if field.kind in (chain.TIME, chain.INTEGER):
                continue
            with self.subTest(field=field.name):
                column = LedgerEntry._meta.get_field(field.name).column
                value = {chain.DATA: '{"n": 2}', chain.ID: None, chain.MODEL: None}.get(field.kind, "9")
                with transaction.atomic():
                    tamper(f"UPDATE audit_ledgerentry SET {column} = %s WHERE sequence = 1", [value])
                    self.assertEqual(verify_ledger().problem.sequence, 1)
                    transaction.set_rollback(True)


class DecisionFactsTests(NominationsTestCase):
    """Every fact a decision certifies is compared with what its ledger entry recorded, and named when it differs."""

    def setUp(self):
        super().setUp()
        self.head = grant(Role.APPROVER, self.world.haichau_pc)
        self.deputy = make_user(full_name="Phó Chủ tịch")
        dossier, _submitter = ready_dossier(self.world.residential_group, nominees=3, title="Khen tổ dân phố 2026")
        dossier = nomination_services.dossier_submit(dossier=dossier, actor=_submitter)
        self.dropped = dossier.nominees.order_by("pk").first()
        nomination_services.nominee_drop(
            nominee=self.dropped, actor=self.head, stage_unit=self.world.haichau_pc, reason="Chưa đủ"
        )
        self.decision = nomination_services.decision_issue(
            dossier=dossier,
            issuer_unit=self.world.haichau_pc,
            signer=self.head,
            decision_date=datetime.date(2026, 8, 19),
        )
        self.awardee = self.decision.awarded_nominees.order_by("pk").first()
        self.entry = LedgerEntry.objects.get(event=AuditEvent.DECISION_ISSUED)

    def assert_named(self, change, *words):
        with transaction.atomic():
            change()
            result = verify_ledger(chunk_size=3)
            transaction.set_rollback(True)
        self.assertFalse(result.ok, words)
        self.assertEqual(result.problem.sequence, self.entry.sequence, result.problem)
        for word in ("01/QĐ-UBND", "Khen tổ dân phố 2026", *words):
            self.assertIn(word, result.problem.why)

    def test_the_untouched_decision_verifies(self):
        result = verify_ledger(chunk_size=3)
        self.assertTrue(result.ok, result.problem)
        self.assertEqual(self.entry.data["certified"]["date"], "2026-08-19")
        self.assertNotIn(self.awardee.national_id, str(self.entry.data))

    def test_each_fact_of_the_decision_changed_in_the_database_is_named(self):
        decision = Decision.objects.filter(pk=self.decision.pk)
        cases = {
            "number": lambda: decision.update(number=7),
            "symbol": lambda: decision.update(symbol="QĐ-CT"),
            "year": lambda: decision.update(year=2025),
            "decision date": lambda: decision.update(decision_date=datetime.date(2026, 8, 1)),
            "signer": lambda: decision.update(signer=self.deputy),
            "signed for": lambda: decision.update(acting_for=self.deputy),
            "issuer": lambda: decision.update(issuer_unit=self.world.danang_pc),
            "award type": lambda: Dossier.objects.filter(pk=self.decision.dossier_id).update(
                award_type=AwardType.objects.exclude(pk=self.decision.dossier.award_type_id).first()
            ),
        }
        for field, change in cases.items():
            with self.subTest(field):
                self.assert_named(change, field)

    def test_each_fact_of_an_awardee_changed_in_the_database_is_named(self):
        awardee = Nominee.objects.filter(pk=self.awardee.pk)
        cases = {
            "full name": lambda: awardee.update(full_name="Trần Thị Giả"),
            "citizen ID number": lambda: awardee.update(national_id="048999999999"),
            "date of birth": lambda: awardee.update(date_of_birth=datetime.date(1980, 1, 1)),
            "position": lambda: awardee.update(position="Giám đốc"),
            "collective": lambda: awardee.update(collective_unit=self.world.school),
        }
        for field, change in cases.items():
            with self.subTest(field):
                self.assert_named(change, field, self.awardee.full_name)

    def test_an_outcome_changed_or_an_award_added_in_the_database_is_reported(self):
        self.assert_named(
            lambda: Nominee.objects.filter(pk=self.awardee.pk).update(outcome=NomineeOutcome.DROPPED),
            "no longer has that outcome",
        )
        self.assert_named(
            lambda: Nominee.objects.filter(pk=self.dropped.pk).update(
                outcome=NomineeOutcome.AWARDED, decision=self.decision
            ),
            "did not award",
        )

    def test_the_award_register_changed_in_the_database_is_reported(self):
        records = AwardRecord.objects.filter(decision=self.decision)
        self.assert_named(lambda: records.filter(pk=records.first().pk).update(subject_name="Trần Thị Giả"), "register")
        self.assert_named(lambda: records.update(decision_number="09/QĐ-UBND"), "register")
        self.assert_named(lambda: records.update(decision_date=datetime.date(2026, 1, 1)), "register")

    def test_a_golden_book_number_changed_in_the_database_is_named(self):
        record = AwardRecord.objects.get(nominee=self.awardee)
        self.assertEqual(self.entry.data["awardees"][str(self.awardee.pk)]["golden_book"], record.golden_book_number)

        def renumber():
            as_owner()
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE nominations_awardrecord SET golden_book_number = %s WHERE id = %s",
                    [record.golden_book_number + 100, record.pk],
                )

        self.assert_named(renumber, "golden-book number", self.awardee.full_name)

    def test_an_entry_written_before_golden_book_numbers_were_certified_still_verifies(self):
        data = self.entry.data
        for facts in data["awardees"].values():
            del facts["golden_book"]
        tamper("UPDATE audit_ledgerentry SET data = %s WHERE id = %s", [json.dumps(data), self.entry.pk])
        rewrite_chain(self.entry.sequence)
        AwardRecord.objects.filter(nominee=self.awardee).update(golden_book_number=500)
        self.assertTrue(verify_ledger(chunk_size=3).ok)
        self.assert_named(
            lambda: Nominee.objects.filter(pk=self.awardee.pk).update(full_name="Trần Thị Giả"),
            "full name",
            self.awardee.full_name,
        )

    def test_the_command_names_the_decision_and_the_field(self):
        Decision.objects.filter(pk=self.decision.pk).update(number=2)
        with self.assertRaises(CommandError) as raised:
            call_command("verify_audit")
        self.assertIn("decision.issued", str(raised.exception))
        self.assertIn("01/QĐ-UBND", str(raised.exception))
        self.assertIn("number", str(raised.exception))


class AnchoringTests(MeritflowTestCase):
    """Signed checkpoints of the chain head catch what the chain alone cannot: a moved head, a rewritten history."""

    def setUp(self):
        self.enterContext(translation.override("en"))
        folder = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.checkpoints = folder / "checkpoints"
        self.key = Ed25519PrivateKey.generate()
        private, public = folder / "checkpoint-key.pem", folder / "checkpoint-key.pub"
        private.write_bytes(
            self.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        public.write_bytes(
            self.key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        self.enterContext(
            override_settings(
                AUDIT_CHECKPOINT_KEY=str(private),
                AUDIT_CHECKPOINT_PUBLIC_KEYS=[str(public)],
                AUDIT_CHECKPOINT_DIR=self.checkpoints,
                AUDIT_CHECKPOINT_EMAIL=["kiem-toan@example.gov.vn"],
            )
        )
        self.entries = [record(AuditEvent.USERS_IMPORTED, actor=None, data={"count": n}) for n in range(5)]
        self.take()

    def take(self) -> str:
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("audit_checkpoint", stdout=out)
        return out.getvalue()

    def files(self) -> list[Path]:
        return sorted(self.checkpoints.iterdir())

    def assert_broken_at(self, sequence: int, why: str):
        with override_settings(AUDIT_CHECKPOINT_PUBLIC_KEYS=[]):
            self.assertTrue(verify_ledger(chunk_size=2).ok, "the chain alone does not see this")
        result = verify_ledger(chunk_size=2)
        self.assertFalse(result.ok)
        self.assertEqual(result.problem.sequence, sequence, result.problem)
        self.assertIn(why, result.problem.why)

    def test_a_checkpoint_is_signed_kept_outside_the_database_and_mailed_to_the_auditors(self):
        (checkpoint,) = self.files()
        content = json.loads(checkpoint.read_bytes())
        self.assertEqual((content["sequence"], content["hash"]), (5, self.entries[-1].hash))
        signature = base64.b64decode(content.pop("signature"))
        signed = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
        self.key.public_key().verify(signature, signed)
        (outgoing,) = OutgoingEmail.objects.all()
        self.assertEqual((outgoing.recipient, outgoing.status), ("kiem-toan@example.gov.vn", OutgoingEmailStatus.SENT))
        (message,) = mail.outbox
        self.assertEqual(message.to, ["kiem-toan@example.gov.vn"])
        self.assertEqual(message.attachments[0][1], checkpoint.read_bytes())
        self.assertTrue(verify_ledger().ok)

        self.assertIn("No entry since", self.take())
        self.assertEqual(len(self.files()), 1)
        record(AuditEvent.USERS_IMPORTED, actor=None, data={"count": 5})
        self.assertIn("entries 1 to 6", self.take())
        newest = json.loads(self.files()[-1].read_bytes())
        self.assertEqual(newest["previous"], hashlib.sha256(checkpoint.read_bytes()).hexdigest())
        self.assertTrue(verify_ledger(chunk_size=2).ok)

    def test_the_verification_page_and_the_command_say_what_the_checkpoints_cover(self):
        record(AuditEvent.USERS_IMPORTED, actor=None, data={"count": 5})
        self.take()
        self.act_as(Role.AUDITOR, self.world.danang_pc)
        self.client.post(reverse("audit:verify"))
        response = self.client.get(reverse("audit:verify"))
        run = response.context["run"]
        self.assertEqual((run.ok, run.anchoring, run.checkpoints, run.anchored_sequence), (True, True, 2, 6))
        self.assertContains(response, "mf-verify-anchoring")
        self.assertNotContains(response, "mf-verify-anchoring--off")
        out = StringIO()
        with translation.override("en"):
            call_command("verify_audit", stdout=out)
        self.assertIn("Compared with 2 checkpoint(s), the newest covering entries 1 to 6.", out.getvalue())

    def test_entries_after_the_newest_checkpoint_verify_within_its_window(self):
        record(AuditEvent.USERS_IMPORTED, actor=None, data={"count": 5})
        self.assertTrue(verify_ledger(chunk_size=2).ok)
        with override_settings(AUDIT_CHECKPOINT_MAX_AGE=datetime.timedelta(0)):
            self.assert_broken_at(6, "covered by no checkpoint")

    def test_newest_entries_deleted_and_the_head_moved_back_are_reported(self):
        tamper("DELETE FROM audit_ledgerentry WHERE sequence >= 4")
        move_head(3)
        self.assert_broken_at(4, "ends at 3")

    def test_a_history_rewritten_with_recomputed_hashes_is_reported(self):
        tamper("UPDATE audit_ledgerentry SET data = %s WHERE sequence = 3", ['{"count": 99}'])
        rewrite_chain(3)
        self.assert_broken_at(5, "history was rewritten")

    def test_a_forged_entry_inserted_with_a_correct_hash_is_reported(self):
        for entry in reversed(self.entries[2:]):
            tamper("UPDATE audit_ledgerentry SET sequence = sequence + 1 WHERE id = %s", [entry.pk])
        forged = LedgerEntry(
            sequence=3,
            event=AuditEvent.DECISION_ISSUED,
            occurred_at=self.entries[2].occurred_at,
            data={"number": "99/QĐ-UBND"},
            prev_hash="",
            hash="0" * 63 + "1",
        )
        forged.save(force_insert=True)
        rewrite_chain(3)
        self.assert_broken_at(5, "history was rewritten")

    def test_a_missing_checkpoint_is_reported(self):
        record(AuditEvent.USERS_IMPORTED, actor=None, data={"count": 5})
        self.take()
        first, newest = self.files()
        first.unlink()
        result = verify_ledger()
        self.assertFalse(result.ok)
        self.assertIn(f"before {newest.name} is missing", result.problem.why)

        newest.unlink()
        self.assertTrue(verify_ledger().ok, "within the window, no checkpoint is due yet")
        with override_settings(AUDIT_CHECKPOINT_MAX_AGE=datetime.timedelta(0)):
            self.assert_broken_at(1, "covered by no checkpoint")

    def test_a_checkpoint_signed_with_another_key_is_reported(self):
        (checkpoint,) = self.files()
        content = json.loads(checkpoint.read_bytes())
        del content["signature"]
        content["sequence"] = 4
        signed = json.dumps(content, sort_keys=True, separators=(",", ":")).encode()
        content["signature"] = base64.b64encode(Ed25519PrivateKey.generate().sign(signed)).decode()
        checkpoint.write_text(json.dumps(content))
        result = verify_ledger()
        self.assertFalse(result.ok)
        self.assertIn("not signed by a checkpoint key", result.problem.why)

    def test_the_job_refuses_to_sign_a_ledger_that_no_longer_extends_its_checkpoint(self):
        tamper("UPDATE audit_ledgerentry SET data = %s WHERE sequence = 3", ['{"count": 99}'])
        rewrite_chain(3)
        record(AuditEvent.USERS_IMPORTED, actor=None, data={"count": 5})
        mail.outbox.clear()
        with self.assertRaises(CommandError) as raised:
            self.take()
        self.assertIn("no longer extends", str(raised.exception))
        self.assertEqual(len(self.files()), 1)
        self.assertEqual(mail.outbox[0].subject, "Ledger checkpoint refused")
