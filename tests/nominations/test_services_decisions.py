import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from audit.models import LedgerEntry
from audit.verify import verify_ledger
from nominations import services
from nominations import services as nomination_services
from nominations.models import (
    AwardRecord,
    Decision,
    DecisionCounter,
    Dossier,
    DossierStatus,
    Nominee,
    NomineeOutcome,
    RouteStop,
)
from org_hierarchy.models import Role
from tests.base import CommittingTestCase, grant
from tests.workflows.base import FlowTestCase
from tests.world import build_world
from workflows.models import StageOutcome

from .support import NominationsTestCase, TemporaryMediaMixin, draft, ready_dossier, xlsx


def submitted(unit, **kwargs):
    dossier, submitter = ready_dossier(unit, **kwargs)
    return services.dossier_submit(dossier=dossier, actor=submitter), submitter


class DecisionIssueTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.head = grant(Role.APPROVER, self.world.haichau_pc)

    def issue(self, dossier, **kwargs):
        return services.decision_issue(
            dossier=dossier,
            issuer_unit=self.world.haichau_pc,
            signer=self.head,
            decision_date=datetime.date(2026, 8, 19),
            **kwargs,
        )

    def test_an_awarded_outcome_changed_in_the_database_fails_verification_at_the_decision(self):
        dossier, _submitter = submitted(self.world.residential_group, nominees=2)
        self.issue(dossier)
        self.assertTrue(verify_ledger().ok)
        awarded = dossier.nominees.first()
        Nominee.objects.filter(pk=awarded.pk).update(outcome=NomineeOutcome.DROPPED)

        result = verify_ledger()

        self.assertFalse(result.ok)
        entry = LedgerEntry.objects.get(event="decision.issued")
        self.assertEqual(result.problem.sequence, entry.sequence)

    def test_decision_awards_pending_nominees_registers_them_and_closes_the_dossier(self):
        dossier, submitter = submitted(self.world.residential_group, nominees=3)
        dropped = dossier.nominees.first()
        services.nominee_drop(nominee=dropped, actor=self.head, stage_unit=self.world.haichau_pc, reason="Chưa đủ")
        decision = self.issue(dossier)
        self.assertEqual(decision.number_display, "01/QĐ-UBND")
        self.assertEqual(Dossier.objects.get(pk=dossier.pk).status, DossierStatus.DECIDED)
        self.assertEqual(decision.awarded_nominees.count(), 2)
        self.assertEqual(sorted(dossier.nominees.values_list("outcome", flat=True)), ["awarded", "awarded", "dropped"])
        records = AwardRecord.objects.filter(decision=decision)
        self.assertEqual(records.count(), 2)
        self.assertEqual(
            set(records.values_list("decision_number", "year", "source")), {("01/QĐ-UBND", 2026, "decision")}
        )
        entry = LedgerEntry.objects.get(event="decision.issued")
        self.assertEqual(entry.data["number"], "01/QĐ-UBND")
        self.assertEqual(len(entry.data["nominees"]), 2)
        self.assertEqual(submitter.notifications.count(), 1)

    @override_settings(MERITFLOW_DECISION_DATE_MARGIN_DAYS=60)
    def test_numbers_are_consecutive_per_issuer_and_year_and_zero_padded_below_ten(self):
        numbers = [self.issue(submitted(self.world.school, title=f"Hồ sơ {n}")[0]).number_display for n in range(10)]
        self.assertEqual(numbers[:2], ["01/QĐ-UBND", "02/QĐ-UBND"])
        self.assertEqual(numbers[8:], ["09/QĐ-UBND", "10/QĐ-UBND"])
        next_year = submitted(self.world.school, title="Năm sau")[0]
        decision = services.decision_issue(
            dossier=next_year,
            issuer_unit=self.world.haichau_pc,
            signer=self.head,
            decision_date=datetime.date(2027, 1, 2),
        )
        self.assertEqual(decision.number_display, "01/QĐ-UBND")
        self.assertEqual(dict(DecisionCounter.objects.values_list("year", "last_number")), {2026: 10, 2027: 1})

    def test_other_issuers_keep_their_own_series(self):
        self.issue(submitted(self.world.school)[0])
        police_head = grant(Role.APPROVER, self.world.haichau_police)
        dossier, _ = submitted(self.world.residential_group, award_code="bk_bo_truong_cong_an")
        RouteStop.objects.filter(dossier=dossier).exclude(position=0).delete()
        decision = services.decision_issue(dossier=dossier, issuer_unit=self.world.haichau_police, signer=police_head)
        self.assertEqual(decision.number_display, "01/QĐ-CAP")

    def test_only_the_head_of_the_deciding_authority_issues(self):
        dossier, _ = submitted(self.world.residential_group, award_code="bk_chu_tich_tinh")
        with self.assertRaises(PermissionDenied):
            self.issue(dossier)
        appraiser = grant(Role.APPRAISER, self.world.danang_pc)
        with self.assertRaises(PermissionDenied):
            services.decision_issue(dossier=dossier, issuer_unit=self.world.danang_pc, signer=appraiser)
        self.assertFalse(Decision.objects.exists())
        self.assertFalse(DecisionCounter.objects.exists())

    def test_deputy_signs_for_the_head(self):
        deputy = grant(
            Role.APPROVER,
            self.world.haichau_pc,
            acting_for=self.head,
            valid_to=datetime.date.today() + datetime.timedelta(days=5),
        )
        decision = services.decision_issue(
            dossier=submitted(self.world.school)[0], issuer_unit=self.world.haichau_pc, signer=deputy
        )
        self.assertEqual((decision.signer, decision.acting_for), (deputy, self.head))

    def test_a_decision_costs_the_same_statements_for_n_and_2n_nominees(self):
        # The issuer's counter exists after a first decision; from then on the cost must not grow per nominee.
        self.issue(submitted(self.world.school, title="Hồ sơ đầu năm")[0])
        counts = {}
        for nominees in (15, 30):
            dossier, _ = submitted(self.world.residential_group, nominees=nominees, title=f"Hồ sơ {nominees}")
            with CaptureQueriesContext(connection) as captured:
                decision = self.issue(dossier)
            counts[nominees] = len(captured)
            self.assertEqual(decision.awarded_nominees.count(), nominees)
            self.assertEqual(AwardRecord.objects.filter(decision=decision).count(), nominees)
            awarded = Nominee.history.filter(history_change_reason="awarded", decision_id=decision.pk)
            self.assertEqual(set(awarded.values_list("history_user", "history_type")), {(self.head.pk, "~")})
            self.assertEqual(awarded.count(), nominees)
        self.assertEqual(counts[15], counts[30])
        self.assertLessEqual(counts[30], 32)

    def test_a_draft_or_decided_dossier_cannot_be_decided(self):
        dossier, _ = draft(self.world.school)
        with self.assertRaises(ValidationError):
            self.issue(dossier)
        decided, _ = submitted(self.world.school, title="Đã quyết định")
        self.issue(decided)
        with self.assertRaises(ValidationError):
            self.issue(decided)
        self.assertEqual(Decision.objects.count(), 1)


