from audit.events import AuditEvent
from audit.selectors import ledger_entries_about
from audit.services import record
from tests.base import MeritflowTestCase


class LedgerEntriesAboutTests(MeritflowTestCase):
    def test_entries_of_several_subjects_in_order_in_one_query(self):
        school, group, other = self.world.school, self.world.residential_group, self.world.hanoi_pc
        first = record(AuditEvent.DOSSIER_SUBMITTED, actor=None, subject=school)
        record(AuditEvent.DOSSIER_SUBMITTED, actor=None, subject=other)
        second = record(AuditEvent.NOMINEE_DROPPED, actor=None, subject=group)
        third = record(AuditEvent.DECISION_ISSUED, actor=None, subject=school)
        with self.assertNumQueries(1):
            sequences = [entry.sequence for entry in ledger_entries_about(subjects=[school, group])]
        self.assertEqual(sequences, [first.sequence, second.sequence, third.sequence])
        self.assertFalse(ledger_entries_about(subjects=[]).exists())
