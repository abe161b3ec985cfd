import datetime

from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nominations.models import Decision, Dossier, RouteStop
from nominations.services.tracking import save_tracked
from org_hierarchy.models import Level, OrgUnit

from .support import NominationsTestCase, draft


class SaveTrackedTests(NominationsTestCase):
    """Validation before a tracked save reads no related object the caller already holds, and still checks the rest."""

    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = draft(self.world.residential_group)
        self.unit = self.world.haichau_pc

    def stop(self, **fields):
        return RouteStop(level=Level.COMMUNE, **{"dossier": self.dossier, "unit": self.unit, "position": 9, **fields})

    def test_loaded_relations_are_not_read_again(self):
        stop = self.stop()
        with CaptureQueriesContext(connection) as captured:
            save_tracked(stop, actor=self.submitter, reason="tested")
        tables = (Dossier._meta.db_table, OrgUnit._meta.db_table)
        reads = [query["sql"] for query in captured if query["sql"].startswith("SELECT")]
        self.assertFalse([sql for sql in reads if any(f'"{table}"' in sql.split(" WHERE ")[0] for table in tables)])
        self.assertEqual(stop.history.get().history_user, self.submitter)
        self.assertEqual(stop.history.get().history_change_reason, "tested")

    def test_a_loaded_one_to_one_relation_is_not_read_again(self):
        day = datetime.date(2026, 12, 7)
        decision = Decision(
            dossier=self.dossier,
            issuer_unit=self.unit,
            number=1,
            year=2026,
            symbol="QĐ-UBND",
            decision_date=day,
            signer=self.submitter,
            registered_on=day,
        )
        with CaptureQueriesContext(connection) as captured:
            save_tracked(decision, actor=self.submitter, reason="tested")
        reads = [query["sql"].split(" WHERE ")[0] for query in captured if query["sql"].startswith("SELECT")]
        self.assertFalse([sql for sql in reads if f'"{Dossier._meta.db_table}"' in sql], reads)
        # The dossier's one decision is still checked, by a read of the decisions.
        self.assertTrue([sql for sql in reads if f'"{Decision._meta.db_table}"' in sql], reads)
        with self.assertRaises(ValidationError) as refused:
            save_tracked(
                Decision(**{**{f.name: getattr(decision, f.name) for f in Decision._meta.concrete_fields}, "id": None}),
                actor=self.submitter,
                reason="tested",
            )
        self.assertIn("dossier", refused.exception.message_dict)

    def test_a_relation_given_by_id_is_still_checked(self):
        stop = RouteStop(dossier=self.dossier, unit_id=OrgUnit.objects.order_by("-pk").first().pk + 1, position=9)
        stop.level = Level.COMMUNE
        with self.assertRaises(ValidationError) as refused:
            save_tracked(stop, actor=self.submitter, reason="tested")
        self.assertIn("unit", refused.exception.message_dict)
        self.assertFalse(RouteStop.objects.filter(dossier=self.dossier, position=9).exists())

    def test_constraints_over_a_loaded_relation_are_still_checked(self):
        save_tracked(self.stop(), actor=self.submitter, reason="tested")
        with self.assertRaises(ValidationError) as refused:
            save_tracked(self.stop(unit=self.world.danang_pc), actor=self.submitter, reason="tested")
        self.assertIn("already exists", " ".join(refused.exception.messages))
        self.assertEqual(RouteStop.objects.filter(dossier=self.dossier, position=9).count(), 1)