@pytest.mark.postgres
class ConcurrentDecisionNumberingTests(TemporaryMediaMixin, CommittingTestCase):
    DECISIONS = 20

    def setUp(self):
        if connection.vendor != "postgresql":
            self.skipTest("needs PostgreSQL")
        self.world = build_world()
        self.head = grant(Role.APPROVER, self.world.haichau_pc)
        submitter = grant(Role.SUBMITTER, self.world.school)
        self.dossiers = [
            submitted(self.world.school, actor=submitter, title=f"Hồ sơ {n}")[0] for n in range(self.DECISIONS)
        ]

    def test_concurrent_decisions_by_one_issuer_get_distinct_consecutive_numbers(self):
        barrier = threading.Barrier(self.DECISIONS)
        errors = []

        def decide(dossier):
            try:
                barrier.wait()
                services.decision_issue(dossier=dossier, issuer_unit=self.world.haichau_pc, signer=self.head)
            except Exception as error:
                errors.append(error)
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=decide, args=(dossier,)) for dossier in self.dossiers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])
        numbers = sorted(Decision.objects.values_list("number", flat=True))
        self.assertEqual(numbers, list(range(1, self.DECISIONS + 1)))
        self.assertEqual(DecisionCounter.objects.get().last_number, self.DECISIONS)


