from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import LedgerEntry
from nominations import services
from nominations.models import DossierStatus

from .support import NominationsTestCase, draft, ready_dossier


class DossierCreateTests(NominationsTestCase):
    def test_submitter_opens_a_draft_with_history_and_ledger(self):
        dossier, actor = draft(self.world.residential_group, nominees=0)
        self.assertEqual(dossier.status, DossierStatus.DRAFT)
        self.assertEqual(dossier.version, 1)
        self.assertEqual(len(dossier.version_digest), 64)
        self.assertEqual(dossier.history.count(), 1)
        first = dossier.history.earliest()
        self.assertEqual((first.history_user, first.history_change_reason), (actor, "created"))
        entry = LedgerEntry.objects.get(event="dossier.created")
        self.assertEqual((entry.actor, entry.subject_id), (actor, str(dossier.pk)))
        self.assertEqual(entry.version_digest, dossier.version_digest)

    def test_an_edit_is_one_history_row_with_its_new_version(self):
        dossier, actor = draft(self.world.residential_group, nominees=0)
        services.dossier_update(dossier=dossier, actor=actor, title="Tiêu đề đã sửa")
        latest = dossier.history.latest()
        self.assertEqual(dossier.history.count(), 2)
        self.assertEqual((latest.title, latest.version, latest.history_change_reason), ("Tiêu đề đã sửa", 2, "updated"))

    def test_someone_without_a_submitter_seat_is_refused(self):
        _, neighbour = draft(self.world.school, nominees=0)
        with self.assertRaises(PermissionDenied):
            draft(self.world.residential_group, actor=neighbour)


class DossierSubmitTests(NominationsTestCase):
    def test_submission_stores_the_route_and_locks_the_dossier(self):
        dossier, actor = ready_dossier(self.world.residential_group, award_code="bk_bo_truong_cong_an")
        services.dossier_submit(dossier=dossier, actor=actor)
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.SUBMITTED)
        self.assertIsNotNone(dossier.submitted_at)
        self.assertEqual(
            [stop.unit for stop in dossier.route_stops.all()],
            [self.world.haichau_police, self.world.danang_police, self.world.mps],
        )
        self.assertEqual(dossier.current_stage_unit, self.world.haichau_police)
        entry = LedgerEntry.objects.get(event="dossier.submitted")
        self.assertEqual(entry.version_digest, dossier.version_digest)
        with self.assertRaises(ValidationError):
            services.dossier_submit(dossier=dossier, actor=actor)

    def test_an_ineligible_draft_is_not_submitted_and_says_why(self):
        dossier, actor = draft(self.world.residential_group)
        with self.assertRaises(ValidationError) as caught:
            services.dossier_submit(dossier=dossier, actor=actor)
        self.assertIn("The dossier does not pass its eligibility checks.", caught.exception.messages)
        self.assertIn(
            "Missing documents: Achievement report, Submission letter with the list of nominees.",
            caught.exception.messages,
        )
        dossier.refresh_from_db()
        self.assertEqual(dossier.status, DossierStatus.DRAFT)
        self.assertFalse(dossier.route_stops.exists())
