"""import_divisions on the real national list: counts, idempotence and a later edition."""

import io
import json
import shutil
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import translation
from vietnam_provinces import Province, Ward

from org_hierarchy.models import Branch, Level, OrgUnit, Role
from org_hierarchy.roles import permission_for
from org_hierarchy.selectors import units_in_scope
from org_hierarchy.services import orgunit_create
from tests.base import grant

HAI_CHAU, THANH_KHE, BA_DINH = "20242", "20209", "4"
DA_NANG, HUE = "48", "46"
UNITS_PER_BRANCH = 1 + 34 + 3321


def run_import(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_divisions", *args, stdout=out)
    return out.getvalue()


def unit(branch, level, code) -> OrgUnit:
    return OrgUnit.objects.get(branch=branch, level=level, admin_code=code)


def assert_tree_consistent(test: TestCase) -> None:
    """Check depth, parents and numchild of every node from one read of the paths (cheaper than find_problems)."""
    nodes = {
        path: (depth, numchild) for path, depth, numchild in OrgUnit.objects.values_list("path", "depth", "numchild")
    }
    children: dict[str, int] = {}
    for path, (depth, _numchild) in nodes.items():
        test.assertEqual(depth, len(path) // OrgUnit.steplen, path)
        if depth > 1:
            parent = path[: -OrgUnit.steplen]
            test.assertIn(parent, nodes, path)
            children[parent] = children.get(parent, 0) + 1
    test.assertEqual({path: numchild for path, (_depth, numchild) in nodes.items() if numchild}, children)


class ImportDivisionsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first_output = run_import()

    def test_both_branches_have_every_province_and_commune(self):
        for branch in (Branch.CIVIL, Branch.SECURITY):
            with self.subTest(branch=branch):
                units = OrgUnit.objects.filter(branch=branch)
                self.assertEqual(units.filter(level=Level.PROVINCE).count(), 34)
                self.assertEqual(units.filter(level=Level.COMMUNE).count(), 3321)
                danang = unit(branch, Level.PROVINCE, DA_NANG)
                self.assertEqual(OrgUnit.objects.get_children(danang).filter(level=Level.COMMUNE).count(), 94)
                self.assertEqual(danang.numchild, 94)
        assert_tree_consistent(self)
        self.assertIn(f"Civil government: {UNITS_PER_BRANCH} created, 0 updated", self.first_output)
        self.assertIn(f"Public security: {UNITS_PER_BRANCH} created, 0 updated", self.first_output)

    def test_names_and_abbreviations_follow_the_contract(self):
        government, ministry = OrgUnit.objects.get_root_nodes().order_by("path")
        self.assertEqual(
            (government.name, government.short_name, government.level), ("Chính phủ", "TTg", Level.CENTRAL)
        )
        self.assertEqual((ministry.name, ministry.short_name, ministry.level), ("Bộ Công an", "BCA", Level.MINISTRY))
        danang_pc = unit(Branch.CIVIL, Level.PROVINCE, DA_NANG)
        self.assertEqual((danang_pc.name, danang_pc.short_name), ("Ủy ban nhân dân Thành phố Đà Nẵng", "UBND"))
        haichau_pc = unit(Branch.CIVIL, Level.COMMUNE, HAI_CHAU)
        self.assertEqual(haichau_pc.name, "Ủy ban nhân dân Phường Hải Châu")
        # the bulk import writes the form the unit search matches, as save() does
        self.assertEqual(haichau_pc.search_name, "uy ban nhan dan phuong hai chau ubnd")
        self.assertEqual(danang_pc.search_name, "uy ban nhan dan thanh pho da nang ubnd")
        self.assertEqual(OrgUnit.objects.get_parent(haichau_pc), danang_pc)
        danang_police = unit(Branch.SECURITY, Level.PROVINCE, DA_NANG)
        self.assertEqual((danang_police.name, danang_police.short_name), ("Công an Thành phố Đà Nẵng", "CATP"))
        self.assertEqual(unit(Branch.SECURITY, Level.PROVINCE, "4").short_name, "CAT")  # Tỉnh Cao Bằng
        self.assertEqual(unit(Branch.SECURITY, Level.COMMUNE, HAI_CHAU).short_name, "CAP")
        police_abbreviations = set(
            OrgUnit.objects.filter(branch=Branch.SECURITY, level=Level.COMMUNE)
            .order_by()
            .values_list("short_name", flat=True)
            .distinct()
        )
        self.assertEqual(police_abbreviations, {"CAX", "CAP", "CAĐK"})

    def test_every_unit_has_its_creation_in_history(self):
        self.assertEqual(OrgUnit.history.filter(history_type="+").count(), 2 * UNITS_PER_BRANCH)

    def test_rerun_changes_nothing(self):
        history = OrgUnit.history.count()
        output = run_import()
        self.assertIn(f"Civil government: 0 created, 0 updated, 0 deactivated, {UNITS_PER_BRANCH} unchanged", output)
        self.assertIn(f"Public security: 0 created, 0 updated, 0 deactivated, {UNITS_PER_BRANCH} unchanged", output)
        self.assertEqual(OrgUnit.history.count(), history)

    def _later_edition(self) -> Path:
        """Write the package's list in its flat format with Hải Châu moved to Huế, Ba Đình renamed, Thanh Khê gone."""
        provinces = {p.code: p for p in Province.iter_all()}
        edited = []
        for ward in Ward.iter_all():
            code, province = str(ward.code), provinces[ward.province_code]
            if code == THANH_KHE:
                continue
            if code == HAI_CHAU:
                province = provinces[int(HUE)]
            edited.append(
                {
                    "code": ward.code,
                    "name": "Phường Ba Đình Mới" if code == BA_DINH else ward.name,
                    "division_type": str(ward.division_type),
                    "province_code": province.code,
                    "province_name": province.name,
                    "province_division_type": str(province.division_type),
                    "codename": ward.codename,
                    "province_codename": province.codename,
                }
            )
        directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, directory)
        path = directory / "later-edition.json"
        path.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
        return path

    def test_later_edition_renames_moves_and_retires_keeping_memberships_and_history(self):
        haichau_pc = unit(Branch.CIVIL, Level.COMMUNE, HAI_CHAU)
        school = orgunit_create(parent=haichau_pc, name="Trường THCS Nguyễn Huệ", level=Level.UNIT)
        approver = grant(Role.APPROVER, haichau_pc)
        submitter = grant(Role.SUBMITTER, school)
        retired_member = grant(Role.APPRAISER, unit(Branch.CIVIL, Level.COMMUNE, THANH_KHE))

        output = run_import("--file", str(self._later_edition()))

        self.assertIn(
            f"Civil government: 0 created, 2 updated, 1 deactivated, {UNITS_PER_BRANCH - 3} unchanged", output
        )
        self.assertIn(f"Public security: 0 created, 2 updated, 1 deactivated, {UNITS_PER_BRANCH - 3} unchanged", output)
        self.assertIn("Ủy ban nhân dân Phường Ba Đình Mới: renamed from “Ủy ban nhân dân Phường Ba Đình”", output)
        self.assertIn(
            "Ủy ban nhân dân Phường Hải Châu: moved from “Ủy ban nhân dân Thành phố Đà Nẵng” "
            "to “Ủy ban nhân dân Thành phố Huế”",
            output,
        )
        self.assertIn("Công an Phường Thanh Khê: deactivated", output)

        hue_pc = unit(Branch.CIVIL, Level.PROVINCE, HUE)
        moved = OrgUnit.objects.get(pk=haichau_pc.pk)
        self.assertEqual(OrgUnit.objects.get_parent(moved), hue_pc)
        school.refresh_from_db()
        self.assertEqual(OrgUnit.objects.get_parent(school), moved)
        self.assertEqual(OrgUnit.objects.get_parent(unit(Branch.SECURITY, Level.COMMUNE, HAI_CHAU)).admin_code, HUE)
        # Hải Châu left; Thanh Khê is retired but stays in the tree.
        self.assertEqual(unit(Branch.CIVIL, Level.PROVINCE, DA_NANG).numchild, 93)
        assert_tree_consistent(self)

        # Memberships follow the unit row; guardian permissions are on the row, so nothing is lost.
        approver = type(approver).objects.get(pk=approver.pk)
        self.assertTrue(approver.has_perm(permission_for(Role.APPROVER), moved))
        submitter = type(submitter).objects.get(pk=submitter.pk)
        self.assertIn(school, units_in_scope(user=submitter))
        self.assertIn(school, units_in_scope(user=type(approver).objects.get(pk=approver.pk)))

        renamed = unit(Branch.CIVIL, Level.COMMUNE, BA_DINH)
        self.assertEqual(renamed.search_name, "uy ban nhan dan phuong ba dinh moi ubnd")
        self.assertEqual(
            list(renamed.history.order_by("history_id").values_list("name", flat=True)),
            ["Ủy ban nhân dân Phường Ba Đình", "Ủy ban nhân dân Phường Ba Đình Mới"],
        )
        self.assertEqual(moved.history.latest().history_change_reason, "moved")

        retired = unit(Branch.CIVIL, Level.COMMUNE, THANH_KHE)
        self.assertFalse(retired.is_active)
        retired_member = type(retired_member).objects.get(pk=retired_member.pk)
        self.assertFalse(retired_member.has_perm(permission_for(Role.APPRAISER), retired))
        self.assertFalse(units_in_scope(user=retired_member).exists())

        rerun = run_import("--file", str(self._later_edition()))
        self.assertIn(f"Civil government: 0 created, 0 updated, 0 deactivated, {UNITS_PER_BRANCH - 1} unchanged", rerun)

    def test_unreadable_file_is_a_clear_error(self):
        directory = Path(tempfile.mkdtemp())
        bad = directory / "bad.json"
        bad.write_text('[{"code": 1}]', encoding="utf-8")
        self.addCleanup(shutil.rmtree, directory)
        with translation.override("en"), self.assertRaisesMessage(CommandError, "Record 1 of the divisions file"):
            call_command("import_divisions", "--file", str(bad), stdout=io.StringIO())
        self.assertEqual(OrgUnit.objects.count(), 2 * UNITS_PER_BRANCH)
