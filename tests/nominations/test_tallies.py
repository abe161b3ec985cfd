"""The statistics' tallies per dossier always equal the counts of the nominees, after every kind of change.

Each test changes the dossiers through the services only and then compares every tally row with the counts made
here, in Python, from the nominees, their dossiers and their award records (not with the tallies' own SQL).
"""

import datetime
from collections import Counter

from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nominations import services
from nominations.models import (
    AwardRecord,
    AwardType,
    CommendationKind,
    Dossier,
    DossierStatus,
    DossierTally,
    Nominee,
    NomineeOutcome,
    SubjectType,
)
from org_hierarchy.models import Role
from reports.statistics import Criteria, statistics
from tests.base import grant
from tests.reports.support import campaign, decide, submitted

from .support import NominationsTestCase, draft, xlsx


def counted_from_nominees() -> dict:
    """{(dossier, subject type, group): Counter of outcomes} over every nominee of a dossier past its draft."""
    revoked = set(AwardRecord.objects.exclude(revocation=None).values_list("nominee_id", flat=True))
    counts: dict = {}
    nominees = Nominee.objects.exclude(dossier__status=DossierStatus.DRAFT).select_related("dossier")
    for nominee in nominees:
        key = (nominee.dossier_id, nominee.subject_type, nominee.subject_group_id)
        outcome = nominee.outcome
        if outcome == NomineeOutcome.AWARDED and nominee.pk in revoked:
            outcome = "revoked"
        elif outcome == NomineeOutcome.DROPPED and nominee.dossier.status == DossierStatus.REJECTED:
            outcome = "rejected"
        counts.setdefault(key, Counter())[outcome] += 1
        counts[key]["proposed"] += 1
    return counts


def carried_facts() -> dict:
    """{tally row: the dossier facts it carries}, next to the same facts read on its dossier."""
    kept, read = {}, {}
    for row in DossierTally.objects.select_related("dossier"):
        dossier = row.dossier
        kept[row.pk] = (row.year, row.award_type_id, row.campaign_id, row.originating_unit_id, row.submitted_at)
        read[row.pk] = (
            dossier.year,
            dossier.award_type_id,
            dossier.campaign_id,
            dossier.originating_unit_id,
            dossier.submitted_at,
        )
    return kept, read


def tallied() -> dict:
    outcomes = ("proposed", "pending", "awarded", "revoked", "dropped", "rejected", "withdrawn")
    return {
        (row.dossier_id, row.subject_type, row.subject_group_id): Counter(
            {outcome: getattr(row, outcome) for outcome in outcomes if getattr(row, outcome)}
        )
        for row in DossierTally.objects.all()
    }