class NomineesDropTests(NominationsTestCase):
    """Leaving many nominees out at once (a council vote on a big list) costs the same statements as a few."""

    def setUp(self):
        super().setUp()
        self.secretary = grant(Role.SECRETARY, self.world.haichau_pc)

    def submitted(self, nominees, title):
        return submitted(self.world.residential_group, award_code="bk_chu_tich_tinh", nominees=nominees, title=title)[0]

    def drop(self, dossier, reasons):
        return services.nominees_drop(
            dossier=dossier, actor=self.secretary, stage_unit=self.world.haichau_pc, reasons=reasons
        )

    def test_each_nominee_keeps_its_reason_with_history_and_one_ledger_entry_for_all(self):
        # A first drop fills the caches a process fills once (content types); the counts below are per call.
        warm_up = self.submitted(1, "Hồ sơ đầu tiên")
        self.drop(warm_up, {warm_up.nominees.get().pk: "Chưa đạt"})
        counts = {}
        for nominees in (15, 30):
            dossier = self.submitted(nominees, f"Hồ sơ {nominees}")
            ids = list(dossier.nominees.order_by("pk").values_list("pk", flat=True))
            reasons = {pk: f"Biểu quyết: {n % 3 + 2} phiếu đồng ý" for n, pk in enumerate(ids[: nominees - 5])}
            with CaptureQueriesContext(connection) as captured:
                self.drop(dossier, reasons)
            counts[nominees] = len(captured)
            self.assertEqual(
                dict(dossier.nominees.filter(outcome="dropped").values_list("pk", "outcome_reason")), reasons
            )
            self.assertEqual(dossier.nominees.filter(outcome="pending").count(), 5)
            history = Nominee.history.filter(history_change_reason="dropped", dossier_id=dossier.pk)
            self.assertEqual(set(history.values_list("history_user", "outcome")), {(self.secretary.pk, "dropped")})
            self.assertEqual(history.count(), nominees - 5)
            entry = LedgerEntry.objects.filter(event="nominee.dropped").latest("sequence")
            self.assertEqual(entry.data["reasons"], {str(pk): reason for pk, reason in reasons.items()})
        self.assertEqual(counts[15], counts[30])
        self.assertEqual(LedgerEntry.objects.filter(event="nominee.dropped").count(), 3)
        self.assertTrue(verify_ledger().ok)

    def test_a_nominee_not_pending_or_not_in_the_dossier_or_without_reason_drops_nobody(self):
        dossier = self.submitted(3, "Hồ sơ ba người")
        other = self.submitted(1, "Hồ sơ khác")
        first, second, _third = dossier.nominees.order_by("pk")
        services.nominee_drop(nominee=first, actor=self.secretary, stage_unit=self.world.haichau_pc, reason="Chưa đạt")
        foreign = other.nominees.get()
        for reasons in ({first.pk: "Lần nữa", second.pk: "Chưa đạt"}, {second.pk: "Chưa đạt", foreign.pk: "Khác"}):
            with self.assertRaises(ValidationError):
                self.drop(dossier, reasons)
        with self.assertRaises(ValidationError):
            self.drop(dossier, {second.pk: "  "})
        self.assertEqual(dossier.nominees.filter(outcome="dropped").count(), 1)
        self.assertEqual(Nominee.objects.get(pk=foreign.pk).outcome, "pending")

    def test_only_an_officer_of_the_stage_drops(self):
        dossier = self.submitted(2, "Hồ sơ hai người")
        with self.assertRaises(PermissionDenied):
            services.nominees_drop(
                dossier=dossier,
                actor=grant(Role.SECRETARY, self.world.danang_pc),
                stage_unit=self.world.haichau_pc,
                reasons=dict.fromkeys(dossier.nominees.values_list("pk", flat=True), "Chưa đạt"),
            )
        self.assertFalse(dossier.nominees.filter(outcome="dropped").exists())


class BigListThroughTheTaskPagesTests(FlowTestCase):
    """A list of hundreds through the real pages: the vote's three fields per nominee all reach the form (more
    than Django's default limit of 1,000 fields), and signing the decision costs the same statements at N and 2N."""

    def big_dossier(self, nominees):
        dossier = self.make_dossier(self.commune_award, nominees=0, title=f"Danh sách {nominees} người")
        rows = [
            [f"Trần Thị {n}", f"{49_000_000_000 + nominees * 1000 + n:012d}", "Nữ", "01/01/1990", "Cán bộ"]
            for n in range(nominees)
        ]
        nomination_services.nominees_import_xlsx(dossier=dossier, actor=self.submitter, file=xlsx(rows))
        return dossier

    def test_a_decision_on_n_and_2n_nominees_through_the_sign_page(self):
        unit = self.world.haichau_pc
        counts = {}
        # The first decision of the year creates the issuer's counter; the counts compare the ones after it.
        for nominees in (1, 200, 400):
            process = self.submit(self.big_dossier(nominees))
            self.appraise(process, unit)
            self.vote(process, unit)
            self.login(self.officer(unit, Role.APPROVER))
            with CaptureQueriesContext(connection) as captured:
                self.sign(process, unit, StageOutcome.DECIDE)
            counts[nominees] = len(captured)
            self.assertEqual(process.dossier.nominees.filter(outcome=NomineeOutcome.AWARDED).count(), nominees)
            self.assertEqual(AwardRecord.objects.filter(decision__dossier=process.dossier).count(), nominees)
        self.assertEqual(counts[200], counts[400])
