from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import LedgerEntry
from nominations import services
from nominations.models import Dossier, DossierStatus, SubjectType
from nominations.services.dossiers import ROUTE_FIXED
from nominations.services.tracking import NOT_EDITABLE
from org_hierarchy.models import Role
from tests.base import grant

from .support import NominationsTestCase, award, draft, kind, pdf, ready_dossier


class DigestTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = draft(self.world.residential_group)
        self.nominee = self.dossier.nominees.get()

    def state(self):
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        return dossier.version, dossier.version_digest

    def test_every_kind_of_edit_changes_the_digest_and_the_version(self):
        edits = [
            lambda: services.dossier_update(dossier=self.dossier, actor=self.submitter, title="Tiêu đề mới"),
            lambda: services.nominee_update(nominee=self.nominee, actor=self.submitter, position="Tổ phó"),
            lambda: services.nominee_add(
                dossier=self.dossier,
                actor=self.submitter,
                subject_type=SubjectType.HOUSEHOLD,
                full_name="Hộ ông Lê Văn D",
            ),
            lambda: services.attachment_add(
                dossier=self.dossier, actor=self.submitter, kind=kind("achievement_report"), file=pdf()
            ),
            lambda: services.attachment_remove(attachment=self.dossier.attachments.get(), actor=self.submitter),
            lambda: services.nominee_remove(nominee=self.dossier.nominees.last(), actor=self.submitter),
        ]
        for number, edit in enumerate(edits):
            version_before, digest_before = self.state()
            edit()
            version, digest = self.state()
            with self.subTest(edit=number):
                self.assertEqual(version, version_before + 1)
                self.assertNotEqual(digest, digest_before)

    def test_saving_the_same_values_changes_nothing(self):
        before = self.state()
        entries = LedgerEntry.objects.count()
        services.dossier_update(dossier=self.dossier, actor=self.submitter, title=self.dossier.title)
        services.nominee_update(nominee=self.nominee, actor=self.submitter, full_name=self.nominee.full_name)
        self.assertEqual(self.state(), before)
        self.assertEqual(LedgerEntry.objects.count(), entries)

    def test_the_same_file_content_under_another_name_is_another_version(self):
        services.attachment_add(
            dossier=self.dossier, actor=self.submitter, kind=kind("achievement_report"), file=pdf("a.pdf")
        )
        first = self.state()[1]
        services.attachment_remove(attachment=self.dossier.attachments.get(), actor=self.submitter)
        services.attachment_add(
            dossier=self.dossier, actor=self.submitter, kind=kind("achievement_report"), file=pdf("b.pdf")
        )
        self.assertNotEqual(self.state()[1], first)


class EditAfterSubmitTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = ready_dossier(self.world.residential_group, award_code="bk_chu_tich_tinh")
        self.dossier = services.dossier_submit(dossier=self.dossier, actor=self.submitter)
        self.appraiser = grant(Role.APPRAISER, self.world.danang_pc)

    def test_submitted_dossier_is_locked(self):
        before = self.dossier.version_digest
        attempts = [
            lambda: services.dossier_update(dossier=self.dossier, actor=self.submitter, title="Sửa sau khi nộp"),
            lambda: services.nominee_add(
                dossier=self.dossier, actor=self.submitter, subject_type=SubjectType.INDIVIDUAL, full_name="Người mới"
            ),
            lambda: services.nominee_update(
                nominee=self.dossier.nominees.get(), actor=self.submitter, full_name="Tên khác"
            ),
            lambda: services.nominee_remove(nominee=self.dossier.nominees.get(), actor=self.submitter),
            lambda: services.attachment_add(
                dossier=self.dossier, actor=self.submitter, kind=kind("council_minutes"), file=pdf()
            ),
            lambda: services.attachment_remove(attachment=self.dossier.attachments.first(), actor=self.submitter),
        ]
        for number, attempt in enumerate(attempts):
            with self.subTest(attempt=number), self.assertRaises(ValidationError) as caught:
                attempt()
            self.assertEqual(caught.exception.messages, [str(NOT_EDITABLE)])
        self.assertEqual(Dossier.objects.get(pk=self.dossier.pk).version_digest, before)

    def test_returned_dossier_is_editable_and_resubmits_as_a_new_version_to_the_returning_stage(self):
        services.dossier_return_for_supplement(
            dossier=self.dossier, actor=self.appraiser, stage_unit=self.world.danang_pc, reason="Thiếu biên bản"
        )
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        self.assertEqual((dossier.status, dossier.returned_reason), (DossierStatus.RETURNED, "Thiếu biên bản"))
        services.dossier_update(dossier=dossier, actor=self.submitter, letter_number="15/TTr-UBND")
        dossier = services.dossier_resubmit(dossier=dossier, actor=self.submitter)
        self.assertEqual(dossier.status, DossierStatus.SUBMITTED)
        self.assertEqual(dossier.version, self.dossier.version + 1)
        self.assertEqual(dossier.current_stage_unit, self.world.danang_pc)
        self.assertEqual(
            list(LedgerEntry.objects.filter(event="dossier.returned").values_list("reason", "stage")),
            [("Thiếu biên bản", "province")],
        )

    def test_returned_dossier_keeps_its_route_when_its_award_type_changes(self):
        services.dossier_return_for_supplement(
            dossier=self.dossier, actor=self.appraiser, stage_unit=self.world.danang_pc, reason="Thiếu biên bản"
        )
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        route = list(dossier.route_stops.order_by("position").values_list("unit_id", flat=True))
        entries = LedgerEntry.objects.count()
        with self.assertRaises(ValidationError) as caught:
            services.dossier_update(dossier=dossier, actor=self.submitter, award_type=award("gk_chu_tich_xa"))
        self.assertEqual(caught.exception.message_dict, {"award_type": [str(ROUTE_FIXED)]})
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        self.assertEqual(dossier.award_type.code, "bk_chu_tich_tinh")
        self.assertEqual(list(dossier.route_stops.order_by("position").values_list("unit_id", flat=True)), route)
        self.assertEqual(LedgerEntry.objects.count(), entries)

    def test_return_needs_an_officer_of_a_stage_on_the_route(self):
        outsider = grant(Role.APPRAISER, self.world.hanoi_pc)
        with self.assertRaises(PermissionDenied):
            services.dossier_return_for_supplement(
                dossier=self.dossier, actor=outsider, stage_unit=self.world.hanoi_pc, reason="x"
            )
        with self.assertRaises(PermissionDenied):
            services.dossier_return_for_supplement(
                dossier=self.dossier, actor=self.submitter, stage_unit=self.world.danang_pc, reason="x"
            )

    def test_submitter_never_acts_at_a_stage_on_their_own_dossier(self):
        grant(Role.APPRAISER, self.world.danang_pc, user=self.submitter)
        with self.assertRaises(PermissionDenied):
            services.dossier_return_for_supplement(
                dossier=self.dossier, actor=self.submitter, stage_unit=self.world.danang_pc, reason="Tự trả lại"
            )

    def test_withdrawal_needs_a_reason_and_withdraws_pending_nominees(self):
        with self.assertRaises(ValidationError):
            services.dossier_withdraw(dossier=self.dossier, actor=self.submitter, reason="  ")
        services.dossier_withdraw(dossier=self.dossier, actor=self.submitter, reason="Nộp nhầm loại khen thưởng")
        dossier = Dossier.objects.get(pk=self.dossier.pk)
        self.assertEqual(dossier.status, DossierStatus.WITHDRAWN)
        self.assertEqual(set(dossier.nominees.values_list("outcome", flat=True)), {"withdrawn"})

    def test_rejection_drops_every_pending_nominee_and_tells_the_submitters(self):
        services.dossier_reject(
            dossier=self.dossier, actor=self.appraiser, stage_unit=self.world.danang_pc, reason="Không đủ tiêu chuẩn"
        )
        nominee = self.dossier.nominees.get()
        self.assertEqual(
            (nominee.outcome, nominee.outcome_stage_unit, nominee.outcome_by, nominee.outcome_reason),
            ("dropped", self.world.danang_pc, self.appraiser, "Không đủ tiêu chuẩn"),
        )
        self.assertEqual(self.submitter.notifications.count(), 1)


class NomineeDropTests(NominationsTestCase):
    def test_dropped_nominee_keeps_stage_actor_and_reason_and_the_others_go_on(self):
        dossier, submitter = ready_dossier(self.world.residential_group, award_code="bk_chu_tich_tinh", nominees=2)
        services.dossier_submit(dossier=dossier, actor=submitter)
        secretary = grant(Role.SECRETARY, self.world.haichau_pc)
        first, second = dossier.nominees.all()
        services.nominee_drop(nominee=first, actor=secretary, stage_unit=self.world.haichau_pc, reason="Không đạt 50%")
        first.refresh_from_db()
        second.refresh_from_db()
        self.assertEqual((first.outcome, first.outcome_reason), ("dropped", "Không đạt 50%"))
        self.assertEqual(second.outcome, "pending")
        self.assertEqual(Dossier.objects.get(pk=dossier.pk).status, DossierStatus.SUBMITTED)
        with self.assertRaises(ValidationError):
            services.nominee_drop(nominee=first, actor=secretary, stage_unit=self.world.haichau_pc, reason="Lần nữa")
