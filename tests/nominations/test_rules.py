import datetime

from django.utils import timezone

from nominations import services
from nominations.models import AwardRecord, AwardRecordSource, Campaign, CommendationKind, Dossier, SubjectType
from nominations.rules import RuleResult
from org_hierarchy.models import Role
from tests.base import grant

from .support import NominationsTestCase, attach_required, award, draft, ready_dossier


def results_of(dossier, rule):
    return [result for result in services.dossier_check_eligibility(dossier=dossier) if result.rule == rule]


def reasons(dossier, rule):
    return [(result.passed, result.reason) for result in results_of(dossier, rule)]


class RuleTestCase(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.dossier, self.submitter = ready_dossier(self.world.residential_group)
        self.nominee = self.dossier.nominees.get()

    def give(self, *, code, year, national_id=None):
        AwardRecord.objects.create(
            subject_type=SubjectType.INDIVIDUAL,
            national_id=national_id or self.nominee.national_id,
            subject_name=self.nominee.full_name,
            award_type=award(code),
            title=award(code).name_vi,
            year=year,
            source=AwardRecordSource.IMPORTED,
        )


class HasNomineesTests(RuleTestCase):
    def test_passes_with_a_nominee(self):
        self.assertEqual(reasons(self.dossier, "has_nominees"), [(True, "The dossier proposes 1 nominee.")])

    def test_fails_without(self):
        services.nominee_remove(nominee=self.nominee, actor=self.submitter)
        self.assertEqual(reasons(self.dossier, "has_nominees"), [(False, "The dossier proposes no nominee.")])


class SubjectTypeAllowedTests(RuleTestCase):
    def test_individual_may_receive_a_certificate(self):
        self.assertEqual(
            reasons(self.dossier, "subject_type_allowed"),
            [(True, f"{self.nominee.full_name}: individual nominees may receive this award.")],
        )

    def test_collective_is_refused_an_individual_title(self):
        self.dossier = services.dossier_update(
            dossier=self.dossier, actor=self.submitter, award_type=award("lao_dong_tien_tien")
        )
        services.nominee_update(nominee=self.nominee, actor=self.submitter, subject_type=SubjectType.COLLECTIVE)
        self.assertEqual(
            reasons(self.dossier, "subject_type_allowed"),
            [(False, f"{self.nominee.full_name}: this award is not given to collective nominees.")],
        )


class RequiredDocumentsTests(RuleTestCase):
    def test_all_documents_attached(self):
        self.assertEqual(
            reasons(self.dossier, "required_documents_present"), [(True, "All required documents are attached.")]
        )

    def test_missing_document_is_named(self):
        services.attachment_remove(
            attachment=self.dossier.attachments.get(kind__code="achievement_report"), actor=self.submitter
        )
        self.assertEqual(
            reasons(self.dossier, "required_documents_present"), [(False, "Missing documents: Achievement report.")]
        )


class NotBlockedTests(RuleTestCase):
    def test_clear_nominee_passes(self):
        self.assertEqual(
            reasons(self.dossier, "not_blocked"),
            [(True, f"{self.nominee.full_name} is not under discipline or investigation.")],
        )

    def test_nominee_under_discipline_fails_with_the_note(self):
        services.nominee_update(
            nominee=self.nominee, actor=self.submitter, under_discipline=True, blocking_note="Quyết định 12/QĐ-UBND"
        )
        self.assertEqual(
            reasons(self.dossier, "not_blocked"),
            [
                (
                    False,
                    f"{self.nominee.full_name} is under disciplinary review (Quyết định 12/QĐ-UBND) "
                    "and cannot be proposed.",
                )
            ],
        )

    def test_nominee_under_investigation_fails(self):
        services.nominee_update(nominee=self.nominee, actor=self.submitter, under_investigation=True)
        self.assertEqual(
            reasons(self.dossier, "not_blocked"),
            [
                (
                    False,
                    f"{self.nominee.full_name} is under investigation or inspection (no details given) "
                    "and cannot be proposed.",
                )
            ],
        )


class NoDuplicateNominationTests(RuleTestCase):
    def test_first_nomination_passes(self):
        self.assertEqual(
            reasons(self.dossier, "no_duplicate_nomination"),
            [(True, f"{self.nominee.full_name} is not proposed for this award elsewhere.")],
        )

    def test_same_person_same_award_and_year_in_another_live_dossier_fails(self):
        other, actor = draft(self.world.residential_group, actor=self.submitter, title="Hồ sơ thứ hai", nominees=0)
        services.nominee_add(
            dossier=other,
            actor=actor,
            subject_type=SubjectType.INDIVIDUAL,
            full_name=self.nominee.full_name,
            national_id=self.nominee.national_id,
        )
        self.assertEqual(
            reasons(other, "no_duplicate_nomination"),
            [
                (
                    False,
                    f"{self.nominee.full_name} is already proposed for this award and year in the dossier "
                    f"“{self.dossier.title}”.",
                )
            ],
        )

    def test_same_person_twice_in_one_dossier_fails(self):
        services.nominee_add(
            dossier=self.dossier,
            actor=self.submitter,
            subject_type=SubjectType.INDIVIDUAL,
            full_name="Bản sao",
            national_id=self.nominee.national_id,
        )
        self.assertEqual(
            reasons(self.dossier, "no_duplicate_nomination")[1], (False, "Bản sao appears twice in this dossier.")
        )

    def test_withdrawn_dossier_does_not_count(self):
        services.dossier_submit(dossier=self.dossier, actor=self.submitter)
        services.dossier_withdraw(dossier=self.dossier, actor=self.submitter, reason="Nộp nhầm")
        other, actor = draft(self.world.residential_group, actor=self.submitter, nominees=0)
        services.nominee_add(
            dossier=other,
            actor=actor,
            subject_type=SubjectType.INDIVIDUAL,
            full_name=self.nominee.full_name,
            national_id=self.nominee.national_id,
        )
        self.assertTrue(all(passed for passed, _ in reasons(other, "no_duplicate_nomination")))


class RouteComputableTests(NominationsTestCase):
    def test_route_is_shown(self):
        dossier, _ = draft(self.world.residential_group, award_code="bk_chu_tich_tinh")
        self.assertEqual(
            reasons(dossier, "route_computable"),
            [(True, "Route: Ủy ban nhân dân Phường Hải Châu → Ủy ban nhân dân Thành phố Đà Nẵng.")],
        )

    def test_unroutable_dossier_fails_with_the_missing_stage(self):
        dossier, _ = draft(self.world.danang_department, award_code="gk_chu_tich_xa")
        self.assertEqual(
            reasons(dossier, "route_computable"),
            [
                (
                    False,
                    "No commune-level unit of the civil government branch serves Sở Nội vụ Thành phố Đà Nẵng, "
                    "so the dossier cannot be routed.",
                )
            ],
        )


class ConsecutiveTitlesTests(RuleTestCase):
    def setUp(self):
        super().setUp()
        self.dossier = services.dossier_update(
            dossier=self.dossier, actor=self.submitter, award_type=award("cstd_tinh")
        )

    def test_three_consecutive_grassroots_titles_pass(self):
        for year in (2023, 2024, 2025):
            self.give(code="cstd_co_so", year=year)
        self.assertEqual(
            reasons(self.dossier, "consecutive_titles"),
            [(True, f"{self.nominee.full_name} has held Grassroots emulation fighter for 3 consecutive years.")],
        )

    def test_a_gap_fails(self):
        for year in (2022, 2024, 2025):
            self.give(code="cstd_co_so", year=year)
        self.assertEqual(
            reasons(self.dossier, "consecutive_titles"),
            [(False, f"{self.nominee.full_name} has not held Grassroots emulation fighter for 3 consecutive years.")],
        )

    def test_another_persons_titles_do_not_count(self):
        for year in (2023, 2024, 2025):
            self.give(code="cstd_co_so", year=year, national_id="001234567890")
        self.assertFalse(results_of(self.dossier, "consecutive_titles")[0].passed)

    def test_alternative_condition(self):
        award_type = award("cstd_tinh")
        award_type.rules = [
            {
                "rule": "consecutive_titles",
                "award_codes": ["cstd_co_so"],
                "years": 3,
                "alternatives": [{"rule": "consecutive_titles", "award_codes": ["bk_chu_tich_tinh"], "years": 1}],
            }
        ]
        award_type.save()
        self.dossier.refresh_from_db()
        self.assertEqual(
            reasons(self.dossier, "consecutive_titles"),
            [
                (
                    False,
                    f"{self.nominee.full_name} has not held Grassroots emulation fighter for 3 consecutive years. "
                    "No alternative condition is met either.",
                )
            ],
        )
        self.give(code="bk_chu_tich_tinh", year=2025)
        self.assertEqual(
            reasons(self.dossier, "consecutive_titles"),
            [(True, f"{self.nominee.full_name} meets an alternative condition to Grassroots emulation fighter.")],
        )

    def test_rule_limited_to_the_annual_track_is_skipped_for_ad_hoc(self):
        award_type = award("cstd_tinh")
        award_type.rules = [
            {"rule": "consecutive_titles", "award_codes": ["cstd_co_so"], "years": 3, "kinds": ["annual"]}
        ]
        award_type.save()
        self.dossier = services.dossier_update(dossier=self.dossier, actor=self.submitter, kind=CommendationKind.AD_HOC)
        self.assertEqual(results_of(self.dossier, "consecutive_titles"), [])


class OncePerPersonTests(RuleTestCase):
    def setUp(self):
        super().setUp()
        self.dossier = services.dossier_update(
            dossier=self.dossier, actor=self.submitter, award_type=award("knc_bao_ve_an_ninh_to_quoc")
        )

    def test_first_time_passes(self):
        self.assertEqual(
            reasons(self.dossier, "once_per_person"),
            [(True, f"{self.nominee.full_name} has not received this award before.")],
        )

    def test_second_time_fails(self):
        self.give(code="knc_bao_ve_an_ninh_to_quoc", year=2019)
        self.assertEqual(
            reasons(self.dossier, "once_per_person"),
            [(False, f"{self.nominee.full_name} already received this award in 2019; it is given only once.")],
        )


class UnknownRuleTests(RuleTestCase):
    def test_a_misspelt_rule_fails_instead_of_passing_silently(self):
        award_type = self.dossier.award_type
        award_type.rules = [{"rule": "consecutive_tittles"}]
        award_type.save()
        self.assertIn(
            RuleResult("consecutive_tittles", False, "Unknown eligibility rule “consecutive_tittles”."),
            services.dossier_check_eligibility(dossier=self.dossier),
        )


class CampaignDeadlineTests(NominationsTestCase):
    def setUp(self):
        super().setUp()
        self.campaign = Campaign.objects.create(
            name="Toàn dân bảo vệ an ninh Tổ quốc",
            period_start=datetime.date(2025, 11, 6),
            launching_unit=self.world.government,
            submission_deadline=timezone.localdate(),
        )
        self.dossier, self.submitter = draft(
            self.world.residential_group, kind=CommendationKind.CAMPAIGN, campaign=self.campaign
        )

    def test_open_until_the_deadline_day(self):
        date = self.campaign.submission_deadline.strftime("%d/%m/%Y")
        self.assertEqual(
            reasons(self.dossier, "campaign_deadline"),
            [(True, f"The campaign “Toàn dân bảo vệ an ninh Tổ quốc” receives dossiers until {date}.")],
        )

    def test_closed_after_it(self):
        self.campaign.submission_deadline = timezone.localdate() - datetime.timedelta(days=1)
        self.campaign.save()
        self.dossier.refresh_from_db()
        date = self.campaign.submission_deadline.strftime("%d/%m/%Y")
        self.assertEqual(
            reasons(self.dossier, "campaign_deadline"),
            [(False, f"The campaign “Toàn dân bảo vệ an ninh Tổ quốc” stopped receiving dossiers on {date}.")],
        )

    def test_a_dossier_submitted_in_time_and_returned_may_come_back_after_it(self):
        attach_required(self.dossier, self.submitter)
        services.dossier_submit(dossier=self.dossier, actor=self.submitter)
        self.campaign.submission_deadline = timezone.localdate() - datetime.timedelta(days=1)
        self.campaign.save()
        services.dossier_return_for_supplement(
            dossier=self.dossier,
            actor=grant(Role.APPRAISER, self.world.haichau_pc),
            stage_unit=self.world.haichau_pc,
            reason="Bổ sung biên bản",
        )
        # Two days have passed since the submission, which was on time.
        Dossier.objects.filter(pk=self.dossier.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=2))
        self.dossier.refresh_from_db()
        self.assertTrue(results_of(self.dossier, "campaign_deadline")[0].passed)

    def test_no_campaign_no_check(self):
        dossier, _ = draft(self.world.school)
        self.assertEqual(reasons(dossier, "campaign_deadline"), [])