class TallyTestCase(NominationsTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.campaign = campaign(cls.world)
        cls.groups = list(cls.campaign.subject_groups.order_by("position"))

    def assert_tallies_match(self):
        expected = counted_from_nominees()
        self.assertTrue(expected)
        self.assertEqual(tallied(), expected)
        kept, read = carried_facts()
        self.assertEqual(kept, read)
        self.assertEqual(services.tally_differences(), [])

    def city_dossier(self, **kwargs):
        return submitted(
            self.world.haichau_pc,
            award_code="bk_chu_tich_tinh",
            campaign=self.campaign,
            **{"collectives": 2, "individuals": 3, "groups": self.groups, **kwargs},
        )

    def first_stage(self, dossier):
        unit = dossier.route_stops.order_by("position").first().unit
        return unit, grant(Role.APPROVER, unit)


class TalliesFollowTheServicesTests(TallyTestCase):
    def test_a_draft_has_no_tally_and_its_submission_counts_every_nominee_pending(self):
        draft(self.world.haichau_pc, nominees=3)
        self.assertFalse(DossierTally.objects.exists())
        dossier, _submitter = self.city_dossier()
        rows = {(row.subject_type, row.subject_group_id): row for row in dossier.tallies.all()}
        self.assertEqual(
            set(rows),
            {
                (SubjectType.COLLECTIVE, None),
                (SubjectType.INDIVIDUAL, None),
                *((SubjectType.INDIVIDUAL, group.pk) for group in self.groups),
            },
        )
        self.assertEqual(rows[SubjectType.COLLECTIVE, None].pending, 2)
        self.assert_tallies_match()

    def test_drop_decide_revoke_one_award_then_the_decision(self):
        dossier, _submitter = self.city_dossier()
        stage, head = self.first_stage(dossier)
        services.nominee_drop(
            nominee=dossier.nominees.filter(subject_type=SubjectType.INDIVIDUAL).last(),
            actor=head,
            stage_unit=stage,
            reason="Chưa đủ tiêu chuẩn",
        )
        self.assert_tallies_match()
        decision = decide(dossier)
        self.assert_tallies_match()
        self.assertEqual(sum(row.awarded for row in dossier.tallies.all()), 4)
        issuer_head = grant(Role.APPROVER, decision.issuer_unit)
        award = AwardRecord.objects.filter(decision=decision, subject_type=SubjectType.INDIVIDUAL).first()
        on = datetime.date(2024, 12, 20)
        services.award_revoke(
            award=award, actor=issuer_head, reason="Không trung thực", reference="1/QĐ", revoked_on=on
        )
        self.assert_tallies_match()
        self.assertEqual(sum(row.revoked for row in dossier.tallies.all()), 1)
        services.decision_revoke(
            decision=decision, actor=issuer_head, reason="Sai quy trình", reference="2/QĐ", revoked_on=on
        )
        self.assert_tallies_match()
        self.assertEqual([sum(row.awarded for row in dossier.tallies.all()), dossier.tallies.count()], [0, 4])

    def test_rejection_and_withdrawal(self):
        rejected, _submitter = self.city_dossier()
        stage, head = self.first_stage(rejected)
        services.dossier_reject(dossier=rejected, actor=head, stage_unit=stage, reason="Không đạt")
        withdrawn, submitter = self.city_dossier(collectives=1, individuals=0)
        services.dossier_withdraw(dossier=withdrawn, actor=submitter, reason="Rút để bổ sung")
        self.assert_tallies_match()
        self.assertEqual(sum(row.rejected for row in rejected.tallies.all()), 5)
        self.assertEqual(withdrawn.tallies.get().withdrawn, 1)

    def test_nominees_changed_after_a_return_and_the_resubmission(self):
        dossier, submitter = self.city_dossier()
        stage, head = self.first_stage(dossier)
        services.dossier_return_for_supplement(dossier=dossier, actor=head, stage_unit=stage, reason="Bổ sung")
        services.nominee_add(
            dossier=dossier,
            actor=submitter,
            subject_type=SubjectType.INDIVIDUAL,
            full_name="Cá nhân bổ sung",
            national_id="048999000001",
            subject_group=self.groups[0],
        )
        self.assert_tallies_match()
        moved = dossier.nominees.get(subject_group=self.groups[1])
        services.nominee_update(nominee=moved, actor=submitter, subject_group=self.groups[0])
        self.assert_tallies_match()
        self.assertFalse(dossier.tallies.filter(subject_group=self.groups[1]).exists())
        services.nominee_remove(
            nominee=dossier.nominees.filter(subject_type=SubjectType.COLLECTIVE).first(), actor=submitter
        )
        services.nominees_import_xlsx(
            dossier=dossier,
            actor=submitter,
            file=xlsx([["Nguyễn Văn Nhập", "048999000002", "Nam", "15/03/1985", "Cán bộ"]]),
        )
        self.assert_tallies_match()
        services.dossier_resubmit(dossier=dossier, actor=submitter)
        decide(dossier)
        self.assert_tallies_match()
        self.assertEqual(sum(row.awarded for row in dossier.tallies.all()), 6)

    def test_the_year_award_type_and_campaign_changed_after_a_return_follow_on_the_tallies(self):
        dossier, submitter = self.city_dossier(groups=())
        stage, head = self.first_stage(dossier)
        services.dossier_return_for_supplement(dossier=dossier, actor=head, stage_unit=stage, reason="Bổ sung")
        self.assertEqual({row.year for row in dossier.tallies.all()}, {2024})
        services.dossier_update(dossier=dossier, actor=submitter, title="Đề nghị khen thưởng, sửa tiêu đề")
        self.assert_tallies_match()
        award_type = AwardType.objects.get(code="co_thi_dua_tinh")  # decided along the same route
        services.dossier_update(
            dossier=dossier,
            actor=submitter,
            year=2025,
            award_type=award_type,
            kind=CommendationKind.ANNUAL,
            campaign=None,
        )
        self.assert_tallies_match()
        self.assertEqual(
            set(dossier.tallies.values_list("year", "award_type", "campaign")), {(2025, award_type.pk, None)}
        )
        self.assertEqual(self.awarded_in_statistics(year=2024), (0, 0))
        self.assertEqual(self.awarded_in_statistics(year=2025), (5, 0))

    def awarded_in_statistics(self, *, year):
        """The proposed and awarded totals of the statistics of ``year``, counted over every tally."""
        total = statistics(user=None, criteria=Criteria(year=year)).total.counts
        return total["proposed"], total["awarded"]

    def test_a_refresh_costs_two_statements_whatever_the_nominees_and_none_for_a_draft(self):
        small, _submitter = self.city_dossier(collectives=1, individuals=0)
        big, _submitter = self.city_dossier(collectives=30, individuals=20)
        for dossier in (small, big):
            with self.subTest(nominees=dossier.nominees.count()), CaptureQueriesContext(connection) as captured:
                services.dossier_tally_refresh(dossier=dossier)
            self.assertEqual(len(captured), 2)
        unsubmitted, _submitter = draft(self.world.haichau_pc, nominees=2)
        with CaptureQueriesContext(connection) as captured:
            services.dossier_tally_refresh(dossier=unsubmitted)
        self.assertEqual(len(captured), 0)
        self.assert_tallies_match()


class RebuildTalliesCommandTests(TallyTestCase):
    def test_check_reports_a_changed_tally_and_the_rebuild_repairs_it(self):
        dossier, _submitter = self.city_dossier()
        decide(dossier)
        call_command("rebuild_tallies", "--check")
        DossierTally.objects.filter(dossier=dossier, subject_type=SubjectType.COLLECTIVE).update(awarded=7)
        with self.assertRaisesMessage(CommandError, str(dossier.pk)):
            call_command("rebuild_tallies", "--check")
        call_command("rebuild_tallies")
        self.assert_tallies_match()
        call_command("rebuild_tallies", "--check")

    def test_check_reports_a_dossier_fact_changed_around_the_services(self):
        dossier, _submitter = self.city_dossier()
        other, _submitter = self.city_dossier(collectives=1, individuals=0)
        Dossier.objects.filter(pk=dossier.pk).update(year=2023)
        Dossier.objects.filter(pk=other.pk).update(campaign=None)
        with self.assertRaises(CommandError) as raised:
            call_command("rebuild_tallies", "--check")
        self.assertIn(f"{dossier.pk}, {other.pk}", str(raised.exception))
        call_command("rebuild_tallies")
        self.assert_tallies_match()
        self.assertEqual({row.year for row in dossier.tallies.all()}, {2023})
