import datetime

from audit.history import history_of
from org_hierarchy import services as org_services
from org_hierarchy.models import Membership, Role
from tests.base import MeritflowTestCase, make_user


class HistoryTests(MeritflowTestCase):
    def test_steps_carry_field_diffs_user_and_reason_per_object(self):
        admin = make_user(full_name="Quản trị viên")
        first = org_services.membership_grant(
            user=make_user(), unit=self.world.school, role=Role.SUBMITTER, actor=admin, note="cũ"
        )
        second = org_services.membership_grant(user=make_user(), unit=self.world.school, role=Role.SUBMITTER)
        today = datetime.date.today()
        org_services.membership_end(membership=first, actor=admin, on=today)
        org_services.membership_revoke(membership=second, actor=admin, reason="Chuyển công tác")

        with self.assertNumQueries(1):
            steps = history_of(Membership, [first.pk, second.pk])

        self.assertEqual(
            [(s.object_id, s.kind) for s in steps],
            [
                (first.pk, "+"),
                (second.pk, "+"),
                (first.pk, "~"),
                (second.pk, "~"),
            ],
        )
        created, _, ended, revoked = steps
        self.assertEqual(created.changes, ())
        self.assertEqual(created.user_name, "Quản trị viên")
        self.assertEqual(ended.reason, "ended")
        self.assertEqual([(c.field, c.old, c.new) for c in ended.changes], [("valid_to", None, today)])
        self.assertEqual(revoked.reason, "Chuyển công tác")
        self.assertEqual({c.field for c in revoked.changes}, {"revoked_at", "revoked_by", "note"})
        note = next(c for c in revoked.changes if c.field == "note")
        self.assertEqual((note.old, note.new), ("", "Chuyển công tác"))
        self.assertTrue(note.label)
