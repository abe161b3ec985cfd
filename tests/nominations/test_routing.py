from django.core.exceptions import ValidationError
from django.utils import translation

from nominations.routing import compute_route
from org_hierarchy.models import Branch, Level, OrgUnit
from tests.base import MeritflowTestCase

from .support import award


class ComputeRouteTests(MeritflowTestCase):
    def route(self, unit, code):
        return [stop.name for stop in compute_route(originating_unit=unit, award_type=award(code))]

    def test_minister_of_public_security_award_climbs_the_police_tree(self):
        self.assertEqual(
            self.route(self.world.residential_group, "bk_bo_truong_cong_an"),
            ["Công an Phường Hải Châu", "Công an Thành phố Đà Nẵng", "Bộ Công an"],
        )

    def test_city_chair_award_climbs_the_civil_tree_to_the_city(self):
        self.assertEqual(
            self.route(self.world.residential_group, "bk_chu_tich_tinh"),
            ["Ủy ban nhân dân Phường Hải Châu", "Ủy ban nhân dân Thành phố Đà Nẵng"],
        )

    def test_ward_chair_award_stops_at_the_ward(self):
        self.assertEqual(self.route(self.world.school, "gk_chu_tich_xa"), ["Ủy ban nhân dân Phường Hải Châu"])

    def test_prime_minister_award_goes_from_province_to_government_without_a_ministry(self):
        self.assertEqual(
            self.route(self.world.residential_group, "bk_thu_tuong"),
            ["Ủy ban nhân dân Phường Hải Châu", "Ủy ban nhân dân Thành phố Đà Nẵng", "Chính phủ"],
        )

    def test_provincial_department_skips_the_commune_stage(self):
        self.assertEqual(
            self.route(self.world.danang_department, "bk_chu_tich_tinh"), ["Ủy ban nhân dân Thành phố Đà Nẵng"]
        )
        self.assertEqual(
            self.route(self.world.danang_department, "bk_bo_truong_cong_an"),
            ["Công an Thành phố Đà Nẵng", "Bộ Công an"],
        )

    def test_a_ministry_department_goes_straight_to_the_ministry(self):
        department = OrgUnit.objects.add_child(
            self.world.mps,
            instance=OrgUnit(
                name="Cục Xây dựng phong trào", short_name="V05", branch=Branch.SECURITY, level=Level.UNIT
            ),
        )
        self.assertEqual(self.route(department, "bk_bo_truong_cong_an"), ["Bộ Công an"])
        with self.assertRaises(ValidationError):
            compute_route(originating_unit=department, award_type=award("gk_giam_doc_cong_an_tinh"))

    def test_a_sector_award_climbs_only_to_the_units_own_ministry(self):
        health = OrgUnit.objects.add_root(
            instance=OrgUnit(name="Bộ Y tế", short_name="BYT", branch=Branch.SECTOR, level=Level.MINISTRY)
        )
        OrgUnit.objects.add_root(
            instance=OrgUnit(
                name="Bộ Giáo dục và Đào tạo", short_name="BGDĐT", branch=Branch.SECTOR, level=Level.MINISTRY
            )
        )
        hospital = OrgUnit.objects.add_child(
            health,
            instance=OrgUnit(name="Bệnh viện Bạch Mai", short_name="BVBM", branch=Branch.SECTOR, level=Level.UNIT),
        )
        minister_award = award("bk_bo_truong_cong_an")
        minister_award.deciding_branch = Branch.SECTOR
        self.assertEqual(
            [u.name for u in compute_route(originating_unit=hospital, award_type=minister_award)], ["Bộ Y tế"]
        )
        with self.assertRaises(ValidationError):
            compute_route(originating_unit=self.world.school, award_type=minister_award)

    def test_police_director_award_for_another_province_uses_that_province(self):
        self.assertEqual(
            self.route(self.world.badinh_pc, "gk_giam_doc_cong_an_tinh"),
            ["Công an Phường Ba Đình", "Công an Thành phố Hà Nội"],
        )

    def test_commune_award_for_a_unit_outside_any_commune_cannot_be_routed(self):
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            compute_route(originating_unit=self.world.danang_department, award_type=award("gk_chu_tich_xa"))
        self.assertEqual(
            caught.exception.messages,
            [
                "No commune-level unit of the civil government branch serves Sở Nội vụ Thành phố Đà Nẵng, "
                "so the dossier cannot be routed."
            ],
        )

    def test_missing_stage_unit_is_reported(self):
        self.world.thanhkhe_police.is_active = False
        self.world.thanhkhe_police.save()
        with self.assertRaises(ValidationError):
            compute_route(originating_unit=self.world.thanhkhe_pc, award_type=award("bk_bo_truong_cong_an"))
