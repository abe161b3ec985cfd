"""What the process keeps between two steps: only what a gateway reads (who signed is on the ledger and the
decision, the stage that returned the dossier on the dossier)."""

import importlib

from django.apps import apps
from viewflow.workflow.status import PROCESS

from workflows.models import NominationProcess, StageOutcome

from .base import FlowTestCase

WRITE_ONLY = {"signed_by_id", "acting_for_id", "returned_from"}


class ProcessDataTests(FlowTestCase):
    def test_signing_and_returning_leave_nothing_on_the_process_that_nobody_reads(self):
        dossier = self.make_dossier(self.province_award)
        process = self.submit(dossier)
        self.appraise(process, self.world.haichau_pc)
        self.vote(process, self.world.haichau_pc)
        self.sign(process, self.world.haichau_pc, StageOutcome.FORWARD)
        self.appraise(process, self.world.danang_pc)
        self.vote(process, self.world.danang_pc)
        self.sign(process, self.world.danang_pc, StageOutcome.RETURN, note="Thiếu biên bản họp xét.")
        self.assertFalse(WRITE_ONLY & set(NominationProcess.objects.get(pk=process.pk).data))

        # The supplement still goes back to the stage that returned it, read from the dossier.
        self.supplement(process)
        self.assertEqual(self.open_node_names(process), ["province_appraise"])
        self.appraise(process, self.world.danang_pc)
        self.vote(process, self.world.danang_pc)
        self.sign(process, self.world.danang_pc, StageOutcome.DECIDE)
        process.refresh_from_db()
        self.assertEqual(process.status, PROCESS.DONE)
        self.assertFalse(WRITE_ONLY & set(process.data))

    def test_the_migration_drops_the_keys_from_processes_already_stored(self):
        process = self.submit(self.make_dossier(self.province_award))
        stored = NominationProcess.objects.get(pk=process.pk)
        kept = dict(stored.data)
        stored.data = {**kept, "signed_by_id": 1, "acting_for_id": None, "returned_from": 2}
        stored.save(update_fields=["data"])

        migration = importlib.import_module("workflows.migrations.0005_process_data_write_only_keys")
        migration.drop_keys(apps, None)

        self.assertEqual(NominationProcess.objects.get(pk=process.pk).data, kept)
