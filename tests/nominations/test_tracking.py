from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nominations.models import Dossier, RouteStop
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
